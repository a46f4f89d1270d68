"""Quản trị may see and lift login lockouts (view and delete on LoginLockout)."""

from django.db import migrations

CODENAMES = ("view_loginlockout", "delete_loginlockout")


def grant(apps, schema_editor):
    from workflows.roles import ADMINISTRATOR, permissions_create

    permissions_create(apps, using=schema_editor.connection.alias)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=ADMINISTRATOR).first()
    if group is None:  # the roles migration creates it; an administrator may have renamed it
        return
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="cms", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    from workflows.roles import ADMINISTRATOR

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=ADMINISTRATOR).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="cms", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):

    dependencies = [
        ("cms", "0001_login_lockout"),
        ("workflows", "0002_roles_and_workflows"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
