"""The four users' daily flows, walked in Debian's Chromium on a desktop (1280 px) and a phone
(375 px) over the demo commune: the editor writes a bulletin, listens to it and submits it; the
approver listens and approves it (first step on the desktop, second on the phone); the
technician looks at the fleet, the week's schedule and the bulletin's delivery; a resident reads
the news and plays the bulletin; the administrator opens the Vietnamese guide from the help menu.

Screenshots go to ``tests/artifacts/walk/``; those the user guide shows are also written,
palette-reduced, to ``docs/huong-dan/img/`` (commit them when the admin's look changed), so the
guide's pictures are always the ones this test took.
"""

import datetime as dt
import os
import re
import time
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import connections
from django.utils import timezone

from content_types.models import BulletinPage, NewsIndexPage

# Playwright's sync API runs an event loop in this thread; Django's ORM calls here are ours.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "walk"
GUIDE_IMAGES = ROOT / "docs" / "huong-dan" / "img"
STARTED = time.monotonic()
SLOW = 60_000  # ms; generous: CI machines run several suites at once
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}
PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 1,
         "is_mobile": True, "has_touch": True}

TITLE = "Thông báo lịch tiêm chủng mở rộng tháng 12"
SUMMARY = "Trạm Y tế xã tổ chức tiêm chủng mở rộng cho trẻ dưới 5 tuổi vào sáng thứ Hai."
RADIO_TEXT = "Trạm Y tế xã thông báo lịch tiêm chủng mở rộng tháng mười hai."
EMERGENCY_TITLE = "Khẩn cấp: triều cường dâng cao chiều nay, các hộ ven sông kê cao đồ đạc"
EMERGENCY_SUMMARY = "Đỉnh triều dự kiến lúc 17 giờ; đề nghị các hộ ven sông chủ động kê cao đồ đạc."
CHANGES_REQUESTED = "Ghi rõ những thôn nào bị ảnh hưởng và số điện thoại trực ban."


# --- fixtures ---------------------------------------------------------------------------------

@pytest.fixture
def demo_commune(transactional_db, settings, tmp_path):
    """The demo commune of ``seed_demo``, with its clusters, three of them reporting in."""
    from wagtail.models import Page
    from wagtail.signals import page_published

    from content_types.services import DEMO_PASSWORD, demo_site_seed
    from device_bridge.tts import conf as tts_conf
    from workflows import events
    from workflows.defaults import moderation_defaults_install

    settings.TTS_ENGINE = "fake"  # speech is an edge here: the recording engine, offline
    settings.TTS_FALLBACK = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Earlier transactional tests flush the rows the data migration made: install them again.
    moderation_defaults_install(django_apps)
    # The seeded bulletins need no audio or delivery here (rendering them all would take half a
    # minute): only the walk's own bulletin goes through the whole pipeline. They are made
    # older than the speech sweep looks back, so no dashboard reports their audio missing.
    print(f"{time.monotonic() - STARTED:6.1f} s  seeding")
    page_published.disconnect(dispatch_uid="workflows_content_approved")
    try:
        demo_site_seed()
    finally:
        page_published.connect(events._on_page_published, dispatch_uid="workflows_content_approved")
    long_ago = timezone.now() - dt.timedelta(days=tts_conf.render_retry("REPAIR_DAYS") + 1)
    Page.objects.filter(live=True, last_published_at__gt=long_ago).update(last_published_at=long_ago)
    _fleet_reporting()
    print(f"{time.monotonic() - STARTED:6.1f} s  seeded")
    yield DEMO_PASSWORD
    # Playwright's sync API switches greenlets and Django keeps one connection per context:
    # close the ones opened here, pass or fail, or PostgreSQL refuses to drop the test database.
    connections.close_all()


def _fleet_reporting():
    """The demo's simulated clusters (``seed_demo`` ships them): three report in, one stays
    silent, as ``make run``'s simulator would leave them after a minute."""
    from device_bridge.models import ScheduleTemplate, SpeakerCluster

    assert ScheduleTemplate.objects.filter(is_default=True).exists()
    clusters = list(SpeakerCluster.objects.order_by("code"))
    assert len(clusters) >= 2, "the demo ships simulated clusters"
    now = timezone.now()
    for cluster in clusters[:-1]:
        cluster.last_seen_at = now
        cluster.last_heartbeat = {"status": "idle", "volume": 70, "signal_strength": -81,
                                  "firmware": "2.1.0", "temperature_c": 36.4}
        cluster.save(update_fields=["last_seen_at", "last_heartbeat"])




# --- helpers ----------------------------------------------------------------------------------

class Walk:
    """One browser, one context per user and screen size, and the screenshots they take."""

    def __init__(self, browser, base_url, password):
        self.browser = browser
        self.base = base_url
        self.password = password
        self.errors: list[str] = []
        self.guide_images: list[str] = []
        self.sessions: dict[str, dict] = {}
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def open(self, size, username=None):
        """A new window of ``size``; signed in as ``username`` (the password once per user,
        then the session is reused, as a phone and a desktop browser would each keep it)."""
        session = {"storage_state": self.sessions[username]} if username in self.sessions else {}
        context = self.browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                           **size, **session)
        context.on("weberror", lambda error: self.errors.append(f"script error: {error.error}"))
        page = context.new_page()
        page.set_default_timeout(SLOW)
        # A dialog in the way of a daily flow ("leave this page?") is a finding, not a pause.
        page.on("dialog", self._dialog)
        if username and not session:
            page.goto(f"{self.base}/admin/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", self.password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{self.base}/admin/")
            self.sessions[username] = context.storage_state()
        elif username:
            page.goto(f"{self.base}/admin/")
        return page

    def _dialog(self, dialog):
        self.errors.append(f"unexpected {dialog.type} dialog: {dialog.message!r}")
        dialog.accept()

    def shot(self, page, name, *, guide=False, full_page=False, locator=None):
        """Save ``name``.png (the viewport, the whole page or one element); ``guide`` copies it
        into the user guide, reduced to a 256-colour palette to keep the repository small."""
        print(f"{time.monotonic() - STARTED:6.1f} s  {name}")
        path = ARTIFACTS / f"{name}.png"
        page.wait_for_load_state("load")
        if locator is not None:
            locator.screenshot(path=str(path), animations="disabled")
        else:
            page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        if guide:
            from PIL import Image

            GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
            with Image.open(path) as image:
                reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
                reduced.save(GUIDE_IMAGES / f"{name}.png")
            self.guide_images.append(f"{name}.png")
        return path


def play_preview(item):
    """Press play on an approver's player (one press, as a person would)."""
    button = item.locator("[data-listen-play]")
    if button.count():  # the older panel had a separate button
        button.first.click()
        return
    audio = item.locator("audio[data-listen-audio]")
    audio.scroll_into_view_if_needed()
    # At the fastest speed the player allows (2x), as a busy approver would.
    audio.evaluate("audio => { audio.playbackRate = 2; audio.play().catch(() => {}); }")


# --- the walk ---------------------------------------------------------------------------------

@pytest.mark.browser
def test_four_users_walk_their_daily_flow_on_desktop_and_phone(live_server, demo_commune, browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=SLOW)
    walk = Walk(browser, live_server.url, demo_commune)
    base = live_server.url
    news = NewsIndexPage.objects.get(slug="tin-tuc")

    # 1. Editor (biên tập viên), desktop: dashboard, write, save, "Nghe thử", submit.
    editor = walk.open(DESKTOP, "bientap")
    walk.shot(editor, "bien-tap-vien-bang-dieu-khien", guide=True)
    editor.goto(f"{base}/admin/pages/add/content_types/bulletinpage/{news.pk}/")
    editor.fill("#id_title", TITLE)
    editor.fill("#id_summary", SUMMARY)
    editor.fill("#id_radio_text", RADIO_TEXT)
    editor.locator("#id_category").locator("xpath=..").get_by_role("button").first.click()
    editor.locator(".modal").get_by_text("Y tế và dịch bệnh").first.click()
    editor.wait_for_selector(".modal", state="hidden")
    walk.shot(editor, "bien-tap-vien-soan-ban-tin", guide=True)
    editor.locator("footer button[type=submit]").first.click()  # "Lưu bản nháp"
    editor.wait_for_url(re.compile(r".*/admin/pages/\d+/edit/$"))
    bulletin = BulletinPage.objects.get(title=TITLE)
    edit_url = f"{base}/admin/pages/{bulletin.pk}/edit/"

    draft_listen = editor.locator("[data-draft-listen]")
    if draft_listen.count():
        draft_listen.scroll_into_view_if_needed()
        draft_listen.click()
        audio = editor.locator("audio[data-draft-audio]")
        expect(audio).to_be_visible()
        editor.wait_for_function(
            "() => { const a = document.querySelector('audio[data-draft-audio]');"
            " return a && a.currentTime > 0; }")
        walk.shot(editor, "bien-tap-vien-nghe-thu", guide=True)

    editor.locator("footer button.w-dropdown__toggle").click()
    submit = editor.locator("button[name=action-submit]")
    expect(submit).to_be_visible()
    walk.shot(editor, "bien-tap-vien-gui-duyet", guide=True)
    submit.click()
    editor.wait_for_url(f"{base}/admin/pages/{news.pk}/")
    bulletin = BulletinPage.objects.get(pk=bulletin.pk)
    assert bulletin.workflow_in_progress and not bulletin.live
    walk.shot(editor, "bien-tap-vien-da-gui", guide=True)

    # Editor, phone: the dashboard and the bulletin waiting for approval.
    editor_phone = walk.open(PHONE, "bientap")
    walk.shot(editor_phone, "bien-tap-vien-dien-thoai-bang-dieu-khien")
    editor_phone.goto(edit_url)
    expect(editor_phone.locator("#id_title")).to_have_value(TITLE)
    walk.shot(editor_phone, "bien-tap-vien-dien-thoai", guide=True)
    editor_phone.context.close()

    # 2. Approver (người duyệt + lãnh đạo in the demo): step 1 on the desktop.
    approver = walk.open(DESKTOP, "duyet")
    item = approver.locator("[data-listen-item]", has_text=TITLE)
    approve = item.locator("[data-listen-approve]")
    expect(approve).to_be_hidden()
    item.scroll_into_view_if_needed()
    walk.shot(approver, "nguoi-duyet-hang-cho", guide=True)
    play_preview(item)
    expect(approve).to_be_visible()
    walk.shot(approver, "nguoi-duyet-da-nghe", guide=True)
    item.locator("textarea[name=comment]").fill("Nội dung đúng, đồng ý.")
    with approver.expect_navigation():
        approve.click()
    walk.shot(approver, "nguoi-duyet-da-duyet-buoc-1")

    # Step 2 on the phone: one listening of this revision counts for the second step too.
    approver_phone = walk.open(PHONE, "duyet")
    item = approver_phone.locator("[data-listen-item]", has_text=TITLE)
    approve = item.locator("[data-listen-approve]")
    item.scroll_into_view_if_needed()
    if approve.is_hidden():
        play_preview(item)
    expect(approve).to_be_visible()
    approve.scroll_into_view_if_needed()
    walk.shot(approver_phone, "nguoi-duyet-dien-thoai", guide=True)
    # ... and approved from the page editor's audio panel, where the queue's link leads.
    item.get_by_role("link", name=TITLE).click()
    approver_phone.wait_for_url(re.compile(rf"{re.escape(edit_url)}(#.*)?$"))
    in_editor = approver_phone.locator("[data-listen-in-editor]")
    approve = in_editor.locator("[data-listen-approve]")
    in_editor.scroll_into_view_if_needed()
    act_form = in_editor.get_attribute("data-act-form-id")
    if act_form:  # the step's own form, outside the page's, added by the player's script
        approver_phone.wait_for_selector(f"form#{act_form}", state="attached")
    if approve.is_hidden():
        play_preview(in_editor)
    expect(approve).to_be_visible()
    approve.scroll_into_view_if_needed()
    walk.shot(approver_phone, "nguoi-duyet-trong-trang-soan", guide=True)
    with approver_phone.expect_navigation():
        approve.click()
    walk.shot(approver_phone, "nguoi-duyet-dien-thoai-da-duyet")
    approver_phone.context.close()
    bulletin = BulletinPage.objects.get(pk=bulletin.pk)
    assert bulletin.live, "two approvals publish the bulletin"

    # An emergency: the submit button names the emergency workflow as soon as the priority says
    # so; the approver sees it waiting on every admin page and sends it back; the editor sees
    # why on the dashboard and on the edit page.
    editor.goto(f"{base}/admin/pages/add/content_types/bulletinpage/{news.pk}/")
    editor.fill("#id_title", EMERGENCY_TITLE)
    editor.fill("#id_summary", EMERGENCY_SUMMARY)
    editor.locator("#id_category").locator("xpath=..").get_by_role("button").first.click()
    editor.locator(".modal").get_by_text("Phòng chống thiên tai").first.click()
    editor.wait_for_selector(".modal", state="hidden")
    editor.select_option("#id_priority", "khan_cap")
    # Back to the top of the form (the chooser leaves it scrolled), the priority in sight.
    editor.evaluate("() => document.querySelectorAll('*').forEach(e => { e.scrollLeft = 0; })")
    editor.locator("#id_title").scroll_into_view_if_needed()
    editor.locator("footer button.w-dropdown__toggle").click()
    submit = editor.locator("button[name=action-submit]")
    expect(submit).to_contain_text("Quy trình khẩn cấp")
    walk.shot(editor, "bien-tap-vien-khan-cap", guide=True)
    submit.click()
    editor.wait_for_url(f"{base}/admin/pages/{news.pk}/")
    emergency = BulletinPage.objects.get(title=EMERGENCY_TITLE)
    assert emergency.workflow_in_progress and not emergency.live

    approver.goto(f"{base}/admin/pages/{news.pk}/")  # any admin page
    alert = approver.locator("[data-emergency-alert]")
    expect(alert).to_contain_text(EMERGENCY_TITLE)
    walk.shot(approver, "nguoi-duyet-khan-cap", guide=True)
    approver.goto(f"{base}/admin/")
    item = approver.locator("[data-listen-item]", has_text=EMERGENCY_TITLE)
    item.locator("textarea[name=comment]").fill(CHANGES_REQUESTED)
    with approver.expect_navigation():
        item.get_by_role("button", name="Yêu cầu sửa").click()
    approver.context.close()

    editor.goto(f"{base}/admin/")
    sent_back = editor.locator("[data-changes-requested-item]", has_text=EMERGENCY_TITLE)
    expect(sent_back).to_contain_text(CHANGES_REQUESTED)
    sent_back.scroll_into_view_if_needed()
    walk.shot(editor, "bien-tap-vien-yeu-cau-sua", guide=True)
    sent_back.get_by_role("link", name=EMERGENCY_TITLE).click()
    expect(editor.locator("[data-changes-requested]")).to_contain_text(CHANGES_REQUESTED)
    walk.shot(editor, "bien-tap-vien-yeu-cau-sua-trang-soan")
    editor.context.close()

    # 3. Technician (kỹ thuật viên): the fleet on the dashboard, clusters, the week, delivery.
    technician = walk.open(DESKTOP, "kythuat")
    walk.shot(technician, "ky-thuat-vien-bang-dieu-khien", guide=True)
    technician.goto(f"{base}/admin/device_bridge/speakercluster/")
    expect(technician.get_by_text("CL-DONG-01").first).to_be_visible()
    walk.shot(technician, "ky-thuat-vien-cum-loa", guide=True)
    technician.get_by_role("link", name="Trạng thái").first.click()
    expect(technician.get_by_text("CL-DOAI-01").first).to_be_visible()
    walk.shot(technician, "ky-thuat-vien-trang-thai-cum-loa", guide=True)
    technician.goto(f"{base}/admin/device-bridge/calendar/")
    walk.shot(technician, "ky-thuat-vien-lich-phat", guide=True)
    technician.goto(f"{base}/admin/device-bridge/pages/{bulletin.pk}/dispatches/")
    expect(technician.get_by_text(TITLE).first).to_be_visible()
    walk.shot(technician, "ky-thuat-vien-tien-do-phat", guide=True)
    technician.context.close()
    technician_phone = walk.open(PHONE, "kythuat")
    walk.shot(technician_phone, "ky-thuat-vien-dien-thoai", guide=True)
    technician_phone.goto(f"{base}/admin/device-bridge/pages/{bulletin.pk}/dispatches/")
    walk.shot(technician_phone, "ky-thuat-vien-dien-thoai-tien-do-phat")
    technician_phone.context.close()

    # 4. Resident: the news list, the bulletin, its player; desktop then phone.
    for size, suffix in ((DESKTOP, ""), (PHONE, "-dien-thoai")):
        resident = walk.open(size)
        resident.goto(f"{base}/")
        walk.shot(resident, f"cong-dan-trang-chu{suffix}", guide=size is DESKTOP)
        resident.goto(f"{base}{news.url}")
        expect(resident.get_by_role("link", name=TITLE).first).to_be_visible()
        walk.shot(resident, f"cong-dan-tin-tuc{suffix}")
        resident.get_by_role("link", name=TITLE).first.click()
        expect(resident.get_by_role("heading", name=TITLE)).to_be_visible()
        player = resident.locator(".bulletin-player audio")
        expect(player).to_be_visible()
        player.evaluate("audio => audio.play()")
        resident.wait_for_function(
            "() => { const a = document.querySelector('.bulletin-player audio');"
            " return a && a.currentTime > 0; }")
        walk.shot(resident, f"cong-dan-ban-tin{suffix}", guide=size is PHONE)
        # Search from the header, typed without diacritics as on many phones.
        resident.get_by_role("searchbox").first.fill("tiem chung")
        resident.get_by_role("searchbox").first.press("Enter")
        expect(resident.get_by_role("link", name=TITLE).first).to_be_visible()
        walk.shot(resident, f"cong-dan-tim-kiem{suffix}", guide=size is DESKTOP)
        resident.context.close()

    # 5. Administrator: the help menu leads to the Vietnamese guide served by the site.
    admin = walk.open(DESKTOP, "admin")
    admin.locator("[data-wagtail-sidebar] button", has_text="Trợ giúp").first.click()
    guide_link = admin.get_by_role("link", name="Hướng dẫn sử dụng").first
    expect(guide_link).to_be_visible()
    walk.shot(admin, "quan-tri-tro-giup", guide=True)
    guide_link.click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Hướng dẫn")
    expect(admin.locator("article.guide img").first).to_be_visible()
    walk.shot(admin, "quan-tri-huong-dan")
    admin.goto(f"{base}/admin/workflows/list/")
    walk.shot(admin, "quan-tri-quy-trinh", guide=True)
    admin.goto(f"{base}/admin/groups/")
    walk.shot(admin, "quan-tri-nhom-quyen", guide=True)
    admin.context.close()

    assert walk.errors == [], "\n".join(walk.errors)
    # Every picture the guide shows was taken by this walk, and it stays small.
    guide_text = "".join(p.read_text(encoding="utf-8") for p in GUIDE_IMAGES.parent.glob("*.md"))
    referenced = set(re.findall(r"\]\(img/([a-z0-9-]+\.png)\)", guide_text))
    assert referenced == set(walk.guide_images), referenced ^ set(walk.guide_images)
    for name in walk.guide_images:
        assert (GUIDE_IMAGES / name).stat().st_size < 200_000, name
    for stale in set(p.name for p in GUIDE_IMAGES.glob("*.png")) - set(walk.guide_images):
        (GUIDE_IMAGES / stale).unlink()  # a picture no step takes any more
