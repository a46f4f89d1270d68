"""Read-side queries for the public site and the API.

``public_pages`` is the one visibility rule of every public channel: the site's lists, the
emergency banner, search, RSS, the API (pages, images, documents), the podcast and its audio.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, IntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page, PageQuerySet, ReferenceIndex, Revision, Site
from wagtail.search.query import Or, PlainText

from .models import BulletinPage, Priority
from .search import fold, tone_match_score
from .snippets import Category, Zone


def public_pages(pages: PageQuerySet | None = None, *, site: Site | None = None) -> PageQuerySet:
    """What anyone may see: live, no view restriction (password, login, groups) on the page
    or an ancestor, and inside ``site`` when one is given.

    Restricted pages are served by Wagtail to whoever passes the restriction, but no public
    channel (list, feed, API, podcast, search) ever shows them: those answers are shared and
    cached, so they must be the same for everybody.
    """
    pages = Page.objects.all() if pages is None else pages
    pages = pages.live().public()
    if site is not None:
        pages = pages.in_site(site)
    return pages


# Candidates the ranking rule orders; a commune's search rarely has more matches than this.
SEARCH_CANDIDATES = 200


def page_search(query: str, *, site: Site | None) -> list[Page]:
    """Public pages of ``site`` matching ``query``, most relevant first (Vietnamese-aware).

    The query is searched as typed or without tones through the Wagtail search backend, which
    orders by its relevance; the words found with their tones then come first (title before
    body): "bão" puts the storm warning above "bảo hiểm". See ``content_types/search.py``.
    """
    folded = fold(query)
    search_query = Or([PlainText(query), PlainText(folded)]) if folded != query.lower() \
        else PlainText(query)
    candidates = list(
        public_pages(site=site).specific().search(search_query, order_by_relevance=True)
        [:SEARCH_CANDIDATES]
    )
    # Between equal matches a live emergency comes first (a resident typing "bão" during a storm
    # wants the warning); ``sorted`` is stable, so the rest keep the backend's relevance order.
    return sorted(
        candidates,
        key=lambda page: (-tone_match_score(page, query), not getattr(page, "is_emergency", False)),
    )


def media_in_public_use(objects: QuerySet, *, site: Site | None = None) -> QuerySet:
    """The images or documents of ``objects`` that a public page uses (``public_pages``).

    Wagtail's reference index records what each page's saved row (its live content, for a
    live page) references, from StreamField blocks and rich text alike; an upload made for a
    draft, or used only behind a view restriction, is not in use.
    """
    using_pages = (
        public_pages(site=site)
        .annotate(key=Cast("pk", output_field=CharField()))
        .values("key")
    )
    used = (
        ReferenceIndex.objects.filter(
            to_content_type=ContentType.objects.get_for_model(objects.model),
            base_content_type=ContentType.objects.get_for_model(Page),
            object_id__in=using_pages,
        )
        .annotate(target_id=Cast("to_object_id", output_field=IntegerField()))
        .values("target_id")
    )
    # A plain ``pk__in`` (no annotation on ``objects``) keeps the API's search and ordering working.
    return objects.filter(pk__in=used)


def document_may_be_served(document, *, request) -> bool:
    """Whether ``/documents/<id>/<name>`` may answer this request.

    Staff of the information office (admin access) read every document, drafts' included;
    anyone else only a document that a public page uses, or one used by a live page whose view
    restriction this visitor has passed. Collection privacy is Wagtail's own check, on top.
    """
    user = request.user
    if user.is_authenticated and user.has_perm("wagtailadmin.access_admin"):
        return True
    documents = type(document).objects.filter(pk=document.pk)
    if media_in_public_use(documents).exists():
        return True
    page_ids = ReferenceIndex.get_references_to(document).filter(
        base_content_type=ContentType.objects.get_for_model(Page)
    ).values_list("object_id", flat=True)
    for page in Page.objects.live().filter(pk__in=[int(pk) for pk in page_ids]):
        if all(restriction.accept_request(request) for restriction in page.get_view_restrictions()):
            return True
    return False


def bulletin_list_live(*, site: Site | None = None) -> QuerySet:
    """Live, public bulletins newest first, with what a list item shows loaded up front."""
    return (
        public_pages(BulletinPage.objects.all(), site=site)
        .select_related("category")
        .prefetch_related("zones")
        .order_by("-date", "-first_published_at", "-pk")
    )


def bulletin_emergency_live(*, now=None, site: Site | None = None) -> list[BulletinPage]:
    """Emergency bulletins that are public and still valid: the site-wide banner.

    One published before the validity end was required has none: it holds 24 hours from its
    first publication, never forever.
    """
    from .forms import EMERGENCY_VALIDITY

    now = now or timezone.now()
    return list(
        public_pages(BulletinPage.objects.all(), site=site)
        .filter(priority=Priority.EMERGENCY)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=now))
        .filter(
            Q(valid_until__gt=now)
            | Q(valid_until__isnull=True, first_published_at__gt=now - EMERGENCY_VALIDITY)
        )
        .order_by("-first_published_at")
        .only("id", "title", "url_path", "summary", "path", "depth", "first_published_at",
              "valid_until")[:3]
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


def bulletin_filter_from_query(params, *, site: Site | None) -> BulletinFilter:
    """Every live public bulletin of ``site`` (campaigns' included), filtered by ``category``,
    ``zone`` and ``priority``; unknown values are reported, not fatal."""
    bulletins = bulletin_list_live(site=site)
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


@dataclass
class ZoneUse:
    """One kind of record that names a zone: its label and the records (at most ``limit``)."""

    label: str
    count: int
    names: list[str]


def zone_usage(zone: Zone, *, limit: int = 10) -> list[ZoneUse]:
    """Everything that names ``zone``: bulletins, speaker clusters, rules, relays...

    Read from the model relations themselves, so a relation added later is covered without
    touching this. Wagtail's reference index does not follow many-to-many fields, which is
    why its delete page said a zone that bulletins use was "referenced 0 times".
    """
    uses = []
    for relation in Zone._meta.related_objects:
        model = relation.related_model
        records = list(model._default_manager.filter(**{relation.field.name: zone}).distinct())
        if relation.many_to_many and issubclass(model, Page):
            # A draft or scheduled revision naming the zone would lose it on publish (the
            # missing id is silently dropped) and go out to the whole commune.
            named = {record.pk for record in records}
            records += [page for page in zone_pages_in_revisions(model, relation.field.name, zone)
                        if page.pk not in named]
        if records:
            uses.append(ZoneUse(label=str(model._meta.verbose_name), count=len(records),
                                names=[str(record) for record in records[:limit]]))
    return uses


def zone_pages_in_revisions(model, field_name: str, zone: Zone) -> list[Page]:
    """Pages of ``model`` whose unpublished draft or scheduled revision names ``zone``."""
    content_type = ContentType.objects.get_for_model(model)
    revisions = Revision.objects.filter(content_type=content_type).filter(
        Q(approved_go_live_at__isnull=False)
        | Q(pk__in=model.objects.filter(has_unpublished_changes=True).values("latest_revision_id"))
    ).only("object_id", "content")
    page_ids = {int(revision.object_id) for revision in revisions
                if zone.pk in (revision.content.get(field_name) or [])}
    return list(model.objects.filter(pk__in=page_ids)) if page_ids else []


def zone_usage_message(zone: Zone, uses: list[ZoneUse]) -> str:
    """The Vietnamese refusal listing what uses the zone."""
    parts = []
    for use in uses:
        names = ", ".join(f"“{name}”" for name in use.names)
        more = _(" và %(count)s mục khác") % {"count": use.count - len(use.names)} \
            if use.count > len(use.names) else ""
        parts.append(f"{use.label} ({use.count}): {names}{more}")
    return _("Không xoá được thôn “%(zone)s” vì đang được dùng: %(uses)s. Xoá thôn sẽ biến các "
             "tin phát theo thôn này thành tin phát cho toàn xã. Hãy ngừng sử dụng thôn (bỏ chọn "
             "“Đang sử dụng”) hoặc gộp thôn vào một thôn khác.") % {
        "zone": zone.name, "uses": "; ".join(parts)}
