"""The OA's tokens: single-use refresh tokens refreshed once, under a lock, stored atomically."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone
from wagtail.models import Site

from device_bridge.zalo import facts
from device_bridge.zalo.client import ZaloClient
from device_bridge.zalo.errors import ZaloAuthError
from device_bridge.zalo.models import ZaloAccount
from device_bridge.zalo.tokens import access_token_get, token_refresh

from .conftest import connect_account


def _expire_locally(account):
    ZaloAccount.objects.filter(pk=account.pk).update(
        access_expires_at=timezone.now() - dt.timedelta(seconds=1))


@pytest.mark.django_db
def test_proactive_refresh_before_expiry_stores_the_new_pair(zalo_account, zalo_fake):
    old_refresh = zalo_account.refresh_token
    ZaloAccount.objects.filter(pk=zalo_account.pk).update(
        access_expires_at=timezone.now() + dt.timedelta(seconds=facts.ACCESS_TOKEN_REFRESH_MARGIN - 5))
    token = access_token_get(account_id=zalo_account.pk)
    account = ZaloAccount.objects.get(pk=zalo_account.pk)
    assert token == account.access_token != zalo_account.access_token
    assert account.refresh_token != old_refresh
    assert old_refresh in zalo_fake.burnt_refresh_tokens
    assert account.access_expires_at > timezone.now() + dt.timedelta(hours=24)


@pytest.mark.django_db
def test_fresh_token_is_used_without_calling_zalo(zalo_account, zalo_fake):
    calls = len(zalo_fake.refresh_calls)
    assert access_token_get(account_id=zalo_account.pk) == zalo_account.access_token
    assert len(zalo_fake.refresh_calls) == calls


@pytest.mark.django_db
def test_token_expired_on_zalos_side_is_refreshed_once_and_the_call_retried(zalo_account, zalo_fake):
    zalo_fake.expire_access_tokens()  # Zalo says -220 although our expiry says fresh
    calls = len(zalo_fake.refresh_calls)
    with ZaloClient(account=zalo_account) as client:
        assert client.send_text("u-1", "Xin chào")
    assert len(zalo_fake.refresh_calls) == calls + 1
    assert [r["token"] != "" for r in zalo_fake.calls(facts.OA_CS_MESSAGE)] == [True, True]
    assert len(zalo_fake.outbox) == 1


@pytest.mark.django_db
def test_token_refused_after_refresh_asks_the_admin_to_reconnect(zalo_account, zalo_fake):
    zalo_fake.fail(facts.OA_CS_MESSAGE, "-216", times=2)
    with ZaloClient(account=zalo_account) as client, pytest.raises(ZaloAuthError) as err:
        client.send_text("u-1", "Xin chào")
    assert "Kết nối lại" in str(err.value)
    assert ZaloAccount.objects.get(pk=zalo_account.pk).status == ZaloAccount.Status.NEEDS_RECONNECT


@pytest.mark.django_db
def test_burnt_refresh_token_marks_the_account_and_says_reconnect(zalo_account, zalo_fake):
    zalo_fake.refresh_tokens.clear()  # e.g. used by a copy of the database elsewhere
    _expire_locally(zalo_account)
    with pytest.raises(ZaloAuthError) as err:
        token_refresh(account_id=zalo_account.pk)
    account = ZaloAccount.objects.get(pk=zalo_account.pk)
    assert account.status == ZaloAccount.Status.NEEDS_RECONNECT
    assert "Kết nối lại" in account.last_error and "Kết nối lại" in str(err.value)
    # No second attempt with the burnt token: the next caller is told at once.
    calls = len(zalo_fake.refresh_calls)
    with pytest.raises(ZaloAuthError):
        access_token_get(account_id=zalo_account.pk)
    assert len(zalo_fake.refresh_calls) == calls


@pytest.mark.django_db
def test_refresh_unavailable_keeps_the_refresh_token(zalo_account, zalo_fake):
    from device_bridge.zalo.errors import ZaloUnavailable

    _expire_locally(zalo_account)
    zalo_fake.fail(facts.OAUTH_TOKEN_PATH, "502")
    with pytest.raises(ZaloUnavailable):
        access_token_get(account_id=zalo_account.pk)
    account = ZaloAccount.objects.get(pk=zalo_account.pk)
    assert account.status == ZaloAccount.Status.CONNECTED
    assert account.refresh_token == zalo_account.refresh_token


@pytest.mark.django_db(transaction=True)
def test_two_workers_refreshing_at_once_make_one_refresh_call(site_tree, zalo_fake):
    account = connect_account(Site.objects.get(is_default_site=True), zalo_fake)
    _expire_locally(account)
    zalo_fake.refresh_delay = 0.5  # both workers are waiting for the token at the same time
    before = len(zalo_fake.refresh_calls)
    start = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            start.wait()
            results.append(access_token_get(account_id=account.pk))
        except Exception as err:  # noqa: BLE001 - reported by the assertion below
            errors.append(err)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert len(zalo_fake.refresh_calls) - before == 1
    assert len(set(results)) == 1
    stored = ZaloAccount.objects.get(pk=account.pk)
    assert stored.access_token == results[0]
    assert stored.refresh_token in zalo_fake.refresh_tokens
