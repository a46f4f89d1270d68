"""A speaker cluster simulator speaking protocol v1 (``manage.py speaker_sim``, or import it).

Each simulated cluster polls its schedule (with ETag), sends heartbeats, downloads and checks
audio (size and SHA-256), "plays" items in accelerated time, sends receipts until the server
answers them, and long-polls commands. Fault switches: start offline for a while, lose
requests (before or after the server saw them), corrupt downloads.

``fast_forward`` (the demo's mode, ``speaker_sim --demo``) plays each item as soon as the
cluster knows it instead of waiting for its slot, and reports it as started at the slot's
time: a newcomer sees a bulletin approved at 14:00 reach "played" for its 17:00 slot within
seconds. Windows already closed in real time are still never played.
"""

import asyncio
import datetime as dt
import hashlib
import random
import time
from dataclasses import dataclass, field

import httpx


class SimClock:
    """Simulated wall clock running ``speed`` times faster than real time from ``start``."""

    def __init__(self, speed: float = 1.0, start: dt.datetime | None = None):
        self.speed = speed
        self.start = start or dt.datetime.now(dt.UTC)
        self.t0 = time.monotonic()

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=(time.monotonic() - self.t0) * self.speed)

    def real_seconds(self, sim_seconds: float) -> float:
        return sim_seconds / self.speed


@dataclass
class Faults:
    offline_seconds: float = 0.0  # real seconds offline at start (then catches up)
    offline_fraction: float = 1.0  # share of the fleet that starts offline
    loss: float = 0.0  # probability that a request is lost
    corrupt: float = 0.0  # probability that a download arrives corrupted
    corrupt_first: int = 0  # the first N downloads of each cluster arrive corrupted


@dataclass
class Stats:
    latencies: dict = field(default_factory=lambda: {"schedule": [], "heartbeat": [],
                                                     "receipts": [], "audio": [], "commands": []})
    statuses: dict = field(default_factory=dict)
    played: list = field(default_factory=list)  # (cluster code, item id, started_at)
    checksum_failures: int = 0
    lost: int = 0
    errors: list = field(default_factory=list)

    def record(self, kind: str, seconds: float, status: int) -> None:
        self.latencies[kind].append(seconds)
        self.statuses[status] = self.statuses.get(status, 0) + 1


class LostRequest(Exception):
    pass


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


class SimulatedCluster:
    def __init__(self, *, server: str, token: str, code: str, client: httpx.AsyncClient,
                 clock: SimClock, stats: Stats, faults: Faults | None = None,
                 rng: random.Random | None = None, fast_forward: bool = False,
                 play_speed: float | None = None):
        self.fast_forward = fast_forward
        #: How much faster than real time playback runs (default: the clock's speed).
        self.play_speed = play_speed or clock.speed
        self.server = server.rstrip("/")
        self.token = token
        self.code = code
        self.client = client
        self.clock = clock
        self.stats = stats
        self.faults = faults or Faults()
        self.rng = rng or random.Random()
        self.etag: str | None = None
        self.items: dict[int, dict] = {}
        self.audio: dict[int, bytes] = {}
        self.done: set[int] = set()
        self.receipts: list[dict] = []
        self.playing: dict | None = None
        self.volume = 70
        goes_offline = self.rng.random() < self.faults.offline_fraction
        self.offline_until = time.monotonic() + (self.faults.offline_seconds if goes_offline else 0)
        self.commands_seen: list[dict] = []
        self.downloads = 0
        #: A lean keep-alive connection replaces ``client`` for large fleets (see lean_http).
        self.connection = None
        self.command_connection = None
        #: Set to stop the current playback (a preempting emergency, a ``stop`` command).
        self.interrupt = asyncio.Event()
        #: Set to poll the schedule at once (a ``play_now`` command).
        self.wake = asyncio.Event()
        #: The MQTT side (``device_bridge.mqtt.simulator.MqttLink``) when speaking MQTT.
        self.mqtt = None

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def offline(self) -> bool:
        return time.monotonic() < self.offline_until

    async def _request(self, kind: str, method: str, url: str, **kwargs) -> httpx.Response:
        lose = self.faults.loss and self.rng.random() < self.faults.loss
        if lose and self.rng.random() < 0.5:
            self.stats.lost += 1
            raise LostRequest(kind)
        started = time.perf_counter()
        lean = self.command_connection if kind == "commands" else self.connection
        client = lean or self.client
        response = await client.request(method, url, headers={**self.headers,
                                        **kwargs.pop("headers", {})}, **kwargs)
        self.stats.record(kind, time.perf_counter() - started, response.status_code)
        if lose:
            # The server handled it but the answer never arrived: the client must resend.
            self.stats.lost += 1
            raise LostRequest(kind)
        return response

    async def fetch_schedule(self) -> bool:
        headers = {"If-None-Match": self.etag} if self.etag else {}
        response = await self._request("schedule", "GET", f"{self.server}/api/devices/v1/schedule",
                                       headers=headers)
        if response.status_code == 304:
            return False
        response.raise_for_status()
        body = response.json()
        self.etag = response.headers.get("ETag")
        self.items = {item["id"]: item for item in body["items"] if item["id"] not in self.done}
        return True

    def heartbeat_body(self) -> dict:
        return {"status": "playing" if self.playing else "idle", "volume": self.volume,
                "signal_strength": -70 - self.rng.randint(0, 30), "firmware": "sim-1.0",
                "temperature_c": 35 + self.rng.random() * 10,
                "playing": ({"item_id": self.playing["id"],
                             "started_at": self.playing["started_at"].isoformat()}
                            if self.playing else None)}

    async def heartbeat(self) -> dict:
        if self.mqtt is not None:
            self.mqtt.publish_status()
            return {}
        response = await self._request("heartbeat", "POST", f"{self.server}/api/devices/v1/heartbeat",
                                       json=self.heartbeat_body())
        response.raise_for_status()
        return response.json()

    async def download(self, item: dict) -> bytes | None:
        audio = item["audio"]
        response = await self._request("audio", "GET", audio["url"])
        if response.status_code != 200:
            self.stats.errors.append(f"{self.code}: audio {item['id']} HTTP {response.status_code}")
            return None
        data = response.content
        self.downloads += 1
        if self.downloads <= self.faults.corrupt_first or (
            self.faults.corrupt and self.rng.random() < self.faults.corrupt
        ):
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        if len(data) != audio["size_bytes"] or hashlib.sha256(data).hexdigest() != audio["sha256"]:
            self.stats.checksum_failures += 1
            return None
        return data

    async def play_due(self) -> None:
        now = self.clock.now()
        due = sorted(
            (item for item in self.items.values()
             if item["id"] not in self.done and (self.fast_forward or _parse(item["play_at"]) <= now)),
            key=lambda item: (not item["preempt"], _parse(item["play_at"]), item["rank"], item["id"]),
        )
        for item in due:
            if _parse(item["play_until"]) <= self.clock.now():
                # Never play an expired item, whatever happened while offline.
                self.done.add(item["id"])
                continue
            if item["kind"] == "bulletin" and item["id"] not in self.audio:
                data = await self.download(item)
                if data is None:
                    continue  # retried next tick while the window is open
                self.audio[item["id"]] = data
            await self.play(item)

    async def play(self, item: dict) -> None:
        started = self.clock.now()
        if self.fast_forward:
            started = max(started, _parse(item["play_at"]))
        self.playing = {"id": item["id"], "started_at": started, "preempt": item["preempt"]}
        if item["kind"] == "bulletin":
            seconds = (item["audio"]["duration_seconds"] or 1) * item["repeat"]
        else:
            seconds = (_parse(item["play_until"]) - started).total_seconds()
        self.interrupt.clear()
        try:
            await asyncio.wait_for(self.interrupt.wait(), max(seconds, 0) / self.play_speed)
        except TimeoutError:
            pass
        else:
            # Stopped by an emergency or a stop command: an interrupted receipt; an item whose
            # window is still open may be played again later (a relay resumes).
            self.playing = None
            self.receipts.append({"item_id": item["id"], "started_at": started.isoformat(),
                                  "finished_at": self.clock.now().isoformat(),
                                  "result": "interrupted"})
            return
        finished = (started + dt.timedelta(seconds=max(seconds, 0)) if self.fast_forward
                    else self.clock.now())
        self.playing = None
        self.done.add(item["id"])
        self.stats.played.append((self.code, item["id"], started))
        self.receipts.append({"item_id": item["id"], "started_at": started.isoformat(),
                              "finished_at": finished.isoformat(), "result": "played"})

    async def flush_receipts(self) -> None:
        if not self.receipts:
            return
        batch = self.receipts[:100]
        response = await self._request("receipts", "POST", f"{self.server}/api/devices/v1/receipts",
                                       json={"receipts": batch})
        if response.status_code in (200, 403, 422):
            # Answered: accepted, duplicate or rejected; none of them is worth resending.
            del self.receipts[:len(batch)]
            for result in response.json()["results"]:
                if result["status"] == "rejected":
                    self.stats.errors.append(f"{self.code}: receipt rejected {result}")

    async def poll_commands(self, wait: float) -> list[dict]:
        response = await self._request("commands", "GET", f"{self.server}/api/devices/v1/commands",
                                       params={"wait": wait})
        response.raise_for_status()
        commands = response.json()["commands"]
        for command in commands:
            # Protocol 1.1 redelivers a command until acknowledged: act on an id once, ack every copy.
            if all(seen["id"] != command["id"] for seen in self.commands_seen):
                self.commands_seen.append(command)
                self.command_act(command)
            await self._request("commands", "POST",
                                f"{self.server}/api/devices/v1/commands/{command['id']}/ack",
                                json={"result": "ok"})
        return commands

    def command_act(self, command: dict) -> None:
        """What a cluster does with a command, whichever transport brought it."""
        kind, payload = command["kind"], command.get("payload") or {}
        if kind == "set_volume":
            self.volume = int(payload.get("volume", self.volume))
        elif kind == "play_now":
            self.etag = None  # fetch the emergency item at once
            self.wake.set()
            if self.playing and not self.playing.get("preempt"):
                self.interrupt.set()
        elif kind == "stop":
            self.done.add(payload.get("item_id"))
            if self.playing and self.playing["id"] == payload.get("item_id"):
                self.interrupt.set()

    async def step(self, *, schedule: bool = True, heartbeat: bool = True) -> None:
        """One cycle; a lost request is simply retried at the next cycle."""
        if self.offline:
            return
        for action, enabled in ((self.heartbeat, heartbeat), (self.fetch_schedule, schedule),
                                (self.play_due, True), (self.flush_receipts, True)):
            if not enabled:
                continue
            try:
                await action()
            except (LostRequest, httpx.TransportError):
                continue
            except httpx.HTTPStatusError as err:
                self.stats.errors.append(f"{self.code}: {err}")


async def run_fleet(
    clusters: list[tuple[str, str]], *, server: str, duration: float, speed: float = 1.0,
    poll_interval: float = 15.0, tick: float = 0.2, faults: Faults | None = None,
    commands_wait: float | None = None, stop_when=None, seed: int = 1, max_connections: int = 200,
    lean: bool = False, fast_forward: bool = False, mqtt=None, on_start=None,
) -> tuple[Stats, list[SimulatedCluster]]:
    """Run ``clusters`` ((code, token) pairs) for ``duration`` real seconds (``0``: until
    cancelled).

    Heartbeat and schedule poll every ``poll_interval`` real seconds (spread evenly over the
    fleet); playback is checked every ``tick``. ``stop_when(sims)`` ends the run early.
    With ``mqtt`` (``device_bridge.mqtt.simulator.MqttOptions``) status and commands go over
    MQTT instead of the heartbeat and the long-poll; ``on_start(sims)`` runs once all are up.
    """
    stats = Stats()
    # Fast-forward keeps real time (receipts carry the slot's time); only playback is sped up.
    clock = SimClock(1.0 if fast_forward else speed)
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        sims = [SimulatedCluster(server=server, token=token, code=code, client=client, clock=clock,
                                 stats=stats, faults=faults, rng=random.Random(rng.random()),
                                 fast_forward=fast_forward, play_speed=speed)
                for code, token in clusters]
        if lean:
            from .lean_http import LeanConnection

            for sim in sims:
                sim.connection = LeanConnection()
                sim.command_connection = LeanConnection(timeout=60)
        if mqtt is not None:
            from device_bridge.mqtt.simulator import MqttLink

            for sim in sims:
                sim.mqtt = MqttLink(sim, mqtt, rng=random.Random(rng.random()))
                await sim.mqtt.connect()
            for sim in sims:
                await asyncio.wait_for(sim.mqtt.connected.wait(), 30)
        if on_start is not None:
            on_start(sims)
        deadline = time.monotonic() + duration if duration > 0 else float("inf")

        async def life(index: int, sim: SimulatedCluster):
            await asyncio.sleep(poll_interval * index / max(len(sims), 1))
            next_poll = 0.0
            while time.monotonic() < deadline:
                poll = time.monotonic() >= next_poll or sim.wake.is_set()
                if poll and not sim.offline:
                    next_poll = time.monotonic() + poll_interval
                    sim.wake.clear()
                await sim.step(schedule=poll, heartbeat=poll)
                try:
                    await asyncio.wait_for(sim.wake.wait(), tick if tick < poll_interval
                                           else poll_interval)
                except TimeoutError:
                    pass

        async def commands(sim: SimulatedCluster):
            while time.monotonic() < deadline:
                if sim.offline:
                    await asyncio.sleep(0.2)
                    continue
                try:
                    await sim.poll_commands(min(commands_wait, max(deadline - time.monotonic(), 0)))
                except (LostRequest, httpx.TransportError, httpx.HTTPStatusError):
                    await asyncio.sleep(0.2)

        tasks = [asyncio.create_task(life(i, sim)) for i, sim in enumerate(sims)]
        if commands_wait is not None:
            tasks += [asyncio.create_task(commands(sim)) for sim in sims]
        if stop_when is not None:
            async def watcher():
                nonlocal deadline
                while time.monotonic() < deadline:
                    if stop_when(sims):
                        deadline = time.monotonic()
                        break
                    await asyncio.sleep(0.1)
            tasks.append(asyncio.create_task(watcher()))
        await asyncio.gather(*tasks)
        for sim in sims:
            if sim.mqtt is not None:
                sim.mqtt.close()
        if mqtt is not None:
            await asyncio.sleep(0.2)  # let the goodbyes go out
        for sim in sims:
            for connection in (sim.connection, sim.command_connection):
                if connection is not None:
                    await connection.close()
    return stats, sims


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def summary(stats: Stats, sims: list[SimulatedCluster]) -> str:
    lines = [f"clusters={len(sims)} played={len(stats.played)} "
             f"unsent_receipts={sum(len(s.receipts) for s in sims)} "
             f"checksum_failures={stats.checksum_failures} lost_requests={stats.lost} "
             f"statuses={dict(sorted(stats.statuses.items()))}"]
    for kind, values in stats.latencies.items():
        if values:
            lines.append(f"  {kind:<9} n={len(values):<6} p50={percentile(values, 50) * 1000:.1f}ms "
                         f"p99={percentile(values, 99) * 1000:.1f}ms")
    lines += [f"  error: {error}" for error in stats.errors[:10]]
    return "\n".join(lines)
