"""Rate limits count each surface apart: the site's forms and the JSON API have their own
counters for the same kind and key (docs/contests.md, "Giới hạn tần suất")."""

import re

import pytest
from django.test import Client, override_settings

from contests.ratelimit import rate_limited

from .builders import make_contest

pytestmark = pytest.mark.django_db
API = "/api/contests/v1"


@override_settings(CONTESTS_RATE_LIMITS={"register_ip": (2, 600)})
def test_each_surface_has_its_own_counter_for_the_same_key():
    assert [rate_limited("register_ip", "k", surface="site") for _ in range(3)] == [False, False, True]
    # The site's allowance is spent; the API's counter for the same address is untouched.
    assert [rate_limited("register_ip", "k", surface="api") for _ in range(3)] == [False, False, True]
    assert rate_limited("register_ip", "other") is False


def test_an_unknown_surface_is_a_bug_not_a_new_counter():
    with pytest.raises(ValueError):
        rate_limited("register_ip", "k", surface="app")


def _site_register(client, contest, phone):
    url = contest.url + "dang-ky/"
    page = client.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    return client.post(url, {
        "full_name": "Trần Thị Bình", "phone": phone, "birth_year": "1990", "zone": "",
        "unit": "Tổ 3", "consent_rules": "on", "consent_personal_data": "on", "website": "",
        "csrfmiddlewaretoken": token,
    })


def _api_register(client, contest, phone):
    return client.post(f"{API}/contests/{contest.pk}/register", {
        "full_name": "Trần Thị Bình", "phone": phone, "birth_year": 1990, "unit": "Tổ 3",
        "consent_rules": True, "consent_personal_data": True,
    }, content_type="application/json")


@override_settings(CONTESTS_RATE_LIMITS={"register_ip": (2, 600)})
def test_registering_on_the_site_does_not_spend_the_apps_allowance(site_tree):
    # Regression: the forms and the API shared one counter per address, so a household that
    # registered two people on the web site was refused in the app.
    contest = make_contest(site_tree.home)
    client = Client()
    site = [_site_register(client, contest, f"091234500{n}").status_code for n in range(3)]
    assert site == [302, 302, 429]
    api = [_api_register(client, contest, f"091234510{n}").status_code for n in range(3)]
    assert api == [201, 201, 429]
    assert _api_register(client, contest, "0912345200").json()["code"] == "rate_limited"
