"""Seed the default checklist of issue 13 for every commune (Site) that exists now.

Sites created later get it from ``services.checklist_template_default_create`` the first time
their assessment screen opens. The list is frozen here on purpose: a migration must not change
when the service's default list does."""

from django.db import migrations

ITEMS = [
    ("default_password", "Đã đổi mật khẩu mặc định của thiết bị",
     "Đăng nhập thử bằng mật khẩu của nhà sản xuất phải bị từ chối.", "cluster", ""),
    ("firmware_baseline", "Firmware ở phiên bản được duyệt",
     "So với danh mục phiên bản firmware được duyệt.", "cluster", "firmware_baseline"),
    ("control_channel", "Kênh điều khiển được xác thực và mã hóa",
     "Cụm loa chỉ kết nối qua HTTPS bằng mã truy cập riêng.", "cluster", "heartbeat_tls"),
    ("token_rotated", "Mã truy cập được thay trong vòng 90 ngày", "", "cluster", "token_age"),
    ("no_open_ports", "Không mở cổng quản trị ra Internet",
     "Quét cổng địa chỉ IP của SIM: không có Telnet, SSH, web quản trị.", "cluster", ""),
    ("enclosure_locked", "Tủ thiết bị được khóa", "", "cluster", ""),
    ("sim_pin", "SIM đã đặt mã PIN", "", "cluster", ""),
    ("audit_log", "Nhật ký quản trị được bật",
     "Hệ thống quản lý ghi lại thao tác của người dùng quản trị.", "system", ""),
    ("backup_restore", "Bản sao lưu hệ thống quản lý đã được khôi phục thử",
     "Khôi phục thử bản sao lưu gần nhất lên máy khác và mở được.", "system", ""),
]


def seed(apps, schema_editor):
    Site = apps.get_model("wagtailcore", "Site")
    Template = apps.get_model("fleetsecurity", "ChecklistTemplate")
    Item = apps.get_model("fleetsecurity", "ChecklistItem")
    for site in Site.objects.all():
        if Template.objects.filter(site=site, is_default=True).exists():
            continue
        template = Template.objects.create(
            site=site, name="Danh mục kiểm tra an toàn thông tin hệ thống loa truyền thanh",
            is_default=True)
        for order, (code, title, guidance, scope, automatic) in enumerate(ITEMS):
            Item.objects.create(template=template, site=site, sort_order=order, code=code,
                                title=title, guidance=guidance, scope=scope, automatic=automatic)


class Migration(migrations.Migration):
    dependencies = [
        ("fleetsecurity", "0001_initial"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
