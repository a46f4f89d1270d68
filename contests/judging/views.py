"""The public side of a judged competition, plain forms that work with JavaScript off:
a team registers (and is shown its secret submission link once), then submits its entry
through that link while a round is open."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from cms.security import client_ip
from contests.models import ContestPage
from contests.ratelimit import rate_limited
from contests.services import ContestError, ip_hash

from . import services
from .forms import EntryForm, TeamRegistrationForm


def _judged_contest(request, page_id: int) -> ContestPage:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    pages = ContestPage.objects.live().public().descendant_of(site.root_page, inclusive=True)
    return get_object_or_404(pages, pk=page_id, kind=ContestPage.Kind.JUDGED)


def _render(page, request, template: str, context: dict, status: int = 200):
    response = page.render(request, template=f"contests/judging/{template}", context_overrides=context)
    response.status_code = status
    return response


def _refused(page, request, message: str, status: int):
    return _render(page, request, "refused.html", {"message": message}, status)


def submit_link(request, token: str) -> str:
    return request.build_absolute_uri(reverse("judging:entry_submit", args=[token]))


def registration_closed(page, now=None) -> bool:
    """Every round of the contest has ended: no new team may register."""
    return not page.rounds.filter(ends_at__gt=now or timezone.now()).exists()


def team_register(request, page_id: int):
    page = _judged_contest(request, page_id)
    if registration_closed(page):
        return _refused(page, request, _("Hội thi đã kết thúc: không nhận đăng ký đội mới."), 403)
    if request.method != "POST":
        return _render(page, request, "register.html", {"form": TeamRegistrationForm()})
    form = TeamRegistrationForm(request.POST)
    if form.is_bot:
        return _refused(page, request, _("Không gửi được phiếu đăng ký."), 400)
    ip = client_ip(request) or "unknown"
    if rate_limited("register_ip", ip_hash(ip)):
        return _refused(
            page, request,
            _("Có quá nhiều lượt đăng ký từ máy của bạn. Vui lòng thử lại sau ít phút."), 429,
        )
    if not form.is_valid():
        return _render(page, request, "register.html", {"form": form}, 400)
    data = form.cleaned_data
    try:
        team, token = services.team_register(
            contest=page, name=data["name"], unit=data["unit"], members=data["members"],
            contact_phone=data["contact_phone"], contact_email=data["contact_email"], ip=ip,
        )
    except ContestError as err:
        form.add_error("name", err.message)
        return _render(page, request, "register.html", {"form": form}, err.status)
    # Rendered, not redirected: the link is shown this once and never put in a redirect.
    response = _render(
        page, request, "registered.html", {"team": team, "link": submit_link(request, token)}, 201
    )
    response["Cache-Control"] = "private, no-store"
    return response


def entry_submit(request, token: str):
    team = services.team_from_token(token)
    if team is None:
        raise Http404
    page = _judged_contest(request, team.contest_id)
    now = timezone.now()
    round = page.current_round(now)
    entries = {e.round_id: e for e in team.entries.select_related("round")}
    context = {"team": team, "round": round, "entries": list(entries.values())}
    if request.method != "POST":
        form = EntryForm() if round is not None and round.pk not in entries else None
        response = _render(page, request, "submit.html", {**context, "form": form})
        response["Cache-Control"] = "private, no-store"
        return response
    form = EntryForm(request.POST, request.FILES)
    if form.is_bot:
        return _refused(page, request, _("Không gửi được bài dự thi."), 400)
    if rate_limited("submit_ip", ip_hash(client_ip(request) or "unknown")):
        return _refused(page, request, _("Bạn gửi quá nhanh. Vui lòng thử lại sau ít phút."), 429)
    if round is None:
        last = page.rounds.filter(ends_at__lte=now).order_by("-ends_at").first()
        message = (
            _("Đợt thi “%(title)s” đã kết thúc lúc %(end)s: bài dự thi nộp muộn không được nhận.")
            % {"title": last.title, "end": timezone.localtime(last.ends_at).strftime("%H:%M %d/%m/%Y")}
            if last else _("Hiện không có đợt thi nào đang nhận bài.")
        )
        return _refused(page, request, message, 403)
    if not form.is_valid():
        return _render(page, request, "submit.html", {**context, "form": form}, 400)
    data = form.cleaned_data
    try:
        entry = services.entry_submit(
            team=team, round=round, kind=data["kind"], title=data["title"], text=data["text"],
            file=data["file"], audio=data["audio"], video_url=data["video_url"], now=now,
        )
    except ContestError as err:
        return _refused(page, request, err.message, err.status)
    return _render(page, request, "submitted.html", {**context, "entry": entry}, 201)
