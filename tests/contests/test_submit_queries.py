"""What one answer submission costs the database (issue 11, Performance to reach): the query
count of the API's submit and of the site's form submit, pinned, and the grade unchanged."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contests import services
from contests.models import Attempt, AttemptAnswer

from .builders import correct_positions, make_contest, wrong_positions

pytestmark = pytest.mark.django_db
API = "/api/contests/v1"


def open_attempt(site_tree):
    contest = make_contest(site_tree.home, questions=8, per_attempt=5, multiple_every=3)
    person = services.participant_register(
        contest=contest, full_name="Lê Văn Cường", phone="0912345678", birth_year=1985,
        consent_rules=True, consent_personal_data=True,
    )
    attempt = services.attempt_start(participant=person, round=contest.rounds.get())
    return contest, attempt, services.attempt_token_sign(attempt)


def write_statements() -> int:
    """PostgreSQL: one statement (the conditional UPDATE and the INSERT of every answer in one
    WITH), its own transaction. SQLite: the UPDATE and one INSERT run for every answer in a
    transaction (its SAVEPOINT and RELEASE here, inside the test's own transaction)."""
    return 1 if connection.vendor == "postgresql" else 4


def test_api_submit_is_two_reads_and_one_write(client, site_tree, django_assert_num_queries):
    contest, attempt, token = open_attempt(site_tree)
    answers = {str(q): p for q, p in correct_positions(attempt).items()}
    first = next(iter(answers))
    answers[first] = wrong_positions(attempt)[int(first)]
    # The attempt with its round; the questions' kinds with their correct choices; the write.
    with django_assert_num_queries(2 + write_statements()):
        response = client.post(f"{API}/attempts/{token}/submit",
                               {"answers": answers, "prediction": 7},
                               content_type="application/json")
    assert response.status_code == 200, response.json()
    assert (response.json()["score"], response.json()["all_correct"]) == (4, False)
    attempt.refresh_from_db()
    assert (attempt.score, attempt.max_score, attempt.prediction) == (4, 5, 7)
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 5
    assert AttemptAnswer.objects.filter(attempt=attempt, is_correct=True).count() == 4


def test_site_form_submit_queries(client, site_tree):
    contest, attempt, token = open_attempt(site_tree)
    url = contest.url + f"lam-bai/{token}/"
    page = client.get(url)
    data = {"csrfmiddlewaretoken": page.cookies["csrftoken"].value, "prediction": "9"}
    for question_id, positions in correct_positions(attempt).items():
        data[f"q{question_id}"] = [str(p) for p in positions]
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, data)
    assert response.status_code == 302
    statements = [q["sql"] for q in ctx.captured_queries]
    # The grading part is the API's: no per-question query, one UPDATE, one INSERT.
    assert sum("UPDATE" in s for s in statements) == 1
    assert sum("INSERT INTO" in s for s in statements) == 1  # one WITH, or one executemany
    assert sum('FROM "contests_choice"' in s for s in statements) == 0
    assert len(statements) == WAGTAIL_ROUTING_QUERIES + 2 + write_statements(), statements
    assert Attempt.objects.get(pk=attempt.pk).score == 5


# Wagtail's routing to the contest page (the site, the page path, view restrictions), then the
# same queries as the API's.
WAGTAIL_ROUTING_QUERIES = 8
