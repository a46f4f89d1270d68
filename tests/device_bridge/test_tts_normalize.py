"""The radio normalisation table: what the announcer says for what the editor wrote."""

import importlib

import pytest
from django.core.management import CommandError, call_command

from device_bridge.tts.exceptions import SpeechInputError
from device_bridge.tts.normalize import normalize
from device_bridge.tts.normalize.numbers import number_words, roman_to_int

DEFAULT_LEXICON = {
    written: spoken
    for written, spoken, _note in importlib.import_module(
        "device_bridge.tts.migrations.0002_default_lexicon"
    ).DEFAULT_LEXICON
}

# (written, spoken). Grouped like issue 4's list; each line is one rule of docs/speech.md.
CASES = [
    # integers and Vietnamese number words: mười/mươi, mốt, tư, lăm, linh, không trăm
    ("0", "không."),
    ("7", "bảy."),
    ("10", "mười."),
    ("11", "mười một."),
    ("14", "mười bốn."),
    ("15", "mười lăm."),
    ("20", "hai mươi."),
    ("21", "hai mươi mốt."),
    ("24", "hai mươi tư."),
    ("25", "hai mươi lăm."),
    ("55", "năm mươi lăm."),
    ("101", "một trăm linh một."),
    ("104", "một trăm linh bốn."),
    ("105", "một trăm linh năm."),
    ("110", "một trăm mười."),
    ("115", "một trăm mười lăm."),
    ("121", "một trăm hai mươi mốt."),
    ("1001", "một nghìn không trăm linh một."),
    ("1010", "một nghìn không trăm mười."),
    ("2026", "hai nghìn không trăm hai mươi sáu."),
    ("1945", "một nghìn chín trăm bốn mươi lăm."),
    ("10000", "mười nghìn."),
    # Vietnamese digit grouping and decimals
    ("1.000.000", "một triệu."),
    ("1.500.000", "một triệu năm trăm nghìn."),
    ("1.050.000", "một triệu không trăm năm mươi nghìn."),
    ("1.000.005", "một triệu không trăm linh năm."),
    ("2.000.000.000", "hai tỷ."),
    ("2,5", "hai phẩy năm."),
    ("3,5", "ba phẩy năm."),
    ("0,05", "không phẩy không năm."),
    ("12,75", "mười hai phẩy bảy mươi lăm."),
    ("5,125", "năm phẩy một hai năm."),
    # dates
    (
        "Ngày 28/01/2026 họp",
        "Ngày hai mươi tám tháng một năm hai nghìn không trăm hai mươi sáu họp.",
    ),
    (
        "hôm nay 28/01/2026",
        "hôm nay ngày hai mươi tám tháng một năm hai nghìn không trăm hai mươi sáu.",
    ),
    ("ngày 10/5/2024", "ngày mồng mười tháng năm năm hai nghìn không trăm hai mươi tư."),
    ("ngày 01/02", "ngày mồng một tháng hai."),
    ("ngày 30/4 và 1/5", "ngày ba mươi tháng tư và mồng một tháng năm."),
    ("từ tháng 6/2026", "từ tháng sáu năm hai nghìn không trăm hai mươi sáu."),
    ("tháng 12/2025", "tháng mười hai năm hai nghìn không trăm hai mươi lăm."),
    ("ngày 5 tháng 4", "ngày mồng năm tháng tư."),
    ("Thứ 7, ngày 29/11", "Thứ bảy, ngày hai mươi chín tháng mười một."),
    ("Thứ 3 (02/12) cắt điện", "Thứ ba, mồng hai tháng mười hai, cắt điện."),
    ("Chủ nhật, 7/12", "Chủ nhật, mồng bảy tháng mười hai."),
    ("ngày 5-7 tháng 12", "ngày năm đến bảy tháng mười hai."),
    ("1/2 số hộ", "một trên hai số hộ."),
    # times
    ("lúc 6h30", "lúc sáu giờ ba mươi phút."),
    ("6h", "sáu giờ."),
    ("7h00", "bảy giờ."),
    ("17:00", "mười bảy giờ."),
    ("17:05", "mười bảy giờ năm phút."),
    ("21:30", "hai mươi mốt giờ ba mươi phút."),
    ("06 giờ", "sáu giờ."),
    ("từ 7h-11h", "từ bảy giờ đến mười một giờ."),
    ("từ 7h30 đến 11h", "từ bảy giờ ba mươi phút đến mười một giờ."),
    # money and percentages
    ("500.000 đồng", "năm trăm nghìn đồng."),
    ("500.000đ", "năm trăm nghìn đồng."),
    ("1.200.000 VNĐ", "một triệu hai trăm nghìn đồng."),
    ("100.000 VND", "một trăm nghìn đồng."),
    ("2 triệu đ", "hai triệu đồng."),
    ("giá 2,5 tỷ đồng", "giá hai phẩy năm tỷ đồng."),
    ("$20", "hai mươi đô la."),
    ("tăng 15%", "tăng mười lăm phần trăm."),
    ("2,5%", "hai phẩy năm phần trăm."),
    # ranges
    ("2026 - 2030", "hai nghìn không trăm hai mươi sáu đến hai nghìn không trăm ba mươi."),
    ("2026-2030", "hai nghìn không trăm hai mươi sáu đến hai nghìn không trăm ba mươi."),
    ("2026–2030", "hai nghìn không trăm hai mươi sáu đến hai nghìn không trăm ba mươi."),
    ("từ 5 - 7 ngày", "từ năm đến bảy ngày."),
    ("từ 15-20%", "từ mười lăm đến hai mươi phần trăm."),
    # ordinals and Roman numerals in headings
    ("I. MỤC ĐÍCH YÊU CẦU", "Một. mục đích yêu cầu."),
    ("II. Nội dung", "Hai. Nội dung."),
    ("IV. Tổ chức thực hiện", "Bốn. Tổ chức thực hiện."),
    ("1. Đối tượng", "Một. Đối tượng."),
    ("Đại hội XIII", "Đại hội mười ba."),
    ("Quốc hội khóa XV", "Quốc hội khóa mười lăm."),
    ("quý III", "quý ba."),
    ("thế kỷ XXI", "thế kỷ hai mươi mốt."),
    ("lần thứ 3", "lần thứ ba."),
    ("thứ 1", "thứ nhất."),
    ("thứ 2", "thứ hai."),
    ("thứ 4", "thứ tư."),
    # phone numbers, digit by digit in their groups
    ("liên hệ 0912 345 678", "liên hệ không chín một hai, ba bốn năm, sáu bảy tám."),
    ("0912.345.678", "không chín một hai, ba bốn năm, sáu bảy tám."),
    ("0912345678", "không chín một hai, ba bốn năm, sáu bảy tám."),
    ("+84 912 345 678", "cộng tám mươi tư, chín một hai, ba bốn năm, sáu bảy tám."),
    ("(0234) 3821 234", "không hai ba bốn, ba tám hai một, hai ba bốn."),
    ("tổng đài 1900 1234", "tổng đài một chín không không, một hai ba bốn."),
    ("gọi 113", "gọi một một ba."),
    # legal references
    (
        "Nghị định số 49/2024/NĐ-CP",
        "Nghị định số bốn mươi chín năm hai nghìn không trăm hai mươi tư của Chính phủ.",
    ),
    (
        "Thông tư số 24/2025/TT-BVHTTDL",
        "Thông tư số hai mươi tư năm hai nghìn không trăm hai mươi lăm của Bộ Văn hóa, Thể thao và Du lịch.",
    ),
    ("Kế hoạch số 28/KH-UBND", "Kế hoạch số hai mươi tám của Ủy ban nhân dân."),
    (
        "Nghị định số 49/2024/NĐ-CP của Chính phủ quy định",
        "Nghị định số bốn mươi chín năm hai nghìn không trăm hai mươi tư của Chính phủ quy định.",
    ),
    (
        "theo 49/2024/NĐ-CP",
        "theo nghị định số bốn mươi chín năm hai nghìn không trăm hai mươi tư của Chính phủ.",
    ),
    ("văn bản số 123/QĐ-UBND", "văn bản số một trăm hai mươi ba, quyết định của Ủy ban nhân dân."),
    (
        "Quyết định số 15/2025/QĐ-TTg",
        "Quyết định số mười lăm năm hai nghìn không trăm hai mươi lăm của Thủ tướng Chính phủ.",
    ),
    (
        "Luật số 15/2023/QH15",
        "Luật số mười lăm năm hai nghìn không trăm hai mươi ba của Quốc hội khóa mười lăm.",
    ),
    ("Nghị quyết số 57-NQ/TW", "Nghị quyết số năm mươi bảy của Trung ương."),
    ("Công văn số 456/UBND-VP", "Công văn số bốn trăm năm mươi sáu của Ủy ban nhân dân."),
    (
        "Thông tư liên tịch số 01/2020/TTLT-BTC-BYT",
        "Thông tư liên tịch số một năm hai nghìn không trăm hai mươi của Bộ Tài chính và Bộ Y tế.",
    ),
    # lexicon abbreviations, unknown all-caps words
    ("UBND xã", "Ủy ban nhân dân xã."),
    ("HĐND và MTTQ", "Hội đồng nhân dân và Mặt trận Tổ quốc."),
    ("phòng CNTT-VT", "phòng công nghệ thông tin, viễn thông."),
    ("TP. Hà Nội", "thành phố Hà Nội."),
    ("COVID-19", "cô vít mười chín."),
    ("thẻ BHYT", "thẻ bảo hiểm y tế."),
    ("ABC", "a bê xê."),
    ("XYZQ", "ích i dài dét quy."),
    ("THÔNG BÁO KHẨN", "thông báo khẩn."),
    ("HOA HỒNG ĐẸP", "hoa hồng đẹp."),
    ("lớp 12A", "lớp mười hai A."),
    ("H5N1", "hát năm en một."),
    # markup, emoji, URLs, unsupported characters, symbols and units
    ("<p>Xin <b>chào</b> bà con</p>", "Xin chào bà con."),
    ("Dòng một<br>Dòng hai", "Dòng một.\nDòng hai."),
    ("**Quan trọng** nhé", "Quan trọng nhé."),
    ("# Tiêu đề", "Tiêu đề."),
    ("- mục một", "mục một."),
    ("xem https://dichvucong.gov.vn/p/home", "xem trang dichvucong chấm gờ o vê chấm vê en."),
    ("www.chiminh.gov.vn", "trang chiminh chấm gờ o vê chấm vê en."),
    ("ubnd@chiminh.gov.vn", "ubnd a còng chiminh chấm gờ o vê chấm vê en."),
    ("Chúc mừng 🎉🎉 năm mới ❤️", "Chúc mừng năm mới."),
    ("中文 xin chào", "xin chào."),
    ("A & B", "A và bê."),
    ("1 + 1 = 2", "một cộng một bằng hai."),
    ("50 người/hộ", "năm mươi người trên hộ."),
    ("nhiệt độ -5°C", "nhiệt độ âm năm độ xê."),
    ("15km", "mười lăm ki lô mét."),
    ("2 ha", "hai héc ta."),
    ("120 m2", "một trăm hai mươi mét vuông."),
    ("60km/h", "sáu mươi ki lô mét trên giờ."),
    ("(có hiệu lực)", "có hiệu lực."),
    ("Chú ý!!! Khẩn cấp", "Chú ý! Khẩn cấp."),
]


def test_table_has_at_least_eighty_cases():
    assert len(CASES) >= 80
    assert len({written for written, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0][:40] for c in CASES])
def test_normalisation_reads_like_an_announcer(written, spoken):
    assert normalize(written, lexicon=DEFAULT_LEXICON).text == spoken


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (999_999, "chín trăm chín mươi chín nghìn chín trăm chín mươi chín"),
        (1_000_000_000_000, "một nghìn tỷ"),
        (
            234_567_891,
            "hai trăm ba mươi tư triệu năm trăm sáu mươi bảy nghìn tám trăm chín mươi mốt",
        ),
    ],
)
def test_number_words_for_large_numbers(number, words):
    assert number_words(number) == words


def test_southern_style_words_are_available():
    assert number_words(1005, thousand="ngàn", odd_word="lẻ") == "một ngàn không trăm lẻ năm"


def test_roman_numerals_are_strict():
    assert roman_to_int("XIV") == 14
    assert roman_to_int("IIII") is None
    assert roman_to_int("IC") is None


def test_unsupported_script_is_dropped_with_a_warning():
    result = normalize("Привет bà con", lexicon={})
    assert result.text == "bà con."
    assert result.warnings and "П" in result.warnings[0]


@pytest.mark.parametrize("text", ["", "   \n  ", "🎉🎉🎉", "中文"])
def test_text_with_nothing_to_read_is_refused(text):
    with pytest.raises(SpeechInputError):
        normalize(text, lexicon={})


def test_fifty_thousand_characters_are_refused_with_the_size():
    with pytest.raises(SpeechInputError) as err:
        normalize("a" * 50_000, lexicon={}, max_chars=20_000)
    assert "50.000" in str(err.value) and "20.000" in str(err.value)


@pytest.mark.django_db
def test_editor_lexicon_entries_are_used(capsys):
    from device_bridge.tts.models import PronunciationEntry

    assert PronunciationEntry.objects.filter(written="UBND").exists()  # shipped by migration
    PronunciationEntry.objects.create(written="KDC", spoken="khu dân cư")
    call_command("tts_normalize", "KDC số 3 và UBND")
    assert capsys.readouterr().out.strip() == "khu dân cư số ba và Ủy ban nhân dân."


@pytest.mark.django_db
def test_inactive_lexicon_entries_are_ignored(capsys):
    from device_bridge.tts.models import PronunciationEntry

    PronunciationEntry.objects.filter(written="UBND").update(is_active=False)
    call_command("tts_normalize", "UBND")
    assert capsys.readouterr().out.strip() == "u bê en dê."


@pytest.mark.django_db
def test_tts_normalize_command_reports_empty_text():
    with pytest.raises(CommandError, match="trống"):
        call_command("tts_normalize", "  ")
