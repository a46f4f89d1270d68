"""The OA's OAuth tokens, kept in ``ZaloAccount``.

Zalo's refresh token is single use (facts.py): two workers refreshing at once would burn it
and force a manual reconnection. So a refresh happens only inside a transaction holding the
account row's lock (``select_for_update``; on SQLite the ``IMMEDIATE`` transaction mode takes
the database's write lock instead), re-reads the row first (another worker may have refreshed
while this one waited) and stores the new pair in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

import httpx
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import facts
from .client import ZaloSettings, http_client, send, zalo_settings
from .errors import ZaloAuthError, ZaloError, ZaloNotConfigured, ZaloUnavailable
from .models import ZaloAccount

logger = logging.getLogger(__name__)

#: Seconds a token request may take while the refresh lock is held.
TOKEN_READ_TIMEOUT = 10.0


def oauth_token_request(*, fields: dict, config: ZaloSettings | None = None,
                        http: httpx.Client | None = None) -> dict:
    """POST the OAuth v4 token endpoint; returns ``access_token``, ``refresh_token``, seconds."""
    config = config or zalo_settings()
    if not config.configured:
        raise ZaloNotConfigured(_("Chưa cấu hình ứng dụng Zalo (ZALO_APP_ID, ZALO_APP_SECRET)."))
    own_http = http is None
    http = http or http_client(config)
    try:
        request = http.build_request(
            "POST", config.oauth_base + facts.OAUTH_TOKEN_PATH,
            headers={facts.OAUTH_SECRET_HEADER: config.app_secret},  # form-encoded [facts]
            data={**fields, "app_id": config.app_id},
            # Short: the caller holds the account's row lock (on SQLite, the write lock).
            timeout=httpx.Timeout(min(config.read_timeout, TOKEN_READ_TIMEOUT),
                                  connect=config.connect_timeout),
        )
        response = send(http, request)
    finally:
        if own_http:
            http.close()
    body = response.text[:2000]
    if response.status_code >= 500 or response.status_code == 429:
        raise ZaloUnavailable(_("Máy chủ cấp quyền của Zalo đang gặp sự cố (HTTP %(s)s).")
                              % {"s": response.status_code}, status=response.status_code, body=body)
    try:
        payload = response.json()
    except ValueError as err:
        raise ZaloUnavailable(_("Máy chủ cấp quyền của Zalo trả lời không đúng định dạng."),
                              status=response.status_code, body=body) from err
    # Any error on a token request means the refresh token (or code) is used up. [facts]
    if not isinstance(payload, dict) or payload.get("error") or not payload.get("access_token"):
        code = payload.get("error") if isinstance(payload, dict) else None
        raise ZaloAuthError(code=int(code) if str(code or "").lstrip("-").isdigit() else None,
                            status=response.status_code, body=body)
    try:
        expires_in = int(payload.get("expires_in") or facts.ACCESS_TOKEN_DEFAULT_LIFETIME)
    except (TypeError, ValueError):  # a string of seconds, "90000" [facts]
        expires_in = facts.ACCESS_TOKEN_DEFAULT_LIFETIME
    return {"access_token": str(payload["access_token"]),
            "refresh_token": str(payload.get("refresh_token") or ""),
            "expires_in": expires_in}


def _store_pair(account: ZaloAccount, pair: dict, *, now: dt.datetime) -> None:
    account.access_token = pair["access_token"]
    account.access_expires_at = now + dt.timedelta(seconds=pair["expires_in"])
    if pair["refresh_token"]:
        account.refresh_token = pair["refresh_token"]
        account.refresh_obtained_at = now
    account.refresh_count += 1
    account.status = ZaloAccount.Status.CONNECTED
    account.last_error = ""
    account.save(update_fields=["access_token", "access_expires_at", "refresh_token",
                                "refresh_obtained_at", "refresh_count", "status", "last_error",
                                "updated_at"])


def access_token_get(*, account_id: int, stale: str | None = None,
                     http: httpx.Client | None = None) -> str:
    """A usable access token: the stored one while fresh, else one refresh (see module doc).

    ``stale`` is a token Zalo just refused: it is never returned again.
    """
    return _retry_while_locked(lambda: _access_token_get(account_id, stale, http))


#: How long a worker waits for another one's refresh when SQLite answers "locked" at once.
LOCKED_WAIT_SECONDS = 30.0


def _retry_while_locked(fn):
    """SQLite may refuse at once ("database table is locked": shared-cache or a read that
    must upgrade) instead of waiting for the lock like PostgreSQL's row lock does; waiting
    and starting again is the same as having waited. Inside an outer transaction, retrying
    cannot help, so the error goes up."""
    deadline = time.monotonic() + LOCKED_WAIT_SECONDS
    while True:
        try:
            return fn()
        except OperationalError as err:
            if ("locked" not in str(err) or connection.in_atomic_block
                    or time.monotonic() > deadline):
                raise
            time.sleep(0.05)


def _access_token_get(account_id, stale, http) -> str:
    account = ZaloAccount.objects.only(
        "access_token", "access_expires_at", "status").get(pk=account_id)
    if account.access_token_fresh() and account.access_token != stale:
        return account.access_token
    return token_refresh(account_id=account_id, stale=stale, http=http)


def token_refresh(*, account_id: int, stale: str | None = None,
                  http: httpx.Client | None = None) -> str:
    """Refresh under the row lock; only one of several concurrent callers calls Zalo."""
    failure: ZaloAuthError | None = None
    with transaction.atomic():
        account = ZaloAccount.objects.select_for_update().get(pk=account_id)
        if account.access_token_fresh() and account.access_token != stale:
            return account.access_token  # refreshed by another worker while we waited
        if account.status == ZaloAccount.Status.NEEDS_RECONNECT or not account.refresh_token:
            raise ZaloAuthError()
        try:
            pair = oauth_token_request(
                fields={"refresh_token": account.refresh_token, "grant_type": "refresh_token"},
                http=http,
            )
        except ZaloAuthError as err:
            failure = err
        else:
            _store_pair(account, pair, now=timezone.now())
            logger.info("Zalo OA %s: access token refreshed", account.oa_id or account.pk)
            return account.access_token
    # Outside the rolled-back block: the burnt token must be recorded for the admin.
    account_mark_broken(account_id=account_id, error=str(failure))
    raise failure


def account_mark_broken(*, account_id: int, error: str) -> None:
    logger.error("Zalo OA account %s needs reconnecting: %s", account_id, error)
    ZaloAccount.objects.filter(pk=account_id).update(
        status=ZaloAccount.Status.NEEDS_RECONNECT, last_error=error[:2000], updated_at=timezone.now()
    )


def account_connect(*, site, refresh_token: str = "", code: str = "", code_verifier: str = "",
                    http: httpx.Client | None = None) -> ZaloAccount:
    """Connect ``site``'s OA from a refresh token (headless) or an OAuth code (PKCE flow).

    The token is exchanged at once (it is single use, so it is not stored as given), then the
    OA's id and name are read to show that the connection works.
    """
    if refresh_token:
        fields = {"refresh_token": refresh_token.strip(), "grant_type": "refresh_token"}
    elif code:
        fields = {"code": code, "code_verifier": code_verifier,
                  "grant_type": "authorization_code"}
    else:
        raise ValueError("refresh_token or code")
    account, _created = ZaloAccount.objects.get_or_create(site=site)
    with transaction.atomic():
        account = ZaloAccount.objects.select_for_update().get(pk=account.pk)
        pair = oauth_token_request(fields=fields, http=http)
        _store_pair(account, pair, now=timezone.now())
    account_check(account=account)
    account.refresh_from_db()
    return account


def account_check(*, account: ZaloAccount) -> dict:
    """The "test connection" button: read the OA profile with the stored tokens."""
    from .client import ZaloClient

    with ZaloClient(account=account) as client:
        try:
            info = client.get_oa_info()
        except ZaloError as err:
            ZaloAccount.objects.filter(pk=account.pk).update(
                last_error=str(err)[:2000], last_checked_at=timezone.now())
            raise
    ZaloAccount.objects.filter(pk=account.pk).update(
        oa_id=str(info.get("oa_id") or account.oa_id)[:64],
        oa_name=str(info.get("name") or account.oa_name)[:200],
        last_checked_at=timezone.now(), last_error="",
    )
    return info
