"""The contest data model: where contests live in the tree, moderation, the bank, the
database's own guard against a second open attempt, and the services that draw and grade."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import Site

from content_types.models import HomePage, NewsIndexPage
from contests import services
from contests.models import (
    Attempt,
    AttemptAnswer,
    ContestIndexPage,
    ContestPage,
    Participant,
    Question,
)
from workflows import roles
from workflows.permissions import ModeratedPageMixin, ModeratedPagePermissionTester

from .builders import correct_positions, make_contest, wrong_positions

pytestmark = pytest.mark.django_db


def register(contest, phone="0912345678", **extra):
    fields = {
        "full_name": "Nguyễn Văn An", "phone": phone, "birth_year": 1980, "unit": "Thôn Đông",
        "consent_rules": True, "consent_personal_data": True,
    }
    fields.update(extra)
    return services.participant_register(contest=contest, **fields)


def test_contest_pages_sit_under_the_home_page_only():
    assert ContestIndexPage in HomePage.allowed_subpage_models()
    assert ContestPage in ContestIndexPage.allowed_subpage_models()
    assert ContestPage not in NewsIndexPage.allowed_subpage_models()
    assert ContestPage.allowed_parent_page_models() == [ContestIndexPage]


def test_contest_pages_use_the_moderated_publish_rule(site_tree, django_user_model):
    contest = make_contest(site_tree.home)
    assert issubclass(ContestPage, ModeratedPageMixin)
    assert issubclass(ContestIndexPage, ModeratedPageMixin)
    from django.contrib.auth.models import Group

    editor = django_user_model.objects.create_user("bientap-thi", password="x")
    editor.groups.add(Group.objects.get(name=roles.EDITOR))
    tester = contest.permissions_for_user(editor)
    assert isinstance(tester, ModeratedPagePermissionTester)
    assert not tester.can_publish()


def test_question_takes_the_site_of_its_contest(site_tree):
    contest = make_contest(site_tree.home, questions=1)
    question = Question.objects.get(contest=contest)
    assert question.site == Site.objects.get(is_default_site=True)
    assert question.choices.count() == 4


def test_phone_numbers_are_normalised_and_invalid_ones_refused():
    assert services.phone_normalise("+84 912.345.678") == "0912345678"
    assert services.phone_normalise("84912345678") == "0912345678"
    assert services.phone_normalise("0912-345-678") == "0912345678"
    for bad in ("12345", "0012345678", "091234567a", ""):
        with pytest.raises(services.InvalidPhone):
            services.phone_normalise(bad)


def test_registering_twice_with_one_phone_keeps_one_participant(site_tree):
    contest = make_contest(site_tree.home)
    first = register(contest, phone="0912 345 678", ip="10.0.0.1")
    second = register(contest, phone="+84912345678", full_name="Nguyễn Văn Ân")
    assert first.pk == second.pk
    assert Participant.objects.get().full_name == "Nguyễn Văn Ân"
    assert first.ip_hash and "10.0.0.1" not in first.ip_hash
    assert first.site_id == Site.objects.get(is_default_site=True).pk


def test_registration_needs_both_consents(site_tree):
    contest = make_contest(site_tree.home)
    with pytest.raises(services.ContestError):
        register(contest, consent_personal_data=False)
    assert not Participant.objects.exists()


def test_the_database_refuses_a_second_open_attempt_in_a_round(site_tree):
    contest = make_contest(site_tree.home)
    participant = register(contest)
    round = contest.rounds.get()
    attempt = services.attempt_start(participant=participant, round=round)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(
            site_id=attempt.site_id, participant=participant, round=round,
            deadline=attempt.deadline,
        )
    # Once submitted, another attempt row may exist.
    services.attempt_submit(attempt=attempt, answers={}, prediction=1)
    Attempt.objects.create(
        site_id=attempt.site_id, participant=participant, round=round, deadline=attempt.deadline
    )


def test_start_draws_n_of_m_questions_with_shuffled_options(site_tree):
    contest = make_contest(site_tree.home, questions=12, per_attempt=5)
    round = contest.rounds.get()
    drawn_sets, orders = set(), set()
    for n in range(8):
        participant = register(contest, phone=f"09123456{n:02d}")
        attempt = services.attempt_start(participant=participant, round=round)
        assert len(attempt.question_ids) == 5 == len(set(attempt.question_ids))
        assert set(attempt.question_ids) <= set(contest.questions.values_list("id", flat=True))
        drawn_sets.add(tuple(sorted(attempt.question_ids)))
        for question_id, order in attempt.option_order.items():
            question = Question.objects.get(pk=question_id)
            assert sorted(order) == sorted(question.choices.values_list("id", flat=True))
            orders.add(tuple(cid - min(order) for cid in order))
    assert len(drawn_sets) > 1, "every attempt drew the same questions"
    assert len(orders) > 1, "options were never shuffled"


def test_inactive_questions_are_never_drawn(site_tree):
    contest = make_contest(site_tree.home, questions=6, per_attempt=6)
    hidden = Question.objects.filter(contest=contest).first()
    hidden.active = False
    hidden.save()
    attempt = services.attempt_start(participant=register(contest), round=contest.rounds.get())
    assert hidden.pk not in attempt.question_ids
    assert len(attempt.question_ids) == 5


def test_what_the_player_sees_carries_no_correctness_and_no_choice_ids(site_tree):
    contest = make_contest(site_tree.home)
    attempt = services.attempt_start(participant=register(contest), round=contest.rounds.get())
    shown = services.attempt_questions(attempt)
    assert [q["id"] for q in shown] == attempt.question_ids
    for question in shown:
        for option in question["options"]:
            assert set(option) == {"key", "label", "text"}


def test_submit_grades_on_the_server_and_records_every_answer(site_tree):
    contest = make_contest(site_tree.home, questions=6, per_attempt=4, multiple_every=2)
    attempt = services.attempt_start(participant=register(contest), round=contest.rounds.get())
    answers = correct_positions(attempt)
    first_question = attempt.question_ids[0]
    answers[first_question] = wrong_positions(attempt)[first_question]
    later = attempt.started_at + dt.timedelta(seconds=42)
    services.attempt_submit(attempt=attempt, answers=answers, prediction=3, now=later)
    attempt.refresh_from_db()
    assert (attempt.score, attempt.max_score, attempt.all_correct) == (3, 4, False)
    assert attempt.duration_ms == 42_000
    assert attempt.prediction == 3
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 4
    assert AttemptAnswer.objects.get(attempt=attempt, question_id=first_question).is_correct is False


def test_a_multiple_choice_question_needs_every_correct_option(site_tree):
    contest = make_contest(site_tree.home, questions=2, per_attempt=2, multiple_every=1)
    attempt = services.attempt_start(participant=register(contest), round=contest.rounds.get())
    answers = {q: positions[:1] for q, positions in correct_positions(attempt).items()}
    services.attempt_submit(attempt=attempt, answers=answers, prediction=0)
    assert attempt.score == 0


def test_erasing_a_participant_removes_their_entries(site_tree):
    contest = make_contest(site_tree.home)
    participant = register(contest)
    attempt = services.attempt_start(participant=participant, round=contest.rounds.get())
    services.attempt_submit(attempt=attempt, answers=correct_positions(attempt), prediction=0)
    services.participant_erase(participant=participant)
    assert not Participant.objects.exists()
    assert not Attempt.objects.exists()
    assert not AttemptAnswer.objects.exists()


def test_a_round_that_has_not_started_refuses_to_start(site_tree):
    now = timezone.now()
    contest = make_contest(
        site_tree.home, starts=now + dt.timedelta(hours=1), ends=now + dt.timedelta(days=1)
    )
    with pytest.raises(services.RoundNotOpen) as refused:
        services.attempt_start(participant=register(contest), round=contest.rounds.get())
    assert "chưa bắt đầu" in refused.value.message


def test_a_round_must_end_after_it_starts_and_allow_a_question():
    from django.core.exceptions import ValidationError

    from contests.models import ContestRound

    now = timezone.now()
    bad = ContestRound(title="Đợt lỗi", starts_at=now, ends_at=now, questions_per_attempt=0)
    with pytest.raises(ValidationError) as refused:
        bad.clean()
    assert set(refused.value.message_dict) == {"ends_at", "questions_per_attempt"}


def rich_text(html):
    from wagtail.test.utils.form_data import rich_text as draftail

    return draftail(html)


def _round_form(prefix, round, *, delete=False):
    return {
        f"{prefix}-id": str(round.pk), f"{prefix}-ORDER": str(round.sort_order or 0),
        f"{prefix}-DELETE": "on" if delete else "", f"{prefix}-title": round.title,
        f"{prefix}-starts_at": timezone.localtime(round.starts_at).strftime("%Y-%m-%d %H:%M"),
        f"{prefix}-ends_at": timezone.localtime(round.ends_at).strftime("%Y-%m-%d %H:%M"),
        f"{prefix}-questions_per_attempt": str(round.questions_per_attempt),
        f"{prefix}-time_limit_seconds": str(round.time_limit_seconds),
        f"{prefix}-attempts_per_phone": str(round.attempts_per_phone),
        f"{prefix}-prizes_first": "1", f"{prefix}-prizes_second": "2",
        f"{prefix}-prizes_third": "3", f"{prefix}-prizes_consolation": "5",
        f"{prefix}-results": rich_text(""),
    }


def test_the_editor_cannot_remove_a_round_people_have_entered(site_tree, client, django_user_model):
    from contests.models import ContestRound

    contest = make_contest(site_tree.home)
    entered = contest.rounds.get()
    empty = ContestRound(
        page=contest, title="Đợt 2", starts_at=entered.ends_at,
        ends_at=entered.ends_at + dt.timedelta(days=7), sort_order=1,
    )
    empty.save()
    services.attempt_start(participant=register(contest), round=entered)
    client.force_login(django_user_model.objects.create_superuser("quantri-thi", password="x"))

    def post(delete_entered, delete_empty):
        data = {
            "title": contest.title, "slug": contest.slug, "kind": "trac_nghiem",
            "intro": contest.intro, "organiser": "", "rules": rich_text("<p>Thể lệ.</p>"),
            "rounds-TOTAL_FORMS": "2", "rounds-INITIAL_FORMS": "2",
            "rounds-MIN_NUM_FORMS": "1", "rounds-MAX_NUM_FORMS": "1000",
            **_round_form("rounds-0", entered, delete=delete_entered),
            **_round_form("rounds-1", empty, delete=delete_empty),
        }
        return client.post(f"/admin/pages/{contest.pk}/edit/", data)

    refused = post(True, False)
    assert refused.status_code == 200
    assert "Không thể xoá đợt thi “Đợt 1” vì đã có người dự thi." in refused.content.decode()
    allowed = post(False, True)
    assert allowed.status_code == 302, allowed.content.decode()[:3000]
