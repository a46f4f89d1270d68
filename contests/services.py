"""Writes of the quiz: registering, starting an attempt, submitting it, erasing a participant.

Every refusal is a ``ContestError`` subclass whose ``message`` is what the resident reads (in
Vietnamese) and whose ``code`` is stable for the API. The server alone knows the correct options:
the browser sees questions and options by position, and grading uses what was fixed when the
attempt started, never anything the browser sends back except the chosen positions.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import submit_sql
from .models import Attempt, AttemptAnswer, Choice, ContestPage, ContestRound, Participant, Question
from .selectors import all_correct_count, ranking_for_round  # noqa: F401  (public interface)

TOKEN_SALT = "contests.attempt"
PREDICTION_MAX = 1_000_000
_random = random.SystemRandom()


class ContestError(Exception):
    """A refusal the resident must understand; ``status`` is the HTTP answer that fits."""

    code = "contest_error"
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidPhone(ContestError):
    code = "invalid_phone"


class RoundNotOpen(ContestError):
    code = "round_not_open"
    status = 403


class RoundClosed(ContestError):
    code = "round_closed"
    status = 403


class AttemptLimitReached(ContestError):
    code = "attempt_limit"
    status = 403


class AttemptExpired(ContestError):
    code = "attempt_expired"
    status = 403


class AlreadySubmitted(ContestError):
    code = "already_submitted"
    status = 409


class BadToken(ContestError):
    code = "bad_token"
    status = 400


class BadAnswer(ContestError):
    code = "bad_answer"
    status = 400


class NoQuestions(ContestError):
    code = "no_questions"
    status = 503


def grace() -> dt.timedelta:
    """Allowance for the network between the timer reaching zero and the answers arriving."""
    return dt.timedelta(seconds=getattr(settings, "CONTESTS_SUBMIT_GRACE_SECONDS", 5))


def _local(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "H:i:s d/m/Y")


# --- participants -----------------------------------------------------------------------------

_PHONE_NOISE = re.compile(r"[\s.\-()]")


def phone_normalise(raw: str) -> str:
    """A Vietnamese mobile or landline number as "0" + 9 digits: "+84 912.345.678" -> "0912345678"."""
    digits = _PHONE_NOISE.sub("", raw or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not re.fullmatch(r"0[1-9]\d{8}", digits):
        raise InvalidPhone(_("Số điện thoại không hợp lệ: cần 10 chữ số, bắt đầu bằng 0."))
    return digits


def ip_hash(ip: str | None) -> str:
    """The address, keyed-hashed: enough to spot abuse, not to identify a household."""
    return salted_hmac("contests.ip", ip).hexdigest() if ip else ""


def participant_register(
    *,
    contest: ContestPage,
    full_name: str,
    phone: str,
    birth_year: int,
    zone=None,
    unit: str = "",
    consent_rules: bool,
    consent_personal_data: bool,
    ip: str | None = None,
) -> Participant:
    """The contest's participant for this phone, created or brought up to date."""
    if not (consent_rules and consent_personal_data):
        raise ContestError(
            _("Cần đồng ý với thể lệ và việc sử dụng dữ liệu cá nhân để tham gia cuộc thi.")
        )
    phone = phone_normalise(phone)
    fields = {
        "full_name": " ".join(full_name.split())[:120],
        "birth_year": birth_year,
        "zone": zone,
        "unit": unit.strip()[:200],
        "consent_rules": True,
        "consent_personal_data": True,
    }
    participant = Participant.objects.filter(contest=contest, phone=phone).first()
    if participant is None:
        try:
            with transaction.atomic():
                return Participant.objects.create(
                    site=contest.get_site(), contest=contest, phone=phone, ip_hash=ip_hash(ip),
                    **fields,
                )
        except IntegrityError:
            # The same phone registering twice at once: the other request created the row.
            participant = Participant.objects.get(contest=contest, phone=phone)
    for name, value in fields.items():
        setattr(participant, name, value)
    participant.save(update_fields=list(fields))
    return participant


def participant_erase(*, participant: Participant) -> None:
    """Delete a participant's personal data and entries on their request (item 7)."""
    with transaction.atomic():
        AttemptAnswer.objects.filter(attempt__participant=participant).delete()
        Attempt.objects.filter(participant=participant).delete()
        participant.delete()


# --- attempts ---------------------------------------------------------------------------------


# The token's 32 hex digits followed by their signature, with no separator: Wagtail's page
# URLs allow only word characters and "-" in a path segment, so Signer's ":" cannot be used.
_TOKEN_HEX = 32


def attempt_token_sign(attempt: Attempt) -> str:
    value = attempt.token.hex
    return value + signing.Signer(salt=TOKEN_SALT).signature(value)


def attempt_from_token(signed: str, *, with_participant: bool = True) -> Attempt:
    """The attempt a signed token names; a forged or altered token is refused."""
    signed = signed or ""
    token, signature = signed[:_TOKEN_HEX], signed[_TOKEN_HEX:]
    expected = signing.Signer(salt=TOKEN_SALT).signature(token)
    if not (
        re.fullmatch(r"[0-9a-f]{32}", token) and signature and constant_time_compare(signature, expected)
    ):
        raise BadToken(_("Mã lượt thi không hợp lệ hoặc đã bị sửa đổi."))
    # One query: the round joined, and the participant unless the caller has no use for it.
    attempt = submit_sql.attempt_by_token(token, with_participant=with_participant)
    if attempt is None:
        raise BadToken(_("Không tìm thấy lượt thi này."))
    return attempt


def _close_expired(attempt: Attempt) -> None:
    """An attempt left open past its deadline ends without an entry (its answers never came)."""
    Attempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
        submitted_at=attempt.deadline, timed_out=True, score=0, all_correct=False,
        max_score=len(attempt.question_ids),
    )


def round_check_open(round: ContestRound, now: dt.datetime) -> None:
    if now < round.starts_at:
        raise RoundNotOpen(
            _("Đợt thi “%(title)s” chưa bắt đầu: mở lúc %(start)s.")
            % {"title": round.title, "start": _local(round.starts_at)}
        )
    if now >= round.ends_at:
        raise RoundClosed(
            _("Đợt thi “%(title)s” đã kết thúc lúc %(end)s.")
            % {"title": round.title, "end": _local(round.ends_at)}
        )


def attempt_start(
    *, participant: Participant, round: ContestRound, now: dt.datetime | None = None
) -> Attempt:
    """Draw the questions of a new attempt, or hand back the one still open.

    At most one attempt per participant per round is open (a partial unique constraint), so
    two simultaneous starts end with the same attempt.
    """
    now = now or timezone.now()
    if round.page_id != participant.contest_id:
        raise ContestError(_("Đợt thi này không thuộc cuộc thi bạn đã đăng ký."))
    round_check_open(round, now)
    open_attempt = Attempt.objects.filter(
        round=round, participant=participant, submitted_at__isnull=True
    ).first()
    if open_attempt is not None:
        if now <= open_attempt.deadline:
            return open_attempt
        _close_expired(open_attempt)
    used = Attempt.objects.filter(round=round, participant=participant).count()
    if used >= round.attempts_per_phone:
        raise AttemptLimitReached(
            _("Số điện thoại này đã dùng hết %(count)d lượt thi của đợt “%(title)s”.")
            % {"count": round.attempts_per_phone, "title": round.title}
        )
    bank = list(
        Question.objects.filter(contest_id=round.page_id, active=True).values_list("id", flat=True)
    )
    if not bank:
        raise NoQuestions(_("Cuộc thi chưa có câu hỏi. Mời bạn quay lại sau."))
    drawn = _random.sample(bank, min(round.questions_per_attempt, len(bank)))
    options = defaultdict(list)
    for question_id, choice_id in Choice.objects.filter(question_id__in=drawn).values_list(
        "question_id", "id"
    ):
        options[question_id].append(choice_id)
    for choice_ids in options.values():
        _random.shuffle(choice_ids)
    deadline = min(now + dt.timedelta(seconds=round.time_limit_seconds), round.ends_at)
    try:
        with transaction.atomic():
            return Attempt.objects.create(
                site_id=participant.site_id,
                participant=participant,
                round=round,
                started_at=now,
                deadline=deadline,
                question_ids=drawn,
                option_order={str(q): options[q] for q in drawn},
                max_score=len(drawn),
            )
    except IntegrityError:
        return Attempt.objects.get(round=round, participant=participant, submitted_at__isnull=True)


def attempt_questions(attempt: Attempt) -> list[dict]:
    """What the player sees: questions in drawn order, options by position, no correctness."""
    questions = {
        q.id: q for q in Question.objects.filter(id__in=attempt.question_ids).select_related("image")
    }
    texts = dict(
        Choice.objects.filter(question_id__in=attempt.question_ids).values_list("id", "text")
    )
    result = []
    for number, question_id in enumerate(attempt.question_ids, start=1):
        question = questions.get(question_id)
        if question is None:
            continue
        result.append(
            {
                "id": question.id,
                "number": number,
                "text": question.text,
                "kind": question.kind,
                "multiple": question.kind == Question.Kind.MULTIPLE,
                "image": question.image,
                "options": [
                    {"key": position, "label": chr(ord("A") + position), "text": texts.get(cid, "")}
                    for position, cid in enumerate(attempt.option_order.get(str(question_id), []))
                ],
            }
        )
    return result


def _parse_answers(attempt: Attempt, answers: dict, kinds: dict[int, str]) -> dict[int, list[int]]:
    """Map {question id: [positions]} to {question id: [choice ids]}, refusing foreign ids."""
    chosen: dict[int, list[int]] = {}
    for raw_question, raw_positions in answers.items():
        try:
            question_id = int(raw_question)
            positions = sorted({int(p) for p in raw_positions})
        except (TypeError, ValueError) as err:
            raise BadAnswer(_("Câu trả lời gửi lên không hợp lệ.")) from err
        order = attempt.option_order.get(str(question_id))
        if order is None:
            raise BadAnswer(
                _("Câu hỏi số %(id)s không thuộc bài thi này: bài nộp bị từ chối.")
                % {"id": question_id}
            )
        if any(p < 0 or p >= len(order) for p in positions):
            raise BadAnswer(_("Phương án trả lời không thuộc câu hỏi: bài nộp bị từ chối."))
        if len(positions) > 1 and kinds.get(question_id) != Question.Kind.MULTIPLE:
            raise BadAnswer(_("Câu hỏi chỉ được chọn một đáp án."))
        chosen[question_id] = [order[p] for p in positions]
    return chosen


def _answer_key(question_ids: list[int]) -> tuple[dict[int, str], defaultdict[int, set[int]]]:
    """Each question's kind and its correct choices, in one query (questions joined to their
    choices; a question without a correct choice still gives its kind)."""
    kinds: dict[int, str] = {}
    correct: defaultdict[int, set[int]] = defaultdict(set)
    for question_id, kind, choice_id, is_correct in submit_sql.answer_key_rows(question_ids):
        kinds[question_id] = kind
        if is_correct:
            correct[question_id].add(choice_id)
    return kinds, correct


def attempt_submit(
    *,
    attempt: Attempt,
    answers: dict,
    prediction: int | None,
    now: dt.datetime | None = None,
) -> Attempt:
    """Grade and record an attempt once; late, repeated or tampered submissions are refused.

    ``answers`` maps question ids to the 0-based positions of the chosen options as they were
    shown. The record is written with a conditional update, so two submissions racing each
    other record exactly one.
    """
    now = now or timezone.now()
    if attempt.submitted_at is not None:
        raise AlreadySubmitted(_("Bài thi này đã được nộp, không thể nộp lại."))
    round = attempt.round
    if now > attempt.deadline + grace():
        _close_expired(attempt)
        if now >= round.ends_at and attempt.deadline >= round.ends_at:
            raise RoundClosed(
                _("Đợt thi đã kết thúc lúc %(end)s; bài nộp lúc %(now)s không được chấp nhận.")
                % {"end": _local(round.ends_at), "now": _local(now)}
            )
        raise AttemptExpired(
            _(
                "Đã hết thời gian làm bài (hạn nộp %(deadline)s, bài đến lúc %(now)s): "
                "bài thi không được chấp nhận."
            )
            % {"deadline": _local(attempt.deadline), "now": _local(now)}
        )
    if now > round.ends_at + grace():
        _close_expired(attempt)
        raise RoundClosed(
            _("Đợt thi đã kết thúc lúc %(end)s; bài nộp lúc %(now)s không được chấp nhận.")
            % {"end": _local(round.ends_at), "now": _local(now)}
        )
    if prediction is not None and not (0 <= prediction <= PREDICTION_MAX):
        raise BadAnswer(_("Số dự đoán phải từ 0 đến %(max)d.") % {"max": PREDICTION_MAX})

    kinds, correct = _answer_key(attempt.question_ids)
    chosen = _parse_answers(attempt, answers, kinds)
    rows = []
    score = 0
    for question_id in attempt.question_ids:
        picked = chosen.get(question_id, [])
        is_correct = bool(picked) and set(picked) == correct[question_id]
        score += is_correct
        rows.append((question_id, picked, is_correct))
    limit_ms = round.time_limit_seconds * 1000
    duration_ms = min(int((now - attempt.started_at).total_seconds() * 1000), limit_ms)
    fields = {
        "submitted_at": now,
        "score": score,
        "max_score": len(attempt.question_ids),
        "all_correct": score == len(attempt.question_ids),
        "prediction": prediction,
        "duration_ms": max(duration_ms, 0),
    }
    # The conditional UPDATE makes a second submission lose; the answers are written with it
    # or not at all (one statement on PostgreSQL, one transaction elsewhere).
    if not submit_sql.attempt_record(attempt_id=attempt.pk, fields=fields, answers=rows):
        raise AlreadySubmitted(_("Bài thi này đã được nộp, không thể nộp lại."))
    for name, value in fields.items():
        setattr(attempt, name, value)
    return attempt


def attempt_review(attempt: Attempt) -> list[dict]:
    """After submission only: each question with the options chosen, the correct ones and why."""
    if attempt.submitted_at is None:
        raise ContestError(_("Đáp án chỉ được hiện sau khi nộp bài."))
    questions = {q.id: q for q in Question.objects.filter(id__in=attempt.question_ids)}
    choices = {c.id: c for c in Choice.objects.filter(question_id__in=attempt.question_ids)}
    answers = {a.question_id: a for a in attempt.answers.all()}
    review = []
    for number, question_id in enumerate(attempt.question_ids, start=1):
        question = questions.get(question_id)
        if question is None:
            continue
        answer = answers.get(question_id)
        picked = set(answer.choice_ids) if answer else set()
        review.append(
            {
                "number": number,
                "text": question.text,
                "explanation": question.explanation,
                "is_correct": bool(answer and answer.is_correct),
                "options": [
                    {
                        "label": chr(ord("A") + position),
                        "text": choices[cid].text,
                        "chosen": cid in picked,
                        "correct": choices[cid].is_correct,
                    }
                    for position, cid in enumerate(attempt.option_order.get(str(question_id), []))
                    if cid in choices
                ],
            }
        )
    return review
