"""Device protocol load: N simulated clusters polling every 15 s plus heartbeats, one server.

Starts one server process (Django's own threaded WSGI server, as ``runserver --noreload``
uses, DEBUG off, SQLite file in WAL mode) and runs the simulator in a second process; prints client-side round-trip p50/p99 on loopback (an upper
bound of server latency) and the server's CPU use while under load, for 100 and 1,000 clusters.
Run: ``.venv/bin/python bench/devices.py`` (about 2 minutes). Goal at 1,000: p99 < 50 ms and
CPU < 0.5 core.
"""

import asyncio
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import free_port, wait_for_server  # noqa: E402

os.environ.setdefault("BENCH_DB_DIR", tempfile.mkdtemp(prefix="ttcs-bench-devices-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("TTS_ENGINE", "fake")

POLL_SECONDS = 15.0
RUNS = [(100, 35.0), (1000, 50.0)]  # (clusters, seconds of load)
STARTUP_SECONDS = 3.0  # simulator processes importing Django
WARMUP_SECONDS = POLL_SECONDS + 3
ITEMS_PER_CLUSTER = 3
CLIENT_PROCESSES = 2


def setup_fleet(count: int) -> Path:
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
    existing = SpeakerCluster.objects.count()
    clusters = [SpeakerCluster(code=f"bench-{n:04d}", name=f"Cụm {n}", zone=zones[n % 10])
                for n in range(existing, count)]
    SpeakerCluster.objects.bulk_create(clusters)
    lines = []
    updated = []
    for n, cluster in enumerate(SpeakerCluster.objects.order_by("pk")[:count]):
        cluster.token_id = f"b{n:011d}"
        secret = f"bench-secret-{n}"
        cluster.token_hash = token_hash(secret)
        updated.append(cluster)
        lines.append(f"{cluster.code} {cluster.token_id}.{secret}\n")
    SpeakerCluster.objects.bulk_update(updated, ["token_id", "token_hash"])
    # A realistic schedule: three bulletins in the coming days (nothing plays during the run).
    start = timezone.now() + dt.timedelta(hours=6)
    ScheduleItem.objects.all().delete()
    ScheduleItem.objects.bulk_create([
        ScheduleItem(cluster=cluster, title=f"Bản tin {k}", play_at=start + dt.timedelta(hours=5 * k),
                     play_until=start + dt.timedelta(hours=5 * k + 1), audio_name=f"tts/{k}.mp3",
                     audio_sha256="0" * 64, audio_size=480_000, audio_duration=60.0)
        for cluster in updated for k in range(ITEMS_PER_CLUSTER)
    ], batch_size=500)
    tokens = Path(os.environ["BENCH_DB_DIR"]) / "tokens.txt"
    tokens.write_text("".join(lines))
    return tokens


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_timings(server, path: Path) -> list[float]:
    """Ask the server for its request timings since the last call (SIGUSR1)."""
    path.unlink(missing_ok=True)
    server.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.05)
    return json.loads(path.read_text()) if path.exists() else []


def simulate(url: str, tokens: str, first: int, count: int, duration: float) -> None:
    """Child process: run a slice of the fleet, print one JSON line of raw results."""
    import resource

    from device_bridge.fleet.simulator import run_fleet

    pairs = [tuple(line.split()) for line in Path(tokens).read_text().splitlines()]
    stats, sims = asyncio.run(run_fleet(pairs[first:first + count], server=url, duration=duration,
                                        poll_interval=POLL_SECONDS, tick=POLL_SECONDS,
                                        max_connections=count, lean=True))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "latencies": [v for values in stats.latencies.values() for v in values],
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
    merged = {"latencies": [], "statuses": {}, "errors": [], "cpu_seconds": 0.0}
    for child in children:
        out, err = child.communicate(timeout=duration + 120)
        if child.returncode:
            raise RuntimeError(err[-2000:])
        part = json.loads(out.strip().splitlines()[-1])
        merged["latencies"] += part["latencies"]
        merged["errors"] += part["errors"]
        merged["cpu_seconds"] += part["cpu_seconds"]
        for status, n in part["statuses"].items():
            merged["statuses"][status] = merged["statuses"].get(status, 0) + n
    return merged


def main() -> None:
    from device_bridge.fleet.simulator import percentile

    largest = max(count for count, _ in RUNS)
    tokens = setup_fleet(largest)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    results = []
    try:
        wait_for_server(url, path="/api/devices/v1/openapi.json")
        timings_file = Path(os.environ["BENCH_DB_DIR"], "server-timings.json")
        for count, duration in RUNS:
            server_timings(server, timings_file)  # reset
            cpu0 = cpu_seconds(server.pid)
            children = start_clients(url, tokens, count, duration, env)
            # Every cluster's first poll is a full 200 body; after WARMUP_SECONDS the fleet is
            # in its steady state (304s and heartbeats), which is what runs all day.
            time.sleep(STARTUP_SECONDS + WARMUP_SECONDS)
            first = server_timings(server, timings_file)
            cpu1, steady_start = cpu_seconds(server.pid), time.monotonic()
            # Sample before the simulators wind down, so the window is fully under load.
            time.sleep(max(duration - WARMUP_SECONDS - 2, 1))
            steady_wall = time.monotonic() - steady_start
            cpu2 = cpu_seconds(server.pid)
            steady = server_timings(server, timings_file)
            clients = collect_clients(children, duration)
            tail = server_timings(server, timings_file)
            served = first + steady + tail
            rtt = clients["latencies"]
            result = {
                "clusters": count, "seconds": duration, "requests": len(served),
                "cpu_cores": (cpu2 - cpu0) / duration,
                "steady_cpu_cores": (cpu2 - cpu1) / steady_wall,
                "server_p50_ms": percentile(served, 50) * 1000,
                "server_p99_ms": percentile(served, 99) * 1000,
                "steady_p50_ms": percentile(steady, 50) * 1000,
                "steady_p99_ms": percentile(steady, 99) * 1000,
                "steady_rate": len(steady) / steady_wall,
                "p50_ms": percentile(rtt, 50) * 1000, "p99_ms": percentile(rtt, 99) * 1000,
                "errors": clients["errors"],
            }
            results.append(result)
            print(f"{count:>5} clusters, {duration:.0f} s, {len(served)} requests, "
                  f"statuses {clients['statuses']}, simulator CPU "
                  f"{clients['cpu_seconds'] / duration:.2f} core", flush=True)
            print(f"      whole run (incl. every cluster's first full fetch): server "
                  f"p50={result['server_p50_ms']:.1f} ms p99={result['server_p99_ms']:.1f} ms, "
                  f"server CPU={result['cpu_cores']:.2f} core; client round trip "
                  f"p50={result['p50_ms']:.1f} ms p99={result['p99_ms']:.1f} ms")
            print(f"      steady state ({result['steady_rate']:.0f} req/s): server "
                  f"p50={result['steady_p50_ms']:.1f} ms p99={result['steady_p99_ms']:.1f} ms, "
                  f"server CPU={result['steady_cpu_cores']:.2f} core", flush=True)
            if result["errors"]:
                print("        errors:", result["errors"])
    finally:
        server.terminate()
        server.wait(10)
    small, large = results[0], results[-1]
    print(f"growth x{large['clusters'] / small['clusters']:.0f} clusters (steady state): "
          f"requests/s x{large['steady_rate'] / small['steady_rate']:.1f}, "
          f"CPU x{large['steady_cpu_cores'] / max(small['steady_cpu_cores'], 1e-9):.1f}, "
          f"server p99 {small['steady_p99_ms']:.1f} -> {large['steady_p99_ms']:.1f} ms")
    ok = large["steady_p99_ms"] < 50 and large["steady_cpu_cores"] < 0.5
    print(f"goal at {large['clusters']} clusters, steady state (p99 < 50 ms, CPU < 0.5 core): "
          f"{'met' if ok else 'NOT met'}")


def serve(port: int) -> None:
    """Child process: the server under test."""
    from django.conf import settings

    # One DB connection per server thread, reused across keep-alive requests (production
    # settings do the same through DATABASE_URL's conn_max_age).
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 60
    import django

    django.setup()
    import socketserver

    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
    from django.core.wsgi import get_wsgi_application
    class QuietHandler(WSGIRequestHandler):
        def setup(self):
            super().setup()
            # wsgiref writes headers and body separately; without NODELAY, Nagle waits for
            # the client's delayed ACK (40 ms) before sending the body.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args):
            pass

    class ThreadedServer(socketserver.ThreadingMixIn, WSGIServer):
        daemon_threads = True
        # The stdlib default backlog (5, Django's 10) drops connection bursts, and a dropped
        # SYN costs the client a 1-3 s retransmit while the server sits idle.
        request_queue_size = 1024

    import signal

    django_app = get_wsgi_application()
    timings: list[float] = []

    def timed_app(environ, start_response):
        # Server latency: from the WSGI call to the finished response body (Django renders
        # non-streaming responses before returning), without the client's own delays.
        started = time.perf_counter()
        result = django_app(environ, start_response)
        timings.append(time.perf_counter() - started)
        return result

    def dump(signum, frame):
        snapshot = timings[:]
        timings.clear()
        Path(os.environ["BENCH_DB_DIR"], "server-timings.json").write_text(json.dumps(snapshot))

    signal.signal(signal.SIGUSR1, dump)
    httpd = ThreadedServer(("127.0.0.1", port), QuietHandler)
    httpd.set_app(timed_app)
    httpd.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--simulate":
        import django

        django.setup()
        simulate(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
    else:
        main()
