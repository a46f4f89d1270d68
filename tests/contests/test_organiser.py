"""The organisers' side in the admin (issue 11, item 5): a round's ranking, picking winners,
XLSX lists only for organisers, participation charts; the bank's upload page (item 2)."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from contests import services
from contests.exports import BANK_COLUMNS
from contests.models import Attempt, Question, Winner
from workflows import roles

from .builders import correct_positions, make_contest

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(django_user_model):
    return django_user_model.objects.create_superuser("bantochuc", "btc@example.vn", "x")


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("bientap", password="x")
    user.groups.add(Group.objects.get(name=roles.EDITOR))
    return user


def refused(response) -> bool:
    """Wagtail answers a refused admin view with a redirect to the dashboard and a message."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def take_part(contest, n, *, right: bool, prediction: int, zone=None):
    participant = services.participant_register(
        contest=contest, full_name=f"Người dự thi {n}", phone=f"09110000{n:02d}", birth_year=1980,
        zone=zone, unit="" if zone else "Trường THCS", consent_rules=True,
        consent_personal_data=True,
    )
    attempt = services.attempt_start(participant=participant, round=contest.rounds.get())
    services.attempt_submit(attempt=attempt, answers=correct_positions(attempt) if right else {},
                            prediction=prediction)
    return participant


@pytest.fixture
def played(site_tree):
    contest = make_contest(site_tree.home, questions=4, per_attempt=4)
    zone = site_tree.zones["thon-dong"]
    people = [take_part(contest, n, right=n < 3, prediction=3 + n, zone=zone if n % 2 else None)
              for n in range(6)]
    return contest, people


def test_ranking_page_lists_the_round_and_its_suggested_prizes(client, organiser, played,
                                                                django_assert_max_num_queries):
    contest, people = played
    client.force_login(organiser)
    url = reverse("contests_admin:round_ranking", args=[contest.rounds.get().pk])
    client.get(url)
    with django_assert_max_num_queries(20):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    # Three answered everything; the one whose guess (3) is nearest the actual count (3) is first.
    assert html.index("Người dự thi 0") < html.index("Người dự thi 1") < html.index("Người dự thi 2")
    assert "Số người trả lời đúng tất cả câu hỏi: 3" in html
    assert "Giải Nhất" in html and "0911000000" in html


def test_organiser_picks_winners_and_they_are_stored(client, organiser, played):
    contest, people = played
    round = contest.rounds.get()
    client.force_login(organiser)
    url = reverse("contests_admin:round_ranking", args=[round.pk])
    response = client.post(url, {f"prize-{people[0].pk}": "nhat", f"prize-{people[2].pk}": "nhi",
                                 f"prize-{people[1].pk}": "", "action": "save"})
    assert response.status_code == 302
    winners = {(w.participant_id, w.prize, w.rank) for w in Winner.objects.all()}
    assert winners == {(people[0].pk, "nhat", 1), (people[2].pk, "nhi", 3)}
    assert Winner.objects.get(prize="nhat").site == contest.get_site()
    client.post(url, {"action": "suggested"})
    prizes = dict(Winner.objects.values_list("participant_id", "prize"))
    assert prizes[people[0].pk] == "nhat" and prizes[people[1].pk] == prizes[people[2].pk] == "nhi"
    assert len(prizes) == 6  # 1 + 2 + 3 places by the round's default counts, six entrants
    ranking = load_workbook(io.BytesIO(client.get(
        reverse("contests_admin:round_export", args=[round.pk, "xep-hang"])).content)).active
    assert list(ranking.values)[1][12] == "Giải Nhất"


def test_exports_need_the_participant_permission(client, editor, organiser, played):
    contest, _ = played
    round = contest.rounds.get()
    client.force_login(editor)
    for kind in ("xep-hang", "bai-lam", "nguoi-du-thi"):
        url = reverse("contests_admin:round_export", args=[round.pk, kind])
        assert refused(client.get(url))
    assert refused(client.get(reverse("contests_admin:round_ranking", args=[round.pk])))
    assert refused(client.get(reverse("contests_admin:dashboard", args=[contest.pk])))
    client.force_login(organiser)
    response = client.get(reverse("contests_admin:round_export", args=[round.pk, "nguoi-du-thi"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert len(list(load_workbook(io.BytesIO(response.content)).active.values)) == 7


def test_organiser_group_with_the_permission_may_export(client, django_user_model, played):
    contest, _ = played
    user = django_user_model.objects.create_user("thuky", password="x")
    user.groups.add(Group.objects.get(name=roles.EDITOR))
    user.user_permissions.add(Permission.objects.get(codename="view_participant"))
    client.force_login(user)
    url = reverse("contests_admin:round_export", args=[contest.rounds.get().pk, "bai-lam"])
    assert client.get(url).status_code == 200
    # Seeing the ranking does not mean awarding prizes.
    ranking = reverse("contests_admin:round_ranking", args=[contest.rounds.get().pk])
    assert refused(client.post(ranking, {"action": "suggested"}))
    assert not Winner.objects.exists()


def test_dashboard_charts_per_day_and_per_hamlet(client, organiser, played):
    contest, _ = played
    yesterday = Attempt.objects.order_by("pk").first()
    Attempt.objects.filter(pk=yesterday.pk).update(submitted_at=yesterday.submitted_at - dt.timedelta(days=2))
    client.force_login(organiser)
    response = client.get(reverse("contests_admin:dashboard", args=[contest.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "6 người đăng ký, 6 người đã nộp bài, 6 lượt thi được tính." in html
    chart = response.context["charts"]
    assert [bar.value for bar in chart["per_day"]["bars"]] == [1, 0, 5]
    assert html.count("<rect ") == 3 and "<script" not in html.split("<svg", 1)[1].split("</svg>")[0]
    places = {bar.label: bar.value for bar in chart["per_place"]}
    assert places == {"Thôn Đông": 3, "Trường THCS": 3}


def test_contest_page_header_links_to_results_and_bank(client, organiser, played):
    contest, _ = played
    client.force_login(organiser)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[contest.pk])).content.decode()
    assert reverse("contests_admin:dashboard", args=[contest.pk]) in html
    assert reverse("contests_admin:bank", args=[contest.pk]) in html
    menu = client.get(reverse("contests_admin:contest_list")).content.decode()
    assert contest.title in menu


def test_bank_upload_shows_row_errors_and_imports_nothing(client, organiser, site_tree):
    contest = make_contest(site_tree.home, questions=2)
    client.force_login(organiser)
    url = reverse("contests_admin:bank", args=[contest.pk])
    download = client.get(reverse("contests_admin:bank_download", args=[contest.pk]))
    assert download.status_code == 200 and "ngan-hang-cau-hoi" in download["Content-Disposition"]
    workbook = Workbook()
    workbook.active.append(BANK_COLUMNS)
    workbook.active.append([None, "Câu mới?", "Một đáp án", "Có", "Không", *[""] * 6, "A", "", "có"])
    workbook.active.append([None, "Câu sai?", "Một đáp án", "Có", "Không", *[""] * 6, "Z", "", "có"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "cau-hoi.xlsx"
    response = client.post(url, {"file": upload})
    assert response.status_code == 400
    assert "Dòng 3, cột “Đáp án đúng”" in response.content.decode()
    assert Question.objects.filter(contest=contest).count() == 2
    upload = io.BytesIO(download.content)
    upload.name = "cau-hoi.xlsx"
    assert client.post(url, {"file": upload}).status_code == 302


def test_only_roles_holding_the_bank_download_the_answers(client, editor, site_tree,
                                                          django_user_model):
    contest = make_contest(site_tree.home, questions=1)
    url = reverse("contests_admin:bank_download", args=[contest.pk])
    reviewer = django_user_model.objects.create_user("nguoiduyet", password="x")
    reviewer.groups.add(Group.objects.get(name=roles.REVIEWER))

    client.force_login(reviewer)
    assert refused(client.get(url))
    client.force_login(editor)  # editors build the bank (contests/0004_contest_roles)
    assert client.get(url).status_code == 200
