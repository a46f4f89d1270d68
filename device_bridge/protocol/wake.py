"""Waking waiting command long-polls at once, in every process, on every backend.

A long-poll waits on a per-cluster ``threading.Event`` in this process's ``WakeHub``. A
producer calls ``fleet.services.cluster_commands_signal``, which (after commit) hands the
cluster ids to the bus: the bus wakes this process's waiters directly and tells the other
processes (the django-q2 worker creates emergency commands), where ONE listener thread per
process wakes theirs. Which medium carries the news between processes:

- ``redis``: Redis publish/subscribe on the cache's Redis (when the cache is Redis);
- ``postgresql``: ``NOTIFY``/``LISTEN`` on the database itself;
- ``file``: SQLite has neither, and all its processes share one machine: producers append the
  ids to a small file beside the database, the listener looks at its size every 50 ms (a
  ``stat``, no database query);
- ``local``: this process only (tests, or a single-process server).

A waiter never depends on the listener alone for correctness: it re-reads the database on
every wake, and polls the database every ``LONG_POLL_DB_RECHECK`` seconds while no listener
runs in its process.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections import defaultdict

from django.conf import settings
from django.db import connections

from ..conf import setting

logger = logging.getLogger(__name__)

CHANNEL = "device_bridge_commands"
WAKE_FILE_MAX_BYTES = 64 * 1024


class WakeHub:
    """This process's waiting long-polls, one ``Event`` each, found by cluster id."""

    def __init__(self):
        self._lock = threading.Lock()
        self._waiters: dict[int, set[threading.Event]] = defaultdict(set)

    def register(self, cluster_id: int) -> threading.Event:
        event = threading.Event()
        with self._lock:
            self._waiters[cluster_id].add(event)
        return event

    def unregister(self, cluster_id: int, event: threading.Event) -> None:
        with self._lock:
            waiters = self._waiters.get(cluster_id)
            if waiters is not None:
                waiters.discard(event)
                if not waiters:
                    del self._waiters[cluster_id]

    def wake(self, cluster_ids) -> None:
        with self._lock:
            events = [event for cluster_id in cluster_ids
                      for event in self._waiters.get(cluster_id, ())]
        for event in events:
            event.set()

    def wake_all(self) -> None:
        with self._lock:
            events = [event for waiters in self._waiters.values() for event in waiters]
        for event in events:
            event.set()


class WakeBus:
    """Carries "cluster N has a command" from any process to every process's hub."""

    name = "base"

    def __init__(self, hub: WakeHub):
        self.hub = hub
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._stopping = threading.Event()
        # Set while the listener is connected: a waiter falls back to rechecking the database
        # while it is not (Redis or PostgreSQL down, the thread restarting).
        self._healthy = threading.Event()

    def signal(self, cluster_ids) -> None:
        """Wake ``cluster_ids`` here at once and in the other processes."""
        ids = [int(cluster_id) for cluster_id in cluster_ids]
        self.hub.wake(ids)
        try:
            self.publish(ids)
        except Exception:
            # The command is committed and a waiter still finds it on its next database check;
            # a broken bus must not turn an admin action or an approval into an error.
            logger.exception("Long-poll wake: publishing on %s failed", self.name)

    def publish(self, cluster_ids: list[int]) -> None:
        raise NotImplementedError

    def listen_forever(self) -> None:
        raise NotImplementedError

    @property
    def listening(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def ensure_listening(self) -> bool:
        """Start this process's listener thread once; True while it is connected."""
        if self.listening:
            return self._healthy.is_set()
        with self._start_lock:
            if not self.listening:
                self._stopping.clear()
                self._thread = threading.Thread(target=self._run, name=f"wake-{self.name}",
                                                daemon=True)
                self._thread.start()
        return self._healthy.is_set()

    def stop(self, timeout: float = 5) -> None:
        """End the listener thread (tests: a LISTEN connection keeps the test database open)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._healthy.clear()

    def _run(self) -> None:
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                self.listen_forever()
            except Exception:
                logger.exception("Long-poll wake listener (%s) failed; restarting", self.name)
            self._healthy.clear()
            # Whatever was missed while it was down: every waiter re-reads the database.
            self.hub.wake_all()
            if self._stopping.wait(backoff):
                break
            backoff = min(backoff * 2, 30)


class LocalBus(WakeBus):
    """One process only: nothing crosses to another, so no listener; a command made in another
    process is found at the waiters' database recheck (``LONG_POLL_DB_RECHECK``)."""

    name = "local"

    def publish(self, cluster_ids: list[int]) -> None:
        return None

    @property
    def listening(self) -> bool:
        return False

    def ensure_listening(self) -> bool:
        # Nothing hears other processes: waiters fall back to the database recheck.
        return False


class FileBus(WakeBus):
    """SQLite: an append-only file of cluster ids, watched by one thread per process."""

    name = "file"

    def __init__(self, hub: WakeHub, path: str, interval: float = 0.05):
        super().__init__(hub)
        self.path = path
        self.interval = interval

    def publish(self, cluster_ids: list[int]) -> None:
        data = "".join(f"{cluster_id}\n" for cluster_id in cluster_ids).encode()
        # O_APPEND writes of a few bytes land whole, whichever process writes.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        if size > WAKE_FILE_MAX_BYTES:
            # A fresh file under the same name: watchers see a new inode and start over.
            fd, fresh = tempfile.mkstemp(dir=os.path.dirname(self.path) or ".", prefix=".wake-")
            os.close(fd)
            os.replace(fresh, self.path)

    def listen_forever(self) -> None:
        inode, offset = self._stat()
        self._healthy.set()
        while not self._stopping.wait(self.interval):
            current_inode, size = self._stat()
            if current_inode != inode or size < offset:
                # Replaced or truncated: some ids may be lost, so every waiter re-reads.
                inode, offset = current_inode, 0
                self.hub.wake_all()
            if size > offset:
                with open(self.path, "rb") as handle:
                    handle.seek(offset)
                    chunk = handle.read(size - offset)
                complete = chunk.rfind(b"\n") + 1
                offset += complete
                ids = {int(line) for line in chunk[:complete].split() if line.isdigit()}
                self.hub.wake(ids)

    def _stat(self) -> tuple[int | None, int]:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return None, 0
        return stat.st_ino, stat.st_size


class PostgresBus(WakeBus):
    """PostgreSQL: ``NOTIFY`` from the producer's transaction, one ``LISTEN`` connection each."""

    name = "postgresql"

    def __init__(self, hub: WakeHub, alias: str = "default"):
        super().__init__(hub)
        self.alias = alias

    def publish(self, cluster_ids: list[int]) -> None:
        payload = ",".join(str(cluster_id) for cluster_id in cluster_ids)
        with connections[self.alias].cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, payload])

    def listen_forever(self) -> None:
        import psycopg

        wrapper = connections[self.alias]
        params = wrapper.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("server_side_binding", None)
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self._healthy.set()
            self.hub.wake_all()  # anything sent before LISTEN took effect
            while not self._stopping.is_set():
                for notify in conn.notifies(timeout=1):
                    self.hub.wake(int(part) for part in notify.payload.split(",") if part.isdigit())


class RedisBus(WakeBus):
    """Redis: publish/subscribe on the cache's Redis server."""

    name = "redis"

    def __init__(self, hub: WakeHub, url: str, channel: str = CHANNEL):
        super().__init__(hub)
        self.url = url
        # Publish/subscribe channels ignore the Redis database number: one per site database,
        # so two sites sharing a Redis server do not wake each other's clusters.
        self.channel = channel
        self._client = None

    def _redis(self):
        import redis

        if self._client is None:
            self._client = redis.Redis.from_url(self.url, socket_timeout=5)
        return self._client

    def publish(self, cluster_ids: list[int]) -> None:
        self._redis().publish(self.channel, ",".join(str(cluster_id) for cluster_id in cluster_ids))

    def listen_forever(self) -> None:
        import redis

        client = redis.Redis.from_url(self.url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(self.channel)
            self._healthy.set()
            self.hub.wake_all()
            while not self._stopping.is_set():
                message = pubsub.get_message(timeout=1)
                data = message.get("data") if message else None
                if isinstance(data, bytes):
                    self.hub.wake(int(part) for part in data.decode().split(",") if part.isdigit())
        finally:
            pubsub.close()
            client.close()


_hub = WakeHub()
_buses: dict[tuple, WakeBus] = {}
_buses_lock = threading.Lock()


def _bus_spec() -> tuple:
    choice = setting("LONG_POLL_WAKE")
    cache = settings.CACHES.get("default", {})
    database = settings.DATABASES["default"]
    if choice == "auto":
        if cache.get("BACKEND", "").endswith("RedisCache") and cache.get("LOCATION"):
            choice = "redis"
        elif connections["default"].vendor == "postgresql":
            choice = "postgresql"
        elif connections["default"].vendor == "sqlite":
            choice = "file"
        else:
            choice = "local"
    if choice == "redis":
        location = cache["LOCATION"]
        site_database = hashlib.sha256(str(database.get("NAME")).encode()).hexdigest()[:12]
        return ("redis", location[0] if isinstance(location, list | tuple) else location,
                f"{CHANNEL}:{site_database}")
    if choice == "postgresql":
        return ("postgresql", "default")
    if choice == "file":
        return ("file", wake_file_path(database), float(setting("LONG_POLL_WAKE_FILE_INTERVAL")))
    return ("local",)


def wake_file_path(database: dict) -> str:
    """Beside the SQLite file; in-memory databases (tests) have one process, any name will do."""
    name = str(database.get("NAME") or "")
    if name and name != ":memory:" and not name.startswith("file:"):
        return f"{name}.wake"
    return os.path.join(tempfile.gettempdir(), f"ttcs-longpoll-{os.getpid()}.wake")


def wake_bus() -> WakeBus:
    """This process's bus for the current settings (read at call time)."""
    spec = _bus_spec()
    bus = _buses.get(spec)
    if bus is None:
        with _buses_lock:
            bus = _buses.get(spec)
            if bus is None:
                kind, *args = spec
                bus = {"redis": RedisBus, "postgresql": PostgresBus, "file": FileBus,
                       "local": LocalBus}[kind](_hub, *args)
                _buses[spec] = bus
    return bus


def wake_hub() -> WakeHub:
    return _hub


def wake_buses_stop() -> None:
    """Stop every listener of this process (tests; a server process just exits)."""
    with _buses_lock:
        buses = list(_buses.values())
        _buses.clear()
    for bus in buses:
        bus.stop()
