"""Fault tickets from telemetry (once per open problem), by hand with a repair, and the
cluster's whole history on one page."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from device_bridge.fleet.services import (
    cluster_heartbeat_record,
    cluster_token_revoke,
    cluster_token_rotate,
    receipts_record,
)
from device_bridge.models import DeviceEvent, ScheduleItem, SpeakerCluster
from device_bridge.upkeep import history, services
from device_bridge.upkeep.models import ClusterChange, DataPlanFee, FaultTicket, Repair

from .conftest import d

Source = FaultTicket.Source


def _scan(now):
    return services.fault_tickets_from_telemetry(now=now)


def test_a_cluster_offline_for_a_day_gets_one_ticket_however_often_the_scan_runs(make_cluster):
    now = timezone.now()
    offline = make_cluster("cl-mat", last_seen_at=now - dt.timedelta(hours=25))
    make_cluster("cl-tot", last_seen_at=now - dt.timedelta(minutes=1))
    make_cluster("cl-chua-lap")  # never heard from: not installed yet, nothing to repair
    for hour in range(5):
        _scan(now + dt.timedelta(hours=hour))
    tickets = FaultTicket.objects.all()
    assert [(t.cluster.code, t.source) for t in tickets] == [("cl-mat", Source.OFFLINE)]
    assert "mất kết nối" in tickets[0].symptom
    # Closed while the cluster is still silent: the problem is open again, one new ticket.
    services.fault_ticket_close(ticket=tickets[0], at=now + dt.timedelta(hours=6))
    _scan(now + dt.timedelta(hours=7))
    _scan(now + dt.timedelta(hours=8))
    assert FaultTicket.objects.filter(cluster=offline, closed_at__isnull=True).count() == 1
    assert FaultTicket.objects.filter(cluster=offline).count() == 2


def test_an_over_temperature_heartbeat_opens_one_ticket(make_cluster, settings):
    settings.UPKEEP = {"MAX_TEMPERATURE_C": 70}
    now = timezone.now()
    hot, cool = make_cluster("cl-nong"), make_cluster("cl-mat-me")
    for cluster, temperature in ((hot, 78.5), (cool, 41.0)):
        cluster_heartbeat_record(cluster=cluster, data={"status": "idle", "temperature_c": temperature},
                                 now=now, write_every_seconds=45)
    _scan(now)
    _scan(now + dt.timedelta(minutes=5))
    tickets = list(FaultTicket.objects.values_list("cluster__code", "source"))
    assert tickets == [("cl-nong", Source.TEMPERATURE)]
    assert "78.5 °C" in FaultTicket.objects.get().symptom


def _failed_receipts(cluster, count, start):
    items = [ScheduleItem.objects.create(cluster=cluster, title=f"Bản tin {n}",
                                         play_at=start + dt.timedelta(minutes=n),
                                         play_until=start + dt.timedelta(minutes=n + 30))
             for n in range(count)]
    receipts_record(cluster_id=cluster.pk, skew_seconds=120, receipts=[
        {"item_id": item.pk, "started_at": item.play_at, "result": "failed",
         "error": "amplifier fault"} for item in items])


def test_repeated_playback_failures_open_one_ticket_and_a_closed_one_stays_closed(make_cluster):
    now = timezone.now()
    cluster = make_cluster("cl-loi-phat")
    _failed_receipts(cluster, 2, now - dt.timedelta(hours=1))
    _scan(now)
    assert not FaultTicket.objects.exists()  # two failures are not a fault yet
    _failed_receipts(cluster, 2, now - dt.timedelta(minutes=40))
    _scan(now)
    _scan(now + dt.timedelta(minutes=30))
    ticket = FaultTicket.objects.get()
    assert ticket.source == Source.PLAYBACK and "4 lần phát lỗi" in ticket.symptom
    services.fault_ticket_close(ticket=ticket)
    _scan(timezone.now())
    assert FaultTicket.objects.count() == 1  # the failures it was about do not reopen it


def test_the_unique_constraint_holds_if_two_scans_race(make_cluster):
    cluster = make_cluster("cl-dua")
    now = timezone.now()
    a = services.fault_ticket_open_auto(cluster=cluster, source=Source.OFFLINE, symptom="a", now=now)
    # A scan that checked before the first insert committed still cannot add a second.
    with pytest.raises(IntegrityError), transaction.atomic():
        FaultTicket.objects.create(site=a.site, cluster=cluster, source=Source.OFFLINE,
                                   symptom="b", opened_at=now)
    # By hand, any number of tickets may be open.
    for _ in range(2):
        FaultTicket.objects.create(site=a.site, cluster=cluster, symptom="loa rè", opened_at=now)
    assert FaultTicket.objects.filter(cluster=cluster, closed_at__isnull=True).count() == 3


def test_technician_logs_a_fault_with_its_repair_from_the_admin(client, technician, make_cluster):
    cluster = make_cluster("cl-hong", warranty_until=d("2026-06-30"))
    client.force_login(technician)
    response = client.post(reverse("upkeep_faults:add"), nested_form_data({
        "cluster": cluster.pk,
        "symptom": "Loa rè, mất tiếng kênh trái",
        "reporter_name": "Trưởng thôn Đông",
        "opened_at": "2026-11-20 08:00",
        "closed_at": "2026-11-21 16:30",
        "repairs": inline_formset([{
            "kind": "replacement", "done_on": "2026-11-21", "parts": "Loa nén 30 W",
            "description": "Thay loa", "cost_vnd": "1250000", "paid_by": "budget",
            "performed_by": "Công ty ABC",
        }]),
    }))
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = FaultTicket.objects.get()
    assert ticket.reported_by == technician and ticket.source == Source.MANUAL
    assert ticket.time_to_repair == dt.timedelta(hours=32, minutes=30)
    repair = Repair.objects.get()
    assert (repair.cost_vnd, repair.paid_by, repair.site_id) == (1_250_000, "budget", ticket.site_id)
    listing = client.get(reverse("upkeep_faults:index")).content.decode()
    assert "1 ngày 8 giờ" in listing


def test_a_repair_with_a_negative_cost_is_refused_and_nothing_is_saved(client, technician, make_cluster):
    cluster = make_cluster("cl-am")
    client.force_login(technician)
    response = client.post(reverse("upkeep_faults:add"), nested_form_data({
        "cluster": cluster.pk, "symptom": "Mất nguồn", "reporter_name": "", "opened_at": "2026-11-20 08:00",
        "closed_at": "", "repairs": inline_formset([{
            "kind": "repair", "done_on": "2026-11-21", "parts": "", "description": "",
            "cost_vnd": "-5", "paid_by": "budget", "performed_by": ""}]),
    }))
    assert response.status_code == 200
    assert not FaultTicket.objects.exists() and not Repair.objects.exists()


@pytest.fixture
def storied_cluster(make_plan, technician):
    plan = make_plan("cl-ho-so", free_until=d("2026-12-31"), installed_on=d("2024-12-31"))
    cluster = plan.cluster
    DataPlanFee.objects.create(plan=plan, effective_from=d("2027-03-01"), monthly_fee_vnd=55_000,
                               note="Nhà mạng tăng giá")
    cluster_token_rotate(cluster=cluster)
    cluster_token_revoke(cluster=cluster)
    cluster_token_rotate(cluster=cluster)
    now = timezone.now()
    for version in ("2.0.0", "2.1.0"):
        cluster_heartbeat_record(cluster=cluster, data={"status": "idle", "firmware": version},
                                 now=now, write_every_seconds=0)
        cluster.refresh_from_db()
        services.cluster_firmware_observe(clusters=[cluster], now=now)
        now += dt.timedelta(minutes=1)
    DeviceEvent.objects.create(cluster=cluster, kind=DeviceEvent.Kind.AUDIO_MISSING,
                               message="Thiếu tệp âm thanh của mục 12")
    return cluster


def _add_tickets(cluster, count):
    site = cluster.data_plan.site
    for n in range(count):
        ticket = FaultTicket.objects.create(site=site, cluster=cluster, symptom=f"Sự cố {n}",
                                            opened_at=timezone.now(), closed_at=timezone.now())
        Repair.objects.create(ticket=ticket, done_on=d("2026-11-21"), parts="Bộ nguồn",
                              cost_vnd=300_000, paid_by=Repair.PaidBy.WARRANTY)


def test_history_shows_faults_repairs_plan_firmware_and_tokens(client, technician, storied_cluster):
    _add_tickets(storied_cluster, 1)
    client.force_login(technician)
    page = client.get(reverse("upkeep_admin:cluster_history", args=[storied_cluster.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for text in ("Sự cố 0", "Bộ nguồn — 300.000 đ, nguồn chi: Bảo hành", "Đổi cước 4G",
                 "55.000 đ/tháng", "Đăng ký gói cước 4G", "Cấp mã truy cập mới",
                 "Thu hồi mã truy cập", "2.0.0", "2.1.0", "Thiếu tệp âm thanh của mục 12", "Lắp đặt"):
        assert text in html, text
    kinds = list(ClusterChange.objects.filter(cluster=storied_cluster)
                 .order_by("at", "pk").values_list("kind", flat=True))
    assert kinds.count("token_issued") == 2 and kinds.count("firmware") == 2


def test_another_app_adds_its_section_to_the_history(client, technician, storied_cluster):
    def assessments(*, cluster, site):
        yield history.HistoryEntry(d("2026-06-30"), "Đánh giá an toàn thông tin đợt 1",
                                   f"{cluster.code}: đạt 8/9 mục")

    history.register_section(assessments, key="test_assessments", label="Đánh giá an toàn thông tin")
    history.register_section(assessments, key="test_hidden", label="Mục bí mật",
                             permission="auth.delete_user")
    try:
        client.force_login(technician)
        html = client.get(reverse("upkeep_admin:cluster_history", args=[storied_cluster.pk])).content.decode()
    finally:
        history._SECTIONS.pop("test_assessments")
        history._SECTIONS.pop("test_hidden")
    assert "cl-ho-so: đạt 8/9 mục" in html
    assert 'data-section="Đánh giá an toàn thông tin"' in html
    assert "Mục bí mật" not in html  # a section the user may not see is left out


def test_history_page_runs_the_same_queries_however_long_the_history(client, technician,
                                                                     storied_cluster):
    client.force_login(technician)
    url = reverse("upkeep_admin:cluster_history", args=[storied_cluster.pk])
    client.get(url)  # warm caches (content types, site)
    _add_tickets(storied_cluster, 1)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _add_tickets(storied_cluster, 6)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)


def test_history_page_query_count_is_pinned(client, technician, storied_cluster,
                                            django_assert_num_queries):
    _add_tickets(storied_cluster, 3)
    client.force_login(technician)
    url = reverse("upkeep_admin:cluster_history", args=[storied_cluster.pk])
    client.get(url)
    with django_assert_num_queries(HISTORY_QUERIES):
        client.get(url)


HISTORY_QUERIES = 19  # session, user, site, cluster, then 8 for the four sections


def test_token_changes_of_a_cluster_created_without_plan_go_to_the_default_site(upkeep_site):
    cluster = SpeakerCluster.objects.create(code="cl-le", name="Cụm lẻ")
    cluster_token_rotate(cluster=cluster)
    change = ClusterChange.objects.get(cluster=cluster)
    assert change.site.is_default_site and change.kind == ClusterChange.Kind.TOKEN_ISSUED
