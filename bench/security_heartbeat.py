"""What the security app adds to a heartbeat (recording whether it came over HTTPS).

``device_bridge.security.receivers`` listens to ``request_started``: for a heartbeat it builds
the request, reads ``is_secure()`` and, at most once an hour per token and scheme, checks the
token and writes ``HeartbeatTransport``; the rest of the hour is one cache read. Measured side
by side in one run, rounds interleaved, whole requests through Django's handler (test client,
HTTPS, bench SQLite file):

- steady: the hour's record exists (cache hit), what runs all day;
- first of the hour: the cache is cleared before every heartbeat (token check + upsert);

each with the receiver connected and disconnected. Prints the median time per heartbeat and the
ratio. Run: ``.venv/bin/python bench/security_heartbeat.py`` (under a minute).
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_started  # noqa: E402
from django.test import Client  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
BEATS = int(os.environ.get("BENCH_BEATS", "300"))
UID = "fleetsecurity_heartbeat_transport"


def run(client, tokens, *, clear_cache: bool) -> float:
    body = json.dumps({"status": "idle", "volume": 50, "firmware": "2.4.1"})
    elapsed = 0.0
    for n in range(BEATS):
        if clear_cache:
            cache.clear()
        start = time.perf_counter()
        response = client.post("/api/devices/v1/heartbeat", body, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {tokens[n % len(tokens)]}",
                               secure=True)
        elapsed += time.perf_counter() - start
        assert response.status_code == 200, response.content
    return elapsed / BEATS


def main():
    call_command("migrate", verbosity=0)
    from content_types.services import demo_site_seed
    from device_bridge.fleet.services import cluster_token_rotate
    from device_bridge.models import SpeakerCluster
    from device_bridge.security.models import HeartbeatTransport
    from device_bridge.security.receivers import heartbeat_transport_observe

    demo_site_seed()
    SpeakerCluster.objects.filter(code__startswith="bench-").delete()
    clusters = [SpeakerCluster.objects.create(code=f"bench-{n}", name=f"Bench {n}")
                for n in range(50)]
    tokens = [cluster_token_rotate(cluster=c) for c in clusters]
    client = Client()
    run(client, tokens, clear_cache=False)  # warm up
    results = {key: [] for key in ("steady_on", "steady_off", "first_on", "first_off")}
    for _round in range(ROUNDS):
        for key in results:
            connected = key.endswith("_on")
            if not connected:
                request_started.disconnect(dispatch_uid=UID)
            try:
                if key.startswith("steady"):
                    # The "first" rounds emptied the cache: refill it untimed, one beat each.
                    for token in tokens:
                        client.post("/api/devices/v1/heartbeat", json.dumps({"status": "idle"}),
                                    content_type="application/json",
                                    HTTP_AUTHORIZATION=f"Bearer {token}", secure=True)
                results[key].append(run(client, tokens, clear_cache=key.startswith("first")))
            finally:
                if not connected:
                    request_started.connect(heartbeat_transport_observe, dispatch_uid=UID)
    recorded = HeartbeatTransport.objects.filter(last_secure_at__isnull=False).count()
    median = {key: statistics.median(values) * 1000 for key, values in results.items()}
    print(f"{BEATS} heartbeats x {ROUNDS} rounds, 50 clusters, SQLite (bench settings), "
          f"{recorded} clusters recorded as HTTPS")
    print(f"steady (cache hit): {median['steady_off']:.3f} ms without the receiver, "
          f"{median['steady_on']:.3f} ms with: ratio {median['steady_on'] / median['steady_off']:.2f}x")
    print(f"first of the hour (token check + write): {median['first_off']:.3f} ms without, "
          f"{median['first_on']:.3f} ms with: ratio {median['first_on'] / median['first_off']:.2f}x")


if __name__ == "__main__":
    main()
