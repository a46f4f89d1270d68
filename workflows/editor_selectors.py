"""Reads behind the editor's and approver's hints in the admin: which workflow a form would be
submitted to, what approvers sent back for changes, which emergencies wait for someone."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, IntegerField, OuterRef, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext
from wagtail.models import Page, TaskState, Workflow, WorkflowState, get_default_page_content_type

from content_types.models import Priority

#: The page field whose value picks the workflow (routing rules match on it).
PRIORITY_FIELD = "priority"


def page_class_has_priority(page_class) -> bool:
    try:
        field = page_class._meta.get_field(PRIORITY_FIELD)
    except FieldDoesNotExist:
        return False
    return bool(field.choices)


def workflow_for_form(*, page: Page, parent_page: Page | None, priority: str) -> Workflow | None:
    """The workflow ``page`` would be submitted to with ``priority`` in its form.

    The page's own ``get_workflow()`` decides (routing rules, then the page tree), asked of a
    copy carrying the form's priority. A page not saved yet gets a stand-in tree position under
    ``parent_page``, so rules restricted to a section and the tree assignment still apply
    (Wagtail asks the parent instead, which knows nothing of the child's priority).
    """
    candidate = copy.copy(page)
    setattr(candidate, PRIORITY_FIELD, priority)
    if candidate.pk is None:
        if parent_page is None:
            return None
        candidate.path = parent_page.path + "~" * type(candidate).steplen
        candidate.depth = parent_page.depth + 1
    return candidate.get_workflow()


def submit_labels_by_priority(*, page: Page, parent_page: Page | None) -> dict[str, str]:
    """The submit button's label for each priority the form may hold.

    A page sent back for changes resumes its workflow at the step that returned it when the
    rules still pick that workflow ("Gửi lại cho …"); otherwise it starts the one they pick
    (``workflows.services.workflow_state_reroute_on_resubmit``).
    """
    returned = None
    if page.pk is not None:
        state = page.current_workflow_state
        if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            returned = state
    labels = {}
    for value, _name in type(page)._meta.get_field(PRIORITY_FIELD).flatchoices:
        workflow = workflow_for_form(page=page, parent_page=parent_page, priority=value)
        if returned is not None and workflow is not None and workflow.pk == returned.workflow_id:
            label = gettext("Resubmit to %(task_name)s") % {
                "task_name": returned.current_task_state.task.name
            }
        elif workflow is not None:
            label = gettext("Submit to %(workflow_name)s") % {"workflow_name": workflow.name}
        else:
            label = gettext("Submit for moderation")
        labels[value] = label
    return labels


@dataclass(frozen=True)
class ChangesRequested:
    """What an approver sent back (yêu cầu sửa): on which page, by whom, when, and why."""

    page_id: int
    title: str
    comment: str
    approver: str
    requested_at: datetime
    task_name: str


def _changes_requested(workflow_state: WorkflowState, title: str) -> ChangesRequested:
    task_state = workflow_state.current_task_state
    approver = task_state.finished_by
    return ChangesRequested(
        page_id=int(workflow_state.object_id),
        title=title,
        comment=task_state.comment,
        approver=(approver.get_full_name() or approver.get_username()) if approver else "",
        requested_at=task_state.finished_at,
        task_name=task_state.task.name,
    )


def _needs_changes_states():
    return WorkflowState.objects.filter(
        status=WorkflowState.STATUS_NEEDS_CHANGES,
        base_content_type=get_default_page_content_type(),
        current_task_state__status=TaskState.STATUS_REJECTED,
    ).select_related(
        "current_task_state", "current_task_state__task", "current_task_state__finished_by"
    )


def changes_requested_for_page(page: Page) -> ChangesRequested | None:
    """The approver's request for changes the page waits on, if it was sent back."""
    if page.pk is None:
        return None
    state = _needs_changes_states().filter(object_id=str(page.pk)).first()
    if state is None:
        return None
    return _changes_requested(state, page.get_admin_display_title())


def changes_requested_for_user(user) -> list[ChangesRequested]:
    """Pages this user submitted or owns that approvers sent back, newest request first
    (two queries whatever their number)."""
    if not getattr(settings, "WAGTAIL_WORKFLOW_ENABLED", True):
        return []
    # object_id is a string column (generic relation): PostgreSQL needs the explicit cast.
    owned = Exists(
        Page.objects.filter(owner=user, pk=Cast(OuterRef("object_id"), IntegerField()))
    )
    states = list(
        _needs_changes_states()
        .filter(Q(requested_by=user) | owned)
        .order_by("-current_task_state__finished_at")
    )
    titles = dict(
        Page.objects.filter(pk__in=[int(state.object_id) for state in states]).values_list(
            "pk", "draft_title"
        )
    )
    return [
        _changes_requested(state, titles[int(state.object_id)])
        for state in states
        if int(state.object_id) in titles
    ]


@dataclass(frozen=True)
class EmergencyWaiting:
    """An emergency bulletin's step waiting for one approver (bản tin khẩn cấp chờ duyệt)."""

    task_state_id: int
    page_id: int
    title: str
    task_name: str
    waiting_since: datetime


def emergencies_waiting_for(user) -> list[EmergencyWaiting]:
    """Steps this user may approve now whose revision is khẩn cấp, oldest first."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    if not getattr(settings, "WAGTAIL_WORKFLOW_ENABLED", True):
        return []
    emergencies = TaskState.objects.filter(
        status=TaskState.STATUS_IN_PROGRESS,
        workflow_state__status=WorkflowState.STATUS_IN_PROGRESS,
        workflow_state__base_content_type=get_default_page_content_type(),
        **{f"revision__content__{PRIORITY_FIELD}": Priority.EMERGENCY},
    )
    # Every admin page asks this every few seconds: one query when no emergency waits at all
    # (the usual case), the per-task permission check only when one does.
    if not emergencies.exists():
        return []
    states = (
        (TaskState.objects.reviewable_by(user) & emergencies)
        .select_related("revision", "task", "workflow_state")
        .order_by("started_at")
    )
    return [
        EmergencyWaiting(
            task_state_id=state.pk,
            page_id=int(state.workflow_state.object_id),
            title=state.revision.content.get("title", ""),
            task_name=state.task.name,
            waiting_since=state.started_at,
        )
        for state in states
    ]
