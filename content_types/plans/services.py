"""Writes of plan tasks: a progress report moves the task and keeps the report."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PlanTask, PlanTaskNote, TaskStatus
from .selectors import user_can_report_progress


def plan_task_progress_report(*, task_id: int, user, text: str, status: str, progress: int,
                              evidence_url: str = "", site=None) -> PlanTaskNote:
    """Record a progress report and move the task to the reported status and progress.

    The task row is locked for the update, so two reports at once are both kept and the task
    ends in the state of the later one. A done task is 100 %; reopening clears the done date."""
    with transaction.atomic():
        task = PlanTask.objects.select_for_update().select_related("lead_unit").get(pk=task_id)
        if site is not None and task.site_id != site.pk:
            raise PlanTask.DoesNotExist
        if not user_can_report_progress(user=user, task=task):
            raise PermissionDenied(_("Bạn không thuộc đơn vị chủ trì nhiệm vụ này."))
        if status not in TaskStatus.values:
            raise ValueError(status)
        today = timezone.localdate()
        if status == TaskStatus.DONE:
            progress = 100
            task.completed_on = task.completed_on or today
        else:
            task.completed_on = None
        task.status = status
        task.progress = max(0, min(100, int(progress)))
        task.save(update_fields=["status", "progress", "completed_on", "updated_at"])
        return PlanTaskNote.objects.create(
            task=task, author=user, author_name=user.get_full_name() or user.get_username(),
            text=text, status=status, progress=task.progress, evidence_url=evidence_url,
        )
