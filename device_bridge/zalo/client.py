"""A thin client of the Zalo Official Account API (httpx; Zalo's SDKs on PyPI are abandoned).

One ``ZaloClient`` per OA (``client_for_site``), one HTTP session, explicit timeouts; building
a request is separate from reading Zalo's envelope. Every quirk of the API is a constant in
``facts.py`` with its source. Tokens live in the database (``ZaloAccount``, ``tokens.py``).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from . import facts
from .errors import (
    ZaloAuthError,
    ZaloError,
    ZaloNotConfigured,
    ZaloNotFollowing,
    ZaloRateLimited,
    ZaloReplyWindowClosed,
    ZaloUnavailable,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ZaloSettings:
    api_base: str
    oauth_base: str
    app_id: str
    app_secret: str
    oa_secret: str
    connect_timeout: float
    read_timeout: float

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_secret)


def zalo_settings() -> ZaloSettings:
    """Read at call time, so ``override_settings`` and the test fixture take effect."""
    return ZaloSettings(
        api_base=getattr(settings, "ZALO_API_BASE", facts.DEFAULT_API_BASE).rstrip("/"),
        oauth_base=getattr(settings, "ZALO_OAUTH_BASE", facts.DEFAULT_OAUTH_BASE).rstrip("/"),
        app_id=getattr(settings, "ZALO_APP_ID", ""),
        app_secret=getattr(settings, "ZALO_APP_SECRET", ""),
        oa_secret=getattr(settings, "ZALO_OA_SECRET", ""),
        connect_timeout=float(getattr(settings, "ZALO_CONNECT_TIMEOUT", 5.0)),
        read_timeout=float(getattr(settings, "ZALO_READ_TIMEOUT", 20.0)),
    )


class _TokenRejected(ZaloError):
    """-216/-220: internal, turned into one refresh-and-retry, then ``ZaloAuthError``."""


_ERRORS_BY_CODE: dict[int, type[ZaloError]] = {
    facts.ERR_RATE_LIMITED: ZaloRateLimited,
    facts.ERR_USER_NOT_FOLLOWING: ZaloNotFollowing,
    facts.ERR_REPLY_WINDOW_CLOSED: ZaloReplyWindowClosed,
    facts.ERR_ACCESS_TOKEN_INVALID: _TokenRejected,
    facts.ERR_ACCESS_TOKEN_EXPIRED: _TokenRejected,
}


def _explain(code: int) -> str:
    """What a known error code means, for the admin (Zalo's own message is English)."""
    return {
        facts.ERR_RATE_LIMITED: _("Zalo từ chối vì gửi quá nhiều yêu cầu"),
        facts.ERR_USER_NOT_FOLLOWING: _("Người này chưa quan tâm OA hoặc đã bỏ quan tâm"),
        facts.ERR_REPLY_WINDOW_CLOSED: _("Đã quá %(days)s ngày kể từ lần cuối người dân nhắn "
                                         "cho OA: Zalo không cho gửi tin tư vấn")
        % {"days": facts.CS_MAX_DAYS},
        facts.ERR_MEDIA_PROCESSING: _("Zalo đang xử lý ảnh/video của bài viết"),
        facts.ERR_ACCESS_TOKEN_INVALID: _("Mã truy cập Zalo không hợp lệ"),
        facts.ERR_ACCESS_TOKEN_EXPIRED: _("Mã truy cập Zalo đã hết hạn"),
    }.get(code, "")


def http_client(config: ZaloSettings) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
        headers={"User-Agent": "TTCS-Zalo/1"},
    )


def send(http: httpx.Client, request: httpx.Request) -> httpx.Response:
    """Send; wrap every transport failure in ``ZaloUnavailable``."""
    try:
        return http.send(request)
    except (httpx.ConnectTimeout, httpx.PoolTimeout) as err:
        raise ZaloUnavailable(_("Không kết nối được tới Zalo (quá thời gian chờ)."),
                              body=str(err)) from err
    except (httpx.TimeoutException, httpx.RemoteProtocolError) as err:
        # The request was sent: Zalo may have acted on it before the answer was lost.
        raise ZaloUnavailable(_("Zalo không trả lời kịp (quá thời gian chờ)."), body=str(err),
                              maybe_applied=True) from err
    except httpx.TransportError as err:
        raise ZaloUnavailable(_("Không kết nối được tới Zalo."), body=str(err)) from err


def parse_envelope(response: httpx.Response) -> dict:
    """``data`` of ``{"error": 0, "message": ..., "data": ...}``, or the matching exception.

    Both the HTTP status and the envelope's ``error`` are checked: Zalo is said to answer 200
    even on failure (UNCONFIRMED, facts.py), and a proxy in between may not.
    """
    status = response.status_code
    body = response.text[:2000]
    if status == 429:
        raise ZaloRateLimited(_("Zalo từ chối vì gửi quá nhiều yêu cầu."), status=status, body=body)
    if status >= 500:
        raise ZaloUnavailable(_("Zalo đang gặp sự cố (HTTP %(status)s).") % {"status": status},
                              status=status, body=body)
    try:
        payload = response.json()
    except ValueError as err:
        raise ZaloUnavailable(_("Zalo trả lời không đúng định dạng (HTTP %(status)s).")
                              % {"status": status}, status=status, body=body) from err
    if not isinstance(payload, dict):
        raise ZaloError(_("Zalo trả lời không đúng định dạng."), status=status, body=body)
    code = payload.get("error", facts.OK)
    try:
        code = int(code)
    except (TypeError, ValueError):
        code = -1
    if code != facts.OK:
        message = str(payload.get("message") or payload.get("error_name") or "error")
        explained = _explain(code)
        if explained:
            message = f"{explained} ({message})"
        cls = _ERRORS_BY_CODE.get(code, ZaloError)
        raise cls(message, code=code, status=status, body=body)
    if status >= 400:
        raise ZaloError(_("Zalo từ chối yêu cầu (HTTP %(status)s).") % {"status": status},
                        status=status, body=body)
    data = payload.get("data")
    return data if isinstance(data, dict) else {"value": data}


class ZaloClient:
    """Calls the OA API on behalf of one ``ZaloAccount`` (or with a bare access token).

    Safe calls (reads, verify, remove) are retried here a few times on transient errors;
    calls with an effect (create, update, broadcast, messages) are not: the delivery engine
    retries those with backoff, after looking up whether the first attempt landed.
    """

    def __init__(self, *, account=None, access_token: str = "", config: ZaloSettings | None = None,
                 http: httpx.Client | None = None, sleep=time.sleep, safe_retries: int = 2,
                 backoff: float = 0.5):
        self.account = account
        self._static_token = access_token
        self.config = config or zalo_settings()
        self.http = http or http_client(self.config)
        self.sleep = sleep
        self.safe_retries = safe_retries
        self.backoff = backoff

    def close(self) -> None:
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- tokens ------------------------------------------------------------------------
    def _access_token(self, *, stale: str | None = None) -> str:
        if self.account is None:
            if not self._static_token:
                raise ZaloNotConfigured(_("Chưa có mã truy cập Zalo."))
            if stale:
                raise ZaloAuthError(code=facts.ERR_ACCESS_TOKEN_INVALID)
            return self._static_token
        from .tokens import access_token_get

        return access_token_get(account_id=self.account.pk, stale=stale, http=self.http)

    # --- transport -----------------------------------------------------------------------
    def build_request(self, method: str, path: str, token: str, *, params: dict | None = None,
                      payload: dict | None = None, files: dict | None = None) -> httpx.Request:
        headers = {facts.ACCESS_TOKEN_HEADER: token}  # not "Authorization: Bearer" [facts]
        url = self.config.api_base + path
        query = None
        if params is not None:
            # GET endpoints take one JSON-encoded ``data`` parameter (facts.GET_DATA_PARAM).
            query = {facts.GET_DATA_PARAM: json.dumps(params, separators=(",", ":"))}
        return self.http.build_request(method, url, headers=headers, params=query,
                                       json=payload, files=files)

    def call(self, method: str, path: str, *, params: dict | None = None,
             payload: dict | None = None, files: dict | None = None, safe: bool = False) -> dict:
        """One API call with the token dance: on -216/-220 refresh once and retry once."""
        attempts = 1 + (self.safe_retries if safe else 0)
        for attempt in range(attempts):
            try:
                return self._call_with_token(method, path, params=params, payload=payload,
                                             files=files)
            except (ZaloUnavailable, ZaloRateLimited) as err:
                if attempt + 1 >= attempts:
                    raise
                delay = self.backoff * (2 ** attempt)
                logger.info("Zalo %s %s: %s; retrying in %.1fs", method, path, err, delay)
                self.sleep(delay)
        raise AssertionError("unreachable")

    def _call_with_token(self, method, path, **kwargs) -> dict:
        token = self._access_token()
        try:
            return parse_envelope(send(self.http, self.build_request(method, path, token, **kwargs)))
        except _TokenRejected as first:
            logger.info("Zalo refused the access token (%s); refreshing once", first.code)
        token = self._access_token(stale=token)
        try:
            return parse_envelope(send(self.http, self.build_request(method, path, token, **kwargs)))
        except _TokenRejected as second:
            from .tokens import account_mark_broken

            err = ZaloAuthError(code=second.code, status=second.status, body=second.body)
            if self.account is not None:
                account_mark_broken(account_id=self.account.pk, error=str(err))
            raise err from second

    # --- OA ------------------------------------------------------------------------------
    def get_oa_info(self) -> dict:
        """The OA's profile: ``oa_id``, ``name``, ``num_follower``... (getoa)."""
        return self.call("GET", facts.OA_INFO, params={}, safe=True)

    def send_text(self, user_id: str, text: str) -> str:
        """A customer-service message (tin tư vấn) to one citizen; returns Zalo's message id."""
        if not text.strip():
            raise ValueError("empty message")
        data = self.call("POST", facts.OA_CS_MESSAGE, payload={
            "recipient": {"user_id": str(user_id)},
            "message": {"text": text[: facts.CS_TEXT_MAX]},
        })
        return str(data.get("message_id", ""))

    def upload_image(self, content: bytes, *, filename: str = "image.jpg",
                     content_type: str = "image/jpeg") -> str:
        """Upload a JPG/PNG (<= 1 MB) for messages; returns its ``attachment_id``."""
        if content_type not in facts.IMAGE_TYPES:
            raise ZaloError(_("Zalo chỉ nhận ảnh JPG hoặc PNG."))
        if len(content) > facts.IMAGE_MAX_BYTES:
            raise ZaloError(_("Ảnh lớn hơn 1 MB, Zalo không nhận."))
        data = self.call("POST", facts.OA_UPLOAD_IMAGE,
                         files={"file": (filename, content, content_type)})
        return str(data.get("attachment_id", ""))

    # --- articles --------------------------------------------------------------------------
    def create_article(self, article: dict[str, Any]) -> str:
        """Start creating an article; returns the token to ``verify_article`` (async on Zalo)."""
        data = self.call("POST", facts.ARTICLE_CREATE, payload=article)
        return str(data["token"])

    def update_article(self, article_id: str, article: dict[str, Any]) -> str:
        """Same body as create plus ``id``; returns a new token to verify."""
        data = self.call("POST", facts.ARTICLE_UPDATE, payload={**article, "id": str(article_id)})
        return str(data.get("token", ""))

    def verify_article(self, token: str, *, attempts: int | None = None,
                       delay: float | None = None) -> str:
        """The article id for a create/update token, retried while media is processed (-214)."""
        attempts = attempts or facts.VERIFY_ATTEMPTS
        delay = facts.VERIFY_DELAY_SECONDS if delay is None else delay
        for attempt in range(attempts):
            try:
                data = self.call("POST", facts.ARTICLE_VERIFY, payload={"token": token}, safe=True)
            except ZaloError as err:
                if err.code != facts.ERR_MEDIA_PROCESSING or attempt + 1 >= attempts:
                    if err.code == facts.ERR_MEDIA_PROCESSING:
                        raise ZaloUnavailable(
                            _("Zalo vẫn đang xử lý ảnh/video của bài viết; sẽ thử lại sau."),
                            code=err.code, status=err.status, body=err.body,
                        ) from err
                    raise
                self.sleep(delay)
                continue
            # One client reads ``data.article_id``; the SDK reads ``data.id``. [facts]
            article_id = data.get("id") or data.get("article_id")
            if not article_id:
                raise ZaloError(_("Zalo không trả về mã bài viết."))
            return str(article_id)
        raise AssertionError("unreachable")

    def remove_article(self, article_id: str) -> None:
        self.call("POST", facts.ARTICLE_REMOVE, payload={"id": str(article_id)}, safe=True)

    def get_article(self, article_id: str) -> dict:
        return self.call("GET", facts.ARTICLE_DETAIL, params={"id": str(article_id)}, safe=True)

    def list_articles(self, *, offset: int = 0, limit: int = 20) -> list[dict]:
        """Newest first (getslice); ``medias`` items carry ``id``, ``title``, ``create_date``."""
        data = self.call("GET", facts.ARTICLE_SLICE,
                         params={"offset": offset, "limit": limit, "type": "normal"}, safe=True)
        medias = data.get("medias") or data.get("articles") or []
        return [m for m in medias if isinstance(m, dict)]

    def broadcast_articles(self, article_ids: list[str], target: dict | None = None) -> str:
        """Broadcast up to 5 articles to followers (empty target: all); returns message id."""
        ids = [str(a) for a in article_ids]
        if not ids or len(ids) > facts.BROADCAST_MAX_ARTICLES:
            raise ValueError(f"1 to {facts.BROADCAST_MAX_ARTICLES} articles per broadcast")
        clean_target = {k: v for k, v in (target or {}).items()
                        if k in facts.BROADCAST_TARGET_KEYS and v}
        data = self.call("POST", facts.OA_BROADCAST, payload={
            "recipient": {"target": clean_target},
            "message": {"attachment": {"type": "template", "payload": {
                "template_type": "media",
                "elements": [{"media_type": "article", "attachment_id": i} for i in ids],
            }}},
        })
        return str(data.get("message_id", ""))


def client_for_site(site) -> ZaloClient:
    """The client of ``site``'s OA; ``ZaloNotConfigured`` when there is none to use."""
    from .models import ZaloAccount

    config = zalo_settings()
    if not config.configured:
        raise ZaloNotConfigured(_("Chưa cấu hình ứng dụng Zalo (ZALO_APP_ID, ZALO_APP_SECRET)."))
    account = ZaloAccount.objects.filter(site=site).first() if site is not None else None
    if account is None or account.status == ZaloAccount.Status.NOT_CONNECTED:
        raise ZaloNotConfigured(_("Cổng thông tin này chưa kết nối Zalo OA."))
    if account.status == ZaloAccount.Status.NEEDS_RECONNECT:
        raise ZaloAuthError()
    return ZaloClient(account=account, config=config)
