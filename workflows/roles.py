"""Roles of the information office as Django groups (vai trò), and the permissions they carry.

The groups are created by a data migration; ``roles_install`` takes the app registry it is given
so the migration can pass its historical one. Speaker clusters, schedules and devices are models
of the ``device_bridge`` app that may appear in later migrations, so the technician's grant is
repeated on every ``post_migrate`` of that app (``technician_grants_sync``): additive only, it never
takes back a permission an administrator gave.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

EDITOR = "Biên tập viên"
REVIEWER = "Người duyệt"
LEADER = "Lãnh đạo UBND"
TECHNICIAN = "Kỹ thuật viên"
ADMINISTRATOR = "Quản trị"
FEEDBACK_OFFICER = "Cán bộ tiếp nhận phản ánh"  # answers citizens' Zalo feedback (issue 10)
JURY = "Ban giám khảo"  # scores the entries of judged competitions (issue 11)
CONTEST_ORGANISER = "Ban tổ chức cuộc thi"  # rankings, winners, entrants' personal data (issue 11)
ECONOMIC = "Phòng Kinh tế"  # reads the speaker clusters' budget estimate (issue 13)
ROLES = (EDITOR, REVIEWER, LEADER, TECHNICIAN, ADMINISTRATOR, FEEDBACK_OFFICER, JURY,
         CONTEST_ORGANISER, ECONOMIC)

#: App labels whose every permission the technician holds (fleet, clusters, schedules).
TECHNICIAN_APP_LABELS = ("device_bridge",)
DELIVERY_PROGRESS_CODENAMES = ("view_dispatch", "view_delivery")

_READ_REFERENCE_DATA = ("content_types.view_category", "content_types.view_zone")
# Editors build a contest's question bank; granted by the contests app's migration 0004.
_QUESTION_BANK = ("contests.add_question", "contests.change_question", "contests.delete_question",
                  "contests.view_question")
_MEDIA = (
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
)

#: Page permissions granted on the root page, so they cover every site section.
PAGE_PERMISSIONS = {
    EDITOR: ("add_page", "change_page", "lock_page"),
    REVIEWER: (),
    # ``publish_page`` is Wagtail's only way to allow unpublishing; publishing directly is
    # still refused to leaders by the ``publish_without_moderation`` check in wagtail_hooks.
    LEADER: ("publish_page", "lock_page"),
    TECHNICIAN: (),
    ADMINISTRATOR: (
        "add_page",
        "change_page",
        "publish_page",
        "bulk_delete_page",
        "lock_page",
        "unlock_page",
    ),
}

COLLECTION_PERMISSIONS = {
    EDITOR: _MEDIA,
    ADMINISTRATOR: _MEDIA + ("wagtailimages.delete_image", "wagtaildocs.delete_document"),
}

MODEL_PERMISSIONS = {
    EDITOR: ("wagtailadmin.access_admin", *_READ_REFERENCE_DATA, *_QUESTION_BANK),
    REVIEWER: ("wagtailadmin.access_admin", *_READ_REFERENCE_DATA),
    LEADER: ("wagtailadmin.access_admin", "workflows.view_reports", *_READ_REFERENCE_DATA),
    TECHNICIAN: ("wagtailadmin.access_admin", *_READ_REFERENCE_DATA),
    # Granted by the feedback app's own migration (its permissions do not exist before it).
    FEEDBACK_OFFICER: (
        "wagtailadmin.access_admin",
        "feedback.view_feedback",
        "feedback.change_feedback",
        "feedback.reply_feedback",
        "feedback.view_citizen",
        "feedback.view_department",
        "feedback.add_answertemplate",
        "feedback.change_answertemplate",
        "feedback.delete_answertemplate",
        "feedback.view_answertemplate",
    ),
    # Granted by the contests app's own migration (0004), like the feedback officer's.
    CONTEST_ORGANISER: (
        "wagtailadmin.access_admin",
        *_READ_REFERENCE_DATA,
        *_QUESTION_BANK,
        "contests.view_participant",
        "contests.delete_participant",
        "contests.view_attempt",
        "contests.add_winner",
        "contests.change_winner",
        "contests.delete_winner",
        "contests.view_winner",
        "judging.view_entry",
        "judging.add_team",
        "judging.change_team",
        "judging.delete_team",
        "judging.view_team",
        "judging.add_criterion",
        "judging.change_criterion",
        "judging.delete_criterion",
        "judging.view_criterion",
    ),
    # Granted by the upkeep app's own migration (device_bridge/upkeep, 0002).
    ECONOMIC: ("wagtailadmin.access_admin", "upkeep.view_budget"),
    # Granted by the judging app's own migration, like the feedback officer's.
    JURY: (
        "wagtailadmin.access_admin",
        "judging.view_entry",
        "judging.add_score",
        "judging.change_score",
    ),
    ADMINISTRATOR: (
        "wagtailadmin.access_admin",
        "workflows.view_reports",
        "workflows.publish_without_moderation",
        "workflows.add_workflowroute",
        "workflows.change_workflowroute",
        "workflows.delete_workflowroute",
        "workflows.view_workflowroute",
        "wagtailcore.add_workflow",
        "wagtailcore.change_workflow",
        "wagtailcore.delete_workflow",
        "wagtailcore.add_task",
        "wagtailcore.change_task",
        "wagtailcore.delete_task",
        "content_types.add_category",
        "content_types.change_category",
        "content_types.delete_category",
        "content_types.view_category",
        "content_types.add_zone",
        "content_types.change_zone",
        "content_types.delete_zone",
        "content_types.view_zone",
        "content_types.change_communesettings",
        "auth.add_user",
        "auth.change_user",
        "auth.delete_user",
        "auth.view_user",
        "auth.view_group",
        "wagtailredirects.add_redirect",
        "wagtailredirects.change_redirect",
        "wagtailredirects.delete_redirect",
    ),
}


def _permission(apps, dotted: str):
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


def role_model_permissions_grant(apps, name: str, *, create: bool = True):
    """Give the group ``name`` every permission ``MODEL_PERMISSIONS[name]`` lists that exists now.

    For the roles of apps that migrate after ``workflows`` (feedback, judging, contests): each
    app's own migration calls this once its permissions exist. Additive; returns the group, or
    ``None`` when it does not exist and ``create`` is false."""
    Group = apps.get_model("auth", "Group")
    if create:
        group, _created = Group.objects.get_or_create(name=name)
    else:
        group = Group.objects.filter(name=name).first()
        if group is None:
            return None
    for dotted in MODEL_PERMISSIONS[name]:
        permission = _permission(apps, dotted)
        if permission is not None:
            group.permissions.add(permission)
    return group


def permissions_create(apps, using="default") -> None:
    """Create content types and permissions now; Django would only do it after ``migrate``."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        had_models_module = getattr(app_config, "models_module", None)
        app_config.models_module = had_models_module or True
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
        app_config.models_module = had_models_module


def roles_install(apps, using="default") -> None:
    """Create the five groups with the permissions of their work (idempotent, additive)."""
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    permissions_create(apps, using=using)
    root_page = Page.objects.filter(depth=1).order_by("path").first()
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()

    for name in ROLES:
        group, _created = Group.objects.get_or_create(name=name)
        for dotted in MODEL_PERMISSIONS.get(name, ()):
            permission = _permission(apps, dotted)
            if permission is None:
                # An app migrated later (feedback) grants its own permissions then: no warning.
                if any(c.label == dotted.split(".")[0] for c in apps.get_app_configs()):
                    logger.warning("Permission %s does not exist; role %s lacks it", dotted, name)
                continue
            group.permissions.add(permission)
        if root_page is not None:
            for codename in PAGE_PERMISSIONS.get(name, ()):
                permission = _permission(apps, f"wagtailcore.{codename}")
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root_page, permission=permission
                )
        if root_collection is not None:
            for dotted in COLLECTION_PERMISSIONS.get(name, ()):
                permission = _permission(apps, dotted)
                if permission is not None:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=permission
                    )
    technician_grants_sync(apps)


def technician_grants_sync(apps) -> int:
    """Give the technician and the administrator every permission of the device apps.

    Returns how many permissions the technician group holds in those apps."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    device_permissions = list(
        Permission.objects.filter(content_type__app_label__in=TECHNICIAN_APP_LABELS)
    )
    total = 0
    for name in (TECHNICIAN, ADMINISTRATOR):
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        group.permissions.add(*device_permissions)
        if name == TECHNICIAN:
            total = group.permissions.filter(
                content_type__app_label__in=TECHNICIAN_APP_LABELS
            ).count()
    # Editors and approvers follow what their bulletins did on the radio ("Tiến độ phát tin").
    progress_permissions = list(
        Permission.objects.filter(
            content_type__app_label__in=TECHNICIAN_APP_LABELS,
            codename__in=DELIVERY_PROGRESS_CODENAMES,
        )
    )
    for name in (EDITOR, REVIEWER, LEADER):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*progress_permissions)
    return total


def on_post_migrate(sender, app_config=None, using="default", apps=None, **kwargs) -> None:
    """``post_migrate`` receiver: after a device app migrates, grant its new permissions."""
    if app_config is None or app_config.label not in TECHNICIAN_APP_LABELS:
        return
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    try:
        apps.get_model("auth", "Group")
    except LookupError:
        return
    # Our receiver may run before django.contrib.auth's for the same app: create them first.
    create_permissions(app_config, verbosity=0, using=using, apps=apps)
    technician_grants_sync(apps)
