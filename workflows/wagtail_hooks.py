"""Admin glue of the moderation app: routing-rule snippets, dashboard queue, publish guard."""

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import WorkflowRoute
from .selectors import listen_queue_for_user, user_may_publish_directly


class WorkflowRouteViewSet(SnippetViewSet):
    model = WorkflowRoute
    icon = "tasks"
    menu_label = _("Quy tắc chọn quy trình")
    add_to_settings_menu = True
    list_display = ["name", "priority", "section", "workflow", "sort_order"]
    ordering = ["sort_order", "pk"]


register_snippet(WorkflowRouteViewSet)


class ListenQueuePanel(Component):
    """Dashboard panel: listen-before-approve steps waiting for the current user."""

    name = "listen_queue"
    template_name = "workflows/listen_queue_panel.html"
    order = 210  # just above Wagtail's "awaiting your review" (220)

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["items"] = listen_queue_for_user(self.request.user)
        context["request"] = self.request
        context["csrf_token"] = parent_context.get("csrf_token")
        return context


@hooks.register("construct_homepage_panels")
def add_listen_queue_panel(request, panels):
    panels.append(ListenQueuePanel(request))


def _direct_publish_refused(request):
    return render(
        request,
        "workflows/publish_refused.html",
        {"message": _("Bạn không có quyền xuất bản trực tiếp. Hãy gửi duyệt để bài đi qua quy trình.")},
        status=403,
    )


def _refuse_publish_action(request):
    """The editor's "Xuất bản" button posts ``action-publish``; only Quản trị may use it."""
    if (
        request.method == "POST"
        and request.POST.get("action-publish")
        and not user_may_publish_directly(request.user)
    ):
        return _direct_publish_refused(request)
    return None


@hooks.register("before_edit_page")
def refuse_direct_publish_on_edit(request, page):
    return _refuse_publish_action(request)


@hooks.register("before_edit_page")
def refuse_double_submit(request, page):
    if request.method == "POST" and request.POST.get("action-submit") and page.workflow_in_progress:
        messages.error(
            request,
            _("“%(title)s” đã được gửi duyệt và đang chờ duyệt; không gửi lại lần nữa.")
            % {"title": page.get_admin_display_title()},
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_create_page")
def refuse_direct_publish_on_create(request, parent_page, page_class):
    return _refuse_publish_action(request)


@hooks.register("before_bulk_action")
def refuse_direct_bulk_publish(request, action_type, objects, action_class_instance):
    if action_type == "publish" and not user_may_publish_directly(request.user):
        return _direct_publish_refused(request)
    return None


@hooks.register("construct_page_action_menu")
def hide_publish_without_right(menu_items, request, context):
    if not user_may_publish_directly(request.user):
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("workflows.view_reports")


@hooks.register("register_reports_menu_item")
def register_moderation_report_menu_item():
    return ReportsMenuItem(
        _("Kiểm duyệt"), reverse("workflows:reports"), name="moderation-report", icon_name="tasks",
        order=900,
    )


@hooks.register("register_permissions")
def register_moderation_permissions():
    return Permission.objects.filter(
        content_type__app_label="workflows",
        codename__in=["view_reports", "publish_without_moderation"],
    )
