"""Glue: monitoring's admin URLs (namespace ``monitoring_admin``), menu items, dashboard panel."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from cms.admin_menu import PermissionMenuItem

from . import panels, views

admin_urls = [
    path("", views.fleet, name="fleet"),
    path("clusters/<int:pk>/history/", views.cluster_history, name="cluster_history"),
    path("live/", views.live, name="live"),
    path("live/<int:pk>/", views.operation, name="operation"),
    path("alerts/<int:pk>/dismiss/", views.alert_dismiss, name="alert_dismiss"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("fleet/", include((admin_urls, "monitoring_admin")))]


@hooks.register("register_admin_menu_item")
def register_fleet_menu_item():
    return PermissionMenuItem(_("Giám sát cụm loa"), reverse("monitoring_admin:fleet"),
                              icon_name="site", order=305, permission=views.VIEW_FLEET)


@hooks.register("register_admin_menu_item")
def register_live_menu_item():
    return PermissionMenuItem(_("Điều khiển loa trực tiếp"), reverse("monitoring_admin:live"),
                              icon_name="media", order=306, permission=views.OPERATE)


@hooks.register("construct_homepage_panels")
def add_fleet_alerts_panel(request, panels_list):
    if request.user.has_perm(panels.VIEW_PERMISSION):
        panels_list.append(panels.FleetAlertsPanel(request))
