"""Generate Mosquitto's password file, ACL and configuration from the cluster registry."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from device_bridge.models import SpeakerCluster
from device_bridge.mqtt import broker_config
from device_bridge.mqtt.conf import broker
from device_bridge.mqtt.services import mqtt_credential_issue, mqtt_password_hash


class Command(BaseCommand):
    help = ("Tạo tệp mật khẩu, ACL và cấu hình Mosquitto cho các cụm loa "
            "(xem docs/device-protocol-mqtt.md).")

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="directory for passwd, acl, mosquitto.conf")
        parser.add_argument("--issue", nargs="*", metavar="CODE",
                            help="issue a new password for these cluster codes (all active "
                                 "clusters without one when no code is given)")
        parser.add_argument("--passwords-out",
                            help="append the issued 'code password' lines to this file (mode 600)")
        parser.add_argument("--server-password",
                            help="the bridge user's password (default: the one in MQTT_URL)")
        parser.add_argument("--port", type=int, default=8883)
        parser.add_argument("--no-tls", action="store_true", help="a plain listener (test bench only)")
        parser.add_argument("--no-persistence", action="store_true")

    def handle(self, *args, **options):
        issued = []
        if options["issue"] is not None:
            clusters = SpeakerCluster.objects.filter(is_active=True)
            if options["issue"]:
                clusters = clusters.filter(code__in=options["issue"])
                missing = set(options["issue"]) - set(clusters.values_list("code", flat=True))
                if missing:
                    raise CommandError(f"Không có cụm loa đang hoạt động mã: {', '.join(sorted(missing))}")
            else:
                clusters = clusters.filter(mqtt_credential__isnull=True)
            issued = [(cluster.code, mqtt_credential_issue(cluster=cluster)) for cluster in clusters]
            if issued and not options["passwords_out"]:
                raise CommandError("--issue cần --passwords-out: mật khẩu chỉ hiện một lần.")
        if issued:
            path = Path(options["passwords_out"])
            with path.open("a") as handle:
                handle.writelines(f"{code} {password}\n" for code, password in issued)
            path.chmod(0o600)
        server_password = options["server_password"]
        if server_password is None:
            configured = broker()
            server_password = configured.password if configured else None
        files = broker_config.write(
            Path(options["out"]),
            server_password_hash=mqtt_password_hash(server_password) if server_password else None,
            port=options["port"], tls=not options["no_tls"],
            persistence=not options["no_persistence"],
        )
        self.stdout.write(f"{files.clusters} cụm loa có mật khẩu MQTT; đã cấp mới {len(issued)}. "
                          f"Tệp: {options['out']}/passwd, acl, mosquitto.conf")
