from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from cms.admin_menu import PermissionMenuItem

from . import admin_views
from .admin_views import PlansViewSetGroup


@hooks.register("register_admin_viewset")
def register_plan_viewsets():
    return PlansViewSetGroup()


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("progress/", admin_views.progress_overview, name="progress"),
        path("tasks/<int:task_id>/progress/", admin_views.task_progress, name="task_progress"),
    ]
    return [path("plans/", include((urls, "plans_admin")))]


@hooks.register("register_admin_menu_item")
def register_progress_menu_item():
    from django.urls import reverse

    return PermissionMenuItem(_("Tiến độ kế hoạch"), reverse("plans_admin:progress"),
                              icon_name="tasks", order=251, permission=admin_views.VIEW_TASKS)


@hooks.register("construct_homepage_panels")
def add_overdue_panel(request, panels):
    panel = admin_views.overdue_panel_for(request)
    if panel is not None:
        panels.append(panel)
