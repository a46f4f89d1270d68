"""The dashboard alert for live content whose audio or delivery is stuck, and its retry."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from content_types.models import Priority
from device_bridge.models import Delivery
from device_bridge.tts.models import PageAudio, SpeechAudio
from device_bridge.tts.tasks import render_broadcast
from tests.factories import make_bulletin
from tests.workflows.helpers import make_user
from workflows import roles


@pytest.fixture
def failing_engine(settings):
    settings.TTS_FALLBACK = False
    settings.TTS_ENGINES = {**settings.TTS_ENGINES, "fake": {
        "CLASS": "device_bridge.tts.engines.fake.FakeEngine", "OPTIONS": {"FAIL": True}}}
    return settings


@pytest.fixture
def people(db):
    return {
        "editor": make_user("bientap-canh-bao", roles.EDITOR),
        "reviewer": make_user("duyet-canh-bao", roles.REVIEWER),
        "technician": make_user("kythuat-canh-bao", roles.TECHNICIAN),
    }


def client_for(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def assert_refused(response):
    # Wagtail answers an admin view's PermissionDenied with a message and the dashboard.
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response.url == reverse("wagtailadmin_home")
        assert "quyền" in str(list(response.wsgi_request._messages)[0])


def emergency(dev_site, capture):
    with capture(execute=True):
        return make_bulletin(dev_site.news, category=dev_site.categories["phong-chong-thien-tai"],
                             priority=Priority.EMERGENCY, title="Cảnh báo lũ quét khẩn cấp")


def priority_bulletin(dev_site, capture):
    # Not an emergency: an approved emergency renders its audio in the fan-out at once
    # (device_bridge/emergency.py), so a lost render task is a normal bulletin's failure.
    with capture(execute=True):
        return make_bulletin(dev_site.news, category=dev_site.categories["phong-chong-thien-tai"],
                             priority=Priority.PRIORITY, title="Lịch cắt điện ưu tiên")


def test_dashboard_alerts_a_live_emergency_whose_render_failed_and_retry_airs_it(
    dev_site, cluster_fleet, dev_audio, people, failing_engine, django_capture_on_commit_callbacks
):
    # Regression (issue 8, item 5): an emergency bulletin stayed live with no audio and
    # nothing in the admin said so or offered a retry.
    page = emergency(dev_site, django_capture_on_commit_callbacks)
    render_broadcast(page.pk, page.live_revision_id)
    editor = client_for(people["editor"])
    html = editor.get(reverse("wagtailadmin_home")).content.decode()
    assert "Tin đang phát bị kẹt" in html and "Cảnh báo lũ quét khẩn cấp" in html
    assert "Tạo âm thanh phát thanh thất bại" in html and "Hệ thống sẽ tự thử lại lúc" in html
    retry_url = reverse("device_bridge_admin:alert_retry", args=[page.pk])
    assert retry_url in html

    failing_engine.TTS_ENGINES = {**failing_engine.TTS_ENGINES, "fake": {
        "CLASS": "device_bridge.tts.engines.fake.FakeEngine", "OPTIONS": {}}}
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(retry_url)
    assert response.status_code == 302
    link = PageAudio.objects.get(page_id=page.pk, purpose=PageAudio.Purpose.BROADCAST)
    assert link.audio.status == SpeechAudio.Status.READY
    speakers = Delivery.objects.filter(dispatch__page_id=page.pk, dispatch__channel="speakers")
    assert {d.status for d in speakers} == {Delivery.Status.SCHEDULED}
    assert "Tin đang phát bị kẹt" not in editor.get(reverse("wagtailadmin_home")).content.decode()


def test_audio_never_made_and_waiting_deliveries_alert_after_the_threshold(
    dev_site, cluster_fleet, dev_audio, people, django_capture_on_commit_callbacks
):
    page = priority_bulletin(dev_site, django_capture_on_commit_callbacks)  # render task lost
    technician = client_for(people["technician"])
    assert "Tin đang phát bị kẹt" not in technician.get(reverse("wagtailadmin_home")).content.decode()

    long_ago = timezone.now() - dt.timedelta(minutes=25)
    type(page).objects.filter(pk=page.pk).update(last_published_at=long_ago)
    Delivery.objects.filter(dispatch__page_id=page.pk).update(created_at=long_ago)
    html = technician.get(reverse("wagtailadmin_home")).content.decode()
    assert "chưa có âm thanh phát thanh" in html
    assert "3 lượt gửi tới cụm loa đang chờ âm thanh quá 10 phút" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = technician.post(reverse("device_bridge_admin:alert_retry", args=[page.pk]))
    assert response.status_code == 302
    speakers = Delivery.objects.filter(dispatch__page_id=page.pk, dispatch__channel="speakers")
    assert {d.status for d in speakers} == {Delivery.Status.SCHEDULED}


def test_failed_deliveries_alert_and_only_who_may_resend_resends_them(
    dev_site, cluster_fleet, dev_audio, people, django_capture_on_commit_callbacks
):
    page = emergency(dev_site, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        dev_audio.add(page)
    failed = Delivery.objects.filter(dispatch__page_id=page.pk, dispatch__channel="speakers").first()
    Delivery.objects.filter(pk=failed.pk).update(
        status=Delivery.Status.FAILED, last_error="Cụm loa từ chối lịch", finished_at=timezone.now())
    retry_url = reverse("device_bridge_admin:alert_retry", args=[page.pk])

    reviewer = client_for(people["reviewer"])
    html = reviewer.get(reverse("wagtailadmin_home")).content.decode()
    assert "1 lượt gửi thất bại" in html and "Cụm loa từ chối lịch" in html
    assert retry_url not in html  # may follow progress, may not resend
    assert_refused(reviewer.post(retry_url))
    editor = client_for(people["editor"])
    assert_refused(editor.post(retry_url))  # the audio is fine; resending is technical
    assert Delivery.objects.get(pk=failed.pk).status == Delivery.Status.FAILED

    forged = client_for(people["technician"], enforce_csrf_checks=True)
    assert forged.post(retry_url).status_code == 403
    assert Client().post(retry_url).status_code == 302  # anonymous: to the login page
    assert Delivery.objects.get(pk=failed.pk).status == Delivery.Status.FAILED

    technician = client_for(people["technician"])
    assert technician.get(retry_url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        assert technician.post(retry_url).status_code == 302
    assert Delivery.objects.get(pk=failed.pk).status == Delivery.Status.SCHEDULED


def test_audio_panel_offers_retry_for_a_failed_broadcast_render(
    dev_site, cluster_fleet, dev_audio, people, failing_engine, django_capture_on_commit_callbacks
):
    # Regression (issue 8, item 5): the editor's audio panel showed only the latest request
    # (here the preview of the next draft, ready) and offered no retry for the live
    # bulletin's failed broadcast render.
    from device_bridge.tts import services as tts

    page = emergency(dev_site, django_capture_on_commit_callbacks)
    render_broadcast(page.pk, page.live_revision_id)
    failing_engine.TTS_ENGINES = {**failing_engine.TTS_ENGINES, "fake": {
        "CLASS": "device_bridge.tts.engines.fake.FakeEngine", "OPTIONS": {}}}
    page.radio_text = "Lũ quét đã rút, bà con chú ý an toàn khi trở về nhà."
    draft = page.save_revision(user=people["editor"])
    preview = tts.page_audio_request(page=page, revision=draft, purpose=PageAudio.Purpose.PREVIEW)
    assert tts.speech_render(audio=preview).status == SpeechAudio.Status.READY

    editor = client_for(people["editor"])
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    html = editor.get(edit_url).content.decode()
    assert 'data-broadcast-state="failed"' in html
    assert "tạo âm thanh phát thanh thất bại" in html
    retry_url = reverse("device_bridge_admin:alert_retry", args=[page.pk])
    assert f'formaction="{retry_url}?next=' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(f"{retry_url}?next={edit_url}", {"next": "/admin/pages/"})
    assert response.status_code == 302 and response.url == edit_url
    assert "data-broadcast-state" not in editor.get(edit_url).content.decode()
    speakers = Delivery.objects.filter(dispatch__page_id=page.pk, dispatch__channel="speakers")
    assert {d.status for d in speakers} == {Delivery.Status.SCHEDULED}


def test_deliveries_left_waiting_for_ready_audio_are_woken_by_retry(
    dev_site, cluster_fleet, dev_audio, people, django_capture_on_commit_callbacks
):
    page = priority_bulletin(dev_site, django_capture_on_commit_callbacks)
    dev_audio.add(page, send_signal=False)  # ready, but the announcement was lost
    Delivery.objects.filter(dispatch__page_id=page.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=15))
    editor = client_for(people["editor"])
    html = editor.get(reverse("wagtailadmin_home")).content.decode()
    assert "3 lượt gửi tới cụm loa đang chờ âm thanh quá 10 phút" in html
    assert "chưa có âm thanh phát thanh" not in html
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(reverse("device_bridge_admin:alert_retry", args=[page.pk]))
    speakers = Delivery.objects.filter(dispatch__page_id=page.pk, dispatch__channel="speakers")
    assert {d.status for d in speakers} == {Delivery.Status.SCHEDULED}


def test_restricted_bulletin_alert_is_shown_only_to_who_may_see_the_page(
    dev_site, cluster_fleet, dev_audio, people, failing_engine, django_capture_on_commit_callbacks
):
    from wagtail.models import PageViewRestriction

    page = emergency(dev_site, django_capture_on_commit_callbacks)
    PageViewRestriction.objects.create(page=page, restriction_type="password", password="bi-mat")
    render_broadcast(page.pk, page.live_revision_id)
    home = reverse("wagtailadmin_home")
    assert "Cảnh báo lũ quét khẩn cấp" in client_for(people["editor"]).get(home).content.decode()
    reviewer = client_for(people["reviewer"])
    assert "Cảnh báo lũ quét khẩn cấp" not in reviewer.get(home).content.decode()
    response = reviewer.post(reverse("device_bridge_admin:alert_retry", args=[page.pk]))
    assert_refused(response)
    assert "Cảnh báo lũ quét" not in str(list(response.wsgi_request._messages))


# --- Fleet alerts (issue 12, item 6): offline during a slot, a delivery failed after every
# retry, an emergency not acknowledged in time; on the dashboard and e-mailed once. ---

from django.core import mail  # noqa: E402
from wagtail.models import Site  # noqa: E402

from device_bridge.models import ClusterCommand, Dispatch, ScheduleItem, SpeakerCluster  # noqa: E402
from device_bridge.monitoring.alerting import fleet_alerts_check, fleet_alerts_email  # noqa: E402
from device_bridge.monitoring.models import FleetAlert  # noqa: E402
from device_bridge.monitoring.tasks import monitoring_sweep  # noqa: E402


def _item(cluster, *, title="Bản tin sáng", priority="thuong", starts=-60, minutes=60):
    now = timezone.now()
    return ScheduleItem.objects.create(
        cluster=cluster, title=title, priority=priority,
        play_at=now + dt.timedelta(seconds=starts), play_until=now + dt.timedelta(minutes=minutes))


def _play_now(cluster, item, *, seconds_ago):
    command = ClusterCommand.objects.create(
        cluster=cluster, kind="play_now", payload={"item_id": item.pk},
        expires_at=timezone.now() + dt.timedelta(minutes=30))
    ClusterCommand.objects.filter(pk=command.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=seconds_ago))
    return command


def test_a_cluster_offline_while_its_slot_is_open_alerts_once_and_is_emailed_once(
    dev_site, cluster_fleet, people
):
    silent, online, idle = cluster_fleet
    SpeakerCluster.objects.filter(pk=online.pk).update(last_seen_at=timezone.now())
    _item(silent)
    _item(silent, title="Bản tin thứ hai")  # same slot: still one alert
    _item(online)
    _item(idle, starts=3600)  # its slot has not opened

    new = fleet_alerts_check()
    assert [(a.kind, a.cluster_id) for a in new] == [("offline_slot", silent.pk)]
    assert "mất kết nối trong giờ phát" in new[0].message and "chưa liên lạc lần nào" in new[0].message
    assert fleet_alerts_check() == []  # idempotent

    assert fleet_alerts_email() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [people["technician"].email]  # technicians only, not editors
    assert "1 cảnh báo hệ thống loa" in message.subject
    assert silent.code in message.body and "/admin/fleet/" in message.body
    assert fleet_alerts_email() == 0 and len(mail.outbox) == 1  # sent once


def test_a_delivery_failed_after_its_retries_alerts_and_a_new_failure_alerts_again(
    dev_site, cluster_fleet, people
):
    dispatch = Dispatch.objects.create(page=dev_site.news, content_id=dev_site.news.pk,
                                       title="Lịch tiêm chủng", channel="speakers",
                                       site=Site.objects.get(is_default_site=True))
    failed = Delivery.objects.create(dispatch=dispatch, cluster=cluster_fleet[0],
                                     target_label=str(cluster_fleet[0]), idempotency_key="a1",
                                     status=Delivery.Status.FAILED, attempts=5,
                                     last_error="Cụm loa từ chối lịch", finished_at=timezone.now())
    Delivery.objects.create(dispatch=dispatch, cluster=cluster_fleet[1], target_label="cũ",
                            idempotency_key="a2", status=Delivery.Status.FAILED, attempts=5,
                            finished_at=timezone.now() - dt.timedelta(days=2))
    new = fleet_alerts_check()
    assert len(new) == 1 and new[0].kind == "delivery_failed"
    assert "Lịch tiêm chủng" in new[0].message and "5 lần thử" in new[0].message
    assert "Cụm loa từ chối lịch" in new[0].message
    assert fleet_alerts_check() == []
    # Resent, failed again later: a second alert.
    Delivery.objects.filter(pk=failed.pk).update(finished_at=timezone.now() + dt.timedelta(minutes=1))
    assert len(fleet_alerts_check()) == 1


def test_an_emergency_not_acknowledged_within_the_setting_alerts(dev_site, cluster_fleet, people, settings):
    first, second, third = cluster_fleet
    SpeakerCluster.objects.update(last_seen_at=timezone.now())  # online: no slot alert
    late = _play_now(first, _item(first, priority="khan_cap", title="Lũ quét"), seconds_ago=40)
    acked = _play_now(second, _item(second, priority="khan_cap", title="Lũ quét"), seconds_ago=40)
    ClusterCommand.objects.filter(pk=acked.pk).update(acked_at=timezone.now(), result="ok")
    recent = _play_now(third, _item(third, priority="khan_cap", title="Lũ quét"), seconds_ago=10)
    _play_now(third, _item(third, title="Tin thường"), seconds_ago=400)  # not an emergency
    stopped = _item(second, priority="khan_cap", title="Lũ quét (đã dừng)")
    _play_now(second, stopped, seconds_ago=400)
    ScheduleItem.objects.filter(pk=stopped.pk).update(status=ScheduleItem.Status.CANCELLED)

    new = fleet_alerts_check()
    assert [(a.kind, a.key) for a in new] == [("emergency_unacked", f"emergency_unacked:{late.pk}")]
    assert "chưa xác nhận lệnh phát tin khẩn cấp “Lũ quét” sau 30 giây" in new[0].message

    settings.MONITORING = {**settings.MONITORING, "EMERGENCY_ACK_SECONDS": 5}
    assert [a.key for a in fleet_alerts_check()] == [f"emergency_unacked:{recent.pk}"]


def test_the_sweep_task_records_and_emails_in_one_run(dev_site, cluster_fleet, people):
    _item(cluster_fleet[0])
    assert monitoring_sweep() == {"offline": 0, "alerts": 1, "emailed": 1}
    assert monitoring_sweep() == {"offline": 0, "alerts": 0, "emailed": 0}
    assert len(mail.outbox) == 1


def test_fleet_alerts_show_on_the_dashboard_and_a_technician_marks_one_handled(
    dev_site, cluster_fleet, people
):
    _item(cluster_fleet[0])
    alert = fleet_alerts_check()[0]
    technician = client_for(people["technician"])
    html = technician.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="fleet-alerts-section"' in html and 'data-fleet-alert="offline_slot"' in html
    assert cluster_fleet[0].code in html
    editor = client_for(people["editor"])
    assert 'id="fleet-alerts-section"' not in editor.get(reverse("wagtailadmin_home")).content.decode()

    dismiss = reverse("monitoring_admin:alert_dismiss", args=[alert.pk])
    assert_refused(editor.post(dismiss))
    assert technician.get(dismiss).status_code == 405
    assert FleetAlert.objects.get(pk=alert.pk).dismissed_at is None
    response = technician.post(dismiss, {"next": reverse("wagtailadmin_home")})
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert FleetAlert.objects.get(pk=alert.pk).dismissed_by == people["technician"]
    html = technician.get(reverse("wagtailadmin_home")).content.decode()
    assert 'data-fleet-alert="offline_slot"' not in html
    assert "Không có cảnh báo nào về hệ thống loa." in html
    # A dismissed alert is not recorded again by the next sweep (its key stays).
    assert fleet_alerts_check() == []


def test_another_sites_alert_cannot_be_dismissed(dev_site, people):
    other = Site.objects.create(hostname="xa-khac.example", port=80, root_page=dev_site.home)
    alert = FleetAlert.objects.create(site=other, kind="offline_slot", key="x", message="Khác")
    response = client_for(people["technician"]).post(
        reverse("monitoring_admin:alert_dismiss", args=[alert.pk]))
    assert response.status_code == 404
    assert FleetAlert.objects.get(pk=alert.pk).dismissed_at is None


def test_a_failed_send_leaves_the_alerts_for_the_next_sweep(dev_site, cluster_fleet, people, settings):
    _item(cluster_fleet[0])
    fleet_alerts_check()
    settings.EMAIL_BACKEND = "tests.device_bridge.test_alerts.BrokenMailBackend"
    with pytest.raises(OSError):
        fleet_alerts_email()
    assert FleetAlert.objects.get().emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert fleet_alerts_email() == 1 and len(mail.outbox) == 1


class BrokenMailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


@pytest.mark.parametrize("size", [1, 8])
def test_fleet_alerts_panel_runs_a_fixed_number_of_queries(dev_site, cluster_fleet, people, size,
                                                           django_assert_num_queries):
    from django.test import RequestFactory

    from device_bridge.monitoring.panels import FleetAlertsPanel

    site = Site.objects.get(is_default_site=True)
    FleetAlert.objects.bulk_create([
        FleetAlert(site=site, kind="offline_slot", key=f"k{n}", cluster=cluster_fleet[n % 3],
                   message=f"Cảnh báo {n}") for n in range(size)])
    request = RequestFactory().get("/admin/")
    request.user = type(people["technician"]).objects.get(pk=people["technician"].pk)
    # Site, alerts with their clusters, count, the user's permissions (2, then cached).
    with django_assert_num_queries(5):
        html = FleetAlertsPanel(request).render_html({"request": request})
    assert html.count("data-fleet-alert=") == size
