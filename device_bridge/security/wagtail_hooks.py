"""Glue: the "An toàn thông tin" submenu, the checklist and firmware viewsets, admin URLs,
and the assessments section of a cluster's history page (when device_bridge.upkeep has it)."""

from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from cms.admin_menu import PermissionMenuItem
from cms.admin_scope import ScopedViewSet

from . import admin_views, selectors
from .models import ChecklistTemplate, FirmwareBaseline

MENU_HOOK = "register_fleetsecurity_menu_item"


class ChecklistTemplateViewSet(ScopedViewSet):
    model = ChecklistTemplate
    icon = "list-ul"
    name = "fleetsecurity_templates"
    list_display = ["name", "is_default", "updated_at"]
    search_fields = None


class FirmwareBaselineViewSet(ScopedViewSet):
    model = FirmwareBaseline
    icon = "code"
    name = "fleetsecurity_firmware"
    list_display = ["vendor", "model_name", "version", "approved_on"]
    form_fields = ["vendor", "model_name", "version", "approved_on", "note"]


template_viewset = ChecklistTemplateViewSet()
firmware_viewset = FirmwareBaselineViewSet()


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [template_viewset, firmware_viewset]


admin_urls = [
    path("", admin_views.assessment_list, name="assessment_list"),
    path("new/", admin_views.assessment_create, name="assessment_create"),
    path("<int:pk>/", admin_views.assessment_detail, name="assessment_detail"),
    path("<int:pk>/autofill/", admin_views.assessment_autofill, name="assessment_autofill"),
    path("<int:pk>/edit/", admin_views.assessment_edit, name="assessment_edit"),
    path("<int:pk>/sign-off/", admin_views.assessment_sign_off, name="assessment_sign_off"),
    path("<int:pk>/report.<str:kind>", admin_views.assessment_report, name="assessment_report"),
    path("results/<int:pk>/", admin_views.result_edit, name="result_edit"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("security/", include((admin_urls, "fleetsecurity_admin")))]


@hooks.register(MENU_HOOK)
def assessments_menu_item():
    return PermissionMenuItem(_("Đợt đánh giá"), reverse_lazy("fleetsecurity_admin:assessment_list"),
                              icon_name="doc-full", order=100, permission=admin_views.VIEW)


@hooks.register(MENU_HOOK)
def templates_menu_item():
    return PermissionMenuItem(_("Mẫu danh mục kiểm tra"),
                              reverse_lazy(template_viewset.get_url_name("index")),
                              icon_name="list-ul", order=200,
                              permission="fleetsecurity.view_checklisttemplate")


@hooks.register(MENU_HOOK)
def firmware_menu_item():
    return PermissionMenuItem(_("Firmware được duyệt"),
                              reverse_lazy(firmware_viewset.get_url_name("index")),
                              icon_name="code", order=300,
                              permission="fleetsecurity.view_firmwarebaseline")


@hooks.register("register_admin_menu_item")
def security_menu():
    return SubmenuMenuItem(_("An toàn thông tin"), Menu(register_hook_name=MENU_HOOK),
                           icon_name="lock", order=420, name="fleetsecurity")


def _register_history_section():
    """Lists a cluster's assessment answers on its history page, if that page exists."""
    from django.apps import apps

    if not apps.is_installed("device_bridge.upkeep"):
        return
    from device_bridge.upkeep.history import HistoryEntry, register_section

    @register_section(key="fleetsecurity", label=_("Đánh giá an toàn thông tin"),
                      permission=admin_views.VIEW)
    def assessment_entries(*, cluster, site):
        for result in selectors.cluster_results(cluster=cluster, site=site):
            detail = result.get_status_display()
            if result.finding:
                detail = f"{detail}: {result.finding}"
            yield HistoryEntry(
                at=result.answered_at or result.assessment.created_at,
                title=f"{result.assessment.period} · {result.item_title}",
                detail=detail,
                url=reverse("fleetsecurity_admin:assessment_detail",
                            args=[result.assessment_id]) + f"#result-{result.pk}",
            )


_register_history_section()
