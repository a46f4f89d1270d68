"""The contest area attacked as a careless organiser and as an outsider: deletes that would
have been server errors (PROTECT) or lost entrants' results, a contest changing kind under its
entrants, a criterion's maximum lowered under the scores given, a team moved away from its
entry, a team registering after the competition ended, and personal data looked for in the
site's search and the pages API."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contests import services
from contests.judging import services as judging
from contests.judging.models import Criterion, Team
from contests.models import ContestPage, ContestRound, Question
from tests.contests.builders import correct_positions, make_contest
from tests.contests.test_judging import TEAM, close, csrf_from, make_entry, make_judged
from tests.workflows.helpers import make_user
from workflows import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    client = Client()
    client.force_login(make_user("quantri", roles.ADMINISTRATOR, superuser=True))
    return client


@pytest.fixture
def entered_quiz(site_tree):
    contest = make_contest(site_tree.home, questions=3, per_attempt=3)
    participant = services.participant_register(
        contest=contest, full_name="Phạm Thị Riêng Tư", phone="0987000111", birth_year=1970,
        unit="Hội Phụ nữ", consent_rules=True, consent_personal_data=True,
    )
    attempt = services.attempt_start(participant=participant, round=contest.rounds.get())
    services.attempt_submit(attempt=attempt, answers=correct_positions(attempt), prediction=3)
    return contest, attempt


def test_an_entered_contest_page_is_not_deleted_and_says_why(entered_quiz, admin):
    contest, _attempt = entered_quiz
    for page in (contest, contest.get_parent()):
        url = reverse("wagtailadmin_pages:delete", args=[page.pk])
        response = admin.post(url, follow=True)
        assert response.status_code == 200
        assert "đã có người (hoặc đội) dự thi" in response.content.decode()
    assert ContestPage.objects.filter(pk=contest.pk).exists()
    # In bulk, the same.
    bulk = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    response = admin.post(f"{bulk}?id={contest.pk}", follow=True)
    assert response.status_code == 200
    assert ContestPage.objects.filter(pk=contest.pk).exists()


def test_an_unentered_contest_can_still_be_deleted(site_tree, admin):
    contest = make_contest(site_tree.home, questions=1, per_attempt=1, slug="thu-nghiem")
    response = admin.post(reverse("wagtailadmin_pages:delete", args=[contest.pk]))
    assert response.status_code == 302
    assert not ContestPage.objects.filter(pk=contest.pk).exists()


def test_an_answered_question_is_not_deleted_and_says_why(entered_quiz, admin):
    contest, attempt = entered_quiz
    answered = Question.objects.get(pk=attempt.question_ids[0])
    response = admin.post(reverse("wagtailsnippets_contests_question:delete", args=[answered.pk]), follow=True)
    assert response.status_code == 200
    assert "đã có người trả lời" in response.content.decode()
    bulk = reverse("wagtail_bulk_action", args=["contests", "question", "delete"])
    response = admin.post(f"{bulk}?id={answered.pk}", follow=True)
    assert response.status_code == 200
    assert Question.objects.filter(pk=answered.pk).exists()
    # A question nobody has answered goes.
    spare = Question.objects.create(contest=contest, text="Câu dự phòng")
    assert admin.post(reverse("wagtailsnippets_contests_question:delete", args=[spare.pk])).status_code == 302
    assert not Question.objects.filter(pk=spare.pk).exists()


def test_an_entered_contest_keeps_its_kind(entered_quiz):
    contest, _attempt = entered_quiz
    form_class = ContestPage.get_edit_handler().get_form_class()
    page = ContestPage.objects.get(pk=contest.pk)
    form = form_class(instance=page, for_user=make_user("bientap", roles.EDITOR))
    form.cleaned_data = {"kind": ContestPage.Kind.JUDGED}
    with pytest.raises(Exception, match="không đổi được hình thức thi"):
        form.clean_kind()
    form.cleaned_data = {"kind": ContestPage.Kind.QUIZ}
    assert form.clean_kind() == ContestPage.Kind.QUIZ


def test_a_round_with_judged_entries_cannot_be_removed(site_tree):
    contest = make_judged(site_tree.home)
    entry = make_entry(contest, "Đội Thôn Đông")
    # What the page form checks before a publication would hit PROTECT.
    assert entry.round.judged_entries.exists()
    from contests.deletion import contest_pages_with_entries

    assert contest_pages_with_entries(contest) == [ContestPage.objects.get(pk=contest.pk)]


def test_a_criterion_maximum_cannot_drop_under_given_scores_nor_a_team_leave_its_entry(site_tree, admin):
    contest = make_judged(site_tree.home)
    other = make_judged(site_tree.home, slug="hoi-thi-khac")
    criterion = Criterion.objects.create(contest=contest, name="Nội dung", max_score=10)
    entry = make_entry(contest, "Đội Thôn Đông")
    judging.scores_record(entry=entry, juror=make_user("giamkhao", roles.JURY), values={criterion.pk: ("8.5", "")})
    response = admin.post(reverse("wagtailsnippets_judging_criterion:edit", args=[criterion.pk]), {
        "contest": contest.pk, "name": "Nội dung", "description": "", "weight": "1", "max_score": "5",
        "sort_order": "0",
    })
    assert response.status_code == 200
    assert "Đã có điểm chấm 8.5 cho tiêu chí này" in response.content.decode()
    assert Criterion.objects.get(pk=criterion.pk).max_score == 10
    team = entry.team
    response = admin.post(reverse("wagtailsnippets_judging_team:edit", args=[team.pk]), {
        "contest": other.pk, "name": team.name, "unit": team.unit, "members": team.members,
        "contact_phone": team.contact_phone, "contact_email": "",
    })
    assert response.status_code == 200
    assert "Đội đã nộp bài: không chuyển sang hội thi khác được." in response.content.decode()
    assert Team.objects.get(pk=team.pk).contest_id == contest.pk


def test_no_team_registers_after_the_competition_has_ended(site_tree):
    contest = make_judged(site_tree.home)
    client = Client()
    page = client.get(contest.url)
    close(contest)
    html = client.get(contest.url).content.decode()
    assert "Hội thi đã kết thúc" in html and "Đăng ký đội thi</button>" not in html
    response = client.post(reverse("judging:team_register", args=[contest.pk]),
                           {**TEAM, "csrfmiddlewaretoken": csrf_from(page)})
    assert response.status_code == 403
    assert "không nhận đăng ký đội mới" in response.content.decode()
    assert not Team.objects.exists()


def test_an_upcoming_round_still_takes_registrations(site_tree):
    later = timezone.now() + dt.timedelta(days=3)
    contest = make_judged(site_tree.home, starts=later, ends=later + dt.timedelta(days=2))
    html = Client().get(contest.url).content.decode()
    assert "Chưa mở" in html and "Đăng ký đội thi</button>" in html


def test_personal_data_is_in_no_search_result_nor_the_pages_api(entered_quiz, site_tree):
    contest, _attempt = entered_quiz
    judged = make_judged(site_tree.home)
    entry = make_entry(judged, "Đội Bí Mật")
    Criterion.objects.create(contest=judged, name="Nội dung", max_score=10)
    close(judged)
    ContestRound.objects.filter(page=judged).update(results_published=True)
    client = Client()
    for secret in ("Phạm Thị Riêng Tư", "0987000111", "0912345678", entry.title):
        search = client.get(reverse("search"), {"q": secret}).content.decode()
        assert "Không tìm thấy kết quả nào." in search, secret
    for page in (contest, judged):
        api = client.get(f"/api/v2/pages/{page.pk}/").content.decode()
        assert "0987000111" not in api and "Riêng Tư" not in api and "0912345678" not in api
        listing = client.get("/api/v2/pages/", {"type": "contests.ContestPage", "fields": "*"}).content.decode()
        assert "0987000111" not in listing and "Đội Bí Mật" not in listing
    # The contests API lists quizzes only, and never a person.
    contests_api = client.get("/api/contests/v1/contests").content.decode()
    assert "Riêng Tư" not in contests_api and "Đội Bí Mật" not in contests_api


def test_a_scored_criterion_is_not_deleted(site_tree, admin):
    contest = make_judged(site_tree.home)
    criterion = Criterion.objects.create(contest=contest, name="Nội dung", max_score=10)
    entry = make_entry(contest, "Đội Thôn Đông")
    judging.scores_record(entry=entry, juror=make_user("giamkhao", roles.JURY), values={criterion.pk: ("7", "")})
    response = admin.post(reverse("wagtailsnippets_judging_criterion:delete", args=[criterion.pk]), follow=True)
    assert "Ban giám khảo đã chấm điểm theo tiêu chí này" in response.content.decode()
    assert Criterion.objects.filter(pk=criterion.pk).exists()


def test_an_answered_question_stays_in_its_contest(entered_quiz, site_tree):
    contest, attempt = entered_quiz
    other = make_contest(site_tree.home, questions=1, per_attempt=1, slug="cuoc-thi-khac")
    question = Question.objects.get(pk=attempt.question_ids[0])
    question.contest = other
    with pytest.raises(ValidationError, match="không chuyển sang cuộc thi khác"):
        question.full_clean()


def test_a_contest_with_its_bank_does_not_move_to_another_commune(site_tree, admin, settings):
    from wagtail.models import Site

    from content_types.models import HomePage

    contest = make_contest(site_tree.home, questions=1, per_attempt=1)
    other_home = HomePage(title="Xã bên cạnh", slug="xa-ben-canh")
    site_tree.home.get_parent().add_child(instance=other_home)
    Site.objects.create(hostname="xa-ben-canh.example", port=80, root_page=other_home, site_name="Xã bên cạnh")
    url = reverse("wagtailadmin_pages:move_confirm", args=[contest.pk, other_home.pk])
    response = admin.post(url, follow=True)
    assert "sang trang của xã khác" in response.content.decode()
    contest.refresh_from_db()
    assert contest.get_parent().pk != other_home.pk
