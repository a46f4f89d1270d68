"""Writes of judged competitions: registering a team, its entry, a juror's scores.

Refusals raise ``JudgingError`` (``message`` in Vietnamese, ``status`` the HTTP answer), or the
core's ``RoundNotOpen`` / ``RoundClosed`` (``contests.services.round_check_open``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contests.models import ContestPage, ContestRound
from contests.services import ContestError, ip_hash, round_check_open

from .models import Criterion, Entry, Score, Team, team_name_key

JUROR_PERMISSION = "judging.add_score"


class JudgingError(ContestError):
    code = "judging_error"


class NotJudged(JudgingError):
    code = "not_judged"
    status = 404


class DuplicateTeam(JudgingError):
    code = "duplicate_team"
    status = 409


class AlreadySubmitted(JudgingError):
    code = "already_submitted"
    status = 409


class NotAJuror(JudgingError):
    code = "not_a_juror"
    status = 403


class BadScore(JudgingError):
    code = "bad_score"
    status = 400


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def team_register(
    *, contest: ContestPage, name: str, unit: str, members: str, contact_phone: str,
    contact_email: str = "", ip: str | None = None,
) -> tuple[Team, str]:
    """Register a team; returns it and its secret submission token (shown once, never stored)."""
    if contest.kind != ContestPage.Kind.JUDGED:
        raise NotJudged(_("Cuộc thi này không nhận đăng ký đội thi."))
    name = " ".join(name.split())
    if Team.objects.filter(contest=contest, name_key=team_name_key(name)).exists():
        raise DuplicateTeam(_("Tên đội “%(name)s” đã được đăng ký trong hội thi này.") % {"name": name})
    token = secrets.token_urlsafe(24)
    team = Team(
        contest=contest, name=name, unit=unit.strip(), members=members.strip(),
        contact_phone=contact_phone, contact_email=contact_email, token_hash=token_hash(token),
        ip_hash=ip_hash(ip),
    )
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as err:  # the same name registered at the same instant
        raise DuplicateTeam(
            _("Tên đội “%(name)s” đã được đăng ký trong hội thi này.") % {"name": name}
        ) from err
    return team, token


def team_token_rotate(*, team: Team) -> str:
    """Issue a new submission link for a team (the old one stops working); returns the token."""
    token = secrets.token_urlsafe(24)
    team.token_hash = token_hash(token)
    team.save(update_fields=["token_hash"])
    return token


def team_from_token(token: str) -> Team | None:
    if not token or len(token) > 100:
        return None
    return Team.objects.select_related("contest").filter(token_hash=token_hash(token)).first()


def entry_submit(
    *, team: Team, round: ContestRound, kind: str, title: str, text: str = "", file=None,
    audio=None, video_url: str = "", now: dt.datetime | None = None,
) -> Entry:
    """Record a team's entry for an open round; one entry per team per round."""
    now = now or timezone.now()
    if round.page_id != team.contest_id:
        raise NotJudged(_("Đợt thi này không thuộc hội thi của đội."))
    round_check_open(round, now)
    entry = Entry(
        team=team, round=round, kind=kind, title=title.strip(), text=text.strip(),
        video_url=video_url, submitted_at=now,
    )
    if file:
        entry.file = file
    if audio:
        entry.audio = audio
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as err:
        raise AlreadySubmitted(
            _("Đội đã nộp bài cho “%(round)s”; mỗi đội nộp một bài mỗi đợt.") % {"round": round.title}
        ) from err
    return entry


def scores_record(
    *, entry: Entry, juror, values: dict[int, tuple[str, str]], now: dt.datetime | None = None
) -> list[Score]:
    """Save ``juror``'s own scores of ``entry``: ``{criterion id: (value, comment)}``.

    Only while the entry's round is open; only criteria of the entry's contest; each value
    between 0 and the criterion's maximum. A juror can only ever write their own rows.
    """
    now = now or timezone.now()
    if not juror.has_perm(JUROR_PERMISSION):
        raise NotAJuror(_("Chỉ thành viên Ban giám khảo được chấm điểm."))
    round_check_open(entry.round, now)
    criteria = {c.pk: c for c in Criterion.objects.filter(contest_id=entry.round.page_id)}
    cleaned: dict[int, tuple[Decimal, str]] = {}
    for criterion_id, (raw, comment) in values.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise BadScore(_("Tiêu chí không thuộc hội thi này."))
        if raw in ("", None):
            continue
        try:
            value = Decimal(str(raw).replace(",", "."))
        except InvalidOperation as err:
            raise BadScore(_("Điểm “%(name)s” phải là một số.") % {"name": criterion.name}) from err
        if not value.is_finite() or value < 0 or value > criterion.max_score:
            raise BadScore(
                _("Điểm “%(name)s” phải từ 0 đến %(max)s.")
                % {"name": criterion.name, "max": criterion.max_score}
            )
        cleaned[criterion_id] = (value.quantize(Decimal("0.01")), (comment or "").strip()[:2000])
    saved = []
    with transaction.atomic():
        for criterion_id, (value, comment) in cleaned.items():
            score, _created = Score.objects.update_or_create(
                entry=entry, criterion_id=criterion_id, juror=juror,
                defaults={"value": value, "comment": comment, "site_id": entry.site_id},
            )
            saved.append(score)
    return saved
