"""One visibility rule (``content_types.selectors.public_pages``) for every public channel.

Regression (issue 8, item 10): the podcast and ``/audio/files/<sha>.mp3`` listed and served
bulletins behind a view restriction (password or groups) that the API, RSS and search hid.
"""

import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import PageViewRestriction, Site

from content_types.models import HomePage, NewsIndexPage, Priority
from device_bridge.tts.selectors import audio_for_page
from tests.factories import build_site, make_bulletin, make_campaign
from tests.fakes import tts_fixtures

tts_media = tts_fixtures.tts_media
tts_fake_engine = tts_fixtures.tts_fake_engine

pytestmark = pytest.mark.django_db

PUBLIC = "Lịch tiêm chủng mở rộng tháng 12"
PASSWORD_ONLY = "Danh sách hộ nghèo được hỗ trợ (có mật khẩu)"
GROUP_ONLY = "Kế hoạch nội bộ của chiến dịch (chỉ cán bộ)"
OTHER_SITE = "Tin của xã bên cạnh"


@pytest.fixture
def visibility_world(settings, tts_media, tts_fake_engine, django_capture_on_commit_callbacks):
    settings.TTS_ENGINE = "fake"
    settings.ALLOWED_HOSTS = ["testserver", "xa-ben-canh.example"]
    site = build_site()
    category = site.categories["an-sinh-xa-hoi"]
    with django_capture_on_commit_callbacks(execute=True):
        public = make_bulletin(site.news, category=category, title=PUBLIC, radio_text="Một.")
        password_only = make_bulletin(
            site.news, category=category, title=PASSWORD_ONLY, priority=Priority.EMERGENCY,
            radio_text="Một hai.",
        )
        campaign = make_campaign(site.campaigns, title="Chiến dịch nội bộ")
        group_only = make_bulletin(campaign, category=category, title=GROUP_ONLY, radio_text="Một hai ba.")
        other_home = HomePage(title="Xã bên cạnh", slug="xa-ben-canh")
        site.home.get_parent().add_child(instance=other_home)
        Site.objects.create(hostname="xa-ben-canh.example", port=80, root_page=other_home, site_name="Xã bên cạnh")
        other_news = NewsIndexPage(title="Tin tức", slug="tin-tuc")
        other_home.add_child(instance=other_news)
        other = make_bulletin(other_news, category=category, title=OTHER_SITE, radio_text="Một hai ba bốn.")
    password = PageViewRestriction.objects.create(
        page=password_only, restriction_type=PageViewRestriction.PASSWORD, password="mat-khau-thon"
    )
    staff_only = PageViewRestriction.objects.create(
        page=campaign, restriction_type=PageViewRestriction.GROUPS
    )
    staff_only.groups.add(Group.objects.get(name="Quản trị"))
    # The fake engine speaks one tone per word: distinct word counts, distinct files.
    pages = {"public": public, "password": password_only, "group": group_only, "other": other}
    return site, pages, password


def audio_path(page):
    return reverse("tts:audio_file", args=[audio_for_page(page).sha256])


def test_podcast_lists_only_public_bulletins_of_the_requested_site(client, visibility_world):
    _site, pages, _password = visibility_world
    root = ET.fromstring(client.get(reverse("tts:podcast")).content)
    titles = [item.findtext("title") for item in root.findall("./channel/item")]
    assert titles == [PUBLIC]
    other = ET.fromstring(client.get(reverse("tts:podcast"), HTTP_HOST="xa-ben-canh.example").content)
    assert [item.findtext("title") for item in other.findall("./channel/item")] == [OTHER_SITE]


def test_audio_of_restricted_bulletins_is_not_served_publicly(client, visibility_world):
    _site, pages, _password = visibility_world
    assert client.get(audio_path(pages["public"])).status_code == 200
    assert client.get(audio_path(pages["password"])).status_code == 404
    assert client.get(audio_path(pages["group"])).status_code == 404  # restriction on an ancestor
    assert client.get(audio_path(pages["other"])).status_code == 404  # another commune's site


def test_visitor_who_passed_the_password_hears_that_bulletin_privately(client, visibility_world):
    _site, pages, password = visibility_world
    page = pages["password"]
    response = client.post(
        reverse("wagtailcore_authenticate_with_password", args=[password.pk, page.pk]),
        {"password": "mat-khau-thon", "return_url": page.url},
    )
    assert response.status_code == 302
    audio = client.get(audio_path(page))
    assert audio.status_code == 200
    assert audio["Cache-Control"].startswith("private")
    assert client.get(audio_path(pages["group"])).status_code == 404


def test_every_public_channel_hides_restricted_bulletins(client, visibility_world):
    site, pages, _password = visibility_world
    api = client.get("/api/v2/pages/?type=content_types.BulletinPage&limit=50").json()
    assert [item["title"] for item in api["items"]] == [PUBLIC]
    assert client.get(f"/api/v2/pages/{pages['password'].pk}/").status_code == 404
    channels = {
        "home": client.get("/"),
        "news": client.get(site.news.url),
        "rss": client.get(site.news.url + "rss/"),
        "search": client.get("/search/?q=tiêm chủng"),
    }
    for name, response in channels.items():
        body = response.content.decode()
        assert response.status_code == 200, name
        assert PASSWORD_ONLY not in body and GROUP_ONLY not in body, name
        assert OTHER_SITE not in body, name
    assert PUBLIC in channels["news"].content.decode()
    assert PUBLIC in channels["search"].content.decode()
    assert 'class="emergency-banner"' not in channels["home"].content.decode()


def test_api_links_each_bulletin_audio_on_its_own_site(client, visibility_world):
    _site, pages, _password = visibility_world
    other = pages["other"]
    data = client.get(f"/api/v2/pages/{other.pk}/", HTTP_HOST="xa-ben-canh.example").json()
    assert data["audio"]["url"] == "http://xa-ben-canh.example" + audio_path(other)
    assert client.get(audio_path(other), HTTP_HOST="xa-ben-canh.example").status_code == 200


def test_campaign_progress_counts_only_public_bulletins(visibility_world):
    # Regression: the API's public ``progress`` counted bulletins behind a view restriction.
    site, _pages, _password = visibility_world
    campaign = make_campaign(site.campaigns, title="Chiến dịch công khai", slug="cong-khai")
    make_bulletin(campaign, category=site.categories["an-sinh-xa-hoi"], title="Công khai")
    secret = make_bulletin(campaign, category=site.categories["an-sinh-xa-hoi"], title="Nội bộ")
    PageViewRestriction.objects.create(page=secret, restriction_type=PageViewRestriction.LOGIN)
    campaign.refresh_from_db()
    assert campaign.progress["bulletins_published"] == 1
