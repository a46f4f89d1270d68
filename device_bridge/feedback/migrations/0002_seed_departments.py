"""The departments a commune assigns feedback to; editable afterwards (a snippet)."""

from django.db import migrations

DEPARTMENTS = (
    "Phòng Văn hóa - Xã hội",
    "Trung tâm Dịch vụ sự nghiệp công",
    "Phòng Kinh tế",
)


def seed(apps, schema_editor):
    Department = apps.get_model("feedback", "Department")
    for order, name in enumerate(DEPARTMENTS):
        Department.objects.get_or_create(name=name, defaults={"sort_order": order})


class Migration(migrations.Migration):

    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
