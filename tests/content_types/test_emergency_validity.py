"""An emergency bulletin says until when it holds; the banner shows when it was issued and until when."""

import datetime as dt

import pytest
from django.utils import timezone
from wagtail.test.utils.form_data import nested_form_data, streamfield

from content_types.forms import emergency_valid_until_default
from content_types.models import BulletinPage, Priority
from tests.factories import make_bulletin

pytestmark = pytest.mark.django_db


def _post(admin_client, site_tree, **fields):
    data = nested_form_data({
        "title": "Bão số 5: sơ tán trước 17:00",
        "slug": "bao-so-5",
        "date": "2026-11-01",
        "priority": Priority.EMERGENCY,
        "category": site_tree.categories["phong-chong-thien-tai"].pk,
        "summary": "Sơ tán ngay.",
        "body": streamfield([]),
        "valid_from": "",
        "valid_until": "",
        "radio_text": "",
        "tts_engine": "",
        **fields,
    })
    return admin_client.post(f"/admin/pages/add/content_types/bulletinpage/{site_tree.news.pk}/", data)


def test_emergency_left_without_valid_until_holds_24_hours(admin_client, site_tree):
    response = _post(admin_client, site_tree)
    assert response.status_code == 302
    page = BulletinPage.objects.get(slug="bao-so-5")
    expected = emergency_valid_until_default()
    assert abs(page.get_latest_revision_as_object().valid_until - expected) < dt.timedelta(minutes=2)


def test_emergency_with_valid_until_is_saved(admin_client, site_tree):
    response = _post(admin_client, site_tree, valid_until="2026-12-01 17:00")
    assert response.status_code == 302
    page = BulletinPage.objects.get(slug="bao-so-5")
    assert timezone.localtime(page.valid_until).strftime("%Y-%m-%d %H:%M") == "2026-12-01 17:00"


def test_editing_an_emergency_without_end_prefills_24_hours_ahead(admin_client, site_tree):
    page = make_bulletin(site_tree.news, category=site_tree.categories["phong-chong-thien-tai"],
                         priority=Priority.EMERGENCY, title="Lũ quét")
    html = admin_client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert timezone.localtime(emergency_valid_until_default()).strftime("%Y-%m-%d %H:") in html


def test_banner_shows_issued_and_valid_until(client, site_tree):
    until = timezone.now() + dt.timedelta(hours=5)
    page = make_bulletin(site_tree.news, category=site_tree.categories["phong-chong-thien-tai"],
                         priority=Priority.EMERGENCY, title="Bão số 3", valid_until=until)
    page.refresh_from_db()
    banner = client.get("/").content.decode().split('class="emergency-banner"')[1].split("</section>")[0]
    assert "Phát lúc " + timezone.localtime(page.first_published_at).strftime("%H:%M %d/%m/%Y") in banner
    assert "hiệu lực đến " + timezone.localtime(until).strftime("%H:%M %d/%m/%Y") in banner


def test_emergency_without_end_leaves_the_banner_after_24_hours(client, site_tree):
    page = make_bulletin(site_tree.news, category=site_tree.categories["phong-chong-thien-tai"],
                         priority=Priority.EMERGENCY, title="Sơ tán trước 17:00 hôm nay")
    BulletinPage.objects.filter(pk=page.pk).update(first_published_at=timezone.now() - dt.timedelta(days=3))
    assert 'class="emergency-banner"' not in client.get("/").content.decode()


def test_banner_shows_the_newest_and_collapses_the_rest(client, site_tree):
    category = site_tree.categories["phong-chong-thien-tai"]
    until = timezone.now() + dt.timedelta(hours=5)
    for title in ("Bão số 3", "Lũ quét thôn Đông"):
        make_bulletin(site_tree.news, category=category, priority=Priority.EMERGENCY, title=title, valid_until=until)
    banner = client.get("/").content.decode().split('class="emergency-banner"')[1].split("</section>")[0]
    shown, collapsed = banner.split("<details")
    assert "Lũ quét thôn Đông" in shown and "Bão số 3" in collapsed
    assert "Thêm 1 tin khẩn cấp" in collapsed
