from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapConfig(AppConfig):
    name = "device_bridge.cap"
    label = "cap"
    verbose_name = _("Cảnh báo CAP")
