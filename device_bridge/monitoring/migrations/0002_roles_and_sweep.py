"""Technicians and administrators get every monitoring permission (live operations, alerts,
state history), and the minute sweep that records offline clusters and alerts is scheduled.
Additive: nothing an administrator changed is undone."""

from django.db import migrations

NAME = "monitoring: cluster states and fleet alerts"


def grant(apps, schema_editor):
    from workflows import roles

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    roles.permissions_create(apps)
    permissions = list(Permission.objects.filter(content_type__app_label="monitoring"))
    for name in (roles.TECHNICIAN, roles.ADMINISTRATOR):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*permissions)


def create_schedule(apps, schema_editor):
    # Every minute; catch_up is off and retry > timeout cluster-wide (settings.Q_CLUSTER).
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=NAME,
        defaults={"func": "device_bridge.monitoring.tasks.monitoring_sweep", "schedule_type": "I",
                  "minutes": 1, "repeats": -1},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_initial"),
        ("workflows", "0002_roles_and_workflows"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
