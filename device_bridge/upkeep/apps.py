from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UpkeepConfig(AppConfig):
    name = "device_bridge.upkeep"
    label = "upkeep"
    verbose_name = _("Bảo trì cụm loa")

    def ready(self):
        from . import receivers  # noqa: F401
