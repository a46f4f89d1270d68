"""``manage.py fleet_budget --year 2027 --out du-toan.xlsx``: next year's 4G budget estimate."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from ... import selectors
from ...exports import budget_xlsx
from ...views import commune_names


class Command(BaseCommand):
    help = "Dự toán kinh phí gói cước 4G của các cụm loa trong một năm, ghi ra tệp XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="năm dự toán, ví dụ 2027")
        parser.add_argument("--out", required=True, help="tệp .xlsx sẽ ghi")
        parser.add_argument("--site", default="",
                            help="tên máy chủ (hostname) của cổng thông tin xã; mặc định: cổng chính")

    def handle(self, *args, year, out, site, **options):
        if not 2000 <= year <= 2100:
            raise CommandError("Năm dự toán phải trong khoảng 2000–2100.")
        found = (Site.objects.filter(hostname=site).first() if site
                 else Site.objects.filter(is_default_site=True).first())
        if found is None:
            raise CommandError(f"Không có cổng thông tin “{site or 'mặc định'}”.")
        estimate = selectors.budget_estimate(site=found, year=year)
        path = Path(out)
        try:
            outlook = selectors.repair_outlook(site=found, year=year)
            path.write_bytes(budget_xlsx(estimate, outlook=outlook, **commune_names(found)))
        except OSError as err:
            raise CommandError(f"Không ghi được tệp {path}: {err}") from err
        total = f"{estimate.total_vnd:,}".replace(",", ".")
        self.stdout.write(f"Đã ghi {path}: {len(estimate.rows)} cụm loa, tổng {total} đ "
                          f"năm {year}.")
