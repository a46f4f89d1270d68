"""Command created → waiting long-poll answered: latency on every backend, side by side.

One gunicorn process serves the device API; N simulated clusters (threads, one keep-alive
connection each) hold ``GET /commands?wait=25`` open; ANOTHER process (this script, standing
for the django-q2 worker) creates one command per cluster with ``cluster_command_create``, the
call the emergency path and the admin make. Printed per set-up: p50, p99 and max of the time
from each command's commit to its cluster's answer, and the ratio to the 1.0 behaviour
(``local``: no cross-process wake, the long-poll finds a worker's command at its 5-second
database recheck).

Set-ups: SQLite with ``local`` (1.0) and ``file``; PostgreSQL (``BENCH_PG_URL``, default
``postgresql://postgres@127.0.0.1:5432``) with ``postgresql`` (NOTIFY) and with Redis pub/sub
(``redis://127.0.0.1:6379/13``) when they answer.

Run: ``.venv/bin/python bench/longpoll_wake.py [--clusters 100] [--rounds 3]`` (a few minutes:
each set-up migrates a fresh database).
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import free_port, gunicorn_start, wait_for_server  # noqa: E402

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
REDIS_URL = "redis://127.0.0.1:6379/13"


def _reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# --- one set-up, in its own process (its own settings) ------------------------------------

def run_setup(clusters: int, rounds: int) -> dict:
    import http.client

    import django

    django.setup()
    from django.core.management import call_command

    from device_bridge.fleet.services import cluster_command_create, cluster_token_rotate
    from device_bridge.models import SpeakerCluster

    call_command("migrate", verbosity=0)
    fleet = []
    for n in range(clusters):
        cluster = SpeakerCluster.objects.create(code=f"bench-{n:04d}", name=f"Cụm {n}")
        fleet.append((cluster, cluster_token_rotate(cluster=cluster)))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = gunicorn_start("cms.wsgi:application", port, threads=clusters + 8, cwd=ROOT, env=env)
    latencies, answered = [], {}
    try:
        wait_for_server(f"http://127.0.0.1:{port}", path="/api/devices/v1/openapi.json")

        def long_poll(cluster_id: int, token: str):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = {"Authorization": f"Bearer {token}"}
            conn.request("GET", "/api/devices/v1/commands?wait=25", headers=headers)
            body = json.loads(conn.getresponse().read())
            answered[cluster_id] = time.monotonic()
            for command in body["commands"]:
                conn.request("POST", f"/api/devices/v1/commands/{command['id']}/ack",
                             body=b'{"result": "ok"}',
                             headers={**headers, "Content-Type": "application/json"})
                conn.getresponse().read()
            conn.close()

        for _round in range(rounds):
            answered.clear()
            threads = [threading.Thread(target=long_poll, args=(cluster.pk, token))
                       for cluster, token in fleet]
            for thread in threads:
                thread.start()
            time.sleep(1.5)  # every long-poll is waiting on the server
            created = {}
            for cluster, _token in fleet:
                cluster_command_create(cluster=cluster, kind="set_volume", payload={"volume": 50})
                created[cluster.pk] = time.monotonic()
            for thread in threads:
                thread.join()
            latencies += [answered[pk] - created[pk] for pk in created]
    finally:
        server.terminate()
        server.wait(10)
    return {"n": len(latencies), "p50": percentile(latencies, 0.5),
            "p99": percentile(latencies, 0.99), "max": max(latencies)}


# --- the driver ----------------------------------------------------------------------------

def setups() -> list[tuple[str, dict]]:
    found = [("SQLite, 1.0 (local + 5 s recheck)", {"BENCH_WAKE": "local"}),
             ("SQLite, watched file", {"BENCH_WAKE": "file"})]
    if _reachable("127.0.0.1", 5432):
        found.append(("PostgreSQL, NOTIFY", {"BENCH_WAKE": "postgresql", "_pg": "1"}))
        if _reachable("127.0.0.1", 6379):
            found.append(("PostgreSQL + Redis pub/sub",
                          {"BENCH_WAKE": "redis", "_pg": "1", "REDIS_URL": REDIS_URL}))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clusters", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_setup(args.clusters, args.rounds)))
        return
    results = []
    for label, extra in setups():
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        env.update({k: v for k, v in extra.items() if not k.startswith("_")})
        env.update(DJANGO_SETTINGS_MODULE="bench.longpoll_settings", PYTHONPATH=str(ROOT),
                   BENCH_DB_DIR=tempfile.mkdtemp(prefix="ttcs-bench-wake-"))
        database = None
        try:
            if extra.get("_pg"):
                import psycopg

                database = f"ttcs_bench_wake_{uuid.uuid4().hex[:8]}"
                with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{database}"')
                env["DATABASE_URL"] = f"{PG_URL}/{database}"
            out = subprocess.run([sys.executable, __file__, "--child", "--clusters",
                                  str(args.clusters), "--rounds", str(args.rounds)],
                                 env=env, cwd=ROOT, capture_output=True, text=True)
            if out.returncode:
                print(f"{label}: failed\n{out.stderr[-3000:]}", file=sys.stderr)
                continue
            results.append((label, json.loads(out.stdout.strip().splitlines()[-1])))
            print(label, results[-1][1], file=sys.stderr, flush=True)
        except Exception as err:  # a busy shared PostgreSQL must not lose the other set-ups
            print(f"{label}: {err}", file=sys.stderr)
        finally:
            if database:
                with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    if not results:
        return
    baseline = results[0][1]["p99"]
    print(f"{args.clusters} clusters waiting, {args.rounds} rounds of one command each, "
          "made in another process than the server's")
    print(f"{'set-up':40} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'p99 vs 1.0':>11}")
    for label, r in results:
        print(f"{label:40} {r['p50'] * 1000:8.1f} {r['p99'] * 1000:8.1f} {r['max'] * 1000:8.1f} "
              f"{baseline / r['p99']:10.1f}x")


if __name__ == "__main__":
    main()
