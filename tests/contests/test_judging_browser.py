"""In Debian's Chromium on a 375 px phone screen with JavaScript off: a team registers on the
contest page, keeps its secret link and submits a written entry through it (issue 11, item 6)."""

import os

import pytest

from contests.judging.models import Entry, Team
from tests.factories import build_site

from .test_browser_quiz import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PHONE_SCREEN, SLOW
from .test_judging import make_judged

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's Chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.mark.browser
def test_a_team_registers_and_submits_on_a_phone_without_javascript(live_server, transactional_db, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tree = build_site()
    contest = make_judged(tree.home)
    context = browser.new_context(
        locale="vi-VN", viewport=PHONE_SCREEN, device_scale_factor=2, is_mobile=True,
        has_touch=True, java_script_enabled=False,
    )
    page = context.new_page()
    page.set_default_timeout(SLOW)
    page.goto(f"{live_server.url}{contest.url}")
    page.get_by_label("Tên đội:", exact=True).fill("Đội Thôn Đoài")
    page.get_by_label("Đơn vị (thôn, tổ dân phố, cơ quan…):", exact=True).fill("Thôn Đoài")
    page.get_by_label("Thành viên (mỗi người một dòng: họ tên, chức vụ):").fill("Phạm Văn Bình\nĐỗ Thị Lan")
    page.get_by_label("Số điện thoại liên hệ:").fill("0987 654 321")
    page.get_by_label("Đội đã đọc và đồng ý với thể lệ hội thi", exact=False).check()
    page.screenshot(path=str(ARTIFACTS / "hoi-thi-dang-ky.png"), full_page=True)
    page.get_by_role("button", name="Đăng ký đội thi").click()
    page.get_by_role("heading", name="“Đội Thôn Đoài” đã đăng ký").wait_for()
    page.screenshot(path=str(ARTIFACTS / "hoi-thi-duong-dan.png"), full_page=True)
    assert Team.objects.get().name == "Đội Thôn Đoài"

    page.get_by_role("link", name="Đến trang nộp bài").click()
    page.get_by_role("radio", name="Bài viết").check()
    page.get_by_label("Tên bài dự thi:").fill("Loa truyền thanh thôn tôi")
    page.get_by_label("Nội dung (với bài viết):").fill("Mỗi sáng loa phát bản tin lúc 6 giờ.")
    page.screenshot(path=str(ARTIFACTS / "hoi-thi-nop-bai.png"), full_page=True)
    page.get_by_role("button", name="Nộp bài").click()
    page.get_by_role("heading", name="Đã nhận bài dự thi").wait_for()
    page.screenshot(path=str(ARTIFACTS / "hoi-thi-da-nop.png"), full_page=True)
    entry = Entry.objects.get()
    assert (entry.kind, entry.title) == ("text", "Loa truyền thanh thôn tôi")
    context.close()
