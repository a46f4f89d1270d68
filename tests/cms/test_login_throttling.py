"""Admin login throttling with django-axes (issue 8, item 19): a user name is locked from one
address after repeated wrong passwords, others are not, Quản trị unlocks in the Wagtail admin."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from cms.models import LoginLockout
from cms.security import client_ip
from tests.workflows.helpers import PASSWORD, make_user
from workflows import roles

LOGIN = "/admin/login/"


def _login(client, username, password, ip="203.0.113.10"):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip
    )


def _fail_until_locked(client, username, ip="203.0.113.10"):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, username, "sai-mat-khau", ip=ip)


@pytest.fixture
def editor(db):
    return make_user("bientap", roles.EDITOR)


@pytest.mark.django_db
def test_wrong_passwords_lock_the_user_out_even_with_the_right_password(client, editor):
    # Regression: any number of password guesses used to be accepted on /admin/login/.
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "bientap", "sai-mat-khau")
        assert response.status_code == 200  # the form again, "wrong password"
    response = _login(client, "bientap", "sai-mat-khau")
    assert response.status_code == 429

    response = _login(client, "bientap", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "tạm bị khoá đăng nhập" in body
    assert "15 phút" in body and "Quản trị mở khoá" in body
    assert 'name="username"' in body  # still the Wagtail login page, in Vietnamese
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_is_per_user_and_address(client, editor):
    make_user("duyet", roles.REVIEWER)
    _fail_until_locked(client, "bientap")

    other_user = _login(client, "duyet", PASSWORD)
    assert other_user.status_code == 302 and other_user["Location"] == "/admin/"
    client.logout()
    other_address = _login(client, "bientap", PASSWORD, ip="198.51.100.7")
    assert other_address.status_code == 302


@pytest.mark.django_db
def test_a_successful_login_clears_earlier_failures(client, editor):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "bientap", "sai-mat-khau")
    assert not LoginLockout.objects.get(username="bientap").is_locked  # not yet at the limit
    assert _login(client, "bientap", PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "bientap", "sai-mat-khau").status_code == 200
    assert _login(client, "bientap", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_administrator_unlocks_in_the_wagtail_admin(client, editor):
    _fail_until_locked(client, "bientap")
    attempt = AccessAttempt.objects.get(username="bientap")
    assert LoginLockout.objects.get(pk=attempt.pk).is_locked

    # A member of the Quản trị group, not only a superuser.
    client.force_login(make_user("quantri", roles.ADMINISTRATOR))
    listing = client.get(reverse("login_lockouts:index"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "bientap" in page and "203.0.113.10" in page and "Mở khoá" in page
    assert "access attempt" not in page.lower()  # axes' own English names
    assert reverse("login_lockouts:add") not in page

    confirm = client.get(reverse("login_lockouts:delete", args=[attempt.pk]))
    assert "bientap (203.0.113.10)" in confirm.content.decode()
    assert "Có, mở khoá" in confirm.content.decode()
    response = client.post(reverse("login_lockouts:delete", args=[attempt.pk]), follow=True)
    assert "Đã mở khoá đăng nhập cho “bientap (203.0.113.10)”" in response.content.decode()
    assert not AccessAttempt.objects.exists()

    client.logout()
    assert _login(client, "bientap", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_only_administrators_see_or_lift_lockouts(client, editor):
    _fail_until_locked(client, "bientap")
    attempt = AccessAttempt.objects.get(username="bientap")
    for username, groups in (("duyet", (roles.REVIEWER, roles.LEADER)), ("kythuat", (roles.TECHNICIAN,))):
        client.force_login(make_user(username, *groups))
        assert client.get(reverse("login_lockouts:index")).status_code in (302, 403)
        client.post(reverse("login_lockouts:delete", args=[attempt.pk]))
        assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    # Attempts are written by axes only, not by hand, not even by Quản trị.
    client.force_login(make_user("quantri", superuser=True))
    assert client.get(reverse("login_lockouts:add")).status_code in (302, 403)
    assert client.get(reverse("login_lockouts:edit", args=[attempt.pk])).status_code in (302, 403)


def test_client_address_ignores_what_the_client_wrote_into_x_forwarded_for():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.10"
    )
    with override_settings(TRUSTED_PROXY_COUNT=0):
        assert client_ip(request) == "10.0.0.2"
    with override_settings(TRUSTED_PROXY_COUNT=1):
        # nginx appended the real peer (203.0.113.10); "1.2.3.4" was forged by the client.
        assert client_ip(request) == "203.0.113.10"
    with override_settings(TRUSTED_PROXY_COUNT=3):
        assert client_ip(request) == "10.0.0.2"  # fewer hops than configured: not trusted


@pytest.mark.django_db
def test_the_lock_lifts_by_itself_after_the_cool_off(client, editor):
    _fail_until_locked(client, "bientap")
    assert _login(client, "bientap", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    )
    assert not LoginLockout.objects.get(username="bientap").is_locked
    assert _login(client, "bientap", PASSWORD).status_code == 302
