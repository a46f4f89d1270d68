"""Ship the default pronunciation lexicon (từ điển phát âm mặc định); editors extend it."""

from django.db import migrations

DEFAULT_LEXICON = [
    ("UBND", "Ủy ban nhân dân", "Cơ quan hành chính"),
    ("HĐND", "Hội đồng nhân dân", "Cơ quan dân cử"),
    ("MTTQ", "Mặt trận Tổ quốc", ""),
    ("MTTQVN", "Mặt trận Tổ quốc Việt Nam", ""),
    ("ĐCSVN", "Đảng Cộng sản Việt Nam", ""),
    ("BCH", "Ban Chấp hành", ""),
    ("BCĐ", "Ban Chỉ đạo", ""),
    ("BTV", "Ban Thường vụ", ""),
    ("UBKT", "Ủy ban Kiểm tra", ""),
    ("ĐBQH", "đại biểu Quốc hội", ""),
    ("TNCS", "Thanh niên Cộng sản", ""),
    ("LHPN", "Liên hiệp Phụ nữ", ""),
    ("HND", "Hội Nông dân", ""),
    ("CCB", "Cựu chiến binh", ""),
    ("LĐLĐ", "Liên đoàn Lao động", ""),
    ("CNTT", "công nghệ thông tin", ""),
    ("CNTT-VT", "công nghệ thông tin, viễn thông", ""),
    ("KT-XH", "kinh tế, xã hội", ""),
    ("THCS", "trung học cơ sở", ""),
    ("THPT", "trung học phổ thông", ""),
    ("BHYT", "bảo hiểm y tế", ""),
    ("BHXH", "bảo hiểm xã hội", ""),
    ("CCCD", "căn cước công dân", ""),
    ("CMND", "chứng minh nhân dân", ""),
    ("ATGT", "an toàn giao thông", ""),
    ("ATTP", "an toàn thực phẩm", ""),
    ("PCCC", "phòng cháy, chữa cháy", ""),
    ("PCTT", "phòng chống thiên tai", ""),
    ("TKCN", "tìm kiếm cứu nạn", ""),
    ("ANTT", "an ninh trật tự", ""),
    ("CSGT", "cảnh sát giao thông", ""),
    ("CAX", "Công an xã", ""),
    ("HTX", "hợp tác xã", ""),
    ("CLB", "câu lạc bộ", ""),
    ("NTM", "nông thôn mới", ""),
    ("GPMB", "giải phóng mặt bằng", ""),
    ("XHCN", "xã hội chủ nghĩa", ""),
    ("CHXHCN", "Cộng hòa xã hội chủ nghĩa", ""),
    ("TP.HCM", "Thành phố Hồ Chí Minh", ""),
    ("TP.", "thành phố", "Viết tắt có dấu chấm: TP. Hà Nội"),
    ("TP", "thành phố", ""),
    ("TX", "thị xã", ""),
    ("TDP", "tổ dân phố", ""),
    ("KP", "khu phố", ""),
    ("VN", "Việt Nam", ""),
    ("HCM", "Hồ Chí Minh", ""),
    ("SĐT", "số điện thoại", ""),
    ("ĐT", "điện thoại", ""),
    ("STT", "số thứ tự", ""),
    ("CN", "Chủ nhật", "Ngày trong tuần"),
    ("đ/c", "đồng chí", ""),
    ("Đ/c", "Đồng chí", ""),
    ("v/v", "về việc", ""),
    ("V/v", "Về việc", ""),
    ("COVID-19", "cô vít mười chín", ""),
    ("VNeID", "vê en e ai đi", "Ứng dụng định danh điện tử"),
    ("USD", "đô la Mỹ", ""),
    ("ASEAN", "A xê an", ""),
    ("WHO", "Tổ chức Y tế Thế giới", ""),
    ("UNICEF", "u ni xép", ""),
    ("GDP", "gờ đê pê", ""),
    ("Zalo", "da lô", ""),
    ("Facebook", "phây búc", ""),
    ("online", "trực tuyến", ""),
    ("website", "trang thông tin điện tử", ""),
]


def load(apps, schema_editor):
    entry = apps.get_model("tts", "PronunciationEntry")
    for written, spoken, note in DEFAULT_LEXICON:
        entry.objects.get_or_create(written=written, defaults={"spoken": spoken, "note": note})


def unload(apps, schema_editor):
    entry = apps.get_model("tts", "PronunciationEntry")
    entry.objects.filter(written__in=[w for w, _s, _n in DEFAULT_LEXICON]).delete()


class Migration(migrations.Migration):
    dependencies = [("tts", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
