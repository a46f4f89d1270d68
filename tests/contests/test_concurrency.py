"""On PostgreSQL, 200 residents submitting at the same moment: nothing lost, nothing recorded
twice (issue 11, Tests). Each resident's app also fires its start and its submission twice,
racing itself, as a double tap on a slow connection does.

Threads share 64 database connections (PostgreSQL's default ``max_connections`` is 100); every
request goes through the API over Django's full request stack.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client, override_settings

from contests.models import Attempt, AttemptAnswer, Participant

from .builders import make_contest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
API = "/api/contests/v1"
RESIDENTS = 200
WORKERS = 64
LIMITS = {"register_ip": (10_000, 60), "register_phone": (100, 60), "submit_ip": (10_000, 60)}


def _in_thread(job):
    def run(*args):
        try:
            return job(*args)
        finally:
            connection.close()  # each worker thread opened its own connection

    return run


@override_settings(CONTESTS_RATE_LIMITS=LIMITS)
def test_200_concurrent_submissions_lose_and_duplicate_nothing(site_tree):
    contest = make_contest(site_tree.home, questions=8, per_attempt=5)
    round_id = contest.rounds.get().pk

    @_in_thread
    def register_and_start(n):
        client = Client()
        registered = client.post(f"{API}/contests/{contest.pk}/register", {
            "full_name": f"Người thứ {n}", "phone": f"09{n:08d}", "birth_year": 1990,
            "unit": "Tổ 1", "consent_rules": True, "consent_personal_data": True,
        }, content_type="application/json")
        assert registered.status_code == 201, registered.content
        token = registered.json()["participant_token"]
        return [
            client.post(f"{API}/rounds/{round_id}/attempts", {"participant_token": token},
                        content_type="application/json").json()
            for _ in range(2)
        ]

    @_in_thread
    def submit(state):
        answers = {str(q["id"]): [0] for q in state["questions"]}
        response = Client().post(f"{API}/attempts/{state['token']}/submit",
                                 {"answers": answers, "prediction": 7},
                                 content_type="application/json")
        return response.status_code, response.json()

    with ThreadPoolExecutor(WORKERS) as pool:
        starts = list(pool.map(register_and_start, range(RESIDENTS)))
    # Both taps of a resident got the same attempt.
    assert all(first["token"] == second["token"] for first, second in starts)
    assert Participant.objects.filter(contest=contest).count() == RESIDENTS
    assert Attempt.objects.filter(round_id=round_id).count() == RESIDENTS

    jobs = [state for first, _second in starts for state in (first, first)]
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(submit, jobs))
    statuses = sorted(status for status, _body in results)
    assert statuses == [200] * RESIDENTS + [409] * RESIDENTS
    assert {body["code"] for status, body in results if status == 409} == {"already_submitted"}

    attempts = Attempt.objects.filter(round_id=round_id)
    assert attempts.filter(submitted_at__isnull=False).count() == RESIDENTS
    assert AttemptAnswer.objects.filter(attempt__round_id=round_id).count() == RESIDENTS * 5
    # Every recorded score is the one its answers give: no half-written attempt.
    for attempt in attempts.prefetch_related("answers"):
        answers = list(attempt.answers.all())
        assert len(answers) == 5
        assert attempt.score == sum(a.is_correct for a in answers)
        assert attempt.prediction == 7
