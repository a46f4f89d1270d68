"""In Debian's Chromium: an editor hears the draft ("Nghe thử") and submits it, an approver
listens and approves it from the dashboard (one press on the player; one listening for both of
their steps), another from the page editor's audio panel, and the public site shows them, all
under the site's Content-Security-Policy and Permissions-Policy without a single violation in
the console."""

import os
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import connections

from content_types.models import BulletinPage
from device_bridge.tts.engines.fake import FakeEngine
from tests.factories import build_site, make_bulletin
from workflows import roles
from workflows.defaults import moderation_defaults_install

from .helpers import PASSWORD, make_user

# Playwright's sync API runs an event loop in this thread; Django's ORM calls here are ours.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "workflows"
TITLE = "Thông báo lịch tiêm chủng mở rộng tháng 12"
OTHER_TITLE = "Thông báo lịch cắt điện thôn Đông"
SLOW = 90_000  # ms; CI machines running several suites at once are slow


@pytest.fixture
def moderation_site(transactional_db, settings):
    # Earlier transactional tests flush the rows the data migration made: install them again.
    moderation_defaults_install(django_apps)
    settings.TTS_ENGINE = "fake"  # speech is an edge here; the recording engine renders offline
    settings.TTS_FALLBACK = False
    tree = build_site()
    editor = make_user("bientap", roles.EDITOR)
    approver = make_user("duyet", roles.REVIEWER, roles.LEADER)
    return tree, editor, approver




# Chromium reports a blocked script, style, frame or media load, and a header it cannot parse,
# as a console message naming the policy.
POLICY_MARKERS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")


def watch_policies(context, problems: list[str]):
    """Record every policy violation and uncaught script error of the pages in ``context``."""

    def on_console(message):
        if any(marker in message.text for marker in POLICY_MARKERS):
            problems.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", on_console)
    context.on("weberror", lambda error: problems.append(f"script error: {error.error}"))
    return context


def press_play(audio):
    """One press on the play button of the browser's own audio controls (left end)."""
    audio.scroll_into_view_if_needed()
    box = audio.bounding_box()
    audio.click(position={"x": min(24, box["width"] / 4), "y": box["height"] / 2})


def playing(page, selector):
    """Wait until the audio element ``selector`` is actually playing."""
    page.wait_for_function(
        "s => { const a = document.querySelector(s); return a && a.currentTime > 0 && !a.paused; }",
        arg=selector,
        timeout=SLOW,
    )


def log_in(page, base_url, username):
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


@pytest.mark.browser
def test_editor_submits_and_approver_listens_then_approves_from_the_dashboard(
    live_server, moderation_site, browser
):
    from playwright.sync_api import expect

    tree, editor, approver = moderation_site
    base = live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    problems: list[str] = []

    # The editor writes the bulletin and submits it.
    editor_page = watch_policies(browser.new_context(locale="vi-VN"), problems).new_page()
    editor_page.set_default_timeout(SLOW)
    log_in(editor_page, base, editor.username)
    editor_page.goto(f"{base}/admin/pages/add/content_types/bulletinpage/{tree.news.pk}/")
    editor_page.fill("#id_title", TITLE)
    editor_page.fill("#id_summary", "Trạm Y tế xã tổ chức tiêm chủng mở rộng sáng thứ Hai.")
    editor_page.fill("#id_radio_text", "Trạm Y tế xã thông báo lịch tiêm chủng mở rộng tháng mười hai.")
    editor_page.locator("#id_category").locator("xpath=..").get_by_role("button").first.click()
    editor_page.locator(".modal").get_by_text("An sinh xã hội").first.click()
    editor_page.wait_for_selector(".modal", state="hidden")
    # The live preview: an iframe of the admin's own origin (frame-src 'self').
    editor_page.locator('[data-side-panel-toggle="preview"]').click()
    preview = editor_page.frame_locator("#w-preview-iframe")
    # The preview renders after a debounce and a round trip: give a loaded machine time.
    expect(preview.get_by_role("heading", name=TITLE)).to_be_visible(timeout=SLOW)
    editor_page.screenshot(path=str(ARTIFACTS / "01-editor-writes.png"), full_page=True)
    # Saved as a draft, then heard as the loudspeakers would say it (issue 9, item 9).
    editor_page.locator("footer button.action-save").click()
    editor_page.wait_for_url("**/admin/pages/*/edit/")
    FakeEngine.reset()
    editor_page.locator("[data-draft-listen]").click()
    playing(editor_page, "[data-draft-audio]")
    assert len(FakeEngine.calls) == 1, FakeEngine.calls
    editor_page.screenshot(path=str(ARTIFACTS / "01b-editor-nghe-thu.png"), full_page=True)
    editor_page.locator("footer button.w-dropdown__toggle").click()
    editor_page.locator("button[name=action-submit]").click()
    editor_page.wait_for_url(f"{base}/admin/pages/{tree.news.pk}/")
    bulletin = BulletinPage.objects.get(title=TITLE)
    assert bulletin.workflow_in_progress and not bulletin.live
    # Submitting what was heard renders nothing again: the approver's preview is that audio.
    assert len(FakeEngine.calls) == 1, FakeEngine.calls
    editor_page.screenshot(path=str(ARTIFACTS / "02-editor-submitted.png"), full_page=True)

    # The approver (Phòng VH-XH and Lãnh đạo UBND in the demo) takes both steps from the
    # dashboard: the step is listed once, one press on the player plays it (item 13), and one
    # listening counts for both of their steps of that revision (item 14).
    approver_page = watch_policies(browser.new_context(locale="vi-VN"), problems).new_page()
    approver_page.set_default_timeout(SLOW)
    log_in(approver_page, base, approver.username)
    expect(approver_page.locator("#awaiting-review-section")).to_have_count(0)
    item = approver_page.locator("[data-listen-item]", has_text=TITLE)
    expect(item).to_have_count(1)
    approve = item.locator("[data-listen-approve]")
    expect(approve).to_be_hidden()
    press_play(item.locator("[data-listen-audio]"))
    expect(approve).to_be_visible(timeout=SLOW)
    approver_page.screenshot(path=str(ARTIFACTS / "03-step1-listened.png"), full_page=True)
    for step in (1, 2):
        item = approver_page.locator("[data-listen-item]", has_text=TITLE)
        approve = item.locator("[data-listen-approve]")
        expect(approve).to_be_visible()
        if step == 2:
            approver_page.screenshot(path=str(ARTIFACTS / "03-step2-no-second-listening.png"), full_page=True)
        item.locator("textarea[name=comment]").fill(f"Đồng ý ở bước {step}.")
        # The dashboard URL does not change: wait for the post-redirect-get to finish.
        with approver_page.expect_navigation(timeout=SLOW):
            approve.click()
        expect(approver_page.get_by_text("Đã duyệt").first).to_be_visible()
    approver_page.screenshot(path=str(ARTIFACTS / "04-approved.png"), full_page=True)

    bulletin = BulletinPage.objects.get(pk=bulletin.pk)
    assert bulletin.live

    # Opened from the queue, the page editor's audio panel plays the preview and offers
    # "Duyệt" once it has been heard (item 12); a comment typed there is not autosaved into a
    # new revision of the page (which would reset the step).
    other = make_bulletin(
        tree.news, category=tree.categories["an-sinh-xa-hoi"], publish=False, owner=editor,
        title=OTHER_TITLE, slug="cat-dien-thon-dong",
        summary="Điện lực xã cắt điện thôn Đông từ 7 giờ đến 11 giờ sáng thứ Tư.",
    )
    other.save_revision(user=editor)
    other.get_workflow().start(other, editor)
    approver_page.set_viewport_size({"width": 375, "height": 812})  # on a phone, this time
    approver_page.goto(f"{base}/admin/")
    approver_page.screenshot(path=str(ARTIFACTS / "05b-queue-phone.png"), full_page=True)
    approver_page.locator("[data-listen-item]", has_text=OTHER_TITLE).locator("h3 a").click()
    approver_page.wait_for_url(f"{base}/admin/pages/{other.pk}/edit/#nghe-duyet")
    panel = approver_page.locator("[data-listen-in-editor]")
    approve = panel.locator("[data-listen-approve]")
    expect(approve).to_be_hidden()
    press_play(panel.locator("[data-listen-audio]"))
    expect(approve).to_be_visible(timeout=SLOW)
    panel.locator("textarea[name=comment]").fill("Nghe rõ, đồng ý.")
    approver_page.wait_for_timeout(2000)  # longer than Wagtail's autosave delay
    approver_page.screenshot(path=str(ARTIFACTS / "06-editor-panel-listened.png"), full_page=True)
    with approver_page.expect_navigation(timeout=SLOW):
        approve.click()
    # Back in the editor at the leader's step of the same revision: no second listening.
    approver_page.wait_for_url(f"{base}/admin/pages/{other.pk}/edit/")
    expect(approver_page.get_by_text("Đã duyệt").first).to_be_visible()
    approve = approver_page.locator("[data-listen-in-editor] [data-listen-approve]")
    expect(approve).to_be_visible()
    with approver_page.expect_navigation(timeout=SLOW):
        approve.click()
    expect(approver_page.get_by_text("Đã duyệt").first).to_be_visible()
    approver_page.screenshot(path=str(ARTIFACTS / "07-editor-panel-approved.png"), full_page=True)
    assert BulletinPage.objects.get(pk=other.pk).live

    # Anyone can read it on the public site.
    public = watch_policies(browser.new_context(), problems).new_page()
    public.set_default_timeout(SLOW)
    public.goto(f"{base}{bulletin.url}")
    expect(public.get_by_role("heading", name=TITLE)).to_be_visible()
    public.screenshot(path=str(ARTIFACTS / "05-public.png"), full_page=True)
    for url in (f"{base}/", f"{base}{tree.news.url}", f"{base}/search/?q=ti%C3%AAm"):
        public.goto(url)
    # The editor's view of the public page carries Wagtail's user bar (and its checker).
    editor_page.goto(f"{base}{bulletin.url}")
    expect(editor_page.locator("wagtail-userbar")).to_be_attached(timeout=SLOW)
    editor_page.wait_for_load_state("networkidle")

    assert problems == [], "\n".join(problems)
    # Playwright's sync API switches greenlets, and Django keeps one connection per context:
    # close the ones opened here or PostgreSQL refuses to drop the test database.
    connections.close_all()
