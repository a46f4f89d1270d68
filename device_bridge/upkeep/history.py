"""A cluster's whole history on one page (hồ sơ cụm loa), built from pluggable sections.

Any app adds its own section at import time (in its ``wagtail_hooks.py``, so it runs once the
apps are loaded)::

    from device_bridge.upkeep.history import HistoryEntry, register_section

    @register_section(key="assessments", label=_("Đánh giá an toàn thông tin"),
                      permission="fleetsecurity.view_assessment")
    def assessment_entries(*, cluster, site):
        for a in Assessment.objects.filter(cluster=cluster, site=site):
            yield HistoryEntry(at=a.closed_at, title=_("Đánh giá ..."), detail=..., url=...)

A section's callable takes ``cluster`` and ``site`` (keyword-only) and returns entries; the page
skips a section whose ``permission`` the user lacks, and merges every entry newest first. It
should run a fixed number of queries whatever the cluster's history (the page is pinned).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import ModelLogEntry

from device_bridge.models import DeviceEvent, SpeakerCluster

from .models import ClusterChange, DataPlan, FaultTicket
from .templatetags.upkeep_tags import vnd_text

MAX_ENTRIES_PER_SECTION = 200


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: dt.datetime | dt.date
    title: str
    detail: str = ""
    url: str = ""
    section: str = ""

    @property
    def has_time(self) -> bool:
        return isinstance(self.at, dt.datetime)

    @property
    def moment(self) -> dt.datetime:
        """Dates sort as the start of that day, local time."""
        if isinstance(self.at, dt.datetime):
            return self.at
        return dt.datetime.combine(self.at, dt.time.min, timezone.get_current_timezone())


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    label: str
    entries: Callable[..., Iterable[HistoryEntry]]
    permission: str | None = None


_SECTIONS: dict[str, Section] = {}


def register_section(entries: Callable | None = None, *, key: str | None = None, label: str = "",
                     permission: str | None = None):
    """Register a section; usable as ``register_section(fn, ...)`` or as a decorator.
    Registering the same key again replaces it (module reloads in tests)."""

    def add(fn):
        section_key = key or f"{fn.__module__}.{fn.__qualname__}"
        _SECTIONS[section_key] = Section(section_key, label or section_key, fn, permission)
        return fn

    return add(entries) if entries is not None else add


def sections() -> list[Section]:
    return list(_SECTIONS.values())


def cluster_history(*, cluster: SpeakerCluster, site, user) -> list[HistoryEntry]:
    """Every entry of every section the user may see, newest first."""
    merged = []
    for section in sections():
        if section.permission and not user.has_perm(section.permission):
            continue
        for entry in list(section.entries(cluster=cluster, site=site))[:MAX_ENTRIES_PER_SECTION]:
            merged.append(HistoryEntry(entry.at, str(entry.title), str(entry.detail), entry.url,
                                       str(section.label)))
    return sorted(merged, key=lambda e: e.moment, reverse=True)


# --- the sections this app knows --------------------------------------------------------------


@register_section(key="faults", label=_("Sự cố và sửa chữa"), permission="upkeep.view_faultticket")
def fault_entries(*, cluster, site):
    tickets = (FaultTicket.objects.filter(cluster=cluster, site=site)
               .prefetch_related("repairs").order_by("-opened_at")[:MAX_ENTRIES_PER_SECTION])
    for ticket in tickets:
        url = reverse("upkeep_faults:edit", args=[ticket.pk])
        yield HistoryEntry(ticket.opened_at, _("Sự cố: %(source)s") % {
            "source": ticket.get_source_display()}, ticket.symptom, url)
        for repair in ticket.repairs.all():
            yield HistoryEntry(repair.done_on, repair.get_kind_display(), _(
                "%(parts)s — %(cost)s, nguồn chi: %(paid_by)s") % {
                "parts": repair.parts or repair.description or "—", "cost": vnd_text(repair.cost_vnd),
                "paid_by": repair.get_paid_by_display()}, url)
        if ticket.closed_at:
            yield HistoryEntry(ticket.closed_at, _("Đóng sự cố"), _(
                "Thời gian khắc phục: %(duration)s") % {
                "duration": duration_text(ticket.time_to_repair)}, url)


@register_section(key="plan", label=_("Gói cước 4G"), permission="upkeep.view_dataplan")
def plan_entries(*, cluster, site):
    plan = DataPlan.objects.filter(cluster=cluster, site=site).prefetch_related("fees").first()
    if plan is None:
        return
    url = reverse("upkeep_plans:edit", args=[plan.pk])
    yield HistoryEntry(plan.created_at, _("Đăng ký gói cước 4G"), _(
        "%(carrier)s, SIM %(sim)s, %(fee)s/tháng, miễn phí đến hết %(until)s") % {
        "carrier": plan.carrier, "sim": plan.sim_number, "fee": vnd_text(plan.monthly_fee_vnd),
        "until": f"{plan.free_until:%d/%m/%Y}"}, url)
    for fee in plan.fees.all():
        yield HistoryEntry(fee.effective_from, _("Đổi cước 4G"), _("%(fee)s/tháng. %(note)s") % {
            "fee": vnd_text(fee.monthly_fee_vnd), "note": fee.note}, url)


@register_section(key="device", label=_("Thiết bị, firmware và mã truy cập"),
                  permission="device_bridge.view_speakercluster")
def device_entries(*, cluster, site):
    if cluster.installed_on:
        yield HistoryEntry(cluster.installed_on, _("Lắp đặt"), cluster.address)
    for change in ClusterChange.objects.filter(cluster=cluster)[:MAX_ENTRIES_PER_SECTION]:
        detail = change.detail if change.kind == ClusterChange.Kind.FIRMWARE else ""
        yield HistoryEntry(change.at, change.get_kind_display(), detail)
    for event in DeviceEvent.objects.filter(cluster=cluster)[:MAX_ENTRIES_PER_SECTION]:
        yield HistoryEntry(event.created_at, event.get_kind_display(), event.message)
    log_entries = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(SpeakerCluster), object_id=str(cluster.pk),
    ).select_related("user").order_by("-timestamp")[:MAX_ENTRIES_PER_SECTION]
    for entry in log_entries:
        yield HistoryEntry(entry.timestamp, _("Cập nhật thông tin cụm loa"),
                           entry.user.get_username() if entry.user_id else "")


def duration_text(delta: dt.timedelta | None) -> str:
    if delta is None:
        return "—"
    hours = int(delta.total_seconds() // 3600)
    days, hours = divmod(hours, 24)
    if days:
        return _("%(days)d ngày %(hours)d giờ") % {"days": days, "hours": hours}
    minutes = int(delta.total_seconds() // 60) % 60
    return _("%(hours)d giờ %(minutes)d phút") % {"hours": hours, "minutes": minutes}


__all__ = ["HistoryEntry", "cluster_history", "register_section", "sections"]
