"""RSS feed of bulletins."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.translation import gettext as _

from .selectors import bulletin_list_live


class BulletinFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "vi"

    def __init__(self, *, index_page, site):
        super().__init__()
        self.index_page = index_page
        self.site = site

    def title(self):
        return _("Bản tin %(site)s") % {"site": self.index_page.get_site().site_name}

    def link(self):
        return self.index_page.url

    def description(self):
        return _("Các bản tin mới nhất của đài truyền thanh và cổng thông tin xã.")

    def items(self):
        # Every live public bulletin of the site, those filed under a campaign included.
        return bulletin_list_live(site=self.site)[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_categories(self, item):
        return [item.category.name, item.get_priority_display()]
