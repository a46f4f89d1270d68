"""Demo content: the commune's 2026 grassroots information plan and its tasks (issue 14, item 2).

Taken from ``shared/seed/ke-hoach-thong-tin-co-so-2026.md``: the tasks of part II with the
units part IV assigns them to. Statuses and notes are invented to show a plan in progress."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from wagtail.models import Site

from .models import PlanPage, PlanTask, PlanTaskNote, TaskStatus, Unit

PLAN_SLUG = "ke-hoach-thong-tin-co-so-2026"

VHXH = "Phòng Văn hóa - Xã hội xã"
TTDV = "Trung tâm Dịch vụ sự nghiệp công xã"
KINH_TE = "Phòng Kinh tế xã"
CAC_DON_VI = "Các cơ quan, đơn vị thuộc UBND xã"
UNITS = [VHXH, TTDV, KINH_TE, CAC_DON_VI]

BODY = """
<h2>I. MỤC ĐÍCH, YÊU CẦU</h2>
<p>Nâng cao chất lượng, hiệu quả hoạt động thông tin cơ sở trên địa bàn xã; gắn thông tin cơ sở
với truyền thông chính sách của xã; thúc đẩy chuyển đổi số, phát triển mạng lưới thông tin cơ sở
hiện đại; cung cấp, phổ biến kịp thời thông tin thiết yếu đến người dân.</p>
<h2>II. NHIỆM VỤ VÀ GIẢI PHÁP THỰC HIỆN</h2>
<p>Các nhiệm vụ, đơn vị chủ trì, đơn vị phối hợp và thời hạn được theo dõi trong bảng tiến độ
dưới đây.</p>
<h2>III. KINH PHÍ THỰC HIỆN</h2>
<p>Kinh phí thực hiện Kế hoạch được bố trí trong dự toán ngân sách hằng năm của xã theo quy định
của Luật Ngân sách nhà nước và các nguồn lực hợp pháp khác.</p>
"""

# (code, title, content, lead unit, cooperating units, deadline, status, progress)
TASKS = [
    ("II.1.a", "Tổ chức thực hiện các văn bản quy phạm pháp luật về thông tin cơ sở",
     "Triển khai Nghị định số 49/2024/NĐ-CP và Thông tư số 24/2025/TT-BVHTTDL trên địa bàn xã.",
     VHXH, [TTDV], dt.date(2026, 3, 31), TaskStatus.DONE, 100),
    ("II.1.b", "Xây dựng Kế hoạch hành động năm 2026 triển khai Chiến lược phát triển lĩnh vực "
     "thông tin cơ sở giai đoạn 2026-2030",
     "Xây dựng và trình UBND xã ban hành kế hoạch hành động.",
     VHXH, [TTDV], dt.date(2026, 6, 30), TaskStatus.DONE, 100),
    ("II.2.a", "Hiện đại hóa hệ thống truyền thanh cơ sở cấp xã",
     "Chuyển đổi hệ thống truyền thanh truyền thống sang hệ thống truyền thanh ứng dụng công nghệ "
     "thông tin - viễn thông.",
     TTDV, [KINH_TE], dt.date(2026, 12, 31), TaskStatus.IN_PROGRESS, 60),
    ("II.2.b", "Sửa chữa, duy trì vận hành hệ thống truyền thanh sau lắp đặt",
     "Chuẩn bị kinh phí duy trì gói cước 4G (sau 02 năm được miễn phí) và kinh phí sửa chữa, thay "
     "thế thiết bị sau khi hết thời gian bảo hành.",
     TTDV, [KINH_TE], dt.date(2026, 11, 15), TaskStatus.IN_PROGRESS, 40),
    ("II.3", "Quản lý, duy trì Hệ thống thông tin nguồn của xã",
     "Kết nối với Hệ thống thông tin nguồn thành phố và Trung ương; xây dựng Quy chế quản lý Hệ "
     "thống thông tin nguồn của xã.",
     TTDV, [VHXH], dt.date(2026, 9, 30), TaskStatus.IN_PROGRESS, 70),
    ("II.4", "Đảm bảo an toàn thông tin đối với Hệ thống thông tin nguồn và đài truyền thanh",
     "Kiểm tra, đánh giá an toàn thông tin đối với cụm thu phát thanh ứng dụng công nghệ thông "
     "tin - viễn thông.",
     TTDV, [], dt.date(2026, 12, 15), TaskStatus.NOT_STARTED, 0),
    ("II.5", "Duy trì hoạt động trang Zalo OA xã",
     "Hoàn thiện và tiếp tục duy trì trang Zalo OA phục vụ quản lý nhà nước và thông tin, tuyên "
     "truyền.",
     TTDV, [VHXH], dt.date(2026, 12, 31), TaskStatus.IN_PROGRESS, 80),
    ("II.6", "Tổ chức các hoạt động thông tin, tuyên truyền ở xã",
     "Tuyên truyền nghị quyết, chỉ thị của Đảng, chính sách pháp luật của Nhà nước, an sinh xã "
     "hội, phòng chống thiên tai, dịch bệnh.",
     TTDV, [VHXH, CAC_DON_VI], dt.date(2026, 12, 31), TaskStatus.IN_PROGRESS, 85),
    ("II.7", "Tổ chức các cuộc thi, hội thi thuộc lĩnh vực thông tin xã",
     "Tổ chức cuộc thi trực tuyến tìm hiểu về công tác thông tin cơ sở và hội thi tuyên truyền.",
     VHXH, [TTDV], dt.date(2026, 10, 31), TaskStatus.IN_PROGRESS, 50),
    ("III", "Bố trí kinh phí thực hiện Kế hoạch",
     "Tham mưu UBND xã bố trí kinh phí thực hiện Kế hoạch trong dự toán ngân sách năm 2026.",
     KINH_TE, [VHXH], dt.date(2026, 2, 28), TaskStatus.DONE, 100),
]

# Demo accounts working in each unit (created by the site's demo seed).
UNIT_MEMBERS = {TTDV: ["bientap", "kythuat"], VHXH: ["duyet"], KINH_TE: ["kinhte"]}


@transaction.atomic
def seed_demo_plan(site: Site | None = None) -> PlanPage:
    """The 2026 plan under the site's home page with its tasks; running it again changes nothing."""
    site = site or Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    plan = PlanPage.objects.child_of(home).filter(slug=PLAN_SLUG).first()
    if plan is not None:
        return plan
    plan = PlanPage(
        title="Kế hoạch công tác thông tin cơ sở xã Chí Minh năm 2026", slug=PLAN_SLUG,
        number="/KH-UBND", year=2026, issued_on=dt.date(2026, 2, 2), body=BODY,
        signer="KT. CHỦ TỊCH – PHÓ CHỦ TỊCH Phạm Anh Tuấn",
    )
    home.add_child(instance=plan)
    plan.save_revision().publish()

    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=[name for names in UNIT_MEMBERS.values() for name in names])}
    units = {}
    for name in UNITS:
        units[name], _created = Unit.objects.get_or_create(site=site, name=name)
        units[name].members.add(*[users[u] for u in UNIT_MEMBERS.get(name, []) if u in users])
    for order, (code, title, content, lead, joined, deadline, status, progress) in enumerate(TASKS):
        task = PlanTask.objects.create(
            site=site, plan=plan, code=code, title=title, content=content,
            lead_unit=units[lead], deadline=deadline, status=status, progress=progress,
            completed_on=deadline - dt.timedelta(days=5) if status == TaskStatus.DONE else None,
            sort_order=order,
        )
        task.cooperating_units.set([units[name] for name in joined])
        if status != TaskStatus.NOT_STARTED:
            PlanTaskNote.objects.create(
                task=task, author_name="Trung tâm Dịch vụ sự nghiệp công xã",
                text="Đã triển khai theo kế hoạch." if status == TaskStatus.DONE
                else "Đang triển khai, báo cáo kết quả định kỳ.",
                status=status, progress=progress,
            )
    return plan
