"""The jury (Ban giám khảo) role, and the organisers' permissions for the administrator.

Additive: nothing an administrator changed is undone. The administrator manages teams and
criteria and sees entries and results, but does not score: scoring belongs to the jury."""

from django.db import migrations

ORGANISER_CODENAMES = (
    "add_team", "change_team", "delete_team", "view_team",
    "add_criterion", "change_criterion", "delete_criterion", "view_criterion",
    "view_entry",
)


def grant(apps, schema_editor):
    from workflows import roles

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    roles.permissions_create(apps)
    roles.role_model_permissions_grant(apps, roles.JURY)
    administrator = Group.objects.filter(name=roles.ADMINISTRATOR).first()
    if administrator is not None:
        administrator.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="judging", codename__in=ORGANISER_CODENAMES
            )
        )


class Migration(migrations.Migration):

    dependencies = [
        ("judging", "0001_teams_entries_criteria_scores"),
        ("workflows", "0002_roles_and_workflows"),
        ("contests", "0003_winners"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
