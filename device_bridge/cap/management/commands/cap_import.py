"""``manage.py cap_import FILE [--site HOST]``: take a CAP 1.2 alert in from a file ("-" for stdin)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from device_bridge.cap.models import CapAlert
from device_bridge.cap.services import cap_import
from device_bridge.cap.validation import CapInvalid, max_bytes


class Command(BaseCommand):
    help = "Nhập một cảnh báo CAP 1.2 thành bản tin nháp và gửi vào quy trình duyệt."

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp CAP 1.2 (XML); “-” để đọc từ đầu vào chuẩn")
        parser.add_argument("--site", help="tên máy (hostname) của trang xã; mặc định trang mặc định")

    def handle(self, *args, file, site=None, **options):
        if site:
            found = Site.objects.filter(hostname=site).first()
            if found is None:
                raise CommandError(f"Không có trang nào có tên máy “{site}”.")
        else:
            found = Site.objects.filter(is_default_site=True).first()
            if found is None:
                raise CommandError("Chưa có trang mặc định: dùng --site.")
        try:
            # Read one byte past the limit so an oversized file is refused, not truncated.
            stream = sys.stdin.buffer if file == "-" else Path(file).open("rb")
            with stream:
                data = stream.read(max_bytes() + 1)
        except OSError as err:
            raise CommandError(f"Không đọc được tệp “{file}”: {err.strerror}") from err
        try:
            result = cap_import(data=data, site=found, origin=CapAlert.Origin.COMMAND)
        except CapInvalid as err:
            raise CommandError(str(err)) from err
        self.stdout.write(result.message)
