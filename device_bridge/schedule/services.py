"""Writes to the broadcast schedule: materialising items, expiring them, relays."""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..conf import setting
from ..fleet.services import cluster_commands_signal, cluster_schedule_bump
from ..models import ClusterCommand, RelayProgramme, ScheduleItem, SpeakerCluster
from .slots import RANK, RELAY_RANK, Window, emergency_window, relay_windows, template_windows

logger = logging.getLogger(__name__)


class NoSlotError(Exception):
    """The schedule template gives this bulletin no window to play in."""


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
                # Long-polling clusters react at once instead of at their next poll.
                first_id = items[0].pk or delivery.items.order_by("play_at", "pk").values_list(
                    "pk", flat=True).first()
                ClusterCommand.objects.create(
                    cluster_id=delivery.cluster_id,
                    kind=ClusterCommand.Kind.PLAY_NOW,
                    payload={"item_id": first_id},
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
    return schedule_items_withdraw(items=delivery.items.all(), note="withdrawn")


def schedule_items_withdraw(*, items, note: str, now: dt.datetime | None = None) -> int:
    """Cancel the pending ones of ``items`` and make every affected cluster drop them.

    The schedule version is bumped so the next poll gets the list without them (a 304 would
    keep them playing). A cluster that reports playing one, or may be playing one because its
    window is open now (heartbeats can be 45 s old), also gets a ``stop`` command: the only
    way the protocol has to interrupt something already started.
    """
    now = now or timezone.now()
    pending = items.filter(status=ScheduleItem.Status.PENDING)
    rows = list(pending.values_list("pk", "cluster_id", "play_at", "play_until"))
    if not rows:
        return 0
    ScheduleItem.objects.filter(pk__in=[row[0] for row in rows],
                                status=ScheduleItem.Status.PENDING).update(
        status=ScheduleItem.Status.CANCELLED, note=note[:255]
    )
    cluster_ids = {row[1] for row in rows}
    # An emergency's "play now" not yet acknowledged must not reach the cluster (again).
    ClusterCommand.objects.filter(
        kind=ClusterCommand.Kind.PLAY_NOW, acked_at__isnull=True,
        cluster_id__in=cluster_ids, payload__item_id__in=[row[0] for row in rows],
    ).update(expires_at=now)
    playing = {}
    for cluster_id, heartbeat in SpeakerCluster.objects.filter(pk__in=cluster_ids).values_list(
        "pk", "last_heartbeat"
    ):
        current = (heartbeat or {}).get("playing")
        if isinstance(current, dict):
            playing[cluster_id] = current.get("item_id")
    stops = [
        ClusterCommand(
            cluster_id=cluster_id, kind=ClusterCommand.Kind.STOP, payload={"item_id": pk},
            expires_at=max(play_until, now) + dt.timedelta(minutes=10),
        )
        for pk, cluster_id, play_at, play_until in rows
        if playing.get(cluster_id) == pk or play_at <= now < play_until
    ]
    if stops:
        ClusterCommand.objects.bulk_create(stops)
        for cluster_id in {command.cluster_id for command in stops}:
            cluster_commands_signal(cluster_id=cluster_id)
    cluster_schedule_bump(cluster_ids=cluster_ids)
    return len(rows)


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


def relay_materialise(*, today: dt.date | None = None, days: int | None = None,
                      relay_ids=None, closed_before: dt.datetime | None = None) -> int:
    """Create relay items for the coming days on every active cluster of each relay's zones.

    ``closed_before`` skips windows that end before it (re-materialising at noon must not
    create this morning's relay only to expire it).
    """
    today = today or timezone.localdate()
    days = days or setting("RELAY_HORIZON_DAYS")
    created = 0
    touched = set()
    clusters = list(SpeakerCluster.objects.filter(is_active=True).only("pk", "zone_id"))
    relays = RelayProgramme.objects.filter(is_active=True).prefetch_related("zones")
    if relay_ids is not None:
        relays = relays.filter(pk__in=list(relay_ids))
    for relay in relays:
        zone_ids = {zone.pk for zone in relay.zones.all()}
        targets = [c for c in clusters if not zone_ids or c.zone_id in zone_ids]
        windows = relay_windows(relay, start_day=today, days=days)
        if closed_before is not None:
            windows = [window for window in windows if window.play_until > closed_before]
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


def relay_rematerialise(*, relay_id: int, now: dt.datetime | None = None,
                        removed: bool = False) -> int:
    """A relay changed (deactivated, new stream URL, hours, zones): redo what has not played.

    Items that have not started are replaced by ones made from the relay as it is now; one
    playing now is stopped if the relay was deactivated, deleted (``removed``, called just
    before the delete) or its stream or zones changed, and otherwise plays on. Items that
    played keep their receipts. Returns how many items were created.
    """
    now = now or timezone.now()
    relay = None if removed else (
        RelayProgramme.objects.filter(pk=relay_id).prefetch_related("zones").first()
    )
    with transaction.atomic():
        upcoming = ScheduleItem.objects.filter(relay_id=relay_id, play_at__gt=now)
        # Never-started items carry no receipt: they are plans, not history, so they go.
        gone = set(upcoming.filter(status__in=[ScheduleItem.Status.PENDING,
                                               ScheduleItem.Status.CANCELLED])
                   .values_list("cluster_id", flat=True))
        upcoming.filter(status__in=[ScheduleItem.Status.PENDING, ScheduleItem.Status.CANCELLED],
                        receipts__isnull=True).delete()
        current = ScheduleItem.objects.filter(relay_id=relay_id, play_at__lte=now, play_until__gt=now)
        if relay is None or not relay.is_active:
            # Everything still open goes, including a future item kept for its receipt.
            schedule_items_withdraw(
                items=ScheduleItem.objects.filter(relay_id=relay_id, play_until__gt=now),
                note="relay deleted" if removed else "relay deactivated", now=now,
            )
        else:
            zone_ids = {zone.pk for zone in relay.zones.all()}
            stale = current.exclude(stream_url=relay.stream_url)
            if zone_ids:
                stale = stale | current.exclude(cluster__zone_id__in=zone_ids)
            schedule_items_withdraw(items=stale, note="relay changed", now=now)
        cluster_schedule_bump(cluster_ids=gone)
        if relay is None or not relay.is_active:
            return 0
        return relay_materialise(today=timezone.localdate(now), relay_ids=[relay_id],
                                 closed_before=now)


def cluster_deactivate(*, cluster: SpeakerCluster) -> None:
    """Take a cluster out of service; saving it retires what it still had to play."""
    if cluster.is_active:
        cluster.is_active = False
        cluster.save(update_fields=["is_active"])


def cluster_retire(*, cluster_id: int, reason: str) -> int:
    """An inactive cluster plays nothing more: cancel its items and close its deliveries.

    Its deliveries end as cancelled (or done if something already played), so every dispatch
    that included it can still reach a terminal state.
    """
    from ..models import Delivery
    from ..services import ACTIVE, dispatch_refresh

    with transaction.atomic():
        schedule_items_withdraw(
            items=ScheduleItem.objects.filter(cluster_id=cluster_id), note="cluster deactivated"
        )
        deliveries = list(Delivery.objects.filter(cluster_id=cluster_id, status__in=ACTIVE)
                          .values_list("pk", "dispatch_id"))
        for delivery_id, _dispatch_id in deliveries:
            played = ScheduleItem.objects.filter(delivery_id=delivery_id,
                                                 status=ScheduleItem.Status.PLAYED).exists()
            Delivery.objects.filter(pk=delivery_id, status__in=ACTIVE).update(
                status=Delivery.Status.DONE if played else Delivery.Status.CANCELLED,
                claim_token="", last_error=reason, finished_at=timezone.now(),
            )
        for dispatch_id in {dispatch_id for _pk, dispatch_id in deliveries}:
            dispatch_refresh(dispatch_id=dispatch_id)
    return len(deliveries)
