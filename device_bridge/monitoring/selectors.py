"""Reads of fleet monitoring: command acknowledgements, the fleet table and map, history, alerts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..conf import setting as bridge_setting
from ..models import ClusterCommand, DeviceEvent, ScheduleItem, SpeakerCluster
from .models import ClusterState, ClusterStateChange, FleetAlert, LiveOperation

# --- Acknowledgements of live operations ---------------------------------------------------

PENDING, DELIVERED, ACKED, FAILED, EXPIRED = "pending", "delivered", "acked", "failed", "expired"
COMMAND_STATUS_LABELS = {
    PENDING: _("Chờ gửi"),
    DELIVERED: _("Đã gửi, chờ xác nhận"),
    ACKED: _("Đã xác nhận"),
    FAILED: _("Cụm loa báo lỗi"),
    EXPIRED: _("Hết hạn, không xác nhận"),
}
OPEN_STATUSES = (PENDING, DELIVERED)


def command_status(command: ClusterCommand, *, now: dt.datetime) -> str:
    """pending → delivered → acked / failed, or expired when the cluster never acknowledged."""
    if command.acked_at:
        return ACKED if command.result == "ok" else FAILED
    if command.expires_at <= now:
        return EXPIRED
    return DELIVERED if command.delivered_at else PENDING


@dataclass
class CommandRow:
    command: ClusterCommand
    status: str

    @property
    def label(self):
        return COMMAND_STATUS_LABELS[self.status]


@dataclass
class OperationProgress:
    operation: LiveOperation
    rows: list[CommandRow]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(COMMAND_STATUS_LABELS, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def is_open(self) -> bool:
        return any(row.status in OPEN_STATUSES for row in self.rows)


def operation_progress(*, operation: LiveOperation, now: dt.datetime | None = None) -> OperationProgress:
    now = now or timezone.now()
    commands = operation.commands.select_related("cluster", "cluster__zone").order_by("cluster__code", "pk")
    return OperationProgress(operation=operation,
                             rows=[CommandRow(command=c, status=command_status(c, now=now)) for c in commands])


def operations_recent(*, site, limit: int = 10):
    return list(LiveOperation.objects.filter(site=site).select_related("zone", "cluster", "created_by")
                .annotate(command_count=Count("commands"))[:limit])


# --- The fleet table and map ----------------------------------------------------------------

STATE_COLOURS = {
    ClusterState.ONLINE: "#1a7f37",
    ClusterState.PLAYING: "#0b5cad",
    ClusterState.ERROR: "#d97706",
    ClusterState.OFFLINE: "#b42318",
}


@dataclass
class FleetRow:
    cluster: SpeakerCluster
    state: str
    playing_title: str
    error_count: int
    last_error: str
    state_since: dt.datetime | None

    @property
    def state_label(self):
        return ClusterState(self.state).label

    @property
    def colour(self) -> str:
        return STATE_COLOURS[self.state]

    @property
    def heartbeat(self) -> dict:
        return self.cluster.last_heartbeat or {}

    @property
    def has_position(self) -> bool:
        return self.cluster.latitude is not None and self.cluster.longitude is not None


def cluster_state_now(cluster: SpeakerCluster, *, now: dt.datetime) -> str:
    """The state shown now: offline when silent past "online", else what the heartbeat says."""
    from .services import cluster_state_from_heartbeat

    if not cluster.last_seen_at or (now - cluster.last_seen_at).total_seconds() > bridge_setting(
        "ONLINE_AFTER_SECONDS"
    ):
        return ClusterState.OFFLINE
    return cluster_state_from_heartbeat(cluster.last_heartbeat or {})


def fleet_rows(*, now: dt.datetime | None = None, error_hours: int = 24) -> list[FleetRow]:
    """Every active cluster with its state, what it plays and its recent errors (two queries
    whatever the fleet's size)."""
    now = now or timezone.now()
    since = now - dt.timedelta(hours=error_hours)
    events = DeviceEvent.objects.filter(cluster_id=OuterRef("pk"), created_at__gte=since)
    clusters = list(
        SpeakerCluster.objects.filter(is_active=True).select_related("zone")
        .annotate(
            error_count=Coalesce(Subquery(
                events.order_by().values("cluster_id").annotate(n=Count("pk")).values("n")[:1]
            ), 0),
            last_error=Subquery(events.order_by("-created_at", "-pk").values("message")[:1]),
            state_since=Subquery(ClusterStateChange.objects.filter(cluster_id=OuterRef("pk"))
                                 .order_by("-changed_at", "-pk").values("changed_at")[:1]),
        )
        .order_by("zone__name", "code")
    )
    playing_ids = {}
    for cluster in clusters:
        playing = (cluster.last_heartbeat or {}).get("playing")
        if isinstance(playing, dict) and isinstance(playing.get("item_id"), int):
            playing_ids[cluster.pk] = playing["item_id"]
    titles = dict(ScheduleItem.objects.filter(pk__in=set(playing_ids.values()))
                  .values_list("pk", "title")) if playing_ids else {}
    rows = []
    for cluster in clusters:
        heartbeat_error = ""
        if (cluster.last_heartbeat or {}).get("status") == SpeakerCluster.PlayerStatus.ERROR:
            heartbeat_error = str(_("Cụm loa báo lỗi trong nhịp tim gần nhất."))
        item_id = playing_ids.get(cluster.pk)
        rows.append(FleetRow(
            cluster=cluster, state=cluster_state_now(cluster, now=now),
            playing_title=titles.get(item_id, f"#{item_id}") if item_id else "",
            error_count=cluster.error_count, last_error=cluster.last_error or heartbeat_error,
            state_since=cluster.state_since,
        ))
    return rows


def fleet_map_points(rows: list[FleetRow], *, detail_url) -> list[dict]:
    """The map's markers (JSON for the page's data island): only clusters with coordinates."""
    return [
        {"id": row.cluster.pk, "code": row.cluster.code, "name": row.cluster.name,
         "zone": row.cluster.zone.name if row.cluster.zone else "",
         "lat": float(row.cluster.latitude), "lon": float(row.cluster.longitude),
         "state": row.state, "label": str(row.state_label), "colour": row.colour,
         "url": detail_url(row.cluster.pk)}
        for row in rows if row.has_position
    ]


def fleet_state_counts(rows: list[FleetRow]) -> list[tuple[str, str, str, int]]:
    """(state, label, colour, count) for the legend, in a fixed order."""
    counts = dict.fromkeys(STATE_COLOURS, 0)
    for row in rows:
        counts[row.state] += 1
    return [(state, ClusterState(state).label, STATE_COLOURS[state], counts[state])
            for state in STATE_COLOURS]


def cluster_state_history(*, site, cluster_id: int):
    return ClusterStateChange.objects.filter(site=site, cluster_id=cluster_id).order_by("-changed_at", "-pk")


# --- Alerts ---------------------------------------------------------------------------------

def fleet_alerts_open(*, site, limit: int = 20) -> tuple[list[FleetAlert], int]:
    """Alerts not yet dismissed, newest first, and how many there are."""
    alerts = FleetAlert.objects.filter(site=site, dismissed_at__isnull=True)
    return list(alerts.select_related("cluster")[:limit]), alerts.count()
