"""``manage.py restore DIR [--force]``: database and media from a backup folder (cms/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Khôi phục cơ sở dữ liệu và media từ một bản sao lưu sau khi kiểm tra mã SHA-256; "
            "không ghi đè dữ liệu đang có trừ khi dùng --force.")

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="thư mục do manage.py backup tạo ra")
        parser.add_argument("--force", action="store_true",
                            help="xoá toàn bộ cơ sở dữ liệu và media hiện có rồi khôi phục")

    def handle(self, *args, folder: Path, force: bool, **options):
        try:
            result = backup_restore(folder=folder, force=force)
        except BackupError as err:
            raise CommandError(str(err)) from err
        manifest = result["manifest"]
        self.stdout.write(self.style.SUCCESS(
            f"Đã khôi phục bản sao lưu lúc {manifest['created_at']} "
            f"({manifest['media_files']} tệp media)."))
        if result["migrations_pending"]:
            self.stdout.write(f"Mã hiện tại có {result['migrations_pending']} migration mới hơn bản "
                              "sao lưu: chạy `manage.py migrate`.")
        self.stdout.write("Khởi động lại web và worker; nếu dùng Redis, xoá bộ nhớ đệm "
                          "(`redis-cli -n <số> flushdb`).")
