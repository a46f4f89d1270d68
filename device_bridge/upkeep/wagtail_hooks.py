"""Glue: the "Bảo trì cụm loa" menu, the viewsets, admin URLs, the dashboard panel."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from cms.admin_menu import PermissionMenuItem

from . import panels, views
from .viewsets import DataPlanViewSet, FaultTicketViewSet

MENU_HOOK = "register_upkeep_menu_item"

plan_viewset = DataPlanViewSet()
fault_viewset = FaultTicketViewSet()

admin_urls = [
    path("budget/", views.budget_view, name="budget"),
    path("clusters/", views.clusters_view, name="clusters"),
    path("clusters/<int:pk>/history/", views.cluster_history_view, name="cluster_history"),
]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [plan_viewset, fault_viewset]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("upkeep/", include((admin_urls, "upkeep_admin")))]


@hooks.register("construct_homepage_panels")
def add_upkeep_panel(request, panels_):
    if request.user.has_perm(panels.VIEW_PERMISSION):
        panels_.append(panels.UpkeepPanel(request))


@hooks.register(MENU_HOOK)
def clusters_menu_item():
    return PermissionMenuItem(_("Hồ sơ cụm loa"), reverse_lazy("upkeep_admin:clusters"),
                              icon_name="list-ul", order=100, permission="upkeep.view_dataplan")


@hooks.register(MENU_HOOK)
def plans_menu_item():
    return PermissionMenuItem(_("Gói cước 4G"), reverse_lazy("upkeep_plans:index"),
                              icon_name="mobile-alt", order=200, permission="upkeep.view_dataplan")


@hooks.register(MENU_HOOK)
def faults_menu_item():
    return PermissionMenuItem(_("Sự cố, sửa chữa"), reverse_lazy("upkeep_faults:index"),
                              icon_name="warning", order=300, permission="upkeep.view_faultticket")


@hooks.register(MENU_HOOK)
def budget_menu_item():
    return PermissionMenuItem(_("Dự toán kinh phí"), reverse_lazy("upkeep_admin:budget"),
                              icon_name="table", order=400, permission="upkeep.view_budget")


@hooks.register("register_admin_menu_item")
def upkeep_menu():
    # Shown only when one of its items is (Wagtail's SubmenuMenuItem.is_shown).
    return SubmenuMenuItem(_("Bảo trì cụm loa"), Menu(register_hook_name=MENU_HOOK),
                           icon_name="cogs", order=320, name="upkeep")
