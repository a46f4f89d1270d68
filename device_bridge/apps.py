from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeviceBridgeConfig(AppConfig):
    name = "device_bridge"
    verbose_name = _("Cầu nối thiết bị")

    def ready(self):
        from . import receivers  # noqa: F401
