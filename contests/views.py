"""Taking part on the site: register, answer, submit, see the result. Plain forms throughout:
everything works with JavaScript off; the only script shows the time the server allows."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.security import client_ip

from . import services
from .forms import RegistrationForm
from .ratelimit import rate_limited
from .selectors import all_correct_count, ranking_for_round


def refused(page, request, message: str, *, status: int = 400, attempt_url: str = ""):
    response = page.render(
        request,
        template="contests/refused.html",
        context_overrides={"message": message, "attempt_url": attempt_url},
    )
    response.status_code = status
    return response


def _page_url(page, request, name: str, **kwargs) -> str:
    return page.get_url(request).rstrip("/") + "/" + page.reverse_subpage(name, kwargs=kwargs)


def register_page(page, request):
    """GET: the form; POST: register the phone and start (or resume) its attempt."""
    if page.kind != page.Kind.QUIZ:
        return refused(page, request, _("Cuộc thi này không thi trắc nghiệm trực tuyến."), status=404)
    round = page.current_round()
    if round is None:
        return refused(page, request, _("Hiện không có đợt thi nào đang mở."), status=403)
    if request.method != "POST":
        return page.render(
            request, template="contests/register.html",
            context_overrides={"form": RegistrationForm(), "round": round},
        )
    form = RegistrationForm(request.POST)
    ip = client_ip(request) or "unknown"
    if form.is_bot:
        return refused(page, request, _("Không gửi được phiếu đăng ký."), status=400)
    if rate_limited("register_ip", services.ip_hash(ip)):
        return refused(
            page, request, _("Có quá nhiều lượt đăng ký từ máy của bạn. Vui lòng thử lại sau ít phút."),
            status=429,
        )
    if not form.is_valid():
        response = page.render(
            request, template="contests/register.html",
            context_overrides={"form": form, "round": round},
        )
        response.status_code = 400
        return response
    data = form.cleaned_data
    if rate_limited("register_phone", data["phone"]):
        return refused(
            page, request, _("Số điện thoại này vừa đăng ký nhiều lần. Vui lòng thử lại sau ít phút."),
            status=429,
        )
    try:
        participant = services.participant_register(
            contest=page, full_name=data["full_name"], phone=data["phone"],
            birth_year=data["birth_year"], zone=data["zone"], unit=data["unit"],
            consent_rules=data["consent_rules"], consent_personal_data=data["consent_personal_data"],
            ip=ip,
        )
        attempt = services.attempt_start(participant=participant, round=round)
    except services.ContestError as err:
        return refused(page, request, err.message, status=err.status)
    signed = services.attempt_token_sign(attempt)
    return HttpResponseRedirect(_page_url(page, request, "attempt", signed=signed))


def _attempt_or_refusal(page, request, signed):
    try:
        attempt = services.attempt_from_token(signed)
    except services.BadToken as err:
        return None, refused(page, request, err.message, status=err.status)
    if attempt.round.page_id != page.pk:
        return None, refused(page, request, _("Lượt thi này không thuộc cuộc thi này."), status=404)
    return attempt, None


def _render_attempt(page, request, attempt, *, signed, chosen=None, prediction="", errors=(),
                    status=200):
    now = timezone.now()
    remaining = max(int((attempt.deadline - now).total_seconds()), 0)
    questions = services.attempt_questions(attempt)
    chosen = chosen or {}
    for question in questions:
        picked = chosen.get(question["id"], [])
        for option in question["options"]:
            option["checked"] = option["key"] in picked
    response = page.render(
        request,
        template="contests/attempt.html",
        context_overrides={
            "attempt": attempt,
            "round": attempt.round,
            "questions": questions,
            "remaining_seconds": remaining,
            "remaining_text": f"{remaining // 60:02d}:{remaining % 60:02d}",
            "deadline": attempt.deadline,
            "prediction": prediction,
            "errors": errors,
            "action": _page_url(page, request, "attempt", signed=signed),
        },
    )
    response.status_code = status
    return response


def _posted_answers(post) -> dict[str, list[str]]:
    return {
        key[1:]: post.getlist(key)
        for key in post
        if key.startswith("q") and key[1:].lstrip("-").isdigit()
    }


def attempt_page(page, request, signed):
    attempt, refusal = _attempt_or_refusal(page, request, signed)
    if refusal:
        return refusal
    result_url = _page_url(page, request, "result", signed=signed)
    if attempt.submitted_at is not None:
        if attempt.timed_out:
            return refused(
                page, request, _("Lượt thi này đã hết thời gian làm bài mà chưa được nộp."),
                status=410,
            )
        return HttpResponseRedirect(result_url)
    if request.method != "POST":
        if timezone.now() > attempt.deadline + services.grace():
            return refused(
                page, request, _("Đã hết thời gian làm bài: bài thi không được chấp nhận."),
                status=410,
            )
        return _render_attempt(page, request, attempt, signed=signed)

    if rate_limited("submit_ip", services.ip_hash(client_ip(request) or "unknown")):
        return refused(page, request, _("Bạn gửi quá nhanh. Vui lòng thử lại sau ít phút."),
                       status=429)
    answers = _posted_answers(request.POST)
    raw_prediction = request.POST.get("prediction", "").strip()
    now = timezone.now()
    prediction = None
    error = ""
    if raw_prediction:
        try:
            prediction = int(raw_prediction)
        except ValueError:
            error = _("Số dự đoán phải là một số nguyên, ví dụ 25.")
    elif now <= attempt.deadline:
        # After the deadline (the timer submitted for the resident) a missing guess is allowed.
        error = _("Vui lòng dự đoán số người trả lời đúng tất cả câu hỏi.")
    if error:
        chosen = {}
        for key, values in answers.items():
            try:
                chosen[int(key)] = [int(v) for v in values]
            except ValueError:
                continue
        return _render_attempt(page, request, attempt, signed=signed, chosen=chosen,
                               prediction=raw_prediction, errors=[error], status=400)
    try:
        services.attempt_submit(attempt=attempt, answers=answers, prediction=prediction, now=now)
    except services.ContestError as err:
        return refused(page, request, err.message, status=err.status)
    return HttpResponseRedirect(result_url)


def result_page(page, request, signed):
    attempt, refusal = _attempt_or_refusal(page, request, signed)
    if refusal:
        return refusal
    if attempt.submitted_at is None:
        return HttpResponseRedirect(_page_url(page, request, "attempt", signed=signed))
    if attempt.timed_out:
        return refused(
            page, request, _("Lượt thi này đã hết thời gian làm bài mà chưa được nộp."), status=410
        )
    round = attempt.round
    return page.render(
        request,
        template="contests/result.html",
        context_overrides={
            "attempt": attempt,
            "round": round,
            "review": services.attempt_review(attempt),
            "participant": attempt.participant,
            "duration_seconds": (attempt.duration_ms or 0) / 1000,
            "ranking_url": _page_url(page, request, "ranking", round_id=round.pk)
            if round.results_published else "",
        },
    )


def ranking_page(page, request, round_id):
    round = page.rounds.filter(pk=round_id, results_published=True).first()
    if round is None:
        return refused(page, request, _("Kết quả của đợt thi này chưa được công bố."), status=404)
    if page.kind == page.Kind.JUDGED:
        return judged_ranking_page(page, request, round)
    actual = all_correct_count(round)
    return page.render(
        request,
        template="contests/ranking.html",
        context_overrides={
            "round": round,
            # Names are published for the prized places only (what residents consented to).
            "rows": ranking_for_round(round, limit=round.prize_total, actual=actual),
            "actual": actual,
        },
    )


def judged_ranking_page(page, request, round):
    """A judged round's public results: teams, weighted totals (the jury's averages), ranks
    and prizes, once the round has closed and its results were published; never a juror's
    own score."""
    from .judging.selectors import public_results, results_public

    if not results_public(round):
        return refused(page, request, _("Kết quả của đợt thi này chưa được công bố."), status=404)
    return page.render(
        request,
        template="contests/judging/ranking.html",
        context_overrides={"round": round, "rows": public_results(round)},
    )
