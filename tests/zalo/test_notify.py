"""Issue 10, item 6: an emergency waiting for approval reaches, through the commune's OA, the
approvers who linked their Zalo account ("LIENKET <mã>" sent to the OA); whoever Zalo will not
let the OA reach is skipped with a log line, and Zalo being down never blocks the submission."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site, WorkflowState

from content_types.models import BulletinPage, Priority
from device_bridge.feedback.models import Citizen, Feedback, WebhookEvent
from device_bridge.zalo import facts
from device_bridge.zalo.models import StaffZaloLink, ZaloAccount
from device_bridge.zalo.staff_link import code_hash, link_command, staff_link_code_issue
from tests.workflows.helpers import bulletin_form_data, make_user
from workflows import roles

pytestmark = pytest.mark.django_db

ZALO_NOTIFIER = {"CLASS": "device_bridge.zalo.notify.ZaloEmergencyNotifier"}
RECORDING = {"CLASS": "workflows.emergency_notify.RecordingNotifier"}
TITLE = "Bão số 9 đổ bộ: sơ tán trước 17:00"
_msg_ids = itertools.count(1)


@pytest.fixture
def staff(site_tree):
    return {
        "editor": make_user("bientap", roles.EDITOR),
        "reviewer": make_user("duyetvhxh", roles.REVIEWER),
        "leader": make_user("lanhdao", roles.LEADER),
    }


@pytest.fixture
def site(site_tree):
    return Site.objects.get(is_default_site=True)


def text_event(fake, *, user_id: str, text: str) -> dict:
    return {
        "app_id": fake.app_id,
        "event_name": facts.EVENT_USER_SEND_TEXT,
        "timestamp": str(int(timezone.now().timestamp() * 1000)),
        "sender": {"id": user_id},
        "recipient": {"id": fake.oa_id},
        "message": {"text": text, "msg_id": f"msg-lienket-{next(_msg_ids)}"},
    }


@pytest.fixture
def send_to_oa(client, zalo_account, zalo_fake, django_capture_on_commit_callbacks):
    """A Zalo user writes to the OA: the signed webhook request, its processing task and the
    OA's answer all run (django-q2 sync in tests)."""

    def _send(user_id: str, text: str):
        raw, headers = zalo_fake.signed_event(text_event(zalo_fake, user_id=user_id, text=text))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/zalo/webhook/", raw, content_type="application/json",
                                   headers=headers)
        assert response.status_code == 200, response.content
        return response

    return _send


def answers_to(fake, user_id: str) -> list[str]:
    return [m["text"] for m in fake.outbox if m["kind"] == "cs" and m["user_id"] == user_id]


# --- Linking ---------------------------------------------------------------------------------


def test_link_command_is_recognised_with_or_without_diacritics_and_only_in_its_shape():
    assert link_command("LIENKET ABCD2345") == "ABCD2345"
    assert link_command("Liên kết abcd-2345") == "ABCD2345"
    assert link_command("  lienket  ") == ""
    assert link_command("Liên kết giao thông thôn Đông bị hỏng") is None
    assert link_command("Đường thôn Đông bị ngập") is None


def test_staff_member_links_zalo_from_the_account_page_over_the_signed_webhook(
        client, staff, site, zalo_account, zalo_fake, send_to_oa):
    reviewer = staff["reviewer"]
    client.force_login(reviewer)
    account_page = client.get(reverse("wagtailadmin_account")).content.decode()
    link_url = reverse("zalo_admin:staff_link")
    assert link_url in account_page and "Liên kết Zalo" in account_page

    response = client.post(link_url, {"action": "code", "site": site.pk})
    assert response.status_code == 200
    shown = response.context["code"]
    assert f"LIENKET {shown}" in response.content.decode()
    pending = StaffZaloLink.objects.get(site=site, user=reviewer)
    code = shown.replace("-", "")
    assert pending.code_hash == code_hash(code) and code not in pending.code_hash  # hashed only
    assert not pending.is_linked

    send_to_oa("u-duyet", f"LIENKET {shown}")

    link = StaffZaloLink.objects.get(site=site, user=reviewer)
    assert (link.zalo_user_id, link.code_hash, link.code_expires_at) == ("u-duyet", "", None)
    assert link.linked_at is not None
    # Not a citizen's feedback: no thread in the inbox; the event itself is processed.
    assert not Feedback.objects.exists()
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.PROCESSED
    [confirmation] = answers_to(zalo_fake, "u-duyet")
    assert confirmation.startswith("Đã liên kết Zalo với tài khoản Duyetvhxh")

    page = client.get(link_url).content.decode()
    assert 'data-zalo-link-status="linked"' in page

    # "LIENKET" alone renews Zalo's 7-day window and says until when; still no thread.
    send_to_oa("u-duyet", "lienket")
    assert "đang liên kết với cán bộ Duyetvhxh" in answers_to(zalo_fake, "u-duyet")[-1]
    assert not Feedback.objects.exists()

    client.post(link_url, {"action": "unlink", "site": site.pk})
    assert not StaffZaloLink.objects.filter(user=reviewer).exists()


def test_a_used_code_is_refused_and_an_expired_one_too(staff, site, zalo_fake, send_to_oa):
    code, _expires = staff_link_code_issue(site=site, user=staff["reviewer"])
    send_to_oa("u-duyet", f"LIENKET {code}")
    assert StaffZaloLink.objects.get(user=staff["reviewer"]).zalo_user_id == "u-duyet"

    # Single use: someone else sending the same code links nothing.
    send_to_oa("u-khac", f"LIENKET {code}")
    assert StaffZaloLink.objects.get(user=staff["reviewer"]).zalo_user_id == "u-duyet"
    assert "Mã liên kết không đúng, đã dùng hoặc đã hết hạn" in answers_to(zalo_fake, "u-khac")[0]

    # Expired (issued 31 minutes ago): refused, and forgotten so a later try fails too.
    old, _expires = staff_link_code_issue(site=site, user=staff["leader"],
                                          now=timezone.now() - dt.timedelta(minutes=31))
    send_to_oa("u-lanhdao", f"Liên kết {old[:4]}-{old[4:]}")
    expired = StaffZaloLink.objects.get(user=staff["leader"])
    assert (expired.zalo_user_id, expired.code_hash) == ("", "")
    assert "đã hết hạn" in answers_to(zalo_fake, "u-lanhdao")[0]

    # None of these opened a feedback thread; a real message still does.
    assert not Feedback.objects.exists()
    send_to_oa("u-dan", "Liên kết giao thông thôn Đông bị hỏng")
    assert Feedback.objects.get().citizen.zalo_user_id == "u-dan"


def test_a_new_code_moves_the_zalo_account_and_zalo_down_keeps_the_link(
        staff, site, zalo_fake, send_to_oa, caplog):
    first, _e = staff_link_code_issue(site=site, user=staff["reviewer"])
    send_to_oa("u-chung", f"LIENKET {first}")
    second, _e = staff_link_code_issue(site=site, user=staff["leader"])
    zalo_fake.fail(facts.OA_CS_MESSAGE, "503")
    with caplog.at_level(logging.WARNING, logger="device_bridge.zalo.staff_link"):
        send_to_oa("u-chung", f"LIENKET {second}")
    assert StaffZaloLink.objects.get(user=staff["leader"]).zalo_user_id == "u-chung"
    assert StaffZaloLink.objects.get(user=staff["reviewer"]).zalo_user_id == ""
    assert "could not answer Zalo user u-chung" in caplog.text


# --- Emergency alerts ------------------------------------------------------------------------


def link(site, user, zalo_user_id: str) -> StaffZaloLink:
    return StaffZaloLink.objects.create(site=site, user=user, zalo_user_id=zalo_user_id,
                                        linked_at=timezone.now())


@pytest.fixture
def submit_emergency(client, staff, site_tree, settings, django_capture_on_commit_callbacks):
    settings.TTS_ENGINE = "fake"
    settings.TTS_FALLBACK = False
    settings.TTCS_EMERGENCY_NOTIFIERS = [ZALO_NOTIFIER, RECORDING]

    def _submit(slug="bao-so-9-do-bo"):
        from workflows.emergency_notify import RecordingNotifier

        RecordingNotifier.reset()
        client.force_login(staff["editor"])
        url = reverse("wagtailadmin_pages:add",
                      args=("content_types", "bulletinpage", site_tree.news.pk))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, bulletin_form_data(
                category=site_tree.categories["an-sinh-xa-hoi"], action="action-submit", priority=Priority.EMERGENCY,
                slug=slug, title=TITLE, valid_until="2026-11-27 17:00",
            ))
        assert response.status_code == 302, response.content[:2000]
        page = BulletinPage.objects.get(slug=slug)
        assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
        # The notifier after the Zalo one always ran.
        assert len(RecordingNotifier.sent) == 1
        return page

    return _submit


def test_an_emergency_submission_alerts_the_linked_approver_only(
        staff, site, zalo_account, zalo_fake, submit_emergency):
    link(site, staff["reviewer"], "u-duyet")
    link(site, staff["editor"], "u-bientap")  # linked, but not an approver of the step

    page = submit_emergency()

    assert [m["user_id"] for m in zalo_fake.outbox if m["kind"] == "cs"] == ["u-duyet"]
    [text] = answers_to(zalo_fake, "u-duyet")
    assert "Bản tin KHẨN CẤP đang chờ bạn duyệt" in text and TITLE in text
    assert text.endswith(f"/admin/pages/{page.pk}/edit/")


@pytest.mark.parametrize("refusal", ["unfollowed", "window_closed", "citizen_unfollowed"])
def test_an_approver_zalo_will_not_reach_is_skipped_with_a_log_line_and_the_others_hear(
        refusal, staff, site, zalo_account, zalo_fake, submit_emergency, caplog):
    link(site, staff["reviewer"], "u-duyet")
    link(site, staff["leader"], "u-lanhdao")
    if refusal == "citizen_unfollowed":  # the feedback app saw the unfollow event
        Citizen.objects.create(site=site, zalo_user_id="u-duyet", is_following=False)
    else:
        getattr(zalo_fake, refusal).add("u-duyet")

    with caplog.at_level(logging.INFO, logger="device_bridge.zalo.notify"):
        submit_emergency()

    assert [m["user_id"] for m in zalo_fake.outbox if m["kind"] == "cs"] == ["u-lanhdao"]
    skipped = [r for r in caplog.records
               if r.name == "device_bridge.zalo.notify" and r.levelno == logging.WARNING]
    assert len(skipped) == 1 and "duyetvhxh" in skipped[0].getMessage()
    assert "skipped" in skipped[0].getMessage()


@pytest.mark.parametrize("outage", ["503", "burnt_token"])
def test_zalo_down_never_blocks_the_submission(outage, staff, site, zalo_account, zalo_fake,
                                               submit_emergency, caplog):
    link(site, staff["reviewer"], "u-duyet")
    link(site, staff["leader"], "u-lanhdao")
    if outage == "503":
        zalo_fake.fail(facts.OA_CS_MESSAGE, "503", times=5)
    else:
        ZaloAccount.objects.filter(pk=zalo_account.pk).update(
            status=ZaloAccount.Status.NEEDS_RECONNECT)

    with caplog.at_level(logging.ERROR, logger="workflows.emergency_notify"):
        submit_emergency()  # 302, workflow in progress, the next notifier ran

    assert not [m for m in zalo_fake.outbox if m["kind"] == "cs"]
    assert any("ZaloEmergencyNotifier failed" in r.getMessage() for r in caplog.records)


def test_nothing_is_sent_when_no_approver_linked(staff, site, zalo_account, zalo_fake,
                                                 submit_emergency):
    submit_emergency()
    assert zalo_fake.outbox == []



# --- In the browser ------------------------------------------------------------------------


@pytest.mark.browser
def test_approver_links_zalo_from_the_account_page_in_chromium(live_server, transactional_db,
                                                               zalo_fake):
    import os
    from pathlib import Path

    import httpx
    from playwright.sync_api import expect, sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, chromium_required
    from tests.factories import build_site
    from tests.workflows.test_browser_moderation import SLOW, watch_policies
    from tests.zalo.conftest import connect_account

    chromium_required()
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    artifacts = Path(__file__).resolve().parent.parent / "artifacts" / "zalo"
    artifacts.mkdir(parents=True, exist_ok=True)
    build_site()
    connect_account(Site.objects.get(is_default_site=True), zalo_fake)
    reviewer = make_user("duyetvhxh", roles.REVIEWER)
    base = live_server.url
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        page = watch_policies(browser.new_context(locale="vi-VN"), problems).new_page()
        page.set_default_timeout(SLOW)
        page.goto(f"{base}/admin/login/")
        page.fill("input[name=username]", "duyetvhxh")
        page.fill("input[name=password]", "mat-khau-thu-nghiem")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/admin/")
        page.goto(f"{base}/admin/account/")
        page.get_by_role("tab", name="Thao tác khác").click()
        page.get_by_role("link", name="Liên kết Zalo").click()
        expect(page.locator("[data-zalo-link-status]")).to_have_attribute(
            "data-zalo-link-status", "not_linked")
        page.get_by_role("button", name="Tạo mã liên kết").click()
        message = page.locator("[data-zalo-link-code]").inner_text().strip()
        assert re.fullmatch(r"LIENKET [A-Z0-9]{4}-[A-Z0-9]{4}", message), message
        page.screenshot(path=str(artifacts / "lien-ket-01-ma.png"), full_page=True)

        # The approver sends the message to the OA from their phone: Zalo calls the webhook.
        raw, headers = zalo_fake.signed_event(text_event(zalo_fake, user_id="u-duyet",
                                                         text=message))
        answer = httpx.post(f"{base}/zalo/webhook/", content=raw,
                            headers={**headers, "Content-Type": "application/json"}, timeout=10)
        assert answer.status_code == 200

        page.goto(f"{base}/admin/zalo/lien-ket/")
        expect(page.locator("[data-zalo-link-status]")).to_have_attribute(
            "data-zalo-link-status", "linked")
        page.screenshot(path=str(artifacts / "lien-ket-02-da-lien-ket.png"), full_page=True)
        browser.close()
    assert StaffZaloLink.objects.get(user=reviewer).zalo_user_id == "u-duyet"
    assert answers_to(zalo_fake, "u-duyet")[0].startswith("Đã liên kết Zalo")
    assert not Feedback.objects.exists()
    assert problems == []
