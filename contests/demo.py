"""Demo content: an open online quiz on the commune's 2026 grassroots information plan (issue 11,
item 8). Questions come from ``/work/shared/seed/ke-hoach-thong-tin-co-so-2026.md`` (the plan)
and the rules of Decree 49/2024/NĐ-CP as summarised in the project's reference notes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .models import Choice, ContestIndexPage, ContestPage, ContestRound, Question

INDEX_SLUG = "cuoc-thi"
CONTEST_SLUG = "tim-hieu-thong-tin-co-so-2026"

RULES = """
<h3>Đối tượng dự thi</h3>
<p>Mọi người dân đang sinh sống, học tập, công tác trên địa bàn xã Chí Minh; cán bộ, công chức,
viên chức và người lao động thuộc các cơ quan, đơn vị của xã. Thành viên Ban tổ chức không dự thi.</p>
<h3>Hình thức thi</h3>
<ul>
<li>Mỗi lượt thi gồm 10 câu hỏi trắc nghiệm rút ngẫu nhiên từ ngân hàng câu hỏi, làm trong 10 phút.</li>
<li>Mỗi số điện thoại được thi 1 lượt trong mỗi đợt.</li>
<li>Người dự thi trả lời thêm câu dự đoán: có bao nhiêu người trả lời đúng tất cả các câu hỏi.</li>
</ul>
<h3>Cách xếp giải</h3>
<p>Xếp theo số câu trả lời đúng; bằng điểm thì ai dự đoán gần đúng hơn xếp trên; vẫn bằng nhau
thì ai làm bài nhanh hơn, rồi ai nộp bài sớm hơn xếp trên.</p>
<h3>Dữ liệu cá nhân</h3>
<p>Họ tên, số điện thoại, năm sinh và nơi ở chỉ dùng để tổ chức cuộc thi, liên hệ và trao giải;
người dự thi có thể đề nghị Ban tổ chức xoá các dữ liệu này.</p>
"""

# (question, [(option, correct)], explanation); a question with two correct options is
# multiple choice.
QUESTIONS = [
    (
        "Kế hoạch công tác thông tin cơ sở năm 2026 của xã Chí Minh được ban hành để thực hiện "
        "kế hoạch của cơ quan nào?",
        [("UBND thành phố Hải Phòng (Kế hoạch số 28/KH-UBND ngày 28/01/2026)", True),
         ("Bộ Văn hóa, Thể thao và Du lịch", False),
         ("Hội đồng nhân dân xã Chí Minh", False),
         ("Sở Tư pháp thành phố Hải Phòng", False)],
        "Kế hoạch của xã thực hiện Kế hoạch số 28/KH-UBND ngày 28/01/2026 của UBND thành phố Hải Phòng.",
    ),
    (
        "Văn bản nào của Chính phủ quy định về hoạt động thông tin cơ sở?",
        [("Nghị định số 49/2024/NĐ-CP ngày 10/5/2024", True),
         ("Nghị định số 72/2013/NĐ-CP", False),
         ("Nghị định số 15/2020/NĐ-CP", False),
         ("Nghị định số 13/2023/NĐ-CP", False)],
        "Nghị định số 49/2024/NĐ-CP ngày 10/5/2024 của Chính phủ quy định về hoạt động thông tin cơ sở.",
    ),
    (
        "Thông tư số 24/2025/TT-BVHTTDL ngày 30/12/2025 quy định về nội dung gì?",
        [("Hệ thống truyền thông cơ sở ứng dụng công nghệ thông tin - viễn thông", True),
         ("Quản lý quảng cáo ngoài trời", False),
         ("Hoạt động xuất bản sách", False),
         ("Tổ chức lễ hội truyền thống", False)],
        "Thông tư 24/2025/TT-BVHTTDL quy định về hệ thống truyền thông cơ sở ứng dụng CNTT - viễn thông.",
    ),
    (
        "Cơ quan nào ban hành Thông tư số 24/2025/TT-BVHTTDL?",
        [("Bộ Văn hóa, Thể thao và Du lịch", True),
         ("Bộ Thông tin và Truyền thông", False),
         ("Bộ Nội vụ", False),
         ("UBND thành phố Hải Phòng", False)],
        "Ký hiệu BVHTTDL là của Bộ Văn hóa, Thể thao và Du lịch.",
    ),
    (
        "Dự án “Cải tạo, nâng cấp hệ thống truyền thanh trên địa bàn xã ứng dụng công nghệ thông "
        "tin - viễn thông” được triển khai trong giai đoạn nào?",
        [("2026 - 2030", True), ("2021 - 2025", False), ("2025 - 2027", False),
         ("2030 - 2035", False)],
        "Kế hoạch nêu rõ giai đoạn 2026 - 2030.",
    ),
    (
        "Gói cước 4G của cụm thu phát thanh được miễn phí trong bao lâu sau khi lắp đặt?",
        [("02 năm", True), ("06 tháng", False), ("01 năm", False), ("05 năm", False)],
        "Sau 02 năm được miễn phí, đơn vị quản lý phải chuẩn bị kinh phí duy trì gói cước 4G.",
    ),
    (
        "Đơn vị nào trực tiếp quản lý, vận hành, khai thác hệ thống truyền thanh ứng dụng công "
        "nghệ thông tin - viễn thông của xã Chí Minh?",
        [("Trung tâm Dịch vụ sự nghiệp công xã", True),
         ("Phòng Kinh tế xã", False),
         ("Công an xã", False),
         ("Ban Chỉ huy quân sự xã", False)],
        "Trung tâm Dịch vụ sự nghiệp công xã chủ trì, trực tiếp quản lý, vận hành hệ thống truyền thanh.",
    ),
    (
        "Cơ quan nào tham mưu UBND xã xây dựng và triển khai Kế hoạch công tác thông tin cơ sở năm 2026?",
        [("Phòng Văn hóa - Xã hội xã", True),
         ("Phòng Kinh tế xã", False),
         ("Văn phòng HĐND và UBND xã", False),
         ("Trạm Y tế xã", False)],
        "Phòng Văn hóa - Xã hội tham mưu và đôn đốc các cơ quan, đơn vị thực hiện.",
    ),
    (
        "Cơ quan nào tham mưu UBND xã bố trí kinh phí thực hiện Kế hoạch?",
        [("Phòng Kinh tế xã", True),
         ("Phòng Văn hóa - Xã hội xã", False),
         ("Trung tâm Dịch vụ sự nghiệp công xã", False),
         ("Mặt trận Tổ quốc xã", False)],
        "Phòng Kinh tế xã tham mưu bố trí kinh phí thực hiện Kế hoạch.",
    ),
    (
        "Kinh phí thực hiện Kế hoạch công tác thông tin cơ sở năm 2026 được bố trí từ đâu?",
        [("Dự toán ngân sách hằng năm của xã và các nguồn lực hợp pháp khác", True),
         ("Chỉ từ đóng góp của người dân", False),
         ("Chỉ từ quảng cáo trên loa truyền thanh", False),
         ("Vốn vay ngân hàng thương mại", False)],
        "Theo Luật Ngân sách nhà nước: dự toán ngân sách hằng năm của xã và các nguồn hợp pháp khác.",
    ),
    (
        "Hệ thống thông tin nguồn của xã kết nối với hệ thống nào?",
        [("Hệ thống thông tin nguồn của thành phố và Trung ương", True),
         ("Hệ thống camera giao thông", False),
         ("Cổng thông tin của doanh nghiệp viễn thông", False),
         ("Không kết nối với hệ thống nào", False)],
        "Hệ thống thông tin nguồn xã kết nối với thành phố và Trung ương để cung cấp thông tin thiết yếu.",
    ),
    (
        "Theo Kế hoạch, xã Chí Minh hoàn thiện và duy trì trang nào trên mạng xã hội để thông tin, "
        "tuyên truyền?",
        [("Trang Zalo OA của xã", True),
         ("Kênh truyền hình cáp của xã", False),
         ("Trang báo in hằng ngày", False),
         ("Trang quảng cáo thương mại", False)],
        "Nhiệm vụ 5 của Kế hoạch: duy trì hoạt động trang Zalo OA xã.",
    ),
    (
        "Chương trình hành động số 05-CTr/TU ngày 06/11/2025 thực hiện Nghị quyết Đại hội đại biểu "
        "Đảng bộ thành phố lần thứ mấy?",
        [("Lần thứ I, nhiệm kỳ 2025 - 2030", True),
         ("Lần thứ XVI, nhiệm kỳ 2020 - 2025", False),
         ("Lần thứ II, nhiệm kỳ 2030 - 2035", False),
         ("Lần thứ X, nhiệm kỳ 2025 - 2030", False)],
        "Đại hội đại biểu Đảng bộ thành phố lần thứ I, nhiệm kỳ 2025 - 2030.",
    ),
    (
        "Những kênh nào là kênh thông tin thiết yếu theo Nghị định 49/2024/NĐ-CP? "
        "(chọn tất cả đáp án đúng)",
        [("Đài truyền thanh cấp xã", True),
         ("Bảng tin công cộng", True),
         ("Tin nhắn viễn thông", True),
         ("Biển quảng cáo thương mại", False)],
        "Kênh thông tin thiết yếu gồm đài truyền thanh xã, bảng tin công cộng, bản tin thông tin cơ sở, "
        "tuyên truyền viên, trang thông tin điện tử, mạng xã hội và tin nhắn viễn thông.",
    ),
    (
        "Bản tin mức “khẩn cấp” (thiên tai, cháy nổ, dịch bệnh) được phát trên loa như thế nào?",
        [("Phát ngay, ngắt chương trình đang phát", True),
         ("Chờ đến khung giờ phát thường lệ", False),
         ("Chỉ đăng trên bảng tin, không phát loa", False),
         ("Phát vào cuối tuần", False)],
        "Tin khẩn cấp được phát ngay lập tức, ngắt chương trình đang phát.",
    ),
    (
        "Bản tin mức “ưu tiên” được phát như thế nào?",
        [("Phát trước các tin thường trong chương trình", True),
         ("Không bao giờ được phát", False),
         ("Chỉ phát vào ban đêm", False),
         ("Phát sau tất cả các tin thường", False)],
        "Ba mức: thường, ưu tiên (phát trước tin thường) và khẩn cấp (phát ngay).",
    ),
    (
        "Cụm thu phát thanh ứng dụng công nghệ thông tin - viễn thông nhận tín hiệu qua đâu?",
        [("Qua Internet hoặc SIM 3G/4G, không cần máy phát FM", True),
         ("Chỉ qua máy phát sóng FM", False),
         ("Qua dây loa kéo từ đài xã đến từng thôn", False),
         ("Qua vệ tinh truyền hình", False)],
        "Cụm loa ứng dụng CNTT - viễn thông kết nối Internet hoặc 3G/4G và được quản lý tập trung.",
    ),
    (
        "Đài truyền thanh cấp xã do cơ quan nào quản lý?",
        [("Ủy ban nhân dân xã", True),
         ("Doanh nghiệp viễn thông", False),
         ("Ban quản lý chợ", False),
         ("Hội Nông dân xã", False)],
        "Đài truyền thanh cấp xã do UBND xã quản lý; tại Chí Minh do Trung tâm Dịch vụ sự nghiệp "
        "công xã vận hành.",
    ),
    (
        "Đài truyền thanh cấp xã phát bằng ngôn ngữ nào?",
        [("Tiếng Việt và, khi cần, tiếng dân tộc thiểu số tại địa phương", True),
         ("Chỉ tiếng Anh", False),
         ("Chỉ tiếng dân tộc thiểu số", False),
         ("Ngôn ngữ do người nghe tự chọn trên loa", False)],
        "Đài phát bằng tiếng Việt và, khi cần, bằng tiếng dân tộc thiểu số của địa phương.",
    ),
    (
        "Thông tin cơ sở có bao gồm việc tiếp nhận phản ánh của người dân và trả lời của cơ quan "
        "có thẩm quyền không?",
        [("Có, và đài truyền thanh xã phát cả các trả lời đó", True),
         ("Không, thông tin cơ sở chỉ là thông tin một chiều", False),
         ("Chỉ tiếp nhận phản ánh qua thư giấy", False),
         ("Chỉ khi có thiên tai", False)],
        "Nghị định 49 coi tiếp nhận phản ánh, kiến nghị của người dân và việc trả lời là một phần "
        "của thông tin cơ sở.",
    ),
    (
        "Theo Kế hoạch, việc tổ chức các cuộc thi, hội thi thuộc lĩnh vực thông tin xã nhằm mục đích gì?",
        [("Tạo sân chơi cho người làm công tác thông tin xã, nâng cao hiệu quả tuyên truyền", True),
         ("Thu phí tham dự để bù kinh phí", False),
         ("Tuyển dụng công chức", False),
         ("Quảng bá sản phẩm của doanh nghiệp", False)],
        "Nhiệm vụ 7 của Kế hoạch.",
    ),
    (
        "Theo Kế hoạch, cần kiểm tra, đánh giá an toàn thông tin đối với thiết bị nào?",
        [("Cụm thu phát thanh ứng dụng công nghệ thông tin - viễn thông", True),
         ("Máy in của các thôn", False),
         ("Điện thoại cá nhân của người dân", False),
         ("Tivi của nhà văn hóa", False)],
        "Nhiệm vụ 4: đảm bảo an toàn thông tin đối với Hệ thống thông tin nguồn và đài truyền thanh.",
    ),
    (
        "Hệ thống thông tin nguồn cấp tỉnh, thành phố làm được những việc nào? (chọn tất cả đáp án đúng)",
        [("Biên tập tin cho đài truyền thanh và bảng tin điện tử", True),
         ("Quản lý cụm loa và bảng tin điện tử", True),
         ("Thu phí nghe đài của người dân", False),
         ("Tổng hợp thống kê, báo cáo", True)],
        "Hệ thống thông tin nguồn biên tập tin, quản lý cụm loa và bảng tin điện tử, tổng hợp "
        "thống kê, báo cáo và chia sẻ dữ liệu lên cấp trên.",
    ),
    (
        "Sau khi hết thời gian bảo hành, kinh phí sửa chữa, thay thế thiết bị truyền thanh hỏng do ai chuẩn bị?",
        [("Đơn vị được giao quản lý, vận hành hệ thống truyền thanh", True),
         ("Nhà sản xuất thiết bị, không giới hạn thời gian", False),
         ("Các hộ gia đình gần cụm loa", False),
         ("Không ai, thiết bị hỏng thì bỏ", False)],
        "Các đơn vị quản lý, vận hành chuẩn bị kinh phí sửa chữa, thay thế sau bảo hành.",
    ),
]


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@transaction.atomic
def seed_demo_contest(site=None) -> ContestPage:
    """The demo quiz under ``site``'s home page (default: the default site), open for 90 days
    from its creation; idempotent."""
    if site is None:
        from wagtail.models import Site

        site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    index = ContestIndexPage.objects.child_of(home).filter(slug=INDEX_SLUG).first()
    if index is None:
        index = _publish(home, ContestIndexPage(
            title="Cuộc thi", slug=INDEX_SLUG, show_in_menus=True,
            intro="Các cuộc thi, hội thi tìm hiểu về thông tin cơ sở của xã Chí Minh.",
        ))
    contest = ContestPage.objects.child_of(index).filter(slug=CONTEST_SLUG).first()
    if contest is None:
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        contest = ContestPage(
            title="Cuộc thi trực tuyến tìm hiểu công tác thông tin cơ sở năm 2026",
            slug=CONTEST_SLUG,
            intro="Tìm hiểu Kế hoạch công tác thông tin cơ sở xã Chí Minh năm 2026 và các quy "
            "định về thông tin cơ sở. Mười câu hỏi, mười phút, giải thưởng hấp dẫn.",
            organiser="Trung tâm Dịch vụ sự nghiệp công xã Chí Minh",
            rules=RULES.strip(),
        )
        contest.rounds = [
            ContestRound(
                title="Đợt 1", starts_at=today - dt.timedelta(days=1),
                ends_at=today + dt.timedelta(days=90), questions_per_attempt=10,
                time_limit_seconds=600, attempts_per_phone=1, prizes_first=1, prizes_second=2,
                prizes_third=3, prizes_consolation=5,
            )
        ]
        _publish(index, contest)
    existing = set(Question.objects.filter(contest=contest).values_list("text", flat=True))
    for text, options, explanation in QUESTIONS:
        if text in existing:
            continue
        multiple = sum(correct for _, correct in options) > 1
        question = Question(
            site=site, contest=contest, text=text, explanation=explanation,
            kind=Question.Kind.MULTIPLE if multiple else Question.Kind.SINGLE,
        )
        question.choices = [Choice(text=option, is_correct=correct) for option, correct in options]
        question.save()
    return contest
