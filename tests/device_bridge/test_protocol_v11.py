"""Protocol 1.1: the gaps an independent client found in v1 (issue 12), each pinned."""

import datetime as dt
import json

from django.test import Client
from django.utils import timezone

from device_bridge.models import ClusterCommand, ScheduleItem, SpeakerCluster
from tests.device_bridge.conftest import auth

SCHEDULE = "/api/devices/v1/schedule"


def post(path, body, token):
    return Client().post(path, data=json.dumps(body), content_type="application/json", **auth(token))


def test_played_receipt_changes_the_etag(dev_scheduled, cluster_fleet):
    # Regression: a played receipt removed the item but the ETag stayed, so a conditional
    # poll got 304 and the cluster kept (and replayed) the item.
    cluster = cluster_fleet[0]
    first = Client().get(SCHEDULE, **auth(cluster.token))
    item = first.json()["items"][0]
    post("/api/devices/v1/receipts", {"receipts": [
        {"item_id": item["id"], "started_at": item["play_at"], "result": "played"}]}, cluster.token)
    again = Client().get(SCHEDULE, HTTP_IF_NONE_MATCH=first["ETag"], **auth(cluster.token))
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert item["id"] not in [listed["id"] for listed in again.json()["items"]]


def test_failed_receipt_inside_the_window_keeps_the_item_and_the_etag(dev_scheduled, cluster_fleet):
    cluster = cluster_fleet[0]
    first = Client().get(SCHEDULE, **auth(cluster.token))
    item = first.json()["items"][0]
    post("/api/devices/v1/receipts", {"receipts": [
        {"item_id": item["id"], "started_at": item["play_at"], "result": "failed",
         "error": "amplifier fault"}]}, cluster.token)
    again = Client().get(SCHEDULE, HTTP_IF_NONE_MATCH=first["ETag"], **auth(cluster.token))
    # Still due (a failed or interrupted attempt is retried while the window is open).
    assert again.status_code == 304


def test_a_closed_window_changes_the_etag_without_any_write(dev_scheduled, cluster_fleet):
    cluster = cluster_fleet[0]
    first = Client().get(SCHEDULE, **auth(cluster.token))
    soonest = ScheduleItem.objects.filter(cluster=cluster).order_by("play_until").first()
    # Its window closes now: move it into the past as time would.
    past = timezone.now() - dt.timedelta(seconds=1)
    ScheduleItem.objects.filter(pk=soonest.pk).update(play_at=past - dt.timedelta(hours=1),
                                                       play_until=past)
    SpeakerCluster.objects.filter(pk=cluster.pk).update(schedule_horizon=past)
    again = Client().get(SCHEDULE, HTTP_IF_NONE_MATCH=first["ETag"], **auth(cluster.token))
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert soonest.pk not in [listed["id"] for listed in again.json()["items"]]
    # And the next poll is a 304 again (one bump, not one per request).
    third = Client().get(SCHEDULE, HTTP_IF_NONE_MATCH=again["ETag"], **auth(cluster.token))
    assert third.status_code == 304


def test_the_horizon_is_the_next_window_to_close(dev_scheduled, cluster_fleet):
    cluster = SpeakerCluster.objects.get(pk=cluster_fleet[0].pk)
    soonest = ScheduleItem.objects.filter(cluster=cluster, status="pending").order_by("play_until").first()
    assert cluster.schedule_horizon == soonest.play_until


def test_heartbeat_version_follows_the_same_rule(dev_scheduled, cluster_fleet):
    cluster = cluster_fleet[0]
    schedule = Client().get(SCHEDULE, **auth(cluster.token))
    beat = post("/api/devices/v1/heartbeat", {"status": "idle"}, cluster.token).json()
    assert beat["schedule_version"] == schedule.json()["version"] == schedule["ETag"].strip('"')


def test_version_and_audio_expiry_agree(dev_scheduled, cluster_fleet):
    body = Client().get(SCHEDULE, **auth(cluster_fleet[0].token)).json()
    expires = int(body["version"].rpartition("-")[2])
    audio = body["items"][0]["audio"]
    assert dt.datetime.fromisoformat(audio["expires_at"]).timestamp() == expires
    assert f".{expires}:" in audio["url"]


def test_early_and_late_receipts_are_judged_alike_whatever_the_result(dev_scheduled, cluster_fleet,
                                                                      settings):
    cluster = cluster_fleet[0]
    item = ScheduleItem.objects.filter(cluster=cluster).first()
    skew = dt.timedelta(seconds=settings.DEVICE_BRIDGE.get("RECEIPT_TOLERANCE_SECONDS", 300))
    receipts = []
    for result in ("played", "failed", "interrupted"):
        receipts += [
            {"item_id": item.pk, "started_at": (item.play_at - skew - dt.timedelta(seconds=1)).isoformat(),
             "result": result},
            {"item_id": item.pk, "started_at": (item.play_until + skew + dt.timedelta(seconds=1)).isoformat(),
             "result": result},
        ]
    response = post("/api/devices/v1/receipts", {"receipts": receipts}, cluster.token)
    codes = [result["code"] for result in response.json()["results"]]
    assert response.status_code == 422 and codes == ["early_item", "expired_item"] * 3
    # Inside the allowance on both sides: accepted, for every result.
    inside = [{"item_id": item.pk, "started_at": (item.play_at - skew).isoformat(), "result": "failed"},
              {"item_id": item.pk, "started_at": (item.play_until + skew).isoformat(),
               "result": "failed", "error": "checksum mismatch"}]
    response = post("/api/devices/v1/receipts", {"receipts": inside}, cluster.token)
    assert response.status_code == 200


def test_wait_defaults_to_zero(cluster_fleet):
    response = Client().get("/api/devices/v1/commands", **auth(cluster_fleet[0].token))
    assert response.status_code == 200 and response.json() == {"commands": []}


def test_admin_play_now_and_stop_send_the_item(dev_scheduled, cluster_fleet, dev_technician):
    # Regression: "Phát ngay" and "Dừng phát" sent an empty payload; the protocol needs item_id.
    cluster = cluster_fleet[0]
    item = ScheduleItem.objects.filter(cluster=cluster).first()
    # Its window is open now ("play now" plays a due item; never one before its play_at).
    ScheduleItem.objects.filter(pk=item.pk).update(play_at=timezone.now() - dt.timedelta(minutes=1))
    later = ScheduleItem.objects.filter(cluster=cluster).exclude(pk=item.pk).first()
    early = dev_technician.post(f"/admin/device-bridge/clusters/{cluster.pk}/",
                                {"kind": "play_now", "item_id": str(later.pk)}, follow=True)
    assert "chưa đến giờ phát" in early.content.decode()
    page = dev_technician.get(f"/admin/device-bridge/clusters/{cluster.pk}/")
    assert f'value="{item.pk}"' in page.content.decode()
    for kind in ("play_now", "stop"):
        dev_technician.post(f"/admin/device-bridge/clusters/{cluster.pk}/",
                            {"kind": kind, "item_id": str(item.pk)})
    sent = list(ClusterCommand.objects.filter(cluster=cluster).values_list("kind", "payload"))
    assert sent == [("play_now", {"item_id": item.pk}), ("stop", {"item_id": item.pk})]


def test_admin_play_now_without_an_item_or_with_anothers_is_refused(dev_scheduled, cluster_fleet,
                                                                     dev_technician):
    cluster, other = cluster_fleet[0], cluster_fleet[2]
    foreign = ScheduleItem.objects.filter(cluster=other).first()
    url = f"/admin/device-bridge/clusters/{cluster.pk}/"
    missing = dev_technician.post(url, {"kind": "play_now"}, follow=True)
    assert "Hãy chọn mục lịch phát" in missing.content.decode()
    forged = dev_technician.post(url, {"kind": "stop", "item_id": str(foreign.pk)}, follow=True)
    assert "không thuộc cụm loa này" in forged.content.decode()
    bad_volume = dev_technician.post(url, {"kind": "set_volume", "volume": "120"}, follow=True)
    assert "Âm lượng phải từ 0 đến 100" in bad_volume.content.decode()
    assert not ClusterCommand.objects.exists()


def test_openapi_documents_etag_auth_challenge_error_codes_and_405_415(client):
    document = client.get("/api/devices/v1/openapi.json").json()
    assert document["info"]["version"] == "1.1"
    schedule = document["paths"]["/api/devices/v1/schedule"]["get"]
    assert "ETag" in schedule["responses"]["200"]["headers"]
    assert "ETag" in schedule["responses"]["304"]["headers"]
    assert any(p["name"] == "If-None-Match" for p in schedule["parameters"])
    assert "WWW-Authenticate" in schedule["responses"]["401"]["headers"]
    codes = document["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"]
    assert {"malformed_json", "invalid", "unauthorized", "method_not_allowed",
            "unsupported_media_type", "expired"} <= set(codes)
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if path.endswith("/openapi.json"):
                continue
            assert "405" in operation["responses"], (path, method)
            if method == "post":
                assert "415" in operation["responses"], (path, method)
    wait = next(p for p in document["paths"]["/api/devices/v1/commands"]["get"]["parameters"] if p["name"] == "wait")
    assert wait["schema"]["default"] == 0


def _doc():
    from pathlib import Path

    from django.conf import settings

    return (Path(settings.BASE_DIR) / "docs" / "device-protocol.md").read_text()


def test_doc_schedule_example_names_one_expiry():
    import re

    section = _doc().split("## 4.", 1)[1].split("\n## ", 1)[0]
    example = json.loads(re.search(r"```json\n(.*?)\n```", section, re.DOTALL).group(1))
    expires = int(example["version"].rpartition("-")[2])
    audio = example["items"][0]["audio"]
    assert dt.datetime.fromisoformat(audio["expires_at"]).timestamp() == expires
    assert f".{expires}:" in audio["url"]
    # What the server would answer at that server_time with the default lifetime.
    from django.test import override_settings

    from device_bridge.protocol.signing import audio_expiry

    with override_settings(DEVICE_BRIDGE={"AUDIO_URL_LIFETIME": 3600}):
        now = dt.datetime.fromisoformat(example["server_time"]).timestamp()
        assert audio_expiry(now) == expires


def test_doc_cites_no_internal_path_a_vendor_does_not_have():
    import re

    assert re.findall(r"device_bridge/|tests/|/work/|\w+\.py\b", _doc()) == []


def test_doc_states_the_settings_a_vendor_tests_with():
    text = _doc()
    for name in ("DEVICE_AUDIO_URL_LIFETIME", "RECEIPT_TOLERANCE_SECONDS", "COMMAND_REDELIVERY_SECONDS",
                 "defaults to 0", "schedule template"):
        assert name in text, name


def test_a_late_played_receipt_counts_even_after_the_window_was_swept(dev_scheduled, cluster_fleet):
    # A cluster offline through its slot plays, comes back a day later, sends the receipt.
    cluster = cluster_fleet[0]
    item = ScheduleItem.objects.filter(cluster=cluster).first()
    ScheduleItem.objects.filter(pk=item.pk).update(status=ScheduleItem.Status.EXPIRED)
    response = post("/api/devices/v1/receipts", {"receipts": [
        {"item_id": item.pk, "started_at": item.play_at.isoformat(), "result": "played"}]}, cluster.token)
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == ScheduleItem.Status.PLAYED
