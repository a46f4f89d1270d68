"""The admin side of judged competitions: the organisers' view of a contest (teams, entries,
new submission links), the juror's scoring screen, the results after a round closes, and the
private entry files.

Who sees what (server-enforced, nothing is hidden only in the HTML):
- organisers (``judging.view_entry`` + ``judging.change_team``): teams, entries, files,
  results after close; never anyone's scores before close;
- jurors (``judging.add_score``, group “Ban giám khảo”): entries and files, their *own* scores
  while the round is open (``selectors.juror_scores``), everyone's averages after it closes.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contests.admin_scope import commune_contests, scoped
from contests.models import ContestPage, ContestRound
from contests.services import ContestError

from . import selectors, services
from .files import private_file_response
from .models import Criterion, Entry, Team
from .views import submit_link

VIEW_ENTRIES = "judging.view_entry"
SCORE = services.JUROR_PERMISSION
MANAGE_TEAMS = "judging.change_team"


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def forbidden_as_403(view):
    """Answer a refusal with 403 and its reason: Wagtail's admin would turn PermissionDenied
    into a redirect to the dashboard, which a forged POST must not be able to mistake for success."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as err:
            message = str(err) or _("Bạn không có quyền thực hiện việc này.")
            response = TemplateResponse(
                request, "contests/judging/admin/forbidden.html", {"message": message}
            )
            response.status_code = 403
            return response

    return wrapped


def contest_list(request):
    _require(request, VIEW_ENTRIES)
    contests = commune_contests(request, kind=ContestPage.Kind.JUDGED).order_by("-pk")
    return TemplateResponse(request, "contests/judging/admin/contest_list.html", {"contests": contests})


def contest_entries(request, page_id: int):
    """The rounds of a judged contest with their entries; for a juror, their own progress."""
    _require(request, VIEW_ENTRIES)
    contest = get_object_or_404(commune_contests(request, kind=ContestPage.Kind.JUDGED), pk=page_id)
    is_juror = request.user.has_perm(SCORE)
    now = timezone.now()
    rounds = list(contest.rounds.order_by("starts_at"))
    entries = list(
        Entry.objects.filter(round__page=contest).select_related("team").order_by("submitted_at")
    )
    criteria_count = Criterion.objects.filter(contest=contest).count()
    progress = selectors.juror_progress_for_contest(contest, request.user) if is_juror else {}
    by_round = {r.pk: [] for r in rounds}
    for entry in entries:
        entry.my_scored = progress.get(entry.pk, 0)
        by_round.setdefault(entry.round_id, []).append(entry)
    for round in rounds:
        round.entry_list = by_round.get(round.pk, [])
        round.closed = selectors.round_closed(round, now)
        round.open_now = round.is_open(now)
    can_manage = request.user.has_perm(MANAGE_TEAMS)
    teams = list(Team.objects.filter(contest=contest).order_by("name")) if can_manage else []
    return TemplateResponse(request, "contests/judging/admin/contest_entries.html", {
        "contest": contest, "rounds": rounds, "is_juror": is_juror, "criteria_count": criteria_count,
        "teams": teams, "can_manage": can_manage,
    })


def entry_score(request, entry_id: int):
    """A juror scores one entry: the criteria with their weights and only the juror's own scores
    until the round closes; after it, the jury's averages for this entry too. Organisers see
    the entry (and, after the close, the averages) without a form."""
    _require(request, VIEW_ENTRIES)
    is_juror = request.user.has_perm(SCORE)
    if request.method == "POST":
        _require(request, SCORE)
    entry = get_object_or_404(scoped(Entry.objects.select_related("team", "round__page"), request), pk=entry_id)
    round = entry.round
    criteria = list(Criterion.objects.filter(contest_id=round.page_id))
    now = timezone.now()
    errors = []
    if request.method == "POST":
        values = {}
        for criterion in criteria:
            values[criterion.pk] = (
                request.POST.get(f"score-{criterion.pk}", "").strip(),
                request.POST.get(f"comment-{criterion.pk}", ""),
            )
        for key in request.POST:
            # A criterion id the screen did not offer (another contest's) is refused, not ignored.
            if key.startswith("score-") and key[6:].isdigit() and int(key[6:]) not in values:
                values[int(key[6:])] = (request.POST[key], "")
        try:
            services.scores_record(entry=entry, juror=request.user, values=values, now=now)
        except ContestError as err:
            if err.status == 403:
                raise PermissionDenied(err.message) from err
            errors.append(err.message)
        else:
            messages.success(request, _("Đã lưu điểm của bạn cho “%(title)s”.") % {"title": entry.title})
            return redirect("judging_admin:entry_score", entry_id=entry.pk)
    mine = selectors.juror_scores(entry, request.user) if is_juror else {}
    closed = selectors.round_closed(round, now)
    result = None
    if closed:
        result = next((r for r in selectors.round_results(round, now) if r.entry.pk == entry.pk), None)
    rows = [
        {
            "criterion": c,
            "mine": mine.get(c.pk),
            "posted_value": request.POST.get(f"score-{c.pk}", "") if errors else None,
            "posted_comment": request.POST.get(f"comment-{c.pk}", "") if errors else None,
        }
        for c in criteria
    ]
    response = TemplateResponse(request, "contests/judging/admin/entry_score.html", {
        "entry": entry, "round": round, "contest": round.page, "rows": rows, "errors": errors,
        "open": round.is_open(now), "closed": closed, "result": result, "is_juror": is_juror,
    })
    if errors:
        response.status_code = 400
    return response


def round_results(request, round_id: int):
    if not (request.user.has_perm(VIEW_ENTRIES) or request.user.has_perm(SCORE)):
        raise PermissionDenied
    round = get_object_or_404(
        ContestRound.objects.select_related("page").filter(page__in=commune_contests(request)), pk=round_id
    )
    if round.page.kind != ContestPage.Kind.JUDGED:
        raise Http404
    try:
        rows = selectors.round_results(round)
    except ContestError as err:
        raise PermissionDenied(err.message) from err
    criteria = [c.criterion for c in rows[0].per_criterion] if rows else list(
        Criterion.objects.filter(contest_id=round.page_id)
    )
    return TemplateResponse(request, "contests/judging/admin/round_results.html", {
        "round": round, "contest": round.page, "rows": rows, "criteria": criteria,
    })


def entry_file(request, entry_id: int, which: str):
    """An entry's file or recording, to organisers and jurors only (never a public URL)."""
    _require(request, VIEW_ENTRIES)
    entry = get_object_or_404(scoped(Entry.objects.all(), request), pk=entry_id)
    field_file = {"tep": entry.file, "ghi-am": entry.audio}.get(which)
    if not field_file:
        raise Http404
    return private_file_response(request, field_file, download_name=f"bai-du-thi-{entry.pk}")


@require_POST
def team_new_link(request, team_id: int):
    _require(request, MANAGE_TEAMS)
    team = get_object_or_404(scoped(Team.objects.select_related("contest"), request), pk=team_id)
    token = services.team_token_rotate(team=team)
    response = TemplateResponse(request, "contests/judging/admin/team_link.html", {
        "team": team, "link": submit_link(request, token),
    })
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("", forbidden_as_403(contest_list), name="contest_list"),
    path("<int:page_id>/", forbidden_as_403(contest_entries), name="contest_entries"),
    path("bai/<int:entry_id>/cham/", forbidden_as_403(entry_score), name="entry_score"),
    path("bai/<int:entry_id>/<slug:which>/", forbidden_as_403(entry_file), name="entry_file"),
    path("dot/<int:round_id>/ket-qua/", forbidden_as_403(round_results), name="round_results"),
    path("doi/<int:team_id>/duong-dan-moi/", forbidden_as_403(team_new_link), name="team_new_link"),
]
