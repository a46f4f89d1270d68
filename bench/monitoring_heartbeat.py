"""What fleet monitoring adds to the heartbeat path (the state-history receiver).

Every written heartbeat sends ``heartbeat_recorded``; the monitoring receiver reads the
cluster's last state from the cache and writes a row only on a transition. Measured side by
side in one run, rounds interleaved, on the bench's SQLite file (WAL, as the embedded default):

- steady: written heartbeats that change no state (the common case: a cache read);
- transitions: every heartbeat flips idle/playing (the worst case: a row per heartbeat);

each with the receiver connected and disconnected. Prints the median time per heartbeat and the
ratio. Run: ``.venv/bin/python bench/monitoring_heartbeat.py`` (about a minute).
"""

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
BEATS = int(os.environ.get("BENCH_BEATS", "300"))


def run(clusters, *, flip: bool) -> float:
    """Seconds per heartbeat over BEATS heartbeats spread across the clusters."""
    from device_bridge.fleet.services import cluster_heartbeat_record
    from device_bridge.models import SpeakerCluster

    now = timezone.now()
    if not flip:
        # One untimed heartbeat each first: the state left by the previous round is not "steady".
        for cluster in clusters:
            now += dt.timedelta(milliseconds=10)
            cluster_heartbeat_record(cluster=cluster, data={"status": "idle", "volume": 50},
                                     now=now, write_every_seconds=0)
            cluster.last_seen_at = now
    start = time.perf_counter()
    for n in range(BEATS):
        cluster = clusters[n % len(clusters)]
        status = ("playing" if (n // len(clusters)) % 2 else "idle") if flip else "idle"
        now += dt.timedelta(milliseconds=10)
        # write_every_seconds=0: every heartbeat is written (and so signalled), as a changed one is.
        cluster_heartbeat_record(cluster=cluster, data={"status": status, "volume": 50}, now=now,
                                 write_every_seconds=0)
        cluster.last_seen_at = now
    elapsed = time.perf_counter() - start
    SpeakerCluster.objects.update(last_seen_at=timezone.now())
    return elapsed / BEATS


def main():
    call_command("migrate", verbosity=0)
    from content_types.services import demo_site_seed
    from device_bridge.fleet.signals import heartbeat_recorded
    from device_bridge.models import SpeakerCluster
    from device_bridge.monitoring.receivers import record_heartbeat_state

    demo_site_seed()
    SpeakerCluster.objects.filter(code__startswith="bench-").delete()
    clusters = [SpeakerCluster.objects.create(code=f"bench-{n}", name=f"Bench {n}",
                                              last_seen_at=timezone.now())
                for n in range(50)]
    results = {key: [] for key in ("steady_on", "steady_off", "flip_on", "flip_off")}
    for round_number in range(ROUNDS):
        order = list(results) if round_number % 2 else list(reversed(results))
        for key in order:
            connected = key.endswith("_on")
            if not connected:
                heartbeat_recorded.disconnect(dispatch_uid="monitoring.heartbeat_state")
            try:
                results[key].append(run(clusters, flip=key.startswith("flip")))
            finally:
                if not connected:
                    heartbeat_recorded.connect(record_heartbeat_state,
                                               dispatch_uid="monitoring.heartbeat_state")
    median = {key: statistics.median(values) * 1000 for key, values in results.items()}
    print(f"{BEATS} heartbeats x {ROUNDS} rounds, 50 clusters, SQLite (bench settings)")
    print(f"steady (no transition): {median['steady_off']:.3f} ms without monitoring, "
          f"{median['steady_on']:.3f} ms with: ratio {median['steady_on'] / median['steady_off']:.2f}x")
    print(f"every heartbeat a transition: {median['flip_off']:.3f} ms without, "
          f"{median['flip_on']:.3f} ms with: ratio {median['flip_on'] / median['flip_off']:.2f}x")


if __name__ == "__main__":
    main()
