"""Focused builders for tests: the smallest real page tree a test needs."""

import datetime as dt
import itertools
import json
from types import SimpleNamespace

from django.conf import settings
from wagtail.models import Locale, Page, Site

from content_types.models import (
    BulletinPage,
    CampaignIndexPage,
    CampaignPage,
    HomePage,
    NewsIndexPage,
    Priority,
)
from content_types.snippets import Category, Zone

_counter = itertools.count(1)


def build_site() -> SimpleNamespace:
    # A transactional test before this one may have flushed what Wagtail's migrations create.
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    home = HomePage(title="Cổng thông tin xã Thử Nghiệm", slug="trang-chu-thu", intro="Xin chào bà con")
    root.add_child(instance=home)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "testserver", "port": 80, "root_page": home, "site_name": "Xã Thử Nghiệm"},
    )
    news = NewsIndexPage(title="Tin tức", slug="tin-tuc", show_in_menus=True)
    home.add_child(instance=news)
    campaigns = CampaignIndexPage(title="Chiến dịch tuyên truyền", slug="chien-dich", show_in_menus=True)
    home.add_child(instance=campaigns)
    categories = {
        slug: Category.objects.create(slug=slug, name=name)
        for slug, name in [("an-sinh-xa-hoi", "An sinh xã hội"), ("phong-chong-thien-tai", "Phòng chống thiên tai")]
    }
    zones = {
        code: Zone.objects.create(code=code, name=name)
        for code, name in [("thon-dong", "Thôn Đông"), ("thon-doai", "Thôn Đoài")]
    }
    return SimpleNamespace(home=home, news=news, campaigns=campaigns, categories=categories, zones=zones)


def make_bulletin(parent, *, category, publish=True, live=None, zones=(), **fields) -> BulletinPage:
    """A bulletin under ``parent``; ``publish`` goes through a revision like an approval does,
    ``live=True`` without ``publish`` makes a live page cheaply (for volume tests)."""
    n = next(_counter)
    fields.setdefault("title", f"Bản tin số {n} về lịch tiêm chủng")
    fields.setdefault("slug", f"ban-tin-{n}")
    fields.setdefault("summary", "Trạm Y tế xã thông báo lịch tiêm chủng.")
    fields.setdefault("priority", Priority.NORMAL)
    fields.setdefault("date", dt.date(2026, 11, 1))
    fields.setdefault(
        "body", json.dumps([{"type": "paragraph", "value": "<p>Đề nghị bà con đưa trẻ đi tiêm đúng lịch.</p>"}])
    )
    page = BulletinPage(category=category, live=publish if live is None else live, **fields)
    page.zones = list(zones)
    parent.add_child(instance=page)
    if publish:
        page.save_revision().publish()
    return page


def make_campaign(parent, **fields) -> CampaignPage:
    n = next(_counter)
    fields.setdefault("title", f"Chiến dịch tuyên truyền số {n}")
    fields.setdefault("slug", f"chien-dich-{n}")
    fields.setdefault("goal", "<p>Nâng cao nhận thức của người dân.</p>")
    fields.setdefault("start_date", dt.date(2026, 1, 1))
    fields.setdefault("end_date", dt.date(2026, 12, 31))
    page = CampaignPage(**fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page
