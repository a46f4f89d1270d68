"""A technician answers a checklist item in Chromium: a failed item without a finding gets the
Vietnamese error and keeps what was typed; with the finding it is saved."""

import os

import pytest
from django.db import connections

from device_bridge.models import SpeakerCluster
from device_bridge.security import services
from device_bridge.security.models import AssessmentResult, Result
from tests.factories import build_site
from tests.workflows.helpers import PASSWORD, make_user
from workflows import roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls here are ours.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_technician_records_a_failed_item_with_its_finding(live_server, browser, tmp_path):
    from playwright.sync_api import expect

    build_site()
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    SpeakerCluster.objects.create(code="cl-dong-1", name="Cụm Thôn Đông")
    template = services.checklist_template_default_create(site=site)
    assessment = services.assessment_create(site=site, period="6 tháng đầu năm 2026",
                                            template=template, user=None)
    result = AssessmentResult.objects.get(assessment=assessment, item_code="sim_pin")
    make_user("kythuat", roles.TECHNICIAN)

    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN").new_page()
    page.set_default_timeout(60_000)
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", "kythuat")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")

    page.goto(f"{base}/admin/security/{assessment.pk}/")
    page.screenshot(path=str(tmp_path / "detail.png"), full_page=True)
    page.locator(f"#result-{result.pk} a").click()
    page.select_option("select[name=status]", Result.FAILED)
    page.fill("textarea[name=remediation]", "Đặt mã PIN cho SIM trong tuần.")
    page.click("button[type=submit]:has-text('Lưu kết quả')")
    expect(page.get_by_text("Nội dung không đạt cần ghi rõ phát hiện.")).to_be_visible()
    expect(page.locator("textarea[name=remediation]")).to_have_value(
        "Đặt mã PIN cho SIM trong tuần.")
    page.fill("textarea[name=finding]", "SIM chưa đặt mã PIN.")
    page.click("button[type=submit]:has-text('Lưu kết quả')")
    expect(page.locator(f"#result-{result.pk}")).to_have_attribute("data-status", Result.FAILED)
    page.screenshot(path=str(tmp_path / "after.png"), full_page=True)
    result.refresh_from_db()
    assert result.finding == "SIM chưa đặt mã PIN." and result.status == Result.FAILED
    page.context.close()
    connections.close_all()
