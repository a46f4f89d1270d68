"""Emergencies fan out to every cluster as soon as they are approved, and again when their
audio becomes ready (``device_bridge.emergency``). Both run after the commit."""

from django.db import transaction
from django.dispatch import receiver

from device_bridge.tts.signals import audio_ready
from workflows.events import content_approved

from ..emergency import EMERGENCY, emergency_fanout


@receiver(content_approved, dispatch_uid="mqtt.emergency_fanout_on_approval")
def _fanout_on_approval(sender, page, revision=None, **kwargs):
    if getattr(page, "priority", "") == EMERGENCY:
        page_id = page.pk
        transaction.on_commit(lambda: emergency_fanout(page_id=page_id))


@receiver(audio_ready, dispatch_uid="mqtt.emergency_fanout_on_audio")
def _fanout_on_audio(sender, page, audio=None, **kwargs):
    if getattr(page, "priority", "") == EMERGENCY:
        page_id = page.pk
        transaction.on_commit(lambda: emergency_fanout(page_id=page_id, render=False))
