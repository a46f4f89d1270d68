from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TtsConfig(AppConfig):
    name = "device_bridge.tts"
    label = "tts"
    verbose_name = _("Chuyển văn bản thành giọng nói")

    def ready(self):
        from . import receivers  # noqa: F401
