"""The budget estimate as a spreadsheet (XLSX, openpyxl) for Phòng Kinh tế: a title, one row
per cluster, a total row, amounts in VND."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .selectors import BudgetEstimate, RepairOutlook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VND_FORMAT = '#,##0 "đ"'
MONTHS_FORMAT = "0.00"
DATE_FORMAT = "dd/mm/yyyy"
HEADERS = ["STT", "Cụm loa", "Thôn / tổ dân phố", "Nhà mạng", "Số thuê bao SIM",
           "Miễn phí đến hết ngày", "Số tháng phải trả", "Cước tháng (đồng)", "Thành tiền (đồng)"]
WIDTHS = [6, 34, 22, 14, 16, 14, 12, 16, 18]
HEADER_ROW = 5


def budget_filename(year: int) -> str:
    return f"du-toan-cuoc-4g-cum-loa-{year}.xlsx"


def budget_xlsx(estimate: BudgetEstimate, *, outlook: RepairOutlook | None = None,
                commune_name: str = "", agency_name: str = "") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Dự toán {estimate.year}"
    last_column = get_column_letter(len(HEADERS))
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    sheet["A1"] = (agency_name or "").upper()
    sheet["A1"].font = Font(bold=True)
    sheet["A2"] = _("DỰ TOÁN KINH PHÍ DUY TRÌ GÓI CƯỚC 4G CỤM LOA NĂM %(year)d") % {
        "year": estimate.year}
    sheet["A2"].font = Font(bold=True, size=14)
    sheet.merge_cells(f"A2:{last_column}2")
    sheet["A2"].alignment = Alignment(horizontal="center")
    today = timezone.localdate()
    sheet["A3"] = _("%(commune)s, lập ngày %(date)s. Tháng trả một phần tính theo số ngày: cước "
                    "tháng × số ngày phải trả ÷ số ngày của tháng.") % {
        "commune": commune_name or "", "date": f"{today:%d/%m/%Y}"}
    sheet["A3"].font = Font(italic=True)
    sheet.merge_cells(f"A3:{last_column}3")

    for column, header in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS[column - 1]
    row = HEADER_ROW
    for n, line in enumerate(estimate.rows, start=1):
        row += 1
        values = [n, f"{line.cluster_code} · {line.cluster_name}", line.zone, line.carrier,
                  line.sim_number, line.free_until, float(line.months_paid), line.monthly_fee_vnd,
                  line.total_vnd]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.border = border
        sheet.cell(row=row, column=5).number_format = "@"
        sheet.cell(row=row, column=6).number_format = DATE_FORMAT
        sheet.cell(row=row, column=7).number_format = MONTHS_FORMAT
        sheet.cell(row=row, column=8).number_format = VND_FORMAT
        sheet.cell(row=row, column=9).number_format = VND_FORMAT
    row += 1
    sheet.cell(row=row, column=2, value=_("Tổng cộng")).font = Font(bold=True)
    months = sheet.cell(row=row, column=7, value=float(estimate.months_paid))
    months.number_format = MONTHS_FORMAT
    total = sheet.cell(row=row, column=9, value=estimate.total_vnd)
    total.number_format = VND_FORMAT
    total.font = Font(bold=True)
    for column in range(1, len(HEADERS) + 1):
        sheet.cell(row=row, column=column).border = border
    if outlook is not None:
        row += 2
        codes = ", ".join(c.code for c in outlook.out_of_warranty) or "—"
        sheet.cell(row=row, column=2, value=_(
            "Cụm loa hết bảo hành đến hết năm %(year)d (sửa chữa, thay thế do ngân sách xã chi): "
            "%(count)d (%(codes)s)") % {"year": estimate.year,
                                        "count": len(outlook.out_of_warranty), "codes": codes})
        row += 1
        sheet.cell(row=row, column=2, value=_("Chi sửa chữa, thay thế từ ngân sách xã năm "
                                              "%(year)d (tham khảo)") % {"year": outlook.last_year})
        spend = sheet.cell(row=row, column=9, value=outlook.last_year_spend_vnd)
        spend.number_format = VND_FORMAT
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
