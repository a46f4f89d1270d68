"""The technician's dashboard (issue 9, item 16): the fleet at a glance, in a fixed number of
queries; and the admin chrome's leftovers of item 20 (translated header label, local avatar)."""

import datetime as dt
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from device_bridge.fleet.dashboard import FleetPanel
from device_bridge.models import Delivery, Dispatch, ScheduleItem, SpeakerCluster
from tests.workflows.helpers import make_user
from workflows import roles


def _dispatch(title, *, page=None, **fields):
    return Dispatch.objects.create(page=page, content_id=page.pk if page else None, title=title,
                                   channel="speakers", **fields)


def _fleet_problems(dev_site, clusters, *, n: int = 1):
    """``n`` of each: a failed delivery, a stuck one, content that found no cluster, upcoming items."""
    now = timezone.now()
    for i in range(n):
        page = dev_site.news  # any live page: the links go to its delivery page
        failed = _dispatch(f"Tin lỗi {i}", page=page, status=Dispatch.Status.FAILED)
        Delivery.objects.create(dispatch=failed, cluster=clusters[0], target_label=str(clusters[0]),
                                idempotency_key=f"f{i}", status=Delivery.Status.FAILED,
                                last_error="Cụm loa từ chối lịch", finished_at=now)
        stuck = _dispatch(f"Tin kẹt {i}", page=page)
        delivery = Delivery.objects.create(dispatch=stuck, cluster=clusters[1],
                                           target_label=str(clusters[1]), idempotency_key=f"s{i}",
                                           status=Delivery.Status.WAITING_AUDIO)
        Delivery.objects.filter(pk=delivery.pk).update(updated_at=now - dt.timedelta(hours=1))
        _dispatch(f"Tin thiếu loa {i}", page=page, status=Dispatch.Status.FAILED,
                  targets_missing=True, missing_zone_ids=[dev_site.zones["thon-doai"].pk])
        for cluster in clusters:
            ScheduleItem.objects.create(
                cluster=cluster, page=page, title=f"Bản tin sắp phát {i}", priority="uu_tien",
                play_at=now + dt.timedelta(hours=1 + i), play_until=now + dt.timedelta(hours=2 + i))
    # One cluster calls home, the others have been silent for an hour or never called.
    SpeakerCluster.objects.filter(pk=clusters[0].pk).update(last_seen_at=now)
    SpeakerCluster.objects.filter(pk=clusters[1].pk).update(last_seen_at=now - dt.timedelta(hours=1))


def test_technician_dashboard_shows_clusters_failed_stuck_uncovered_and_what_plays_next(
    dev_site, cluster_fleet, dev_technician
):
    _fleet_problems(dev_site, cluster_fleet)
    retired = SpeakerCluster.objects.create(code="CL-CU-01", name="Cụm cũ", is_active=False)

    html = dev_technician.get(reverse("wagtailadmin_home")).content.decode()

    panel = html[html.index('id="fleet-status-section"'):]
    assert 'data-online="1"' in panel and 'data-offline="2"' in panel and 'data-inactive="1"' in panel
    assert "1 đang kết nối" in panel and "2 mất kết nối" in panel
    offline = panel[panel.index("data-offline-clusters"):panel.index("</ul>", panel.index("data-offline-clusters"))]
    for cluster in cluster_fleet[1:]:
        assert reverse("device_bridge_admin:cluster_detail", args=[cluster.pk]) in offline
    assert "chưa liên lạc lần nào" in offline and "liên lạc lần cuối" in offline
    assert cluster_fleet[0].code not in offline and retired.code not in offline

    report = reverse("device_bridge_admin:dispatch_report", args=[dev_site.news.pk])
    assert "1 lượt gửi thất bại" in panel and "Cụm loa từ chối lịch" in panel
    assert "1 lượt gửi bị kẹt" in panel and "Chờ âm thanh" in panel
    assert "1 tin không có cụm loa để phát" in panel and "không có cụm loa nào ở Thôn Đoài" in panel
    assert panel.count(f'href="{report}"') >= 3
    upcoming = re.findall(r"<tr data-upcoming>(.*?)</tr>", panel, re.S)
    assert len(upcoming) == 1  # three clusters, one row
    assert "Bản tin sắp phát 0" in upcoming[0] and "Ưu tiên" in upcoming[0]
    assert re.search(r"<td>\s*3\s*</td>", upcoming[0])


def test_dashboard_says_so_when_nothing_needs_the_technician(dev_site, cluster_fleet, dev_technician):
    html = dev_technician.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="fleet-status-section"' in html
    assert "Không có lượt gửi nào thất bại hay bị kẹt" in html
    assert "Chưa có gì trong lịch phát." in html


def test_fleet_panel_only_for_who_may_see_the_clusters(db, dev_site):
    editor = make_user("bientap-bang-loa", roles.EDITOR)
    client = Client()
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="fleet-status-section"' not in html
    technician = make_user("kythuat-bang-loa", roles.TECHNICIAN)
    client.force_login(technician)
    assert 'id="fleet-status-section"' in client.get(reverse("wagtailadmin_home")).content.decode()


def _render_panel(user) -> str:
    request = RequestFactory().get("/admin/")
    request.user = user
    return FleetPanel(request).render_html({"request": request})


@pytest.mark.parametrize("size", [1, 6])
def test_fleet_panel_runs_a_fixed_number_of_queries(dev_site, cluster_fleet, django_assert_num_queries,
                                                    size):
    for n in range(size * 5):
        SpeakerCluster.objects.create(code=f"cl-them-{n}", name=f"Cụm {n}", zone=dev_site.zones["thon-doai"])
    _fleet_problems(dev_site, cluster_fleet, n=size)
    technician = make_user(f"kythuat-dem-{size}", roles.TECHNICIAN)
    technician = type(technician).objects.get(pk=technician.pk)
    # Fleet: counts, offline list. Deliveries: 3 lists, 3 counts, zone names. Upcoming: 1.
    # The user's permissions: 2 (then cached).
    with django_assert_num_queries(12):
        html = _render_panel(technician)
    assert f"{size} lượt gửi thất bại" in html


def test_admin_header_actions_label_is_vietnamese_and_avatars_are_local(db, dev_site):
    admin = make_user("quantri-giao-dien", roles.ADMINISTRATOR, superuser=True)
    client = Client()
    client.force_login(admin)
    html = client.get(reverse("wagtailadmin_explore", args=[dev_site.news.pk])).content.decode()
    assert 'id="w-slim-header-buttons"' in html
    assert 'aria-label="Thao tác"' in html and 'aria-label="Actions"' not in html
    # The sidebar's account menu is drawn from JSON props: its avatar must be the static default.
    avatars = re.findall(r'"avatarUrl": "([^"]+)"', html)
    assert avatars, "the account menu shows an avatar"
    for src in avatars:
        assert src.startswith("/static/") and "default-user-avatar" in src, src
        assert finders.find(src.removeprefix("/static/").split("?")[0]), src
    assert "gravatar" not in html.lower()
    assert not re.search(r'<img[^>]+src="https?://', html)


# --- The fleet map and table (issue 12, item 5) ---

import json  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from device_bridge.models import DeviceEvent  # noqa: E402
from device_bridge.monitoring.selectors import fleet_rows  # noqa: E402

FLEET = reverse("monitoring_admin:fleet")


def _fleet_states(clusters):
    """Playing (with a known item), error (with events), online; the rest never called."""
    now = timezone.now()
    playing, failing, idle = clusters[:3]
    item = ScheduleItem.objects.create(cluster=playing, title="Bản tin phòng chống dịch",
                                       play_at=now, play_until=now + dt.timedelta(hours=1))
    SpeakerCluster.objects.filter(pk=playing.pk).update(last_seen_at=now, last_heartbeat={
        "status": "playing", "volume": 70, "signal_strength": -65, "firmware": "2.1.0",
        "playing": {"item_id": item.pk, "started_at": now.isoformat()}},
        firmware_version="2.1.0", latitude=Decimal("20.861000"), longitude=Decimal("106.682000"))
    SpeakerCluster.objects.filter(pk=failing.pk).update(last_seen_at=now, last_heartbeat={
        "status": "error", "volume": 50, "signal_strength": -99}, latitude=Decimal("20.865000"),
        longitude=Decimal("106.690000"))
    DeviceEvent.objects.create(cluster=failing, kind=DeviceEvent.Kind.AUDIO_MISSING,
                               message="Thiếu tệp âm thanh abc.mp3")
    SpeakerCluster.objects.filter(pk=idle.pk).update(last_seen_at=now, last_heartbeat={"status": "idle"})


def _technician_client(name="kythuat-ban-do"):
    client = Client()
    client.force_login(make_user(name, roles.TECHNICIAN))
    return client


def test_fleet_page_draws_the_map_from_local_leaflet_and_lists_each_cluster(dev_site, cluster_fleet):
    _fleet_states(cluster_fleet)
    offline = SpeakerCluster.objects.create(code="cl-mat-1", name="Cụm mất kết nối",
                                            latitude=Decimal("20.87"), longitude=Decimal("106.70"))
    html = _technician_client().get(FLEET).content.decode()

    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert any(src.startswith("/static/monitoring/leaflet/leaflet.js") for src in scripts)
    assert any(src.startswith("/static/monitoring/fleet_map.js") for src in scripts)
    assert not any(src.startswith(("http:", "https:", "//")) for src in scripts)  # no CDN
    assert finders.find("monitoring/leaflet/leaflet.js") and finders.find("monitoring/leaflet/LICENSE.txt")

    points = json.loads(re.search(r'id="fleet-map-points"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert {p["code"]: p["state"] for p in points} == {
        "cl-dong-1": "playing", "cl-dong-2": "error", "cl-mat-1": "offline"}
    assert all(p["url"].startswith("/admin/") and p["colour"].startswith("#") for p in points)
    options = json.loads(re.search(r'id="fleet-map-options"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert options["tiles"] == ""  # offline by default
    assert '<meta http-equiv="refresh" content="60">' in html  # a screen left open stays current

    rows = dict(re.findall(r'<tr data-cluster="([^"]+)" data-state="([^"]+)"', html))
    assert rows == {"cl-dong-1": "playing", "cl-dong-2": "error", "cl-doai-1": "online",
                    "cl-mat-1": "offline"}
    playing_row = html[html.index('data-cluster="cl-dong-1"'):html.index('data-cluster="cl-dong-2"')]
    for text in ("Bản tin phòng chống dịch", "-65", "70", "2.1.0", "Đang phát"):
        assert text in playing_row
    assert "Thiếu tệp âm thanh abc.mp3" in html
    assert 'data-state-count-offline="1"' in html and 'data-state-count-playing="1"' in html
    # cl-doai-1 has no coordinates: named under the map with a link to enter them.
    assert "data-without-position" in html and "cl-doai-1" in html
    assert offline.code in html


def test_map_tiles_come_from_the_setting(dev_site, cluster_fleet, settings):
    settings.MONITORING = {**settings.MONITORING, "MAP_TILES_URL": "https://tiles.example.vn/{z}/{x}/{y}.png"}
    html = _technician_client().get(FLEET).content.decode()
    assert "https://tiles.example.vn/{z}/{x}/{y}.png" in html


def test_fleet_page_only_for_who_may_see_the_clusters(dev_site, cluster_fleet):
    for role in (roles.EDITOR, roles.REVIEWER, roles.LEADER):
        client = Client()
        client.force_login(make_user(f"khong-{role[:3]}", role))
        assert client.get(FLEET).status_code in (302, 403)
    admin = Client()
    admin.force_login(make_user("quantri-ban-do", roles.ADMINISTRATOR))
    assert admin.get(FLEET).status_code == 200


def _fleet_of(dev_site, size):
    now = timezone.now()
    for n in range(size * 5):
        cluster = SpeakerCluster.objects.create(
            code=f"cl-so-{n}", name=f"Cụm {n}", zone=dev_site.zones["thon-doai"],
            latitude=Decimal("20.86") + Decimal(n) / 1000, longitude=Decimal("106.68"),
            last_seen_at=now, last_heartbeat={"status": "playing", "volume": 40})
        item = ScheduleItem.objects.create(cluster=cluster, title=f"Tin {n}", play_at=now,
                                           play_until=now + dt.timedelta(hours=1))
        SpeakerCluster.objects.filter(pk=cluster.pk).update(
            last_heartbeat={"status": "playing", "playing": {"item_id": item.pk}})
        DeviceEvent.objects.create(cluster=cluster, kind=DeviceEvent.Kind.TOKEN, message=f"Lỗi {n}")


def test_fleet_table_reads_the_fleet_in_two_queries(dev_site, cluster_fleet, django_assert_num_queries):
    _fleet_of(dev_site, 3)
    with django_assert_num_queries(2):  # clusters with zone, errors and state; playing titles
        rows = fleet_rows()
    assert len(rows) == 18
    assert sum(row.playing_title.startswith("Tin ") and row.error_count == 1 for row in rows) == 15


def test_fleet_page_runs_the_same_queries_for_5_or_30_clusters(dev_site, cluster_fleet):
    client = _technician_client("kythuat-dem-ban-do")
    counts = []
    for grow in (lambda: _fleet_of(dev_site, 1), lambda: _fleet_of_more(dev_site)):
        grow()
        client.get(FLEET)  # warm the per-user permission cache like a second visit
        with CaptureQueriesContext(connection) as queries:
            response = client.get(FLEET)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def _fleet_of_more(dev_site):
    now = timezone.now()
    for n in range(5, 30):
        cluster = SpeakerCluster.objects.create(
            code=f"cl-them-so-{n}", name=f"Cụm thêm {n}", zone=dev_site.zones["thon-dong"],
            latitude=Decimal("20.80"), longitude=Decimal("106.60") + Decimal(n) / 1000,
            last_seen_at=now, last_heartbeat={"status": "idle"})
        DeviceEvent.objects.create(cluster=cluster, kind=DeviceEvent.Kind.TOKEN, message="Sai mã")
