"""Broadcast audio is served only while it is what a public page's live revision says.

Regression (issue 8, item 12): a corrected bulletin's superseded audio stayed downloadable
(cached "immutable" for a year), and the rendered files were plain media under /media/tts/.
"""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, reverse

from device_bridge.tts.selectors import audio_for_page
from tests.factories import build_site, make_bulletin
from tests.fakes import tts_fixtures

tts_media = tts_fixtures.tts_media
tts_fake_engine = tts_fixtures.tts_fake_engine

pytestmark = pytest.mark.django_db


@pytest.fixture
def corrected(settings, tts_media, tts_fake_engine, django_capture_on_commit_callbacks):
    """A bulletin published, then corrected and published again: (page, old audio, new audio)."""
    settings.TTS_ENGINE = "fake"
    site = build_site()
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(
            site.news, category=site.categories["an-sinh-xa-hoi"],
            radio_text="Họp dân lúc 8 giờ sáng thứ Hai.",
        )
    old = audio_for_page(page)
    with django_capture_on_commit_callbacks(execute=True):
        page.radio_text = "Đính chính: họp dân lúc 14 giờ chiều thứ Ba tại nhà văn hoá thôn."
        page.save_revision().publish()
    new = audio_for_page(page)
    assert old.sha256 != new.sha256
    return page, old, new


def url(audio):
    return reverse("tts:audio_file", args=[audio.sha256])


def test_superseded_audio_of_a_corrected_bulletin_is_no_longer_served(client, corrected):
    _page, old, new = corrected
    assert client.get(url(old)).status_code == 404
    response = client.get(url(new))
    assert response.status_code == 200
    # Caches must come back to ask: the same URL can stop being public at any time.
    assert "no-cache" in response["Cache-Control"]
    assert "immutable" not in response["Cache-Control"]


def test_audio_stops_with_unpublishing_and_revalidation_is_refused(client, corrected):
    page, _old, new = corrected
    etag = client.get(url(new))["ETag"]
    page.unpublish()
    assert client.get(url(new), HTTP_IF_NONE_MATCH=etag).status_code == 404


def test_range_requests_still_work_for_the_live_audio(client, corrected):
    _page, _old, new = corrected
    partial = client.get(url(new), HTTP_RANGE="bytes=0-99")
    assert partial.status_code == 206
    assert partial["Content-Range"] == f"bytes 0-99/{new.size_bytes}"
    assert len(b"".join(partial.streaming_content)) == 100


def test_behind_nginx_the_view_hands_the_file_over_with_x_accel_redirect(client, settings, corrected):
    _page, old, new = corrected
    settings.MEDIA_ACCEL_REDIRECT = "/internal-media/"
    response = client.get(url(new), HTTP_RANGE="bytes=0-99")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/internal-media/{new.file.name}"
    assert response["Content-Type"] == "audio/mpeg"
    assert response.content == b""  # nginx sends the bytes (and the range) from its internal location
    assert client.get(url(old)).status_code == 404


def _reload_urls():
    import cms.urls

    importlib.reload(cms.urls)
    clear_url_caches()


def test_development_server_serves_images_but_not_audio_or_documents_from_media(client, corrected, tts_media):
    _page, _old, new = corrected
    (tts_media / "original_images").mkdir(parents=True, exist_ok=True)
    (tts_media / "original_images" / "anh.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tts_media / "documents").mkdir(parents=True, exist_ok=True)
    (tts_media / "documents" / "du-thao.pdf").write_bytes(b"%PDF-1.4 du thao")
    try:
        with override_settings(DEBUG=True):
            _reload_urls()
            assert client.get("/media/original_images/anh.png").status_code == 200
            assert client.get(f"/media/{new.file.name}").status_code == 404
            assert client.get("/media/documents/du-thao.pdf").status_code == 404
    finally:
        _reload_urls()
