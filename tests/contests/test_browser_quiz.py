"""In Debian's Chromium on a 375 px phone screen: a resident registers, answers, guesses, submits
and reads the result; and a resident who runs out of time has the timer hand the answers in.
All under the site's Content-Security-Policy, without a violation or a script error."""

import os
from pathlib import Path

import pytest

from contests.models import Attempt
from tests.factories import build_site

from .builders import correct_positions, make_contest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls here are ours.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "contests"
SLOW = 90_000  # ms; CI machines running several suites at once are slow
PHONE_SCREEN = {"width": 375, "height": 667}
POLICY_MARKERS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")




def phone(browser, problems, *, javascript=True):
    context = browser.new_context(
        locale="vi-VN", viewport=PHONE_SCREEN, device_scale_factor=2, is_mobile=True,
        has_touch=True, java_script_enabled=javascript,
    )

    def on_console(message):
        if any(marker in message.text for marker in POLICY_MARKERS):
            problems.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", on_console)
    context.on("weberror", lambda error: problems.append(f"script error: {error.error}"))
    page = context.new_page()
    page.set_default_timeout(SLOW)
    return page


def fits_the_screen(page):
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= PHONE_SCREEN["width"], f"{page.url} is {overflow}px wide"


def register(page, contest, base, name):
    page.goto(f"{base}{contest.url}")
    fits_the_screen(page)
    page.get_by_role("link", name="Đăng ký và vào thi").click()
    page.get_by_label("Họ và tên:", exact=True).fill(name)
    page.get_by_label("Số điện thoại:", exact=True).fill("0912 345 678")
    page.get_by_label("Năm sinh:", exact=True).fill("1987")
    page.locator("#id_zone").select_option(label="Thôn Đông")
    page.get_by_label("Tôi đã đọc và đồng ý với thể lệ cuộc thi.").check()
    page.locator("#id_consent_personal_data").check()


@pytest.mark.browser
def test_a_resident_takes_the_quiz_on_a_phone(live_server, transactional_db, browser):
    from playwright.sync_api import expect

    tree = build_site()
    contest = make_contest(tree.home, questions=8, per_attempt=5, multiple_every=4)
    base = live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    page = phone(browser, problems)

    register(page, contest, base, "Lê Thị Hoa")
    page.screenshot(path=str(ARTIFACTS / "01-dang-ky.png"), full_page=True)
    page.get_by_role("button", name="Vào thi").click()
    page.wait_for_url("**/lam-bai/**")
    fits_the_screen(page)

    # The timer counts down in the browser from what the server allows.
    timer = page.locator(".quiz-timer__value")
    first = timer.text_content()
    expect(timer).not_to_have_text(first, timeout=5_000)
    attempt = Attempt.objects.get()
    answers = correct_positions(attempt)
    for question_id in attempt.question_ids:
        for position in answers[question_id]:
            page.locator(f'input[name="q{question_id}"][value="{position}"]').check()
    page.get_by_label("Theo bạn, có bao nhiêu người").fill("7")
    page.screenshot(path=str(ARTIFACTS / "02-lam-bai.png"), full_page=True)
    page.get_by_role("button", name="Nộp bài").click()

    page.wait_for_url("**/ket-qua/**")
    expect(page.locator(".quiz-score")).to_contain_text("5/5")
    fits_the_screen(page)
    page.screenshot(path=str(ARTIFACTS / "03-ket-qua.png"), full_page=True)
    attempt.refresh_from_db()
    assert (attempt.score, attempt.prediction, attempt.participant.place) == (5, 7, "Thôn Đông")
    assert problems == []


@pytest.mark.browser
def test_the_timer_hands_the_answers_in_when_time_runs_out(live_server, transactional_db, browser):
    from playwright.sync_api import expect

    tree = build_site()
    contest = make_contest(tree.home, questions=3, per_attempt=3, time_limit=4)
    base = live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    page = phone(browser, problems)

    register(page, contest, base, "Phạm Văn Chậm")
    page.get_by_role("button", name="Vào thi").click()
    page.wait_for_url("**/lam-bai/**")
    attempt = Attempt.objects.get()
    question_id = attempt.question_ids[0]
    page.locator(f'input[name="q{question_id}"][value="{correct_positions(attempt)[question_id][0]}"]').check()
    # No guess typed, no button pressed: the timer submits at zero.
    page.wait_for_url("**/ket-qua/**", timeout=20_000)
    expect(page.locator(".quiz-score")).to_contain_text("1/3")
    page.screenshot(path=str(ARTIFACTS / "04-het-gio-tu-nop.png"), full_page=True)
    attempt.refresh_from_db()
    assert attempt.submitted_at and not attempt.timed_out and attempt.prediction is None
    assert problems == []


@pytest.mark.browser
def test_the_quiz_works_with_javascript_off(live_server, transactional_db, browser):
    from playwright.sync_api import expect

    tree = build_site()
    contest = make_contest(tree.home, questions=4, per_attempt=3)
    base = live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    page = phone(browser, problems, javascript=False)

    register(page, contest, base, "Đỗ Văn Không Script")
    page.get_by_role("button", name="Vào thi").click()
    page.wait_for_url("**/lam-bai/**")
    # No script: the deadline is shown as a clock time from the server, no countdown runs.
    expect(page.locator(".quiz-timer")).to_contain_text("Hạn nộp bài")
    attempt = Attempt.objects.get()
    answers = correct_positions(attempt)
    for question_id in attempt.question_ids[:2]:
        page.locator(f'input[name="q{question_id}"][value="{answers[question_id][0]}"]').check()
    page.get_by_label("Theo bạn, có bao nhiêu người").fill("2")
    page.screenshot(path=str(ARTIFACTS / "05-khong-javascript.png"), full_page=True)
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/ket-qua/**")
    expect(page.locator(".quiz-score")).to_contain_text("2/3")
    fits_the_screen(page)
    assert problems == []
