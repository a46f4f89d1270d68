"""The role of the officers who answer feedback (Cán bộ tiếp nhận phản ánh), and the
administrator's hold on the feedback app. Additive: nothing an administrator changed is undone."""

from django.db import migrations


def grant(apps, schema_editor):
    from workflows import roles

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    roles.permissions_create(apps)
    roles.role_model_permissions_grant(apps, roles.FEEDBACK_OFFICER)
    administrator = Group.objects.filter(name=roles.ADMINISTRATOR).first()
    if administrator is not None:
        administrator.permissions.add(
            *Permission.objects.filter(content_type__app_label="feedback")
        )


class Migration(migrations.Migration):

    dependencies = [
        ("feedback", "0002_seed_departments"),
        ("workflows", "0002_roles_and_workflows"),
        ("content_types", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
