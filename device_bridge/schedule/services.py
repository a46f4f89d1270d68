"""Writes to the broadcast schedule: materialising items, expiring them, relays."""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..conf import setting
from ..fleet.services import cluster_commands_signal
from ..models import ClusterCommand, RelayProgramme, ScheduleItem, SpeakerCluster
from .slots import RANK, RELAY_RANK, Window, emergency_window, relay_windows, template_windows

logger = logging.getLogger(__name__)


class NoSlotError(Exception):
    """The schedule template gives this bulletin no window to play in."""


def cluster_schedule_bump(*, cluster_ids) -> None:
    """Tell clusters their schedule changed: the next poll gets a fresh body, not a 304."""
    ids = list(set(cluster_ids))
    if ids:
        SpeakerCluster.objects.filter(pk__in=ids).update(schedule_version=F("schedule_version") + 1)


def bulletin_windows(*, page, template, now: dt.datetime) -> list[Window]:
    priority = getattr(page, "priority", "thuong")
    valid_from = getattr(page, "valid_from", None)
    valid_until = getattr(page, "valid_until", None)
    if priority == "khan_cap":
        repeat = template.emergency_repeat if template else setting("EMERGENCY_REPEAT")
        minutes = template.window_minutes if template else setting("SLOT_WINDOW_MINUTES")
        return emergency_window(
            now=now, repeat=repeat, window_minutes=minutes,
            valid_from=valid_from, valid_until=valid_until,
        )
    if template is None:
        raise NoSlotError("no-template")
    return template_windows(template, now=now, valid_from=valid_from, valid_until=valid_until)


def schedule_items_for_delivery(*, delivery, page, audio, template, now: dt.datetime) -> int:
    """Create the delivery's items once (re-running adds nothing). Returns how many exist."""
    existing = delivery.items.count()
    if existing:
        return existing
    windows = bulletin_windows(page=page, template=template, now=now)
    if not windows:
        raise NoSlotError("no-slot")
    priority = getattr(page, "priority", "thuong")
    items = [
        ScheduleItem(
            cluster_id=delivery.cluster_id,
            kind=ScheduleItem.Kind.BULLETIN,
            delivery=delivery,
            page_id=page.pk,
            title=page.title[:255],
            priority=priority,
            rank=RANK.get(priority, 2),
            play_at=window.play_at,
            play_until=window.play_until,
            repeat=window.repeat,
            preempt=window.preempt,
            audio_name=audio.file.name,
            audio_sha256=audio.sha256,
            audio_size=audio.size_bytes,
            audio_duration=audio.duration_seconds,
        )
        for window in windows
    ]
    try:
        with transaction.atomic():
            ScheduleItem.objects.bulk_create(items)
            if priority == "khan_cap":
                # Long-polling clusters react within a second instead of at their next poll.
                ClusterCommand.objects.create(
                    cluster_id=delivery.cluster_id,
                    kind=ClusterCommand.Kind.PLAY_NOW,
                    payload={"item_id": items[0].pk} if items[0].pk else {},
                    expires_at=items[0].play_until,
                )
                cluster_commands_signal(cluster_id=delivery.cluster_id)
    except IntegrityError:
        # Another worker created them first (a swept, re-run delivery): theirs stand.
        logger.info("Schedule items of delivery %s already exist", delivery.pk)
    cluster_schedule_bump(cluster_ids=[delivery.cluster_id])
    return delivery.items.count()


def schedule_items_cancel(*, delivery) -> int:
    """Cancel what this delivery has not played yet; stop it if a cluster is playing it."""
    pending = delivery.items.filter(status=ScheduleItem.Status.PENDING)
    item_ids = list(pending.values_list("pk", flat=True))
    count = pending.update(status=ScheduleItem.Status.CANCELLED, note="withdrawn")
    if delivery.cluster_id:
        cluster = SpeakerCluster.objects.filter(pk=delivery.cluster_id).first()
        playing = (cluster.last_heartbeat or {}).get("playing") if cluster else None
        playing_id = playing.get("item_id") if isinstance(playing, dict) else None
        if playing_id and playing_id in item_ids:
            ClusterCommand.objects.create(
                cluster=cluster,
                kind=ClusterCommand.Kind.STOP,
                payload={"item_id": playing_id},
                expires_at=timezone.now() + dt.timedelta(minutes=10),
            )
            cluster_commands_signal(cluster_id=cluster.pk)
        cluster_schedule_bump(cluster_ids=[delivery.cluster_id])
    return count


def schedule_items_expire(*, now: dt.datetime | None = None) -> list[int]:
    """Mark pending items whose window closed as expired. Returns affected delivery ids."""
    now = now or timezone.now()
    stale = ScheduleItem.objects.filter(status=ScheduleItem.Status.PENDING, play_until__lte=now)
    rows = list(stale.values_list("pk", "delivery_id", "cluster_id"))
    if not rows:
        return []
    ScheduleItem.objects.filter(pk__in=[row[0] for row in rows]).update(
        status=ScheduleItem.Status.EXPIRED, note="window closed"
    )
    return sorted({row[1] for row in rows if row[1]})


def relay_materialise(*, today: dt.date | None = None, days: int | None = None) -> int:
    """Create relay items for the coming days on every active cluster of each relay's zones."""
    today = today or timezone.localdate()
    days = days or setting("RELAY_HORIZON_DAYS")
    created = 0
    touched = set()
    clusters = list(SpeakerCluster.objects.filter(is_active=True).only("pk", "zone_id"))
    for relay in RelayProgramme.objects.filter(is_active=True).prefetch_related("zones"):
        zone_ids = {zone.pk for zone in relay.zones.all()}
        targets = [c for c in clusters if not zone_ids or c.zone_id in zone_ids]
        windows = relay_windows(relay, start_day=today, days=days)
        existing = set(
            ScheduleItem.objects.filter(relay=relay, play_at__gte=windows[0].play_at)
            .values_list("cluster_id", "play_at")
        ) if windows else set()
        new_items = [
            ScheduleItem(
                cluster_id=cluster.pk,
                kind=ScheduleItem.Kind.RELAY,
                relay=relay,
                title=relay.name[:255],
                priority="thuong",
                rank=RELAY_RANK,
                play_at=window.play_at,
                play_until=window.play_until,
                stream_url=relay.stream_url,
            )
            for cluster in targets
            for window in windows
            if (cluster.pk, window.play_at) not in existing
        ]
        ScheduleItem.objects.bulk_create(new_items, ignore_conflicts=True)
        created += len(new_items)
        touched.update(item.cluster_id for item in new_items)
    cluster_schedule_bump(cluster_ids=touched)
    return created
