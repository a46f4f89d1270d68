"""One installation, two communes (two Wagtail Sites): an organiser or juror on one commune's
admin never sees, edits, copies, deletes, chooses, exports or judges the other commune's
questions, contests, teams, criteria or entries (issue 11; ``contests/admin_scope.py``)."""

import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook
from wagtail.models import Site

from content_types.models import HomePage
from contests.judging import services as judging
from contests.judging.models import Criterion, Entry, Score, Team
from contests.models import Question
from tests.contests.builders import make_contest
from tests.contests.test_judging import make_judged
from tests.workflows.helpers import make_user
from workflows import roles

pytestmark = pytest.mark.django_db

OTHER = "xa-ben-canh.example"


class Commune:
    def __init__(self, home, tag):
        self.quiz = make_contest(home, questions=2, slug=f"trac-nghiem-{tag}")
        Question.objects.filter(contest=self.quiz).update(text=f"CAU-HOI-{tag}")
        self.question = Question.objects.filter(contest=self.quiz).first()
        self.judged = make_judged(home, slug=f"hoi-thi-{tag}")
        self.judged.title = f"HOI-THI-{tag}"
        self.judged.save_revision().publish()
        self.criterion = Criterion.objects.create(contest=self.judged, name=f"TIEU-CHI-{tag}", max_score=10)
        self.team, self.token = judging.team_register(
            contest=self.judged, name=f"DOI-{tag}", unit="Thôn", members="A", contact_phone=f"09123450{len(tag):02d}",
        )
        self.entry = judging.entry_submit(team=self.team, round=self.judged.rounds.get(), kind="text",
                                          title=f"BAI-{tag}", text="…")


@pytest.fixture
def communes(site_tree, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, OTHER]
    other_home = HomePage(title="Xã bên cạnh", slug="xa-ben-canh")
    site_tree.home.get_parent().add_child(instance=other_home)
    other_site = Site.objects.create(hostname=OTHER, port=80, root_page=other_home, site_name="Xã bên cạnh")
    here, there = Commune(site_tree.home, "DAY"), Commune(other_home, "KIA")
    assert there.question.site_id == other_site.pk and there.team.site_id == other_site.pk
    return here, there


@pytest.fixture
def organiser(db):
    client = Client()
    client.force_login(make_user("quantri", roles.ADMINISTRATOR))
    return client


@pytest.fixture
def juror(db):
    client = Client()
    client.force_login(make_user("giamkhao", roles.JURY))
    return client


def test_question_bank_lists_and_filters_only_the_communes_own(communes, organiser):
    here, there = communes
    html = organiser.get(reverse("wagtailsnippets_contests_question:list")).content.decode()
    assert "CAU-HOI-DAY" in html and "CAU-HOI-KIA" not in html
    assert "HOI-THI-KIA" not in html and there.quiz.title + "</option>" not in html.replace(here.quiz.title + "</option>", "")
    # Filtering by the other commune's contest is not a valid choice: nothing of theirs leaks.
    filtered = organiser.get(reverse("wagtailsnippets_contests_question:list"), {"contest": there.quiz.pk})
    assert "CAU-HOI-KIA" not in filtered.content.decode()
    # The neighbour's admin sees its own bank.
    theirs = organiser.get(reverse("wagtailsnippets_contests_question:list"), HTTP_HOST=OTHER).content.decode()
    assert "CAU-HOI-KIA" in theirs and "CAU-HOI-DAY" not in theirs


@pytest.mark.parametrize("view", ["edit", "delete", "copy", "usage", "history"])
def test_another_communes_question_is_not_found(communes, organiser, view):
    _here, there = communes
    url = reverse(f"wagtailsnippets_contests_question:{view}", args=[there.question.pk])
    assert organiser.get(url).status_code == 404
    assert organiser.post(url, {"text": "Sửa trộm"}).status_code == 404
    assert Question.objects.filter(pk=there.question.pk, text="CAU-HOI-KIA").exists()


def test_question_chooser_offers_only_the_communes_own(communes, organiser):
    here, there = communes
    choose = organiser.get(reverse("wagtailsnippetchoosers_contests_question:choose")).content.decode()
    assert "CAU-HOI-DAY" in choose and "CAU-HOI-KIA" not in choose
    chosen = reverse("wagtailsnippetchoosers_contests_question:chosen", args=[there.question.pk])
    assert organiser.get(chosen).status_code == 404
    many = organiser.get(reverse("wagtailsnippetchoosers_contests_question:chosen_multiple"),
                         {"id": [here.question.pk, there.question.pk]}).content.decode()
    assert "CAU-HOI-DAY" in many and "CAU-HOI-KIA" not in many


def test_a_question_cannot_be_filed_under_another_communes_contest(communes, organiser):
    _here, there = communes
    before = Question.objects.count()
    response = organiser.post(reverse("wagtailsnippets_contests_question:add"), {
        "contest": there.quiz.pk, "text": "Câu hỏi lạc xã", "kind": "mot", "active": "on", "explanation": "",
        "choices-TOTAL_FORMS": "2", "choices-INITIAL_FORMS": "0", "choices-MIN_NUM_FORMS": "2",
        "choices-MAX_NUM_FORMS": "8",
        "choices-0-text": "Có", "choices-0-is_correct": "on", "choices-0-ORDER": "1",
        "choices-1-text": "Không", "choices-1-ORDER": "2",
    })
    assert response.status_code == 200  # the form again, with its error
    assert Question.objects.count() == before


def test_bulk_delete_leaves_the_other_communes_records_alone(communes, organiser):
    here, there = communes
    for model, mine, theirs in [("question", here.question, there.question), ("team", here.team, there.team),
                                ("criterion", here.criterion, there.criterion)]:
        app = "judging" if model != "question" else "contests"
        url = reverse("wagtail_bulk_action", args=[app, model, "delete"])
        confirm = organiser.get(url, {"id": [mine.pk, theirs.pk]}).content.decode()
        assert "-KIA" not in confirm, model
        organiser.post(url + f"?id={theirs.pk}&id=all", {})
        assert type(theirs).objects.filter(pk=theirs.pk).exists(), model
        assert not type(mine).objects.filter(pk=mine.pk).exists(), model


@pytest.mark.parametrize("model", ["team", "criterion"])
def test_teams_and_criteria_of_another_commune_are_not_found(communes, organiser, model):
    here, there = communes
    listing = organiser.get(reverse(f"wagtailsnippets_judging_{model}:list")).content.decode()
    assert "-DAY" in listing and "-KIA" not in listing
    theirs = there.team if model == "team" else there.criterion
    for view in ("edit", "delete", "copy", "history", "usage"):
        url = reverse(f"wagtailsnippets_judging_{model}:{view}", args=[theirs.pk])
        assert organiser.get(url).status_code == 404, view
        assert organiser.post(url, {"name": "Sửa trộm"}).status_code == 404, view
    # Adding one under the other commune's contest is refused by the form.
    add = organiser.post(reverse(f"wagtailsnippets_judging_{model}:add"), {
        "contest": there.judged.pk, "name": "Lạc xã", "unit": "x", "members": "x", "contact_phone": "0912345678",
        "weight": "1", "max_score": "10", "sort_order": "0",
    })
    assert add.status_code == 200
    assert not type(theirs).objects.filter(name="Lạc xã").exists()


def test_judging_screens_show_and_judge_only_the_communes_own(communes, organiser, juror):
    here, there = communes
    listing = organiser.get(reverse("judging_admin:contest_list")).content.decode()
    assert "HOI-THI-DAY" in listing and "HOI-THI-KIA" not in listing
    assert organiser.get(reverse("judging_admin:contest_entries", args=[here.judged.pk])).status_code == 200
    for client in (organiser, juror):
        for url in [
            reverse("judging_admin:contest_entries", args=[there.judged.pk]),
            reverse("judging_admin:entry_score", args=[there.entry.pk]),
            reverse("judging_admin:round_results", args=[there.entry.round_id]),
            reverse("judging_admin:entry_file", args=[there.entry.pk, "tep"]),
        ]:
            assert client.get(url).status_code == 404, url
    forged = juror.post(reverse("judging_admin:entry_score", args=[there.entry.pk]),
                        {f"score-{there.criterion.pk}": "9"})
    assert forged.status_code == 404
    assert not Score.objects.exists()
    old_hash = there.team.token_hash
    assert organiser.post(reverse("judging_admin:team_new_link", args=[there.team.pk])).status_code == 404
    there.team.refresh_from_db()
    assert there.team.token_hash == old_hash
    # On its own commune's admin, the same juror scores it.
    ok = juror.post(reverse("judging_admin:entry_score", args=[there.entry.pk]),
                    {f"score-{there.criterion.pk}": "9"}, HTTP_HOST=OTHER)
    assert ok.status_code == 302
    assert Score.objects.get().value == Decimal("9")
    assert Entry.objects.count() == 2 and Team.objects.count() == 2


def test_bank_and_exports_of_another_commune_are_not_found(communes, organiser):
    _here, there = communes
    round_id = there.quiz.rounds.get().pk
    for url in [
        reverse("contests_admin:bank", args=[there.quiz.pk]),
        reverse("contests_admin:bank_download", args=[there.quiz.pk]),
        reverse("contests_admin:dashboard", args=[there.quiz.pk]),
        reverse("contests_admin:round_ranking", args=[round_id]),
        reverse("contests_admin:round_export", args=[round_id, "nguoi-du-thi"]),
    ]:
        assert organiser.get(url).status_code == 404, url
    workbook = Workbook()
    workbook.active.append(["Câu hỏi", "Phương án A", "Phương án B", "Đáp án đúng"])
    workbook.active.append(["Câu nhập trộm", "Có", "Không", "A"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "bank.xlsx"
    assert organiser.post(reverse("contests_admin:bank", args=[there.quiz.pk]), {"file": upload}).status_code == 404
    assert not Question.objects.filter(text="Câu nhập trộm").exists()
    assert re.search("CAU-HOI-KIA", organiser.get(reverse("contests_admin:contest_list")).content.decode()) is None
