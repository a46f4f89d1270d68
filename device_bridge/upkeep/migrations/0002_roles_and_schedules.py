"""Who sees upkeep: technicians and Quản trị manage it (every permission of the app), Phòng Kinh
tế reads the budget estimate only, editors nothing. And the two schedules: alerts every morning
at 07:00, the telemetry scan every hour. Additive: nothing an administrator changed is undone."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations

SCHEDULES = {
    "upkeep: alerts (4G plans, warranties)": ("device_bridge.upkeep.tasks.upkeep_alerts_daily", "D"),
    "upkeep: fault tickets from telemetry": ("device_bridge.upkeep.tasks.upkeep_telemetry_scan", "H"),
}


def grant(apps, schema_editor):
    from workflows import roles

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    roles.permissions_create(apps)
    roles.role_model_permissions_grant(apps, roles.ECONOMIC)
    upkeep = Permission.objects.filter(content_type__app_label="upkeep")
    for name in (roles.TECHNICIAN, roles.ADMINISTRATOR):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*upkeep)


def next_morning():
    now = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    morning = now.replace(hour=7, minute=0, second=0, microsecond=0)
    return morning if morning > now else morning + dt.timedelta(days=1)


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, (func, schedule_type) in SCHEDULES.items():
        Schedule.objects.update_or_create(
            name=name, defaults={"func": func, "schedule_type": schedule_type, "repeats": -1,
                                 "next_run": next_morning()},
        )


def remove_schedules(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=list(SCHEDULES)).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("upkeep", "0001_initial"),
        ("workflows", "0002_roles_and_workflows"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(create_schedules, remove_schedules),
    ]
