"""Signal receivers of the moderation app: each only schedules a service call."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.models import Revision

from .services import task_state_reset_for_new_revision


@receiver(post_save, sender=Revision, dispatch_uid="workflows_revision_resets_listen_step")
def _on_revision_created(sender, instance, created, raw=False, **kwargs):
    if raw or not created:
        return
    revision_id = instance.pk
    # After commit: the object's ``latest_revision`` is updated only after the row is created.
    transaction.on_commit(lambda: task_state_reset_for_new_revision(revision_id=revision_id))
