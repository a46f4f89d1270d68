"""The quiz API (``/api/contests/v1/``) end to end over HTTP: list, register, start, submit,
result; refusals as ``{code, message}`` with their status; rate limits; the OpenAPI document
answering on every path it lists (issue 11, item 4)."""

import datetime as dt
import re

import httpx
import pytest
from django.test import override_settings
from django.utils import timezone

from content_types.snippets import Zone
from contests import services
from contests.models import Attempt, AttemptAnswer, Choice, ContestRound, Participant

from .builders import make_contest

pytestmark = pytest.mark.django_db
API = "/api/contests/v1"
PERSON = {
    "full_name": "Trần Thị Bình", "phone": "0987 654 321", "birth_year": 1990, "unit": "Tổ 3",
    "consent_rules": True, "consent_personal_data": True,
}


def post(client, path, body):
    return client.post(f"{API}{path}", body, content_type="application/json")


def start(client, contest, person=None):
    registered = post(client, f"/contests/{contest.pk}/register", person or PERSON)
    assert registered.status_code == 201, registered.json()
    round = contest.rounds.get()
    started = post(client, f"/rounds/{round.pk}/attempts",
                   {"participant_token": registered.json()["participant_token"]})
    assert started.status_code == 201, started.json()
    return started.json()


def right_answers(state) -> dict:
    """What a perfect player sends: looks the options' texts up (the API never says which)."""
    answers = {}
    for question in state["questions"]:
        correct = set(
            Choice.objects.filter(question_id=question["id"], is_correct=True)
            .values_list("text", flat=True)
        )
        answers[str(question["id"])] = [o["key"] for o in question["options"] if o["text"] in correct]
    return answers


def test_resident_takes_the_quiz_through_the_api(client, site_tree):
    contest = make_contest(site_tree.home, questions=6, per_attempt=4, multiple_every=3)
    listed = client.get(f"{API}/contests").json()["contests"]
    assert [c["id"] for c in listed] == [contest.pk]
    assert listed[0]["rounds"][0]["is_open"] is True
    detail = client.get(f"{API}/contests/{contest.pk}").json()
    assert "Mỗi số điện thoại" in detail["rules_html"]

    state = start(client, contest)
    assert state["status"] == "open" and len(state["questions"]) == 4
    assert 290 <= state["remaining_seconds"] <= 300
    body = str(state)
    # Neither correctness nor choice ids go to the player before submission.
    assert "is_correct" not in body and "correct" not in body
    for question in state["questions"]:
        assert {o["key"] for o in question["options"]} == {0, 1, 2, 3}
        assert not any(set(o) - {"key", "label", "text"} for o in question["options"])

    submitted = post(client, f"/attempts/{state['token']}/submit",
                     {"answers": right_answers(state), "prediction": 12})
    assert submitted.status_code == 200, submitted.json()
    result = submitted.json()
    assert (result["score"], result["max_score"], result["all_correct"]) == (4, 4, True)
    assert result["prediction"] == 12
    assert "review" not in result  # the hot path answers the score; the review is one GET away
    review = client.get(f"{API}/attempts/{state['token']}/result").json()
    assert review["score"] == 4 and all(item["is_correct"] for item in review["review"])
    assert client.get(f"{API}/attempts/{state['token']}").json()["status"] == "submitted"
    assert AttemptAnswer.objects.count() == 4


def test_list_shows_only_live_quizzes_with_coming_rounds(client, site_tree, django_assert_num_queries):
    live = make_contest(site_tree.home, slug="dang-mo")
    soon = make_contest(site_tree.home, slug="sap-mo", starts=timezone.now() + dt.timedelta(days=2),
                        ends=timezone.now() + dt.timedelta(days=9))
    past = make_contest(site_tree.home, slug="da-xong", starts=timezone.now() - dt.timedelta(days=9),
                        ends=timezone.now() - dt.timedelta(days=2))
    draft = make_contest(site_tree.home, slug="nhap")
    draft.unpublish()
    assert past.pk and draft.pk
    client.get(f"{API}/contests")  # warm Site lookup caches
    # Site, view restrictions, contests, their rounds: the same for any number of contests.
    with django_assert_num_queries(4):
        listed = client.get(f"{API}/contests").json()["contests"]
    assert {c["id"] for c in listed} == {live.pk, soon.pk}
    assert [r["is_open"] for c in listed for r in c["rounds"] if c["id"] == soon.pk] == [False]


def test_errors_carry_the_code_vietnamese_message_and_status(client, site_tree):
    contest = make_contest(site_tree.home)
    bad_phone = post(client, f"/contests/{contest.pk}/register", {**PERSON, "phone": "12345"})
    assert bad_phone.status_code == 400
    assert bad_phone.json()["code"] == "invalid"
    assert "Số điện thoại không hợp lệ" in bad_phone.json()["fields"]["phone"][0]
    no_consent = post(client, f"/contests/{contest.pk}/register",
                      {**PERSON, "consent_personal_data": False})
    assert no_consent.json()["fields"]["consent_personal_data"] == [
        "Cần đồng ý việc sử dụng dữ liệu cá nhân để dự thi."
    ]
    assert client.get(f"{API}/contests/999999").json() == {
        "code": "not_found", "message": "Không tìm thấy cuộc thi hoặc đợt thi này."
    }
    tampered = client.get(f"{API}/attempts/abc:def")
    assert (tampered.status_code, tampered.json()["code"]) == (400, "bad_token")
    assert "bị sửa đổi" in tampered.json()["message"]
    garbage = client.post(f"{API}/contests/{contest.pk}/register", "{nope",
                          content_type="application/json")
    assert (garbage.status_code, garbage.json()["code"]) == (400, "bad_request")
    wrong_method = client.delete(f"{API}/contests")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")
    unknown = client.get(f"{API}/khong-co")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")


def test_tampered_question_ids_and_resubmission_are_refused(client, site_tree):
    contest = make_contest(site_tree.home, questions=6, per_attempt=3)
    state = start(client, contest)
    drawn = {q["id"] for q in state["questions"]}
    foreign = next(pk for pk in contest.questions.values_list("id", flat=True) if pk not in drawn)
    refused = post(client, f"/attempts/{state['token']}/submit",
                   {"answers": {str(foreign): [0]}, "prediction": 3})
    assert (refused.status_code, refused.json()["code"]) == (400, "bad_answer")
    out_of_range = post(client, f"/attempts/{state['token']}/submit",
                        {"answers": {str(min(drawn)): [9]}, "prediction": 3})
    assert out_of_range.json()["code"] == "bad_answer"
    not_a_list = post(client, f"/attempts/{state['token']}/submit", {"answers": {"1": 2}})
    assert not_a_list.json()["code"] == "bad_answer"
    assert client.get(f"{API}/attempts/{state['token']}/result").status_code == 409
    ok = post(client, f"/attempts/{state['token']}/submit", {"answers": {}, "prediction": 3})
    assert ok.status_code == 200
    again = post(client, f"/attempts/{state['token']}/submit", {"answers": {}, "prediction": 3})
    assert (again.status_code, again.json()["code"]) == (409, "already_submitted")


def test_attempt_limit_and_late_submission(client, site_tree):
    contest = make_contest(site_tree.home, time_limit=60)
    state = start(client, contest)
    # Starting again while the attempt is open hands back the same attempt.
    assert start(client, contest)["token"] == state["token"]
    attempt = Attempt.objects.get()
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.started_at - dt.timedelta(minutes=5),
        deadline=attempt.deadline - dt.timedelta(minutes=5),
    )
    late = post(client, f"/attempts/{state['token']}/submit", {"answers": {}, "prediction": 1})
    assert (late.status_code, late.json()["code"]) == (403, "attempt_expired")
    assert "Đã hết thời gian làm bài" in late.json()["message"]
    registered = post(client, f"/contests/{contest.pk}/register", PERSON).json()
    limit = post(client, f"/rounds/{contest.rounds.get().pk}/attempts",
                 {"participant_token": registered["participant_token"]})
    assert (limit.status_code, limit.json()["code"]) == (403, "attempt_limit")


def test_closed_round_refuses_start(client, site_tree):
    contest = make_contest(site_tree.home)
    ContestRound.objects.update(starts_at=timezone.now() + dt.timedelta(days=1),
                                ends_at=timezone.now() + dt.timedelta(days=3))
    registered = post(client, f"/contests/{contest.pk}/register", PERSON).json()
    refused = post(client, f"/rounds/{contest.rounds.get().pk}/attempts",
                   {"participant_token": registered["participant_token"]})
    assert (refused.status_code, refused.json()["code"]) == (403, "round_not_open")
    assert "chưa bắt đầu" in refused.json()["message"]


def test_participant_token_is_signed(client, site_tree):
    contest = make_contest(site_tree.home)
    token = post(client, f"/contests/{contest.pk}/register", PERSON).json()["participant_token"]
    pk, rest = token.split(":", 1)
    forged = f"{int(pk) + 1}:{rest}"
    refused = post(client, f"/rounds/{contest.rounds.get().pk}/attempts",
                   {"participant_token": forged})
    assert (refused.status_code, refused.json()["code"]) == (400, "bad_token")


def test_registration_with_a_zone_by_id(client, site_tree):
    contest = make_contest(site_tree.home)
    zone = Zone.objects.create(name="Thôn Bắc", code="thon-bac-api")
    zones = client.get(f"{API}/contests/{contest.pk}").json()["zones"]
    assert {"id": zone.pk, "name": "Thôn Bắc"} in zones
    response = post(client, f"/contests/{contest.pk}/register", {**PERSON, "unit": "", "zone": zone.pk})
    assert response.json()["participant"]["place"] == "Thôn Bắc"
    assert response.json()["participant"]["masked_phone"] == "098****321"
    assert Participant.objects.get().zone == zone


@override_settings(CONTESTS_RATE_LIMITS={"register_ip": (100, 600), "register_phone": (2, 600),
                                         "submit_ip": (1, 60)})
def test_rate_limits_per_phone_and_per_ip(client, site_tree):
    contest = make_contest(site_tree.home)
    for _ in range(2):
        assert post(client, f"/contests/{contest.pk}/register", PERSON).status_code == 201
    limited = post(client, f"/contests/{contest.pk}/register", PERSON)
    assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
    assert limited["Retry-After"] == "600"
    other = post(client, f"/contests/{contest.pk}/register", {**PERSON, "phone": "0912000111"})
    assert other.status_code == 201
    post(client, "/attempts/x:y/submit", {"answers": {}})
    second = post(client, "/attempts/x:y/submit", {"answers": {}})
    assert (second.status_code, second.json()["code"]) == (429, "rate_limited")


@override_settings(CONTESTS_RATE_LIMITS={"register_ip": (2, 600)})
def test_rate_limit_per_ip_uses_the_trusted_proxy_address(client, site_tree):
    contest = make_contest(site_tree.home)
    statuses = [
        post(client, f"/contests/{contest.pk}/register", {**PERSON, "phone": f"091200011{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]


def test_every_path_of_the_openapi_document_answers(client, site_tree):
    contest = make_contest(site_tree.home)
    document = client.get(f"{API}/openapi.json").json()
    assert document["openapi"].startswith("3.")
    state = start(client, contest)
    values = {"contest_id": contest.pk, "round_id": contest.rounds.get().pk, "token": state["token"]}
    bodies = {
        "/contests/{contest_id}/register": {**PERSON, "phone": "0912555666"},
        "/rounds/{round_id}/attempts": {"participant_token": "x"},
        "/attempts/{token}/submit": {"answers": {}, "prediction": 1},
    }
    assert len(document["paths"]) == 8
    for template, operations in document["paths"].items():
        path = re.sub(r"\{(\w+)\}", lambda m: str(values[m[1]]), template)
        for method, operation in operations.items():
            if method == "get":
                response = client.get(f"{API}{path}")
            else:
                response = post(client, path, bodies[template])
            documented = set(operation["responses"])
            assert str(response.status_code) in documented, (method, template, response.status_code)
            assert response["Content-Type"] == "application/json"
            if response.status_code >= 400:
                assert response.json()["code"] in document["components"]["schemas"]["Error"][
                    "properties"]["code"]["enum"]


@pytest.mark.django_db(transaction=True)
def test_quiz_over_a_real_http_server(live_server, site_tree):
    """The same flow against a live server, as a Zalo mini app would call it."""
    contest = make_contest(site_tree.home, questions=5, per_attempt=5)
    with httpx.Client(base_url=f"{live_server.url}{API}", timeout=10) as http:
        token = http.post(f"/contests/{contest.pk}/register", json=PERSON).json()["participant_token"]
        state = http.post(f"/rounds/{contest.rounds.get().pk}/attempts",
                          json={"participant_token": token}).json()
        result = http.post(f"/attempts/{state['token']}/submit",
                           json={"answers": right_answers(state), "prediction": 0}).json()
        assert result["score"] == 5
        # No CSRF token, no cookie: the signed token is the credential.
        assert "set-cookie" not in {k.lower() for k in http.get("/contests").headers}
    assert services.attempt_from_token(state["token"]).score == 5
