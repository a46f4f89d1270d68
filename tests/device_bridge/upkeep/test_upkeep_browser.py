"""In Debian's Chromium: the technician goes from the menu to a cluster's history, and Phòng
Kinh tế downloads the budget estimate with the admin's button."""

import io
import os
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from device_bridge.models import SpeakerCluster
from device_bridge.upkeep.demo import seed_demo_upkeep
from tests.factories import build_site
from tests.workflows.helpers import PASSWORD, make_user
from tests.workflows.test_browser_moderation import SLOW, watch_policies
from workflows import roles

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "upkeep"


def _login(browser, base, username, problems):
    context = watch_policies(browser.new_context(locale="vi-VN", accept_downloads=True), problems)
    page = context.new_page()
    page.set_default_timeout(SLOW)
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    return page


@pytest.mark.browser
def test_history_and_budget_download_in_the_browser(live_server, transactional_db, browser):
    from playwright.sync_api import expect

    build_site()
    from content_types import demo_content

    for code, name, _zone, address, *_position in demo_content.CLUSTERS:
        SpeakerCluster.objects.create(code=code, name=name, address=address)
    seed_demo_upkeep()
    make_user("kythuat-upkeep", roles.TECHNICIAN)
    make_user("kinhte-upkeep", roles.ECONOMIC)
    base = live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []

    page = _login(browser, base, "kythuat-upkeep", problems)
    expect(page.locator("[data-upkeep-events]")).to_contain_text("CL-DONG-01")
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    page.goto(f"{base}/admin/upkeep/clusters/")
    page.locator('tr[data-cluster="CL-NAM-01"]').get_by_role("link", name="Lịch sử").click()
    expect(page.locator("[data-history]")).to_contain_text("Bộ khuếch đại 100 W")
    expect(page.locator("[data-history]")).to_contain_text("Đổi cước 4G")
    page.screenshot(path=str(ARTIFACTS / "history.png"), full_page=True)

    page = _login(browser, base, "kinhte-upkeep", problems)
    page.goto(f"{base}/admin/upkeep/budget/")
    expect(page.locator("[data-budget] tbody tr")).to_have_count(4)
    page.screenshot(path=str(ARTIFACTS / "budget.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("[data-budget-download]").click()
    data = Path(info.value.path()).read_bytes()
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    total = next(row for row in rows if row[1] == "Tổng cộng")
    shown = page.locator("[data-grand-total]").get_attribute("data-grand-total")
    assert total[8] == int(shown) > 0
    assert str(timezone.localdate().year + 1) in rows[1][0]
    assert problems == []
