from django.apps import AppConfig


class MqttConfig(AppConfig):
    name = "device_bridge.mqtt"
    label = "mqtt"
    verbose_name = "MQTT"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401
