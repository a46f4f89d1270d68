"""Who manages plan tracking: leaders and the administrator manage tasks and units; the
centre's staff (editors, approvers, technicians) see the progress overview. The staff of a
task's lead unit report its progress whatever their role (unit membership, not a permission).

Additive: nothing an administrator changed is undone."""

from django.db import migrations

MANAGE = ("add_plantask", "change_plantask", "delete_plantask", "view_plantask",
          "add_unit", "change_unit", "delete_unit", "view_unit")
VIEW = ("view_plantask",)


def grant(apps, schema_editor):
    from workflows import roles

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    roles.permissions_create(apps)
    for name, codenames in ((roles.ADMINISTRATOR, MANAGE), (roles.LEADER, MANAGE),
                            (roles.EDITOR, VIEW), (roles.REVIEWER, VIEW), (roles.TECHNICIAN, VIEW)):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*Permission.objects.filter(
                content_type__app_label="plans", codename__in=codenames))


class Migration(migrations.Migration):

    dependencies = [
        ("plans", "0001_initial"),
        ("workflows", "0002_roles_and_workflows"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
