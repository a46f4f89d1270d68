from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from content_types.models import (
    BulletinPage,
    CampaignIndexPage,
    CampaignPage,
    HomePage,
    NewsIndexPage,
)


class PageTreeRulesTests(WagtailPageTestCase):
    def test_home_sits_under_the_root_only(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_home_holds_news_campaign_and_contest_indexes_and_plans(self):
        from content_types.plans.models import PlanPage
        from contests.models import ContestIndexPage

        self.assertAllowedSubpageTypes(
            HomePage, {NewsIndexPage, CampaignIndexPage, ContestIndexPage, PlanPage}
        )

    def test_bulletins_live_in_news_or_a_campaign(self):
        self.assertAllowedParentPageTypes(BulletinPage, {NewsIndexPage, CampaignPage})
        self.assertAllowedSubpageTypes(BulletinPage, set())

    def test_campaigns_live_in_the_campaign_index(self):
        self.assertAllowedParentPageTypes(CampaignPage, {CampaignIndexPage})
        self.assertAllowedSubpageTypes(CampaignPage, {BulletinPage})

    def test_bulletin_cannot_be_created_under_home(self):
        self.assertCanNotCreateAt(HomePage, BulletinPage)
        self.assertCanCreateAt(NewsIndexPage, BulletinPage)
