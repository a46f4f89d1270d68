"""The news list, its filters and the RSS feed hold every live public bulletin of the site."""

import pytest

from content_types.models import Priority
from tests.factories import make_bulletin, make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign_bulletin(site_tree):
    campaign = make_campaign(site_tree.campaigns, title="Phòng chống thiên tai mùa mưa bão")
    return make_bulletin(
        campaign, category=site_tree.categories["phong-chong-thien-tai"], priority=Priority.PRIORITY,
        zones=[site_tree.zones["thon-dong"]], title="Gia cố đê trước mùa bão",
    )


def test_news_list_shows_bulletins_filed_under_a_campaign(client, site_tree, campaign_bulletin):
    assert "Gia cố đê trước mùa bão" in client.get(site_tree.news.url).content.decode()


@pytest.mark.parametrize(
    "params",
    [{"category": "phong-chong-thien-tai"}, {"zone": "thon-dong"}, {"priority": Priority.PRIORITY}],
)
def test_news_filters_find_bulletins_filed_under_a_campaign(client, site_tree, campaign_bulletin, params):
    assert "Gia cố đê trước mùa bão" in client.get(site_tree.news.url, params).content.decode()


def test_rss_lists_bulletins_filed_under_a_campaign(client, site_tree, campaign_bulletin):
    make_bulletin(site_tree.news, category=site_tree.categories["an-sinh-xa-hoi"], title="Chi trả trợ cấp")
    rss = client.get(site_tree.news.url + "rss/").content.decode()
    assert "Gia cố đê trước mùa bão" in rss
    assert "Chi trả trợ cấp" in rss
