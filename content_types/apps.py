from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentTypesConfig(AppConfig):
    name = "content_types"
    verbose_name = _("Nội dung")

    def ready(self):
        from . import receivers  # noqa: F401
