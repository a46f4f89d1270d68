"""The public side of a judged competition (hội thi): its page tells a team what it needs
(rounds with their deadlines, criteria and weights, how to register and submit) without the
quiz's columns, and its results (teams, weighted totals, ranks, prizes) appear only once the
round has closed and the organisers published them through moderation; jurors' own scores never."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from contests.judging import services
from contests.judging.models import Criterion
from contests.models import ContestRound
from tests.contests.test_judging import close, make_entry, make_judged
from tests.workflows.helpers import make_user
from workflows import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest(site_tree):
    return make_judged(site_tree.home)


@pytest.fixture
def criteria(contest):
    return [
        Criterion.objects.create(contest=contest, name="Nội dung tuyên truyền", description="Đúng chủ trương",
                                 weight=Decimal("2"), max_score=10, sort_order=1),
        Criterion.objects.create(contest=contest, name="Hình thức thể hiện", weight=Decimal("1.5"),
                                 max_score=20, sort_order=2),
    ]


def publish_results(contest, text="<p>Ban tổ chức công bố kết quả vòng sơ khảo.</p>"):
    """What an editor does in the admin and the workflow approves: a new revision, published."""
    page = contest.specific
    rounds = list(page.rounds.all())
    rounds[0].results_published, rounds[0].results = True, text
    page.rounds = rounds
    page.save_revision().publish()
    return ContestRound.objects.get(pk=rounds[0].pk)


def test_judged_page_shows_deadlines_criteria_and_how_to_take_part_not_quiz_columns(contest, criteria):
    html = Client().get(contest.url).content.decode()
    round = contest.rounds.get()
    assert "Các vòng thi và hạn nộp bài" in html
    assert "Hạn nộp bài" in html and timezone.localtime(round.ends_at).strftime("%H:%M %d/%m/%Y") in html
    assert "Đang nhận bài" in html
    assert "Nội dung tuyên truyền" in html and "Đúng chủ trương" in html
    assert "Hình thức thể hiện" in html and "1,5" in html and ">20<" in html
    assert "Cách đăng ký và nộp bài" in html and "đường dẫn nộp bài riêng" in html
    assert "tối đa 20 MB" in html and "youtube.com" in html
    # The quiz's columns make no sense for a judged round.
    for quiz_only in ("Số câu", "Lượt thi mỗi số điện thoại", "Đăng ký và vào thi"):
        assert quiz_only not in html


def score(entry, juror, criteria, values):
    services.scores_record(entry=entry, juror=juror, values={
        c.pk: (str(v), "NHAN-XET-RIENG") for c, v in zip(criteria, values, strict=True)
    })


@pytest.fixture
def scored(contest, criteria):
    a = make_user("giamkhao_a", roles.JURY)
    b = make_user("giamkhao_b", roles.JURY)
    now = timezone.now()
    first = make_entry(contest, "Đội Thôn Đông", at=now - dt.timedelta(hours=2))
    second = make_entry(contest, "Đội Thôn Đoài", at=now - dt.timedelta(hours=1))
    score(first, a, criteria, (9, 17))   # averages 8.5, 16.5 -> 2*8.5 + 1.5*16.5 = 41.75
    score(first, b, criteria, (8, 16))
    score(second, a, criteria, (7.25, 10))  # 7.25, 10 -> 14.5 + 15 = 29.5
    return first, second


def test_results_appear_only_after_close_and_publication(contest, scored):
    ranking_url = contest.url + f"xep-hang/{contest.rounds.get().pk}/"
    client = Client()
    assert client.get(ranking_url).status_code == 404
    # Published while the round is still open: the jury is still scoring, nothing shows.
    round = publish_results(contest)
    assert round.results_published
    response = client.get(ranking_url)
    assert response.status_code == 404
    assert "chưa được công bố" in response.content.decode()
    page_html = client.get(contest.url).content.decode()
    assert "Xem kết quả và xếp hạng các đội" not in page_html
    close(contest)
    page_html = client.get(contest.url).content.decode()
    assert "Xem kết quả và xếp hạng các đội" in page_html and "Đã hết hạn nộp bài" in page_html
    response = client.get(ranking_url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Đội Thôn Đông") < html.index("Đội Thôn Đoài")
    assert "41,75" in html and "29,50" in html
    assert "Giải Nhất" in html and "Giải Nhì" in html
    assert "Ban tổ chức công bố kết quả vòng sơ khảo." in html
    # No juror's own score, comment or name reaches the public page.
    for private in ("7,25", "7.25", "8,50", "16,50", "NHAN-XET-RIENG", "giamkhao", "0912345678"):
        assert private not in html


def test_closed_but_unpublished_results_stay_private(contest, scored):
    close(contest)
    ranking_url = contest.url + f"xep-hang/{contest.rounds.get().pk}/"
    assert Client().get(ranking_url).status_code == 404
    # A draft revision with the results ticked is not publication: moderation has not approved.
    page = contest.specific
    rounds = list(page.rounds.all())
    rounds[0].results_published = True
    page.rounds = rounds
    page.save_revision()
    assert Client().get(ranking_url).status_code == 404


def test_a_judged_contest_previews_before_its_first_save(contest):
    """Regression: the preview of a new judged contest read its criteria without a primary key."""
    from contests.models import ContestPage

    now = timezone.now()
    for kind in ContestPage.Kind.values:
        page = ContestPage(title="Cuộc thi mới", slug=f"moi-{kind}", kind=kind)
        page.rounds = [ContestRound(title="Vòng 1", starts_at=now, ends_at=now + dt.timedelta(days=3))]
        page.set_url_path(contest.get_parent())
        response = page.make_preview_request()
        assert response.status_code == 200, kind
        assert "Vòng 1" in response.content.decode()
