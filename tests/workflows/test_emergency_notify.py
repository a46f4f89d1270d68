"""Item 15 of issue 9: an emergency waiting for approval is announced on every admin page of
its approvers (polled, no reload) and to the configured notifier plugins; a notifier that is
down never blocks the submission."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings
from django.urls import reverse
from wagtail.models import WorkflowState

from content_types.models import BulletinPage, Priority
from tests.factories import make_bulletin
from workflows import defaults, editor_ui
from workflows.emergency_notify import (
    NotifierConfigurationError,
    RecordingNotifier,
    WebhookNotifier,
    notifiers_configured,
)

from . import test_browser_moderation as browser_kit
from .helpers import ModerationTestCase, bulletin_form_data

moderation_site = browser_kit.moderation_site

SECRET = "bi-mat-webhook"
RECORDING = {"CLASS": "workflows.emergency_notify.RecordingNotifier"}
WAITING_URL = "workflows_editor:emergencies_waiting"


class FakeWebhook:
    """A loopback HTTP endpoint that records each POST and answers ``status``."""

    def __init__(self, status: int = 200):
        self.status = status
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}' if fake.status < 400 else b'{"error": "busy"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ttcs/emergency"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def webhook(url: str) -> dict:
    return {
        "CLASS": "workflows.emergency_notify.WebhookNotifier",
        "OPTIONS": {"URL": url, "SECRET": SECRET, "TIMEOUT": 2, "CONNECT_TIMEOUT": 1},
    }


class EmergencyNotifierTests(ModerationTestCase):
    def setUp(self):
        RecordingNotifier.reset()
        self.addCleanup(RecordingNotifier.reset)

    def submit_over_http(self, *, priority=Priority.EMERGENCY, slug="bao-so-9-do-bo"):
        self.client.force_login(self.editor)
        url = reverse(
            "wagtailadmin_pages:add", args=("content_types", "bulletinpage", self.tree.news.pk)
        )
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                url,
                bulletin_form_data(
                    category=self.category, action="action-submit", priority=priority, slug=slug,
                    title="Bão số 9 đổ bộ: sơ tán trước 17:00", valid_until="2026-11-27 17:00",
                ),
            )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        return BulletinPage.objects.get(slug=slug)

    def test_an_emergency_submission_reaches_the_webhook_signed_with_its_approvers(self):
        with FakeWebhook() as fake, override_settings(
            TTCS_EMERGENCY_NOTIFIERS=[webhook(fake.url), RECORDING]
        ):
            page = self.submit_over_http()
        self.assertEqual(page.current_workflow_state.workflow.name, defaults.EMERGENCY_WORKFLOW)
        [request] = fake.requests
        body = request["body"]
        expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        self.assertEqual(request["headers"]["X-TTCS-Signature"], f"sha256={expected}")
        self.assertEqual(request["headers"]["X-TTCS-Event"], "emergency_submitted")
        payload = json.loads(body)
        self.assertEqual(payload["event"], "emergency_submitted")
        self.assertEqual(payload["page"]["id"], page.pk)
        self.assertEqual(payload["page"]["title"], "Bão số 9 đổ bộ: sơ tán trước 17:00")
        self.assertEqual(payload["page"]["priority"], Priority.EMERGENCY)
        self.assertTrue(payload["page"]["admin_url"].endswith(f"/admin/pages/{page.pk}/edit/"))
        self.assertEqual(payload["revision"]["id"], page.latest_revision_id)
        # The emergency step is open to Người duyệt and Lãnh đạo UBND.
        self.assertEqual(
            sorted(r["username"] for r in payload["recipients"]),
            [self.reviewer.username, self.leader.username],
        )
        self.assertIn("Bản tin KHẨN CẤP đang chờ bạn duyệt", payload["text"])
        self.assertEqual(RecordingNotifier.sent, [payload])

    def test_a_webhook_that_is_down_or_refuses_never_blocks_the_submission(self):
        with FakeWebhook(status=503) as refusing:
            pass  # stopped: its port is now closed
        for url, slug in ((refusing.url, "bao-khi-webhook-tat"), ("http://127.0.0.1:9/", "bao-2")):
            with self.subTest(url=url), override_settings(
                TTCS_EMERGENCY_NOTIFIERS=[webhook(url), RECORDING]
            ), self.assertLogs("workflows.emergency_notify", "ERROR") as logs:
                page = self.submit_over_http(slug=slug)
            self.assertEqual(page.current_workflow_state.status, WorkflowState.STATUS_IN_PROGRESS)
            self.assertIn("WebhookNotifier failed", logs.output[0])
        # The notifier after the broken one still ran, for both submissions.
        self.assertEqual(len(RecordingNotifier.sent), 2)

    def test_a_webhook_answering_an_error_status_is_logged_with_it(self):
        with FakeWebhook(status=503) as fake, override_settings(
            TTCS_EMERGENCY_NOTIFIERS=[webhook(fake.url)]
        ), self.assertLogs("workflows.emergency_notify", "ERROR") as logs:
            page = self.submit_over_http()
        self.assertEqual(len(fake.requests), 1)
        self.assertTrue(page.workflow_in_progress)
        self.assertIn("Webhook answered 503", "\n".join(logs.output))

    def test_ordinary_bulletins_notify_nobody(self):
        with override_settings(TTCS_EMERGENCY_NOTIFIERS=[RECORDING]):
            self.submit_over_http(priority=Priority.NORMAL, slug="lich-tiem-chung")
        self.assertEqual(RecordingNotifier.sent, [])

    def test_a_workflow_started_by_code_notifies_too(self):
        with override_settings(TTCS_EMERGENCY_NOTIFIERS=[RECORDING]):
            self.submit(self.draft_bulletin(priority=Priority.EMERGENCY))
        [sent] = RecordingNotifier.sent
        self.assertEqual(len(sent["recipients"]), 2)

    def test_notifiers_are_resolved_at_call_time_and_misconfiguration_is_loud(self):
        with override_settings(TTCS_EMERGENCY_NOTIFIERS=["workflows.emergency_notify.LoggingNotifier"]):
            self.assertEqual([type(n).__name__ for n in notifiers_configured()], ["LoggingNotifier"])
        with override_settings(TTCS_EMERGENCY_NOTIFIERS=["workflows.nowhere.Notifier"]):
            with self.assertRaises(NotifierConfigurationError):
                notifiers_configured()
        with self.assertRaises(NotifierConfigurationError):
            WebhookNotifier()


class EmergencyBannerTests(ModerationTestCase):
    def emergency(self, title="Bão số 9 đổ bộ: sơ tán trước 17:00"):
        page = self.draft_bulletin(priority=Priority.EMERGENCY, title=title)
        self.submit(page)
        return page

    def waiting(self, user):
        self.client.force_login(user)
        response = self.client.get(reverse(WAITING_URL))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIn("no-cache", response["Cache-Control"])
        return response.json()

    def test_the_approvers_of_the_waiting_step_are_told_and_nobody_else(self):
        page = self.emergency()
        self.submit(self.draft_bulletin(priority=Priority.NORMAL))  # not an emergency
        for user in (self.reviewer, self.leader):
            data = self.waiting(user)
            self.assertEqual(data["count"], 1)
            [item] = data["items"]
            self.assertEqual(item["title"], "Bão số 9 đổ bộ: sơ tán trước 17:00")
            self.assertEqual(item["url"], reverse("wagtailadmin_pages:edit", args=[page.pk]))
            self.assertIn(defaults.EMERGENCY_TASK, item["waiting"])
            self.assertEqual(data["message"], "Có 1 bản tin khẩn cấp đang chờ bạn duyệt:")
        for user in (self.editor, self.technician):
            self.assertEqual(self.waiting(user)["count"], 0)

    def test_once_approved_the_emergency_is_no_longer_announced(self):
        page = self.emergency()
        self.listen_and_approve(self.reviewer, page)
        self.assertEqual(self.waiting(self.leader)["count"], 0)

    def test_the_endpoint_costs_the_same_queries_whatever_the_number_waiting(self):
        self.client.force_login(self.reviewer)
        url = reverse(WAITING_URL)
        self.client.get(url)  # warm caches (content types)
        # Session, user, permissions (2) and profile, then one query when nothing waits.
        with self.assertNumQueries(6):
            self.assertEqual(self.client.get(url).json()["count"], 0)
        self.emergency()
        with self.assertNumQueries(14):
            self.assertEqual(self.client.get(url).json()["count"], 1)
        self.emergency(title="Lũ quét thôn Đông")
        self.emergency(title="Sạt lở đê tả sông")
        with self.assertNumQueries(14):
            self.assertEqual(self.client.get(url).json()["count"], 3)

    def test_every_admin_page_loads_the_alert_script_from_a_static_file(self):
        self.client.force_login(self.reviewer)
        for url in (reverse("wagtailadmin_home"), reverse("wagtailadmin_account")):
            response = self.client.get(url)
            self.assertContains(response, "workflows/editor/emergency_alert.js")
            self.assertContains(response, f'data-url="{reverse(WAITING_URL)}"')

    def test_signed_out_the_endpoint_answers_no_data(self):
        self.emergency()
        response = self.client.get(reverse(WAITING_URL))
        self.assertEqual(response.status_code, 302)


# --- In Chromium -------------------------------------------------------------------------


def serious_axe_violations(page, selector: str) -> list[str]:
    """axe-core (bundled by axe-playwright-python, run from the installed file) on the part
    of the page matching ``selector``: its serious and critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=selector).response
    return [
        f"{violation['id']}: {node['target']}"
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


@pytest.mark.browser
def test_the_emergency_banner_appears_on_an_open_admin_page_without_reload(
    live_server, moderation_site, browser, monkeypatch
):
    from playwright.sync_api import expect

    monkeypatch.setattr(editor_ui, "EMERGENCY_POLL_SECONDS", 2)
    tree, editor, approver = moderation_site
    problems: list[str] = []
    page = browser_kit.watch_policies(browser.new_context(locale="vi-VN"), problems).new_page()
    page.set_default_timeout(browser_kit.SLOW)
    browser_kit.log_in(page, live_server.url, approver.username)
    page.goto(f"{live_server.url}/admin/pages/")
    banner = page.locator("[data-emergency-alert]")
    page.wait_for_timeout(2500)  # at least one poll with nothing waiting
    expect(banner).to_have_count(0)

    bulletin = make_bulletin(
        tree.news, category=tree.categories["an-sinh-xa-hoi"], publish=False,
        priority=Priority.EMERGENCY, title="Bão số 9 đổ bộ: sơ tán trước 17:00", owner=editor,
    )
    bulletin.save_revision(user=editor)
    bulletin.get_workflow().start(bulletin, editor)

    expect(banner).to_be_visible(timeout=20_000)
    expect(banner).to_contain_text("Có 1 bản tin khẩn cấp đang chờ bạn duyệt")
    expect(banner.get_by_role("link", name="Bão số 9 đổ bộ: sơ tán trước 17:00")).to_be_visible()
    browser_kit.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(browser_kit.ARTIFACTS / "15-emergency-banner.png"))
    assert serious_axe_violations(page, "[data-emergency-alert]") == []
    # On a phone the banner stays readable and its link reachable.
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    expect(banner.get_by_role("link", name="Mở hàng chờ để nghe và duyệt")).to_be_in_viewport()
    page.screenshot(path=str(browser_kit.ARTIFACTS / "15-emergency-banner-phone.png"))
    assert serious_axe_violations(page, "[data-emergency-alert]") == []
    assert problems == []
