"""Content-Security-Policy and Permissions-Policy on the public site and in the admin (issue 8,
item 18). The browser test (tests/workflows/test_browser_moderation.py) checks that both pages
actually work under these policies."""

import pytest
from django.urls import reverse

from tests.factories import make_bulletin
from tests.workflows.helpers import make_user
from workflows import roles


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.django_db
def test_public_pages_forbid_inline_script(client, site_tree):
    bulletin = make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"])
    for url in ("/", bulletin.url, "/search/?q=tiem"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = _directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], url
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'self'"]
        assert policy["media-src"] == ["'self'"]


@pytest.mark.django_db
def test_admin_allows_wagtails_inline_initialisers_but_nothing_from_elsewhere(client, site_tree):
    client.force_login(make_user("bientap", roles.EDITOR))
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-src"][0] == "'self'"  # the preview panel
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    # The login page, reached before any session exists, is admin too.
    client.logout()
    login = client.get(reverse("wagtailadmin_login"))
    assert "'unsafe-inline'" in _directives(login["Content-Security-Policy"])["script-src"]


@pytest.mark.django_db
def test_permissions_policy_turns_off_sensors_and_devices(client, site_tree):
    header = client.get("/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in header
    assert "autoplay=(self)" in header


@pytest.mark.django_db
def test_admin_does_not_call_third_parties(client, site_tree):
    # Gravatar (leaks editors' e-mail hashes) and Wagtail's update check would both be blocked
    # by connect-src/img-src 'self' and break the offline admin: they are off.
    client.force_login(make_user("quantri", superuser=True))
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "gravatar.com" not in body
    assert "releases.wagtail" not in body
