"""Simulate N speaker clusters speaking protocol v1 against a running server."""

import asyncio
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from content_types.snippets import Zone
from device_bridge.fleet.services import cluster_token_rotate
from device_bridge.fleet.simulator import Faults, run_fleet, summary
from device_bridge.models import SpeakerCluster


class Command(BaseCommand):
    help = "Mô phỏng N cụm loa nói giao thức v1 (lấy lịch, tải và kiểm tra âm thanh, phát, gửi biên nhận)."

    def add_arguments(self, parser):
        parser.add_argument("--server", required=True, help="e.g. http://127.0.0.1:8000")
        parser.add_argument("--count", type=int, default=3)
        parser.add_argument("--tokens", help="file of 'code token' lines to use instead of creating clusters")
        parser.add_argument("--tokens-out", help="write the created clusters' tokens here")
        parser.add_argument("--zone", help="zone code for created clusters")
        parser.add_argument("--prefix", default="sim")
        parser.add_argument("--duration", type=float, default=60.0, help="real seconds to run")
        parser.add_argument("--speed", type=float, default=60.0, help="simulated seconds per real second")
        parser.add_argument("--poll", type=float, default=15.0, help="schedule + heartbeat interval (s)")
        parser.add_argument("--tick", type=float, default=1.0, help="playback check interval (s)")
        parser.add_argument("--commands-wait", type=float, default=None,
                            help="long-poll commands with this wait (s); off by default")
        parser.add_argument("--offline", type=float, default=0.0, help="start offline for S seconds")
        parser.add_argument("--offline-fraction", type=float, default=1.0)
        parser.add_argument("--loss", type=float, default=0.0, help="probability a request is lost")
        parser.add_argument("--corrupt", type=float, default=0.0, help="probability a download is corrupted")
        parser.add_argument("--corrupt-first", type=int, default=0,
                            help="corrupt the first N downloads of every cluster")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--lean", action="store_true",
                            help="one raw keep-alive connection per cluster (for large fleets)")
        parser.add_argument("--fast-forward", action="store_true",
                            help="play each item at once, reported at its slot's time (demo)")
        parser.add_argument("--mqtt", action="store_true",
                            help="status and commands over MQTT (MQTT_URL or --mqtt-url) instead "
                                 "of the heartbeat and the long-poll")
        parser.add_argument("--mqtt-url", help="e.g. mqtt://127.0.0.1:1883 (default: MQTT_URL)")
        parser.add_argument("--mqtt-passwords", help="file of 'code password' lines (mqtt_config)")
        parser.add_argument("--mqtt-ack-loss", type=float, default=0.0,
                            help="probability that an MQTT acknowledgement is lost")
        parser.add_argument("--demo", action="store_true",
                            help="drive seed_demo's simulated clusters until stopped: new tokens, "
                                 "fast-forward, commands long-polled (what `make run` starts)")

    def handle(self, *args, **options):
        if options["demo"]:
            options.update(fast_forward=True, duration=0.0, poll=min(options["poll"], 5.0),
                           commands_wait=None if options["mqtt"] else options["commands_wait"] or 20.0)
            clusters = self._demo_clusters()
        else:
            clusters = self._clusters(options)
        faults = Faults(offline_seconds=options["offline"], offline_fraction=options["offline_fraction"],
                        loss=options["loss"], corrupt=options["corrupt"],
                        corrupt_first=options["corrupt_first"])
        mqtt = self._mqtt_options(options) if options["mqtt"] else None
        duration = (f"trong {options['duration']:.0f} s" if options["duration"] > 0
                    else "cho đến khi dừng (Ctrl-C)")
        self.stdout.write(f"Mô phỏng {len(clusters)} cụm loa → {options['server']} {duration} "
                          f"(tốc độ ×{options['speed']:g}"
                          f"{', phát ngay theo giờ của khung phát' if options['fast_forward'] else ''})")
        self.stdout.flush()
        try:
            stats, sims = asyncio.run(run_fleet(
                clusters, server=options["server"], duration=options["duration"],
                speed=options["speed"], poll_interval=options["poll"], tick=options["tick"],
                faults=faults, commands_wait=options["commands_wait"], seed=options["seed"],
                lean=options["lean"], fast_forward=options["fast_forward"], mqtt=mqtt,
            ))
        except KeyboardInterrupt:
            return
        self.stdout.write(summary(stats, sims))

    def _mqtt_options(self, options):
        from device_bridge.mqtt.conf import MqttConfigurationError, broker
        from device_bridge.mqtt.simulator import MqttOptions

        try:
            configured = broker(options["mqtt_url"])
        except MqttConfigurationError as err:
            raise CommandError(str(err)) from err
        if configured is None:
            raise CommandError("--mqtt cần MQTT_URL hoặc --mqtt-url.")
        passwords = {}
        if options["mqtt_passwords"]:
            lines = Path(options["mqtt_passwords"]).read_text().splitlines()
            passwords = dict(line.split()[:2] for line in lines if line.strip())
        return MqttOptions(host=configured.host, port=configured.port, passwords=passwords,
                           ack_loss=options["mqtt_ack_loss"])

    def _demo_clusters(self) -> list[tuple[str, str]]:
        """seed_demo's simulated clusters, each given a fresh token (they live only here)."""
        from content_types.demo_content import CLUSTERS, SIMULATED_CLUSTER_VENDOR

        # Only the seeded simulated ones: a real cluster's token is never rotated from here.
        codes = [code for code, *_ in CLUSTERS]
        clusters = list(SpeakerCluster.objects.filter(code__in=codes, is_active=True,
                                                      vendor=SIMULATED_CLUSTER_VENDOR))
        if not clusters:
            raise CommandError("Chưa có cụm loa mô phỏng nào: hãy chạy “manage.py seed_demo”.")
        return [(cluster.code, cluster_token_rotate(cluster=cluster)) for cluster in clusters]

    def _clusters(self, options) -> list[tuple[str, str]]:
        if options["tokens"]:
            lines = Path(options["tokens"]).read_text().split("\n")
            pairs = [tuple(line.split()[:2]) for line in lines if line.strip()]
            if len(pairs) < options["count"]:
                raise CommandError(f"{options['tokens']} has {len(pairs)} tokens, fewer than --count")
            return pairs[: options["count"]]
        zone = None
        if options["zone"]:
            zone = Zone.objects.filter(code=options["zone"]).first()
            if zone is None:
                raise CommandError(f"Không có thôn mã “{options['zone']}”.")
        pairs = []
        for n in range(1, options["count"] + 1):
            code = f"{options['prefix']}-{n:04d}"
            cluster, _ = SpeakerCluster.objects.get_or_create(
                code=code, defaults={"name": f"Cụm loa mô phỏng {n}", "zone": zone, "vendor": "sim"}
            )
            pairs.append((code, cluster_token_rotate(cluster=cluster)))
        if options["tokens_out"]:
            Path(options["tokens_out"]).write_text("".join(f"{c} {t}\n" for c, t in pairs))
        return pairs
