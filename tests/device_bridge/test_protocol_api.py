"""Behaviour of protocol v1: cheap polling, heartbeats, receipts, commands, catching up."""

import datetime as dt
import hashlib
import json
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from device_bridge.fleet.services import cluster_command_create
from device_bridge.models import ClusterCommand, PlaybackReceipt, ScheduleItem, SpeakerCluster
from tests.device_bridge.conftest import auth


@pytest.fixture(autouse=True)
def _wake_listeners_stopped():
    yield
    # A long-poll starts this process's wake listener; on PostgreSQL without Redis it holds a
    # LISTEN connection that would keep the test database from being dropped.
    from device_bridge.protocol.wake import wake_buses_stop

    wake_buses_stop()


def post(path, body, token):
    return Client().post(path, data=json.dumps(body), content_type="application/json", **auth(token))


def test_schedule_lists_items_with_signed_audio_size_and_checksum(dev_scheduled, cluster_fleet):
    cluster = cluster_fleet[0]
    response = Client().get("/api/devices/v1/schedule", **auth(cluster.token))
    body = response.json()
    assert response.status_code == 200 and body["cluster"] == "cl-dong-1"
    item = body["items"][0]
    assert item["kind"] == "bulletin" and item["priority"] == "thuong"
    assert item["play_at"] < item["play_until"]
    audio = Client().get(item["audio"]["url"], **auth(cluster.token))
    data = b"".join(audio.streaming_content)
    assert audio["Content-Type"] == "audio/mpeg"
    assert len(data) == item["audio"]["size_bytes"] == int(audio["Content-Length"])
    assert hashlib.sha256(data).hexdigest() == item["audio"]["sha256"] == audio["X-Content-SHA256"]


def test_unchanged_schedule_is_a_304_costing_one_query(dev_scheduled, cluster_fleet):
    cluster = cluster_fleet[0]
    first = Client().get("/api/devices/v1/schedule", **auth(cluster.token))
    with CaptureQueriesContext(connection) as queries:
        again = Client().get("/api/devices/v1/schedule", HTTP_IF_NONE_MATCH=first["ETag"],
                             **auth(cluster.token))
    assert again.status_code == 304 and len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        Client().get("/api/devices/v1/schedule", **auth(cluster.token))
    assert len(queries) == 2


def test_schedule_change_invalidates_the_etag(dev_site, dev_scheduled, cluster_fleet, dev_audio,
                                              django_capture_on_commit_callbacks):
    cluster = cluster_fleet[0]
    etag = Client().get("/api/devices/v1/schedule", **auth(cluster.token))["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        dev_scheduled.unpublish()
    response = Client().get("/api/devices/v1/schedule", HTTP_IF_NONE_MATCH=etag, **auth(cluster.token))
    assert response.status_code == 200 and response.json()["items"] == []


def test_heartbeat_is_recorded_and_says_the_schedule_version(cluster_fleet):
    cluster = cluster_fleet[0]
    body = {"status": "playing", "volume": 80, "signal_strength": -85, "firmware": "2.1.0",
            "temperature_c": 41.5, "playing": {"item_id": 5, "started_at": "2026-11-26T06:00:00+07:00"}}
    with CaptureQueriesContext(connection) as first:
        response = post("/api/devices/v1/heartbeat", body, cluster.token)
    with CaptureQueriesContext(connection) as steady:
        again = post("/api/devices/v1/heartbeat", body, cluster.token)
    # The first heartbeat of a cluster is also a state change (monitoring's history: 3) and its
    # hourly transport record (the security assessment: 6 with its savepoints), besides the
    # lookup and the write; every later one within the write interval is the token lookup alone.
    assert response.status_code == 200 and len(first) == 13
    assert again.status_code == 200 and len(steady) == 1
    cluster.refresh_from_db()
    assert cluster.last_seen_at and cluster.firmware_version == "2.1.0"
    assert cluster.last_heartbeat["volume"] == 80 and cluster.last_heartbeat["playing"]["item_id"] == 5
    assert response.json()["schedule_version"].startswith(f"{cluster.schedule_version}-")


def test_receipt_marks_item_played_and_resending_is_a_duplicate(dev_scheduled, cluster_fleet):
    cluster = cluster_fleet[0]
    item = ScheduleItem.objects.filter(cluster=cluster).first()
    body = {"receipts": [{"item_id": item.pk, "started_at": item.play_at.isoformat(),
                          "finished_at": (item.play_at + dt.timedelta(seconds=3)).isoformat(),
                          "result": "played"}]}
    assert post("/api/devices/v1/receipts", body, cluster.token).json()["results"][0]["status"] == "accepted"
    again = post("/api/devices/v1/receipts", body, cluster.token)
    assert again.status_code == 200 and again.json()["results"][0]["status"] == "duplicate"
    assert PlaybackReceipt.objects.count() == 1
    item.refresh_from_db()
    assert item.status == "played" and item.played_at == item.play_at


def test_receipt_claiming_play_after_the_window_is_rejected(dev_scheduled, cluster_fleet):
    cluster = cluster_fleet[0]
    item = ScheduleItem.objects.filter(cluster=cluster).first()
    late = item.play_until + dt.timedelta(hours=2)
    response = post("/api/devices/v1/receipts", {"receipts": [
        {"item_id": item.pk, "started_at": late.isoformat(), "result": "played"}]}, cluster.token)
    assert response.status_code == 422 and response.json()["results"][0]["code"] == "expired_item"


def test_cluster_back_after_hours_offline_gets_only_what_is_still_valid(dev_scheduled, cluster_fleet):
    cluster = cluster_fleet[0]
    items = list(ScheduleItem.objects.filter(cluster=cluster).order_by("play_at"))
    # While it was offline, the first windows closed.
    closed = items[:2]
    shift = closed[-1].play_until - timezone.now() + dt.timedelta(minutes=1)
    for item in closed:
        ScheduleItem.objects.filter(pk=item.pk).update(play_at=item.play_at - shift,
                                                       play_until=item.play_until - shift)
    listed = [i["id"] for i in Client().get("/api/devices/v1/schedule", **auth(cluster.token)).json()["items"]]
    assert listed == [i.pk for i in items[2:]]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_commands_long_poll_returns_as_soon_as_a_command_arrives(cluster_fleet, settings):
    settings.DEVICE_BRIDGE = {**settings.DEVICE_BRIDGE, "LONG_POLL_SECONDS": 5, "LONG_POLL_INTERVAL": 0.1}
    cluster = cluster_fleet[0]

    def later():
        time.sleep(0.4)
        cluster_command_create(cluster=SpeakerCluster.objects.get(pk=cluster.pk), kind="set_volume",
                               payload={"volume": 30})

    thread = threading.Thread(target=later)
    thread.start()
    started = time.monotonic()
    response = Client().get("/api/devices/v1/commands", {"wait": 5}, **auth(cluster.token))
    elapsed = time.monotonic() - started
    thread.join()
    commands = response.json()["commands"]
    assert [c["kind"] for c in commands] == ["set_volume"] and commands[0]["payload"] == {"volume": 30}
    assert 0.3 < elapsed < 3
    # Handed out once only.
    assert Client().get("/api/devices/v1/commands", **auth(cluster.token)).json()["commands"] == []
    ack = post(f"/api/devices/v1/commands/{commands[0]['id']}/ack", {"result": "ok"}, cluster.token)
    assert ack.status_code == 200
    assert ClusterCommand.objects.get().acked_at is not None


def test_commands_long_poll_is_bounded(cluster_fleet, settings):
    settings.DEVICE_BRIDGE = {**settings.DEVICE_BRIDGE, "LONG_POLL_SECONDS": 0.3, "LONG_POLL_INTERVAL": 0.1}
    started = time.monotonic()
    response = Client().get("/api/devices/v1/commands", {"wait": 60}, **auth(cluster_fleet[0].token))
    assert response.json() == {"commands": []} and time.monotonic() - started < 1.5


def test_acking_another_clusters_command_is_404(cluster_fleet):
    command = cluster_command_create(cluster=cluster_fleet[1], kind="reboot")
    response = post(f"/api/devices/v1/commands/{command.pk}/ack", {"result": "ok"}, cluster_fleet[0].token)
    assert response.status_code == 404


def test_cancelled_item_audio_is_gone(dev_scheduled, cluster_fleet, django_capture_on_commit_callbacks):
    cluster = cluster_fleet[0]
    url = Client().get("/api/devices/v1/schedule", **auth(cluster.token)).json()["items"][0]["audio"]["url"]
    with django_capture_on_commit_callbacks(execute=True):
        dev_scheduled.unpublish()
    assert Client().get(url, **auth(cluster.token)).status_code == 410


def test_unchanged_heartbeats_are_written_at_most_every_45_seconds(cluster_fleet):
    cluster = cluster_fleet[0]
    body = {"status": "idle", "volume": 70, "temperature_c": 40}
    post("/api/devices/v1/heartbeat", body, cluster.token)
    first = SpeakerCluster.objects.get(pk=cluster.pk).last_seen_at
    post("/api/devices/v1/heartbeat", {**body, "temperature_c": 41}, cluster.token)
    assert SpeakerCluster.objects.get(pk=cluster.pk).last_seen_at == first
    post("/api/devices/v1/heartbeat", {**body, "status": "playing"}, cluster.token)
    changed = SpeakerCluster.objects.get(pk=cluster.pk)
    assert changed.last_seen_at > first and changed.last_heartbeat["status"] == "playing"
    SpeakerCluster.objects.filter(pk=cluster.pk).update(
        last_seen_at=timezone.now() - dt.timedelta(seconds=50))
    post("/api/devices/v1/heartbeat", {**body, "status": "playing"}, cluster.token)
    assert (timezone.now() - SpeakerCluster.objects.get(pk=cluster.pk).last_seen_at).total_seconds() < 5
