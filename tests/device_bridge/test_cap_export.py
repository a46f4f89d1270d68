"""The public CAP feed: live, public, in-force emergency bulletins of this site only, each a
CAP 1.2 document valid against the OASIS schema, listed in an Atom index."""

import datetime as dt

import pytest
from django.utils import timezone
from lxml import etree
from wagtail.models import PageViewRestriction, Site

from content_types.models import HomePage, NewsIndexPage, Priority
from device_bridge.cap.models import CapAlert
from device_bridge.cap.services import cap_import
from device_bridge.cap.validation import CAP_NS, cap_parse, cap_schema
from tests.factories import build_site, make_bulletin

ATOM = {"a": "http://www.w3.org/2005/Atom"}
CAP = {"cap": CAP_NS}

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed_tree(db):
    tree = build_site()
    category = tree.categories["phong-chong-thien-tai"]
    tree.shown = make_bulletin(
        tree.news, category=category, priority=Priority.EMERGENCY, title="Lũ khẩn cấp ở thôn Đông",
        zones=[tree.zones["thon-dong"]], valid_until=timezone.now() + dt.timedelta(hours=6),
    )
    tree.whole_commune = make_bulletin(tree.news, category=category, priority=Priority.EMERGENCY,
                                       title="Bão số 3 đổ bộ")
    tree.private = make_bulletin(tree.news, category=category, priority=Priority.EMERGENCY, title="Tin nội bộ khẩn")
    PageViewRestriction.objects.create(page=tree.private, restriction_type=PageViewRestriction.LOGIN)
    tree.draft = make_bulletin(tree.news, category=category, priority=Priority.EMERGENCY, publish=False,
                               title="Bản nháp khẩn")
    tree.normal = make_bulletin(tree.news, category=category, title="Lịch tiêm chủng")
    tree.expired = make_bulletin(tree.news, category=category, priority=Priority.EMERGENCY, title="Hết hiệu lực",
                                 valid_until=timezone.now() - dt.timedelta(hours=1))
    other_home = HomePage(title="Xã Khác", slug="xa-khac")
    tree.home.get_parent().add_child(instance=other_home)
    Site.objects.create(hostname="xa-khac.example", root_page=other_home, site_name="Xã Khác")
    other_news = NewsIndexPage(title="Tin xã khác", slug="tin-xa-khac")
    other_home.add_child(instance=other_news)
    tree.foreign = make_bulletin(other_news, category=category, priority=Priority.EMERGENCY, title="Khẩn cấp xã khác")
    return tree


def entry_titles(client, **extra):
    response = client.get("/cap/feed.atom", **extra)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    return [title.text for title in feed.findall("a:entry/a:title", ATOM)], feed


def test_feed_lists_only_this_sites_public_live_emergencies_in_force(client, feed_tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        titles, feed = entry_titles(client)

    assert sorted(titles) == ["Bão số 3 đổ bộ", "Lũ khẩn cấp ở thôn Đông"]
    links = feed.findall("a:entry/a:link", ATOM)
    assert {link.get("type") for link in links} == {"application/cap+xml"}
    assert f"http://testserver/cap/{feed_tree.shown.pk}.xml" in {link.get("href") for link in links}


def test_another_site_sees_only_its_own(client, feed_tree, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "xa-khac.example"]
    titles, _feed = entry_titles(client, HTTP_HOST="xa-khac.example")

    assert titles == ["Khẩn cấp xã khác"]


def test_each_cap_document_is_valid_cap_1_2(client, feed_tree):
    response = client.get(f"/cap/{feed_tree.shown.pk}.xml")

    assert response.status_code == 200 and response["Content-Type"].startswith("application/cap+xml")
    document = etree.fromstring(response.content)
    assert cap_schema().validate(document), cap_schema().error_log
    assert document.findtext("cap:msgType", namespaces=CAP) == "Alert"
    assert document.findtext("cap:info/cap:headline", namespaces=CAP) == "Lũ khẩn cấp ở thôn Đông"
    assert document.findtext("cap:info/cap:area/cap:geocode/cap:value", namespaces=CAP) == "thon-dong"
    assert document.findtext("cap:info/cap:expires", namespaces=CAP).endswith("+07:00")
    whole = etree.fromstring(client.get(f"/cap/{feed_tree.whole_commune.pk}.xml").content)
    assert cap_schema().validate(whole), cap_schema().error_log
    assert whole.findtext("cap:info/cap:area/cap:areaDesc", namespaces=CAP) == "xã Chí Minh"


@pytest.mark.parametrize("which", ["private", "draft", "normal", "expired", "foreign"])
def test_private_draft_normal_expired_and_foreign_bulletins_have_no_cap_document(client, feed_tree, which):
    page = getattr(feed_tree, which)

    assert client.get(f"/cap/{page.pk}.xml").status_code == 404


def test_the_export_reads_back_through_the_import(client, feed_tree):
    data = client.get(f"/cap/{feed_tree.shown.pk}.xml").content
    cap_parse(data)

    other = Site.objects.get(hostname="xa-khac.example")
    result = cap_import(data=data, site=other)

    assert result.page.priority == Priority.EMERGENCY
    assert [zone.code for zone in result.page.zones.all()] == ["thon-dong"]
    assert CapAlert.objects.get().sender == "ttcs@testserver"


def test_the_feed_refuses_writes(client, feed_tree):
    assert client.post("/cap/feed.atom").status_code == 405
