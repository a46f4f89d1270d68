"""Polling a CAP feed: a real HTTP server on loopback serves an Atom index of CAP alerts (the
layout our own export writes), with ETags; new alerts enter moderation once, bad ones are
recorded with their reason, an unreachable feed is recorded and not raised."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from wagtail.models import Site

from content_types.models import BulletinPage
from device_bridge.cap.models import CapAlert, CapFeedSource
from device_bridge.cap.services import feed_poll
from device_bridge.cap.tasks import cap_feeds_poll
from tests.factories import build_site

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cap"

pytestmark = pytest.mark.django_db


class FeedServer:
    """Serves ``files`` (path -> bytes); answers 304 to a matching If-None-Match."""

    def __init__(self):
        self.files, self.requests, self.etag = {}, [], '"v1"'
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append((self.path, self.headers.get("If-None-Match")))
                if self.path not in server.files:
                    self.send_response(404)
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == server.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                body = server.files[self.path]
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", server.etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def atom(self, *paths):
        entries = "".join(
            f'<entry><id>{self.base}{path}</id><title>x</title><updated>2026-09-17T06:30:00+07:00</updated>'
            f'<link rel="alternate" type="application/cap+xml" href="{self.base}{path}"/></entry>'
            for path in paths
        )
        return (f'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<id>{self.base}/feed</id><title>PCTT</title><updated>2026-09-17T06:30:00+07:00</updated>"
                f"{entries}</feed>").encode()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server():
    server = FeedServer()
    yield server
    server.stop()


@pytest.fixture
def source(db, feed_server):
    build_site()
    return CapFeedSource.objects.create(site=Site.objects.get(is_default_site=True), name="PCTT Hải Phòng",
                                        url=f"{feed_server.base}/feed.atom")


def test_new_alerts_enter_moderation_once_and_the_etag_saves_a_second_read(feed_server, source):
    feed_server.files = {
        "/a1.xml": (FIXTURES / "vn_flood_two_hamlets.xml").read_bytes(),
        "/a2.xml": (FIXTURES / "oasis_a2_severe_thunderstorm.xml").read_bytes(),
        "/bad.xml": b"<khong-phai-cap/>",
    }
    feed_server.files["/feed.atom"] = feed_server.atom("/a1.xml", "/a2.xml", "/bad.xml").replace(
        b"</feed>", b'<entry><link type="application/cap+xml" href="http://169.254.169.254/x.xml"/></entry></feed>')

    outcome = feed_poll(source=source)

    assert "2 cảnh báo mới, 0 đã có, 2 bị từ chối" in outcome
    assert "169.254.169.254/x.xml: khác máy chủ của nguồn" in outcome
    assert "/bad.xml" in outcome and "không phải <alert>" in outcome
    assert BulletinPage.objects.count() == 2
    assert set(CapAlert.objects.values_list("origin", flat=True)) == {CapAlert.Origin.FEED}
    assert all(page.current_workflow_state for page in BulletinPage.objects.all())
    source.refresh_from_db()
    assert source.etag == '"v1"' and source.last_polled_at is not None

    assert feed_poll(source=source) == "Không có gì mới."
    assert feed_server.requests[-1] == ("/feed.atom", '"v1"')

    feed_server.etag = '"v2"'
    assert "0 cảnh báo mới, 2 đã có, 2 bị từ chối" in feed_poll(source=source)
    assert BulletinPage.objects.count() == 2


def test_an_entry_that_could_not_be_read_is_tried_again_next_poll(feed_server, source):
    feed_server.files = {"/feed.atom": feed_server.atom("/a1.xml")}

    assert "HTTP 404" in feed_poll(source=source)
    source.refresh_from_db()
    assert source.etag == ""

    feed_server.files["/a1.xml"] = (FIXTURES / "vn_flood_two_hamlets.xml").read_bytes()
    assert "1 cảnh báo mới" in feed_poll(source=source)


def test_a_feed_url_may_serve_one_alert(feed_server, source):
    feed_server.files = {"/feed.atom": (FIXTURES / "vn_flood_two_hamlets.xml").read_bytes()}

    assert "1 cảnh báo mới" in feed_poll(source=source)


@pytest.mark.parametrize(("files", "expected"), [
    ({}, "HTTP 404"),
    ({"/feed.atom": b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"}, "DOCTYPE"),
])
def test_an_unreadable_feed_is_recorded_not_raised(feed_server, source, files, expected):
    feed_server.files = files

    outcome = feed_poll(source=source)

    assert expected in outcome and not CapAlert.objects.exists()
    source.refresh_from_db()
    assert expected in source.last_result


def test_an_unreachable_host_is_recorded(source):
    source.url = "http://127.0.0.1:9/feed.atom"
    source.save()

    assert "Không đọc được nguồn" in feed_poll(source=source)


def test_the_task_polls_enabled_sources_only(feed_server, source):
    feed_server.files = {"/feed.atom": (FIXTURES / "vn_flood_two_hamlets.xml").read_bytes()}
    CapFeedSource.objects.create(site=source.site, name="Tắt", url=f"{feed_server.base}/tat.atom", enabled=False)

    results = cap_feeds_poll()

    assert list(results) == [source.pk]
    assert [path for path, _etag in feed_server.requests] == ["/feed.atom"]
