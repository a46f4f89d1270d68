"""An official administrative report (báo cáo) rendered to PDF and XLSX.

The layout follows the presentation rules of Decree 30/2020/NĐ-CP, Appendix I (summarised in
docs/reports-layout.md): A4 portrait, national title and motto top right, the issuing body top
left, the document type and subject centred, parts numbered I/II, sections 1/2, points a/b,
recipients bottom left, the signature block bottom right, page numbers from page 2.

A report is plain data (the dataclasses below); `render_pdf` and `render_xlsx` turn it into
bytes. Nothing here reads the database, so any app can build its report and hand it over.
"""

from __future__ import annotations

import datetime
import decimal
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
RECIPIENTS_HEADING = "Nơi nhận:"

# Decree 30/2020/NĐ-CP, Appendix I: margins in millimetres.
MARGIN_TOP = 20
MARGIN_BOTTOM = 20
MARGIN_LEFT = 30
MARGIN_RIGHT = 15
FIRST_LINE_INDENT = 12.7
BODY_SIZE = 13
FONT_FAMILY = "DejaVuSerif"


@dataclass(frozen=True, kw_only=True)
class Table:
    """A table; `widths` are relative column weights (equal when omitted)."""

    headers: Sequence[str]
    rows: Sequence[Sequence[object]]
    widths: Sequence[float] | None = None
    caption: str = ""


@dataclass(frozen=True, kw_only=True)
class Point:
    """A point (điểm) of a section, lettered a), b), ..."""

    title: str
    paragraphs: Sequence[str] = ()


@dataclass(frozen=True, kw_only=True)
class Section:
    """A section (mục) of a part, numbered 1., 2., ...; `images` are PNG bytes (charts)."""

    title: str
    paragraphs: Sequence[str] = ()
    points: Sequence[Point] = ()
    tables: Sequence[Table] = ()
    images: Sequence[bytes] = ()


@dataclass(frozen=True, kw_only=True)
class Part:
    """A part (phần) of the report, numbered I., II., ..."""

    title: str
    paragraphs: Sequence[str] = ()
    sections: Sequence[Section] = ()


@dataclass(frozen=True, kw_only=True)
class Signer:
    """The signature block: e.g. "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH" / the signer's name."""

    title: str
    name: str = ""
    on_behalf: str = ""


@dataclass(frozen=True, kw_only=True)
class OfficialDocument:
    """An administrative document (văn bản hành chính), a report by default."""

    superior_body: str
    issuing_body: str
    number_symbol: str
    place: str
    date: datetime.date
    subject: str
    signer: Signer
    doc_type: str = "BÁO CÁO"
    parts: Sequence[Part] = ()
    recipients: Sequence[str] = field(default_factory=lambda: ["Lưu: VT"])


def roman(number: int) -> str:
    """I, II, III, IV, ... for the parts of a document."""
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = []
    for value, letters in numerals:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def point_letter(index: int) -> str:
    """a, b, c, ... (Vietnamese documents skip no letter; after z: aa, ab, ...)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    if index < len(letters):
        return letters[index]
    return letters[index // len(letters) - 1] + letters[index % len(letters)]


def date_line(place: str, date: datetime.date) -> str:
    """ "Chí Minh, ngày 05 tháng 01 năm 2027".

    Decree 30/2020/NĐ-CP: days below 10 and the months 1 and 2 take a leading zero (so no
    one can add a digit in front); March to December do not.
    """
    month = f"{date.month:02d}" if date.month <= 2 else str(date.month)
    return f"{place}, ngày {date.day:02d} tháng {month} năm {date.year}"


def format_figure(value: object) -> str:
    """A cell value as a Vietnamese reader writes it: 1.234.567 and 12,5."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float | decimal.Decimal):
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _nfc(text: str) -> str:
    # Decomposed input (a base letter then combining tone marks) would be drawn without
    # shaping, the marks off their letters; every glyph needed exists precomposed.
    return unicodedata.normalize("NFC", text)


@cache
def font_files() -> dict[str, Path]:
    """The DejaVu Serif TTFs that matplotlib ships in mpl-data (full Vietnamese coverage).

    Times New Roman cannot be redistributed; Tinos/Liberation Serif are not on PyPI, and the
    Times-like faces that are (STIX, Source Serif Pro italic) lack the Vietnamese tone letters.
    """
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return {
        "": folder / "DejaVuSerif.ttf",
        "B": folder / "DejaVuSerif-Bold.ttf",
        "I": folder / "DejaVuSerif-Italic.ttf",
        "BI": folder / "DejaVuSerif-BoldItalic.ttf",
    }


# ---------------------------------------------------------------------------------------- PDF


def _pdf_class():
    from fpdf import FPDF

    class ReportPDF(FPDF):
        def header(self):
            # Page numbers from page 2, centred in the top margin.
            if self.page_no() < 2:
                return
            self.set_font(FONT_FAMILY, "", BODY_SIZE)
            self.set_xy(self.l_margin, 10)
            self.cell(self.epw, 6, str(self.page_no()), align="C")
            self.set_xy(self.l_margin, self.t_margin)

    return ReportPDF


def _fitted_size(pdf, text: str, style: str, size: float, width: float, minimum: float = 9):
    """The largest size up to `size` at which `text` fits on one line of `width`."""
    while size > minimum:
        pdf.set_font(FONT_FAMILY, style, size)
        if pdf.get_string_width(text) + 2 * pdf.c_margin <= width:
            break
        size -= 0.5
    return size


def _centred_rule(pdf, centre: float, length: float, y: float) -> None:
    pdf.set_line_width(0.3)
    pdf.line(centre - length / 2, y, centre + length / 2, y)


def _pdf_heading(pdf, doc: OfficialDocument) -> None:
    left_w, gap = 72, 3
    right_x = pdf.l_margin + left_w + gap
    right_w = pdf.w - pdf.r_margin - right_x
    top = pdf.t_margin

    # Top left: superior body, issuing body (bold), short rule, number and symbol.
    pdf.set_xy(pdf.l_margin, top)
    pdf.set_font(FONT_FAMILY, "", 12)
    pdf.multi_cell(left_w, 5.5, _nfc(doc.superior_body.upper()), align="C",
                   new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.multi_cell(left_w, 5.5, _nfc(doc.issuing_body.upper()), align="C",
                   new_x="LEFT", new_y="NEXT")
    _centred_rule(pdf, pdf.l_margin + left_w / 2, left_w / 3, pdf.get_y() + 0.8)
    pdf.set_y(pdf.get_y() + 3)
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT_FAMILY, "", BODY_SIZE)
    pdf.multi_cell(left_w, 6, _nfc(f"Số: {doc.number_symbol}"), align="C",
                   new_x="LEFT", new_y="NEXT")
    left_bottom = pdf.get_y()

    # Top right: national title, motto with a rule as long as itself, place and date.
    pdf.set_xy(right_x, top)
    size = _fitted_size(pdf, NATIONAL_TITLE, "B", 12, right_w)
    pdf.set_font(FONT_FAMILY, "B", size)
    pdf.cell(right_w, 5.5, NATIONAL_TITLE, align="C", new_x="LEFT", new_y="NEXT")
    size = _fitted_size(pdf, MOTTO, "B", 13, right_w)
    pdf.set_font(FONT_FAMILY, "B", size)
    pdf.cell(right_w, 6, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
    _centred_rule(pdf, right_x + right_w / 2, pdf.get_string_width(MOTTO), pdf.get_y() + 0.5)
    pdf.set_y(pdf.get_y() + 3)
    pdf.set_x(right_x)
    line = _nfc(date_line(doc.place, doc.date))
    size = _fitted_size(pdf, line, "I", BODY_SIZE, right_w)
    pdf.set_font(FONT_FAMILY, "I", size)
    pdf.multi_cell(right_w, 6, line, align="C", new_x="LEFT", new_y="NEXT")

    # Centre: document type, subject, a short rule.
    pdf.set_xy(pdf.l_margin, max(left_bottom, pdf.get_y()) + 8)
    pdf.set_font(FONT_FAMILY, "B", 14)
    pdf.multi_cell(pdf.epw, 7, _nfc(doc.doc_type.upper()), align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "B", BODY_SIZE)
    pdf.multi_cell(pdf.epw, 6.5, _nfc(doc.subject), align="C", new_x="LMARGIN", new_y="NEXT")
    _centred_rule(pdf, pdf.l_margin + pdf.epw / 2, 40, pdf.get_y() + 1)
    pdf.set_y(pdf.get_y() + 7)


def _pdf_paragraph(pdf, text: str, *, style: str = "", indent: bool = True) -> None:
    pdf.set_font(FONT_FAMILY, style, BODY_SIZE)
    with pdf.text_columns(text_align="J", line_height=1.25) as cols:
        with cols.paragraph(first_line_indent=FIRST_LINE_INDENT if indent else 0,
                            bottom_margin=2.2) as par:
            par.write(_nfc(text))


def _pdf_table(pdf, table: Table) -> None:
    from fpdf.fonts import FontFace

    if table.caption:
        _pdf_paragraph(pdf, table.caption, style="I", indent=False)
    # Wide tables (findings with owner and due date) drop to 10 pt so a date fits its column.
    pdf.set_font(FONT_FAMILY, "", 11 if len(table.headers) <= 5 else 10)
    widths = tuple(table.widths) if table.widths else None
    # align="LEFT": a centred table is centred on the page, not between the unequal margins.
    with pdf.table(col_widths=widths, align="LEFT", text_align="LEFT", line_height=5.5,
                   width=pdf.epw, headings_style=FontFace(emphasis="BOLD"),
                   padding=1.2) as grid:
        header = grid.row()
        for title in table.headers:
            header.cell(_nfc(str(title)), align="C")
        for values in table.rows:
            row = grid.row()
            for value in values:
                numeric = isinstance(value, int | float | decimal.Decimal) and not isinstance(
                    value, bool)
                row.cell(_nfc(format_figure(value)), align="R" if numeric else "L")
    pdf.ln(3)


def _pdf_image(pdf, png: bytes) -> None:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        ratio = img.height / img.width
    width = min(pdf.epw, 150)
    if pdf.get_y() + width * ratio > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(io.BytesIO(png), x=pdf.l_margin + (pdf.epw - width) / 2, w=width)
    pdf.ln(3)


def _pdf_body(pdf, doc: OfficialDocument) -> None:
    for p_index, part in enumerate(doc.parts, start=1):
        _pdf_paragraph(pdf, f"{roman(p_index)}. {part.title.upper()}", style="B", indent=False)
        for text in part.paragraphs:
            _pdf_paragraph(pdf, text)
        for s_index, section in enumerate(part.sections, start=1):
            _pdf_paragraph(pdf, f"{s_index}. {section.title}", style="B")
            for text in section.paragraphs:
                _pdf_paragraph(pdf, text)
            for i, point in enumerate(section.points):
                _pdf_paragraph(pdf, f"{point_letter(i)}) {point.title}", style="I")
                for text in point.paragraphs:
                    _pdf_paragraph(pdf, text)
            for table in section.tables:
                _pdf_table(pdf, table)
            for png in section.images:
                _pdf_image(pdf, png)


def _pdf_closing(pdf, doc: OfficialDocument) -> None:
    needed = 12 + 5 * max(len(doc.recipients), 5) + 30
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y() + 4
    left_w = 70
    right_x = pdf.l_margin + left_w + 5
    right_w = pdf.w - pdf.r_margin - right_x

    pdf.set_xy(pdf.l_margin, top)
    pdf.set_font(FONT_FAMILY, "BI", 12)
    pdf.cell(left_w, 5.5, RECIPIENTS_HEADING, new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 11)
    for recipient in doc.recipients:
        pdf.multi_cell(left_w, 5, _nfc(f"- {recipient}"), new_x="LEFT", new_y="NEXT")

    pdf.set_xy(right_x, top)
    pdf.set_font(FONT_FAMILY, "B", BODY_SIZE)
    for line in (doc.signer.on_behalf, doc.signer.title):
        if line:
            pdf.multi_cell(right_w, 6, _nfc(line.upper()), align="C", new_x="LEFT",
                           new_y="NEXT")
    # Room for the signature and the seal.
    pdf.set_y(pdf.get_y() + 26)
    pdf.set_x(right_x)
    if doc.signer.name:
        pdf.multi_cell(right_w, 6, _nfc(doc.signer.name), align="C", new_x="LEFT",
                       new_y="NEXT")


def render_pdf(doc: OfficialDocument) -> bytes:
    """The document as an A4 PDF with the fonts embedded."""
    pdf = _pdf_class()(orientation="P", unit="mm", format="A4")
    for style, path in font_files().items():
        pdf.add_font(FONT_FAMILY, style, str(path))
    pdf.set_margins(left=MARGIN_LEFT, top=MARGIN_TOP, right=MARGIN_RIGHT)
    pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)
    pdf.set_title(_nfc(f"{doc.doc_type} {doc.subject}"))
    pdf.set_creator("TTCS")
    pdf.set_lang("vi")
    pdf.add_page()
    _pdf_heading(pdf, doc)
    _pdf_body(pdf, doc)
    _pdf_closing(pdf, doc)
    return bytes(pdf.output())


# --------------------------------------------------------------------------------------- XLSX

XLSX_FONT = "Times New Roman"
XLSX_MIN_COLUMNS = 6


def _xlsx_columns(doc: OfficialDocument) -> int:
    widest = [
        len(table.headers)
        for part in doc.parts
        for section in part.sections
        for table in section.tables
    ]
    return max([XLSX_MIN_COLUMNS, *widest])


class _SheetWriter:
    """Writes rows top to bottom; text rows span every column."""

    def __init__(self, ws, columns: int):
        self.ws = ws
        self.columns = columns
        self.row = 1

    def text(self, value: str, *, bold=False, italic=False, size=BODY_SIZE, align="left",
             first_col=1, last_col=None, indent=0, advance=True) -> None:
        from openpyxl.styles import Alignment, Font

        last_col = last_col or self.columns
        cell = self.ws.cell(row=self.row, column=first_col, value=_nfc(value))
        cell.font = Font(name=XLSX_FONT, size=size, bold=bold, italic=italic)
        cell.alignment = Alignment(horizontal=align, vertical="top", wrap_text=True,
                                   indent=indent)
        if last_col > first_col:
            self.ws.merge_cells(start_row=self.row, start_column=first_col,
                                end_row=self.row, end_column=last_col)
        width_chars = sum(
            self.ws.column_dimensions[self._letter(c)].width or 10
            for c in range(first_col, last_col + 1)
        )
        lines = max(1, -(-len(value) * size // 11 // max(int(width_chars), 1)))
        current = self.ws.row_dimensions[self.row].height or 0
        self.ws.row_dimensions[self.row].height = max(current, lines * size * 1.45)
        if advance:
            self.row += 1

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    @staticmethod
    def _letter(column: int) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter(column)


def _xlsx_table(out: _SheetWriter, table: Table) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    if table.caption:
        out.text(table.caption, italic=True)
    for column, title in enumerate(table.headers, start=1):
        cell = out.ws.cell(row=out.row, column=column, value=_nfc(str(title)))
        cell.font = Font(name=XLSX_FONT, size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    out.ws.row_dimensions[out.row].height = 32
    out.row += 1
    for values in table.rows:
        for column, value in enumerate(values, start=1):
            if isinstance(value, str):
                value = _nfc(value)
            elif not isinstance(value, int | float | decimal.Decimal | datetime.date):
                value = format_figure(value)
            cell = out.ws.cell(row=out.row, column=column, value=value)
            cell.font = Font(name=XLSX_FONT, size=11)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = border
            if isinstance(value, int) and not isinstance(value, bool):
                cell.number_format = "#,##0"
            elif isinstance(value, float | decimal.Decimal):
                cell.number_format = "#,##0.##"
            elif isinstance(value, datetime.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(value, datetime.date):
                cell.number_format = "dd/mm/yyyy"
        out.row += 1
    out.skip()


def _xlsx_image(out: _SheetWriter, png: bytes) -> None:
    from openpyxl.drawing.image import Image as SheetImage

    image = SheetImage(io.BytesIO(png))
    scale = min(1.0, 560 / image.width)
    image.width, image.height = int(image.width * scale), int(image.height * scale)
    out.ws.add_image(image, f"A{out.row}")
    out.skip(int(image.height / 20) + 2)


def render_xlsx(doc: OfficialDocument, *, sheet_title: str = "Báo cáo") -> bytes:
    """The document on one sheet, set up to print on A4 portrait with the decree's margins."""
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet_title[:31]
    columns = _xlsx_columns(doc)
    for column in range(1, columns + 1):
        ws.column_dimensions[_SheetWriter._letter(column)].width = 90 / columns
    out = _SheetWriter(ws, columns)
    half = columns // 2

    # Heading: issuing body on the left half, national title and motto on the right half.
    out.text(doc.superior_body.upper(), size=12, align="center", last_col=half, advance=False)
    out.text(NATIONAL_TITLE, bold=True, size=12, align="center", first_col=half + 1)
    out.text(doc.issuing_body.upper(), bold=True, size=12, align="center", last_col=half,
             advance=False)
    out.text(MOTTO, bold=True, align="center", first_col=half + 1)
    out.text(f"Số: {doc.number_symbol}", align="center", last_col=half, advance=False)
    out.text(date_line(doc.place, doc.date), italic=True, align="center", first_col=half + 1)
    out.skip()
    out.text(doc.doc_type.upper(), bold=True, size=14, align="center")
    out.text(doc.subject, bold=True, align="center")
    out.skip()

    for p_index, part in enumerate(doc.parts, start=1):
        out.text(f"{roman(p_index)}. {part.title.upper()}", bold=True)
        for text in part.paragraphs:
            out.text(text, indent=2)
        for s_index, section in enumerate(part.sections, start=1):
            out.text(f"{s_index}. {section.title}", bold=True, indent=2)
            for text in section.paragraphs:
                out.text(text, indent=2)
            for i, point in enumerate(section.points):
                out.text(f"{point_letter(i)}) {point.title}", italic=True, indent=2)
                for text in point.paragraphs:
                    out.text(text, indent=2)
            for table in section.tables:
                _xlsx_table(out, table)
            for png in section.images:
                _xlsx_image(out, png)

    out.skip()
    closing = out.row
    out.text(RECIPIENTS_HEADING, bold=True, italic=True, size=12, last_col=half)
    for recipient in doc.recipients:
        out.text(f"- {recipient}", size=11, last_col=half)
    out.row = closing
    for line in (doc.signer.on_behalf, doc.signer.title):
        if line:
            out.text(line.upper(), bold=True, align="center", first_col=half + 1)
    out.skip(4)
    if doc.signer.name:
        out.text(doc.signer.name, bold=True, align="center", first_col=half + 1)

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    mm = 1 / 25.4
    ws.page_margins.left = MARGIN_LEFT * mm
    ws.page_margins.right = MARGIN_RIGHT * mm
    ws.page_margins.top = MARGIN_TOP * mm
    ws.page_margins.bottom = MARGIN_BOTTOM * mm
    ws.page_margins.header = 10 * mm
    # Page numbers from page 2: the first page's header stays empty.
    ws.HeaderFooter.differentFirst = True
    ws.oddHeader.center.text = "&P"
    ws.oddHeader.center.size = BODY_SIZE
    ws.oddHeader.center.font = XLSX_FONT
    ws.print_options.horizontalCentered = True

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
