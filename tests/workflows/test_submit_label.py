"""Item 10 of issue 9: the page editor's submit button names the workflow the form would go
to, for every priority, and follows the priority field in the browser."""

import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.models import Workflow

from content_types.models import Priority
from tests.factories import make_campaign
from workflows import defaults
from workflows.models import WorkflowRoute

from . import test_browser_moderation as browser_kit
from .helpers import ModerationTestCase

# The browser test's fixture: a transactional commune site with both roles (Chromium: tests/conftest.py).
moderation_site = browser_kit.moderation_site

NORMAL = f"Gửi duyệt theo {defaults.NORMAL_WORKFLOW}"
EMERGENCY = f"Gửi duyệt theo {defaults.EMERGENCY_WORKFLOW}"


def submit_button(response):
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    [button] = soup.select("button[name=action-submit]")
    labels = json.loads(button["data-ttcs-submit-labels"])
    label = button.select_one("[data-ttcs-submit-label]").get_text(strip=True)
    return label, labels


class SubmitLabelTests(ModerationTestCase):
    def add_url(self, parent):
        return reverse("wagtailadmin_pages:add", args=("content_types", "bulletinpage", parent.pk))

    def test_create_view_labels_every_priority_with_its_workflow(self):
        # Regression: the create view asked the parent page (no priority), so khẩn cấp
        # bulletins were offered "Gửi duyệt theo Quy trình thường".
        self.client.force_login(self.editor)
        label, labels = submit_button(self.client.get(self.add_url(self.tree.news)))
        self.assertEqual(label, NORMAL)
        self.assertEqual(
            labels,
            {Priority.NORMAL: NORMAL, Priority.PRIORITY: NORMAL, Priority.EMERGENCY: EMERGENCY},
        )

    def test_edit_view_renders_the_label_of_the_saved_priority(self):
        self.client.force_login(self.editor)
        for priority, expected in (
            (Priority.NORMAL, NORMAL),
            (Priority.PRIORITY, NORMAL),
            (Priority.EMERGENCY, EMERGENCY),
        ):
            with self.subTest(priority=priority):
                page = self.draft_bulletin(priority=priority)
                response = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
                label, labels = submit_button(response)
                self.assertEqual(label, expected)
                self.assertEqual(labels[Priority.EMERGENCY], EMERGENCY)
                self.assertEqual(labels[Priority.NORMAL], NORMAL)

    def test_a_draft_changed_to_emergency_is_labelled_by_its_latest_revision(self):
        page = self.draft_bulletin(priority=Priority.NORMAL)
        draft = page.get_latest_revision_as_object()
        draft.priority = Priority.EMERGENCY
        draft.save_revision(user=self.editor)
        self.client.force_login(self.editor)
        label, _labels = submit_button(
            self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        )
        self.assertEqual(label, EMERGENCY)

    def test_a_page_sent_back_resubmits_to_the_returning_step_unless_rerouted(self):
        page = self.draft_bulletin(priority=Priority.NORMAL)
        task_state = self.submit(page)
        self.client.force_login(self.reviewer)
        self.wagtail_action(page, task_state, "reject", "Thiếu giờ tiêm.")
        self.client.force_login(self.editor)
        label, labels = submit_button(
            self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        )
        resubmit = f"Gửi lại cho {defaults.REVIEW_TASK}"
        self.assertEqual(label, resubmit)
        self.assertEqual(labels[Priority.PRIORITY], resubmit)
        # Made khẩn cấp, the resubmission is rerouted to the emergency workflow.
        self.assertEqual(labels[Priority.EMERGENCY], EMERGENCY)

    def test_section_rules_apply_to_a_page_not_created_yet(self):
        campaign = make_campaign(self.tree.campaigns)
        fast = Workflow.objects.get(name=defaults.EMERGENCY_WORKFLOW)
        WorkflowRoute.objects.create(
            name="Chiến dịch", section=campaign, workflow=fast, sort_order=5
        )
        self.client.force_login(self.editor)
        label, labels = submit_button(self.client.get(self.add_url(campaign)))
        self.assertEqual(label, EMERGENCY)
        self.assertEqual(set(labels.values()), {EMERGENCY})
        # Elsewhere the priority rules still decide.
        _label, labels = submit_button(self.client.get(self.add_url(self.tree.news)))
        self.assertEqual(labels[Priority.NORMAL], NORMAL)

    def test_the_label_script_is_a_static_file_not_inline(self):
        self.client.force_login(self.editor)
        response = self.client.get(self.add_url(self.tree.news))
        self.assertContains(response, "workflows/editor/submit_label.js")
        self.assertNotIn("unsafe-eval", response.headers.get("Content-Security-Policy", ""))


# --- In Chromium -------------------------------------------------------------------------


@pytest.mark.browser
def test_the_submit_label_follows_the_priority_select_in_chromium(live_server, moderation_site,
                                                                   browser):
    from playwright.sync_api import expect

    tree, editor, _approver = moderation_site
    problems: list[str] = []
    page = browser_kit.watch_policies(browser.new_context(locale="vi-VN"), problems).new_page()
    page.set_default_timeout(browser_kit.SLOW)
    browser_kit.log_in(page, live_server.url, editor.username)
    page.goto(f"{live_server.url}/admin/pages/add/content_types/bulletinpage/{tree.news.pk}/")
    label = page.locator("button[name=action-submit] [data-ttcs-submit-label]")
    expect(label).to_have_text(NORMAL)
    page.select_option("select[name=priority]", Priority.EMERGENCY)
    expect(label).to_have_text(EMERGENCY)
    assert page.locator("button[name=action-submit]").get_attribute("value") == EMERGENCY
    page.locator("footer button.w-dropdown__toggle").click()
    browser_kit.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(browser_kit.ARTIFACTS / "10-submit-label-emergency.png"), full_page=True)
    page.select_option("select[name=priority]", Priority.PRIORITY)
    expect(label).to_have_text(NORMAL)
    assert problems == []

