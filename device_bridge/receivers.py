"""Signal receivers: they enqueue work after the transaction commits.

The exceptions are the ``pre_delete`` receivers: they act inside the delete's transaction,
before the rows go (withdraw what is deleted, or refuse deleting a cluster with history).
"""

import logging

from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext as _
from wagtail.models import Page
from wagtail.signals import task_approved

from device_bridge.tts.signals import audio_ready
from workflows.events import content_approved, content_withdrawn

from . import alerts, selectors, services
from .models import ClusterHasHistory, RelayProgramme, SpeakerCluster
from .schedule import services as schedule_services

logger = logging.getLogger(__name__)


@receiver(content_approved, dispatch_uid="device_bridge.dispatch_on_approval")
def _dispatch_on_approval(sender, page, revision=None, **kwargs):
    transaction.on_commit(lambda: services.bulletin_dispatch(page=page, revision=revision))


@receiver(task_approved, dispatch_uid="device_bridge.coverage_notice_on_approval")
def _coverage_notice_on_approval(sender, instance, user=None, **kwargs):
    if user is None:
        return
    page = instance.revision.as_object() if instance.revision_id else None
    if page is None or not hasattr(page, "spoken_text"):
        return
    try:
        alerts.coverage_notice_queue(user=user, page=page)
    except Exception:  # noqa: BLE001 - a notice must never undo an approval; logged, not hidden
        logger.exception("Coverage notice for page %s failed", page.pk)


@receiver(content_withdrawn, dispatch_uid="device_bridge.cancel_on_withdrawal")
def _cancel_on_withdrawal(sender, page, **kwargs):
    transaction.on_commit(lambda: services.page_withdraw(page=page))


@receiver(audio_ready, dispatch_uid="device_bridge.schedule_on_audio")
def _schedule_on_audio(sender, page, audio=None, **kwargs):
    transaction.on_commit(lambda: services.page_audio_ready(page=page))


# Deletes come from the page editor, bulk actions and scripts; all of them delete through a
# Page queryset, which sends pre_delete for every page of the subtree inside the transaction.
@receiver(pre_delete, sender=Page, dispatch_uid="device_bridge.withdraw_before_page_delete")
def _withdraw_before_page_delete(sender, instance, **kwargs):
    services.page_delete_withdraw(page=instance)


@receiver(pre_delete, sender=RelayProgramme, dispatch_uid="device_bridge.withdraw_deleted_relay")
def _withdraw_deleted_relay(sender, instance, **kwargs):
    schedule_services.relay_rematerialise(relay_id=instance.pk, removed=True)


@receiver(post_save, sender=RelayProgramme, dispatch_uid="device_bridge.rematerialise_relay")
def _rematerialise_saved_relay(sender, instance, raw=False, **kwargs):
    if raw:
        return
    relay_id = instance.pk
    transaction.on_commit(lambda: schedule_services.relay_rematerialise(relay_id=relay_id))


@receiver(m2m_changed, sender=RelayProgramme.zones.through,
          dispatch_uid="device_bridge.rematerialise_relay_zones")
def _rematerialise_relay_zones(sender, instance, action, reverse=False, **kwargs):
    if reverse or action not in ("post_add", "post_remove", "post_clear"):
        return
    relay_id = instance.pk
    transaction.on_commit(lambda: schedule_services.relay_rematerialise(relay_id=relay_id))


@receiver(post_save, sender=SpeakerCluster, dispatch_uid="device_bridge.retire_inactive_cluster")
def _cluster_membership_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields and not {"zone", "zone_id", "is_active"} & set(update_fields):
        return  # a token or firmware write: membership did not change
    if instance.is_active:
        # Added, activated or moved to another zone: content that found no cluster there
        # (or none at all) is delivered to it now. Idempotent, so every save may ask.
        cluster_id = instance.pk
        transaction.on_commit(lambda: services.dispatch_targets_join(cluster_id=cluster_id))
        return
    cluster_id = instance.pk
    transaction.on_commit(lambda: schedule_services.cluster_retire(
        cluster_id=cluster_id, reason=_("Cụm loa đã ngừng hoạt động.")))


@receiver(pre_delete, sender=SpeakerCluster, dispatch_uid="device_bridge.protect_cluster_history")
def _protect_cluster_history(sender, instance, **kwargs):
    # Raising here aborts the whole delete (it runs inside the delete's transaction), for the
    # admin and for scripts alike; the admin shows the same message before offering it.
    history = selectors.cluster_history(cluster_id=instance.pk)
    if history:
        raise ClusterHasHistory(cluster=instance, history=history)
