"""Quản trị sets up the commune's Zalo OA (settings page, connect, test connection): give the
administrator group every permission of the zalo app. Additive, like the feedback app's grant."""

from django.db import migrations


def grant(apps, schema_editor):
    from workflows import roles

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    roles.permissions_create(apps)
    administrator = Group.objects.filter(name=roles.ADMINISTRATOR).first()
    if administrator is not None:
        administrator.permissions.add(*Permission.objects.filter(content_type__app_label="zalo"))


class Migration(migrations.Migration):

    dependencies = [
        ("zalo", "0004_staff_zalo_link"),
        ("workflows", "0002_roles_and_workflows"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
