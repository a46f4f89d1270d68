"""A waiting command long-poll wakes at once on every backend, whichever process made the command.

Regression (issue 12): without Redis a command made by the django-q2 worker waited for the
long-poll's 5-second database recheck, so an emergency reached clusters 2.5-5.4 s late.
"""

import os
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings as django_settings
from django.test import Client

from device_bridge.models import ClusterCommand
from device_bridge.protocol import wake
from tests.device_bridge.conftest import auth

# Without a listener the long-poll would find the command only at this recheck.
NO_RECHECK = 60


@pytest.fixture(autouse=True)
def _listeners_stopped():
    yield
    # A LISTEN connection would keep the PostgreSQL test database from being dropped.
    wake.wake_buses_stop()


def _wait_woken(hub, cluster_id, *, timeout=3.0) -> float:
    event = hub.register(cluster_id)
    try:
        started = time.monotonic()
        assert event.wait(timeout), "not woken"
        return time.monotonic() - started
    finally:
        hub.unregister(cluster_id, event)


def _warm_up(cluster):
    """The first request of a process imports the whole site: not what is measured."""
    Client().get("/api/devices/v1/commands", **auth(cluster.token))


def _publish_later(bus, cluster_ids, delay=0.2):
    timer = threading.Timer(delay, bus.publish, args=[cluster_ids])
    timer.start()
    return timer


def test_hub_wakes_only_the_named_clusters_waiters():
    hub = wake.WakeHub()
    mine, other = hub.register(1), hub.register(2)
    hub.wake([1])
    assert mine.is_set() and not other.is_set()


def test_file_bus_wakes_a_waiter_of_another_bus_within_a_tenth_of_a_second(tmp_path):
    path = str(tmp_path / "db.sqlite3.wake")
    listener_hub = wake.WakeHub()
    listener = wake.FileBus(listener_hub, path, interval=0.05)
    listener.ensure_listening()
    time.sleep(0.1)
    producer = wake.FileBus(wake.WakeHub(), path)
    timer = _publish_later(producer, [7])
    elapsed = _wait_woken(listener_hub, 7)
    timer.join()
    assert elapsed < 0.2 + 0.15


def test_file_bus_survives_the_file_being_replaced(tmp_path, monkeypatch):
    monkeypatch.setattr(wake, "WAKE_FILE_MAX_BYTES", 10)
    path = str(tmp_path / "db.sqlite3.wake")
    hub = wake.WakeHub()
    wake.FileBus(hub, path, interval=0.02).ensure_listening()
    producer = wake.FileBus(wake.WakeHub(), path)
    for _ in range(5):
        producer.publish([123456789])  # the file is replaced after every write past 10 bytes
    timer = _publish_later(producer, [5])
    assert _wait_woken(hub, 5) < 0.5
    timer.join()


def test_file_bus_wakes_from_another_process(tmp_path):
    path = str(tmp_path / "db.sqlite3.wake")
    hub = wake.WakeHub()
    wake.FileBus(hub, path, interval=0.05).ensure_listening()
    event = hub.register(42)
    # The producer needs no Django set-up: a worker's bus is a file append.
    code = ("from device_bridge.protocol.wake import FileBus, WakeHub; "
            f"FileBus(WakeHub(), {path!r}).publish([42])")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60,
                   cwd=django_settings.BASE_DIR, env={**os.environ, "PYTHONPATH": str(django_settings.BASE_DIR)})
    published = time.monotonic()
    assert event.wait(1)
    assert time.monotonic() - published < 0.3


@pytest.mark.django_db(transaction=True)
def test_long_poll_answers_at_once_for_a_command_made_in_another_process(cluster_fleet, settings):
    settings.DEVICE_BRIDGE = {**settings.DEVICE_BRIDGE, "LONG_POLL_SECONDS": 10,
                              "LONG_POLL_WAKE": "file", "LONG_POLL_DB_RECHECK": NO_RECHECK}
    cluster = cluster_fleet[0]
    bus = wake.wake_bus()
    # The other process: it writes the command and rings the shared file, never this
    # process's hub (a bus of its own).
    other_process = wake.FileBus(wake.WakeHub(), bus.path)

    def worker():
        time.sleep(0.5)
        ClusterCommand.objects.create(cluster_id=cluster.pk, kind="reboot",
                                      expires_at=cluster.created_at.replace(year=2100))
        created.append(time.monotonic())
        other_process.publish([cluster.pk])

    created = []
    _warm_up(cluster)
    thread = threading.Thread(target=worker)
    thread.start()
    response = Client().get("/api/devices/v1/commands", {"wait": 10}, **auth(cluster.token))
    answered = time.monotonic()
    thread.join()
    assert [c["kind"] for c in response.json()["commands"]] == ["reboot"]
    assert answered - created[0] < 0.5


@pytest.mark.django_db(transaction=True)
def test_long_poll_answers_at_once_for_a_command_made_in_this_process(cluster_fleet, settings):
    from device_bridge.fleet.services import cluster_command_create

    settings.DEVICE_BRIDGE = {**settings.DEVICE_BRIDGE, "LONG_POLL_SECONDS": 10,
                              "LONG_POLL_DB_RECHECK": NO_RECHECK}
    cluster = cluster_fleet[0]
    created = []

    def admin():
        time.sleep(0.5)
        cluster_command_create(cluster=cluster, kind="set_volume", payload={"volume": 5})
        created.append(time.monotonic())

    _warm_up(cluster)
    thread = threading.Thread(target=admin)
    thread.start()
    response = Client().get("/api/devices/v1/commands", {"wait": 10}, **auth(cluster.token))
    answered = time.monotonic()
    thread.join()
    assert [c["kind"] for c in response.json()["commands"]] == ["set_volume"]
    assert answered - created[0] < 0.3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_notify_wakes_a_listener(settings):
    hub = wake.WakeHub()
    listener = wake.PostgresBus(hub)
    listener.ensure_listening()
    time.sleep(0.5)  # LISTEN in place
    producer = wake.PostgresBus(wake.WakeHub())
    timer = _publish_later(producer, [31])
    try:
        assert _wait_woken(hub, 31) < 0.2 + 0.15
    finally:
        timer.join()
        listener.stop()


@pytest.mark.redis
def test_redis_publish_wakes_a_listener():
    url = os.environ["REDIS_URL"]
    hub = wake.WakeHub()
    wake.RedisBus(hub, url, channel="device_bridge_commands:test").ensure_listening()
    time.sleep(0.3)
    producer = wake.RedisBus(wake.WakeHub(), url, channel="device_bridge_commands:test")
    timer = _publish_later(producer, [13])
    assert _wait_woken(hub, 13) < 0.2 + 0.15
    timer.join()


@pytest.mark.django_db(transaction=True)
def test_without_a_listener_the_long_poll_falls_back_to_the_database_recheck(cluster_fleet, settings):
    settings.DEVICE_BRIDGE = {**settings.DEVICE_BRIDGE, "LONG_POLL_SECONDS": 10,
                              "LONG_POLL_WAKE": "local", "LONG_POLL_DB_RECHECK": 0.3}
    cluster = cluster_fleet[0]
    _warm_up(cluster)

    def unsignalled():
        time.sleep(0.2)
        ClusterCommand.objects.create(cluster_id=cluster.pk, kind="reboot",
                                      expires_at=cluster.created_at.replace(year=2100))

    thread = threading.Thread(target=unsignalled)
    thread.start()
    started = time.monotonic()
    response = Client().get("/api/devices/v1/commands", {"wait": 10}, **auth(cluster.token))
    thread.join()
    assert [c["kind"] for c in response.json()["commands"]] == ["reboot"]
    assert time.monotonic() - started < 2


def test_a_listener_that_cannot_connect_is_not_trusted():
    # Redis down: waiters must keep rechecking the database instead of sleeping 25 s.
    bus = wake.RedisBus(wake.WakeHub(), "redis://127.0.0.1:9/0")
    assert bus.ensure_listening() is False
    time.sleep(0.3)
    assert bus.ensure_listening() is False
    bus.stop(timeout=1)
