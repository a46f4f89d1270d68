"""Who runs a contest: editors build the question bank; the organisers (Ban tổ chức cuộc thi)
see rankings and entrants' personal data, award prizes and export lists; Quản trị holds every
contest permission (scoring stays the jury's). Additive: nothing an administrator changed is undone."""

from django.db import migrations


def grant(apps, schema_editor):
    from workflows import roles

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    roles.permissions_create(apps)
    roles.role_model_permissions_grant(apps, roles.CONTEST_ORGANISER)
    roles.role_model_permissions_grant(apps, roles.EDITOR, create=False)
    administrator = Group.objects.filter(name=roles.ADMINISTRATOR).first()
    if administrator is not None:
        # Every contest permission; the judging app gave it the organisers' ones, and scoring
        # stays the jury's.
        administrator.permissions.add(*Permission.objects.filter(content_type__app_label="contests"))


class Migration(migrations.Migration):

    dependencies = [
        ("contests", "0003_winners"),
        ("judging", "0002_jury_role"),
        ("workflows", "0002_roles_and_workflows"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
