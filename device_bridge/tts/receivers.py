"""Signal receivers: enqueue only (no engine, no HTTP), after the transaction commits."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import workflow_submitted

from workflows.events import content_approved


def _enqueue(func: str, *args) -> None:
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(func, *args))


@receiver(content_approved, dispatch_uid="tts.render_on_approval")
def render_on_approval(sender, page, revision=None, **kwargs):
    if not hasattr(page, "spoken_text"):
        return
    _enqueue("device_bridge.tts.tasks.render_broadcast", page.pk, revision.pk if revision else None)


@receiver(workflow_submitted, dispatch_uid="tts.preview_on_submit")
def preview_on_submit(sender, instance, user=None, **kwargs):
    """Approvers get the preview ready by the time they open the task."""
    task_state = instance.current_task_state
    revision = getattr(task_state, "revision", None)
    if revision is None or not hasattr(revision.content_type.model_class(), "spoken_text"):
        return
    _enqueue("device_bridge.tts.tasks.render_preview", revision.pk)
