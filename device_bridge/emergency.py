"""Emergency fan-out (tin khẩn cấp): every cluster of the zones scheduled in one step.

The delivery engine schedules a bulletin one delivery (one cluster) per task; for 1,000
clusters behind one worker that is minutes, and an emergency must start everywhere within
seconds. So right after an emergency's approval commits (and again when its audio becomes
ready) its loudspeaker deliveries are claimed together and scheduled with a few bulk
statements: one preempting item per cluster (the windows ``bulletin_windows`` gives), one
``play_now`` command each, one schedule bump, every long-poll woken. The per-delivery tasks
that follow find them scheduled and do nothing. Anything unusual (no audio, no window, a
failure) leaves the deliveries to the normal engine, which still sends them, only slower.
"""

import logging
import uuid

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .fleet.services import cluster_commands_signal, cluster_schedule_bump
from .models import ClusterCommand, Delivery, Dispatch, ScheduleItem
from .schedule.services import NoSlotError, bulletin_windows
from .schedule.slots import RANK

logger = logging.getLogger(__name__)

EMERGENCY = "khan_cap"


def _broadcast_audio(page, *, render: bool):
    from .tts.selectors import audio_for_page

    audio = audio_for_page(page)
    if audio is not None or not render:
        return audio
    from .tts.services import page_broadcast_render

    # Rendered here rather than queued behind a thousand delivery tasks; the speech cache
    # makes it instant when the approver listened to the same text.
    try:
        audio = page_broadcast_render(page=page)
    except Exception:  # noqa: BLE001 - the normal engine renders and retries it; logged
        logger.exception("Emergency %s: speech render failed; the delivery engine takes over", page.pk)
        return None
    return audio if audio.status == audio.Status.READY else None


def emergency_fanout(*, page_id: int, render: bool = True) -> int:
    """Schedule every waiting loudspeaker delivery of a live emergency at once; returns how many."""
    from wagtail.models import Page

    page = Page.objects.filter(pk=page_id, live=True).first()
    page = page.specific if page else None
    if page is None or getattr(page, "priority", "") != EMERGENCY:
        return 0
    dispatch = (Dispatch.objects.filter(page_id=page_id, channel="speakers",
                                        status=Dispatch.Status.ACTIVE)
                .select_related("schedule_template").order_by("-created_at").first())
    if dispatch is None:
        return 0
    waiting = Delivery.objects.filter(
        dispatch=dispatch, status__in=[Delivery.Status.PENDING, Delivery.Status.WAITING_AUDIO],
        cluster__is_active=True,
    )
    now = timezone.now()
    token = uuid.uuid4().hex
    # Claimed before the render: the audio_ready it announces must not start the slow path.
    if not waiting.update(status=Delivery.Status.IN_FLIGHT, claimed_at=now, claim_token=token,
                          attempts=F("attempts") + 1):
        return 0
    claimed = Delivery.objects.filter(claim_token=token)
    audio = _broadcast_audio(page, render=render)
    windows = []
    if audio is not None and audio.file.name and audio.file.storage.exists(audio.file.name):
        try:
            windows = bulletin_windows(page=page, template=dispatch.schedule_template, now=now)
        except NoSlotError:
            windows = []
    if not windows:
        # Back to the delivery engine, which reports what is wrong on the delivery page.
        claimed.update(status=Delivery.Status.WAITING_AUDIO, claim_token="",
                       attempts=F("attempts") - 1)
        return 0
    with transaction.atomic():
        claimed = list(claimed.values_list("pk", "cluster_id"))
        items = [
            ScheduleItem(
                cluster_id=cluster_id, kind=ScheduleItem.Kind.BULLETIN, delivery_id=delivery_id,
                page_id=page.pk, title=page.title[:255], priority=EMERGENCY, rank=RANK[EMERGENCY],
                play_at=window.play_at, play_until=window.play_until, repeat=window.repeat,
                preempt=window.preempt, audio_name=audio.file.name, audio_sha256=audio.sha256,
                audio_size=audio.size_bytes, audio_duration=audio.duration_seconds,
            )
            for delivery_id, cluster_id in claimed
            for window in windows
        ]
        ScheduleItem.objects.bulk_create(items, batch_size=500)
        first = {}
        for item in items:
            first.setdefault(item.cluster_id, item)
        ClusterCommand.objects.bulk_create([
            ClusterCommand(cluster_id=cluster_id, kind=ClusterCommand.Kind.PLAY_NOW,
                           payload={"item_id": item.pk}, expires_at=item.play_until)
            for cluster_id, item in first.items()
        ], batch_size=500)
        Delivery.objects.filter(claim_token=token).update(
            status=Delivery.Status.SCHEDULED, claim_token="", last_error="", next_attempt_at=None)
        cluster_schedule_bump(cluster_ids=list(first))
        for cluster_id in first:
            cluster_commands_signal(cluster_id=cluster_id)
    logger.info("Emergency %s: %s clusters scheduled at once", page.pk, len(claimed))
    return len(claimed)
