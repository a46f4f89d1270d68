"""Reads of judged competitions. Other jurors' scores are only ever read by ``round_results``,
which refuses (``ResultsNotYet``) until the round has closed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from contests.models import ContestRound

from .models import Criterion, Entry, Score
from .services import JudgingError


class ResultsNotYet(JudgingError):
    code = "results_not_yet"
    status = 403


def round_closed(round: ContestRound, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= round.ends_at


def juror_scores(entry: Entry, juror) -> dict[int, Score]:
    """The juror's own scores of an entry, by criterion id: nobody else's."""
    return {s.criterion_id: s for s in Score.objects.filter(entry=entry, juror=juror)}


def juror_progress_for_contest(contest, juror) -> dict[int, int]:
    """How many criteria the juror has scored, per entry of the contest (their own rows only)."""
    rows = (
        Score.objects.filter(entry__round__page=contest, juror=juror)
        .values("entry_id").annotate(n=Count("id"))
    )
    return {row["entry_id"]: row["n"] for row in rows}


@dataclass
class CriterionResult:
    criterion: Criterion
    average: Decimal | None
    jurors: int


@dataclass
class ResultRow:
    rank: int
    entry: Entry
    total: Decimal
    per_criterion: list[CriterionResult] = field(default_factory=list)
    tie_break: Decimal = Decimal(0)


def _q(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def round_results(round: ContestRound, now: dt.datetime | None = None) -> list[ResultRow]:
    """Averages per criterion over the jurors who scored it, the weighted total and the rank.

    total = Σ weight × average (a criterion nobody scored counts 0). Ties: total descending,
    then the average on the heaviest criterion (largest weight, then first in order)
    descending, then earlier submission first. Three queries.
    """
    if not round_closed(round, now):
        raise ResultsNotYet(_("Kết quả chỉ xem được sau khi đợt thi kết thúc."))
    criteria = list(Criterion.objects.filter(contest_id=round.page_id))
    heaviest = max(criteria, key=lambda c: (c.weight, -c.sort_order, -c.pk), default=None)
    entries = list(
        Entry.objects.filter(round=round).select_related("team").order_by("submitted_at", "pk")
    )
    stats = {
        (row["entry_id"], row["criterion_id"]): (row["avg"], row["n"])
        for row in Score.objects.filter(entry__round=round)
        .values("entry_id", "criterion_id").annotate(avg=Avg("value"), n=Count("juror_id"))
    }
    rows = []
    for entry in entries:
        per = []
        total = Decimal(0)
        tie = Decimal(0)
        for criterion in criteria:
            average, jurors = stats.get((entry.pk, criterion.pk), (None, 0))
            average = _q(average) if average is not None else None
            per.append(CriterionResult(criterion, average, jurors))
            total += criterion.weight * (average or 0)
            if criterion is heaviest:
                tie = average or Decimal(0)
        rows.append(ResultRow(rank=0, entry=entry, total=_q(total), per_criterion=per, tie_break=tie))
    # Stable sort: entries are already in submission order, the last tie-break.
    rows.sort(key=lambda r: (-r.total, -r.tie_break))
    for position, row in enumerate(rows, start=1):
        row.rank = position
    return rows


@dataclass
class PublicResultRow:
    """One line of a judged round's public results: no juror, no per-criterion score."""

    rank: int
    team_name: str
    unit: str
    entry_title: str
    total: Decimal
    prize: str


PRIZE_NAMES = ("Giải Nhất", "Giải Nhì", "Giải Ba", "Giải Khuyến khích")


def prize_for_rank(round: ContestRound, rank: int) -> str:
    """The prize a place gets by the round's prize counts (first, second, third, consolation)."""
    upper = 0
    counts = (round.prizes_first, round.prizes_second, round.prizes_third, round.prizes_consolation)
    for count, name in zip(counts, PRIZE_NAMES, strict=True):
        upper += count
        if rank <= upper:
            return name
    return ""


def results_public(round: ContestRound, now: dt.datetime | None = None) -> bool:
    """Whether a judged round's results may be shown on the site: the round has closed and its
    results were published with the page (through moderation)."""
    return round.results_published and round_closed(round, now)


def public_results(round: ContestRound, now: dt.datetime | None = None) -> list[PublicResultRow]:
    """The public ranking of a judged round: team, unit, entry, weighted total, rank, prize.

    Raises ``ResultsNotYet`` unless ``results_public``; jurors' own scores never leave here.
    """
    if not results_public(round, now):
        raise ResultsNotYet(_("Kết quả của đợt thi này chưa được công bố."))
    return [
        PublicResultRow(
            rank=row.rank, team_name=row.entry.team.name, unit=row.entry.team.unit,
            entry_title=row.entry.title, total=row.total, prize=prize_for_rank(round, row.rank),
        )
        for row in round_results(round, now)
    ]
