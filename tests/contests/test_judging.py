"""Judged competitions (hội thi) over HTTP: a team registers and submits through its secret
link while the round is open (late entries refused); jurors score only their own rows and see
nobody else's before the round closes; after it, averages per criterion, weighted totals and
the ranking; other roles get 403 (issue 11, item 6)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contests.judging import selectors, services
from contests.judging.models import Criterion, Entry, Score, Team
from contests.models import ContestIndexPage, ContestPage, ContestRound
from tests.workflows.helpers import make_user
from workflows import roles

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_judged(home, *, slug="hoi-thi-tuyen-truyen", starts=None, ends=None) -> ContestPage:
    index = ContestIndexPage.objects.child_of(home).first()
    if index is None:
        index = ContestIndexPage(title="Cuộc thi", slug="cuoc-thi")
        home.add_child(instance=index)
    now = timezone.now()
    contest = ContestPage(
        title="Hội thi tuyên truyền viên cơ sở giỏi", slug=slug, kind=ContestPage.Kind.JUDGED,
        rules="<p>Mỗi đội nộp một bài mỗi đợt.</p>",
    )
    contest.rounds = [
        ContestRound(
            title="Vòng sơ khảo", starts_at=starts or now - dt.timedelta(days=1),
            ends_at=ends or now + dt.timedelta(days=7),
        )
    ]
    index.add_child(instance=contest)
    contest.save_revision().publish()
    contest.refresh_from_db()
    return contest


def csrf_from(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


TEAM = {
    "name": "Đội Thôn Đông", "unit": "Thôn Đông", "members": "Nguyễn Văn An\nLê Thị Hoa",
    "contact_phone": "0912 345 678", "contact_email": "", "consent_rules": "on", "website": "",
}


def register(client, contest, **extra):
    page = client.get(contest.url)
    assert page.status_code == 200
    url = reverse("judging:team_register", args=[contest.pk])
    return client.post(url, {**TEAM, **extra, "csrfmiddlewaretoken": csrf_from(page)})


def link_of(response) -> str:
    return re.search(r'href="http://testserver(/hoi-thi/nop-bai/[^"]+/)"', response.content.decode())[1]


def submit(client, link, **data):
    page = client.get(link)
    payload = {"kind": "text", "title": "Loa truyền thanh thôn em", "text": "Nội dung bài.",
               "video_url": "", "website": "", "csrfmiddlewaretoken": csrf_from(page), **data}
    return client.post(link, payload)


@pytest.fixture
def contest(site_tree):
    return make_judged(site_tree.home)


@pytest.fixture
def criteria(contest):
    return [
        Criterion.objects.create(contest=contest, name="Nội dung", weight=Decimal("2"), max_score=10, sort_order=1),
        Criterion.objects.create(contest=contest, name="Hình thức", weight=Decimal("1"), max_score=10, sort_order=2),
    ]


def make_team(contest, name):
    team, token = services.team_register(
        contest=contest, name=name, unit=f"Đơn vị {name}", members="Một người", contact_phone="0912345678"
    )
    return team, token


def make_entry(contest, name, *, at=None):
    team, _token = make_team(contest, name)
    round = contest.rounds.get()
    return services.entry_submit(team=team, round=round, kind="text", title=f"Bài của {name}",
                                 text="…", now=at or timezone.now())


def close(contest):
    ContestRound.objects.filter(page=contest).update(ends_at=timezone.now() - dt.timedelta(minutes=1))


@pytest.fixture
def juror_a(db):
    return make_user("giamkhao_a", roles.JURY)


@pytest.fixture
def juror_b(db):
    return make_user("giamkhao_b", roles.JURY)


@pytest.fixture
def organiser(db):
    return make_user("quantri", roles.ADMINISTRATOR)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- registration ---------------------------------------------------------------------------


def test_contest_page_of_a_judged_competition_shows_the_team_form_not_the_quiz(contest):
    html = Client().get(contest.url).content.decode()
    assert "Đăng ký đội thi" in html
    assert reverse("judging:team_register", args=[contest.pk]) in html
    assert "Đăng ký và vào thi" not in html
    assert 'name="website"' in html  # the honeypot travels with the form


def test_team_registers_and_its_link_is_shown_once_and_stored_only_hashed(contest):
    client = Client()
    response = register(client, contest)
    assert response.status_code == 201
    assert "chỉ hiện đường dẫn này một lần" in response.content.decode()
    link = link_of(response)
    token = link.rstrip("/").rsplit("/", 1)[1]
    team = Team.objects.get()
    assert (team.name, team.contact_phone, team.site_id) == ("Đội Thôn Đông", "0912345678", contest.get_site().pk)
    assert team.token_hash == services.token_hash(token) and token not in team.token_hash
    assert client.get(link).status_code == 200
    again = register(client, contest, name="  đội thôn   đông ")
    assert again.status_code == 409
    assert "đã được đăng ký" in again.content.decode()
    assert Team.objects.count() == 1


def test_registration_errors_honeypot_and_csrf(contest):
    client = Client()
    bad = register(client, contest, contact_phone="12", consent_rules="")
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Cần đồng ý với thể lệ để đăng ký." in html
    bot = register(client, contest, website="http://spam.example")
    assert bot.status_code == 400
    strict = Client(enforce_csrf_checks=True)
    forged = strict.post(reverse("judging:team_register", args=[contest.pk]), TEAM)
    assert forged.status_code == 403
    assert Team.objects.count() == 0


def test_quiz_contest_does_not_take_teams(site_tree):
    from tests.contests.builders import make_contest

    quiz = make_contest(site_tree.home, slug="trac-nghiem")
    assert Client().get(reverse("judging:team_register", args=[quiz.pk])).status_code == 404


# --- submission -------------------------------------------------------------------------------


def test_team_submits_a_text_entry_once_while_the_round_is_open(contest):
    client = Client()
    link = link_of(register(client, contest))
    response = submit(client, link)
    assert response.status_code == 201
    assert "Đã nhận bài dự thi" in response.content.decode()
    entry = Entry.objects.get()
    assert (entry.kind, entry.team.name, entry.round.title) == ("text", "Đội Thôn Đông", "Vòng sơ khảo")
    # The form is gone; a forged second POST is refused.
    assert 'enctype="multipart/form-data"' not in client.get(link).content.decode()
    second = client.post(link, {"kind": "text", "title": "Lần hai", "text": "x"})
    assert second.status_code == 409
    assert "mỗi đội nộp một bài mỗi đợt" in second.content.decode()
    assert Entry.objects.count() == 1


def test_file_entries_are_checked_and_private(contest, organiser, juror_a, settings, tmp_path,
                                              django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    client = Client()
    link = link_of(register(client, contest))
    fake = submit(client, link, kind="file", text="", file=SimpleUploadedFile("bai.pdf", b"MZ\x90\x00 not a pdf"))
    assert fake.status_code == 400
    assert "Nội dung tệp không đúng với định dạng pdf." in fake.content.decode()
    exe = submit(client, link, kind="file", file=SimpleUploadedFile("bai.exe", PDF))
    assert exe.status_code == 400 and "Chỉ nhận tệp" in exe.content.decode()
    settings.JUDGING_MAX_FILE_MB = 0
    big = submit(client, link, kind="file", file=SimpleUploadedFile("bai.pdf", PDF))
    assert big.status_code == 400 and "Tệp quá lớn" in big.content.decode()
    del settings.JUDGING_MAX_FILE_MB
    missing = submit(client, link, kind="file")
    assert "Vui lòng chọn tệp bài dự thi." in missing.content.decode()
    ok = submit(client, link, kind="file", file=SimpleUploadedFile("Bài thi của đội.pdf", PDF))
    assert ok.status_code == 201
    entry = Entry.objects.get()
    assert entry.text == ""  # only what the chosen kind asks for is kept
    assert "Bài thi" not in entry.file.name and entry.file.name.endswith(".pdf")
    # Not a public file: /media/ serves nothing but images, and the view checks who asks.
    assert Client().get("/media/" + entry.file.name).status_code == 404
    url = reverse("judging_admin:entry_file", args=[entry.pk, "tep"])
    assert Client().get(url).status_code == 302  # to the admin login
    assert logged_in(make_user("bientap", roles.EDITOR)).get(url).status_code == 403
    for user in (organiser, juror_a):
        response = logged_in(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Cache-Control"].startswith("private, no-store")
    # A team erased on request takes its files with it.
    stored = tmp_path / entry.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        entry.team.delete()
    assert not stored.exists() and Entry.objects.count() == 0


def test_video_link_must_be_https_on_a_known_host(contest):
    client = Client()
    link = link_of(register(client, contest))
    bad = submit(client, link, kind="video", text="", video_url="http://example.com/phim.mp4")
    assert bad.status_code == 400
    assert "Đường dẫn video phải bắt đầu bằng https://" in bad.content.decode()
    ok = submit(client, link, kind="video", video_url="https://www.youtube.com/watch?v=abc123")
    assert ok.status_code == 201
    assert Entry.objects.get().video_url == "https://www.youtube.com/watch?v=abc123"


def test_late_entry_is_refused_with_a_clear_message(contest):
    client = Client()
    link = link_of(register(client, contest))
    page = client.get(link)  # the form was open when the team loaded it
    close(contest)
    response = client.post(link, {"kind": "text", "title": "Muộn", "text": "x",
                                   "csrfmiddlewaretoken": csrf_from(page)})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Đợt thi “Vòng sơ khảo” đã kết thúc lúc" in html
    assert "bài dự thi nộp muộn không được nhận" in html
    assert Entry.objects.count() == 0
    with pytest.raises(services.ContestError, match="đã kết thúc"):
        team = Team.objects.get()
        services.entry_submit(team=team, round=contest.rounds.get(), kind="text", title="x", text="x")


def test_unknown_and_rotated_links_are_refused(contest, organiser):
    client = Client()
    old_link = link_of(register(client, contest))
    assert client.get("/hoi-thi/nop-bai/khong-dung/").status_code == 404
    team = Team.objects.get()
    admin = logged_in(organiser)
    response = admin.post(reverse("judging_admin:team_new_link", args=[team.pk]))
    assert response.status_code == 200
    new_link = re.search(r"http://testserver(/hoi-thi/nop-bai/[^<]+/)</code>", response.content.decode())[1]
    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 200


# --- jurors -------------------------------------------------------------------------------


def score_post(client, entry, values, **extra):
    url = reverse("judging_admin:entry_score", args=[entry.pk])
    data = {}
    for criterion, (value, comment) in values.items():
        data[f"score-{criterion.pk}"] = value
        data[f"comment-{criterion.pk}"] = comment
    return client.post(url, {**data, **extra})


def test_a_juror_sees_only_their_own_scores_before_the_round_closes(contest, criteria, juror_a, juror_b):
    entry = make_entry(contest, "Đội Thôn Đông")
    content, form = criteria
    b = logged_in(juror_b)
    assert score_post(b, entry, {content: ("7.25", "NHAN-XET-CUA-B"), form: ("3.5", "")}).status_code == 302
    a = logged_in(juror_a)
    assert score_post(a, entry, {content: ("9", "ý kiến A"), form: ("8", "")}).status_code == 302
    screen = a.get(reverse("judging_admin:entry_score", args=[entry.pk]))
    html = screen.content.decode()
    assert screen.status_code == 200
    assert "Nội dung" in html and "Hình thức" in html and 'value="9"' in html and "ý kiến A" in html
    assert "NHAN-XET-CUA-B" not in html
    assert not {"7.25", "7,25", "3.5", "3,5"} & set(re.findall(r"\d+[.,]\d+", html))
    # Nor through the listing, the results or any snippet endpoint.
    listing = a.get(reverse("judging_admin:contest_entries", args=[contest.pk])).content.decode()
    assert "7.25" not in listing and "NHAN-XET-CUA-B" not in listing
    assert a.get(reverse("judging_admin:round_results", args=[entry.round_id])).status_code == 403
    assert a.get("/admin/snippets/judging/score/").status_code == 404
    assert a.get(f"/api/v2/pages/{contest.pk}/").status_code in (200, 404)
    assert "NHAN-XET-CUA-B" not in a.get(f"/api/v2/pages/{contest.pk}/").content.decode()
    # Organisers do not see the scores before close either.
    organiser = logged_in(make_user("quantri2", roles.ADMINISTRATOR))
    assert organiser.get(reverse("judging_admin:round_results", args=[entry.round_id])).status_code == 403
    seen = organiser.get(reverse("judging_admin:entry_score", args=[entry.pk])).content.decode()
    assert "7.25" not in seen and "7,25" not in seen and "NHAN-XET-CUA-B" not in seen and "ý kiến A" not in seen


def test_forged_posts_cannot_touch_another_jurors_scores(contest, criteria, juror_a, juror_b, site_tree):
    entry = make_entry(contest, "Đội Thôn Đông")
    content, form = criteria
    score_post(logged_in(juror_b), entry, {content: ("6", "của B")})
    a = logged_in(juror_a)
    # A "juror" field is not read: the row written is always the signed-in juror's.
    assert score_post(a, entry, {content: ("10", "")}, juror=str(juror_b.pk)).status_code == 302
    assert Score.objects.get(juror=juror_b).value == Decimal("6")
    assert Score.objects.get(juror=juror_a).value == Decimal("10")
    # A criterion of another contest, a score over the maximum, a word: refused, nothing saved.
    other = make_judged(site_tree.home, slug="hoi-thi-khac")
    foreign = Criterion.objects.create(contest=other, name="Khác", max_score=10)
    refused = a.post(reverse("judging_admin:entry_score", args=[entry.pk]), {f"score-{foreign.pk}": "5"})
    assert refused.status_code == 400
    assert "Tiêu chí không thuộc hội thi này." in refused.content.decode()
    too_high = score_post(a, entry, {form: ("11", "")})
    assert too_high.status_code == 400
    assert "Điểm “Hình thức” phải từ 0 đến 10." in too_high.content.decode()
    assert score_post(a, entry, {form: ("tám", "")}).status_code == 400
    assert Score.objects.count() == 2


def test_scores_are_refused_once_the_round_has_closed(contest, criteria, juror_a):
    entry = make_entry(contest, "Đội Thôn Đông")
    a = logged_in(juror_a)
    score_post(a, entry, {criteria[0]: ("5", "")})
    close(contest)
    response = score_post(a, entry, {criteria[0]: ("9", "")})
    assert response.status_code == 403
    assert Score.objects.get().value == Decimal("5")
    screen = a.get(reverse("judging_admin:entry_score", args=[entry.pk])).content.decode()
    assert "không sửa được" in screen and "Lưu điểm" not in screen


def test_weighted_averages_and_ranking_after_close(contest, criteria, juror_a, juror_b, organiser,
                                                  django_assert_num_queries):
    content, form = criteria  # weights 2 and 1
    now = timezone.now()
    first = make_entry(contest, "Đội A", at=now - dt.timedelta(hours=3))
    second = make_entry(contest, "Đội B", at=now - dt.timedelta(hours=2))
    third = make_entry(contest, "Đội C", at=now - dt.timedelta(hours=1))
    scores = {
        # entry: juror a (content, form), juror b (content, form)
        first: ((8, 6), (6, 10)),   # content avg 7, form 8 -> 2*7 + 8 = 22
        second: ((9, 4), (7, 4)),   # content 8, form 4 -> 20 + ... = 2*8 + 4 = 20
        third: ((7, 8), (7, 8)),    # content 7, form 8 -> 22: tie with A on total and content
    }
    for entry, (by_a, by_b) in scores.items():
        for juror, (c, f) in ((juror_a, by_a), (juror_b, by_b)):
            services.scores_record(entry=entry, juror=juror, values={content.pk: (str(c), ""), form.pk: (str(f), "")})
    # Only juror a scored D: an average over one juror; its missing criterion counts 0.
    fourth = make_entry(contest, "Đội D", at=now)
    services.scores_record(entry=fourth, juror=juror_a, values={content.pk: ("9.5", "")})
    close(contest)
    round = contest.rounds.get()
    rows = selectors.round_results(round)
    assert [(r.rank, r.entry.team.name, r.total) for r in rows] == [
        (1, "Đội A", Decimal("22.00")),  # tie with C on total and on "Nội dung": submitted earlier
        (2, "Đội C", Decimal("22.00")),
        (3, "Đội B", Decimal("20.00")),
        (4, "Đội D", Decimal("19.00")),
    ]
    assert [(c.criterion.name, c.average, c.jurors) for c in rows[0].per_criterion] == [
        ("Nội dung", Decimal("7.00"), 2), ("Hình thức", Decimal("8.00"), 2),
    ]
    assert rows[3].per_criterion[1].average is None
    site_id = contest.get_site().pk
    assert {s.site_id for s in Score.objects.all()} | {e.site_id for e in Entry.objects.all()} | {
        c.site_id for c in criteria} == {site_id}
    # The heaviest criterion breaks a tie on total before the submission time does.
    services_now = timezone.now()
    ContestRound.objects.filter(page=contest).update(ends_at=services_now + dt.timedelta(days=1))
    Score.objects.filter(entry=third, criterion=content).update(value=Decimal("7.5"))
    Score.objects.filter(entry=third, criterion=form).update(value=Decimal("7"))
    close(contest)
    rows = selectors.round_results(round)
    assert [(r.entry.team.name, r.total) for r in rows[:2]] == [("Đội C", Decimal("22.00")), ("Đội A", Decimal("22.00"))]

    client = logged_in(organiser)
    url = reverse("judging_admin:round_results", args=[round.pk])
    client.get(url)  # warm the session and the admin's menus
    # 14: the round is looked up among the commune's contests (its site's root page).
    with django_assert_num_queries(14):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Đội C") < html.index("Đội A") < html.index("Đội B") < html.index("Đội D")
    assert "22,00" in html and "hệ số 2," in html  # Vietnamese decimal comma
    # A juror sees the jury's averages on the scoring screen once closed.
    screen = logged_in(juror_b).get(reverse("judging_admin:entry_score", args=[first.pk])).content.decode()
    assert "Kết quả của Ban giám khảo" in screen and "Tổng điểm có hệ số: 22,00" in screen


def test_contest_entries_listing_query_count_does_not_grow(contest, criteria, juror_a, django_assert_num_queries):
    for n in range(3):
        make_entry(contest, f"Đội {n}")
    client = logged_in(juror_a)
    url = reverse("judging_admin:contest_entries", args=[contest.pk])
    client.get(url)
    with django_assert_num_queries(15) as captured:  # the commune's root page: 1 of them
        client.get(url)
    for n in range(3, 8):
        make_entry(contest, f"Đội {n}")
    with django_assert_num_queries(len(captured.captured_queries)):
        assert "Đội 7" in client.get(url).content.decode()


# --- permissions --------------------------------------------------------------------------


def test_other_roles_are_refused(contest, criteria, juror_a):
    entry = make_entry(contest, "Đội Thôn Đông")
    team = entry.team
    editor = logged_in(make_user("bientap", roles.EDITOR))
    reviewer = logged_in(make_user("duyet", roles.REVIEWER))
    urls = [
        reverse("judging_admin:contest_list"),
        reverse("judging_admin:contest_entries", args=[contest.pk]),
        reverse("judging_admin:entry_score", args=[entry.pk]),
        reverse("judging_admin:round_results", args=[entry.round_id]),
    ]
    for client in (editor, reviewer):
        for url in urls:
            assert client.get(url).status_code == 403, url
        assert score_post(client, entry, {criteria[0]: ("5", "")}).status_code == 403
        assert client.post(reverse("judging_admin:team_new_link", args=[team.pk])).status_code == 403
    # Jurors score but do not manage teams or criteria.
    juror = logged_in(juror_a)
    assert juror.post(reverse("judging_admin:team_new_link", args=[team.pk])).status_code == 403
    assert juror.get(reverse("wagtailsnippets_judging_team:add")).status_code in (302, 403)
    assert juror.get(reverse("wagtailsnippets_judging_criterion:edit", args=[criteria[0].pk])).status_code in (302, 403)
    assert Score.objects.count() == 0
    # Anonymous visitors are sent to the login page.
    assert Client().get(urls[1]).status_code == 302


def test_organisers_manage_teams_and_criteria_but_do_not_score(contest, criteria, organiser):
    entry = make_entry(contest, "Đội Thôn Đông")
    client = logged_in(organiser)
    listing = client.get(reverse("judging_admin:contest_entries", args=[contest.pk]))
    assert listing.status_code == 200
    assert "Cấp đường dẫn nộp bài mới" in listing.content.decode()
    assert client.get(reverse("wagtailsnippets_judging_criterion:add")).status_code == 200
    assert client.get(reverse("wagtailsnippets_judging_team:edit", args=[entry.team.pk])).status_code == 200
    # They read the entry, without a scoring form, and cannot post scores.
    screen = client.get(reverse("judging_admin:entry_score", args=[entry.pk]))
    assert screen.status_code == 200
    assert "Bài của Đội Thôn Đông" in screen.content.decode()
    assert 'name="score-' not in screen.content.decode()
    assert score_post(client, entry, {criteria[0]: ("5", "")}).status_code == 403
    assert Score.objects.count() == 0


def test_jury_role_exists_with_its_permissions():
    from django.contrib.auth.models import Group

    jury = Group.objects.get(name=roles.JURY)
    held = {f"{p.content_type.app_label}.{p.codename}" for p in jury.permissions.select_related("content_type")}
    assert {"judging.add_score", "judging.change_score", "judging.view_entry", "wagtailadmin.access_admin"} <= held
    assert not any(p.endswith("_team") or p.endswith("_criterion") for p in held)


def test_audio_entry_is_played_to_jurors_only(contest, juror_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = Client()
    link = link_of(register(client, contest))
    mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64
    wrong = submit(client, link, kind="audio", text="", audio=SimpleUploadedFile("ghi-am.mp3", PDF))
    assert wrong.status_code == 400
    assert submit(client, link, kind="audio", audio=SimpleUploadedFile("ghi-am.mp3", mp3)).status_code == 201
    entry = Entry.objects.get()
    url = reverse("judging_admin:entry_file", args=[entry.pk, "ghi-am"])
    response = logged_in(juror_a).get(url, HTTP_RANGE="bytes=0-2")
    assert response.status_code == 206
    assert (response["Content-Type"], b"".join(response.streaming_content)) == ("audio/mpeg", b"ID3")
    assert response["Content-Disposition"].startswith("inline;")
    screen = logged_in(juror_a).get(reverse("judging_admin:entry_score", args=[entry.pk])).content.decode()
    assert f'<audio controls preload="none" src="{url}">' in screen
    assert logged_in(juror_a).get(reverse("judging_admin:entry_file", args=[entry.pk, "tep"])).status_code == 404


def test_scoring_waits_for_the_round_to_start(site_tree, juror_a):
    later = timezone.now() + dt.timedelta(days=2)
    contest = make_judged(site_tree.home, slug="hoi-thi-sau", starts=later, ends=later + dt.timedelta(days=1))
    criterion = Criterion.objects.create(contest=contest, name="Nội dung")
    team, _token = make_team(contest, "Đội Sớm")
    entry = Entry.objects.create(team=team, round=contest.rounds.get(), kind="text", title="Bài", text="x")
    with pytest.raises(services.ContestError, match="chưa bắt đầu"):
        services.scores_record(entry=entry, juror=juror_a, values={criterion.pk: ("5", "")})
    assert score_post(logged_in(juror_a), entry, {criterion: ("5", "")}).status_code == 403
    assert Score.objects.count() == 0
