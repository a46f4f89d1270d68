"""Reads of the CAP app: the alerts a site took in, the emergencies it gives out."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from wagtail.models import Site

from content_types.models import BulletinPage, Priority

from .models import CapAlert

RECENT_ALERTS = 50
FEED_LIMIT = 50


def alerts_recent(*, site: Site, limit: int = RECENT_ALERTS) -> list[CapAlert]:
    return list(CapAlert.objects.filter(site=site).select_related("page", "imported_by")[:limit])


def emergencies_public(*, site: Site, now=None) -> QuerySet[BulletinPage]:
    """Live emergency bulletins of ``site`` anyone may read, still in force, newest first.

    ``public()`` drops every page under a view restriction (password, login, groups), so a
    private or restricted bulletin never reaches the feed; drafts are not ``live``."""
    now = now or timezone.now()
    return (
        BulletinPage.objects.live().public()
        .descendant_of(site.root_page)
        .filter(priority=Priority.EMERGENCY)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .select_related("category")
        .prefetch_related("zones")
        .order_by("-first_published_at", "-pk")[:FEED_LIMIT]
    )


def emergency_public(*, site: Site, page_id: int) -> BulletinPage | None:
    now = timezone.now()
    return (
        BulletinPage.objects.live().public()
        .descendant_of(site.root_page)
        .filter(priority=Priority.EMERGENCY, pk=page_id)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .select_related("category")
        .prefetch_related("zones")
        .first()
    )
