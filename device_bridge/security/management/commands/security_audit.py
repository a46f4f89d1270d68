"""manage.py security_audit: the management system's security posture, in Vietnamese.

Exit status 0 when nothing is high, 2 when something is (for cron and CI)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from device_bridge.security.audit import HIGH, SEVERITY_LABELS, security_audit, settings_module


class Command(BaseCommand):
    help = ("Kiểm tra an toàn hệ thống quản lý: check --deploy, tài khoản quản trị lâu không "
            "đăng nhập, quyền vượt vai trò, mã truy cập cụm loa, tài khoản mẫu.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90,
                            help="Tài khoản quản trị không đăng nhập quá số ngày này (mặc định 90).")
        parser.add_argument("--token-days", type=int, default=90,
                            help="Mã truy cập cụm loa cũ hơn số ngày này (mặc định 90).")
        parser.add_argument("--skip-deploy-checks", action="store_true",
                            help="Bỏ qua check --deploy (ví dụ khi chạy bằng thiết lập dev).")

    def handle(self, *args, days, token_days, skip_deploy_checks, **options):
        now = timezone.now()
        findings = security_audit(now=now, admin_days=days, token_days=token_days,
                                  deploy_checks=not skip_deploy_checks)
        self.stdout.write(
            f"KIỂM TRA AN TOÀN HỆ THỐNG QUẢN LÝ — {timezone.localtime(now):%H:%M %d/%m/%Y} "
            f"(thiết lập {settings_module()})")
        for finding in findings:
            line = f"[{SEVERITY_LABELS[finding.severity]}] {finding.topic}: {finding.message}"
            style = self.style.ERROR if finding.severity == HIGH else self.style.WARNING
            self.stdout.write(style(line))
        counts = {level: sum(1 for f in findings if f.severity == level)
                  for level in SEVERITY_LABELS}
        summary = ", ".join(f"{counts[level]} mức {label.lower()}"
                            for level, label in SEVERITY_LABELS.items())
        if not findings:
            self.stdout.write(self.style.SUCCESS("Không phát hiện vấn đề nào."))
        self.stdout.write(f"Tổng kết: {summary}.")
        if counts[HIGH]:
            raise CommandError(
                f"Có {counts[HIGH]} vấn đề mức cao cần xử lý ngay.", returncode=2)
