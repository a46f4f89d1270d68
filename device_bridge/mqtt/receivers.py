"""Emergencies fan out to every cluster as soon as their loudspeaker dispatch is committed,
and again when their audio becomes ready (``device_bridge.emergency``)."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from device_bridge.models import Dispatch
from device_bridge.tts.signals import audio_ready

from ..emergency import EMERGENCY, emergency_fanout


@receiver(post_save, sender=Dispatch, dispatch_uid="mqtt.emergency_fanout_on_dispatch")
def _fanout_on_dispatch(sender, instance, created=False, raw=False, **kwargs):
    # Registered while the dispatch is being written, so it runs right after the commit and
    # before the per-delivery tasks are enqueued (a thousand queue writes on the ORM broker).
    if raw or not created or instance.channel != "speakers" or instance.priority != EMERGENCY:
        return
    page_id = instance.page_id
    transaction.on_commit(lambda: emergency_fanout(page_id=page_id))


@receiver(audio_ready, dispatch_uid="mqtt.emergency_fanout_on_audio")
def _fanout_on_audio(sender, page, audio=None, **kwargs):
    if getattr(page, "priority", "") == EMERGENCY:
        page_id = page.pk
        transaction.on_commit(lambda: emergency_fanout(page_id=page_id, render=False))
