"""Writes of the upkeep app: alerts sent once, tickets opened from telemetry once per problem,
changes of the clusters kept for their history."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from device_bridge.models import PlaybackReceipt, SpeakerCluster

from . import budget, selectors
from .models import ClusterChange, DataPlan, FaultTicket, UpkeepAlert

logger = logging.getLogger(__name__)

#: Telemetry thresholds; overridable in settings.UPKEEP (read at call time).
DEFAULTS = {"OFFLINE_HOURS": 24, "MAX_TEMPERATURE_C": 70, "PLAYBACK_FAILURES": 3,
            "PLAYBACK_WINDOW_HOURS": 24}


def upkeep_setting(name: str):
    return getattr(settings, "UPKEEP", {}).get(name, DEFAULTS[name])


# --- data plans -------------------------------------------------------------------------------


def data_plan_defaults_fill(*, plan: DataPlan) -> None:
    """Fill what the technician left blank from the cluster: carrier, SIM and ``free_until``
    (the cluster's own "free until", else installation (or plan start) + 2 years)."""
    cluster = plan.cluster
    plan.carrier = plan.carrier or cluster.carrier
    plan.sim_number = plan.sim_number or cluster.sim_number
    if plan.free_until is None:
        started = cluster.installed_on or cluster.plan_started_on
        plan.free_until = cluster.plan_free_until or (
            budget.default_free_until(started) if started else None)


def data_plan_cluster_sync(*, plan: DataPlan) -> None:
    """The cluster list shows carrier, SIM and "free until": keep them the plan's."""
    SpeakerCluster.objects.filter(pk=plan.cluster_id).update(
        carrier=plan.carrier, sim_number=plan.sim_number, plan_free_until=plan.free_until)


# --- alerts -----------------------------------------------------------------------------------


def _threshold(days_left: int) -> int | None:
    """The smallest alert threshold already reached (7 before 30 before 60), or None."""
    reached = [n for n in selectors.ALERT_DAYS if 0 <= days_left <= n]
    return min(reached) if reached else None


def upkeep_alerts_send(*, today: dt.date | None = None) -> int:
    """Send the alerts due today in one e-mail to the technicians; returns how many.

    Each (event, threshold) is recorded once (``UpkeepAlert``'s unique constraint), in the same
    transaction as the e-mail: a failed send rolls back and is tried again the next day, and a
    second run (or a second worker) sends nothing. Only the nearest threshold reached is sent,
    so a plan registered 20 days before its paid period gets the 30-day alert, not 60 and 30.
    """
    today = today or timezone.localdate()
    due = []
    for event in selectors.events_due(today=today):
        threshold = _threshold(event.days_left)
        if threshold is None:
            continue
        sent = UpkeepAlert.objects.filter(kind=event.kind, cluster=event.cluster,
                                          event_date=event.event_date,
                                          days_before__lte=threshold).exists()
        if not sent:
            due.append((event, threshold))
    if not due:
        return 0
    recipients = selectors.technician_emails()
    created = []
    with transaction.atomic():
        for event, threshold in due:
            try:
                with transaction.atomic():
                    created.append((UpkeepAlert.objects.create(
                        site=event.site, cluster=event.cluster, kind=event.kind,
                        event_date=event.event_date, days_before=threshold,
                        recipients=len(recipients)), event))
            except IntegrityError:
                continue  # another worker recorded it first
        if created and recipients:
            send_mail(
                subject=_("[TTCS] %(count)d cảnh báo bảo trì cụm loa") % {"count": len(created)},
                message=render_to_string("upkeep/alert_email.txt",
                                         {"events": [event for _alert, event in created]}),
                from_email=None, recipient_list=recipients,
            )
    logger.info("Upkeep alerts: %s sent to %s technicians", len(created), len(recipients))
    return len(created)


# --- fault tickets ----------------------------------------------------------------------------


def fault_ticket_open_auto(*, cluster: SpeakerCluster, source: str, symptom: str,
                           now: dt.datetime) -> FaultTicket | None:
    """Open a telemetry ticket unless one for this cluster and signal is still open."""
    if FaultTicket.objects.filter(cluster=cluster, source=source, closed_at__isnull=True).exists():
        return None
    site = selectors.cluster_site(cluster)
    if site is None:
        return None
    try:
        with transaction.atomic():
            return FaultTicket.objects.create(site=site, cluster=cluster, source=source,
                                              symptom=symptom, opened_at=now)
    except IntegrityError:
        return None  # opened by a concurrent scan: the partial unique constraint held


def fault_ticket_close(*, ticket: FaultTicket, at: dt.datetime | None = None) -> None:
    if ticket.closed_at is None:
        ticket.closed_at = at or timezone.now()
        ticket.save(update_fields=["closed_at"])


def fault_tickets_from_telemetry(*, now: dt.datetime | None = None) -> dict:
    """Open tickets for what telemetry shows: offline for a day, over-temperature in the last
    heartbeat, repeated failed playbacks. Safe to run as often as wanted."""
    now = now or timezone.now()
    opened = {FaultTicket.Source.OFFLINE: 0, FaultTicket.Source.TEMPERATURE: 0,
              FaultTicket.Source.PLAYBACK: 0}
    clusters = list(SpeakerCluster.objects.filter(is_active=True))
    offline_after = now - dt.timedelta(hours=upkeep_setting("OFFLINE_HOURS"))
    max_temperature = float(upkeep_setting("MAX_TEMPERATURE_C"))
    for cluster in clusters:
        # A cluster never heard from is not installed yet: nothing to repair.
        if cluster.last_seen_at and cluster.last_seen_at < offline_after:
            symptom = _("Cụm loa mất kết nối từ %(since)s (tự động ghi nhận).") % {
                "since": f"{timezone.localtime(cluster.last_seen_at):%H:%M %d/%m/%Y}"}
            opened[FaultTicket.Source.OFFLINE] += bool(fault_ticket_open_auto(
                cluster=cluster, source=FaultTicket.Source.OFFLINE, symptom=symptom, now=now))
        temperature = (cluster.last_heartbeat or {}).get("temperature_c")
        recent = cluster.last_seen_at and cluster.last_seen_at >= offline_after
        if isinstance(temperature, int | float) and recent and temperature >= max_temperature:
            symptom = _("Nhiệt độ thiết bị %(t).1f °C, vượt ngưỡng %(max).0f °C (tự động ghi "
                        "nhận).") % {"t": temperature, "max": max_temperature}
            opened[FaultTicket.Source.TEMPERATURE] += bool(fault_ticket_open_auto(
                cluster=cluster, source=FaultTicket.Source.TEMPERATURE, symptom=symptom, now=now))
    opened[FaultTicket.Source.PLAYBACK] = _playback_failures_scan(now=now)
    changes = cluster_firmware_observe(clusters=clusters, now=now)
    return {**{str(k): v for k, v in opened.items()}, "firmware_changes": changes}


def _playback_failures_scan(*, now: dt.datetime) -> int:
    """Failed receipts in the window, counted after the last playback ticket was closed (so a
    closed ticket is not reopened by the failures it was about)."""
    window_start = now - dt.timedelta(hours=upkeep_setting("PLAYBACK_WINDOW_HOURS"))
    last_closed = dict(FaultTicket.objects.filter(source=FaultTicket.Source.PLAYBACK,
                                                  closed_at__isnull=False)
                       .values("cluster_id").annotate(at=Max("closed_at"))
                       .values_list("cluster_id", "at"))
    failures: dict[int, int] = {}
    receipts = PlaybackReceipt.objects.filter(
        result=PlaybackReceipt.Result.FAILED, received_at__gte=window_start,
        cluster__is_active=True,
    ).values_list("cluster_id", "received_at")
    for cluster_id, received_at in receipts:
        if cluster_id in last_closed and received_at <= last_closed[cluster_id]:
            continue
        failures[cluster_id] = failures.get(cluster_id, 0) + 1
    opened = 0
    limit = upkeep_setting("PLAYBACK_FAILURES")
    for cluster in SpeakerCluster.objects.filter(pk__in=[c for c, n in failures.items() if n >= limit]):
        symptom = _("%(count)d lần phát lỗi trong %(hours)d giờ qua (tự động ghi nhận).") % {
            "count": failures[cluster.pk], "hours": upkeep_setting("PLAYBACK_WINDOW_HOURS")}
        opened += bool(fault_ticket_open_auto(cluster=cluster, source=FaultTicket.Source.PLAYBACK,
                                              symptom=symptom, now=now))
    return opened


# --- what other tables do not keep ------------------------------------------------------------


def cluster_change_record(*, cluster: SpeakerCluster, kind: str, detail: str = "",
                          at: dt.datetime | None = None) -> ClusterChange | None:
    site = selectors.cluster_site(cluster)
    if site is None:
        return None
    return ClusterChange.objects.create(site=site, cluster=cluster, kind=kind, detail=detail[:255],
                                        at=at or timezone.now())


def cluster_firmware_observe(*, clusters: list[SpeakerCluster], now: dt.datetime) -> int:
    """Heartbeats update the firmware in place; record each version the first time it is seen."""
    latest = {}
    for cluster_id, detail in (ClusterChange.objects.filter(kind=ClusterChange.Kind.FIRMWARE)
                               .order_by("cluster_id", "at", "pk").values_list("cluster_id", "detail")):
        latest[cluster_id] = detail
    changes = 0
    for cluster in clusters:
        version = cluster.firmware_version
        if version and latest.get(cluster.pk) != version:
            cluster_change_record(cluster=cluster, kind=ClusterChange.Kind.FIRMWARE,
                                  detail=version, at=now)
            changes += 1
    return changes
