"""Reads of the moderation app: which workflow applies, who may act, what waits, what happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.urls import NoReverseMatch, reverse
from wagtail.models import Page, Revision, TaskState, Workflow, WorkflowState

from .models import (
    ListenApprovalTask,
    ListenApprovalTaskState,
    ListenRecord,
    PreviewServed,
    WorkflowRoute,
)

#: URL name of the speech pipeline's MP3 preview of a revision (``args=[revision_id]``).
PREVIEW_URL_NAME = "tts:revision_preview"
#: The fastest the approver's player may play a preview (``listen.js`` caps it there), so the
#: least wall time in which a preview can have been heard is its duration divided by this.
MAX_PLAYBACK_RATE = 2.0
#: Share of a preview that counts as "heard to the end" (players report durations with rounding).
HEARD_FRACTION = 0.9


def workflow_for_page(page) -> Workflow | None:
    """The workflow chosen by the first matching routing rule, or ``None`` for the tree default."""
    if not getattr(settings, "WAGTAIL_WORKFLOW_ENABLED", True):
        return None
    routes = WorkflowRoute.objects.filter(workflow__active=True).select_related(
        "workflow", "section"
    )
    for route in routes:
        if route.matches(page):
            return route.workflow
    return None


def workflow_rerouted_for(*, workflow_state: WorkflowState, page) -> Workflow | None:
    """The workflow the routing rules pick for ``page`` as it is now, when that is not the
    workflow ``workflow_state`` runs; ``None`` when the routing stands.

    Routing follows the content, not the first submission: a bulletin sent back for changes
    whose priority went from khẩn cấp to thường must not come back on the emergency track.
    """
    picked = page.get_workflow()
    if picked is None or picked.pk == workflow_state.workflow_id:
        return None
    return picked


def workflow_state_in_progress(obj) -> WorkflowState | None:
    """The object's workflow state that is still in progress, with its current step loaded."""
    return (
        WorkflowState.objects.for_instance(obj)
        .filter(status=WorkflowState.STATUS_IN_PROGRESS)
        .select_related("current_task_state")
        .first()
    )


def task_state_current_for(obj) -> TaskState | None:
    """The in-progress task state (specific) of the object's active workflow, if any."""
    if obj is None or obj.pk is None:
        return None
    workflow_state = workflow_state_in_progress(obj)
    if not workflow_state or not workflow_state.current_task_state:
        return None
    task_state = workflow_state.current_task_state
    if task_state.status != TaskState.STATUS_IN_PROGRESS:
        return None
    return task_state.specific


def revision_has_audio(revision: Revision) -> bool:
    """Whether the content has something the loudspeakers would say (the gate applies)."""
    obj = revision.as_object()
    return bool(getattr(obj, "spoken_text", "").strip()) if hasattr(obj, "spoken_text") else False


def user_is_task_approver(*, task: ListenApprovalTask, user) -> bool:
    return bool(user and user.is_active and (user.is_superuser or task._user_in_groups(user)))


def listen_record_valid_for(*, task_state: ListenApprovalTaskState, user) -> ListenRecord | None:
    """The listening that opens the gate: by this user, of the latest revision, and not older
    than that revision (autosave may rewrite a revision in place).

    Whatever step it was heard in: one person holding two consecutive steps of the same
    revision listens once; a new revision needs a new listening.
    """
    latest = task_state.workflow_state.content_object.get_latest_revision()
    if latest is None:
        return None
    return (
        ListenRecord.objects.filter(
            user=user,
            revision=latest,
            listened_at__gte=latest.created_at,
        )
        .order_by("-listened_at")
        .first()
    )


def preview_served_for(*, revision: Revision, user) -> PreviewServed | None:
    """When the audio preview of ``revision`` was first served to ``user``, if ever."""
    return PreviewServed.objects.filter(revision=revision, user=user).first()


def preview_seconds_to_hear(served: PreviewServed) -> float:
    """The least wall time after serving in which the preview can have been heard."""
    return HEARD_FRACTION * served.duration_seconds / MAX_PLAYBACK_RATE


def listen_gate_is_open(*, obj, task: ListenApprovalTask, user) -> bool:
    task_state = task_state_current_for(obj)
    if not isinstance(task_state, ListenApprovalTaskState) or task_state.task_id != task.pk:
        return False
    if not revision_has_audio(task_state.revision):
        return True
    return listen_record_valid_for(task_state=task_state, user=user) is not None


def revision_preview_url(revision: Revision) -> str:
    """The speech pipeline's preview when it is installed, else the placeholder rendering."""
    try:
        return reverse(PREVIEW_URL_NAME, args=[revision.pk])
    except NoReverseMatch:
        return reverse("workflows:revision_preview", args=[revision.pk])


def user_can_hear_revision(*, user, revision: Revision) -> bool:
    """Editors of the page and approvers of its current step may fetch its preview."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    obj = revision.content_object
    if obj is None:
        return False
    if isinstance(obj, Page) and obj.permissions_for_user(user).can_edit():
        return True
    task_state = task_state_current_for(obj)
    return bool(
        isinstance(task_state, ListenApprovalTaskState)
        and user_is_task_approver(task=task_state.task.specific, user=user)
    )


@dataclass(frozen=True)
class ListenQueueItem:
    task_state: ListenApprovalTaskState
    page: Page
    revision: Revision
    preview_url: str
    has_audio: bool
    listened: bool
    spoken_text: str


def _listen_item(task_state: ListenApprovalTaskState, user) -> ListenQueueItem | None:
    obj = task_state.workflow_state.content_object
    if obj is None:
        return None
    page = obj.specific if isinstance(obj, Page) else obj
    revision = page.get_latest_revision()
    has_audio = revision_has_audio(revision)
    return ListenQueueItem(
        task_state=task_state,
        page=page,
        revision=revision,
        preview_url=revision_preview_url(revision),
        has_audio=has_audio,
        listened=(not has_audio)
        or listen_record_valid_for(task_state=task_state, user=user) is not None,
        spoken_text=getattr(revision.as_object(), "spoken_text", ""),
    )


def listen_queue_for_user(user) -> list[ListenQueueItem]:
    """Listen-before-approve steps waiting for this user, newest first."""
    items = []
    for task in ListenApprovalTask.objects.filter(active=True):
        states = task.get_task_states_user_can_moderate(user).order_by("-started_at")
        for state in states:
            item = _listen_item(state.specific, user)
            if item is not None:
                items.append(item)
    items.sort(key=lambda item: item.task_state.started_at, reverse=True)
    return items


def listen_item_for_user(obj, user) -> ListenQueueItem | None:
    """The listen-before-approve step of ``obj`` waiting for ``user``, if any: wherever the
    approver can hear the preview (the page editor's audio panel too), they can act on it."""
    task_state = task_state_current_for(obj)
    if not isinstance(task_state, ListenApprovalTaskState):
        return None
    if not user_is_task_approver(task=task_state.task.specific, user=user):
        return None
    return _listen_item(task_state, user)


def listen_task_ids() -> set[int]:
    """Ids of the listen-before-approve tasks (their steps are listed by our queue panel)."""
    return set(ListenApprovalTask.objects.values_list("pk", flat=True))


def moderation_report(*, since) -> dict:
    """Counts and timings of moderation since a moment, for the report page."""
    finished = TaskState.objects.filter(finished_at__gte=since).exclude(finished_at=None)
    by_status = dict(
        finished.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    wait = finished.filter(status=TaskState.STATUS_APPROVED).aggregate(
        avg=Avg(
            ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
        )
    )["avg"]
    per_task = (
        finished.values("task__name")
        .annotate(
            approved=Count("id", filter=Q(status=TaskState.STATUS_APPROVED)),
            rejected=Count("id", filter=Q(status=TaskState.STATUS_REJECTED)),
        )
        .order_by("task__name")
    )
    return {
        "approved": by_status.get(TaskState.STATUS_APPROVED, 0),
        "rejected": by_status.get(TaskState.STATUS_REJECTED, 0),
        "cancelled": by_status.get(TaskState.STATUS_CANCELLED, 0),
        "waiting": TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS).count(),
        "average_wait": wait or timedelta(0),
        "per_task": list(per_task),
        "listens": ListenRecord.objects.filter(listened_at__gte=since).count(),
    }
