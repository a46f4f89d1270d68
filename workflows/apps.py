from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Quy trình duyệt")

    def ready(self):
        from . import checks, events, receivers  # noqa: F401  (register checks, connect receivers)
        from .notifications import notifiers_connect
        from .roles import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="workflows_role_grants")
        notifiers_connect()
