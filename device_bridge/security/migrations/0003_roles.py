"""Who works the security assessment (docs/security-assessment.md, "Permissions").

Technicians (Kỹ thuật viên) keep the checklists, the firmware baselines and the assessments;
leaders (Lãnh đạo UBND) read them and sign them off; Quản trị holds everything. Editors and the
other roles get nothing. Additive: nothing an administrator changed is undone."""

from django.db import migrations

_WORK = (
    "add_assessment", "change_assessment", "view_assessment",
    "change_assessmentresult", "view_assessmentresult",
    "add_checklisttemplate", "change_checklisttemplate", "delete_checklisttemplate",
    "view_checklisttemplate",
    "add_firmwarebaseline", "change_firmwarebaseline", "delete_firmwarebaseline",
    "view_firmwarebaseline",
)
_SIGN_OFF = ("view_assessment", "view_assessmentresult", "sign_off_assessment")


def grant(apps, schema_editor):
    from workflows import roles

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    roles.permissions_create(apps)
    grants = {roles.TECHNICIAN: _WORK, roles.LEADER: _SIGN_OFF,
              roles.ADMINISTRATOR: None}  # None: every permission of the app
    access_admin = Permission.objects.filter(content_type__app_label="wagtailadmin",
                                             codename="access_admin")
    for name, codenames in grants.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(content_type__app_label="fleetsecurity")
        if codenames is not None:
            permissions = permissions.filter(codename__in=codenames)
        group.permissions.add(*permissions, *access_admin)


class Migration(migrations.Migration):
    dependencies = [
        ("fleetsecurity", "0002_default_checklist"),
        ("workflows", "0002_roles_and_workflows"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
