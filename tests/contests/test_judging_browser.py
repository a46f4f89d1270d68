"""In Debian's Chromium on a 375 px phone screen with JavaScript off: a team registers on the
contest page, keeps its secret link and submits a written entry through it (issue 11, item 6)."""

import os

import pytest

from contests.judging.models import Entry, Team
from tests.factories import build_site

from .test_browser_quiz import ARTIFACTS, PHONE_SCREEN, SLOW
from .test_judging import make_judged

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")




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


@pytest.mark.browser
def test_a_juror_scores_in_the_admin_then_reads_the_ranking(live_server, transactional_db, browser):
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from contests.judging import services
    from contests.judging.models import Criterion, Score
    from contests.models import ContestRound
    from tests.workflows.helpers import PASSWORD, make_user
    from workflows import roles

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tree = build_site()
    contest = make_judged(tree.home)
    content = Criterion.objects.create(contest=contest, name="Nội dung tuyên truyền", weight=Decimal("2"), sort_order=1)
    Criterion.objects.create(contest=contest, name="Giọng đọc", weight=Decimal("1"), sort_order=2)
    team, _token = services.team_register(contest=contest, name="Đội Thôn Đông", unit="Thôn Đông",
                                          members="Nguyễn Văn An", contact_phone="0912345678")
    entry = services.entry_submit(team=team, round=contest.rounds.get(), kind="text",
                                  title="Loa truyền thanh thôn em", text="Mỗi sáng loa phát bản tin.")
    make_user("giamkhao", roles.JURY)
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(SLOW)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "giamkhao")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/hoi-thi/{contest.pk}/")
    page.get_by_role("link", name="Xem và chấm").click()
    page.get_by_role("spinbutton", name="Nội dung tuyên truyền").fill("8.5")
    page.get_by_role("spinbutton", name="Giọng đọc").fill("9")
    page.get_by_role("button", name="Lưu điểm").click()
    page.get_by_text("Đã lưu điểm của bạn").wait_for()
    page.screenshot(path=str(ARTIFACTS / "hoi-thi-cham-diem.png"), full_page=True)
    assert Score.objects.get(criterion=content).value == Decimal("8.5")

    ContestRound.objects.filter(page=contest).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    page.goto(f"{live_server.url}/admin/hoi-thi/{contest.pk}/")
    page.get_by_role("link", name="Điểm trung bình và xếp hạng").click()
    page.get_by_text("26,00").wait_for()  # 2 × 8.5 + 1 × 9
    page.screenshot(path=str(ARTIFACTS / "hoi-thi-xep-hang.png"), full_page=True)
    assert entry.pk
    context.close()
