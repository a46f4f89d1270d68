"""Who may take CAP alerts in: editors and Quản trị upload (an import only creates drafts that
enter moderation, like an editor's own bulletin); Quản trị alone edits the mapping settings and
the polled feeds. Additive: nothing an administrator changed is undone."""

from django.db import migrations

UPLOADERS = ("cap.add_capalert", "cap.view_capalert")
ADMINISTRATOR_ONLY = (
    "cap.change_capsettings", "cap.add_capfeedsource", "cap.change_capfeedsource",
    "cap.delete_capfeedsource", "cap.view_capfeedsource",
)


def grant(apps, schema_editor):
    from workflows import roles

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    roles.permissions_create(apps)

    def permissions(dotted):
        codenames = [name.split(".", 1)[1] for name in dotted]
        return Permission.objects.filter(content_type__app_label="cap", codename__in=codenames)

    for name, dotted in ((roles.EDITOR, UPLOADERS), (roles.ADMINISTRATOR, UPLOADERS + ADMINISTRATOR_ONLY)):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions(dotted))


class Migration(migrations.Migration):
    dependencies = [("cap", "0001_initial"), ("workflows", "0002_roles_and_workflows")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
