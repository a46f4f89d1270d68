"""The MQTT bridge against a real Mosquitto (started per test on a free port): emergencies,
acknowledgements, redelivery, last will, and hostile traffic (malformed, forged, flood)."""

import asyncio
import json
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from django.utils import timezone

from device_bridge.fleet.services import cluster_command_create
from device_bridge.fleet.simulator import run_fleet, summary
from device_bridge.models import ClusterCommand, Dispatch, ScheduleItem
from device_bridge.mqtt import topics
from device_bridge.mqtt.bridge import Bridge
from device_bridge.mqtt.conf import broker
from device_bridge.mqtt.models import BridgeState, ClusterPresence, PublishedCommand
from device_bridge.mqtt.simulator import MqttOptions
from device_bridge.mqtt.testing import mosquitto
from tests.factories import make_bulletin

pytestmark = [pytest.mark.mqtt, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _database_in_the_event_loop(monkeypatch):
    # The simulated fleet's event loop also drives the bridge's database work, on purpose in
    # one thread (see ``bridge``); Django would refuse ORM calls from inside a running loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def mqtt_port(settings, tmp_path):
    with mosquitto(directory=tmp_path) as port:
        settings.MQTT_URL = f"mqtt://127.0.0.1:{port}"
        settings.MQTT = {"REDELIVER_SECONDS": 1.0, "STATE_EVERY_SECONDS": 0.2,
                         "COMMAND_POLL_SECONDS": 0.05}
        yield port


@pytest.fixture
def bridge(mqtt_port):
    """The bridge's network thread receives; its database work runs in the test's thread,
    driven by ``pump`` (SQLite's in-memory test database dislikes a second writer thread)."""
    instance = Bridge(broker(), client_id=f"bridge-{uuid.uuid4().hex[:8]}")
    instance.start()
    assert instance.connected.wait(5)
    yield instance
    instance.stop()


def pump(bridge, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        bridge.cycle(wait=0.02)


async def apump(bridge, until):
    while not until():
        bridge.cycle(wait=0)
        await asyncio.sleep(0.02)


def fleet_run(bridge, clusters, *, mqtt_port, server, on_start=None, stop_when, duration=20,
              **options):
    async def main():
        done = False

        def finished(sims):
            nonlocal done
            done = stop_when(sims)
            return done

        runner = asyncio.create_task(run_fleet(
            [(c.code, c.token) for c in clusters], server=server, duration=duration, speed=120,
            poll_interval=30, tick=0.05, mqtt=MqttOptions(port=mqtt_port, **options),
            on_start=on_start, stop_when=finished,
        ))
        await apump(bridge, lambda: runner.done())
        return runner.result()

    return asyncio.run(main())


def emergency(dev_site, zone):
    return make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                         priority="khan_cap", zones=[zone])


def test_emergency_reaches_every_cluster_of_its_zones_over_mqtt_and_none_outside(
    live_server, dev_site, cluster_fleet, bridge, mqtt_port, admin_client
):
    east = [c for c in cluster_fleet if c.zone.code == "thon-dong"]
    pages = []

    def approve(sims):
        pages.append(emergency(dev_site, dev_site.zones["thon-dong"]))

    def east_acked_and_played(sims):
        return pages and all(
            any(c["kind"] == "play_now" for c in sim.commands_seen) and not sim.receipts
            and sim.done for sim in sims if sim.code.startswith("cl-dong")
        ) and ClusterCommand.objects.filter(kind="play_now", acked_at__isnull=True).count() == 0

    stats, sims = fleet_run(bridge, cluster_fleet, mqtt_port=mqtt_port, server=live_server.url,
                            on_start=approve, stop_when=east_acked_and_played)
    report = summary(stats, sims)
    commands = ClusterCommand.objects.filter(kind="play_now")
    assert sorted(commands.values_list("cluster__code", flat=True)) == sorted(c.code for c in east), report
    assert all(command.acked_at and command.result == "ok" for command in commands), report
    assert set(PublishedCommand.objects.values_list("cluster__code", flat=True)) == {c.code for c in east}
    assert PublishedCommand.objects.filter(acked_at__isnull=False).count() == 2
    by_code = {sim.code: sim for sim in sims}
    assert by_code["cl-doai-1"].commands_seen == [] and by_code["cl-doai-1"].mqtt.received_at == {}
    played = {code for code, _item, _at in stats.played}
    assert played == {c.code for c in east}, report
    assert set(ScheduleItem.objects.filter(page=pages[0]).values_list("status", flat=True)) == {"played"}
    # Every cluster reported over MQTT ("last heard from" through the status topic), then said
    # goodbye when the run ended.
    from device_bridge.models import SpeakerCluster

    assert all(SpeakerCluster.objects.filter(pk__in=[c.pk for c in cluster_fleet])
               .values_list("last_seen_at", flat=True))
    assert set(ClusterPresence.objects.values_list("online", flat=True)) == {False}
    assert ClusterPresence.objects.count() == 3

    html = admin_client.get(f"/admin/device-bridge/pages/{pages[0].pk}/dispatches/").content.decode()
    assert 'id="emergency-panel"' in html and "2/2 cụm loa đã xác nhận" in html and "MQTT" in html
    assert "mqtt/emergency_live.js" in html
    live = admin_client.get(f"/admin/mqtt/emergency/{pages[0].pk}/live/")
    assert live.status_code == 200 and 'data-acked="2"' in live.content.decode()


def test_a_command_whose_ack_is_lost_is_republished_until_acknowledged(
    live_server, dev_site, cluster_fleet, bridge, mqtt_port
):
    cluster = cluster_fleet[0]
    created = []

    def send(sims):
        created.append(cluster_command_create(cluster=cluster, kind="set_volume", payload={"volume": 35}))

    def acked(sims):
        return created and ClusterCommand.objects.filter(pk=created[0].pk, acked_at__isnull=False).exists()

    stats, sims = fleet_run(bridge, [cluster], mqtt_port=mqtt_port, server=live_server.url,
                            on_start=send, stop_when=acked, ack_loss_first=1)
    sim = sims[0]
    assert sim.mqtt.acks_lost == 1 and sim.mqtt.acks_sent == 1 and sim.volume == 35
    published = PublishedCommand.objects.get(command=created[0])
    assert published.publish_count == 2 and published.acked_at is not None
    # Acknowledged: never published again.
    pump(bridge, 2.5)
    assert PublishedCommand.objects.get(command=created[0]).publish_count == 2


def test_a_dropped_cluster_is_marked_offline_by_its_last_will_and_catches_up_over_http(
    live_server, dev_site, cluster_fleet, bridge, mqtt_port
):
    cluster = cluster_fleet[0]
    state = {}

    async def main():
        import httpx

        from device_bridge.fleet.simulator import SimClock, SimulatedCluster, Stats
        from device_bridge.mqtt.simulator import MqttLink

        async with httpx.AsyncClient(timeout=10) as client:
            sim = SimulatedCluster(server=live_server.url, token=cluster.token, code=cluster.code,
                                   client=client, clock=SimClock(), stats=Stats(), play_speed=500)
            sim.mqtt = MqttLink(sim, MqttOptions(port=mqtt_port, keepalive=2))
            await sim.mqtt.connect()
            await apump(bridge, lambda: ClusterPresence.objects.filter(cluster=cluster, online=True).exists())
            sim.mqtt.drop()  # the 4G link dies: no DISCONNECT, the broker sends the last will
            await asyncio.wait_for(apump(bridge, lambda: ClusterPresence.objects.filter(
                cluster=cluster, online=False).exists()), 10)
            state["offline"] = True
            page = emergency(dev_site, cluster.zone)  # approved while the cluster is away
            pump(bridge, 0.3)
            # Back on the network: the schedule over HTTP holds the emergency, still valid.
            assert await sim.fetch_schedule()
            await sim.play_due()
            await sim.flush_receipts()
            state["page"] = page
            state["played"] = sim.stats.played

    asyncio.run(main())
    assert state["offline"]
    item = ScheduleItem.objects.get(page=state["page"], cluster=cluster)
    assert item.preempt and item.status == ScheduleItem.Status.PLAYED
    assert [played[1] for played in state["played"]] == [item.pk]


def publish_raw(port, messages):
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"raw-{uuid.uuid4().hex[:8]}")
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        for topic, payload in messages:
            client.publish(topic, payload, qos=1).wait_for_publish(5)
    finally:
        client.disconnect()
        client.loop_stop()


def test_malformed_and_forged_messages_are_dropped_and_nothing_is_trusted(
    dev_site, cluster_fleet, bridge, mqtt_port
):
    east, other = cluster_fleet[0], cluster_fleet[2]
    theirs = cluster_command_create(cluster=other, kind="reboot")
    status = topics.cluster_topic(east.code, "status")
    ack = topics.cluster_topic(east.code, "ack")
    publish_raw(mqtt_port, [
        (status, b"\xff\xfe not utf-8"),
        (status, b'{"online": true, "status": "dancing"}'),
        (status, b'{"online": true, "status": "idle", "volume": NaN}'),
        (status, b'{"online": "yes"}'),
        (status, b"[1, 2, 3]"),
        (status, b'{"online": true, "status": "idle", "firmware": "' + b"x" * 5000 + b'"}'),
        (ack, b'{"id": "1", "result": "ok"}'),
        # Forged: the east cluster acknowledges another cluster's command.
        (ack, json.dumps({"id": theirs.pk, "result": "ok"}).encode()),
        (topics.cluster_topic("no-such-cluster", "status"), b'{"online": true, "status": "idle"}'),
        ("ttcs/v1/cluster/x/y/status", b"{}"),
    ])
    pump(bridge, 1.0)
    east.refresh_from_db()
    assert east.last_seen_at is None and east.last_heartbeat == {}
    assert not ClusterPresence.objects.exists()
    theirs.refresh_from_db()
    assert theirs.acked_at is None
    assert bridge.dropped_malformed >= 8
    assert BridgeState.objects.get().dropped_malformed >= 8


def test_a_flood_from_one_cluster_is_rate_limited_and_others_are_heard(
    dev_site, cluster_fleet, bridge, mqtt_port
):
    flooder, quiet = cluster_fleet[0], cluster_fleet[2]
    command = cluster_command_create(cluster=quiet, kind="reboot")
    flood = [(topics.cluster_topic(flooder.code, "status"),
              json.dumps({"online": True, "status": "playing" if n % 2 else "idle"}).encode())
             for n in range(2000)]
    publish_raw(mqtt_port, [*flood, (topics.cluster_topic(quiet.code, "ack"),
                                     json.dumps({"id": command.pk, "result": "ok"}).encode())])
    started = time.monotonic()
    while not ClusterCommand.objects.filter(pk=command.pk, acked_at__isnull=False).exists():
        assert time.monotonic() - started < 5, "the quiet cluster's ack waited behind the flood"
        bridge.cycle(wait=0.02)
    pump(bridge, 0.5)
    assert bridge.dropped_rate_limited >= 1900
    # Only the burst reached the database.
    assert bridge.inbox.qsize() == 0


def test_broker_down_the_admin_says_so_and_commands_still_go_over_http(
    dev_site, cluster_fleet, settings, admin_client
):
    from device_bridge.mqtt.testing import free_port

    settings.MQTT_URL = f"mqtt://127.0.0.1:{free_port()}"  # nothing listens there
    settings.MQTT = {"STATE_EVERY_SECONDS": 0.1}
    down = Bridge(broker(), client_id="bridge-down")
    down.start()
    try:
        pump(down, 0.5)
    finally:
        down.stop()
    assert BridgeState.objects.get().connected is False
    settings.MQTT = {"STATE_EVERY_SECONDS": 60}  # the report above is still fresh
    dashboard = admin_client.get("/admin/").content.decode()
    assert 'data-mqtt-state="down"' in dashboard and "Không kết nối được máy chủ MQTT" in dashboard
    # The HTTP long-poll still hands the command out.
    cluster = cluster_fleet[0]
    command = cluster_command_create(cluster=cluster, kind="reboot")
    from django.test import Client

    answer = Client().get("/api/devices/v1/commands?wait=0",
                          HTTP_AUTHORIZATION=f"Bearer {cluster.token}").json()
    assert [c["id"] for c in answer["commands"]] == [command.pk]


def test_stop_emergency_is_a_permission_checked_post(dev_site, cluster_fleet, dev_technician,
                                                      client, django_user_model):
    page = emergency(dev_site, dev_site.zones["thon-dong"])
    assert Dispatch.objects.get(page=page, channel="speakers").status == Dispatch.Status.ACTIVE
    url = f"/admin/mqtt/emergency/{page.pk}/stop/"
    # An editor-like user without the delivery permission, and a GET, change nothing.
    viewer = django_user_model.objects.create_user("xem", password="x")
    client.force_login(viewer)
    assert client.post(url).status_code in (302, 403)
    assert dev_technician.get(url).status_code == 405
    assert Dispatch.objects.get(page=page, channel="speakers").status == Dispatch.Status.ACTIVE
    # CSRF is enforced for the real form.
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(django_user_model.objects.get(username="kythuat"))
    assert strict.post(url).status_code == 403
    response = dev_technician.post(url)
    assert response.status_code == 302
    dispatch = Dispatch.objects.get(page=page, channel="speakers")
    assert dispatch.status == Dispatch.Status.CANCELLED
    assert dispatch.emergency_stops.count() == 1
    # Nothing of it is left to play, and no play-now goes out any more.
    assert not ScheduleItem.objects.filter(page=page, status="pending").exists()
    assert not ClusterCommand.objects.filter(kind="play_now", expires_at__gt=timezone.now()).exists()
    assert ClusterCommand.objects.filter(kind="stop").count() == 2
    report = dev_technician.get(f"/admin/device-bridge/pages/{page.pk}/dispatches/").content.decode()
    assert "Đã dừng khẩn cấp lúc" in report and "Dừng khẩn cấp</button>" not in report
