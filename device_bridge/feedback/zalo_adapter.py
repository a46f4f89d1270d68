"""The few things feedback needs from ``device_bridge.zalo``: which site an OA id belongs to,
the OA secret that signs webhooks, and sending a text reply. Imported at call time so the
feedback app does not load the HTTP client at import."""

from __future__ import annotations

import logging

from django.apps import apps
from django.conf import settings
from wagtail.models import Site

logger = logging.getLogger(__name__)


def oa_secret() -> str:
    """The OA secret key that signs webhook events (not the app secret: reference, Webhook)."""
    return getattr(settings, "ZALO_OA_SECRET", "") or ""


def app_id() -> str:
    return str(getattr(settings, "ZALO_APP_ID", "") or "")


def site_for_oa(oa_id: str) -> Site | None:
    """The site whose Zalo account has this OA id; the default site when none has it (one
    commune per installation, or an OA whose id was not filled in the settings page yet)."""
    if oa_id:
        try:
            account_model = apps.get_model("zalo", "ZaloAccount")
        except LookupError:
            account_model = None
        if account_model is not None:
            account = account_model.objects.filter(oa_id=oa_id).select_related("site").first()
            if account is not None:
                return account.site
        logger.warning("Zalo webhook: no site has OA id %s; using the default site", oa_id)
    return Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()


def send_text(*, site: Site, user_id: str, text: str) -> str:
    """Send a customer-service text message; returns Zalo's message id.

    Raises ``device_bridge.zalo.errors.ZaloError`` subclasses."""
    from device_bridge.zalo.client import client_for_site

    with client_for_site(site) as client:
        return client.send_text(user_id, text)


def zalo_errors():
    """The Zalo client's exception classes, looked up at call time."""
    from device_bridge.zalo import errors

    return errors
