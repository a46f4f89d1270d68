"""Poll the enabled CAP feeds every 5 minutes (django-q2; catch_up is off cluster-wide in
settings.Q_CLUSTER: a missed poll is simply the next one)."""

from django.db import migrations

NAME = "cap: poll CAP feeds"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(name=NAME, defaults={
        "func": "device_bridge.cap.tasks.cap_feeds_poll", "schedule_type": "I", "minutes": 5,
        "repeats": -1,
    })


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cap", "0002_roles"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
