"""Admin glue of the moderation app: routing-rule snippets, dashboard queue, report menu.

Who may publish is not decided here but by the page permission tester (``permissions.py``),
which every publish path of Wagtail consults.
"""

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.home import WorkflowObjectsToModeratePanel
from wagtail.models import WorkflowState
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import WorkflowRoute
from .selectors import MAX_PLAYBACK_RATE, listen_queue_for_user, listen_task_ids
from .services import workflow_state_reroute_on_resubmit


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
        context["max_playback_rate"] = MAX_PLAYBACK_RATE
        context["request"] = self.request
        context["csrf_token"] = parent_context.get("csrf_token")
        return context


class ObjectsToModerateExceptListenPanel(WorkflowObjectsToModeratePanel):
    """Wagtail's "awaiting your review" without the listen-before-approve steps, which our
    queue lists with their player: one item, one panel (other task types stay here)."""

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        listen_tasks = listen_task_ids()
        context["states"] = [
            state for state in context["states"]
            if state["task_state"].task_id not in listen_tasks
        ]
        return context


@hooks.register("construct_homepage_panels")
def add_listen_queue_panel(request, panels):
    panels[:] = [
        ObjectsToModerateExceptListenPanel()
        if type(panel) is WorkflowObjectsToModeratePanel
        else panel
        for panel in panels
    ]
    panels.append(ListenQueuePanel(request))


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


def _page_as_submitted(request, page):
    """``page`` with the edit form of ``request`` applied (not saved), or ``None`` when the
    form is invalid (then Wagtail refuses the submission itself)."""
    submitted = type(page).objects.get(pk=page.pk).get_latest_revision_as_object()
    form_class = type(page).get_edit_handler().get_form_class()
    form = form_class(
        request.POST, request.FILES, instance=submitted, parent_page=page.get_parent(),
        for_user=request.user,
    )
    return submitted if form.is_valid() else None


@hooks.register("before_edit_page")
def reroute_resubmission(request, page):
    """A resubmission after "needs changes" goes through the workflow the rules pick for what
    is submitted (Wagtail would resume the old one)."""
    if request.method != "POST" or not request.POST.get("action-submit"):
        return None
    if not page.permissions_for_user(request.user).can_submit_for_moderation():
        return None  # locked for this user: Wagtail refuses the submission, nothing changes
    if not WorkflowState.objects.for_instance(page).filter(
        status=WorkflowState.STATUS_NEEDS_CHANGES
    ).exists():
        return None
    submitted = _page_as_submitted(request, page)
    if submitted is not None:
        workflow_state_reroute_on_resubmit(page=page, submitted=submitted, user=request.user)
    return None


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


# Wagtail imports only this module: the editor hints register their hooks on import.
from . import editor_ui, emergency_notify  # noqa: F401,E402
