"""The moderation set-up a fresh installation starts with, installed by a data migration.

Everything here is ordinary admin data afterwards: administrators rename, reorder, add or drop
steps under Cài đặt → Quy trình duyệt, and change the routing rules under Đoạn mã.
"""

from __future__ import annotations

from . import roles

NORMAL_WORKFLOW = "Quy trình thường"
EMERGENCY_WORKFLOW = "Quy trình khẩn cấp"
REVIEW_TASK = "Phòng VH-XH kiểm duyệt"
LEADER_TASK = "Lãnh đạo UBND phê duyệt"
EMERGENCY_TASK = "Duyệt khẩn cấp"
WAGTAIL_DEFAULT_WORKFLOW = "Moderators approval"


def _listen_task(apps, name: str, group_names: tuple[str, ...]):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    ListenApprovalTask = apps.get_model("workflows", "ListenApprovalTask")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="workflows", model="listenapprovaltask"
    )
    task = ListenApprovalTask.objects.filter(name=name).first()
    if task is None:
        task = ListenApprovalTask.objects.create(name=name, content_type=content_type, active=True)
    task.groups.add(*Group.objects.filter(name__in=group_names))
    return task


def _workflow(apps, name: str, tasks) -> object:
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    workflow, created = Workflow.objects.get_or_create(name=name, defaults={"active": True})
    if created:
        for order, task in enumerate(tasks):
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    return workflow


def moderation_defaults_install(apps) -> None:
    """Groups, the two workflows, the routing rules and the tree default (idempotent)."""
    roles.roles_install(apps)
    Page = apps.get_model("wagtailcore", "Page")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowRoute = apps.get_model("workflows", "WorkflowRoute")

    review = _listen_task(apps, REVIEW_TASK, (roles.REVIEWER,))
    leader = _listen_task(apps, LEADER_TASK, (roles.LEADER,))
    emergency = _listen_task(apps, EMERGENCY_TASK, (roles.REVIEWER, roles.LEADER))
    normal_workflow = _workflow(apps, NORMAL_WORKFLOW, [review, leader])
    emergency_workflow = _workflow(apps, EMERGENCY_WORKFLOW, [emergency])

    if not WorkflowRoute.objects.exists():
        WorkflowRoute.objects.create(
            name="Bản tin khẩn cấp đi quy trình rút gọn",
            priority="khan_cap",
            workflow=emergency_workflow,
            sort_order=10,
        )
        WorkflowRoute.objects.create(
            name="Mọi bản tin khác", priority="", workflow=normal_workflow, sort_order=1000
        )

    # Campaign and contest pages follow the page tree: the normal workflow from the root down,
    # replacing Wagtail's single-step "Moderators approval".
    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is not None:
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": normal_workflow})
    Workflow.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW).update(active=False)
