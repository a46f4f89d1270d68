"""Participation charts for the organisers, drawn on the server as SVG and HTML bars.

No chart library and no script: the admin's Content-Security-Policy allows no inline script,
and the commune's office may have no Internet to fetch one from a CDN.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Attempt, ContestPage, Participant

CHART_WIDTH = 720
CHART_HEIGHT = 200
MAX_DAYS = 62
MAX_PLACES = 25


@dataclass(slots=True)
class Bar:
    label: str
    value: int
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0
    percent: float = 0


def entries_per_day(contest: ContestPage) -> list[Bar]:
    """Submitted attempts per local day, every day between the first and the last shown."""
    counts = dict(
        Attempt.objects.filter(
            round__page=contest, submitted_at__isnull=False, timed_out=False
        )
        .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    if not counts:
        return []
    last = max(counts)
    first = max(min(counts), last - dt.timedelta(days=MAX_DAYS - 1))
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return [Bar(label=day.strftime("%d/%m"), value=counts.get(day, 0)) for day in days]


def participants_per_place(contest: ContestPage) -> list[Bar]:
    """Participants who handed in at least one entry, per hamlet (or unit typed), most first."""
    rows = (
        Participant.objects.filter(contest=contest)
        .filter(attempts__submitted_at__isnull=False, attempts__timed_out=False)
        .values("zone__name", "unit")
        .annotate(n=Count("id", distinct=True))
    )
    totals: dict[str, int] = {}
    for row in rows:
        place = row["zone__name"] or row["unit"] or _("Không ghi nơi ở")
        totals[place] = totals.get(place, 0) + row["n"]
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    bars = [Bar(label=place, value=n) for place, n in ordered[:MAX_PLACES]]
    rest = sum(n for _place, n in ordered[MAX_PLACES:])
    if rest:
        bars.append(Bar(label=_("Nơi khác"), value=rest))
    top = max((bar.value for bar in bars), default=0) or 1
    for bar in bars:
        bar.percent = round(100 * bar.value / top, 1)
    return bars


def column_geometry(bars: list[Bar], *, width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> dict:
    """Where each column of a day chart goes in an SVG of ``width`` x ``height`` (+ labels)."""
    if not bars:
        return {"bars": [], "width": width, "height": height}
    top = max(bar.value for bar in bars) or 1
    slot = width / len(bars)
    for n, bar in enumerate(bars):
        bar.width = round(max(slot * 0.7, 1), 2)
        bar.height = round(height * bar.value / top, 2)
        bar.x = round(n * slot + (slot - bar.width) / 2, 2)
        bar.y = round(height - bar.height, 2)
    # A label under every column would overlap past a fortnight: every k-th one.
    step = max(1, len(bars) // 14)
    return {
        "bars": bars, "width": width, "height": height, "top": top, "label_step": step,
        "labels": [bar for n, bar in enumerate(bars) if n % step == 0],
    }


def contest_chart_data(contest: ContestPage) -> dict:
    per_day = entries_per_day(contest)
    return {
        "per_day": column_geometry(per_day),
        "per_day_total": sum(bar.value for bar in per_day),
        "per_place": participants_per_place(contest),
        "registered": Participant.objects.filter(contest=contest).count(),
        "entrants": Participant.objects.filter(contest=contest)
        .filter(Q(attempts__submitted_at__isnull=False) & Q(attempts__timed_out=False))
        .distinct()
        .count(),
    }
