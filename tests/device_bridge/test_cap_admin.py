"""The CAP upload screen: editors and Quản trị take alerts in for their own site; a bad file is
refused with the schema's line and element and nothing is created; other roles never get in."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Site

from content_types.models import BulletinPage, HomePage
from device_bridge.cap.models import CapAlert, CapFeedSource
from tests.factories import build_site
from tests.workflows.helpers import make_user
from workflows import roles

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cap"
URL = "/admin/cap/import/"

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes | None = None):
    return {"document": SimpleUploadedFile(name, data or (FIXTURES / name).read_bytes(), "application/xml")}


@pytest.fixture
def cap_tree(db):
    return build_site()


def test_url_name_is_the_upload_screen():
    assert reverse("cap_admin:upload") == URL


@pytest.mark.parametrize("role", [roles.EDITOR, roles.ADMINISTRATOR])
def test_editor_and_administrator_upload_an_alert_into_moderation(client, cap_tree, role):
    user = make_user("nguoi-nhap", role)
    client.force_login(user)

    response = client.post(URL, upload("vn_flood_two_hamlets.xml"), follow=True)

    assert response.status_code == 200
    alert = CapAlert.objects.get()
    assert (alert.imported_by, alert.origin) == (user, CapAlert.Origin.UPLOAD)
    assert "Đã tạo bản tin nháp" in response.content.decode()
    assert alert.page.current_workflow_state is not None
    assert "PCTT-HP-2026-0917-01" in client.get(URL).content.decode()


def test_a_second_upload_of_the_same_alert_warns_and_adds_nothing(client, cap_tree):
    client.force_login(make_user("bientap", roles.EDITOR))
    client.post(URL, upload("vn_flood_two_hamlets.xml"))

    response = client.post(URL, upload("vn_flood_two_hamlets.xml"), follow=True)

    assert "đã được nhập trước đó" in response.content.decode()
    assert BulletinPage.objects.count() == 1


def test_an_invalid_file_is_refused_naming_line_and_element(client, cap_tree):
    client.force_login(make_user("bientap", roles.EDITOR))
    data = (FIXTURES / "oasis_a2_severe_thunderstorm.xml").read_bytes().replace(b"<urgency>Immediate</urgency>", b"")

    response = client.post(URL, upload("sai.xml", data))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Không nhập được “sai.xml”" in page
    assert "dòng 14, phần tử alert/info/severity" in page
    assert not CapAlert.objects.exists() and not BulletinPage.objects.exists()


def test_an_upload_without_a_file_is_refused(client, cap_tree):
    client.force_login(make_user("bientap", roles.EDITOR))

    response = client.post(URL, {})

    assert response.status_code == 200 and not CapAlert.objects.exists()


@pytest.mark.parametrize("role", [roles.REVIEWER, roles.LEADER, roles.TECHNICIAN, roles.FEEDBACK_OFFICER])
def test_other_roles_cannot_upload(client, cap_tree, role):
    client.force_login(make_user("nguoi-khac", role))

    response = client.post(URL, upload("vn_flood_two_hamlets.xml"))

    assert response.status_code in (302, 403)
    assert not CapAlert.objects.exists()


def test_the_list_shows_only_this_sites_alerts(client, cap_tree):
    other_home = HomePage(title="Xã Khác", slug="xa-khac")
    cap_tree.home.get_parent().add_child(instance=other_home)
    other = Site.objects.create(hostname="xa-khac.example", root_page=other_home, site_name="Xã Khác")
    CapAlert.objects.create(site=other, sender="khac@example", identifier="CUA-XA-KHAC",
                            sent="2026-09-17T06:30:00+07:00", msg_type="Alert", status="Actual",
                            origin=CapAlert.Origin.FEED, document="<alert/>")
    client.force_login(make_user("bientap", roles.EDITOR))

    assert "CUA-XA-KHAC" not in client.get(URL).content.decode()


def test_feed_sources_are_administrator_only_and_kept_to_the_site(client, cap_tree):
    client.force_login(make_user("bientap", roles.EDITOR))
    assert client.get(reverse("cap_feeds:index")).status_code in (302, 403)

    client.force_login(make_user("quantri", roles.ADMINISTRATOR))
    response = client.post(reverse("cap_feeds:add"), {
        "name": "PCTT Hải Phòng", "url": "http://127.0.0.1:9/cap.atom", "enabled": "on"})

    assert response.status_code == 302
    source = CapFeedSource.objects.get()
    assert source.site == Site.objects.get(is_default_site=True)
