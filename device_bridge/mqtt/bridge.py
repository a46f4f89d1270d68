"""The server's MQTT bridge (``manage.py mqtt_bridge``): one long-running process.

paho's network thread only receives: it drops what exceeds a cluster's rate and queues the
rest. The main thread does everything that touches the database: records status and acks,
publishes new commands at once and republishes unacknowledged ones until they are acked or
expire. When the broker is unreachable nothing is lost: commands stay in the database, where
the HTTP long-poll hands them out, and the admin shows that MQTT is down.
"""

import json
import logging
import queue
import threading
import time

import paho.mqtt.client as mqtt
from django.db import close_old_connections, transaction
from django.utils import timezone

from . import messages, services, topics
from .conf import Broker, setting

logger = logging.getLogger(__name__)

INBOX_SIZE = 20000
BATCH = 500
FULL_SCAN_SECONDS = 60.0


class RateLimiter:
    """A token bucket per cluster: a flood from one cluster never crowds out the others."""

    def __init__(self, *, burst: float, per_second: float):
        self.burst = burst
        self.per_second = per_second
        self.buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str, now: float) -> bool:
        tokens, last = self.buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.per_second)
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return False
        self.buckets[key] = (tokens - 1, now)
        return True


def command_message(row: dict) -> bytes:
    """The command as published on ``…/cmd``: the HTTP long-poll's command object."""
    return json.dumps({
        "id": row["pk"], "kind": row["kind"], "payload": row["payload"],
        "created_at": row["created_at"].isoformat(), "expires_at": row["expires_at"].isoformat(),
    }, separators=(",", ":")).encode()


class Bridge:
    def __init__(self, broker: Broker, *, client_id: str = "ttcs-server-bridge"):
        self.broker = broker
        self.inbox: queue.Queue = queue.Queue(maxsize=INBOX_SIZE)
        self.limiter = RateLimiter(burst=setting("RATE_BURST"), per_second=setting("RATE_PER_SECOND"))
        self.max_bytes = setting("MAX_MESSAGE_BYTES")
        self.connected = threading.Event()
        self.stopping = threading.Event()
        self.detail = ""
        self.dropped_malformed = 0
        self.dropped_rate_limited = 0
        self.clusters: dict[str, int] = {}
        self.clusters_loaded_at = 0.0
        # Command id → monotonic time of its last publication, for redelivery.
        self.pending: dict[int, float] = {}
        self.watermark = 0
        self.floor_pk = 0
        self._next_sweep = self._next_state = self._next_scan = 0.0
        self._was_connected = False
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                                  clean_session=False)
        if broker.username:
            self.client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            self.client.tls_set()
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # --- paho's network thread: receive only -----------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            self.detail = f"refused: {reason_code}"
            logger.warning("MQTT broker refused the bridge: %s", reason_code)
            return
        client.subscribe([(topic, 1) for topic in topics.subscriptions()])
        self.detail = ""
        self.connected.set()
        logger.info("MQTT bridge connected to %s:%s", self.broker.host, self.broker.port)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        self.detail = f"disconnected: {reason_code}"
        logger.warning("MQTT bridge disconnected: %s", reason_code)

    def _on_message(self, client, userdata, msg):
        parsed = topics.parse(msg.topic)
        if parsed is None:
            self.dropped_malformed += 1
            return
        code, _kind = parsed
        if not self.limiter.allow(code, time.monotonic()):
            self.dropped_rate_limited += 1
            if self.dropped_rate_limited % 1000 == 1:
                logger.warning("MQTT: cluster %s exceeds its message rate; dropping", code)
            return
        try:
            self.inbox.put_nowait((msg.topic, bytes(msg.payload), bool(msg.retain)))
        except queue.Full:
            self.dropped_rate_limited += 1

    # --- main thread: the database ---------------------------------------------------
    def start(self) -> None:
        self.client.connect_async(self.broker.host, self.broker.port,
                                  keepalive=setting("KEEPALIVE_SECONDS"))
        self.client.loop_start()

    def stop(self) -> None:
        self.stopping.set()
        self.client.disconnect()
        self.client.loop_stop()

    def run(self, *, until: float | None = None) -> None:
        """Work until ``stop()`` (or until the monotonic time ``until``)."""
        while not self.stopping.is_set() and (until is None or time.monotonic() < until):
            self.cycle(wait=setting("COMMAND_POLL_SECONDS"))

    def cycle(self, *, wait: float) -> None:
        """One round: messages received (waiting up to ``wait`` for them), new commands out,
        due redeliveries, and the health report. Tests drive it from their own thread."""
        now_m = time.monotonic()
        try:
            self.process_inbox(deadline=now_m + wait)
            connected = self.connected.is_set()
            if connected and not self._was_connected:
                self._next_scan = 0.0  # (re)connected: everything unacked goes out again
            self._was_connected = connected
            if connected:
                if now_m >= self._next_scan:
                    self.publish_all_unacked()
                    self._next_scan = now_m + FULL_SCAN_SECONDS
                else:
                    self.publish_new()
                if now_m >= self._next_sweep:
                    self.republish_due()
                    self._next_sweep = now_m + min(1.0, setting("REDELIVER_SECONDS") / 2)
            if now_m >= self._next_state:
                services.bridge_state_record(
                    connected=connected, detail=self.detail, now=timezone.now(),
                    dropped_malformed=self.dropped_malformed,
                    dropped_rate_limited=self.dropped_rate_limited)
                self._next_state = now_m + setting("STATE_EVERY_SECONDS")
        except Exception:  # noqa: BLE001 - a database hiccup must not end the bridge; logged
            logger.exception("MQTT bridge cycle failed; retrying")
            close_old_connections()
            time.sleep(1)

    def process_inbox(self, *, deadline: float) -> int:
        """Handle what arrived, in batches of up to ``BATCH`` messages per transaction: a
        thousand acknowledgements of an emergency cost a few commits, not a thousand."""
        handled = 0
        while True:
            timeout = deadline - time.monotonic()
            try:
                batch = [self.inbox.get(timeout=timeout) if timeout > 0 else self.inbox.get_nowait()]
            except queue.Empty:
                return handled
            while len(batch) < BATCH:
                try:
                    batch.append(self.inbox.get_nowait())
                except queue.Empty:
                    break
            acked = []
            # A database error loses the batch, never the bridge: clusters publish status
            # again within 15 s and acknowledge again when the command is republished.
            with transaction.atomic():
                for topic, payload, retained in batch:
                    command_id = self.handle(topic, payload, retained=retained)
                    if command_id:
                        acked.append(command_id)
                services.published_acked_record(command_ids=acked, now=timezone.now())
            for command_id in acked:
                self.pending.pop(command_id, None)
            handled += len(batch)

    def cluster_id(self, code: str) -> int | None:
        from ..models import SpeakerCluster

        if code not in self.clusters and time.monotonic() - self.clusters_loaded_at > 5:
            self.clusters = dict(SpeakerCluster.objects.filter(is_active=True)
                                 .values_list("code", "pk"))
            self.clusters_loaded_at = time.monotonic()
        return self.clusters.get(code)

    def handle(self, topic: str, payload: bytes, *, retained: bool = False) -> int | None:
        """Record one message; returns the command id it acknowledged, if it did."""
        code, kind = topics.parse(topic)
        cluster_id = self.cluster_id(code)
        if cluster_id is None:
            self.dropped_malformed += 1
            logger.info("MQTT: message for unknown or inactive cluster %r dropped", code)
            return None
        try:
            if kind == topics.STATUS:
                if not payload:
                    return None  # a retained status being cleared
                status = messages.status(payload, max_bytes=self.max_bytes)
                services.cluster_status_record(cluster_id=cluster_id, status=status,
                                               now=timezone.now(), retained=retained)
                return None
            ack = messages.ack(payload, max_bytes=self.max_bytes)
        except messages.Malformed as err:
            self.dropped_malformed += 1
            logger.warning("MQTT: malformed %s from cluster %s dropped: %s", kind, code, err)
            return None
        if services.cluster_ack_record(cluster_id=cluster_id, ack=ack, now=timezone.now()):
            return ack["id"]
        logger.info("MQTT: cluster %s acked command %s that is not its own", code, ack["id"])
        return None

    def _publish(self, rows: list[dict]) -> None:
        if not rows:
            return
        now_m = time.monotonic()
        for row in rows:
            self.client.publish(topics.cluster_topic(row["cluster__code"], topics.CMD),
                                command_message(row), qos=1)
            self.pending[row["pk"]] = now_m
            self.watermark = max(self.watermark, row["pk"])
        services.commands_published_record(command_rows=rows, now=timezone.now())

    def publish_all_unacked(self) -> None:
        rows = services.commands_unacked(now=timezone.now())
        self.pending = {}
        self.floor_pk = rows[0]["pk"] if rows else services.commands_newest_pk() + 1
        self.watermark = max(self.watermark, services.commands_newest_pk())
        self._publish(rows)

    def publish_new(self) -> None:
        self._publish(services.commands_unacked(now=timezone.now(), after_pk=self.watermark))

    def republish_due(self) -> None:
        """Publish again what is still unacked after ``REDELIVER_SECONDS``, to connected clusters.

        Also catches a command committed after a newer one (concurrent transactions): it is
        at or above ``floor_pk`` but was never seen.
        """
        from .models import ClusterPresence

        redeliver = setting("REDELIVER_SECONDS")
        now_m = time.monotonic()
        rows = services.commands_unacked(now=timezone.now(), min_pk=self.floor_pk)
        live = {row["pk"] for row in rows}
        self.pending = {pk: at for pk, at in self.pending.items() if pk in live}
        unseen = [row for row in rows if row["pk"] not in self.pending]
        stale = [row for row in rows if row["pk"] in self.pending
                 and now_m - self.pending[row["pk"]] >= redeliver]
        if stale:
            online = set(ClusterPresence.objects.filter(
                online=True, cluster_id__in={row["cluster_id"] for row in stale}
            ).values_list("cluster_id", flat=True))
            stale = [row for row in stale if row["cluster_id"] in online]
        self._publish(unseen + stale)
