from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FleetSecurityConfig(AppConfig):
    name = "device_bridge.security"
    label = "fleetsecurity"
    verbose_name = _("An toàn thông tin hệ thống loa")

    def ready(self):
        from . import receivers  # noqa: F401
