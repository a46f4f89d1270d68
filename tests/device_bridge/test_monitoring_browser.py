"""In Debian's Chromium: a technician opens the fleet monitoring page and sees the clusters on
the map (Leaflet from the app's own static files, no tiles, no Internet) and in the table."""

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from device_bridge.models import SpeakerCluster
from tests.factories import build_site
from tests.workflows.helpers import PASSWORD, make_user
from tests.workflows.test_browser_moderation import SLOW, watch_policies
from workflows import roles

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "monitoring"


@pytest.mark.browser
def test_technician_sees_the_clusters_on_the_map_and_in_the_table(live_server, transactional_db, browser):
    from playwright.sync_api import expect

    site = build_site()
    now = timezone.now()
    zone = site.zones["thon-dong"]
    for code, lat, lon, seen, status in [
        ("cl-ban-do-1", "20.861", "106.682", now, "playing"),
        ("cl-ban-do-2", "20.866", "106.690", now, "idle"),
        ("cl-ban-do-3", "20.870", "106.675", now - dt.timedelta(hours=2), "idle"),
    ]:
        SpeakerCluster.objects.create(code=code, name=f"Cụm {code}", zone=zone, latitude=Decimal(lat),
                                      longitude=Decimal(lon), last_seen_at=seen,
                                      last_heartbeat={"status": status, "volume": 55,
                                                      "signal_strength": -70})
    make_user("kythuat-trinh-duyet", roles.TECHNICIAN)
    base = live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    context = watch_policies(browser.new_context(locale="vi-VN"), problems)
    outside = []
    context.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
                  if not route.request.url.startswith(base) else route.continue_())
    page = context.new_page()
    page.set_default_timeout(SLOW)
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", "kythuat-trinh-duyet")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")

    page.get_by_role("link", name="Giám sát cụm loa").first.click()
    page.wait_for_url(f"{base}/admin/fleet/")
    expect(page.locator("[data-fleet-map]")).to_have_attribute("data-markers", "3")
    expect(page.locator("path.fleet-marker")).to_have_count(3)
    expect(page.locator("path.fleet-marker--playing")).to_have_count(1)
    expect(page.locator("path.fleet-marker--offline")).to_have_count(1)
    expect(page.locator("[data-fleet-table] tbody tr")).to_have_count(3)
    expect(page.locator('tr[data-cluster="cl-ban-do-3"]')).to_contain_text("Mất kết nối")
    page.locator("path.fleet-marker--playing").click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("cl-ban-do-1")
    page.screenshot(path=str(ARTIFACTS / "fleet-map.png"), full_page=True)
    assert problems == []
    assert outside == []  # everything came from the app itself
