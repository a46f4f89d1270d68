"""Roles as data, their grants on later device models, and the admin-editable routing rules."""

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.models import GroupPagePermission, Workflow

from content_types.models import Priority
from tests.factories import make_bulletin, make_campaign
from workflows import defaults, roles
from workflows.models import ListenApprovalTask, WorkflowRoute
from workflows.roles import on_post_migrate, roles_install
from workflows.selectors import workflow_for_page

from .helpers import ModerationTestCase


class RolesTests(ModerationTestCase):
    def test_the_five_roles_exist_by_their_exact_names(self):
        names = set(Group.objects.values_list("name", flat=True))
        self.assertTrue(
            {"Biên tập viên", "Người duyệt", "Lãnh đạo UBND", "Kỹ thuật viên", "Quản trị"} <= names
        )

    def test_technician_holds_every_device_permission_and_no_page_permission(self):
        technician = Group.objects.get(name=roles.TECHNICIAN)
        device = Permission.objects.filter(content_type__app_label="device_bridge")
        self.assertTrue(device.exists())
        self.assertEqual(set(technician.permissions.filter(content_type__app_label="device_bridge")), set(device))
        self.assertFalse(GroupPagePermission.objects.filter(group=technician).exists())
        for task in Workflow.objects.get(name=defaults.NORMAL_WORKFLOW).tasks.specific():
            self.assertNotIn(technician, task.groups.all())

    def test_device_models_added_later_are_granted_after_their_migration(self):
        content_type, _ = ContentType.objects.get_or_create(app_label="device_bridge", model="futurerelay")
        later = Permission.objects.create(content_type=content_type, codename="change_futurerelay", name="x")
        technician = Group.objects.get(name=roles.TECHNICIAN)
        self.assertNotIn(later, technician.permissions.all())
        on_post_migrate(sender=None, app_config=global_apps.get_app_config("device_bridge"), apps=global_apps)
        self.assertIn(later, technician.permissions.all())
        self.assertIn(later, Group.objects.get(name=roles.ADMINISTRATOR).permissions.all())

    def test_editors_and_approvers_may_follow_delivery_progress_but_not_manage_devices(self):
        for name in (roles.EDITOR, roles.REVIEWER, roles.LEADER):
            granted = set(
                Group.objects.get(name=name)
                .permissions.filter(content_type__app_label="device_bridge")
                .values_list("codename", flat=True)
            )
            self.assertEqual(granted, {"view_dispatch", "view_delivery"}, name)

    def test_installing_roles_twice_changes_nothing(self):
        before = {g.name: g.permissions.count() for g in Group.objects.all()}
        page_grants = GroupPagePermission.objects.count()
        roles_install(global_apps)
        self.assertEqual(before, {g.name: g.permissions.count() for g in Group.objects.all()})
        self.assertEqual(page_grants, GroupPagePermission.objects.count())

    def test_view_reports_is_a_permission_of_its_own(self):
        self.assertTrue(self.leader.has_perm("workflows.view_reports"))
        self.assertTrue(self.administrator.has_perm("workflows.view_reports"))
        self.assertFalse(self.editor.has_perm("workflows.view_reports"))


class RoutingTests(ModerationTestCase):
    def test_emergency_bulletins_take_the_fast_track_and_others_the_normal_workflow(self):
        emergency = self.draft_bulletin(priority=Priority.EMERGENCY)
        normal = self.draft_bulletin(priority=Priority.PRIORITY)
        self.assertEqual(emergency.get_workflow().name, defaults.EMERGENCY_WORKFLOW)
        self.assertEqual(normal.get_workflow().name, defaults.NORMAL_WORKFLOW)

    def test_a_section_rule_routes_the_bulletins_of_that_section(self):
        campaign = make_campaign(self.tree.campaigns)
        fast = Workflow.objects.get(name=defaults.EMERGENCY_WORKFLOW)
        WorkflowRoute.objects.create(name="Chiến dịch", section=campaign, workflow=fast, sort_order=5)
        bulletin = make_bulletin(campaign, category=self.category, publish=False)
        self.assertEqual(bulletin.get_workflow(), fast)
        self.assertEqual(self.draft_bulletin().get_workflow().name, defaults.NORMAL_WORKFLOW)
        # The section page itself is not inside the section.
        rule = WorkflowRoute.objects.get(name="Chiến dịch")
        self.assertFalse(rule.matches(campaign))
        self.assertEqual(workflow_for_page(bulletin), fast)

    def test_rules_pointing_at_an_inactive_workflow_are_skipped(self):
        Workflow.objects.filter(name=defaults.EMERGENCY_WORKFLOW).update(active=False)
        emergency = self.draft_bulletin(priority=Priority.EMERGENCY)
        self.assertEqual(emergency.get_workflow().name, defaults.NORMAL_WORKFLOW)

    def test_without_rules_the_page_tree_assignment_applies(self):
        WorkflowRoute.objects.all().delete()
        self.assertEqual(self.draft_bulletin().get_workflow().name, defaults.NORMAL_WORKFLOW)

    def test_administrator_edits_rules_and_workflows_in_the_admin(self):
        self.client.force_login(self.administrator)
        list_url = reverse(WorkflowRoute.snippet_viewset.get_url_name("list"))
        self.assertContains(self.client.get(list_url), "Bản tin khẩn cấp đi quy trình rút gọn")
        add_url = reverse(WorkflowRoute.snippet_viewset.get_url_name("add"))
        response = self.client.post(add_url, {
            "name": "Tin ưu tiên cũng đi đường nhanh",
            "priority": Priority.PRIORITY,
            "section": "",
            "workflow": Workflow.objects.get(name=defaults.EMERGENCY_WORKFLOW).pk,
            "sort_order": 20,
        })
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            self.draft_bulletin(priority=Priority.PRIORITY).get_workflow().name,
            defaults.EMERGENCY_WORKFLOW,
        )
        normal = Workflow.objects.get(name=defaults.NORMAL_WORKFLOW)
        self.assertEqual(self.client.get(reverse("wagtailadmin_workflows:edit", args=[normal.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("wagtailadmin_workflows:index")).status_code, 200)

    def test_administrator_creates_a_listen_before_approve_step_in_the_admin(self):
        self.client.force_login(self.administrator)
        response = self.client.get(reverse("wagtailadmin_workflows:select_task_type"))
        self.assertContains(response, "Nghe duyệt bản tin")
        response = self.client.post(
            reverse("wagtailadmin_workflows:add_task", args=("workflows", "listenapprovaltask")),
            {"name": "Chủ tịch UBND nghe duyệt", "groups": [Group.objects.get(name=roles.LEADER).pk]},
        )
        self.assertEqual(response.status_code, 302)
        task = ListenApprovalTask.objects.get(name="Chủ tịch UBND nghe duyệt")
        self.assertEqual(list(task.groups.values_list("name", flat=True)), [roles.LEADER])

    def test_editors_cannot_change_the_rules(self):
        self.client.force_login(self.editor)
        list_url = reverse(WorkflowRoute.snippet_viewset.get_url_name("list"))
        response = self.client.get(list_url)
        self.assertRedirects(response, reverse("wagtailadmin_home"), fetch_redirect_response=False)
