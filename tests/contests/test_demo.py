"""The demo quiz (issue 11, item 8): open, at least 20 questions on the 2026 plan and the rules,
created once however often ``seed_demo`` runs."""

import pytest
from django.test import Client
from wagtail.models import Site

from contests.demo import seed_demo_contest
from contests.models import Choice, ContestPage, Question

pytestmark = pytest.mark.django_db


def test_the_demo_contest_is_open_with_a_bank_of_twenty_questions_and_is_idempotent(site_tree):
    site = Site.objects.get(is_default_site=True)
    contest = seed_demo_contest(site)
    again = seed_demo_contest()
    assert again.pk == contest.pk
    assert ContestPage.objects.count() == 1
    assert contest.live and contest.current_round() is not None
    questions = Question.objects.filter(contest=contest, active=True)
    assert questions.count() >= 20
    assert all(q.site_id == site.pk for q in questions)
    for question in questions:
        right = Choice.objects.filter(question=question, is_correct=True).count()
        assert right >= 1
        assert (right > 1) == (question.kind == Question.Kind.MULTIPLE)
    assert questions.filter(text__contains="49/2024/NĐ-CP").exists()
    assert questions.filter(text__contains="2026").exists()
    page = Client().get(contest.url)
    assert page.status_code == 200 and "Đăng ký và vào thi" in page.content.decode()
