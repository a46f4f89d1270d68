"""Admin: the per-site Zalo OA settings page, the "test connection" button, OAuth PKCE connect."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import secrets
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.images.widgets import AdminImageChooser
from wagtail.models import Site

from . import facts
from .client import zalo_settings
from .errors import ZaloError
from .models import StaffZaloLink, ZaloAccount, ZaloArticle, ZaloBroadcast
from .selectors import broadcast_quota_use
from .staff_link import (
    CODE_LIFETIME,
    KEYWORD,
    code_display,
    staff_link_code_issue,
    staff_link_remove,
)
from .tokens import account_check, account_connect

logger = logging.getLogger(__name__)

PERMISSION = "zalo.change_zaloaccount"


def can_manage(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm(PERMISSION))


class AccountForm(forms.ModelForm):
    class Meta:
        model = ZaloAccount
        fields = ["package", "default_cover"]
        widgets = {"default_cover": AdminImageChooser}
        labels = {"package": gettext_lazy("Gói OA (quyết định hạn mức tin quảng bá mỗi tháng)")}


def _site(request) -> Site:
    site_id = request.GET.get("site") or request.POST.get("site")
    if site_id:
        return get_object_or_404(Site, pk=site_id)
    return Site.find_for_request(request) or Site.objects.get(is_default_site=True)


def _back(site) -> str:
    return reverse("zalo_admin:settings") + f"?site={site.pk}"


def settings_view(request):
    if not can_manage(request.user):
        raise PermissionDenied
    site = _site(request)
    account, _created = ZaloAccount.objects.get_or_create(site=site)
    form = AccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã lưu cài đặt Zalo OA."))
        return redirect(_back(site))
    config = zalo_settings()
    return TemplateResponse(request, "zalo/admin/settings.html", {
        "site": site,
        "sites": Site.objects.order_by("site_name", "hostname"),
        "account": account,
        "form": form,
        "configured": config.configured,
        "webhook_secret_set": bool(config.oa_secret),
        "quota": broadcast_quota_use(site=site, account=account),
        "broadcasts": ZaloBroadcast.objects.filter(site=site)[:10],
        "article_count": ZaloArticle.objects.filter(site=site, state=ZaloArticle.State.SHOWN).count(),
        "callback_url": request.build_absolute_uri(reverse("zalo_admin:oauth_callback")),
        "refresh_expires_at": (account.refresh_obtained_at
                               + dt.timedelta(days=facts.REFRESH_TOKEN_LIFETIME_DAYS)
                               if account.refresh_obtained_at else None),
    })


@require_POST
def check_view(request):
    if not can_manage(request.user):
        raise PermissionDenied
    site = _site(request)
    account = ZaloAccount.objects.filter(site=site).first()
    if account is None or account.status == ZaloAccount.Status.NOT_CONNECTED:
        messages.error(request, _("Chưa kết nối Zalo OA: bấm “Kết nối Zalo OA” trước."))
        return redirect(_back(site))
    try:
        info = account_check(account=account)
    except ZaloError as err:
        logger.warning("Zalo connection test failed for site %s: %s", site.pk, err)
        messages.error(request, _("Kiểm tra kết nối thất bại: %(error)s") % {"error": err})
    else:
        messages.success(request, _("Kết nối tốt: OA “%(name)s” (%(id)s), %(followers)s người "
                                    "quan tâm.") % {"name": info.get("name", ""),
                                                    "id": info.get("oa_id", ""),
                                                    "followers": info.get("num_follower", "?")})
    return redirect(_back(site))


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)[:64]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def connect_view(request):
    """Start the OAuth (PKCE) flow: send the admin's browser to Zalo to grant the OA.

    A link (GET), not a form: the admin's CSP ``form-action 'self'`` also applies to where a
    form submission is redirected, so a POST answered with a redirect to Zalo is blocked.
    Starting a flow only stores a fresh state and verifier; nothing is granted until the
    administrator approves on Zalo and comes back with the state.
    """
    if not can_manage(request.user):
        raise PermissionDenied
    site = _site(request)
    config = zalo_settings()
    if not config.configured:
        messages.error(request, _("Chưa cấu hình ZALO_APP_ID và ZALO_APP_SECRET trên máy chủ: "
                                  "xem docs/zalo.md."))
        return redirect(_back(site))
    account, _created = ZaloAccount.objects.get_or_create(site=site)
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    ZaloAccount.objects.filter(pk=account.pk).update(
        oauth_state=state, oauth_verifier=verifier, oauth_started_at=timezone.now())
    query = urlencode({
        "app_id": config.app_id,
        "redirect_uri": request.build_absolute_uri(reverse("zalo_admin:oauth_callback")),
        "code_challenge": challenge,
        "state": state,
    })
    return redirect(f"{config.oauth_base}{facts.OAUTH_PERMISSION_PATH}?{query}")


def oauth_callback_view(request):
    """Zalo sends the admin back here with ``code`` and our ``state``: exchange the code."""
    if not can_manage(request.user):
        raise PermissionDenied
    state = request.GET.get("state", "")
    code = request.GET.get("code", "")
    account = (ZaloAccount.objects.filter(oauth_state=state).select_related("site").first()
               if state else None)
    if account is None or not code:
        messages.error(request, _("Liên kết trả về từ Zalo không hợp lệ hoặc đã dùng; hãy bấm "
                                  "“Kết nối Zalo OA” lại."))
        return redirect("zalo_admin:settings")
    verifier = account.oauth_verifier
    started = account.oauth_started_at
    # The state and verifier are single use, whatever happens next.
    ZaloAccount.objects.filter(pk=account.pk).update(oauth_state="", oauth_verifier="")
    if not started or timezone.now() - started > dt.timedelta(
            seconds=facts.AUTHORIZATION_CODE_LIFETIME):
        messages.error(request, _("Quá 10 phút kể từ khi bấm “Kết nối”; hãy kết nối lại."))
        return redirect(_back(account.site))
    try:
        account = account_connect(site=account.site, code=code, code_verifier=verifier)
    except ZaloError as err:
        logger.warning("Zalo OAuth callback failed for site %s: %s", account.site_id, err)
        messages.error(request, _("Không kết nối được Zalo OA: %(error)s") % {"error": err})
    else:
        messages.success(request, _("Đã kết nối Zalo OA “%(name)s”.")
                         % {"name": account.oa_name or account.oa_id})
    return redirect(_back(account.site))


def staff_link_view(request):
    """"Liên kết Zalo": the signed-in staff member's own link on a site, a one-time code to send
    to the OA as ``LIENKET <mã>``, and unlinking. The code is shown once and never stored."""
    site = _site(request)
    code = expires_at = None
    if request.method == "POST":
        if request.POST.get("action") == "unlink":
            if staff_link_remove(site=site, user=request.user):
                messages.success(request, _("Đã huỷ liên kết Zalo."))
            return redirect(reverse("zalo_admin:staff_link") + f"?site={site.pk}")
        code, expires_at = staff_link_code_issue(site=site, user=request.user)
    link = StaffZaloLink.objects.filter(site=site, user=request.user).first()
    account = ZaloAccount.objects.filter(site=site).first()
    return TemplateResponse(request, "zalo/admin/staff_link.html", {
        "site": site,
        "sites": Site.objects.order_by("site_name", "hostname"),
        "account": account,
        "link": link if link is not None and link.is_linked else None,
        "code": code_display(code) if code else "",
        "keyword": KEYWORD,
        "expires_at": expires_at,
        "lifetime_minutes": int(CODE_LIFETIME.total_seconds() // 60),
        "window_days": facts.CS_MAX_DAYS,
    })
