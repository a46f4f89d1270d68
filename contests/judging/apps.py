from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    name = "contests.judging"
    label = "judging"
    verbose_name = _("Hội thi")

    def ready(self):
        from . import receivers  # noqa: F401
