"""Write-side operations on the portal's content."""

import datetime as dt
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from . import demo_content
from .models import (
    BulletinPage,
    CampaignIndexPage,
    CampaignPage,
    CommuneSettings,
    HomePage,
    NewsIndexPage,
)
from .snippets import Category, Zone

DEMO_PASSWORD = "ttcs-demo-2026"
DEMO_ACCOUNTS = [
    # username, full name, superuser, group names (roles are given permissions in workflows)
    ("admin", "Quản trị hệ thống", True, ["Quản trị"]),
    ("bientap", "Nguyễn Thị Biên", False, ["Biên tập viên"]),
    ("duyet", "Trần Văn Duyệt", False, ["Người duyệt", "Lãnh đạo UBND"]),
    ("kythuat", "Lê Văn Kỹ", False, ["Kỹ thuật viên"]),
    ("kinhte", "Phạm Thị Kinh", False, ["Phòng Kinh tế"]),
]


def _child(parent: Page, slug: str):
    return parent.get_children().filter(slug=slug).specific().first()


def _add_published(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@transaction.atomic
def demo_site_seed() -> dict:
    """Build the demo commune site; running it again changes nothing. Returns what was created."""
    created = {"categories": 0, "zones": 0, "pages": 0, "users": 0, "clusters": 0, "rules": 0,
               "schedules": 0}

    for order, (slug, name) in enumerate(demo_content.CATEGORIES):
        _, made = Category.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": order})
        created["categories"] += made
    for code, name, kind, households in demo_content.ZONES:
        _, made = Zone.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "households": households}
        )
        created["zones"] += made

    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(
            title="Cổng thông tin điện tử xã Chí Minh",
            slug="trang-chu",
            intro="Thông tin thiết yếu, bản tin đài truyền thanh và các chiến dịch tuyên truyền "
            "của xã Chí Minh, thành phố Hải Phòng.",
        )
        _add_published(root, home)
        created["pages"] += 1
    base = urlsplit(settings.SITE_BASE_URL)
    hostname = base.hostname or "localhost"
    port = base.port or (443 if base.scheme == "https" else 80)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(hostname=hostname, port=port, root_page=home, is_default_site=True,
                                   site_name="Cổng thông tin xã Chí Minh")
    elif site.root_page_id != home.pk:
        site.hostname, site.port = hostname, port
        old_root = site.root_page
        site.root_page = home
        site.site_name = "Cổng thông tin xã Chí Minh"
        site.save()
        # Wagtail's install leaves a "Welcome" page: it is not part of the commune's site.
        if old_root.depth == 2 and type(old_root.specific) is Page and not old_root.get_children().exists():
            old_root.delete()
    CommuneSettings.objects.get_or_create(
        site=site,
        defaults={
            "address": "Trụ sở UBND xã Chí Minh, thành phố Hải Phòng",
            "phone": "0220 3888 123",
            "email": "ttcs.chiminh@example.vn",
        },
    )

    def section(page_class, slug, title, intro):
        page = _child(home, slug)
        if page is None:
            page = _add_published(
                home, page_class(title=title, slug=slug, show_in_menus=True, intro=intro)
            )
            created["pages"] += 1
        return page

    news = section(NewsIndexPage, "tin-tuc", "Tin tức",
                   "Bản tin của đài truyền thanh và thông báo của UBND xã.")
    campaigns_index = section(CampaignIndexPage, "chien-dich", "Chiến dịch tuyên truyền",
                              "Các đợt tuyên truyền theo kế hoạch thông tin cơ sở năm 2026.")

    campaigns = {}
    for data in demo_content.CAMPAIGNS:
        campaign = _child(campaigns_index, data["slug"])
        if campaign is None:
            campaign = _add_published(campaigns_index, CampaignPage(
                title=data["title"], slug=data["slug"], goal=data["goal"], audience=data["audience"],
                start_date=dt.date.fromisoformat(data["start_date"]),
                end_date=dt.date.fromisoformat(data["end_date"]),
                target_bulletins=data["target_bulletins"],
            ))
            created["pages"] += 1
        campaigns[data["slug"]] = campaign

    categories = {c.slug: c for c in Category.objects.all()}
    zones = {z.code: z for z in Zone.objects.all()}
    # Before the bulletins: their approval dispatches them to these clusters on this schedule.
    created.update(demo_broadcast_seed(zones=zones))
    for index, (slug, title, category, priority, zone_codes, campaign_slug, summary, paragraphs) in enumerate(
        demo_content.BULLETINS
    ):
        parent = campaigns[campaign_slug] if campaign_slug else news
        if BulletinPage.objects.filter(slug=slug).exists():
            continue
        bulletin = BulletinPage(
            title=title, slug=slug, summary=summary, category=categories[category], priority=priority,
            date=dt.date(2026, 11, 25) - dt.timedelta(days=2 * index),
            body=json.dumps([{"type": "paragraph", "value": f"<p>{text}</p>"} for text in paragraphs]),
        )
        bulletin.zones = [zones[code] for code in zone_codes]
        _add_published(parent, bulletin)
        _date_publication(bulletin)
        created["pages"] += 1

    User = get_user_model()
    for username, full_name, is_superuser, group_names in DEMO_ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue
        # Vietnamese names read family name first; Django's get_full_name() puts first_name
        # first, so the whole name goes there.
        user = User.objects.create_user(
            username=username, password=DEMO_PASSWORD, email=f"{username}@example.vn",
            first_name=full_name, is_staff=is_superuser, is_superuser=is_superuser,
        )
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in group_names])
        created["users"] += 1
    return created


def _date_publication(page: BulletinPage) -> None:
    """A seeded bulletin reads as published on its own date (feeds' pubDate, lists), not at
    the moment the demo was seeded: 07:00 local time that day."""
    published = dt.datetime.combine(page.date, dt.time(7, 0), timezone.get_current_timezone())
    BulletinPage.objects.filter(pk=page.pk).update(first_published_at=published,
                                                   last_published_at=published)
    page.first_published_at = page.last_published_at = published


def demo_broadcast_seed(*, zones: dict) -> dict:
    """The demo's default schedule, distribution rules and simulated speaker clusters
    (idempotent: found by name and code). Returns how many of each were created."""
    from device_bridge.models import DistributionRule, ScheduleTemplate, SpeakerCluster

    created = {"schedules": 0, "rules": 0, "clusters": 0}
    data = demo_content.SCHEDULE_TEMPLATE
    # The default unless the office already chose one.
    template, made = ScheduleTemplate.objects.get_or_create(
        name=data["name"],
        defaults={**data, "is_default": not ScheduleTemplate.objects.filter(is_default=True).exists()},
    )
    created["schedules"] += made
    for name, priority, channels, sort_order in demo_content.DISTRIBUTION_RULES:
        _, made = DistributionRule.objects.get_or_create(
            name=name, defaults={"priority": priority, "channels": channels,
                                 "sort_order": sort_order, "schedule_template": template},
        )
        created["rules"] += made
    for code, name, zone_code, address, latitude, longitude in demo_content.CLUSTERS:
        if SpeakerCluster.objects.filter(code__iexact=code).exists():
            continue
        SpeakerCluster.objects.create(
            code=code, name=name, zone=zones.get(zone_code), address=address,
            latitude=latitude, longitude=longitude,
            vendor=demo_content.SIMULATED_CLUSTER_VENDOR, model_name="speaker_sim",
        )
        created["clusters"] += 1
    return created


def zone_deactivate(*, zone: Zone) -> None:
    """Stop offering a zone to new content; what already names it keeps it."""
    if zone.is_active:
        zone.is_active = False
        zone.save(update_fields=["is_active"])


def zone_merge(*, source: Zone, target: Zone) -> int:
    """Move everything that names ``source`` onto ``target`` (hamlets merged), then delete it.

    Every relation to Zone is moved, so no bulletin, cluster, rule or relay loses its zone
    (which would widen its audience to the whole commune). Returns how many records moved.
    """
    if source.pk == target.pk:
        raise ValueError("A zone cannot be merged into itself.")
    moved = 0
    with transaction.atomic():
        for relation in Zone._meta.related_objects:
            field = relation.field
            if relation.many_to_many and issubclass(relation.related_model, Page):
                moved += _zone_revisions_merge(relation.related_model, field.name, source, target)
            if relation.many_to_many:
                through = field.remote_field.through
                source_column = field.m2m_reverse_field_name()
                owner_column = field.m2m_field_name()
                links = through._default_manager.filter(**{source_column: source})
                already = set(through._default_manager.filter(**{source_column: target})
                              .values_list(f"{owner_column}_id", flat=True))
                moved += links.count()
                links.filter(**{f"{owner_column}_id__in": already}).delete()
                links.update(**{source_column: target})
            else:
                moved += relation.related_model._base_manager.filter(**{field.name: source}).update(
                    **{field.name: target}
                )
        source.delete()
    return moved


def _zone_revisions_merge(model, field_name: str, source: Zone, target: Zone) -> int:
    # Revisions keep zone ids in their JSON: publishing or reverting to one that still names
    # the deleted zone would silently drop it and widen the audience to the whole commune.
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Revision

    changed = 0
    content_type = ContentType.objects.get_for_model(model)
    for revision in Revision.objects.filter(content_type=content_type).only("pk", "content"):
        ids = revision.content.get(field_name)
        if isinstance(ids, list) and source.pk in ids:
            revision.content[field_name] = sorted({target.pk if pk == source.pk else pk for pk in ids})
            Revision.objects.filter(pk=revision.pk).update(content=revision.content)
            changed += 1
    return changed
