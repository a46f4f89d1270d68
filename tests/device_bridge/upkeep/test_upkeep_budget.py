"""Next year's 4G cost against figures worked out by hand, and the XLSX that carries them."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from device_bridge.upkeep.models import DataPlanFee, FaultTicket, Repair
from device_bridge.upkeep.selectors import budget_estimate

from .conftest import d

# By hand, year 2027 (proration by days, each month rounded to the đồng):
#   cl-a  free until 15/03/2027, 50.000 đ: March 16/31 days = 25.806,45 → 25.806;
#         April–December 9 × 50.000 = 450.000; total 475.806 (9,52 months)
#   cl-b  free until 30/06/2026, 60.000 đ, 66.000 đ from 01/07/2027:
#         6 × 60.000 + 6 × 66.000 = 756.000 (12 months)
#   cl-c  free until 01/01/2026, 30.000 đ, 45.000 đ from 15/02/2027 (February has 28 days):
#         January 30.000; February 14 × 30.000/28 + 14 × 45.000/28 = 15.000 + 22.500 = 37.500;
#         March–December 10 × 45.000 = 450.000; total 517.500
#   cl-d  free until 01/05/2028: nothing in 2027
#   total 475.806 + 756.000 + 517.500 = 1.749.306 đ
HAND_TOTALS = {"cl-a": 475_806, "cl-b": 756_000, "cl-c": 517_500, "cl-d": 0}
HAND_TOTAL = 1_749_306


@pytest.fixture
def plans(make_plan, other_site):
    a = make_plan("cl-a", free_until=d("2027-03-15"), fee=50_000, warranty_until=d("2027-06-30"))
    ticket = FaultTicket.objects.create(site=a.site, cluster=a.cluster, symptom="Mất nguồn",
                                        opened_at=timezone.now())
    for done_on, cost, paid_by in [("2026-05-02", 1_200_000, "budget"), ("2026-08-09", 900_000, "warranty"),
                                   ("2025-12-30", 500_000, "budget")]:
        Repair.objects.create(ticket=ticket, done_on=d(done_on), cost_vnd=cost, paid_by=paid_by)
    b = make_plan("cl-b", free_until=d("2026-06-30"), fee=60_000)
    DataPlanFee.objects.create(plan=b, effective_from=d("2027-07-01"), monthly_fee_vnd=66_000)
    c = make_plan("cl-c", free_until=d("2026-01-01"), fee=30_000)
    DataPlanFee.objects.create(plan=c, effective_from=d("2027-02-15"), monthly_fee_vnd=45_000)
    make_plan("cl-d", free_until=d("2028-05-01"), fee=40_000)
    make_plan("cl-ngung", free_until=d("2025-01-01"), fee=99_000, is_active=False)  # not counted
    make_plan("cl-khac", site=other_site, free_until=d("2025-01-01"), fee=77_000)  # other commune


def test_estimate_matches_the_figures_worked_out_by_hand(plans, upkeep_site):
    from wagtail.models import Site

    estimate = budget_estimate(site=Site.objects.get(is_default_site=True), year=2027)
    assert {row.cluster_code: row.total_vnd for row in estimate.rows} == HAND_TOTALS
    assert estimate.total_vnd == HAND_TOTAL
    months = {row.cluster_code: row.months_paid for row in estimate.rows}
    assert months == {"cl-a": Decimal("9.52"), "cl-b": Decimal("12.00"), "cl-c": Decimal("12.00"),
                      "cl-d": Decimal("0")}
    fees = {row.cluster_code: row.monthly_fee_vnd for row in estimate.rows}
    assert fees["cl-b"] == 66_000 and fees["cl-c"] == 45_000


def test_a_leap_february_is_prorated_over_29_days(make_plan, upkeep_site):
    from wagtail.models import Site

    # Paid from 15/02/2028: 15 of 29 days × 29.000 = 15.000, then 10 × 29.000 = 290.000.
    make_plan("cl-nhuan", free_until=d("2028-02-14"), fee=29_000)
    estimate = budget_estimate(site=Site.objects.get(is_default_site=True), year=2028)
    assert estimate.total_vnd == 305_000


def _sheet_figures(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    by_cluster = {row[1].split(" · ")[0]: row for row in rows[5:] if row[1] and "·" in str(row[1])}
    total = next(row for row in rows if row[1] == "Tổng cộng")
    return sheet, rows, by_cluster, total


def test_command_writes_the_xlsx_with_the_figures(plans, tmp_path):
    out = tmp_path / "du-toan.xlsx"
    call_command("fleet_budget", year=2027, out=str(out), stdout=io.StringIO())
    sheet, rows, by_cluster, total = _sheet_figures(out.read_bytes())
    assert "DỰ TOÁN KINH PHÍ DUY TRÌ GÓI CƯỚC 4G CỤM LOA NĂM 2027" in rows[1][0]
    assert rows[4] == ("STT", "Cụm loa", "Thôn / tổ dân phố", "Nhà mạng", "Số thuê bao SIM",
                       "Miễn phí đến hết ngày", "Số tháng phải trả", "Cước tháng (đồng)",
                       "Thành tiền (đồng)")
    assert {code: row[8] for code, row in by_cluster.items()} == HAND_TOTALS
    assert by_cluster["cl-a"][2] == "Thôn Đông" and by_cluster["cl-a"][3] == "Viettel"
    assert by_cluster["cl-a"][5].date() == d("2027-03-15") and by_cluster["cl-a"][6] == 9.52
    assert total[8] == HAND_TOTAL
    # Repairs after warranty: cl-a's warranty ends in 2027; 2026's budget-paid repairs 1.200.000 đ.
    assert any(row[1] and "hết bảo hành đến hết năm 2027" in row[1] and "1 (cl-a)" in row[1] for row in rows)
    assert next(row for row in rows if row[1] and "năm 2026 (tham khảo)" in row[1])[8] == 1_200_000
    total_cell = sheet.cell(row=rows.index(total) + 1, column=9)
    assert total_cell.number_format == '#,##0 "đ"'


def test_command_refuses_a_bad_year(tmp_path, upkeep_site):
    with pytest.raises(CommandError, match="Năm dự toán"):
        call_command("fleet_budget", year=1800, out=str(tmp_path / "x.xlsx"))


@pytest.mark.parametrize("who", ["technician", "economic"])
def test_admin_button_downloads_the_same_figures(plans, client, request, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("upkeep_admin:budget"), {"year": "2027"})
    assert page.status_code == 200
    assert 'data-grand-total="1749306"' in page.content.decode()
    assert "1.749.306 đ" in page.content.decode()
    assert 'data-out-of-warranty="1"' in page.content.decode()
    assert 'data-last-year-spend="1200000"' in page.content.decode()
    download = client.get(reverse("upkeep_admin:budget"), {"year": "2027", "format": "xlsx"})
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "du-toan-cuoc-4g-cum-loa-2027.xlsx" in download["Content-Disposition"]
    assert _sheet_figures(download.content)[3][8] == HAND_TOTAL


def test_a_bad_year_in_the_address_says_so_and_shows_next_year(plans, client, technician):
    client.force_login(technician)
    page = client.get(reverse("upkeep_admin:budget"), {"year": "20x7"}, follow=True)
    assert page.status_code == 200
    assert "không hợp lệ" in page.content.decode()
