"""``manage.py backup --out DIR``: database and media into a new folder (cms/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và thư mục media vào một thư mục mới (kèm manifest.json)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path,
                            help="thư mục mới (hoặc rỗng) nhận bản sao lưu")

    def handle(self, *args, out: Path, **options):
        try:
            manifest = backup_create(out=out)
        except BackupError as err:
            raise CommandError(str(err)) from err
        sizes = ", ".join(f"{name} {entry['size'] / 1e6:.1f} MB" for name, entry in manifest["files"].items())
        self.stdout.write(self.style.SUCCESS(
            f"Đã sao lưu vào {out}: {sizes}; {manifest['media_files']} tệp media."))
