"""Writes of the moderation app: recording a listening, acting on a step, resetting a step."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Revision, TaskState, Workflow, WorkflowState

from .models import ListenApprovalTaskState, ListenRecord, PreviewServed
from .selectors import (
    HEARD_FRACTION,
    listen_record_valid_for,
    preview_seconds_to_hear,
    preview_served_for,
    revision_has_audio,
    user_is_task_approver,
    workflow_rerouted_for,
    workflow_state_in_progress,
)

logger = logging.getLogger(__name__)


class ModerationRefused(PermissionDenied):
    """An approval, rejection or listening that the rules refuse; ``str()`` says why in
    Vietnamese, for the person who tried."""


def _check_task_state_actionable(*, task_state: ListenApprovalTaskState, user) -> None:
    if task_state.status != TaskState.STATUS_IN_PROGRESS:
        raise ModerationRefused(
            _("Bước duyệt này đã kết thúc (đã được xử lý hoặc đã hủy); không thể thao tác lại.")
        )
    workflow_state = task_state.workflow_state
    if (
        workflow_state.status != WorkflowState.STATUS_IN_PROGRESS
        or workflow_state.current_task_state_id != task_state.pk
    ):
        raise ModerationRefused(_("Bản tin không còn chờ duyệt ở bước này."))
    if not user_is_task_approver(task=task_state.task.specific, user=user):
        raise ModerationRefused(
            _("Bước duyệt “%(task)s” không được giao cho bạn.") % {"task": task_state.task.name}
        )


def _check_revision_current(*, task_state: ListenApprovalTaskState, revision_id=None) -> Revision:
    latest = task_state.workflow_state.content_object.get_latest_revision()
    stale = task_state.revision_id != latest.pk or (
        revision_id is not None and str(revision_id) != str(latest.pk)
    )
    if stale:
        raise ModerationRefused(
            _(
                "Bản tin đã được sửa sau phiên bản bạn đang xem; hãy tải lại trang, nghe lại "
                "bản mới rồi duyệt."
            )
        )
    return latest


def approval_check(*, task_state: ListenApprovalTaskState, user, revision_id=None) -> None:
    """Raise :class:`ModerationRefused` unless ``user`` may approve ``task_state`` now."""
    _check_task_state_actionable(task_state=task_state, user=user)
    latest = _check_revision_current(task_state=task_state, revision_id=revision_id)
    if revision_has_audio(latest) and listen_record_valid_for(task_state=task_state, user=user) is None:
        raise ModerationRefused(
            _("Bạn cần nghe hết bản xem trước âm thanh của phiên bản hiện tại trước khi duyệt.")
        )


@transaction.atomic
def listen_record(
    *,
    task_state: ListenApprovalTaskState,
    user,
    revision_id,
    played_seconds: float,
    duration_seconds: float,
) -> ListenRecord:
    """Record that ``user`` played the preview of the current revision for this step."""
    task_state = ListenApprovalTaskState.objects.select_for_update().get(pk=task_state.pk)
    _check_task_state_actionable(task_state=task_state, user=user)
    latest = _check_revision_current(task_state=task_state, revision_id=revision_id)
    # The browser's numbers are only a claim: the server knows when it served which audio to
    # whom and how long that audio is, and a listening cannot end before it could be heard.
    served = preview_served_for(revision=latest, user=user)
    if served is None or served.revision_created_at != latest.created_at:
        raise ModerationRefused(
            _(
                "Bạn chưa tải bản xem trước âm thanh của phiên bản này; hãy bấm “Nghe bản xem "
                "trước” và nghe hết."
            )
        )
    if served.duration_seconds <= 0:
        raise ModerationRefused(
            _("Không đo được độ dài bản xem trước; hãy tải lại trang rồi nghe lại.")
        )
    waited = (timezone.now() - served.served_at).total_seconds()
    if waited < preview_seconds_to_hear(served) or played_seconds < HEARD_FRACTION * (
        served.duration_seconds
    ):
        raise ModerationRefused(_("Bản xem trước chưa được nghe hết."))
    if duration_seconds and abs(duration_seconds - served.duration_seconds) > 2:
        logger.info(
            "Player reported %.1f s for preview of revision %s (%.1f s served)",
            duration_seconds, latest.pk, served.duration_seconds,
        )
    return ListenRecord.objects.create(
        task_state=task_state,
        revision=latest,
        user=user,
        played_seconds=played_seconds,
        duration_seconds=served.duration_seconds,
    )


def preview_served_record(*, revision: Revision, user, duration_seconds: float) -> PreviewServed:
    """The audio preview of ``revision`` (``duration_seconds`` long) is being served to
    ``user``: remember the first time, the listen gate's clock starts there."""
    served, created = PreviewServed.objects.get_or_create(
        revision=revision,
        user=user,
        defaults={
            "duration_seconds": duration_seconds,
            "revision_created_at": revision.created_at,
            "site": _revision_site(revision),
        },
    )
    if created:
        return served
    if served.revision_created_at != revision.created_at:
        # Rewritten in place since (autosave): this is the first serve of its new text.
        served.served_at = timezone.now()
        served.duration_seconds = duration_seconds
        served.revision_created_at = revision.created_at
        served.save(update_fields=["served_at", "duration_seconds", "revision_created_at"])
    elif served.duration_seconds != duration_seconds:
        # Re-rendered (an engine fell back): the longer audio is the one to wait for.
        served.duration_seconds = max(served.duration_seconds, duration_seconds)
        served.save(update_fields=["duration_seconds"])
    return served


def _revision_site(revision: Revision):
    obj = revision.content_object
    return obj.get_site() if isinstance(obj, Page) else None


@transaction.atomic
def task_state_act(
    *,
    task_state: ListenApprovalTaskState,
    user,
    action: str,
    revision_id,
    comment: str = "",
) -> TaskState:
    """Approve or reject a listen-before-approve step from the moderation queue."""
    task_state = ListenApprovalTaskState.objects.select_for_update().get(pk=task_state.pk)
    if action == "approve":
        approval_check(task_state=task_state, user=user, revision_id=revision_id)
    elif action == "reject":
        _check_task_state_actionable(task_state=task_state, user=user)
        _check_revision_current(task_state=task_state, revision_id=revision_id)
        if not comment.strip():
            raise ModerationRefused(_("Khi yêu cầu sửa, hãy ghi rõ cần sửa gì."))
    else:
        raise ModerationRefused(_("Thao tác không hợp lệ."))
    task_state.task.specific.on_action(task_state, user, action, comment=comment.strip())
    task_state.refresh_from_db()
    return task_state


@transaction.atomic
def task_state_reset_for_new_revision(*, revision_id: int) -> TaskState | None:
    """A new revision of content waiting in a listen-before-approve step resets that step:
    the in-progress step is cancelled and the workflow restarts at the first step not
    approved for the new revision (Wagtail's re-approval rule, applied at once)."""
    revision = Revision.objects.filter(pk=revision_id).first()
    if revision is None:
        return None
    obj = revision.content_object
    if obj is None:
        return None
    workflow_state = workflow_state_in_progress(obj)
    if not workflow_state or not workflow_state.current_task_state:
        return None
    if obj.get_latest_revision() == revision and isinstance(obj, Page):
        rerouted = _workflow_state_reroute(
            workflow_state=workflow_state, page=obj, edited=revision.as_object(), user=revision.user
        )
        if rerouted is not None:
            return rerouted.current_task_state
    current = workflow_state.current_task_state.specific
    if (
        not isinstance(current, ListenApprovalTaskState)
        or current.status != TaskState.STATUS_IN_PROGRESS
        or current.revision_id == revision.pk
        or obj.get_latest_revision() != revision
    ):
        return None
    current.cancel(
        user=revision.user,
        comment=str(_("Bản tin đã được sửa; cần nghe và duyệt lại phiên bản mới.")),
    )
    workflow_state.refresh_from_db()
    logger.info(
        "Moderation step %s reset by revision %s of %s", current.pk, revision.pk, obj.pk
    )
    return workflow_state.current_task_state


def _workflow_state_reroute(*, workflow_state, page, edited, user) -> WorkflowState | None:
    """Content edited while it waits in a workflow its routing no longer picks (say a khẩn
    cấp bulletin on the one-step track became thường) moves to the workflow the rules pick,
    from its first step; otherwise one approval on the wrong track would publish it."""
    workflow = workflow_rerouted_for(workflow_state=workflow_state, page=edited)
    if workflow is None:
        return None
    workflow_state.cancel(user=user)
    new_state = workflow.start(page, user)
    logger.info(
        "Edited %s rerouted from workflow %s to %s", page.pk, workflow_state.workflow_id, workflow.pk
    )
    return new_state


@transaction.atomic
def workflow_state_reroute_on_resubmit(*, page, submitted, user) -> Workflow | None:
    """Before ``submitted`` (``page`` as the editor resubmits it) goes back to moderation: when
    the routing rules now pick another workflow than the one that sent it back for changes,
    cancel that workflow state, so the submission starts the workflow the rules pick instead
    of resuming the old one. Returns the newly picked workflow, or ``None`` when it stands."""
    workflow_state = (
        WorkflowState.objects.for_instance(page)
        .filter(status=WorkflowState.STATUS_NEEDS_CHANGES)
        .select_for_update()
        .first()
    )
    if workflow_state is None:
        return None
    workflow = workflow_rerouted_for(workflow_state=workflow_state, page=submitted)
    if workflow is None:
        return None
    workflow_state.cancel(user=user)
    logger.info(
        "Resubmission of %s rerouted from workflow %s to %s",
        page.pk, workflow_state.workflow_id, workflow.pk,
    )
    return workflow
