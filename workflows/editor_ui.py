"""Admin glue of the editor's and approver's hints (imported by ``wagtail_hooks``).

* The submit button names the workflow the form would go to, and follows the priority field
  as it changes (``workflows/editor/submit_label.js``).
* A bulletin sent back for changes shows the approver's comment on its edit view and on the
  editor's dashboard.
* While an emergency bulletin waits for the current user, every admin page shows it
  (``workflows/editor/emergency_alert.js`` polls :func:`emergencies_waiting_view`).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail import hooks
from wagtail.admin.action_menu import SubmitForModerationMenuItem
from wagtail.admin.ui.components import Component
from wagtail.models import Page

from .editor_selectors import (
    PRIORITY_FIELD,
    changes_requested_for_page,
    changes_requested_for_user,
    emergencies_waiting_for,
    page_class_has_priority,
    submit_labels_by_priority,
)

#: How often (seconds) an admin page asks whether an emergency waits for its user.
EMERGENCY_POLL_SECONDS = 15


def _moment(value) -> str:
    return date_format(localtime(value), "H:i d/m/Y")


# --- 10. The submit button names the workflow ---------------------------------------------


def _page_in_form(context) -> tuple[Page | None, Page | None]:
    """The page the editor's form is about (unsaved on the create view) and its parent."""
    if context["view"] == "edit":
        return context.get("page"), None
    if context["view"] != "create":
        return None, None
    match = context["request"].resolver_match
    kwargs = match.kwargs if match else {}
    try:
        page_class = ContentType.objects.get_by_natural_key(
            kwargs["content_type_app_name"], kwargs["content_type_model_name"]
        ).model_class()
    except (KeyError, ContentType.DoesNotExist):
        return None, None
    if page_class is None or not issubclass(page_class, Page):
        return None, None
    return page_class(), context["parent_page"]


class RoutedSubmitMenuItem(SubmitForModerationMenuItem):
    """Wagtail's "Submit to <workflow>", asked of the page with each priority the form may
    hold: the label shown is the current priority's, the others ride along for the script."""

    template_name = "workflows/editor/submit_menu_item.html"

    def get_context_data(self, parent_context):
        page, parent_page = _page_in_form(parent_context)
        if page is None or not page_class_has_priority(type(page)):
            return super().get_context_data(parent_context)
        context = super(SubmitForModerationMenuItem, self).get_context_data(parent_context)
        labels = submit_labels_by_priority(page=page, parent_page=parent_page)
        context["label"] = labels.get(getattr(page, PRIORITY_FIELD), context["label"])
        context["labels_json"] = json.dumps(labels, ensure_ascii=False)
        context["priority_field"] = PRIORITY_FIELD
        return context


@hooks.register("construct_page_action_menu")
def route_submit_label(menu_items, request, context):
    for index, item in enumerate(menu_items):
        if type(item) is SubmitForModerationMenuItem:
            menu_items[index] = RoutedSubmitMenuItem(order=item.order)


@hooks.register("insert_editor_js")
def submit_label_js():
    return format_html('<script src="{}" defer></script>', static("workflows/editor/submit_label.js"))


# --- 11. The approver's request for changes, where the editor works -----------------------


@hooks.register("before_edit_page")
def show_changes_requested(request, page):
    """On the edit view of a page sent back for changes: the approver's comment, who, when.

    Added as a message of this very request (as Wagtail does with its lock notice), so it is
    shown above the form every time the page is opened until it is resubmitted.
    """
    if request.method != "GET" or request.GET.get("_w_hydrate_create_view"):
        return None
    changes = changes_requested_for_page(page)
    if changes is not None:
        messages.warning(
            request,
            render_to_string(
                "workflows/editor/changes_requested_message.html",
                {"changes": changes, "requested_at": _moment(changes.requested_at)},
            ),
        )
    return None


class ChangesRequestedPanel(Component):
    """Dashboard panel: the user's pages that approvers sent back, with their comments."""

    name = "changes_requested"
    template_name = "workflows/editor/changes_requested_panel.html"
    order = 205  # above the listen queue (210) and Wagtail's workflow panels

    def __init__(self, request):
        self.request = request
        self.items = changes_requested_for_user(request.user)

    def render_html(self, parent_context=None):
        return super().render_html(parent_context) if self.items else ""

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["items"] = [
            {"changes": item, "requested_at": _moment(item.requested_at)} for item in self.items
        ]
        return context


@hooks.register("construct_homepage_panels")
def add_changes_requested_panel(request, panels):
    panels.append(ChangesRequestedPanel(request))


# --- 15. Emergencies waiting for this user, on every admin page ---------------------------


@require_GET
@never_cache
def emergencies_waiting_view(request):
    """JSON for ``emergency_alert.js``: the emergencies waiting for the current user, with
    the Vietnamese text to show."""
    items = emergencies_waiting_for(request.user)
    return JsonResponse(
        {
            "count": len(items),
            "message": _("Có %(count)d bản tin khẩn cấp đang chờ bạn duyệt:")
            % {"count": len(items)},
            "action_label": _("Mở hàng chờ để nghe và duyệt"),
            "action_url": reverse("wagtailadmin_home"),
            "items": [
                {
                    "id": item.task_state_id,
                    "title": item.title,
                    "url": reverse("wagtailadmin_pages:edit", args=[item.page_id]),
                    "waiting": _("%(task)s, chờ từ %(moment)s")
                    % {"task": item.task_name, "moment": _moment(item.waiting_since)},
                }
                for item in items
            ],
        }
    )


urlpatterns = [
    path("emergencies-waiting/", emergencies_waiting_view, name="emergencies_waiting"),
]


@hooks.register("register_admin_urls")
def register_editor_urls():
    # Under /admin/: Wagtail requires admin access, and the admin's CSP applies.
    return [path("ttcs-moderation/", include((urlpatterns, "workflows_editor")))]


@hooks.register("insert_global_admin_js")
def emergency_alert_js():
    return format_html(
        '<script src="{}" data-url="{}" data-interval="{}" defer></script>',
        static("workflows/editor/emergency_alert.js"),
        reverse("workflows_editor:emergencies_waiting"),
        EMERGENCY_POLL_SECONDS,
    )


@hooks.register("insert_global_admin_css")
def emergency_alert_css():
    return format_html('<link rel="stylesheet" href="{}">', static("workflows/editor/editor.css"))
