"""Writes of fleet monitoring: state transitions and live operations (alerts: ``alerting.py``)."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from ..conf import setting as bridge_setting
from ..fleet.services import cluster_command_create
from ..models import ClusterCommand, ScheduleItem, SpeakerCluster
from ..schedule.services import cluster_schedule_bump
from .conf import setting
from .models import ClusterState, ClusterStateChange, LiveOperation


def site_default() -> Site | None:
    """The commune's site: clusters carry no site, so their records go to the default one."""
    return Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()


def site_default_id() -> int | None:
    """``site_default``'s id, cached for ten minutes: transitions come from heartbeats."""
    site_id = cache.get("monitoring:default_site_id")
    if site_id is None:
        site = site_default()
        site_id = site.pk if site is not None else 0
        cache.set("monitoring:default_site_id", site_id, timeout=600)
    return site_id or None


# --- State history --------------------------------------------------------------------------

def _state_key(cluster_id: int) -> str:
    return f"monitoring:cluster_state:{cluster_id}"


def cluster_state_last(cluster_id: int) -> str | None:
    """The state last recorded for a cluster (cached: heartbeats ask on every write)."""
    state = cache.get(_state_key(cluster_id))
    if state is None:
        # Recorded in order: the last row is the current state (a backfilled "offline" may
        # carry an earlier time than the row before it).
        state = (ClusterStateChange.objects.filter(cluster_id=cluster_id)
                 .order_by("-pk").values_list("state", flat=True).first()) or ""
        cache.set(_state_key(cluster_id), state, timeout=3600)
    return state or None


def cluster_state_from_heartbeat(heartbeat: dict) -> str:
    status = heartbeat.get("status")
    if status == SpeakerCluster.PlayerStatus.ERROR:
        return ClusterState.ERROR
    if status == SpeakerCluster.PlayerStatus.PLAYING or heartbeat.get("playing"):
        return ClusterState.PLAYING
    return ClusterState.ONLINE


def cluster_state_record(*, cluster_id: int, state: str, at: dt.datetime, detail: str = "",
                         site: Site | None = None) -> ClusterStateChange | None:
    """Record a transition; nothing when the cluster is already in ``state``."""
    previous = cluster_state_last(cluster_id)
    if previous == state:
        return None
    site_id = site.pk if site is not None else site_default_id()
    if site_id is None:
        return None
    change = ClusterStateChange.objects.create(
        site_id=site_id, cluster_id=cluster_id, state=state, previous_state=previous or "",
        changed_at=at, detail=detail[:255],
    )
    cache.set(_state_key(cluster_id), state, timeout=3600)
    return change


def heartbeat_state_record(*, cluster_id: int, heartbeat: dict, previous_seen_at: dt.datetime | None,
                           now: dt.datetime) -> list[ClusterStateChange]:
    """A written heartbeat: the cluster is back (if it had been silent) and in some state."""
    changes = []
    online_after = dt.timedelta(seconds=bridge_setting("ONLINE_AFTER_SECONDS"))
    if previous_seen_at and now - previous_seen_at > online_after:
        # Silent longer than "online" allows, and the sweep did not notice it yet.
        changes.append(cluster_state_record(cluster_id=cluster_id, state=ClusterState.OFFLINE,
                                            at=previous_seen_at + online_after))
    state = cluster_state_from_heartbeat(heartbeat)
    detail = ""
    if state == ClusterState.PLAYING and isinstance(heartbeat.get("playing"), dict):
        detail = _("mục lịch phát %(id)s") % {"id": heartbeat["playing"].get("item_id")}
    changes.append(cluster_state_record(cluster_id=cluster_id, state=state, at=now, detail=detail))
    return [change for change in changes if change is not None]


def cluster_states_sweep(*, now: dt.datetime | None = None) -> int:
    """Record "offline" for active clusters silent past ``ONLINE_AFTER_SECONDS`` (one query to
    find them, one insert). Returns how many went offline."""
    now = now or timezone.now()
    online_after = dt.timedelta(seconds=bridge_setting("ONLINE_AFTER_SECONDS"))
    latest = (ClusterStateChange.objects.filter(cluster_id=OuterRef("pk"))
              .order_by("-pk").values("state")[:1])
    silent = list(
        SpeakerCluster.objects.filter(is_active=True, last_seen_at__lt=now - online_after)
        .annotate(latest_state=Subquery(latest))
        .filter(Q(latest_state__isnull=True) | ~Q(latest_state=ClusterState.OFFLINE))
        .values_list("pk", "last_seen_at", "latest_state")
    )
    site = site_default()
    if not silent or site is None:
        return 0
    ClusterStateChange.objects.bulk_create([
        ClusterStateChange(site=site, cluster_id=pk, state=ClusterState.OFFLINE,
                           previous_state=latest_state or "", changed_at=last_seen_at + online_after)
        for pk, last_seen_at, latest_state in silent
    ])
    for pk, _seen, _state in silent:
        cache.set(_state_key(pk), ClusterState.OFFLINE, timeout=3600)
    return len(silent)


# --- Live operations ------------------------------------------------------------------------

class LiveOperationError(Exception):
    """A live operation that cannot be done; the message is for the operator (Vietnamese)."""


def live_targets(*, zone=None, cluster: SpeakerCluster | None = None) -> list[SpeakerCluster]:
    """Active clusters of one cluster, one zone, or (neither) the whole commune."""
    clusters = SpeakerCluster.objects.filter(is_active=True).order_by("code")
    if cluster is not None:
        clusters = clusters.filter(pk=cluster.pk)
    elif zone is not None:
        clusters = clusters.filter(zone=zone)
    clusters = list(clusters)
    if not clusters:
        if cluster is not None:
            raise LiveOperationError(_("Cụm loa “%(cluster)s” đã ngừng hoạt động.") % {"cluster": cluster})
        if zone is not None:
            raise LiveOperationError(_("Thôn “%(zone)s” không có cụm loa nào đang hoạt động.")
                                     % {"zone": zone.name})
        raise LiveOperationError(_("Không có cụm loa nào đang hoạt động."))
    return clusters


def _items_play_now(*, operation: LiveOperation, clusters, items: list[ScheduleItem], user) -> None:
    """Put each item in its cluster's schedule and tell the cluster to play it now."""
    ScheduleItem.objects.bulk_create(items)
    cluster_schedule_bump(cluster_ids=[cluster.pk for cluster in clusters])
    commands = [
        cluster_command_create(cluster=cluster, kind=ClusterCommand.Kind.PLAY_NOW,
                               payload={"item_id": item.pk}, user=user,
                               ttl_minutes=setting("LIVE_PLAY_MINUTES"))
        for cluster, item in zip(clusters, items, strict=True)
    ]
    operation.commands.add(*commands)


def live_play_now(*, site: Site, user, page, zone=None, now: dt.datetime | None = None) -> LiveOperation:
    """Play a live bulletin's broadcast audio now on every active cluster of ``zone`` (or all),
    interrupting whatever plays."""
    from ..tts.selectors import audio_for_page

    now = now or timezone.now()
    page = page.specific
    if not page.live:
        raise LiveOperationError(_("Bản tin “%(title)s” không còn được xuất bản.") % {"title": page.title})
    audio = audio_for_page(page)
    if audio is None:
        raise LiveOperationError(_("Bản tin “%(title)s” chưa có âm thanh phát thanh; hãy chờ tạo "
                                   "xong rồi phát.") % {"title": page.title})
    clusters = live_targets(zone=zone)
    play_until = now + dt.timedelta(minutes=setting("LIVE_PLAY_MINUTES"))
    priority = getattr(page, "priority", "thuong")
    with transaction.atomic():
        operation = LiveOperation.objects.create(
            site=site, kind=LiveOperation.Kind.PLAY_NOW, zone=zone, page=page,
            title=page.title[:255], created_by=user,
        )
        items = [
            ScheduleItem(
                cluster=cluster, kind=ScheduleItem.Kind.BULLETIN, page_id=page.pk,
                title=page.title[:255], priority=priority, rank=0, play_at=now,
                play_until=play_until, repeat=1, preempt=True, audio_name=audio.file.name,
                audio_sha256=audio.sha256, audio_size=audio.size_bytes,
                audio_duration=audio.duration_seconds, note="live",
            )
            for cluster in clusters
        ]
        _items_play_now(operation=operation, clusters=clusters, items=items, user=user)
    return operation


def live_items_withdraw(*, page_id: int) -> int:
    """Cancel the pending live items of a page taken down (and stop any playing one)."""
    from ..schedule.services import schedule_items_withdraw

    return schedule_items_withdraw(
        items=ScheduleItem.objects.filter(page_id=page_id, delivery__isnull=True, note="live"),
        note="withdrawn",
    )


def live_relay_start(*, site: Site, user, stream_url: str, title: str, minutes: int, zone=None,
                     now: dt.datetime | None = None) -> LiveOperation:
    """Relay an external stream now (tiếp sóng) on every active cluster of ``zone`` (or all)."""
    now = now or timezone.now()
    clusters = live_targets(zone=zone)
    with transaction.atomic():
        operation = LiveOperation.objects.create(
            site=site, kind=LiveOperation.Kind.RELAY, zone=zone, title=title[:255],
            stream_url=stream_url, created_by=user,
        )
        items = [
            ScheduleItem(
                cluster=cluster, kind=ScheduleItem.Kind.RELAY, title=title[:255], priority="thuong",
                rank=0, play_at=now, play_until=now + dt.timedelta(minutes=minutes), repeat=1,
                preempt=True, stream_url=stream_url, note="live",
            )
            for cluster in clusters
        ]
        _items_play_now(operation=operation, clusters=clusters, items=items, user=user)
    return operation


def live_volume_set(*, site: Site, user, volume: int, zone=None,
                    cluster: SpeakerCluster | None = None) -> LiveOperation:
    """Set the output volume of one cluster, or of every active cluster of ``zone`` (or all)."""
    if not 0 <= volume <= 100:
        raise LiveOperationError(_("Âm lượng phải từ 0 đến 100."))
    clusters = live_targets(zone=zone, cluster=cluster)
    if cluster is not None:
        title = _("Âm lượng %(volume)s – cụm loa %(cluster)s") % {"volume": volume, "cluster": cluster}
    elif zone is not None:
        title = _("Âm lượng %(volume)s – %(zone)s") % {"volume": volume, "zone": zone.name}
    else:
        title = _("Âm lượng %(volume)s – toàn xã") % {"volume": volume}
    with transaction.atomic():
        operation = LiveOperation.objects.create(
            site=site, kind=LiveOperation.Kind.VOLUME, zone=zone, cluster=cluster, volume=volume,
            title=title[:255], created_by=user,
        )
        operation.commands.add(*[
            cluster_command_create(cluster=target, kind=ClusterCommand.Kind.SET_VOLUME,
                                   payload={"volume": volume}, user=user,
                                   ttl_minutes=setting("LIVE_COMMAND_MINUTES"))
            for target in clusters
        ])
    return operation
