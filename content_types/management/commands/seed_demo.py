from django.core.management.base import BaseCommand

from content_types.plans.demo import seed_demo_plan
from content_types.services import DEMO_PASSWORD, demo_site_seed
from contests.demo import seed_demo_contest
from device_bridge.upkeep.demo import seed_demo_upkeep


class Command(BaseCommand):
    help = "Build the demo site of xã Chí Minh (idempotent)."

    def handle(self, *args, **options):
        created = demo_site_seed()
        seed_demo_contest()
        seed_demo_plan()
        seed_demo_upkeep()
        self.stdout.write(
            "Đã tạo: {categories} lĩnh vực, {zones} thôn/tổ dân phố, {pages} trang, "
            "{users} tài khoản, {schedules} mẫu lịch phát, {rules} quy tắc phân phối, "
            "{clusters} cụm loa mô phỏng.".format(**created)
        )
        self.stdout.write(f"Tài khoản mẫu: admin, bientap, duyet, kythuat, kinhte — mật khẩu: {DEMO_PASSWORD}")
