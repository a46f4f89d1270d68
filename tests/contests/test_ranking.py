"""The ranking of a round (issue 11, item 5): score, then the guess's distance from the real
number of all-correct entrants, then time taken, then submission time; best attempt per person."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from contests import services
from contests.selectors import all_correct_count, ranking_for_round

from .builders import correct_positions, make_contest, wrong_positions

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest(site_tree):
    return make_contest(site_tree.home, questions=4, per_attempt=4, attempts=2)


def enter(contest, name, phone, *, right, prediction, seconds, submitted_offset=0, base=None):
    """One attempt: ``right`` questions answered correctly, taking ``seconds``."""
    participant = services.participant_register(
        contest=contest, full_name=name, phone=phone, birth_year=1980, unit="Thôn Đông",
        consent_rules=True, consent_personal_data=True,
    )
    round = contest.rounds.get()
    start = (base or timezone.now()) + dt.timedelta(seconds=submitted_offset)
    attempt = services.attempt_start(participant=participant, round=round, now=start)
    good, bad = correct_positions(attempt), wrong_positions(attempt)
    answers = {q: (good[q] if n < right else bad[q]) for n, q in enumerate(attempt.question_ids)}
    services.attempt_submit(
        attempt=attempt, answers=answers, prediction=prediction,
        now=start + dt.timedelta(seconds=seconds),
    )
    return attempt


def test_ranking_breaks_ties_on_score_then_prediction_then_time(contest):
    base = timezone.now() - dt.timedelta(hours=1)
    # Three people answer all four right: the real count is 3.
    enter(contest, "Chính Xác Chậm", "0900000001", right=4, prediction=3, seconds=200, base=base)
    enter(contest, "Đoán Xa", "0900000002", right=4, prediction=10, seconds=20, base=base)
    enter(contest, "Chính Xác Nhanh", "0900000003", right=4, prediction=3, seconds=100, base=base)
    # Same score and guess distance (2 and 4 are both 1 away from 3) and same time: the earlier
    # submission wins.
    enter(contest, "Ba Câu Sớm", "0900000004", right=3, prediction=2, seconds=50, base=base)
    enter(contest, "Ba Câu Muộn", "0900000005", right=3, prediction=4, seconds=50, base=base,
          submitted_offset=60)
    enter(contest, "Hai Câu", "0900000006", right=2, prediction=3, seconds=5, base=base)
    enter(contest, "Không Đoán", "0900000007", right=3, prediction=None, seconds=1, base=base)

    round = contest.rounds.get()
    assert all_correct_count(round) == 3
    ranking = ranking_for_round(round)
    assert [row.full_name for row in ranking] == [
        "Chính Xác Nhanh", "Chính Xác Chậm", "Đoán Xa", "Ba Câu Sớm", "Ba Câu Muộn", "Không Đoán",
        "Hai Câu",
    ]
    assert [row.rank for row in ranking] == list(range(1, 8))
    assert ranking[0].distance == 0 and ranking[2].distance == 7
    assert ranking[0].prize == "Giải Nhất" and ranking[1].prize == "Giải Nhì"
    assert ranking[3].prize == "Giải Ba" and ranking[6].prize == "Giải Khuyến khích"
    assert ranking_for_round(round, limit=2) == ranking[:2]
    # Submission times come back aware, like the ORM's (exports turn them into local time).
    assert all(row.submitted_at.utcoffset() is not None for row in ranking)


def test_only_each_persons_best_attempt_counts(contest):
    base = timezone.now() - dt.timedelta(hours=1)
    enter(contest, "Hai Lượt", "0900000011", right=1, prediction=1, seconds=10, base=base)
    enter(contest, "Hai Lượt", "0900000011", right=4, prediction=1, seconds=90, base=base,
          submitted_offset=300)
    enter(contest, "Một Lượt", "0900000012", right=4, prediction=1, seconds=60, base=base)
    ranking = ranking_for_round(contest.rounds.get())
    assert [(row.full_name, row.score) for row in ranking] == [("Một Lượt", 4), ("Hai Lượt", 4)]
    # Both people answered everything right in some attempt: the real count is 2, not 3.
    assert all_correct_count(contest.rounds.get()) == 2


def test_timed_out_attempts_are_not_entries(contest):
    participant = services.participant_register(
        contest=contest, full_name="Quá Giờ", phone="0900000021", birth_year=1970, unit="Thôn Đoài",
        consent_rules=True, consent_personal_data=True,
    )
    attempt = services.attempt_start(participant=participant, round=contest.rounds.get())
    with pytest.raises(services.AttemptExpired):
        services.attempt_submit(
            attempt=attempt, answers={}, prediction=1, now=attempt.deadline + dt.timedelta(minutes=1)
        )
    assert ranking_for_round(contest.rounds.get()) == []


def test_the_ranking_is_two_queries_whatever_the_number_of_entrants(contest, django_assert_num_queries):
    base = timezone.now() - dt.timedelta(hours=1)
    for n in range(12):
        enter(contest, f"Người {n}", f"09000001{n:02d}", right=n % 5, prediction=n, seconds=n + 1,
              base=base)
    round = contest.rounds.get()
    with django_assert_num_queries(2):
        rows = ranking_for_round(round)
    assert len(rows) == 12


def test_the_public_ranking_page_appears_only_once_results_are_published(contest, django_assert_num_queries):
    base = timezone.now() - dt.timedelta(hours=1)
    enter(contest, "Nguyễn Văn Nhất", "0900000031", right=4, prediction=1, seconds=30, base=base)
    round = contest.rounds.get()
    client = Client()
    url = f"{contest.url}xep-hang/{round.pk}/"
    assert client.get(url).status_code == 404
    contest.rounds.update(
        results_published=True, results="<p>Chúc mừng các bạn đoạt giải.</p>",
        prizes_first=1, prizes_second=0, prizes_third=0, prizes_consolation=1,
    )
    for n in range(10):
        enter(contest, f"Người {n}", f"09000002{n:02d}", right=2, prediction=n, seconds=9, base=base)
    # The page's own queries do not grow with the number of rows shown.
    # Site, page route, ancestors, restrictions, rounds (route and context), count, ranking,
    # the site chrome and settings: 16, however many rows.
    with django_assert_num_queries(16):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nguyễn Văn Nhất" in html and "0900000031" not in html
    # Names are published for the prized places only: the guess nearest 1 is "Người 1".
    assert "Người 1<" in html and "Người 5<" not in html
    page = client.get(contest.url).content.decode()
    assert "Chúc mừng các bạn đoạt giải." in page and "Xem bảng xếp hạng" in page
