"""Item 11 of issue 9: an approver's request for changes is shown where the editor works, on
the page's edit view and on the editor's dashboard, with who asked and when."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from wagtail.models import TaskState

from workflows import defaults
from workflows.editor_selectors import changes_requested_for_user

from . import test_browser_moderation as browser_kit
from .helpers import ModerationTestCase, bulletin_form_data

moderation_site = browser_kit.moderation_site

COMMENT = "Thiếu địa điểm tiêm,\nđề nghị bổ sung giờ bắt đầu."


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


class ChangesRequestedTests(ModerationTestCase):
    def send_back(self, page, comment=COMMENT) -> TaskState:
        task_state = self.submit(page)
        self.client.force_login(self.reviewer)
        response = self.wagtail_action(page, task_state, "reject", comment)
        self.assertEqual(response.status_code, 302)
        task_state.refresh_from_db()
        self.assertEqual(task_state.status, TaskState.STATUS_REJECTED)
        return task_state

    def moment(self, task_state) -> str:
        return date_format(localtime(task_state.finished_at), "H:i d/m/Y")

    def test_the_edit_view_shows_the_comment_in_a_banner_above_the_form(self):
        page = self.draft_bulletin(title="Thông báo họp dân thôn Đoài")
        task_state = self.send_back(page)
        self.client.force_login(self.editor)
        response = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        # In the messages area at the top of the page, not in a dialog or the history.
        banner = soup(response).select_one(".messages li.warning [data-changes-requested]")
        self.assertIsNotNone(banner, "no changes-requested banner on the edit view")
        text = banner.get_text(" ", strip=True)
        self.assertIn("Duyetvhxh yêu cầu sửa lúc", text)
        self.assertIn(self.moment(task_state), text)
        self.assertIn(defaults.REVIEW_TASK, text)
        self.assertIn("Thiếu địa điểm tiêm,", text)
        self.assertIn("đề nghị bổ sung giờ bắt đầu.", text)

    def test_the_banner_stays_until_resubmission_then_goes(self):
        page = self.draft_bulletin()
        self.send_back(page)
        self.client.force_login(self.editor)
        edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        for _visit in range(2):  # shown on every visit, not once like a flash message
            self.assertEqual(len(soup(self.client.get(edit_url)).select("[data-changes-requested]")), 1)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                edit_url,
                bulletin_form_data(
                    category=self.category, slug=page.slug, action="action-submit",
                    summary="Tiêm tại Trạm Y tế xã, 7 giờ sáng thứ Hai.",
                ),
            )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(soup(self.client.get(edit_url)).select("[data-changes-requested]"), [])
        self.assertEqual(changes_requested_for_user(self.editor), [])

    def test_a_page_waiting_for_approval_has_no_banner(self):
        page = self.draft_bulletin()
        self.submit(page)
        self.client.force_login(self.editor)
        response = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        self.assertEqual(soup(response).select("[data-changes-requested]"), [])

    def test_the_editors_dashboard_lists_pages_sent_back_with_comment_who_and_when(self):
        page = self.draft_bulletin(title="Thông báo họp dân thôn Đoài")
        task_state = self.send_back(page)
        self.submit(self.draft_bulletin(title="Thông báo lịch cắt điện"))  # waiting: not listed
        self.client.force_login(self.editor)
        dashboard = soup(self.client.get(reverse("wagtailadmin_home")))
        items = dashboard.select("[data-changes-requested-item]")
        self.assertEqual(len(items), 1)
        item = items[0]
        link = item.select_one("a")
        self.assertEqual(link["href"], reverse("wagtailadmin_pages:edit", args=[page.pk]))
        self.assertEqual(link.get_text(strip=True), "Thông báo họp dân thôn Đoài")
        text = item.get_text(" ", strip=True)
        self.assertIn(f"Duyetvhxh yêu cầu sửa lúc {self.moment(task_state)}", text)
        self.assertIn("đề nghị bổ sung giờ bắt đầu.", text)
        self.assertIn("Bản tin cần sửa theo yêu cầu của người duyệt", dashboard.get_text())

    def test_other_users_and_editors_with_nothing_sent_back_see_no_panel(self):
        self.send_back(self.draft_bulletin())
        for user in (self.technician, self.leader):
            self.client.force_login(user)
            response = self.client.get(reverse("wagtailadmin_home"))
            self.assertEqual(soup(response).select("[data-changes-requested-list]"), [])

    def test_the_dashboard_list_costs_two_queries_whatever_its_length(self):
        self.send_back(self.draft_bulletin())
        with self.assertNumQueries(2):
            self.assertEqual(len(changes_requested_for_user(self.editor)), 1)
        self.send_back(self.draft_bulletin(), comment="Sai tên thôn.")
        self.send_back(self.draft_bulletin(), comment="Thiếu số điện thoại liên hệ.")
        with self.assertNumQueries(2):
            items = changes_requested_for_user(self.editor)
        self.assertEqual(
            [item.comment for item in items],
            ["Thiếu số điện thoại liên hệ.", "Sai tên thôn.", COMMENT],
        )


@pytest.mark.browser
def test_the_banner_is_above_the_form_on_desktop_and_phone_in_chromium(
    live_server, moderation_site, browser
):
    from playwright.sync_api import expect

    from tests.factories import make_bulletin

    tree, editor, approver = moderation_site
    bulletin = make_bulletin(
        tree.news, category=tree.categories["an-sinh-xa-hoi"], publish=False, owner=editor,
        title="Thông báo họp dân thôn Đoài",
    )
    bulletin.save_revision(user=editor)
    task_state = bulletin.get_workflow().start(bulletin, editor).current_task_state
    task_state.specific.reject(user=approver, comment=COMMENT)

    problems: list[str] = []
    page = browser_kit.watch_policies(browser.new_context(locale="vi-VN"), problems).new_page()
    page.set_default_timeout(browser_kit.SLOW)
    browser_kit.log_in(page, live_server.url, editor.username)
    item = page.locator("[data-changes-requested-item]")
    expect(item).to_contain_text("đề nghị bổ sung giờ bắt đầu.")
    browser_kit.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(browser_kit.ARTIFACTS / "11-changes-requested-dashboard.png"))
    item.get_by_role("link", name="Thông báo họp dân thôn Đoài").click()
    banner = page.locator("[data-changes-requested]")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Duyet yêu cầu sửa lúc")
    expect(banner).to_be_in_viewport()
    page.screenshot(path=str(browser_kit.ARTIFACTS / "11-changes-requested-edit.png"))
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    expect(page.locator("[data-changes-requested]")).to_be_in_viewport()
    page.screenshot(path=str(browser_kit.ARTIFACTS / "11-changes-requested-edit-phone.png"))
    assert problems == []
