"""Glue: menu, modeladmin registrations, admin URLs under one namespace, page header button."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button
from wagtail_modeladmin.options import modeladmin_register

from . import alerts, views
from .admin_options import BroadcastGroup
from .fleet import dashboard

modeladmin_register(BroadcastGroup)

admin_urls = [
    path("pages/<int:page_id>/dispatches/", views.dispatch_report, name="dispatch_report"),
    path("deliveries/<int:delivery_id>/resend/", views.delivery_resend, name="delivery_resend"),
    path("calendar/", views.calendar, name="calendar"),
    path("alerts/pages/<int:page_id>/retry/", alerts.alert_retry, name="alert_retry"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster_detail"),
    path("clusters/<int:pk>/token/rotate/", views.cluster_token_rotate, name="cluster_token_rotate"),
    path("clusters/<int:pk>/token/revoke/", views.cluster_token_revoke, name="cluster_token_revoke"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("device-bridge/", include((admin_urls, "device_bridge_admin")))]


@hooks.register("construct_homepage_panels")
def add_content_alerts_panel(request, panels):
    if request.user.has_perm(alerts.VIEW_PERMISSION):
        panels.append(alerts.ContentAlertsPanel(request))


@hooks.register("construct_homepage_panels")
def add_fleet_panel(request, panels):
    if request.user.has_perm(dashboard.VIEW_PERMISSION):
        panels.append(dashboard.FleetPanel(request))


@hooks.register("construct_main_menu")
def show_coverage_notices(request, menu_items):
    # Built on every full admin page: the approver sees the warning of an approval made on any
    # screen (editor, dashboard queue, dialog) on the page that follows it.
    alerts.coverage_notices_show(request)


@hooks.register("after_publish_page")
def warn_uncovered_zones_on_publish(request, page):
    alerts.coverage_message_add(request, page)


class CalendarMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("device_bridge.view_scheduleitem")


@hooks.register("register_admin_menu_item")
def register_calendar_menu_item():
    return CalendarMenuItem(_("Lịch phát tuần"), reverse("device_bridge_admin:calendar"),
                            icon_name="calendar", order=310)


@hooks.register("register_page_header_buttons")
def dispatch_report_button(page, user, view_name, next_url=None):
    if page.specific_class and page.specific_class._meta.model_name in (
        "bulletinpage", "campaignpage", "contestpage"
    ) and user.has_perm("device_bridge.view_dispatch"):
        yield Button(_("Tiến độ phát tin"), reverse("device_bridge_admin:dispatch_report",
                                                   args=[page.pk]),
                     icon_name="media", priority=80)
