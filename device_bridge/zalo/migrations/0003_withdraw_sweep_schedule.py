"""Every 10 minutes: remove OA articles of pages no longer live that a lost task left behind."""

from django.db import migrations

NAME = "zalo: remove articles of withdrawn bulletins"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={"func": "device_bridge.zalo.tasks.article_withdraw_sweep", "schedule_type": "I",
                  "minutes": 10, "repeats": -1},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("zalo", "0002_zalo_account_default_cover"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
