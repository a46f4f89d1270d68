"""Run the server's MQTT bridge until stopped (``make run`` starts it beside the worker)."""

import signal

from django.core.management.base import BaseCommand

from device_bridge.mqtt.bridge import Bridge
from device_bridge.mqtt.conf import broker


class Command(BaseCommand):
    help = "Cầu nối MQTT: nhận trạng thái và xác nhận của cụm loa, gửi lệnh qua MQTT."

    def add_arguments(self, parser):
        parser.add_argument("--client-id", default="ttcs-server-bridge")

    def handle(self, *args, **options):
        configured = broker()
        if configured is None:
            self.stdout.write("MQTT_URL trống: MQTT tắt, lệnh chỉ gửi qua HTTP.")
            return
        bridge = Bridge(configured, client_id=options["client_id"])
        signal.signal(signal.SIGTERM, lambda *_: bridge.stopping.set())
        self.stdout.write(f"Cầu nối MQTT → {configured.host}:{configured.port}")
        self.stdout.flush()
        bridge.start()
        try:
            bridge.run()
        except KeyboardInterrupt:
            pass
        finally:
            bridge.stop()
