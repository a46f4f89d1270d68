"""Slugs are ASCII, Vietnamese transliterated (đ -> d), in the admin's auto-fill and on save."""

import re

import pytest
from django.conf import settings

from content_types.forms import SLUG_FORMATTERS, ascii_slugify
from content_types.models import BulletinPage
from tests.factories import make_bulletin

pytestmark = pytest.mark.django_db

TITLE = "Khẩn cấp: đường Đông ngập"


def test_unicode_slugs_are_off():
    assert settings.WAGTAIL_ALLOW_UNICODE_SLUGS is False


def test_ascii_slugify_transliterates_vietnamese():
    assert ascii_slugify(TITLE) == "khan-cap-duong-dong-ngap"


def test_new_bulletin_without_slug_gets_transliterated_slug(site_tree):
    page = make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"], title=TITLE, slug="")
    assert BulletinPage.objects.get(pk=page.pk).slug == "khan-cap-duong-dong-ngap"
    twin = make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"], title=TITLE, slug="")
    assert twin.slug == "khan-cap-duong-dong-ngap-2"


def test_typed_vietnamese_slug_is_transliterated(site_tree):
    page = make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"], slug="đê-điều")
    assert page.slug == "de-dieu"
    assert page.url.endswith("/de-dieu/")


def test_admin_slug_formatters_map_every_vietnamese_letter():
    """What the browser applies before Wagtail's urlify (which drops "ẩ" and makes "đ" "dj")."""
    text = TITLE
    for pattern, replacement in SLUG_FORMATTERS:
        text = re.sub(pattern, replacement, text)
    assert text == "Khan cap: duong Dong ngap"


def test_admin_slug_widget_carries_the_formatters(admin_client, site_tree):
    response = admin_client.get(f"/admin/pages/add/content_types/bulletinpage/{site_tree.news.pk}/")
    assert response.status_code == 200
    assert "data-w-slug-formatters-value" in response.content.decode()
