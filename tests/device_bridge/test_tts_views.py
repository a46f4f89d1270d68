"""What people reach over HTTP: the approver preview, public MP3s, the player, API, podcast,
and the admin state with its retry button."""

import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from device_bridge.audio import probe
from device_bridge.tts.models import PageAudio, SpeechAudio
from device_bridge.tts.selectors import audio_for_page
from tests.factories import build_site, make_bulletin
from tests.fakes import tts_fixtures

tts_media = tts_fixtures.tts_media
tts_fake_engine = tts_fixtures.tts_fake_engine
tts_gtts = tts_fixtures.tts_gtts

pytestmark = pytest.mark.django_db


@pytest.fixture
def tts_world(settings, tts_media, tts_fake_engine, django_capture_on_commit_callbacks):
    settings.TTS_ENGINE = "fake"
    site = build_site()
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(
            site.news,
            category=site.categories["an-sinh-xa-hoi"],
            radio_text="Xin chào bà con xã Chí Minh.",
        )
    admin = User.objects.create_superuser("quantri", "qt@example.com", "matkhau")
    return site, page, admin


def audio_url(audio):
    return reverse("tts:audio_file", args=[audio.sha256])


def test_public_audio_file_is_mp3_with_range_support(client, tts_world):
    _site, page, _admin = tts_world
    audio = audio_for_page(page)
    response = client.get(audio_url(audio))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Accept-Ranges"] == "bytes"
    body = b"".join(response.streaming_content)
    assert len(body) == audio.size_bytes and probe(body).channels == 1

    partial = client.get(audio_url(audio), HTTP_RANGE="bytes=100-199")
    assert partial.status_code == 206
    assert partial["Content-Range"] == f"bytes 100-199/{audio.size_bytes}"
    assert b"".join(partial.streaming_content) == body[100:200]

    suffix = client.get(audio_url(audio), HTTP_RANGE="bytes=-50")
    assert suffix.status_code == 206 and b"".join(suffix.streaming_content) == body[-50:]

    open_ended = client.get(audio_url(audio), HTTP_RANGE=f"bytes={audio.size_bytes - 10}-")
    assert b"".join(open_ended.streaming_content) == body[-10:]

    beyond = client.get(audio_url(audio), HTTP_RANGE=f"bytes={audio.size_bytes}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{audio.size_bytes}"

    head = client.head(audio_url(audio))
    assert head.status_code == 200 and head["Content-Length"] == str(audio.size_bytes)

    cached = client.get(audio_url(audio), HTTP_IF_NONE_MATCH=f'"{audio.sha256}"')
    assert cached.status_code == 304


def test_unknown_or_unpublished_audio_is_not_public(client, tts_world):
    _site, page, _admin = tts_world
    audio = audio_for_page(page)
    assert client.get(reverse("tts:audio_file", args=["0" * 64])).status_code == 404
    page.unpublish()
    assert client.get(audio_url(audio)).status_code == 404


def test_bulletin_page_has_a_player_with_duration(client, tts_world):
    site, page, _admin = tts_world
    audio = audio_for_page(page)
    html = client.get(page.url).content.decode()
    assert '<audio controls preload="none"' in html
    assert audio_url(audio) in html
    assert "Nghe bản tin" in html and "thời lượng" in html

    silent = make_bulletin(
        site.news, category=site.categories["an-sinh-xa-hoi"], radio_text="Chưa có âm thanh."
    )
    assert "<audio" not in client.get(silent.url).content.decode()


def test_player_of_a_live_bulletin_is_cached_until_its_next_revision(client, tts_world):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from device_bridge.tts.selectors import engine_for_page

    _site, page, _admin = tts_world
    page.refresh_from_db()
    client.get(page.url)  # warm Wagtail's own caches
    cache.delete(f"tts:player:{page.pk}:{page.live_revision_id}:{engine_for_page(page)}")
    with CaptureQueriesContext(connection) as first:
        client.get(page.url)
    with CaptureQueriesContext(connection) as second:
        html = client.get(page.url).content.decode()
    assert len(second.captured_queries) == len(first.captured_queries) - 1
    assert audio_url(audio_for_page(page)) in html

    # A new live revision with other text: the old audio must not be offered for it.
    old_url = audio_url(audio_for_page(page))
    page.radio_text = "Nội dung phát thanh đã được sửa lại hoàn toàn."
    page.save_revision().publish()
    assert old_url not in client.get(page.url).content.decode()


def test_api_exposes_audio_url_duration_and_engine(client, tts_world):
    _site, page, _admin = tts_world
    audio = audio_for_page(page)
    data = client.get(f"/api/v2/pages/{page.pk}/").json()
    assert data["audio"]["url"].endswith(audio_url(audio))
    assert data["audio"]["duration"] == pytest.approx(audio.duration_seconds)
    assert data["audio"]["engine"] == "fake"
    assert data["audio"]["mime_type"] == "audio/mpeg"


def test_podcast_feed_lists_bulletins_with_enclosures(client, tts_world):
    _site, page, _admin = tts_world
    audio = audio_for_page(page)
    response = client.get(reverse("tts:podcast"))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    items = root.findall("./channel/item")
    assert len(items) == 1
    assert items[0].findtext("title") == page.title
    assert items[0].findtext("description") == page.summary
    enclosure = items[0].find("enclosure")
    assert enclosure.get("type") == "audio/mpeg"
    assert enclosure.get("url") == "http://testserver" + audio_url(audio)
    assert enclosure.get("length") == str(audio.size_bytes)
    duration = items[0].findtext("{http://www.itunes.com/dtds/podcast-1.0.dtd}duration")
    assert duration and ":" in duration


def draft_revision(page, text):
    page.radio_text = text
    return page.save_revision()


def test_preview_is_queued_then_served_for_that_exact_revision(
    client, tts_world, tts_fake_engine, django_capture_on_commit_callbacks
):
    _site, page, admin = tts_world
    revision = draft_revision(page, "Bản nháp: họp lúc 14h00 ngày 02/12/2026.")
    client.force_login(admin)
    url = reverse("tts:revision_preview", args=[revision.pk])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pending = client.get(url, HTTP_ACCEPT="application/json")
    assert pending.status_code == 202
    assert pending.json()["status"] == "queued"
    assert "Đang tạo âm thanh nghe thử" in pending.json()["message"]
    assert pending["Retry-After"] == "5"
    for callback in callbacks:
        callback()

    ready = client.get(url)
    assert ready.status_code == 200 and ready["Content-Type"] == "audio/mpeg"
    assert "mười bốn giờ" in tts_fake_engine.calls[-1]["text"]
    ranged = client.get(url, HTTP_RANGE="bytes=0-9")
    assert ranged.status_code == 206 and len(b"".join(ranged.streaming_content)) == 10
    link = PageAudio.objects.get(revision=revision)
    assert link.purpose == PageAudio.Purpose.PREVIEW
    # a draft's preview is not public and not the broadcast audio
    assert client.get(reverse("tts:audio_file", args=[link.audio.sha256])).status_code == 404
    assert audio_for_page(page.specific_class.objects.get(pk=page.pk)).pk != link.audio.pk


def test_preview_plain_text_answer_when_not_asking_for_json(client, tts_world):
    _site, page, admin = tts_world
    revision = draft_revision(page, "Một bản nháp khác.")
    client.force_login(admin)
    response = client.get(reverse("tts:revision_preview", args=[revision.pk]))
    assert response.status_code == 202
    assert response["Content-Type"].startswith("text/plain")


def test_preview_of_a_failed_render_says_why(
    client, tts_world, settings, tts_gtts, django_capture_on_commit_callbacks
):
    _site, page, admin = tts_world
    settings.TTS_ENGINE = "gtts"
    settings.TTS_FALLBACK = False
    tts_gtts.always_status = 429
    revision = draft_revision(page, "Bản nháp khi Google từ chối.")
    client.force_login(admin)
    url = reverse("tts:revision_preview", args=[revision.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    failed = client.get(url, HTTP_ACCEPT="application/json")
    assert failed.status_code == 422
    assert failed.json()["status"] == "failed"
    assert "429" in failed.json()["message"]


def test_preview_requires_admin_login_and_page_permission(client, tts_world):
    _site, page, _admin = tts_world
    revision = draft_revision(page, "Bản nháp.")
    url = reverse("tts:revision_preview", args=[revision.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]

    outsider = User.objects.create_user("nguoingoai", password="x")
    client.force_login(outsider)
    assert client.get(url).status_code == 403

    reader = User.objects.create_user("bientapvien", password="x")
    group = Group.objects.create(name="Chỉ vào trang quản trị")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    reader.groups.add(group)
    client.force_login(reader)
    assert client.get(url).status_code == 403  # can enter the admin, cannot edit this page


def test_preview_of_content_without_spoken_text_is_404(client, tts_world):
    site, _page, admin = tts_world
    client.force_login(admin)
    revision = site.home.save_revision()
    assert client.get(reverse("tts:revision_preview", args=[revision.pk])).status_code == 404


def test_edit_view_shows_audio_state_and_links_to_retry(client, tts_world):
    _site, page, admin = tts_world
    client.force_login(admin)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert "Âm thanh phát thanh" in html
    assert "Sẵn sàng" in html
    assert reverse("tts_admin:page_audio", args=[page.pk]) in html


def test_admin_shows_failure_reason_and_retry_renders_again(
    client, tts_world, settings, tts_gtts, django_capture_on_commit_callbacks
):
    site, _page, admin = tts_world
    settings.TTS_ENGINE = "gtts"
    settings.TTS_FALLBACK = False
    tts_gtts.always_status = 500
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(
            site.news,
            category=site.categories["an-sinh-xa-hoi"],
            radio_text="Tin khẩn về bão số 3.",
        )
    client.force_login(admin)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert "Lỗi" in edit and "Dịch vụ Google đang lỗi (500)" in edit

    assert "Thử lại ngay" in edit  # the panel's button posts the edit form to the retry URL
    detail_url = reverse("tts_admin:page_audio", args=[page.pk])
    detail = client.get(detail_url).content.decode()
    assert "Thử lại" in detail and "Dịch vụ Google đang lỗi (500)" in detail
    audio = PageAudio.objects.get(page_id=page.pk).audio

    tts_gtts.always_status = None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url, {"audio_id": audio.pk, "purpose": "broadcast"})
    assert response.status_code == 302
    audio.refresh_from_db()
    assert audio.status == SpeechAudio.Status.READY and audio.engine == "gtts"
    assert "Sẵn sàng" in client.get(detail_url).content.decode()


def test_admin_audio_view_needs_edit_permission(client, tts_world):
    _site, page, _admin = tts_world
    outsider = User.objects.create_user("khach", password="x")
    group = Group.objects.create(name="Khách quản trị")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    outsider.groups.add(group)
    client.force_login(outsider)
    # Wagtail turns PermissionDenied in admin views into a redirect to the dashboard.
    response = client.get(reverse("tts_admin:page_audio", args=[page.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_lexicon_snippet_is_editable_in_admin(client, tts_world):
    _site, _page, admin = tts_world
    client.force_login(admin)
    response = client.get(reverse("wagtailsnippets_tts_pronunciationentry:list"))
    assert response.status_code == 200
    assert "ANTT" in response.content.decode()  # first page of the shipped lexicon


def test_jingle_upload_rejects_a_corrupt_file_in_the_settings_form(client, tts_world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _site, _page, admin = tts_world
    client.force_login(admin)
    page = client.get(
        reverse("wagtailsettings:edit", args=["tts", "broadcastaudiosettings"]), follow=True
    )
    assert page.status_code == 200
    url = page.redirect_chain[-1][0]
    response = client.post(
        url,
        {"use_jingles": "on", "intro_jingle": SimpleUploadedFile("nhac.mp3", b"ID3 rubbish" * 40)},
    )
    assert response.status_code == 200
    assert "Tệp nhạc hiệu bị hỏng" in response.content.decode()


def test_create_view_explains_when_audio_is_made(client, tts_world):
    site, _page, admin = tts_world
    client.force_login(admin)
    url = reverse("wagtailadmin_pages:add", args=["content_types", "bulletinpage", site.news.pk])
    html = client.get(url).content.decode()
    assert "Lưu bản nháp để tạo âm thanh nghe thử." in html
    assert 'name="tts_engine"' in html


def test_panel_retry_button_returns_to_the_editor(
    client, tts_world, settings, tts_gtts, django_capture_on_commit_callbacks
):
    site, _page, admin = tts_world
    settings.TTS_ENGINE = "gtts"
    settings.TTS_FALLBACK = False
    tts_gtts.always_status = 503
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(
            site.news, category=site.categories["an-sinh-xa-hoi"], radio_text="Tin cần đọc lại."
        )
    audio = PageAudio.objects.get(page_id=page.pk).audio
    client.force_login(admin)
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    tts_gtts.always_status = None
    retry_url = (
        reverse("tts_admin:page_audio", args=[page.pk]) + f"?purpose=broadcast&next={edit_url}"
    )
    with django_capture_on_commit_callbacks(execute=True):
        # the whole edit form is posted; only the button's audio_id matters
        response = client.post(retry_url, {"audio_id": audio.pk, "title": "ignored"})
    assert response.status_code == 302 and response["Location"] == edit_url
    audio.refresh_from_db()
    assert audio.status == SpeechAudio.Status.READY
    page.refresh_from_db()
    assert page.title != "ignored"
    evil = reverse("tts_admin:page_audio", args=[page.pk]) + "?next=https://example.com/"
    assert client.post(evil, {"audio_id": audio.pk})["Location"] == reverse(
        "tts_admin:page_audio", args=[page.pk]
    )
