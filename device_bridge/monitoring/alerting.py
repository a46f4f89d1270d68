"""Fleet alerts (cảnh báo hệ thống loa): found by the minute sweep, recorded once, e-mailed once.

Three things a technician must act on: a cluster offline while a slot it should play is open,
a delivery that failed after all its retries, and an emergency "play now" a cluster has not
acknowledged ``EMERGENCY_ACK_SECONDS`` after it was sent. Each alert has a ``key`` unique per
site, so the sweep may run any number of times (or twice at once) and records it once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from workflows import roles

from ..conf import setting as bridge_setting
from ..models import ClusterCommand, Delivery, ScheduleItem
from .conf import setting
from .models import FleetAlert
from .services import site_default

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    kind: str
    key: str
    message: str
    site_id: int | None = None
    cluster_id: int | None = None
    page_id: int | None = None


def _time(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "H:i d/m/Y")


def offline_in_slot_findings(*, now: dt.datetime) -> list[Finding]:
    """Active clusters silent past "online" while one of their items' windows is open."""
    cutoff = now - dt.timedelta(seconds=bridge_setting("ONLINE_AFTER_SECONDS"))
    rows = (
        ScheduleItem.objects.filter(status=ScheduleItem.Status.PENDING, play_at__lte=now,
                                    play_until__gt=now, cluster__is_active=True)
        .filter(Q(cluster__last_seen_at__isnull=True) | Q(cluster__last_seen_at__lt=cutoff))
        .order_by("cluster_id", "play_at", "rank", "pk")
        .values_list("cluster_id", "cluster__code", "cluster__name", "cluster__last_seen_at",
                     "play_at", "title", "page_id")
    )
    findings = {}
    for cluster_id, code, name, last_seen_at, play_at, title, page_id in rows:
        key = f"offline_slot:{cluster_id}:{play_at:%Y%m%dT%H%M}"
        if key in findings:
            continue  # one alert per cluster and slot, however many items the slot holds
        seen = (_("liên lạc lần cuối %(time)s") % {"time": _time(last_seen_at)} if last_seen_at
                else _("chưa liên lạc lần nào"))
        findings[key] = Finding(
            kind=FleetAlert.Kind.OFFLINE_IN_SLOT, key=key, cluster_id=cluster_id, page_id=page_id,
            message=_("Cụm loa “%(cluster)s” mất kết nối trong giờ phát %(slot)s (“%(title)s”); "
                      "%(seen)s.") % {"cluster": f"{code} · {name}", "slot": _time(play_at),
                                      "title": title, "seen": seen},
        )
    return list(findings.values())


def delivery_failed_findings(*, now: dt.datetime) -> list[Finding]:
    """Deliveries that ended failed (retries exhausted or a configuration error) lately."""
    since = now - dt.timedelta(hours=setting("ALERT_LOOKBACK_HOURS"))
    rows = (
        Delivery.objects.filter(status=Delivery.Status.FAILED, finished_at__gte=since)
        .order_by("finished_at", "pk")
        .values_list("pk", "attempts", "finished_at", "target_label", "last_error", "cluster_id",
                     "dispatch__title", "dispatch__page_id", "dispatch__site_id")
    )
    return [
        Finding(
            kind=FleetAlert.Kind.DELIVERY_FAILED,
            # A resent delivery that fails again is a new failure: a new alert.
            key=f"delivery_failed:{pk}:{finished_at:%Y%m%dT%H%M%S}",
            site_id=site_id, cluster_id=cluster_id, page_id=page_id,
            message=_("Gửi “%(title)s” tới %(target)s thất bại sau %(attempts)s lần thử: %(error)s")
            % {"title": title or "?", "target": target, "attempts": attempts,
               "error": error or _("không rõ lỗi")},
        )
        for pk, attempts, finished_at, target, error, cluster_id, title, page_id, site_id in rows
    ]


def emergency_unacked_findings(*, now: dt.datetime) -> list[Finding]:
    """Emergency "play now" commands a cluster has not acknowledged within the allowed time."""
    seconds = setting("EMERGENCY_ACK_SECONDS")
    since = now - dt.timedelta(hours=setting("ALERT_LOOKBACK_HOURS"))
    commands = list(
        ClusterCommand.objects.filter(kind=ClusterCommand.Kind.PLAY_NOW, acked_at__isnull=True,
                                      created_at__lte=now - dt.timedelta(seconds=seconds),
                                      created_at__gte=since)
        .select_related("cluster").order_by("created_at", "pk")
    )
    item_ids = {c.payload.get("item_id") for c in commands if isinstance(c.payload, dict)}
    emergencies = {
        pk: (title, page_id) for pk, title, page_id in ScheduleItem.objects.filter(
            pk__in=[i for i in item_ids if isinstance(i, int)], priority="khan_cap"
        ).exclude(status=ScheduleItem.Status.CANCELLED)  # a stopped emergency needs no answer
        .values_list("pk", "title", "page_id")
    }
    findings = []
    for command in commands:
        item_id = command.payload.get("item_id") if isinstance(command.payload, dict) else None
        if item_id not in emergencies:
            continue
        title, page_id = emergencies[item_id]
        findings.append(Finding(
            kind=FleetAlert.Kind.EMERGENCY_UNACKED, key=f"emergency_unacked:{command.pk}",
            cluster_id=command.cluster_id, page_id=page_id,
            message=_("Cụm loa “%(cluster)s” chưa xác nhận lệnh phát tin khẩn cấp “%(title)s” "
                      "sau %(seconds)s giây (gửi lúc %(time)s).")
            % {"cluster": command.cluster, "title": title, "seconds": seconds,
               "time": _time(command.created_at)},
        ))
    return findings


def fleet_alerts_check(*, now: dt.datetime | None = None) -> list[FleetAlert]:
    """Record the alerts found now that were not recorded before; returns the new ones."""
    now = now or timezone.now()
    findings = [*offline_in_slot_findings(now=now), *delivery_failed_findings(now=now),
                *emergency_unacked_findings(now=now)]
    if not findings:
        return []
    default_site = site_default()
    if default_site is None:
        return []
    candidates = [
        FleetAlert(site_id=finding.site_id or default_site.pk, kind=finding.kind, key=finding.key,
                   cluster_id=finding.cluster_id, page_id=finding.page_id, message=finding.message)
        for finding in findings
    ]
    existing = set(FleetAlert.objects.filter(key__in=[c.key for c in candidates])
                   .values_list("site_id", "key"))
    new = [c for c in candidates if (c.site_id, c.key) not in existing]
    # ignore_conflicts: a sweep running at the same moment may have recorded some first.
    FleetAlert.objects.bulk_create(new, ignore_conflicts=True)
    if not new:
        return []
    # ignore_conflicts leaves the primary keys unset: read the rows back.
    return list(FleetAlert.objects.filter(key__in=[c.key for c in new]).order_by("pk"))


def technician_emails() -> list[str]:
    """The e-mail addresses of active users of the technician role (Kỹ thuật viên)."""
    return sorted(set(
        get_user_model().objects.filter(is_active=True, groups__name=roles.TECHNICIAN)
        .exclude(email="").values_list("email", flat=True)
    ))


def fleet_alerts_email(*, now: dt.datetime | None = None) -> int:
    """E-mail the alerts not e-mailed yet to the technicians, once; returns how many went.

    The alerts are claimed (``emailed_at`` set) before sending, so two sweeps never send the
    same alert; a failed send releases them for the next sweep.
    """
    now = now or timezone.now()
    recipients = technician_emails()
    if not recipients:
        return 0
    since = now - dt.timedelta(hours=setting("ALERT_LOOKBACK_HOURS"))
    waiting = list(FleetAlert.objects.filter(emailed_at__isnull=True, dismissed_at__isnull=True,
                                             created_at__gte=since)
                   .order_by("created_at", "pk").values_list("pk", flat=True))
    if not waiting:
        return 0
    FleetAlert.objects.filter(pk__in=waiting, emailed_at__isnull=True).update(emailed_at=now)
    alerts = list(FleetAlert.objects.filter(pk__in=waiting, emailed_at=now).order_by("created_at", "pk"))
    if not alerts:
        return 0
    link = settings.SITE_BASE_URL.rstrip("/") + reverse("monitoring_admin:fleet")
    lines = [f"- {alert.get_kind_display()}: {alert.message}" for alert in alerts]
    body = "\n".join([
        _("Hệ thống loa truyền thanh có %(count)s cảnh báo mới:") % {"count": len(alerts)},
        "", *lines, "", _("Xem tình trạng các cụm loa: %(link)s") % {"link": link},
    ])
    subject = _("[TTCS] %(count)s cảnh báo hệ thống loa") % {"count": len(alerts)}
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except OSError:
        FleetAlert.objects.filter(pk__in=[a.pk for a in alerts]).update(emailed_at=None)
        logger.exception("Fleet alert e-mail failed; the next sweep retries it")
        raise
    return len(alerts)


def fleet_alert_dismiss(*, alert: FleetAlert, user) -> bool:
    return bool(FleetAlert.objects.filter(pk=alert.pk, dismissed_at__isnull=True)
                .update(dismissed_at=timezone.now(), dismissed_by=user))
