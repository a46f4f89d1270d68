"""The official report (báo cáo) in PDF and XLSX: Vietnamese text, dates, page numbers, figures."""

import datetime
import io
import unicodedata

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cms.official_document import (
    OfficialDocument,
    Part,
    Point,
    Section,
    Signer,
    Table,
    date_line,
    font_files,
    format_figure,
    render_pdf,
    render_xlsx,
    roman,
)


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 200), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _document(rows: int = 3) -> OfficialDocument:
    return OfficialDocument(
        superior_body="UBND xã Chí Minh",
        issuing_body="Trung tâm Dịch vụ sự nghiệp công",
        number_symbol="12/BC-TTDVSNC",
        place="Chí Minh",
        date=datetime.date(2027, 1, 5),
        subject="Kết quả đánh giá an toàn thông tin 6 tháng đầu năm 2026",
        parts=[
            Part(
                title="Kết quả kiểm tra",
                paragraphs=["Trung tâm đã kiểm tra toàn bộ cụm loa truyền thanh."],
                sections=[
                    Section(
                        title="Cụm loa",
                        paragraphs=["Tổng số cụm loa: 12."],
                        points=[Point(title="Mật khẩu mặc định", paragraphs=["Đã đổi hết."])],
                        tables=[
                            Table(
                                headers=["Cụm loa", "Kinh phí (đồng)", "Kết quả"],
                                rows=[[f"Cụm {i}", 1234567 + i, "Đạt"] for i in range(rows)],
                                widths=[3, 2, 2],
                            )
                        ],
                        images=[_png()],
                    )
                ],
            ),
            Part(title="Kiến nghị", paragraphs=["Đề nghị bố trí kinh phí năm 2027."]),
        ],
        recipients=["UBND xã (để báo cáo)", "Lưu: VT, TTDVSNC"],
        signer=Signer(on_behalf="KT. GIÁM ĐỐC", title="PHÓ GIÁM ĐỐC", name="Nguyễn Thị Hường"),
    )


def _pdf_pages(doc) -> list[str]:
    reader = PdfReader(io.BytesIO(render_pdf(doc)))
    return [unicodedata.normalize("NFC", page.extract_text()) for page in reader.pages]


def test_date_line_has_leading_zeros_for_days_below_ten_and_january_february():
    assert date_line("Chí Minh", datetime.date(2027, 1, 5)) == "Chí Minh, ngày 05 tháng 01 năm 2027"
    assert date_line("Chí Minh", datetime.date(2028, 2, 29)) == "Chí Minh, ngày 29 tháng 02 năm 2028"
    assert date_line("Chí Minh", datetime.date(2026, 3, 9)) == "Chí Minh, ngày 09 tháng 3 năm 2026"
    assert date_line("Chí Minh", datetime.date(2026, 12, 31)) == "Chí Minh, ngày 31 tháng 12 năm 2026"


def test_numbering_and_figures():
    assert [roman(n) for n in (1, 2, 4, 9, 14)] == ["I", "II", "IV", "IX", "XIV"]
    assert format_figure(1234567) == "1.234.567"
    assert format_figure(12.5) == "12,5"
    assert format_figure(datetime.date(2026, 7, 1)) == "01/07/2026"


def test_font_covers_every_vietnamese_letter_in_every_style():
    from fontTools.ttLib import TTFont

    letters = set("abcdefghijklmnopqrstuvwxyzđ")
    for base in "aăâeêioôơuưy":
        for tone in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"):
            letters.add(unicodedata.normalize("NFC", base + tone))
    letters |= {c.upper() for c in letters}
    for path in font_files().values():
        cmap = TTFont(path).getBestCmap()
        assert sorted(c for c in letters if ord(c) not in cmap) == [], path.name


def test_pdf_holds_the_heading_diacritics_date_and_figures():
    pages = _pdf_pages(_document())
    text = "\n".join(pages)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Chí Minh, ngày 05 tháng 01 năm 2027",
        "Số: 12/BC-TTDVSNC",
        "UBND XÃ CHÍ MINH",
        "BÁO CÁO",
        "I. KẾT QUẢ KIỂM TRA",
        "II. KIẾN NGHỊ",
        "1. Cụm loa",
        "a) Mật khẩu mặc định",
        "1.234.567",
        "1.234.569",
        "Nơi nhận:",
        "- Lưu: VT, TTDVSNC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Thị Hường",
    ):
        assert expected in text, expected


def test_pdf_is_a4_and_numbers_pages_from_the_second():
    doc = _document(rows=120)
    reader = PdfReader(io.BytesIO(render_pdf(doc)))
    assert len(reader.pages) >= 3
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width) / 72 * 25.4), round(float(height) / 72 * 25.4)) == (210, 297)
    first, second, third = (page.extract_text().splitlines() for page in reader.pages[:3])
    assert first[0] != "1"
    assert second[0].strip() == "2"
    assert third[0].strip() == "3"


def test_xlsx_holds_the_heading_and_the_figures_and_prints_on_a4():
    workbook = load_workbook(io.BytesIO(render_xlsx(_document())))
    sheet = workbook.active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Chí Minh, ngày 05 tháng 01 năm 2027",
        "BÁO CÁO",
        "I. KẾT QUẢ KIỂM TRA",
        "Nơi nhận:",
        "Nguyễn Thị Hường",
    ):
        assert expected in values, expected
    assert 1234567 in values and 1234569 in values
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.HeaderFooter.differentFirst
    assert sheet.oddHeader.center.text == "&P"
    assert len(sheet._images) == 1


@pytest.mark.parametrize("decomposed", [True, False])
def test_decomposed_input_is_drawn_precomposed(decomposed):
    name = "Nguyễn Văn Lượng"
    given = unicodedata.normalize("NFD", name) if decomposed else name
    doc = OfficialDocument(
        superior_body="UBND xã Chí Minh", issuing_body="Văn phòng", number_symbol="01/BC-VP",
        place="Chí Minh", date=datetime.date(2026, 11, 20), subject="Thử",
        signer=Signer(title="CHÁNH VĂN PHÒNG", name=given),
    )
    assert name in "\n".join(_pdf_pages(doc))
