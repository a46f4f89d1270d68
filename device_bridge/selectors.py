"""Read-side queries of the device bridge: rules, progress reports, calendar, fleet state."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from .conf import setting
from .models import (
    Delivery,
    Dispatch,
    DistributionRule,
    PlaybackReceipt,
    ScheduleItem,
    ScheduleTemplate,
    SpeakerCluster,
)


def rule_for_page(page) -> DistributionRule | None:
    """The first active rule (by ``sort_order``) matching the page's category and priority."""
    priority = getattr(page, "priority", None)
    category_id = getattr(page, "category_id", None)
    rules = (
        DistributionRule.objects.filter(is_active=True)
        .select_related("schedule_template")
        .prefetch_related("categories", "zones")
    )
    for rule in rules:
        if rule.priority and rule.priority != priority:
            continue
        category_ids = {c.pk for c in rule.categories.all()}
        if category_ids and category_id not in category_ids:
            continue
        return rule
    return None


def schedule_template_default() -> ScheduleTemplate | None:
    return ScheduleTemplate.objects.filter(is_default=True).order_by("pk").first()


@dataclass
class ChannelProgress:
    dispatch: Dispatch
    deliveries: list
    counts: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.deliveries)

    @property
    def finished(self) -> int:
        return sum(1 for d in self.deliveries if d.status in Delivery.TERMINAL)

    @property
    def done(self) -> int:
        return sum(1 for d in self.deliveries if d.status == Delivery.Status.DONE)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def dispatch_progress_for_page(*, page_id: int) -> list[ChannelProgress]:
    """Per-channel progress of the page's dispatches, newest revision first.

    Found by the page id the dispatch keeps (``content_id``), so a deleted page's broadcast
    record still reads the same.
    """
    dispatches = list(
        Dispatch.objects.filter(Q(content_id=page_id) | Q(page_id=page_id))
        .select_related("revision", "rule", "schedule_template")
        .order_by("-created_at", "channel")
    )
    dispatch_ids = [d.pk for d in dispatches]
    deliveries = defaultdict(list)
    item_stats = {
        row["delivery_id"]: row
        for row in ScheduleItem.objects.filter(delivery__dispatch_id__in=dispatch_ids)
        .values("delivery_id")
        .annotate(
            total=Count("pk"),
            played=Count("pk", filter=Q(status=ScheduleItem.Status.PLAYED)),
            pending=Count("pk", filter=Q(status=ScheduleItem.Status.PENDING)),
            failed=Count("pk", filter=Q(status__in=[ScheduleItem.Status.FAILED,
                                                    ScheduleItem.Status.EXPIRED])),
        )
    }
    last_played = {
        row["delivery_id"]: row["played_at"]
        for row in ScheduleItem.objects.filter(
            delivery__dispatch_id__in=dispatch_ids, status=ScheduleItem.Status.PLAYED
        ).order_by("played_at").values("delivery_id", "played_at")
    }
    for delivery in Delivery.objects.filter(dispatch_id__in=dispatch_ids).select_related("cluster"):
        delivery.item_stats = item_stats.get(delivery.pk)
        delivery.last_played_at = last_played.get(delivery.pk)
        deliveries[delivery.dispatch_id].append(delivery)
    return [ChannelProgress(dispatch=d, deliveries=deliveries[d.pk]) for d in dispatches]


def cluster_is_online(cluster: SpeakerCluster, *, now=None) -> bool:
    now = now or timezone.now()
    return bool(cluster.last_seen_at) and (
        now - cluster.last_seen_at
    ).total_seconds() <= setting("ONLINE_AFTER_SECONDS")


def cluster_schedule_items(*, cluster_id: int, now: dt.datetime) -> list[dict]:
    """What a cluster may still play: pending items whose window has not closed."""
    return list(
        ScheduleItem.objects.filter(
            cluster_id=cluster_id, status=ScheduleItem.Status.PENDING, play_until__gt=now
        )
        .order_by("play_at", "rank", "pk")
        .values(
            "pk", "kind", "title", "priority", "rank", "play_at", "play_until", "repeat",
            "preempt", "audio_sha256", "audio_size", "audio_duration", "stream_url",
        )
    )


@dataclass
class CalendarDay:
    date: dt.date
    items: list
    conflicts: list


def _calendar_key(item) -> tuple:
    # Items of deleted content have no page or relay any more: their kept title tells them apart.
    return (item.kind, item.page_id or item.relay_id or f"title:{item.title}", item.play_at)


def calendar_week(*, zone_id: int | None, start: dt.date, days: int = 7) -> list[CalendarDay]:
    """Coming items of one zone, one entry per distinct thing at a time, with conflicts.

    Clusters of a zone share a schedule, so items are grouped by (title, play_at) and the
    count of clusters shown. A conflict is two different things overlapping on the same
    cluster where neither interrupts the other (emergencies preempt; they do not conflict).
    """
    tz = timezone.get_current_timezone()
    begin = dt.datetime.combine(start, dt.time.min, tz)
    end = begin + dt.timedelta(days=days)
    items = list(
        ScheduleItem.objects.filter(
            play_at__gte=begin, play_at__lt=end,
            cluster__zone_id=zone_id,
        )
        .exclude(status=ScheduleItem.Status.CANCELLED)
        .select_related("cluster")
        .order_by("play_at", "rank", "pk")
    )
    grouped: dict[tuple, dict] = {}
    by_cluster = defaultdict(list)
    for item in items:
        key = _calendar_key(item)
        entry = grouped.setdefault(key, {"item": item, "clusters": set(), "statuses": defaultdict(int),
                                         "conflict": False})
        entry["clusters"].add(item.cluster.code)
        entry["statuses"][item.get_status_display()] += 1
        by_cluster[item.cluster_id].append(item)
    conflicts = []
    for cluster_items in by_cluster.values():
        for i, first in enumerate(cluster_items):
            for second in cluster_items[i + 1:]:
                if second.play_at >= first.busy_until:
                    break
                if first.preempt or second.preempt:
                    continue
                if first.kind == second.kind == ScheduleItem.Kind.BULLETIN and first.play_at == second.play_at:
                    # Bulletins sharing a slot are played back to back by rank: not a conflict.
                    continue
                for item in (first, second):
                    grouped[_calendar_key(item)]["conflict"] = True
                conflicts.append((first, second))
    for entry in grouped.values():
        entry["statuses"] = sorted(entry["statuses"].items())
    result = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        day_entries = [
            entry for key, entry in grouped.items()
            if timezone.localtime(key[2], tz).date() == day
        ]
        day_conflicts = [
            pair for pair in conflicts if timezone.localtime(pair[0].play_at, tz).date() == day
        ]
        result.append(CalendarDay(date=day, items=day_entries, conflicts=day_conflicts))
    return result


def cluster_history(*, cluster_id: int) -> dict:
    """What a cluster took part in (label → count), only the kinds it has: empty if none."""
    counts = {
        Delivery._meta.verbose_name: Delivery.objects.filter(cluster_id=cluster_id).count(),
        ScheduleItem._meta.verbose_name: ScheduleItem.objects.filter(cluster_id=cluster_id).count(),
        PlaybackReceipt._meta.verbose_name:
            PlaybackReceipt.objects.filter(cluster_id=cluster_id).count(),
    }
    return {str(label): count for label, count in counts.items() if count}


def dispatch_history_deleted(*, content_id: int) -> Dispatch | None:
    """The newest dispatch of a page that was deleted (its broadcast record), if any."""
    return (
        Dispatch.objects.filter(content_id=content_id, page__isnull=True)
        .order_by("-created_at").first()
    )


def speaker_coverage_warnings(page) -> list[str]:
    """What approving ``page`` now would not reach on the loudspeakers, in Vietnamese.

    The same plan ``bulletin_dispatch`` makes (rule, zones, active clusters), read only: a
    zone with no active cluster, no cluster at all, no schedule template. Empty when the page
    does not go to the speakers.
    """
    from .channels import ChannelConfigurationError, channel_get

    if not hasattr(page, "spoken_text"):
        return []
    rule = rule_for_page(page)
    keys = rule.channel_keys if rule else list(setting("DEFAULT_CHANNELS"))
    if "speakers" not in keys:
        return []
    zones = list(page.zones.all()) if hasattr(page, "zones") else []
    if not zones and rule:
        zones = list(rule.zones.all())
    try:
        plan = channel_get("speakers").plan_targets(page=page, zones=zones)
    except ChannelConfigurationError as err:
        return [str(err)]
    warnings = [str(warning) for warning in plan.warnings]
    template = (rule.schedule_template if rule and rule.schedule_template_id
                else schedule_template_default())
    if template is None and getattr(page, "priority", "thuong") != "khan_cap":
        from django.utils.translation import gettext

        warnings.append(gettext("Chưa có mẫu lịch phát: bản tin sẽ không được xếp lịch phát loa."))
    return warnings


# --- The technician's dashboard (bảng điều khiển kỹ thuật) ---

@dataclass
class FleetStatus:
    online: int
    offline_count: int
    #: The longest silent first (never seen before anyone); at most ``limit`` of them.
    offline: list
    inactive: int

    @property
    def active(self) -> int:
        return self.online + self.offline_count


def fleet_status(*, now: dt.datetime | None = None, limit: int = 20) -> FleetStatus:
    """Active clusters online/offline (by their last heartbeat) and the offline ones listed."""
    from django.db.models import F

    now = now or timezone.now()
    seen_after = now - dt.timedelta(seconds=setting("ONLINE_AFTER_SECONDS"))
    counts = SpeakerCluster.objects.aggregate(
        online=Count("pk", filter=Q(is_active=True, last_seen_at__gte=seen_after)),
        active=Count("pk", filter=Q(is_active=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
    )
    offline_query = SpeakerCluster.objects.filter(is_active=True).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=seen_after)
    )
    offline = list(
        offline_query.select_related("zone")
        .order_by(F("last_seen_at").asc(nulls_first=True), "code")[:limit]
    )
    return FleetStatus(online=counts["online"], offline_count=counts["active"] - counts["online"],
                       offline=offline, inactive=counts["inactive"])


@dataclass
class DeliveryAttention:
    #: Deliveries that failed (not resent since) or have been stuck for a while.
    failed: list
    failed_count: int
    stuck: list
    stuck_count: int
    #: Dispatches whose audience had no cluster (zones named in ``missing_zones``).
    uncovered: list
    uncovered_count: int


def deliveries_needing_attention(*, now: dt.datetime | None = None, stuck_after_seconds: int,
                                 days: int = 7, limit: int = 10) -> DeliveryAttention:
    """What a technician must look at: failed or stuck deliveries and content that found no
    cluster, of the last ``days``; superseded and withdrawn dispatches are left out."""
    from content_types.snippets import Zone

    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    open_dispatch = Q(dispatch__status__in=[Dispatch.Status.ACTIVE, Dispatch.Status.FAILED])
    failed = Delivery.objects.filter(
        open_dispatch, status=Delivery.Status.FAILED, finished_at__gte=since
    )
    stuck = Delivery.objects.filter(
        open_dispatch, created_at__gte=since, updated_at__lt=now - dt.timedelta(seconds=stuck_after_seconds),
        status__in=[Delivery.Status.PENDING, Delivery.Status.WAITING_AUDIO, Delivery.Status.IN_FLIGHT],
    )
    uncovered = Dispatch.objects.filter(
        targets_missing=True, created_at__gte=since,
        status__in=[Dispatch.Status.ACTIVE, Dispatch.Status.FAILED, Dispatch.Status.DONE],
    )
    failed_rows = list(failed.select_related("dispatch").order_by("-finished_at", "-pk")[:limit])
    stuck_rows = list(stuck.select_related("dispatch").order_by("updated_at", "pk")[:limit])
    uncovered_rows = list(uncovered.annotate(delivery_count=Count("deliveries"))
                          .order_by("-created_at", "-pk")[:limit])
    zone_ids = {pk for dispatch in uncovered_rows for pk in dispatch.missing_zone_ids}
    names = dict(Zone.objects.filter(pk__in=zone_ids).values_list("pk", "name")) if zone_ids else {}
    for dispatch in uncovered_rows:
        dispatch.missing_zones = [names[pk] for pk in dispatch.missing_zone_ids if pk in names]
    return DeliveryAttention(
        failed=failed_rows, failed_count=failed.count(), stuck=stuck_rows, stuck_count=stuck.count(),
        uncovered=uncovered_rows, uncovered_count=uncovered.count(),
    )


def schedule_upcoming(*, now: dt.datetime | None = None, limit: int = 8) -> list[dict]:
    """What plays next: pending items whose window is still open, one row per thing and time
    with the number of clusters playing it."""
    now = now or timezone.now()
    rows = list(
        ScheduleItem.objects.filter(status=ScheduleItem.Status.PENDING, play_until__gt=now)
        .values("play_at", "title", "kind", "priority", "rank", "page_id")
        .annotate(clusters=Count("cluster_id", distinct=True))
        .order_by("play_at", "rank", "title")[:limit]
    )
    for row in rows:
        row["kind_label"] = ScheduleItem.Kind(row["kind"]).label
        row["priority_label"] = (Dispatch.Priority(row["priority"]).label
                                 if row["priority"] in Dispatch.Priority.values else row["priority"])
        row["playing_now"] = row["play_at"] <= now
    return rows
