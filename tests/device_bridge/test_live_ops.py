"""Live operations from the admin (issue 12, item 4): play a bulletin now to a zone, set the
volume of a cluster or a zone, relay a stream now; each cluster's acknowledgement on a page
that refreshes itself until every command is closed."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from device_bridge.models import ClusterCommand, ScheduleItem, SpeakerCluster
from device_bridge.monitoring.forms import stream_url_validate
from device_bridge.monitoring.models import LiveOperation
from tests.device_bridge.conftest import auth
from tests.factories import make_bulletin
from tests.workflows.helpers import make_user
from workflows import roles

LIVE = reverse("monitoring_admin:live")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def technician(db):
    return client_for(make_user("kythuat-truc-tiep", roles.TECHNICIAN))


@pytest.fixture
def live_bulletin(dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                             title="Thông báo cắt điện chiều nay")
        dev_audio.add(page)
    return page


def take_commands(cluster) -> list[dict]:
    response = Client().get("/api/devices/v1/commands?wait=0", **auth(cluster.token))
    assert response.status_code == 200, response.content
    return response.json()["commands"]


def ack(cluster, command_id, result="ok", error=""):
    response = Client().post(f"/api/devices/v1/commands/{command_id}/ack",
                             data=json.dumps({"result": result, "error": error}),
                             content_type="application/json", **auth(cluster.token))
    assert response.status_code == 200, response.content


def test_technician_plays_a_bulletin_now_to_a_zone_and_follows_each_acknowledgement(
    dev_site, cluster_fleet, live_bulletin, technician, django_capture_on_commit_callbacks
):
    east = dev_site.zones["thon-dong"]
    versions = dict(SpeakerCluster.objects.values_list("pk", "schedule_version"))
    with django_capture_on_commit_callbacks(execute=True):
        response = technician.post(LIVE, {"action": "play_now", "zone": east.pk,
                                          "page": live_bulletin.pk})
    operation = LiveOperation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("monitoring_admin:operation", args=[operation.pk])
    assert operation.kind == "play_now" and operation.zone == east and operation.page_id == live_bulletin.pk

    east_clusters, west_cluster = cluster_fleet[:2], cluster_fleet[2]
    items = list(ScheduleItem.objects.filter(note="live"))
    assert {item.cluster_id for item in items} == {c.pk for c in east_clusters}
    assert all(item.preempt and item.play_at <= timezone.now() and item.audio_sha256 for item in items)
    for cluster in east_clusters:
        assert SpeakerCluster.objects.get(pk=cluster.pk).schedule_version > versions[cluster.pk]
        schedule = Client().get("/api/devices/v1/schedule", **auth(cluster.token)).json()
        assert "Thông báo cắt điện chiều nay" in [item["title"] for item in schedule["items"]]
    assert take_commands(west_cluster) == []  # Thôn Đoài is not told anything

    page = technician.get(response.url).content.decode()
    assert page.count('data-command-status="pending"') == 2
    assert '<meta http-equiv="refresh" content="3">' in page

    first = take_commands(east_clusters[0])
    assert [c["kind"] for c in first] == ["play_now"]
    assert first[0]["payload"]["item_id"] in {item.pk for item in items}
    page = technician.get(response.url).content.decode()
    assert 'data-command-status="delivered"' in page and "Đã gửi, chờ xác nhận" in page
    assert 'data-attempts="1">1 (HTTP)' in page

    ack(east_clusters[0], first[0]["id"])
    second = take_commands(east_clusters[1])
    ack(east_clusters[1], second[0]["id"], result="error", error="Loa hỏng")
    page = technician.get(response.url).content.decode()
    assert 'data-command-status="acked"' in page and 'data-command-status="failed"' in page
    assert "Loa hỏng" in page
    assert 'http-equiv="refresh"' not in page  # nothing open any more: no reloading


def test_an_unacknowledged_command_shows_expired(dev_site, cluster_fleet, technician):
    technician.post(LIVE, {"action": "volume", "cluster": cluster_fleet[0].pk, "volume": "40"})
    operation = LiveOperation.objects.get()
    ClusterCommand.objects.filter(pk__in=operation.commands.all()).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    page = technician.get(reverse("monitoring_admin:operation", args=[operation.pk])).content.decode()
    assert 'data-command-status="expired"' in page and "Hết hạn" in page
    assert 'http-equiv="refresh"' not in page


def test_volume_for_one_cluster_or_a_whole_zone(dev_site, cluster_fleet, technician):
    technician.post(LIVE, {"action": "volume", "cluster": cluster_fleet[2].pk, "volume": "35"})
    commands = list(ClusterCommand.objects.filter(kind="set_volume"))
    assert [(c.cluster_id, c.payload) for c in commands] == [(cluster_fleet[2].pk, {"volume": 35})]

    technician.post(LIVE, {"action": "volume", "zone": dev_site.zones["thon-dong"].pk, "volume": "80"})
    zone_commands = ClusterCommand.objects.filter(kind="set_volume", payload__volume=80)
    assert {c.cluster_id for c in zone_commands} == {cluster_fleet[0].pk, cluster_fleet[1].pk}
    assert LiveOperation.objects.count() == 2


@pytest.mark.parametrize("data, message", [
    ({"volume": "140"}, "Âm lượng phải từ 0 đến 100."),
    ({"volume": "to"}, "Âm lượng phải là số từ 0 đến 100."),
    ({"volume": ""}, "Hãy nhập âm lượng."),
    ({"volume": "50", "zone": "thon-dong", "cluster": 0}, "Chọn một thôn hoặc một cụm loa, không chọn cả hai."),
    ({"volume": "50", "cluster": "999999"}, "Cụm loa không tồn tại hoặc đã ngừng hoạt động."),
])
def test_bad_volume_input_is_refused_in_vietnamese_and_sends_nothing(dev_site, cluster_fleet, technician,
                                                                     data, message):
    data = dict(data)
    if data.get("zone") == "thon-dong":
        data["zone"] = dev_site.zones["thon-dong"].pk
        data["cluster"] = cluster_fleet[0].pk
    response = technician.post(LIVE, {"action": "volume", **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ClusterCommand.objects.exists() and not LiveOperation.objects.exists()


@pytest.mark.parametrize("url", [
    "ftp://radio.example.vn/live", "javascript:alert(1)", "http://127.0.0.1:8000/live",
    "http://10.1.2.3/stream", "http://192.168.1.10/stream", "http://[::1]/stream",
    "http://169.254.169.254/latest", "http://localhost/stream", "https://radio.local/live",
    "http://may-chu-noi-bo/stream", "http:///stream",
])
def test_a_relay_from_an_internal_or_non_http_address_is_refused(dev_site, cluster_fleet, technician, url):
    response = technician.post(LIVE, {"action": "relay", "title": "Đài huyện", "stream_url": url,
                                      "minutes": "30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Địa chỉ luồng phát" in html and ("nội bộ" in html or "http://" in html or "thiếu" in html)
    assert not ScheduleItem.objects.exists() and not ClusterCommand.objects.exists()


def test_relay_now_reaches_every_cluster_of_the_commune(dev_site, cluster_fleet, technician,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = technician.post(LIVE, {"action": "relay", "title": "Tiếp sóng Đài Hải Phòng",
                                          "stream_url": "https://radio.example.vn/live.mp3",
                                          "minutes": "45"})
    assert response.status_code == 302
    items = list(ScheduleItem.objects.all())
    assert len(items) == 3 and {i.kind for i in items} == {"relay"}
    assert all(i.stream_url == "https://radio.example.vn/live.mp3" and i.preempt for i in items)
    assert all(abs((i.play_until - i.play_at).total_seconds() - 45 * 60) < 1 for i in items)
    commands = ClusterCommand.objects.filter(kind="play_now")
    assert {c.payload["item_id"] for c in commands} == {i.pk for i in items}
    schedule = Client().get("/api/devices/v1/schedule", **auth(cluster_fleet[2].token)).json()
    assert [i["stream_url"] for i in schedule["items"]] == ["https://radio.example.vn/live.mp3"]


def test_stream_url_validator_accepts_a_public_address():
    assert stream_url_validate(" https://vov.example.vn:8000/live ") == "https://vov.example.vn:8000/live"
    assert stream_url_validate("http://203.162.1.1/stream") == "http://203.162.1.1/stream"


def test_play_now_refuses_a_bulletin_without_audio_and_a_zone_without_clusters(
    dev_site, cluster_fleet, technician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                             title="Tin chưa có âm thanh")
    from device_bridge.tts.models import PageAudio
    PageAudio.objects.filter(page_id=page.pk).delete()
    html = technician.post(LIVE, {"action": "play_now", "page": page.pk}).content.decode()
    assert "chưa có âm thanh phát thanh" in html

    html = technician.post(LIVE, {"action": "play_now", "page": 999999}).content.decode()
    assert "Bản tin không tồn tại hoặc không còn được xuất bản." in html

    SpeakerCluster.objects.filter(zone=dev_site.zones["thon-doai"]).update(is_active=False)
    html = technician.post(LIVE, {"action": "volume", "zone": dev_site.zones["thon-doai"].pk,
                                  "volume": "30"}).content.decode()
    assert "không có cụm loa nào đang hoạt động" in html
    assert not LiveOperation.objects.exists() and not ClusterCommand.objects.exists()


def test_unknown_action_is_refused(dev_site, technician):
    response = technician.post(LIVE, {"action": "reboot_all"})
    assert response.status_code == 302
    assert "Thao tác không hợp lệ." in str(list(response.wsgi_request._messages)[0])


@pytest.mark.parametrize("role", [roles.EDITOR, roles.REVIEWER, roles.LEADER, roles.FEEDBACK_OFFICER])
def test_other_roles_can_neither_open_nor_forge_live_operations(dev_site, cluster_fleet, role):
    client = client_for(make_user("nguoi-khac", role))
    shown = client.get(LIVE)
    forged = client.post(LIVE, {"action": "volume", "volume": "100"})
    assert shown.status_code in (302, 403) and forged.status_code in (302, 403)
    assert not ClusterCommand.objects.exists()


def test_administrator_operates_too(dev_site, cluster_fleet):
    client = client_for(make_user("quantri-truc-tiep", roles.ADMINISTRATOR))
    assert client.get(LIVE).status_code == 200
    client.post(LIVE, {"action": "volume", "volume": "10"})
    assert ClusterCommand.objects.filter(kind="set_volume").count() == 3


def test_another_sites_operation_is_not_found(dev_site, cluster_fleet, technician):
    other = Site.objects.create(hostname="xa-khac.example", port=80, root_page=dev_site.home)
    operation = LiveOperation.objects.create(site=other, kind="volume", title="Âm lượng 20")
    assert technician.get(reverse("monitoring_admin:operation", args=[operation.pk])).status_code == 404


def test_without_csrf_token_a_live_operation_is_refused(dev_site, cluster_fleet):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("kythuat-csrf", roles.TECHNICIAN))
    response = client.post(LIVE, {"action": "volume", "volume": "50"})
    assert response.status_code == 403
    assert not ClusterCommand.objects.exists()


def test_unpublishing_the_bulletin_cancels_its_live_play_and_stops_it(
    dev_site, cluster_fleet, live_bulletin, technician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        technician.post(LIVE, {"action": "play_now", "page": live_bulletin.pk})
    assert ScheduleItem.objects.filter(note="live", status="pending").count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        live_bulletin.unpublish()
    assert not ScheduleItem.objects.filter(note="live").exists()  # cancelled, noted "withdrawn"
    assert ScheduleItem.objects.filter(status="cancelled", page_id=live_bulletin.pk,
                                       delivery__isnull=True).count() == 3
    # Their window is open now: each cluster is told to stop, in case it started.
    assert ClusterCommand.objects.filter(kind="stop").count() == 3
