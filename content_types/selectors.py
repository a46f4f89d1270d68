"""Read-side queries for the public site and the API."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import BulletinPage, Priority
from .snippets import Category, Zone


def bulletin_list_live() -> QuerySet:
    """Live, public bulletins newest first, with what a list item shows loaded up front."""
    return (
        BulletinPage.objects.live()
        .public()
        .select_related("category")
        .prefetch_related("zones")
        .order_by("-date", "-first_published_at", "-pk")
    )


def bulletin_emergency_live(*, now=None) -> list[BulletinPage]:
    """Emergency bulletins that are live and still valid: the site-wide banner."""
    now = now or timezone.now()
    return list(
        BulletinPage.objects.live()
        .public()
        .filter(priority=Priority.EMERGENCY)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=now))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .order_by("-first_published_at")
        .only("id", "title", "url_path", "summary", "path", "depth")[:3]
    )


@dataclass
class BulletinFilter:
    bulletins: QuerySet
    category: Category | None = None
    zone: Zone | None = None
    priority: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def query_string(self) -> str:
        """The active filters as a query string, for pagination links."""
        parts = []
        if self.category:
            parts.append(f"category={self.category.slug}")
        if self.zone:
            parts.append(f"zone={self.zone.code}")
        if self.priority:
            parts.append(f"priority={self.priority}")
        return "&".join(parts)


def bulletin_filter_from_query(params, *, descendant_of=None) -> BulletinFilter:
    """Apply ``category``, ``zone`` and ``priority`` filters; unknown values are reported, not fatal."""
    bulletins = bulletin_list_live()
    if descendant_of is not None:
        bulletins = bulletins.descendant_of(descendant_of)
    result = BulletinFilter(bulletins=bulletins)

    category_slug = params.get("category", "").strip()
    if category_slug:
        result.category = Category.objects.filter(slug=category_slug).first()
        if result.category is None:
            result.errors.append(_("Không tìm thấy lĩnh vực “%(value)s”.") % {"value": category_slug})
        else:
            result.bulletins = result.bulletins.filter(category=result.category)

    zone_code = params.get("zone", "").strip()
    if zone_code:
        result.zone = Zone.objects.filter(code=zone_code).first()
        if result.zone is None:
            result.errors.append(_("Không tìm thấy thôn / tổ dân phố “%(value)s”.") % {"value": zone_code})
        else:
            # A bulletin with no zone is for the whole commune, so every zone sees it.
            result.bulletins = result.bulletins.filter(
                Q(zones=result.zone) | Q(zones__isnull=True)
            ).distinct()

    priority = params.get("priority", "").strip()
    if priority:
        if priority in Priority.values:
            result.priority = priority
            result.bulletins = result.bulletins.filter(priority=priority)
        else:
            result.errors.append(_("Mức ưu tiên “%(value)s” không hợp lệ.") % {"value": priority})
    return result
