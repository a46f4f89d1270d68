"""The simulated cluster's MQTT side (``speaker_sim --mqtt``), driven by the simulator's asyncio loop.

One paho client per cluster, without paho's threads: its socket is registered with the event
loop (paho's documented external-loop hooks), so a thousand clusters share one thread. Status
(the heartbeat) goes out retained on ``…/status`` with a retained last will
``{"online": false}``; commands arrive on ``…/cmd`` and are acknowledged on ``…/ack``, again
when the server republishes one whose acknowledgement was lost.
"""

import asyncio
import json
import logging
import random
import socket
import time
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt

from ..fleet.simulator import _parse
from . import topics

logger = logging.getLogger(__name__)


@dataclass
class MqttOptions:
    host: str = "127.0.0.1"
    port: int = 1883
    #: cluster code → broker password; a code missing here connects without one (dev broker).
    passwords: dict = field(default_factory=dict)
    #: probability that an acknowledgement is lost on the way (the server must redeliver)
    ack_loss: float = 0.0
    #: the first N acknowledgements of every cluster are lost (deterministic, for tests)
    ack_loss_first: int = 0
    keepalive: int = 30


class AsyncioPaho:
    """Drives one paho client from an asyncio loop (paho's ``loop_asyncio`` example)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, client: mqtt.Client):
        self.loop = loop
        self.client = client
        self.misc = None
        client.on_socket_open = self._open
        client.on_socket_close = self._close
        client.on_socket_register_write = self._register_write
        client.on_socket_unregister_write = self._unregister_write

    def _open(self, client, userdata, sock):
        self.loop.add_reader(sock, client.loop_read)
        self.misc = self.loop.create_task(self._misc_loop())

    def _close(self, client, userdata, sock):
        self.loop.remove_reader(sock)
        if self.misc is not None:
            self.misc.cancel()

    def _register_write(self, client, userdata, sock):
        self.loop.add_writer(sock, client.loop_write)

    def _unregister_write(self, client, userdata, sock):
        self.loop.remove_writer(sock)

    async def _misc_loop(self):
        while self.client.loop_misc() == mqtt.MQTT_ERR_SUCCESS:
            await asyncio.sleep(1)


class MqttLink:
    """One simulated cluster's MQTT connection."""

    def __init__(self, sim, options: MqttOptions, *, rng: random.Random | None = None):
        self.sim = sim
        self.options = options
        self.rng = rng or random.Random()
        self.code = sim.code
        self.cmd_topic = topics.cluster_topic(sim.code, topics.CMD)
        self.status_topic = topics.cluster_topic(sim.code, topics.STATUS)
        self.ack_topic = topics.cluster_topic(sim.code, topics.ACK)
        self.connected = asyncio.Event()
        self.handled: set[int] = set()
        self.acks_lost = 0
        self.acks_sent = 0
        #: command id → wall-clock time it arrived (benches compare it with the approval).
        self.received_at: dict[int, float] = {}
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"cluster-{sim.code}",
                                  clean_session=False)
        password = options.passwords.get(sim.code)
        if password:
            self.client.username_pw_set(sim.code, password)
        self.client.will_set(self.status_topic, b'{"online":false}', qos=1, retain=True)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.helper = None

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        self.helper = AsyncioPaho(loop, self.client)
        self.client.connect(self.options.host, self.options.port, keepalive=self.options.keepalive)
        self.client.socket().setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)

    def drop(self) -> None:
        """Lose the connection without saying goodbye: the broker publishes the last will."""
        sock = self.client.socket()
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
        self.connected.clear()

    def close(self) -> None:
        self.publish_status(online=False)
        self.client.disconnect()

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            self.sim.stats.errors.append(f"{self.code}: MQTT refused: {reason_code}")
            return
        client.subscribe(self.cmd_topic, qos=1)
        self.connected.set()
        self.publish_status()

    def publish_status(self, *, online: bool = True) -> None:
        if not online:
            body = {"online": False}
        else:
            body = {"online": True, **self.sim.heartbeat_body()}
        self.client.publish(self.status_topic, json.dumps(body).encode(), qos=1, retain=True)

    def _on_message(self, client, userdata, msg):
        arrived = time.time()
        try:
            command = json.loads(msg.payload)
            command_id = int(command["id"])
            expires_at = command["expires_at"]
        except (ValueError, KeyError, TypeError):
            self.sim.stats.errors.append(f"{self.code}: malformed command {msg.payload[:80]!r}")
            return
        self.received_at.setdefault(command_id, arrived)
        if _parse(expires_at) <= self.sim.clock.now():
            return  # received after it expired: ignored, as the protocol says
        if command_id not in self.handled:
            self.handled.add(command_id)
            self.sim.commands_seen.append(command)
            self.sim.command_act(command)
        if self.acks_lost < self.options.ack_loss_first or (
            self.options.ack_loss and self.rng.random() < self.options.ack_loss
        ):
            self.acks_lost += 1
            return
        self.acks_sent += 1
        client.publish(self.ack_topic, json.dumps({"id": command_id, "result": "ok"}).encode(), qos=1)
