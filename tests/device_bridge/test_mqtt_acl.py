"""Against a real Mosquitto run with the configuration ``mqtt_config`` generates: a cluster
reaches only its own topics; the ACL refuses the rest, including a forged command."""

import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from django.core.management import call_command

from device_bridge.models import SpeakerCluster
from device_bridge.mqtt import topics
from device_bridge.mqtt.testing import mosquitto

pytestmark = pytest.mark.mqtt


class Listener:
    """A paho client that records what reaches it."""

    def __init__(self, port, username, password, *, subscribe=()):
        self.received = []
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self.refused = None
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"t-{uuid.uuid4().hex[:8]}")
        self.client.username_pw_set(username, password)
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda c, u, msg: self.received.append((msg.topic, msg.payload))
        self.client.on_subscribe = lambda *args: self.subscribed.set()
        self.topics = list(subscribe)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.connected.wait(5)

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            self.refused = reason_code
            client.disconnect()
        elif self.topics:
            client.subscribe([(topic, 1) for topic in self.topics])
        self.connected.set()

    def publish(self, topic, payload):
        self.client.publish(topic, payload, qos=1).wait_for_publish(5)

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def acl_broker(db, tmp_path):
    east = SpeakerCluster.objects.create(code="cl-dong-1", name="Đông 1")
    west = SpeakerCluster.objects.create(code="cl-doai-1", name="Đoài 1")
    passwords_file = tmp_path / "passwords"
    call_command("mqtt_config", out=str(tmp_path / "broker"), issue=[], passwords_out=str(passwords_file),
                 server_password="server-secret", no_tls=True, no_persistence=True,
                 stdout=open("/dev/null", "w"))
    passwords = dict(line.split() for line in passwords_file.read_text().splitlines())
    conf = (tmp_path / "broker" / "mosquitto.conf").read_text()
    with mosquitto(conf_text=conf, directory=tmp_path / "broker") as port:
        yield port, east, west, passwords


def settle(*listeners):
    for listener in listeners:
        listener.subscribed.wait(5)


def test_a_cluster_reads_only_its_own_commands_and_writes_only_its_own_status(acl_broker):
    port, east, west, passwords = acl_broker
    server = Listener(port, "ttcs-server", "server-secret", subscribe=["ttcs/v1/#"])
    # The east cluster tries to read every cluster's commands and its own.
    snoop = Listener(port, east.code, passwords[east.code],
                     subscribe=[topics.cluster_topic(west.code, "cmd"), "ttcs/v1/cluster/+/cmd"])
    owner = Listener(port, west.code, passwords[west.code], subscribe=[topics.cluster_topic(west.code, "cmd")])
    settle(server, snoop, owner)
    try:
        server.publish(topics.cluster_topic(west.code, "cmd"), b'{"id": 1}')
        server.publish(topics.cluster_topic(east.code, "cmd"), b'{"id": 2}')
        snoop.publish(topics.cluster_topic(west.code, "status"), b'{"online": false}')
        snoop.publish(topics.cluster_topic(west.code, "ack"), b'{"id": 1, "result": "ok"}')
        snoop.publish(topics.cluster_topic(east.code, "status"), b'{"online": true, "status": "idle"}')
        time.sleep(0.5)
        assert owner.received == [(topics.cluster_topic(west.code, "cmd"), b'{"id": 1}')]
        # Only its own command reaches the east cluster, through the wildcard it asked for.
        assert [topic for topic, _ in snoop.received] == [topics.cluster_topic(east.code, "cmd")]
        statuses = [topic for topic, _ in server.received if not topic.endswith("/cmd")]
        assert statuses == [topics.cluster_topic(east.code, "status")]
    finally:
        for listener in (server, snoop, owner):
            listener.close()


def test_a_forged_command_from_a_clusters_credentials_is_refused(acl_broker):
    port, east, west, passwords = acl_broker
    server = Listener(port, "ttcs-server", "server-secret", subscribe=["ttcs/v1/#"])
    forger = Listener(port, east.code, passwords[east.code], subscribe=[topics.cluster_topic(east.code, "cmd")])
    victim = Listener(port, west.code, passwords[west.code], subscribe=[topics.cluster_topic(west.code, "cmd")])
    settle(server, forger, victim)
    try:
        forged = b'{"id": 99, "kind": "reboot", "payload": {}}'
        forger.publish(topics.cluster_topic(west.code, "cmd"), forged)
        forger.publish(topics.cluster_topic(east.code, "cmd"), forged)
        time.sleep(0.5)
        assert victim.received == [] and forger.received == [] and server.received == []
    finally:
        for listener in (server, forger, victim):
            listener.close()


def test_wrong_password_and_anonymous_clients_are_refused(acl_broker):
    port, east, _west, _passwords = acl_broker
    wrong = Listener(port, east.code, "not-the-password")
    anonymous = Listener(port, "", "")
    try:
        assert wrong.refused is not None and anonymous.refused is not None
    finally:
        wrong.close()
        anonymous.close()
