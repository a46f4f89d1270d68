"""A resident takes part over HTTP with plain forms (JavaScript off): register, answer, submit,
see the result; and every refusal: attempt limits, late answers, tampered tokens and question
ids, the honeypot, CSRF, rate limits (issue 11, items 3 and 7)."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from contests import services
from contests.models import Attempt, AttemptAnswer, Participant

from .builders import correct_positions, make_contest, wrong_positions

pytestmark = pytest.mark.django_db

PHONE = "0912 345 678"


@pytest.fixture
def contest(site_tree):
    return make_contest(site_tree.home, questions=8, per_attempt=4, multiple_every=4)


def form_data(**extra):
    data = {
        "full_name": "Trần Thị Bình", "phone": PHONE, "birth_year": "1990", "zone": "",
        "unit": "Trường Tiểu học Chí Minh", "consent_rules": "on", "consent_personal_data": "on",
        "website": "",
    }
    data.update(extra)
    return data


def csrf_from(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def register(client, contest, **extra):
    url = contest.url + "dang-ky/"
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, {**form_data(**extra), "csrfmiddlewaretoken": csrf_from(page)})


def start(client, contest, **extra):
    response = register(client, contest, **extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    signed = response["Location"].rstrip("/").rsplit("/", 1)[1]
    return response["Location"], services.attempt_from_token(signed)


def answer_post(client, attempt_url, answers, prediction="5", **extra):
    page = client.get(attempt_url)
    data = {"csrfmiddlewaretoken": csrf_from(page), "prediction": prediction, **extra}
    for question_id, positions in answers.items():
        data[f"q{question_id}"] = [str(p) for p in positions]
    return client.post(attempt_url, data)


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)


def test_resident_registers_answers_submits_and_sees_the_result(client, contest):
    home = client.get(contest.url)
    assert "Đăng ký và vào thi" in home.content.decode()
    attempt_url, attempt = start(client, contest)

    page = client.get(attempt_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="quiz-question"') == 4
    assert 'name="prediction"' in html and "contests/quiz.js" in html
    assert "<script>" not in html  # the site's CSP allows no inline script
    # Correctness never reaches the browser before submission, nor do choice ids.
    assert "đáp án đúng" not in html.lower()
    values = re.findall(r'name="q\d+" value="([^"]*)"', html)
    assert len(values) == 16 and set(values) == {"0", "1", "2", "3"}

    response = answer_post(client, attempt_url, correct_positions(attempt), prediction="12")
    assert response.status_code == 302 and "/ket-qua/" in response["Location"]
    result = client.get(response["Location"])
    text = result.content.decode()
    assert result.status_code == 200
    assert "4/4" in text and "(đáp án đúng)" in text and "Giải thích câu" in text
    attempt.refresh_from_db()
    assert (attempt.score, attempt.all_correct, attempt.prediction) == (4, True, 12)
    participant = Participant.objects.get()
    assert (participant.phone, participant.unit) == ("0912345678", "Trường Tiểu học Chí Minh")
    # Coming back to the attempt's address after submitting shows the result, not the form.
    assert client.get(attempt_url)["Location"] == response["Location"]


def test_registration_refuses_missing_consent_and_bad_phone_in_vietnamese(client, contest):
    response = register(client, contest, consent_personal_data="", phone="12345", unit="")
    text = response.content.decode()
    assert response.status_code == 400
    assert "Cần đồng ý việc sử dụng dữ liệu cá nhân để dự thi." in text
    assert "Số điện thoại không hợp lệ" in text
    assert "Vui lòng chọn thôn / tổ dân phố hoặc ghi tên đơn vị." in text
    assert not Participant.objects.exists()


def test_registration_with_a_hamlet_from_the_list(client, contest, site_tree):
    zone = site_tree.zones["thon-dong"]
    _url, attempt = start(client, contest, zone=str(zone.pk), unit="")
    assert attempt.participant.place == "Thôn Đông"


def test_a_form_posted_without_its_csrf_token_is_refused(client, contest):
    response = client.post(contest.url + "dang-ky/", form_data())
    assert response.status_code == 403
    assert not Participant.objects.exists()


def test_the_honeypot_field_stops_a_bot(client, contest):
    response = register(client, contest, website="http://spam.example")
    assert response.status_code == 400
    assert not Participant.objects.exists()
    assert not Attempt.objects.exists()


def test_one_attempt_per_phone_per_round_by_default(client, contest):
    attempt_url, attempt = start(client, contest)
    # Registering again before submitting hands back the same open attempt.
    again_url, again = start(client, contest, full_name="Trần Thị Bình")
    assert again.pk == attempt.pk and again_url == attempt_url
    answer_post(client, attempt_url, wrong_positions(attempt))
    refused = register(client, contest, phone="+84912345678")
    assert refused.status_code == 403
    assert "đã dùng hết 1 lượt thi" in refused.content.decode()
    assert Attempt.objects.count() == 1


def test_a_round_allowing_two_attempts_allows_exactly_two(client, site_tree):
    contest = make_contest(site_tree.home, attempts=2, slug="thi-hai-luot")
    for _ in range(2):
        url, attempt = start(client, contest)
        assert answer_post(client, url, wrong_positions(attempt)).status_code == 302
    refused = register(client, contest)
    assert refused.status_code == 403 and "đã dùng hết 2 lượt thi" in refused.content.decode()


def test_an_answer_past_the_time_limit_is_refused(client, contest):
    attempt_url, attempt = start(client, contest)
    page = client.get(attempt_url)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - dt.timedelta(seconds=30)
    )
    data = {"csrfmiddlewaretoken": csrf_from(page), "prediction": "3"}
    response = client.post(attempt_url, data)
    assert response.status_code == 403
    assert "Đã hết thời gian làm bài" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.timed_out and attempt.score == 0
    assert not AttemptAnswer.objects.exists()
    # A timed-out attempt is spent: the default single attempt is used up.
    assert register(client, contest).status_code == 403


def test_an_answer_within_the_grace_after_the_timer_is_accepted(client, contest):
    attempt_url, attempt = start(client, contest)
    page = client.get(attempt_url)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - dt.timedelta(seconds=2)
    )
    # The browser's timer submitted for the resident: no guess typed, still accepted.
    data = {"csrfmiddlewaretoken": csrf_from(page), "prediction": "", "auto": "1"}
    response = client.post(attempt_url, data)
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.submitted_at and not attempt.timed_out and attempt.prediction is None


def test_an_answer_after_the_round_ended_is_refused(client, contest):
    attempt_url, attempt = start(client, contest)
    page = client.get(attempt_url)
    past = timezone.now() - dt.timedelta(minutes=1)
    contest.rounds.update(ends_at=past)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=past)
    response = client.post(attempt_url, {"csrfmiddlewaretoken": csrf_from(page), "prediction": "1"})
    assert response.status_code == 403
    assert "Đợt thi đã kết thúc" in response.content.decode()
    assert client.get(contest.url + "dang-ky/").status_code == 403


def test_registering_when_no_round_is_open_says_so(client, contest):
    contest.rounds.update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.get(contest.url + "dang-ky/")
    assert response.status_code == 403
    assert "Hiện không có đợt thi nào đang mở." in response.content.decode()


def test_a_tampered_token_is_refused(client, contest):
    attempt_url, attempt = start(client, contest)
    signed = attempt_url.rstrip("/").rsplit("/", 1)[1]
    value, signature = signed[:32], signed[32:]
    other = Attempt.objects.create(
        site_id=attempt.site_id, participant=attempt.participant, round=attempt.round,
        deadline=attempt.deadline, submitted_at=timezone.now(),
    )
    forged = [
        # another attempt's token under this one's signature
        other.token.hex + signature,
        value[:-1] + ("0" if value[-1] != "0" else "1") + signature,
        value + signature[:-2] + "xx",
        value,  # unsigned
        "khong-co-chu-ky",
    ]
    for token in forged:
        response = client.get(f"{contest.url}lam-bai/{token}/")
        assert response.status_code == 400, token
        assert "không hợp lệ" in response.content.decode()


def test_tampered_question_ids_and_options_are_refused_and_nothing_is_recorded(client, contest):
    attempt_url, attempt = start(client, contest)
    foreign = contest.questions.exclude(id__in=attempt.question_ids).first()
    first = attempt.question_ids[0]
    tamperings = [
        {foreign.pk: [0]},  # a question of the bank not drawn for this attempt
        {999_999: [0]},  # no such question
        {first: [7]},  # an option position that does not exist
        {first: [0, 1]} if contest.questions.get(pk=first).kind == "mot" else {first: [-1]},
    ]
    for answers in tamperings:
        response = answer_post(client, attempt_url, answers)
        assert response.status_code == 400, answers
        assert "bị từ chối" in response.content.decode() or "chỉ được chọn một" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    assert not AttemptAnswer.objects.exists()
    # The genuine submission still goes through afterwards.
    assert answer_post(client, attempt_url, correct_positions(attempt)).status_code == 302


def test_a_second_submission_is_refused(client, contest):
    attempt_url, attempt = start(client, contest)
    page = client.get(attempt_url)
    token = csrf_from(page)
    assert client.post(attempt_url, {"csrfmiddlewaretoken": token, "prediction": "1"}).status_code == 302
    # The form re-sent from the browser's history.
    with pytest.raises(services.AlreadySubmitted):
        services.attempt_submit(attempt=attempt, answers={}, prediction=2)
    attempt.refresh_from_db()
    assert attempt.prediction == 1


def test_a_missing_guess_keeps_the_answers_chosen(client, contest):
    attempt_url, attempt = start(client, contest)
    answers = correct_positions(attempt)
    response = answer_post(client, attempt_url, answers, prediction="")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Vui lòng dự đoán số người trả lời đúng tất cả câu hỏi." in html
    first = attempt.question_ids[0]
    assert re.search(rf'name="q{first}" value="{answers[first][0]}" checked', html)


def test_registrations_from_one_address_are_rate_limited(client, contest, settings):
    settings.CONTESTS_RATE_LIMITS = {"register_ip": (2, 600)}
    for n in range(2):
        assert register(client, contest, phone=f"09123450{n:02d}").status_code == 302
    response = register(client, contest, phone="0912345099")
    assert response.status_code == 429
    assert "quá nhiều lượt đăng ký" in response.content.decode()


def test_a_judged_competition_has_no_quiz_registration(client, contest):
    contest.kind = contest.Kind.JUDGED
    contest.save_revision().publish()
    response = client.get(contest.url + "dang-ky/")
    assert response.status_code == 404
    assert "không thi trắc nghiệm" in response.content.decode()
