"""Every role against the admin screens added for Zalo feedback, Zalo setup, contests and the
judged competitions and the question bank: a role without the permission never sees the screen, and a forged POST is
refused (never a 500, never a change)."""

import pytest
from django.urls import reverse

from device_bridge.feedback.models import Feedback
from tests.workflows.helpers import make_user
from workflows import roles

pytestmark = pytest.mark.django_db

# screen -> the roles that may open it (Quản trị may open everything)
SCREENS = {
    "feedback_admin:inbox": {roles.FEEDBACK_OFFICER, roles.ADMINISTRATOR},
    "zalo_admin:settings": {roles.ADMINISTRATOR},
    "judging_admin:contest_list": {roles.JURY, roles.CONTEST_ORGANISER, roles.ADMINISTRATOR},
    # Editors build question banks (Excel import/export) from the same list: no personal data.
    "contests_admin:contest_list": {roles.EDITOR, roles.CONTEST_ORGANISER, roles.ADMINISTRATOR},
    "wagtailsnippets_contests_question:list": {
        roles.EDITOR, roles.CONTEST_ORGANISER, roles.ADMINISTRATOR,
    },
    # Fleet monitoring (issue 12): the map and table, live operations.
    "monitoring_admin:fleet": {roles.TECHNICIAN, roles.ADMINISTRATOR},
    "monitoring_admin:live": {roles.TECHNICIAN, roles.ADMINISTRATOR},
    # Security assessment (issue 13): technicians assess, leaders read and sign off.
    "fleetsecurity_admin:assessment_list": {roles.TECHNICIAN, roles.LEADER, roles.ADMINISTRATOR},
    "fleetsecurity_templates:index": {roles.TECHNICIAN, roles.ADMINISTRATOR},
    "fleetsecurity_firmware:index": {roles.TECHNICIAN, roles.ADMINISTRATOR},
    # Upkeep of the speaker clusters (issue 13): Phòng Kinh tế reads the budget estimate only.
    "upkeep_admin:budget": {roles.TECHNICIAN, roles.ECONOMIC, roles.ADMINISTRATOR},
    "upkeep_admin:clusters": {roles.TECHNICIAN, roles.ADMINISTRATOR},
    "upkeep_plans:index": {roles.TECHNICIAN, roles.ADMINISTRATOR},
    "upkeep_faults:index": {roles.TECHNICIAN, roles.ADMINISTRATOR},
    # CAP alerts (issue 14): an upload only makes drafts that enter moderation, so editors may;
    # the polled feeds change what arrives on their own, so Quản trị only.
    "cap_admin:upload": {roles.EDITOR, roles.ADMINISTRATOR},
    "cap_feeds:index": {roles.ADMINISTRATOR},
}


@pytest.mark.parametrize("role", roles.ROLES)
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_only_the_roles_named_open_the_screen_and_forged_posts_change_nothing(client, role, screen):
    client.force_login(make_user("nguoi-dung", role))
    url = reverse(screen)
    feedback_before = list(Feedback.objects.values_list("pk", "status"))

    shown = client.get(url)
    forged = client.post(url, {"action": "reply", "text": "x"})

    if role in SCREENS[screen]:
        assert shown.status_code == 200
    else:
        assert shown.status_code in (302, 403), (role, screen, shown.status_code)
        assert forged.status_code in (302, 403), (role, screen, forged.status_code)
    assert forged.status_code < 500
    assert list(Feedback.objects.values_list("pk", "status")) == feedback_before
