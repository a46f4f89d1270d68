"""In Debian's Chromium: a citizen writes to the OA (a signed webhook event), an officer finds
the message in the inbox, inserts an answer template, replies, and the fake Zalo server's
outbox receives the reply; no policy violation in the console."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from django.apps import apps as django_apps
from wagtail.models import Site

from device_bridge.feedback.models import AnswerTemplate, Department, FeedbackMessage
from tests.factories import build_site
from tests.workflows.helpers import make_user
from tests.workflows.test_browser_moderation import SLOW, log_in, watch_policies
from workflows import roles

from .conftest import connect_account

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "zalo"
QUESTION = "Đèn đường đầu thôn Đoài hỏng ba hôm nay, đề nghị xã sửa giúp."
ANSWER_TEMPLATE = "UBND xã đã tiếp nhận phản ánh của ông/bà."


@pytest.fixture
def feedback_site(transactional_db, zalo_fake):
    # Earlier transactional tests flush what data migrations made: install it again.
    roles.roles_install(django_apps)
    Department.objects.get_or_create(name="Phòng Kinh tế")
    build_site()
    connect_account(Site.objects.get(is_default_site=True), zalo_fake)
    AnswerTemplate.objects.create(title="Đã tiếp nhận", text=ANSWER_TEMPLATE)
    return make_user("tiepnhan", roles.FEEDBACK_OFFICER)


@pytest.mark.browser
def test_officer_answers_a_citizens_message_from_the_inbox(live_server, feedback_site, zalo_fake,
                                                           browser):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    raw, headers = zalo_fake.signed_event({
        "app_id": zalo_fake.app_id, "user_id_by_app": "app-u-42", "event_name": "user_send_text",
        # Written now, so Zalo's reply window is open.
        "timestamp": str(int(time.time() * 1000)), "sender": {"id": "u-42"}, "recipient": {"id": zalo_fake.oa_id},
        "message": {"text": QUESTION, "msg_id": "msg-browser-1"},
    })
    answered = httpx.post(f"{live_server.url}/zalo/webhook/", content=raw,
                          headers={**headers, "Content-Type": "application/json"}, timeout=30)
    assert answered.status_code == 200, answered.text

    problems: list[str] = []
    page = watch_policies(browser.new_context(locale="vi-VN"), problems).new_page()
    page.set_default_timeout(SLOW)
    log_in(page, live_server.url, feedback_site.username)
    page.goto(f"{live_server.url}/admin/feedback/")
    page.screenshot(path=str(ARTIFACTS / "00-inbox.png"), full_page=True)
    page.get_by_role("link", name=QUESTION).click()
    expect(page.get_by_text(QUESTION).first).to_be_visible()

    page.get_by_role("link", name="Đã tiếp nhận").click()  # inserts the template (script)
    expect(page.locator("#id_reply_text")).to_have_value(ANSWER_TEMPLATE)
    page.locator("#id_reply_text").press("End")
    page.locator("#id_reply_text").type(" Xã sẽ sửa đèn trong tuần này.")
    page.screenshot(path=str(ARTIFACTS / "01-officer-writes-reply.png"), full_page=True)
    page.get_by_role("button", name="Gửi trả lời").click()
    page.wait_for_load_state()

    expected = f"{ANSWER_TEMPLATE} Xã sẽ sửa đèn trong tuần này."
    assert [(m["kind"], m["user_id"], m["text"]) for m in zalo_fake.outbox] == [("cs", "u-42", expected)]
    assert FeedbackMessage.objects.get(direction="out").status == FeedbackMessage.Status.SENT
    page.reload()
    expect(page.locator('[data-direction="out"][data-status="sent"]')).to_contain_text(expected)
    page.screenshot(path=str(ARTIFACTS / "02-reply-sent.png"), full_page=True)
    assert problems == []
