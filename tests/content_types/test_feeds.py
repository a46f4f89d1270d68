"""RSS: each item's pubDate is its first publication; every public page links the feed."""

import datetime as dt
from email.utils import parsedate_to_datetime

import pytest
from django.utils import timezone

from content_types.models import BulletinPage
from tests.factories import make_bulletin, make_campaign

pytestmark = pytest.mark.django_db

FEED_LINK = '<link rel="alternate" type="application/rss+xml" title="RSS bản tin" href="/tin-tuc/rss/">'


def test_rss_pubdate_is_first_publication(client, site_tree):
    page = make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"], title="Chi trả trợ cấp")
    first = timezone.now() - dt.timedelta(days=40)
    BulletinPage.objects.filter(pk=page.pk).update(first_published_at=first)
    # A later edit republishes: the feed keeps the first publication.
    page.refresh_from_db()
    page.save_revision().publish()
    rss = client.get(site_tree.news.url + "rss/").content.decode()
    item = rss.split("<item>")[1]
    pubdate = item.split("<pubDate>")[1].split("</pubDate>")[0]
    assert parsedate_to_datetime(pubdate) == first.replace(microsecond=0)


def test_every_public_page_links_the_feed_for_autodiscovery(client, site_tree):
    assert site_tree.news.url == "/tin-tuc/"
    bulletin = make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"])
    campaign = make_campaign(site_tree.campaigns)
    for url in ("/", site_tree.news.url, bulletin.url, site_tree.campaigns.url, campaign.url, "/search/?q=a"):
        assert FEED_LINK in client.get(url).content.decode(), url
