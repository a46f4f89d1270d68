"""End to end through the admin: submit, review, approve, reject, fast track, re-approval."""

from django.core import mail
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState

from content_types.models import BulletinPage, Priority
from workflows import defaults, roles
from workflows.events import content_approved

from .helpers import ModerationTestCase, bulletin_form_data


class EventRecorder:
    def __init__(self):
        self.calls = []

    def __call__(self, sender, page, revision, **kwargs):
        self.calls.append((page.pk, revision.pk if revision else None))


class ModerationFlowTests(ModerationTestCase):
    def setUp(self):
        self.approved = EventRecorder()
        content_approved.connect(self.approved)
        self.addCleanup(content_approved.disconnect, self.approved)

    def create_and_submit_over_http(self, **form):
        self.client.force_login(self.editor)
        url = reverse("wagtailadmin_pages:add", args=("content_types", "bulletinpage", self.tree.news.pk))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                url, bulletin_form_data(category=self.category, action="action-submit", **form)
            )
        self.assertEqual(response.status_code, 302)
        return BulletinPage.objects.get(slug=form.get("slug", "thong-bao-tiem-chung-thang-12"))

    def test_editor_submits_reviewer_then_leader_approve_and_page_goes_live(self):
        page = self.create_and_submit_over_http()
        self.assertFalse(page.live)
        state = page.current_workflow_state
        self.assertEqual(state.workflow.name, defaults.NORMAL_WORKFLOW)
        self.assertEqual(self.current_task_state(page).task.name, defaults.REVIEW_TASK)
        self.assertIn([self.reviewer.email], [m.to for m in mail.outbox])
        self.assertNotIn([self.leader.email], [m.to for m in mail.outbox])

        mail.outbox.clear()
        self.listen_and_approve(self.reviewer, page, comment="Nội dung đúng quy định.")
        self.assertFalse(BulletinPage.objects.get(pk=page.pk).live)
        leader_step = self.current_task_state(page)
        self.assertEqual(leader_step.task.name, defaults.LEADER_TASK)
        self.assertEqual([m.to for m in mail.outbox], [[self.leader.email]])
        self.assertEqual(self.approved.calls, [])

        mail.outbox.clear()
        self.client.force_login(self.leader)
        self.assertEqual(self.listen_over_http(leader_step).status_code, 200)
        response = self.queue_action(leader_step, "approve", comment="Đồng ý phát.")
        self.assertContains(response, "Đã duyệt")

        page = BulletinPage.objects.get(pk=page.pk)
        self.assertTrue(page.live)
        self.assertEqual(page.current_workflow_state, None)
        self.assertEqual(self.approved.calls, [(page.pk, page.live_revision_id)])
        author_mail = [m for m in mail.outbox if m.to == [self.editor.email]]
        self.assertEqual(len(author_mail), 1)
        self.assertIn("Nội dung đúng quy định.", author_mail[0].body)
        self.assertIn("Đồng ý phát.", author_mail[0].body)

        self.client.logout()
        public = self.client.get(page.url)
        self.assertContains(public, "Thông báo lịch tiêm chủng tháng 12")

    def test_rejection_with_comment_returns_the_bulletin_to_its_editor(self):
        page = self.draft_bulletin()
        task_state = self.submit(page)
        mail.outbox.clear()
        self.client.force_login(self.reviewer)
        self.wagtail_action(page, task_state, "reject", "Thiếu địa điểm tiêm, đề nghị bổ sung.")

        state = WorkflowState.objects.get(pk=task_state.workflow_state_id)
        self.assertEqual(state.status, WorkflowState.STATUS_NEEDS_CHANGES)
        [rejection] = [m for m in mail.outbox if m.to == [self.editor.email]]
        self.assertIn("Thiếu địa điểm tiêm, đề nghị bổ sung.", rejection.body)

        # The editor sees the comment on the edit view and can fix and resubmit.
        self.client.force_login(self.editor)
        edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        self.assertContains(self.client.get(edit_url), "Thiếu địa điểm tiêm, đề nghị bổ sung.")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                edit_url,
                bulletin_form_data(
                    category=self.category, slug=page.slug, action="action-submit",
                    summary="Tiêm tại Trạm Y tế xã, sáng thứ Hai.",
                ),
            )
        self.assertEqual(response.status_code, 302)
        resumed = self.current_task_state(page)
        self.assertEqual(resumed.workflow_state_id, state.pk)
        self.assertEqual(resumed.task.name, defaults.REVIEW_TASK)
        self.assertEqual(resumed.status, TaskState.STATUS_IN_PROGRESS)
        self.assertEqual(self.approved.calls, [])

    def test_emergency_bulletin_takes_the_one_step_fast_track(self):
        page = self.create_and_submit_over_http(priority=Priority.EMERGENCY, slug="bao-khan-cap")
        state = page.current_workflow_state
        self.assertEqual(state.workflow.name, defaults.EMERGENCY_WORKFLOW)
        step = self.current_task_state(page)
        self.assertEqual(
            set(step.task.specific.groups.values_list("name", flat=True)),
            {roles.REVIEWER, roles.LEADER},
        )
        # Any reviewer may take the single step; one approval publishes.
        self.listen_and_approve(self.reviewer, page)
        page = BulletinPage.objects.get(pk=page.pk)
        self.assertTrue(page.live)
        self.assertEqual(len(self.approved.calls), 1)

    def test_leader_can_take_the_fast_track_step_too(self):
        page = self.draft_bulletin(priority=Priority.EMERGENCY)
        self.submit(page)
        self.listen_and_approve(self.leader, page)
        self.assertTrue(BulletinPage.objects.get(pk=page.pk).live)

    def test_editing_after_step_one_needs_reapproval(self):
        page = self.draft_bulletin()
        self.submit(page)
        first = self.listen_and_approve(self.reviewer, page)
        leader_step = self.current_task_state(page)
        self.assertEqual(leader_step.task.name, defaults.LEADER_TASK)

        # The leader, allowed into the editor during their step, changes the text.
        self.client.force_login(self.leader)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("wagtailadmin_pages:edit", args=[page.pk]),
                bulletin_form_data(
                    category=self.category, slug=page.slug,
                    radio_text="Lịch tiêm đổi sang sáng thứ Ba ngày 1 tháng 12.",
                ),
            )
        self.assertEqual(response.status_code, 302)
        leader_step.refresh_from_db()
        self.assertEqual(leader_step.status, TaskState.STATUS_CANCELLED)
        restarted = self.current_task_state(page)
        self.assertEqual(restarted.task.name, defaults.REVIEW_TASK)
        self.assertNotEqual(restarted.pk, first.pk)
        self.assertEqual(restarted.revision, BulletinPage.objects.get(pk=page.pk).get_latest_revision())

        self.listen_and_approve(self.reviewer, page)
        self.listen_and_approve(self.leader, page)
        page = BulletinPage.objects.get(pk=page.pk)
        self.assertTrue(page.live)
        self.assertEqual(page.radio_text, "Lịch tiêm đổi sang sáng thứ Ba ngày 1 tháng 12.")
        self.assertEqual(self.approved.calls, [(page.pk, page.live_revision_id)])


class ModerationVisibilityTests(ModerationTestCase):
    def test_waiting_bulletin_shows_on_the_approver_dashboard(self):
        page = self.draft_bulletin(title="Thông báo cắt điện thôn Đông")
        self.submit(page)
        self.client.force_login(self.reviewer)
        response = self.client.get(reverse("wagtailadmin_home"))
        self.assertContains(response, "Bản tin chờ bạn nghe duyệt")
        self.assertContains(response, 'id="listen-queue-section"')  # ours
        # One item, one panel (issue 9, item 13): Wagtail's "awaiting your review" would list
        # the same step a second time, without the player.
        self.assertNotContains(response, 'id="awaiting-review-section"')
        self.assertContains(response, "Thông báo cắt điện thôn Đông")
        self.client.force_login(self.technician)
        self.assertNotContains(self.client.get(reverse("wagtailadmin_home")), "Thông báo cắt điện thôn Đông")

    def test_moderation_history_is_visible_from_the_edit_view(self):
        page = self.draft_bulletin(title="Thông báo họp dân thôn Đoài")
        task_state = self.submit(page)
        self.client.force_login(self.reviewer)
        self.wagtail_action(page, task_state, "reject", "Ghi rõ giờ họp.")
        self.client.force_login(self.editor)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("wagtailadmin_pages:edit", args=[page.pk]),
                bulletin_form_data(category=self.category, slug=page.slug, action="action-submit",
                                   title="Thông báo họp dân thôn Đoài"),
            )
        self.listen_and_approve(self.reviewer, page, comment="Đã đủ thông tin.")

        self.client.force_login(self.editor)
        edit = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        history_url = reverse("wagtailadmin_pages:workflow_history", args=[page.pk])
        self.assertContains(edit, history_url)
        self.assertContains(edit, defaults.REVIEW_TASK)
        self.assertContains(edit, "Đã đủ thông tin.")

        history = self.client.get(history_url)
        self.assertContains(history, defaults.NORMAL_WORKFLOW)
        state = WorkflowState.objects.for_instance(page).get()
        detail = self.client.get(
            reverse("wagtailadmin_pages:workflow_history_detail", args=[page.pk, state.pk])
        )
        for expected in (
            "Ghi rõ giờ họp.", "Đã đủ thông tin.", "đã nghe bản xem trước lúc", "Duyetvhxh",
            defaults.REVIEW_TASK,
        ):
            self.assertContains(detail, expected)


class ResubmissionRoutingTests(ModerationTestCase):
    """Regression (issue 8, item 2): routing was decided once; a bulletin sent back from the
    emergency track and resubmitted as thường stayed there and one approval published it."""

    def send_back(self, page, comment="Không phải tin khẩn cấp, đề nghị hạ mức ưu tiên."):
        task_state = self.current_task_state(page)
        self.client.force_login(self.reviewer)
        self.wagtail_action(page, task_state, "reject", comment)
        state = WorkflowState.objects.get(pk=task_state.workflow_state_id)
        self.assertEqual(state.status, WorkflowState.STATUS_NEEDS_CHANGES)
        return state

    def resubmit_over_http(self, page, **form):
        self.client.force_login(self.editor)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("wagtailadmin_pages:edit", args=[page.pk]),
                bulletin_form_data(
                    category=self.category, slug=page.slug, action="action-submit", **form
                ),
            )
        self.assertEqual(response.status_code, 302)

    def test_resubmission_with_changed_priority_goes_through_the_workflow_now_picked(self):
        page = self.draft_bulletin(priority=Priority.EMERGENCY, title="Cảnh báo mưa lớn")
        self.submit(page)
        old_state = self.send_back(page)
        self.assertEqual(old_state.workflow.name, defaults.EMERGENCY_WORKFLOW)

        self.resubmit_over_http(page, priority=Priority.NORMAL, title="Cảnh báo mưa lớn")

        old_state.refresh_from_db()
        self.assertEqual(old_state.status, WorkflowState.STATUS_CANCELLED)
        page = BulletinPage.objects.get(pk=page.pk)
        self.assertEqual(page.current_workflow_state.workflow.name, defaults.NORMAL_WORKFLOW)
        self.assertEqual(self.current_task_state(page).task.name, defaults.REVIEW_TASK)
        # One approval no longer publishes: the leader's step follows.
        self.listen_and_approve(self.reviewer, page)
        self.assertFalse(BulletinPage.objects.get(pk=page.pk).live)
        self.assertEqual(self.current_task_state(page).task.name, defaults.LEADER_TASK)
        self.listen_and_approve(self.leader, page)
        self.assertTrue(BulletinPage.objects.get(pk=page.pk).live)

    def test_resubmission_raised_to_emergency_takes_the_fast_track(self):
        page = self.draft_bulletin(priority=Priority.NORMAL, title="Thông báo ngập úng")
        self.submit(page)
        old_state = self.send_back(page, comment="Đây là tin khẩn, hãy nâng mức ưu tiên.")
        self.resubmit_over_http(page, priority=Priority.EMERGENCY, title="Thông báo ngập úng")
        old_state.refresh_from_db()
        self.assertEqual(old_state.status, WorkflowState.STATUS_CANCELLED)
        page = BulletinPage.objects.get(pk=page.pk)
        self.assertEqual(page.current_workflow_state.workflow.name, defaults.EMERGENCY_WORKFLOW)

    def test_resubmission_with_unchanged_routing_resumes_the_same_workflow(self):
        page = self.draft_bulletin(priority=Priority.EMERGENCY, title="Cảnh báo triều cường")
        self.submit(page)
        old_state = self.send_back(page, comment="Bổ sung giờ triều lên.")
        self.resubmit_over_http(
            page, priority=Priority.EMERGENCY, title="Cảnh báo triều cường",
            summary="Triều lên lúc 17 giờ.",
        )
        old_state.refresh_from_db()
        self.assertEqual(old_state.status, WorkflowState.STATUS_IN_PROGRESS)
        self.assertEqual(self.current_task_state(page).workflow_state_id, old_state.pk)

    def test_lowering_the_priority_while_waiting_moves_to_the_workflow_now_picked(self):
        # Submitted as khẩn cấp; the reviewer at the emergency step (who may edit there) saves
        # it as thường: their one approval on the emergency track must not publish it.
        page = self.draft_bulletin(priority=Priority.EMERGENCY, title="Cảnh báo giông lốc")
        old_state = self.submit(page).workflow_state
        self.client.force_login(self.reviewer)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("wagtailadmin_pages:edit", args=[page.pk]),
                bulletin_form_data(category=self.category, slug=page.slug,
                                   priority=Priority.NORMAL, title="Cảnh báo giông lốc"),
            )
        self.assertEqual(response.status_code, 302)
        old_state.refresh_from_db()
        self.assertEqual(old_state.status, WorkflowState.STATUS_CANCELLED)
        page = BulletinPage.objects.get(pk=page.pk)
        self.assertEqual(page.current_workflow_state.workflow.name, defaults.NORMAL_WORKFLOW)
        self.assertEqual(self.current_task_state(page).task.name, defaults.REVIEW_TASK)
        self.listen_and_approve(self.reviewer, page)
        self.assertFalse(BulletinPage.objects.get(pk=page.pk).live)

    def test_an_invalid_resubmission_keeps_the_returned_workflow(self):
        page = self.draft_bulletin(priority=Priority.EMERGENCY, title="Cảnh báo sạt lở")
        self.submit(page)
        old_state = self.send_back(page)
        self.client.force_login(self.editor)
        response = self.client.post(
            reverse("wagtailadmin_pages:edit", args=[page.pk]),
            bulletin_form_data(
                category=self.category, slug=page.slug, action="action-submit",
                priority=Priority.NORMAL, title="",
            ),
        )
        self.assertEqual(response.status_code, 200)
        old_state.refresh_from_db()
        self.assertEqual(old_state.status, WorkflowState.STATUS_NEEDS_CHANGES)
