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
