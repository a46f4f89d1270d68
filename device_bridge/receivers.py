"""Signal receivers: they only enqueue work after the transaction commits."""

from django.db import transaction
from django.dispatch import receiver

from device_bridge.tts.signals import audio_ready
from workflows.events import content_approved, content_withdrawn

from . import services


@receiver(content_approved, dispatch_uid="device_bridge.dispatch_on_approval")
def _dispatch_on_approval(sender, page, revision=None, **kwargs):
    transaction.on_commit(lambda: services.bulletin_dispatch(page=page, revision=revision))


@receiver(content_withdrawn, dispatch_uid="device_bridge.cancel_on_withdrawal")
def _cancel_on_withdrawal(sender, page, **kwargs):
    transaction.on_commit(lambda: services.page_withdraw(page=page))


@receiver(audio_ready, dispatch_uid="device_bridge.schedule_on_audio")
def _schedule_on_audio(sender, page, audio=None, **kwargs):
    transaction.on_commit(lambda: services.page_audio_ready(page=page))
