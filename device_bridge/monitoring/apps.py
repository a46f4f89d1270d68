from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "device_bridge.monitoring"
    label = "monitoring"
    verbose_name = _("Giám sát hệ thống loa")

    def ready(self):
        from . import receivers  # noqa: F401
