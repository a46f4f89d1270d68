"""In Debian's Chromium: an administrator connects the commune's OA (OAuth with PKCE, against
the fake Zalo server), tests the connection, and sees the OA and its broadcast quota."""

import os
import re
from pathlib import Path

import pytest

from device_bridge.zalo.models import ZaloAccount
from tests.factories import build_site
from tests.workflows.test_browser_moderation import SLOW, watch_policies

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "zalo"
PASSWORD = "Mat-khau-thu-nghiem-2026"




@pytest.mark.browser
def test_admin_connects_the_oa_and_tests_the_connection(live_server, transactional_db, browser,
                                                       zalo_fake, django_user_model):
    from playwright.sync_api import expect

    build_site()
    django_user_model.objects.create_superuser("quantri", "qt@example.invalid", PASSWORD)
    base = live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    page = watch_policies(browser.new_context(locale="vi-VN"), problems).new_page()
    page.set_default_timeout(SLOW)
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", "quantri")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")

    page.goto(f"{base}/admin/zalo/")
    expect(page.locator("[data-zalo-status]")).to_have_attribute("data-zalo-status", "not_connected")
    page.screenshot(path=str(ARTIFACTS / "01-not-connected.png"), full_page=True)
    # Zalo (the fake) asks nothing and sends the browser straight back with a code.
    page.get_by_role("link", name="Kết nối Zalo OA").click()
    page.wait_for_url(re.compile(r"/admin/zalo/\?site=\d+$"))
    expect(page.get_by_text("Đã kết nối Zalo OA")).to_be_visible()
    expect(page.locator("[data-zalo-status]")).to_have_attribute("data-zalo-status", "connected")
    expect(page.get_by_text(zalo_fake.oa_id)).to_be_visible()
    expect(page.locator("[data-zalo-quota]")).to_contain_text("đã dùng 0/1 lượt")
    page.get_by_role("button", name="Kiểm tra kết nối").click()
    expect(page.get_by_text("Kết nối tốt")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "02-connected.png"), full_page=True)
    assert ZaloAccount.objects.get().status == ZaloAccount.Status.CONNECTED
    assert problems == []
