import datetime as dt
import re
from email.utils import parsedate_to_datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page, Revision, Site

from content_types.models import BulletinPage, CampaignPage, HomePage, Priority
from content_types.snippets import Category, Zone
from device_bridge.models import (
    Delivery,
    Dispatch,
    DistributionRule,
    ScheduleTemplate,
    SpeakerCluster,
)

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "pages": sorted(Page.objects.values_list("url_path", "live")),
        "revisions": Revision.objects.count(),
        "categories": sorted(Category.objects.values_list("slug", flat=True)),
        "zones": sorted(Zone.objects.values_list("code", flat=True)),
        "users": sorted(get_user_model().objects.values_list("username", flat=True)),
        "site_root": Site.objects.get(is_default_site=True).root_page_id,
        "published": sorted(BulletinPage.objects.values_list("slug", "first_published_at",
                                                             "last_published_at")),
        "templates": sorted(ScheduleTemplate.objects.values_list("name", "times", "is_default")),
        "rules": sorted(DistributionRule.objects.values_list("name", "priority", "channels",
                                                             "schedule_template__name")),
        "clusters": sorted(SpeakerCluster.objects.values_list("code", "zone__code", "is_active")),
    }


def test_seed_demo_twice_gives_the_same_site():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _snapshot() == first


def test_seed_demo_builds_the_commune_site():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert BulletinPage.objects.live().count() >= 12
    assert CampaignPage.objects.live().count() == 2
    assert set(BulletinPage.objects.values_list("priority", flat=True)) == set(Priority.values)
    assert BulletinPage.objects.values("category").distinct().count() == Category.objects.count() == 8
    assert Zone.objects.count() >= 5
    assert "Phòng chống thiên tai" in Category.objects.values_list("name", flat=True)
    users = {u.username: u for u in get_user_model().objects.prefetch_related("groups")}
    assert users["admin"].is_superuser
    assert {g.name for g in users["duyet"].groups.all()} == {"Người duyệt", "Lãnh đạo UBND"}
    assert {g.name for g in users["bientap"].groups.all()} == {"Biên tập viên"}
    assert {g.name for g in users["kythuat"].groups.all()} == {"Kỹ thuật viên"}
    assert {g.name for g in users["kinhte"].groups.all()} == {"Phòng Kinh tế"}
    # Wagtail's placeholder welcome page is gone.
    assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()


def test_seeded_site_renders(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert client.get("/").status_code == 200
    for page in BulletinPage.objects.live()[:3]:
        assert client.get(page.url).status_code == 200


def test_seeded_bulletins_are_dated_by_their_date_and_rss_says_so(client):
    # Issue 9, item 4: the feed showed the moment the demo was seeded as every pubDate.
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    tz = timezone.get_current_timezone()
    for page in BulletinPage.objects.all():
        expected = dt.datetime.combine(page.date, dt.time(7, 0), tz)
        assert page.first_published_at == expected and page.last_published_at == expected
    news = Page.objects.get(slug="tin-tuc")
    rss = client.get(news.url + "rss/").content.decode()
    items = rss.split("<item>")[1:]
    assert items
    for item in items:
        slug = re.search(r"<link>[^<]*/([^/<]+)/</link>", item).group(1)
        page = BulletinPage.objects.get(slug=slug)
        published = parsedate_to_datetime(re.search(r"<pubDate>([^<]+)</pubDate>", item).group(1))
        assert timezone.localtime(published, tz).date() == page.date


def test_demo_ships_a_schedule_rules_and_clusters_so_bulletins_reach_the_speakers(
    django_capture_on_commit_callbacks,
):
    # Issue 9, item 19: with no template and no cluster every speaker delivery failed silently.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
    template = ScheduleTemplate.objects.get(is_default=True)
    assert [t.strftime("%H:%M") for t in template.slot_times] == ["06:00", "11:00", "17:00"]
    rules = DistributionRule.objects.filter(is_active=True)
    assert {rule.priority for rule in rules} == {"khan_cap", "uu_tien", ""}
    assert all("speakers" in rule.channel_keys for rule in rules)
    assert all(rule.schedule_template_id == template.pk for rule in rules)
    clusters = SpeakerCluster.objects.filter(is_active=True)
    assert clusters.count() >= 3 and all(c.zone_id for c in clusters)

    ordinary = BulletinPage.objects.get(slug="chi-tra-tro-cap-thang-7")  # whole commune
    speakers = Dispatch.objects.get(page_id=ordinary.pk, channel="speakers")
    assert speakers.status != Dispatch.Status.FAILED and not speakers.targets_missing
    assert set(speakers.deliveries.values_list("cluster_id", flat=True)) == set(
        clusters.values_list("pk", flat=True))
    assert speakers.schedule_template_id == template.pk
    # Tổ dân phố 1 has no cluster on purpose: that bulletin says so and waits for one.
    lonely = Dispatch.objects.get(page__slug="dang-ky-tam-tru", channel="speakers")
    assert lonely.targets_missing and not lonely.deliveries.exists()
    assert any("Tổ dân phố 1" in warning for warning in lonely.warnings)
    tdp = Zone.objects.get(code="tdp-1")
    with django_capture_on_commit_callbacks(execute=True):
        joined = SpeakerCluster.objects.create(code="CL-TDP1-01", name="Cụm loa TDP 1", zone=tdp)
    assert Delivery.objects.get(dispatch=lonely).cluster_id == joined.pk
