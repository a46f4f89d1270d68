"""Security plumbing: the admin's Content-Security-Policy, the client address and the login lockout.

Settings live in ``cms/settings/base.py`` (``CONTENT_SECURITY_POLICY``,
``CONTENT_SECURITY_POLICY_ADMIN``, ``AXES_*``); see ``docs/operations.md``.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext


class SiteAndAdminCSPMiddleware(CSPMiddleware):
    """django-csp with a second, looser policy for the Wagtail admin.

    The public site runs under ``CONTENT_SECURITY_POLICY``: no inline script at all. Wagtail 8's
    admin renders inline ``<script>`` initialisers (date pickers, inline panels, choosers) that
    cannot carry a nonce, so paths under ``CONTENT_SECURITY_POLICY_ADMIN["URL_PREFIXES"]`` get
    that policy instead. A view's own ``@csp`` decorator still wins.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponse, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        admin_policy = settings.CONTENT_SECURITY_POLICY_ADMIN
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(tuple(admin_policy["URL_PREFIXES"]))
        ):
            parts.config = admin_policy["DIRECTIVES"]
        return parts


def client_ip(request: HttpRequest) -> str | None:
    """The address a request came from, as the trusted reverse proxies in front of us saw it.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so
    with ``TRUSTED_PROXY_COUNT`` proxies the client is that many entries from the right; anything
    further left was written by the client and is ignored. No trusted proxy: ``REMOTE_ADDR``.
    """
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    return forwarded[-hops] if len(forwarded) >= hops else remote


def login_lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return gettext(
        "Tài khoản này tạm bị khoá đăng nhập từ máy của bạn sau %(limit)d lần nhập sai mật khẩu. "
        "Hãy thử lại sau %(minutes)d phút, hoặc nhờ Quản trị mở khoá."
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}


def login_lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """django-axes' lockout answer (``AXES_LOCKOUT_CALLABLE``), HTTP 429.

    On the Wagtail login page the form itself already carries the Vietnamese lockout message
    (``cms.forms.LoginForm``), so the page is kept as it is, with the status changed.
    """
    match = request.resolver_match
    if (
        isinstance(original_response, HttpResponse)
        and match is not None
        and match.url_name == "wagtailadmin_login"
    ):
        original_response.status_code = 429
        return original_response
    return render(
        request, "cms/login_locked.html", {"message": login_lockout_message()}, status=429
    )
