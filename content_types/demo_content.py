"""Demo content for xã Chí Minh, drawn from its 2026 grassroots-information plan.

Kept as data so ``seed_demo`` stays a short, idempotent service call.
"""

CATEGORIES = [
    ("chinh-sach-phap-luat", "Chính sách pháp luật"),
    ("an-sinh-xa-hoi", "An sinh xã hội"),
    ("phong-chong-thien-tai", "Phòng chống thiên tai"),
    ("y-te-dich-benh", "Y tế và dịch bệnh"),
    ("kinh-te-xa-hoi", "Kinh tế - xã hội"),
    ("thong-bao-ubnd-xa", "Thông báo của UBND xã"),
    ("van-hoa-the-thao", "Văn hóa - thể thao"),
    ("an-ninh-trat-tu", "An ninh trật tự"),
]

# Illustrative hamlets; a real commune replaces them in the admin.
ZONES = [
    ("thon-dong", "Thôn Đông", "thon", 412),
    ("thon-doai", "Thôn Đoài", "thon", 385),
    ("thon-trung", "Thôn Trung", "thon", 296),
    ("thon-bac", "Thôn Bắc", "thon", 327),
    ("thon-nam", "Thôn Nam", "thon", 301),
    ("tdp-1", "Tổ dân phố 1", "to_dan_pho", 254),
]

CAMPAIGNS = [
    {
        "slug": "chuyen-doi-so-2026",
        "title": "Tuyên truyền chuyển đổi số và hệ thống truyền thanh thông minh năm 2026",
        "goal": "<p>Nâng cao nhận thức của người dân về chuyển đổi số; giới thiệu hệ thống "
        "truyền thanh ứng dụng công nghệ thông tin - viễn thông và trang Zalo OA của xã.</p>",
        "audience": "Toàn thể nhân dân trong xã",
        "start_date": "2026-03-01",
        "end_date": "2026-12-31",
        "target_bulletins": 12,
    },
    {
        "slug": "phong-chong-thien-tai-mua-mua-bao-2026",
        "title": "Phòng, chống thiên tai mùa mưa bão năm 2026",
        "goal": "<p>Chủ động phòng, chống thiên tai và tìm kiếm cứu nạn theo phương châm "
        "“bốn tại chỗ”, giảm thiểu thiệt hại về người và tài sản.</p>",
        "audience": "Các hộ gia đình, nhất là hộ ven sông và vùng trũng",
        "start_date": "2026-05-01",
        "end_date": "2026-11-30",
        "target_bulletins": 6,
    },
]

# (slug, title, category slug, priority, zone codes, campaign slug or None, summary, paragraphs)
BULLETINS = [
    ("trien-khai-ke-hoach-ttcs-2026", "UBND xã ban hành Kế hoạch công tác thông tin cơ sở năm 2026",
     "thong-bao-ubnd-xa", "thuong", [], None,
     "Thực hiện Kế hoạch số 28/KH-UBND ngày 28/01/2026 của UBND thành phố Hải Phòng, UBND xã "
     "ban hành kế hoạch công tác thông tin cơ sở năm 2026.",
     ["Kế hoạch xác định các nhiệm vụ trọng tâm: triển khai Nghị định số 49/2024/NĐ-CP ngày "
      "10/5/2024 của Chính phủ quy định về hoạt động thông tin cơ sở; hiện đại hóa hệ thống "
      "truyền thanh cấp xã; duy trì trang Zalo OA của xã.",
      "Trung tâm Dịch vụ sự nghiệp công xã chủ trì tổ chức thực hiện, định kỳ báo cáo kết quả "
      "về UBND xã."]),
    ("thong-tu-24-2025", "Phổ biến Thông tư số 24/2025/TT-BVHTTDL về hệ thống truyền thông cơ sở",
     "chinh-sach-phap-luat", "thuong", [], "chuyen-doi-so-2026",
     "Thông tư số 24/2025/TT-BVHTTDL ngày 30/12/2025 của Bộ Văn hóa, Thể thao và Du lịch quy "
     "định về hệ thống truyền thông cơ sở ứng dụng công nghệ thông tin - viễn thông.",
     ["Thông tư quy định yêu cầu kỹ thuật đối với cụm thu phát thanh, phần mềm quản lý và bảo "
      "đảm an toàn thông tin cho đài truyền thanh cấp xã.",
      "Người dân có thể nghe lại các bản tin trên cổng thông tin điện tử của xã."]),
    ("nang-cap-he-thong-truyen-thanh", "Khởi động dự án nâng cấp hệ thống truyền thanh giai đoạn 2026 - 2030",
     "kinh-te-xa-hoi", "thuong", [], "chuyen-doi-so-2026",
     "Xã chuyển đổi hệ thống truyền thanh có dây sang hệ thống ứng dụng công nghệ thông tin - "
     "viễn thông.",
     ["Các cụm loa mới kết nối qua mạng 4G, được miễn phí gói cước trong 02 năm đầu sau khi "
      "lắp đặt.",
      "Đề nghị các thôn phối hợp khảo sát vị trí lắp đặt cụm loa trước ngày 15/6/2026."]),
    ("zalo-oa-xa-chi-minh", "Mời bà con quan tâm trang Zalo OA của UBND xã Chí Minh",
     "thong-bao-ubnd-xa", "thuong", [], "chuyen-doi-so-2026",
     "Trang Zalo OA của xã cung cấp thông tin thiết yếu và tiếp nhận phản ánh, kiến nghị của "
     "người dân.",
     ["Bà con tìm kiếm “UBND xã Chí Minh” trên Zalo và bấm Quan tâm để nhận thông báo.",
      "Mọi phản ánh được Trung tâm Dịch vụ sự nghiệp công xã tiếp nhận và trả lời theo quy định."]),
    ("canh-bao-bao-so-3", "Khẩn cấp: Bão số 3 đổ bộ, yêu cầu các hộ ven sông sơ tán trước 17:00",
     "phong-chong-thien-tai", "khan_cap", ["thon-dong", "thon-nam"], "phong-chong-thien-tai-mua-mua-bao-2026",
     "Ban Chỉ huy phòng chống thiên tai xã yêu cầu các hộ dân ven sông thôn Đông, thôn Nam sơ "
     "tán đến nơi an toàn trước 17:00 hôm nay.",
     ["Mang theo giấy tờ tùy thân, thuốc men và lương thực dùng trong 02 ngày.",
      "Điểm sơ tán: Nhà văn hóa thôn Trung và Trường Tiểu học xã. Điện thoại trực ban: "
      "0220 3888 123."]),
    ("ra-soat-de-dieu", "Rà soát, gia cố đê điều và cống tiêu thoát nước trước mùa mưa",
     "phong-chong-thien-tai", "uu_tien", ["thon-dong", "thon-doai"], "phong-chong-thien-tai-mua-mua-bao-2026",
     "UBND xã tổ chức kiểm tra đê điều, kênh mương và cống tiêu thoát nước trên địa bàn.",
     ["Các thôn huy động lực lượng khơi thông dòng chảy, báo cáo điểm xung yếu về UBND xã.",
      "Thời gian thực hiện từ ngày 10/5/2026 đến ngày 31/5/2026."]),
    ("tap-huan-bon-tai-cho", "Tập huấn phương châm “bốn tại chỗ” cho lực lượng xung kích",
     "phong-chong-thien-tai", "thuong", [], "phong-chong-thien-tai-mua-mua-bao-2026",
     "Lực lượng xung kích các thôn được tập huấn kỹ năng ứng phó thiên tai.",
     ["Buổi tập huấn diễn ra lúc 8h00 ngày 20/6/2026 tại Hội trường UBND xã."]),
    ("tiem-chung-mo-rong-thang-6", "Lịch tiêm chủng mở rộng tháng 6/2026",
     "y-te-dich-benh", "uu_tien", [], None,
     "Trạm Y tế xã tổ chức tiêm chủng mở rộng cho trẻ em dưới 5 tuổi.",
     ["Thời gian: từ 7h30 đến 11h00 các ngày 05/6 và 06/6/2026 tại Trạm Y tế xã.",
      "Phụ huynh mang theo sổ tiêm chủng của trẻ."]),
    ("phong-chong-sot-xuat-huyet", "Chủ động phòng, chống sốt xuất huyết trong mùa mưa",
     "y-te-dich-benh", "thuong", ["thon-trung", "thon-bac"], None,
     "Diệt bọ gậy, loại bỏ vật chứa nước đọng quanh nhà để phòng sốt xuất huyết.",
     ["Khi có biểu hiện sốt cao liên tục, đến ngay cơ sở y tế để được khám và điều trị."]),
    ("chi-tra-tro-cap-thang-7", "Chi trả trợ cấp xã hội tháng 7/2026",
     "an-sinh-xa-hoi", "thuong", [], None,
     "UBND xã chi trả trợ cấp xã hội hằng tháng cho các đối tượng bảo trợ xã hội.",
     ["Thời gian chi trả: 8h00 ngày 10/7/2026 tại Bưu điện văn hóa xã.",
      "Mức trợ cấp cơ bản 500.000 đồng/người/tháng theo quy định hiện hành."]),
    ("bao-hiem-y-te-hoc-sinh", "Vận động tham gia bảo hiểm y tế học sinh năm học 2026 - 2027",
     "an-sinh-xa-hoi", "thuong", [], None,
     "Phụ huynh học sinh hoàn thành đóng bảo hiểm y tế trước ngày 30/9/2026.",
     ["Ngân sách nhà nước hỗ trợ 30% mức đóng bảo hiểm y tế học sinh."]),
    ("giai-bong-da-thieu-nien", "Khai mạc Giải bóng đá thiếu niên xã Chí Minh năm 2026",
     "van-hoa-the-thao", "thuong", [], None,
     "08 đội bóng đến từ các thôn tham gia giải đấu.",
     ["Lễ khai mạc lúc 16h00 ngày 25/7/2026 tại Sân vận động xã. Mời bà con đến cổ vũ."]),
    ("phong-chong-lua-dao-qua-mang", "Cảnh giác với thủ đoạn lừa đảo qua điện thoại và mạng xã hội",
     "an-ninh-trat-tu", "uu_tien", [], None,
     "Công an xã khuyến cáo người dân không cung cấp mã OTP, không chuyển tiền cho người lạ.",
     ["Khi nghi ngờ bị lừa đảo, liên hệ ngay Công an xã theo số 0220 3888 113."]),
    ("dang-ky-tam-tru", "Hướng dẫn đăng ký tạm trú trực tuyến qua ứng dụng VNeID",
     "an-ninh-trat-tu", "thuong", ["tdp-1"], None,
     "Người dân có thể đăng ký tạm trú trực tuyến, không phải đến trụ sở.",
     ["Cán bộ Công an xã hỗ trợ hướng dẫn vào sáng thứ Bảy hằng tuần."]),
]

# The broadcast side of the demo (device_bridge): one default schedule, rules per priority
# and simulated speaker clusters that ``make run`` drives with ``speaker_sim --demo``.
# Thôn Bắc and Tổ dân phố 1 are left without a cluster on purpose: approving a bulletin for
# them shows "no cluster in these zones", and adding a cluster there delivers it.
SCHEDULE_TEMPLATE = {
    "name": "Ba buổi mỗi ngày (6h, 11h, 17h)",
    "times": "06:00, 11:00, 17:00",
    "days": 1,
    "window_minutes": 60,
    "emergency_repeat": 3,
}

# (name, priority or "" for any, channels, sort order)
DISTRIBUTION_RULES = [
    ("Tin khẩn cấp: phát ngay trên loa và cổng thông tin", "khan_cap", "website, speakers", 10),
    ("Tin ưu tiên: cổng thông tin và loa theo lịch", "uu_tien", "website, speakers", 20),
    ("Tin thường: cổng thông tin và loa theo lịch", "", "website, speakers", 100),
]

SIMULATED_CLUSTER_VENDOR = "Mô phỏng (speaker_sim)"

# (code, name, zone code, address, latitude, longitude): invented positions a few hundred metres
# apart, so the fleet map of the demo has something to show.
CLUSTERS = [
    ("CL-DONG-01", "Cụm loa Nhà văn hóa thôn Đông", "thon-dong", "Nhà văn hóa thôn Đông",
     "20.803100", "106.402700"),
    ("CL-DOAI-01", "Cụm loa ngã ba thôn Đoài", "thon-doai", "Ngã ba chợ thôn Đoài",
     "20.801400", "106.393900"),
    ("CL-TRUNG-01", "Cụm loa Nhà văn hóa thôn Trung", "thon-trung", "Nhà văn hóa thôn Trung",
     "20.797800", "106.398600"),
    ("CL-NAM-01", "Cụm loa đê sông thôn Nam", "thon-nam", "Điếm canh đê thôn Nam",
     "20.792300", "106.400400"),
]
