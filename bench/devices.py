"""Device protocol load against the production server: N clusters polling every 15 s plus heartbeats.

The server is what ``make serve`` runs: gunicorn with ``cms/gunicorn.conf.py`` (its worker and
thread counts, unless ``GUNICORN_WORKERS``/``GUNICORN_THREADS`` are set) and
``cms.settings.production``, on a throwaway PostgreSQL database (``BENCH_PG_URL``, default
``postgresql://postgres@127.0.0.1:5432``) and, when it answers, Redis db 12 as the cache. The
simulator runs in two more processes on the same machine (lean keep-alive connections, one per
cluster). Printed for 100, 1,000 and 3,000 clusters:

- server latency: gunicorn's own request time (the access log's last field, microseconds);
- client round trip on loopback, as the simulated clusters measured it;
- the server's CPU (master and workers), per request and as cores;
- both over the whole run (every cluster's first full schedule included) and in the steady
  state (304s and heartbeats: what runs all day).

Run: ``.venv/bin/python bench/devices.py`` (about 5 minutes; ``--quick`` runs 100 and 1,000
only). Goal at 3,000: steady-state server p99 < 50 ms and client round-trip p99 < 200 ms.
"""

import asyncio
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import free_port, wait_for_server  # noqa: E402

POLL_SECONDS = 15.0
RUNS = [(100, 35.0), (1000, 50.0), (3000, 60.0)]  # (clusters, seconds of load)
STARTUP_SECONDS = 3.0  # simulator processes importing Django
WARMUP_SECONDS = POLL_SECONDS + 3
ITEMS_PER_CLUSTER = 3
CLIENT_PROCESSES = 2
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
REDIS_URL = "redis://127.0.0.1:6379/12"


def production_env(database_url: str, work: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY="bench-devices-" + uuid.uuid4().hex + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1",
        SITE_BASE_URL=f"http://127.0.0.1:{port}",
        # The clusters talk to gunicorn directly here; in production TLS ends at the proxy.
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(work / "media"),
        STATIC_ROOT=str(work / "static"),
        TTS_ENGINE="fake",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_ACCESS_LOG=str(work / "access.log"),
    )
    if _reachable("127.0.0.1", 6379):
        env["REDIS_URL"] = REDIS_URL
    return env


def _reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def create_database() -> str:
    import psycopg

    name = f"ttcs_bench_devices_{os.getpid()}"
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_fleet(count: int, tokens: Path) -> None:
    """Migrate, then ``count`` clusters with known tokens and three upcoming bulletins each."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from content_types.snippets import Zone
    from device_bridge.fleet.services import token_hash
    from device_bridge.models import ScheduleItem, SpeakerCluster

    call_command("migrate", verbosity=0)
    zones = [Zone.objects.get_or_create(code=f"thon-{n}", defaults={"name": f"Thôn {n}"})[0]
             for n in range(10)]
    clusters = [SpeakerCluster(code=f"bench-{n:04d}", name=f"Cụm {n}", zone=zones[n % 10],
                               token_id=f"b{n:011d}", token_hash=token_hash(f"bench-secret-{n}"))
                for n in range(count)]
    SpeakerCluster.objects.bulk_create(clusters, batch_size=1000)
    clusters = list(SpeakerCluster.objects.order_by("pk"))
    # A realistic schedule: three bulletins in the coming days (nothing plays during the run).
    start = timezone.now() + dt.timedelta(hours=6)
    ScheduleItem.objects.bulk_create([
        ScheduleItem(cluster=cluster, title=f"Bản tin {k}", play_at=start + dt.timedelta(hours=5 * k),
                     play_until=start + dt.timedelta(hours=5 * k + 1), audio_name=f"tts/{k}.mp3",
                     audio_sha256="0" * 64, audio_size=480_000, audio_duration=60.0)
        for cluster in clusters for k in range(ITEMS_PER_CLUSTER)
    ], batch_size=1000)
    tokens.write_text("".join(f"{cluster.code} {cluster.token_id}.bench-secret-{n}\n"
                              for n, cluster in enumerate(clusters)))
    from django.db import connection

    connection.close()


def server_cpu_seconds(master: int) -> float:
    """CPU of gunicorn's master and its workers (none restarts during the run)."""
    pids = [master]
    for task in Path(f"/proc/{master}/task").iterdir():
        pids += [int(pid) for pid in (task / "children").read_text().split()]
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


class AccessLog:
    """Request durations from gunicorn's access log, read window by window."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0

    def read(self) -> list[float]:
        time.sleep(0.2)  # lines still being written
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            data = handle.read()
        complete = data.rfind(b"\n") + 1
        self.offset += complete
        return [int(line.rsplit(b" ", 1)[1]) / 1e6 for line in data[:complete].splitlines()
                if b"/api/devices/" in line]


def simulate(url: str, tokens: str, first: int, count: int, duration: float) -> None:
    """Child process: run a slice of the fleet, print one JSON line of timed results."""
    import resource

    from device_bridge.fleet import simulator

    class TimedStats(simulator.Stats):
        def __init__(self):
            super().__init__()
            self.timed = []

        def record(self, kind, seconds, status):
            super().record(kind, seconds, status)
            self.timed.append((time.time(), seconds))

    simulator.Stats = TimedStats  # run_fleet builds its Stats at call time
    pairs = [tuple(line.split()) for line in Path(tokens).read_text().splitlines()]
    stats, sims = asyncio.run(simulator.run_fleet(
        pairs[first:first + count], server=url, duration=duration, poll_interval=POLL_SECONDS,
        tick=POLL_SECONDS, max_connections=count, lean=True))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "timed": stats.timed,
        "statuses": stats.statuses,
        "errors": stats.errors[:5],
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }))


def start_clients(url: str, tokens: Path, count: int, duration: float, env: dict) -> list:
    """The simulator in CLIENT_PROCESSES processes so the client is not the bottleneck."""
    share = -(-count // CLIENT_PROCESSES)
    return [
        subprocess.Popen([sys.executable, __file__, "--simulate", url, str(tokens), str(start),
                          str(min(share, count - start)), str(duration)],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for start in range(0, count, share)
    ]


def collect_clients(children: list, duration: float) -> dict:
    merged = {"timed": [], "statuses": {}, "errors": [], "cpu_seconds": 0.0}
    for child in children:
        out, err = child.communicate(timeout=duration + 120)
        if child.returncode:
            raise RuntimeError(err[-2000:])
        part = json.loads(out.strip().splitlines()[-1])
        merged["timed"] += part["timed"]
        merged["errors"] += part["errors"]
        merged["cpu_seconds"] += part["cpu_seconds"]
        for status, n in part["statuses"].items():
            merged["statuses"][status] = merged["statuses"].get(status, 0) + n
    return merged


def cpu_share(seconds: float = 1.0) -> float:
    """The share of one core a spinning process gets right now: 1.0 on an idle machine.

    The server and the simulator share the machine with whatever else runs; under a load
    average above the core count their figures measure the queue for the CPU, not the app.
    """
    started, cpu0 = time.monotonic(), time.process_time()
    while time.monotonic() - started < seconds:
        pass
    return (time.process_time() - cpu0) / (time.monotonic() - started)


def load_run(url: str, server, log: AccessLog, tokens: Path, count: int, duration: float,
             env: dict) -> dict:
    from device_bridge.fleet.simulator import percentile

    share, load = cpu_share(), os.getloadavg()[0]
    log.read()  # reset
    cpu0 = server_cpu_seconds(server.pid)
    children = start_clients(url, tokens, count, duration, env)
    # Every cluster's first poll is a full 200 body; after WARMUP_SECONDS the fleet is in its
    # steady state (304s and heartbeats), which is what runs all day.
    time.sleep(STARTUP_SECONDS + WARMUP_SECONDS)
    first = log.read()
    cpu1, steady_start, steady_from = server_cpu_seconds(server.pid), time.monotonic(), time.time()
    # Sample before the simulators wind down, so the window is fully under load.
    time.sleep(max(duration - WARMUP_SECONDS - 2, 1))
    steady_wall, steady_until = time.monotonic() - steady_start, time.time()
    cpu2 = server_cpu_seconds(server.pid)
    steady = log.read()
    clients = collect_clients(children, duration)
    served = first + steady + log.read()
    rtt = [seconds for _, seconds in clients["timed"]]
    steady_rtt = [seconds for at, seconds in clients["timed"] if steady_from <= at <= steady_until]
    return {
        "clusters": count, "seconds": duration, "requests": len(served),
        "cpu_share": share, "load": load,
        "statuses": clients["statuses"], "errors": clients["errors"],
        "client_cores": clients["cpu_seconds"] / duration,
        "cpu_cores": (cpu2 - cpu0) / duration,
        "steady_cpu_cores": (cpu2 - cpu1) / steady_wall,
        "steady_cpu_ms_per_request": (cpu2 - cpu1) / max(len(steady), 1) * 1000,
        "server_p50_ms": percentile(served, 50) * 1000,
        "server_p99_ms": percentile(served, 99) * 1000,
        "steady_p50_ms": percentile(steady, 50) * 1000,
        "steady_p99_ms": percentile(steady, 99) * 1000,
        "steady_max_ms": max(steady, default=0) * 1000,
        "steady_rate": len(steady) / steady_wall,
        "rtt_p50_ms": percentile(rtt, 50) * 1000, "rtt_p99_ms": percentile(rtt, 99) * 1000,
        "steady_rtt_p50_ms": percentile(steady_rtt, 50) * 1000,
        "steady_rtt_p99_ms": percentile(steady_rtt, 99) * 1000,
    }


def report(r: dict) -> None:
    print(f"{r['clusters']:>5} clusters, {r['seconds']:.0f} s, {r['requests']} requests, statuses "
          f"{r['statuses']}, simulator CPU {r['client_cores']:.2f} core; before the run: load "
          f"average {r['load']:.1f}, a spinning probe got {r['cpu_share']:.2f} of a core", flush=True)
    if r["cpu_share"] < 0.8:
        print("      WARNING: the machine is busy with other work; these figures are the wait for "
              "a CPU, not the app's cost", flush=True)
    print(f"      whole run (incl. every cluster's first full fetch): server "
          f"p50={r['server_p50_ms']:.1f} ms p99={r['server_p99_ms']:.1f} ms, CPU={r['cpu_cores']:.2f} core; "
          f"client round trip p50={r['rtt_p50_ms']:.1f} ms p99={r['rtt_p99_ms']:.1f} ms")
    print(f"      steady state ({r['steady_rate']:.0f} req/s): server p50={r['steady_p50_ms']:.1f} ms "
          f"p99={r['steady_p99_ms']:.1f} ms max={r['steady_max_ms']:.0f} ms, "
          f"CPU={r['steady_cpu_cores']:.2f} core ({r['steady_cpu_ms_per_request']:.2f} ms/request); "
          f"client round trip p50={r['steady_rtt_p50_ms']:.1f} ms p99={r['steady_rtt_p99_ms']:.1f} ms",
          flush=True)
    if r["errors"]:
        print("        errors:", r["errors"])


def main() -> None:
    runs = RUNS[:2] if "--quick" in sys.argv else RUNS
    work = Path(tempfile.mkdtemp(prefix="ttcs-bench-devices-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    database = create_database()
    env = production_env(f"{PG_URL}/{database}", work, port)
    os.environ.update(env)
    server = None
    try:
        tokens = work / "tokens.txt"
        setup_fleet(max(count for count, _ in runs), tokens)
        if env.get("REDIS_URL"):
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
        # As make serve runs it (migrate and collectstatic are done or not needed here).
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "cms/gunicorn.conf.py"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=open(work / "gunicorn.err", "w"))
        wait_for_server(url, path="/api/devices/v1/openapi.json")
        config = subprocess.run(
            [sys.executable, "-c", "import runpy; c = runpy.run_path('cms/gunicorn.conf.py'); "
             "print(c['workers'], c['threads'], c['worker_class'])"],
            cwd=ROOT, env=env, capture_output=True, text=True).stdout.split()
        print(f"gunicorn {config[2]}: {config[0]} workers x {config[1]} threads (cms/gunicorn.conf.py), "
              f"cms.settings.production, PostgreSQL {database}, cache "
              f"{'Redis' if env.get('REDIS_URL') else 'local memory'}; {os.cpu_count()} cores shared "
              f"with {CLIENT_PROCESSES} simulator processes; load average before: "
              f"{os.getloadavg()[0]:.1f}", flush=True)
        log = AccessLog(work / "access.log")
        results = []
        for count, duration in runs:
            results.append(load_run(url, server, log, tokens, count, duration, env))
            report(results[-1])
    finally:
        if server is not None:
            server.terminate()
            server.wait(40)
        drop_database(database)
    small = results[0]
    print("growth (steady state, against 100 clusters):")
    for r in results[1:]:
        print(f"  x{r['clusters'] / small['clusters']:.0f} clusters: requests/s "
              f"x{r['steady_rate'] / small['steady_rate']:.1f}, server CPU "
              f"x{r['steady_cpu_cores'] / max(small['steady_cpu_cores'], 1e-9):.1f}, CPU per request "
              f"{small['steady_cpu_ms_per_request']:.2f} -> {r['steady_cpu_ms_per_request']:.2f} ms, "
              f"server p99 {small['steady_p99_ms']:.1f} -> {r['steady_p99_ms']:.1f} ms, client p99 "
              f"{small['steady_rtt_p99_ms']:.1f} -> {r['steady_rtt_p99_ms']:.1f} ms")
    large = results[-1]
    if len(results) > 2:
        # Steady state: every cluster polls its schedule and heartbeats every POLL_SECONDS.
        expected = 2 * large["clusters"] / POLL_SECONDS
        cheapest = min(r["steady_cpu_ms_per_request"] for r in results)
        print(f"at {large['clusters']} clusters the fleet sends {expected:.0f} requests/s; at the "
              f"cheapest CPU per request measured ({cheapest:.2f} ms) the server needs "
              f"{expected * cheapest / 1000:.2f} core; served {large['steady_rate']:.0f} requests/s")
    ok = large["steady_p99_ms"] < 50 and large["steady_rtt_p99_ms"] < 200
    print(f"goal at {large['clusters']} clusters, steady state (server p99 < 50 ms, client round "
          f"trip p99 < 200 ms): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--simulate":
        import django

        django.setup()
        simulate(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
    else:
        main()
