"""Who may open a page's dispatch report ("Tiến độ phát tin"), which shows the page's title."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import PageViewRestriction

from device_bridge.models import Dispatch
from tests.factories import build_site, make_bulletin
from workflows import roles

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Dự thảo: di dời hộ dân khu bãi sông (chưa công bố)"


def role_client(django_user_model, username, role):
    user = django_user_model.objects.create_user(username, password="x")
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def report(client, page):
    return client.get(f"/admin/device-bridge/pages/{page.pk}/dispatches/")


def refused(response) -> bool:
    # The Wagtail admin turns PermissionDenied into a redirect to the dashboard with a message.
    return response.status_code in (302, 403) and "/dispatches/" not in response.get("Location", "")


@pytest.fixture
def report_world(django_user_model):
    site = build_site()
    category = site.categories["an-sinh-xa-hoi"]
    return {
        "draft": make_bulletin(site.news, category=category, publish=False, title=SECRET_TITLE),
        "live": make_bulletin(site.news, category=category, title="Lịch tiêm chủng tháng 12"),
        "restricted": make_bulletin(site.news, category=category, title="Tin nội bộ cán bộ xã"),
        "editor": role_client(django_user_model, "bientap", roles.EDITOR),
        "reviewer": role_client(django_user_model, "duyet", roles.REVIEWER),
        "technician": role_client(django_user_model, "kythuat", roles.TECHNICIAN),
    }


def test_draft_title_is_not_shown_to_users_who_cannot_see_the_draft(report_world):
    # Regression (issue 8, item 13): anyone with view_dispatch read any page's title, drafts'.
    draft = report_world["draft"]
    for who in ("reviewer", "technician"):
        response = report(report_world[who], draft)
        assert refused(response), who
        assert SECRET_TITLE not in response.content.decode()


def test_editors_of_the_page_see_the_report_of_their_draft(report_world):
    response = report(report_world["editor"], report_world["draft"])
    assert response.status_code == 200
    assert SECRET_TITLE in response.content.decode()


def test_a_live_public_page_report_is_open_to_every_progress_viewer(report_world):
    for who in ("editor", "reviewer", "technician"):
        assert report(report_world[who], report_world["live"]).status_code == 200, who


def test_a_restricted_page_is_not_public_but_technicians_see_it_once_dispatched(report_world):
    page = report_world["restricted"]
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    assert refused(report(report_world["reviewer"], page))
    assert refused(report(report_world["technician"], page))
    # It went out to the loudspeakers: the fleet operator must be able to follow and stop it.
    Dispatch.objects.create(page=page, channel="speakers")
    assert report(report_world["technician"], page).status_code == 200
    assert refused(report(report_world["reviewer"], page))


def test_approver_of_the_current_step_sees_the_report_of_a_submitted_draft(report_world):
    from wagtail.models import Workflow

    draft = report_world["draft"]
    workflow = Workflow.objects.filter(active=True).first()
    editor = Group.objects.get(name=roles.EDITOR).user_set.get()
    draft.save_revision(user=editor)
    workflow.start(draft, editor)
    assert report(report_world["reviewer"], draft).status_code == 200
    assert refused(report(report_world["technician"], draft))
