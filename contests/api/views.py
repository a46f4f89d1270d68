"""Views of the quiz API. Each one validates, calls a ``contests.services`` function and shapes
its answer; refusals come back as ``{"code", "message"}`` with the status the service chose.

No cookies, no sessions: a client proves who it is with the signed tokens the API handed it
(the participant token from registering, the attempt token from starting). A forged request
from another web site cannot know them, so there is nothing for CSRF protection to guard, and
DRF's ``APIView`` is exempt from it when no session authentication is configured (as here).
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.models import Site

from cms.security import client_ip
from content_types.selectors import public_pages
from content_types.snippets import Zone
from contests import services
from contests.forms import RegistrationForm
from contests.models import Attempt, ContestPage, ContestRound
from contests.ratelimit import limit_for, rate_limited

from .errors import error_response, exception_to_response
from .openapi import openapi_document

PARTICIPANT_SALT = "contests.api.participant"
# Long enough to register in the evening and take the quiz the next morning.
PARTICIPANT_TOKEN_MAX_AGE = 7 * 24 * 3600
IMAGE_RENDITION = "max-800x600"


class ContestAPIView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def handle_exception(self, exc):
        response = exception_to_response(exc)
        if response is None:
            return super().handle_exception(exc)
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response.setdefault("Cache-Control", "no-store")
        return response

    def refuse_if_limited(self, kind: str, key: str):
        if not rate_limited(kind, key, surface="api"):
            return None
        response = error_response(
            "rate_limited", _("Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."), 429
        )
        response["Retry-After"] = str(limit_for(kind)[1])
        return response

    def ip_key(self) -> str:
        return services.ip_hash(client_ip(self.request) or "unknown")


# --- shaping ----------------------------------------------------------------------------------


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def round_data(round: ContestRound, now: dt.datetime) -> dict:
    return {
        "id": round.pk,
        "title": round.title,
        "starts_at": _iso(round.starts_at),
        "ends_at": _iso(round.ends_at),
        "is_open": round.is_open(now),
        "questions_per_attempt": round.questions_per_attempt,
        "time_limit_seconds": round.time_limit_seconds,
        "attempts_per_phone": round.attempts_per_phone,
        "prizes": {
            "first": round.prizes_first,
            "second": round.prizes_second,
            "third": round.prizes_third,
            "consolation": round.prizes_consolation,
        },
        "results_published": round.results_published,
    }


def contest_data(contest: ContestPage, rounds, now: dt.datetime, *, detail: bool = False) -> dict:
    data = {
        "id": contest.pk,
        "title": contest.title,
        "intro": contest.intro,
        "organiser": contest.organiser,
        "url": contest.full_url,
        "rounds": [round_data(r, now) for r in rounds],
    }
    if detail:
        data["rules_html"] = str(contest.rules)
        data["zones"] = [
            {"id": zone.pk, "name": zone.name}
            for zone in Zone.objects.filter(is_active=True).order_by("name")
        ]
    return data


def attempt_state(attempt: Attempt, signed: str, now: dt.datetime) -> dict:
    """An open attempt: the questions, options by position, and the deadline the server keeps."""
    questions = []
    for question in services.attempt_questions(attempt):
        image = question.pop("image")
        question["image"] = (
            {"url": image.get_rendition(IMAGE_RENDITION).url, "alt": image.default_alt_text}
            if image is not None else None
        )
        questions.append(question)
    return {
        "token": signed,
        "status": "open",
        "round": {"id": attempt.round_id, "title": attempt.round.title},
        "started_at": _iso(attempt.started_at),
        "deadline": _iso(attempt.deadline),
        "server_time": _iso(now),
        "remaining_seconds": max(int((attempt.deadline - now).total_seconds()), 0),
        "prediction_question": _("Dự đoán có bao nhiêu người trả lời đúng tất cả câu hỏi?"),
        "questions": questions,
    }


def attempt_result(attempt: Attempt, signed: str, *, review: bool = True) -> dict:
    data = {
        "token": signed,
        "status": "submitted",
        "round": {"id": attempt.round_id, "title": attempt.round.title},
        "score": attempt.score,
        "max_score": attempt.max_score,
        "all_correct": attempt.all_correct,
        "prediction": attempt.prediction,
        "duration_ms": attempt.duration_ms,
        "submitted_at": _iso(attempt.submitted_at),
    }
    if review:
        data["review"] = services.attempt_review(attempt)
    return data


# --- lookups ----------------------------------------------------------------------------------


def visible_contests(request):
    site = Site.find_for_request(request)
    return public_pages(ContestPage.objects.filter(kind=ContestPage.Kind.QUIZ), site=site)


class NotFound(services.ContestError):
    code = "not_found"
    status = 404

    def __init__(self, message: str | None = None):
        super().__init__(message or _("Không tìm thấy cuộc thi hoặc đợt thi này."))


def contest_or_404(request, contest_id: int) -> ContestPage:
    contest = visible_contests(request).filter(pk=contest_id).first()
    if contest is None:
        raise NotFound()
    return contest


def attempt_for(signed: str) -> Attempt:
    # No API answer shows the participant: the attempt and its round only (one query).
    attempt = services.attempt_from_token(signed, with_participant=False)
    if attempt.timed_out:
        raise services.AttemptExpired(
            _("Lượt thi này đã hết thời gian làm bài mà chưa được nộp.")
        )
    return attempt


def participant_token_sign(participant) -> str:
    return signing.TimestampSigner(salt=PARTICIPANT_SALT).sign(str(participant.pk))


def participant_from_token(signed: str):
    from contests.models import Participant

    try:
        pk = signing.TimestampSigner(salt=PARTICIPANT_SALT).unsign(
            signed or "", max_age=PARTICIPANT_TOKEN_MAX_AGE
        )
    except signing.SignatureExpired as err:
        raise services.BadToken(_("Phiếu đăng ký đã quá hạn: vui lòng đăng ký lại.")) from err
    except signing.BadSignature as err:
        raise services.BadToken(_("Mã đăng ký không hợp lệ hoặc đã bị sửa đổi.")) from err
    participant = Participant.objects.filter(pk=pk).first()
    if participant is None:
        raise services.BadToken(_("Không tìm thấy người dự thi: vui lòng đăng ký lại."))
    return participant


# --- endpoints --------------------------------------------------------------------------------


class Contests(ContestAPIView):
    """Quiz contests with a round open now or still to come."""

    def get(self, request):
        now = timezone.now()
        rounds = ContestRound.objects.filter(ends_at__gt=now).order_by("starts_at", "pk")
        contests = (
            visible_contests(request)
            .filter(rounds__ends_at__gt=now)
            .distinct()
            .order_by("-first_published_at")
            .prefetch_related(Prefetch("rounds", queryset=rounds, to_attr="coming_rounds"))
        )
        return Response(
            {"contests": [contest_data(c, c.coming_rounds, now) for c in contests]}
        )


class ContestDetail(ContestAPIView):
    def get(self, request, contest_id: int):
        contest = contest_or_404(request, contest_id)
        now = timezone.now()
        rounds = contest.rounds.order_by("starts_at", "pk")
        return Response(contest_data(contest, rounds, now, detail=True))


class Register(ContestAPIView):
    """Register (or update) the phone's participant; answers a participant token."""

    def post(self, request, contest_id: int):
        contest = contest_or_404(request, contest_id)
        limited = self.refuse_if_limited("register_ip", self.ip_key())
        if limited:
            return limited
        payload = request.data if isinstance(request.data, dict) else {}
        form = RegistrationForm(data={k: v for k, v in payload.items() if v is not None})
        if form.is_bot:
            return error_response("rejected", _("Không gửi được phiếu đăng ký."), 400)
        if not form.is_valid():
            fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
            first = next(iter(fields.values()))[0]
            return error_response("invalid", first, 400, fields=fields)
        data = form.cleaned_data
        limited = self.refuse_if_limited("register_phone", data["phone"])
        if limited:
            return limited
        participant = services.participant_register(
            contest=contest, full_name=data["full_name"], phone=data["phone"],
            birth_year=data["birth_year"], zone=data["zone"], unit=data["unit"],
            consent_rules=data["consent_rules"],
            consent_personal_data=data["consent_personal_data"],
            ip=client_ip(request),
        )
        return Response(
            {
                "participant_token": participant_token_sign(participant),
                "participant": {
                    "full_name": participant.full_name,
                    "masked_phone": participant.masked_phone,
                    "place": participant.place,
                },
            },
            status=201,
        )


class StartAttempt(ContestAPIView):
    """Start an attempt at a round, or get back the one still open."""

    def post(self, request, round_id: int):
        round = ContestRound.objects.filter(pk=round_id).first()
        if round is None or not visible_contests(request).filter(pk=round.page_id).exists():
            raise NotFound()
        payload = request.data if isinstance(request.data, dict) else {}
        participant = participant_from_token(str(payload.get("participant_token") or ""))
        limited = self.refuse_if_limited("register_ip", self.ip_key()) or self.refuse_if_limited(
            "register_phone", participant.phone
        )
        if limited:
            return limited
        now = timezone.now()
        attempt = services.attempt_start(participant=participant, round=round, now=now)
        attempt.round = round
        signed = services.attempt_token_sign(attempt)
        return Response(attempt_state(attempt, signed, now), status=201)


class AttemptView(ContestAPIView):
    """An attempt as it stands: the questions while open, the result once submitted."""

    def get(self, request, token: str):
        attempt = attempt_for(token)
        now = timezone.now()
        if attempt.submitted_at is not None:
            return Response(attempt_result(attempt, token))
        if now > attempt.deadline + services.grace():
            raise services.AttemptExpired(
                _("Đã hết thời gian làm bài: bài thi không được chấp nhận.")
            )
        return Response(attempt_state(attempt, token, now))


class Submit(ContestAPIView):
    def post(self, request, token: str):
        limited = self.refuse_if_limited("submit_ip", self.ip_key())
        if limited:
            return limited
        attempt = attempt_for(token)
        payload = request.data if isinstance(request.data, dict) else {}
        answers = payload.get("answers", {})
        if not isinstance(answers, dict) or not all(
            isinstance(v, list) for v in answers.values()
        ):
            raise services.BadAnswer(
                _("“answers” phải có dạng {\"mã câu hỏi\": [vị trí phương án, ...]}.")
            )
        prediction = payload.get("prediction")
        if prediction is not None and (isinstance(prediction, bool) or not isinstance(prediction, int)):
            raise services.BadAnswer(_("Số dự đoán phải là một số nguyên, ví dụ 25."))
        attempt = services.attempt_submit(attempt=attempt, answers=answers, prediction=prediction)
        # The score only: submissions all arrive in the last minute of a round, and the review
        # (three more queries) is one GET away, at the app's own pace.
        return Response(attempt_result(attempt, token, review=False))


class Result(ContestAPIView):
    def get(self, request, token: str):
        attempt = attempt_for(token)
        if attempt.submitted_at is None:
            return error_response(
                "attempt_open", _("Lượt thi chưa nộp: kết quả có sau khi nộp bài."), 409
            )
        return Response(attempt_result(attempt, token))


class OpenAPI(ContestAPIView):
    def get(self, request):
        response = Response(openapi_document(request))
        response["Cache-Control"] = "public, max-age=300"
        return response


class Unknown(ContestAPIView):
    def dispatch(self, request, *args, **kwargs):
        self.args, self.kwargs, self.request = args, kwargs, self.initialize_request(request)
        self.headers = self.default_response_headers
        response = error_response(
            "not_found",
            _("API cuộc thi v1 không có địa chỉ này; xem /api/contests/v1/openapi.json."),
            404,
        )
        return self.finalize_response(self.request, response)
