"""Listening where people work (issue 9): the editor's "Nghe thử" of the draft (item 9), the
approver's listen-then-approve in the page editor (item 12), one dashboard panel whose player
plays on the first press (item 13), one listening per revision across steps (item 14)."""

from django.urls import reverse
from wagtail.models import GroupApprovalTask, TaskState, Workflow, WorkflowState, WorkflowTask

from content_types.models import BulletinPage
from device_bridge.tts.engines.fake import FakeEngine
from device_bridge.tts.models import SpeechAudio
from workflows import defaults, roles
from workflows.models import ListenRecord, PreviewServed
from workflows.selectors import revision_preview_url

from .helpers import ModerationTestCase, bulletin_form_data, make_user

RADIO_TEXT = "Trạm Y tế xã thông báo lịch tiêm chủng mở rộng vào sáng thứ Hai tuần tới."


class DraftListenTests(ModerationTestCase):
    """Item 9: the editor hears the draft in the form before submitting it, rendered once."""

    def setUp(self):
        FakeEngine.reset()
        self.page = self.draft_bulletin(title="Thông báo tiêm chủng", slug="thong-bao-tiem-chung")
        self.client.force_login(self.editor)

    def form(self, **overrides):
        overrides.setdefault("radio_text", RADIO_TEXT)
        return bulletin_form_data(
            category=self.category, title="Thông báo tiêm chủng", slug=self.page.slug, **overrides
        )

    def listen_to_draft(self, **overrides):
        """Press "Nghe thử" and poll as ``listen.js`` does; returns the last JSON answer."""
        url = reverse("tts_admin:draft_preview", args=[self.page.pk])
        for _attempt in range(3):
            with self.captureOnCommitCallbacks(execute=True):  # the render task (sync in tests)
                response = self.client.post(url, self.form(**overrides))
            if response.status_code != 202:
                break
        return response

    def test_nghe_thu_is_offered_in_the_editors_audio_panel(self):
        edit = self.client.get(reverse("wagtailadmin_pages:edit", args=[self.page.pk]))
        self.assertContains(edit, "Nghe thử")
        self.assertContains(edit, reverse("tts_admin:draft_preview", args=[self.page.pk]))
        self.assertNotContains(edit, "data-listen-in-editor")  # no step waits for the editor

    def test_nghe_thu_plays_the_unsaved_draft_and_submitting_does_not_render_again(self):
        response = self.listen_to_draft()
        self.assertEqual(response.status_code, 200, response.content)
        payload = response.json()
        # What was rendered is the text in the form, not the saved draft (which had none).
        self.assertEqual(len(FakeEngine.calls), 1)
        self.assertIn("tiêm chủng mở rộng", FakeEngine.calls[0]["text"])
        audio = self.client.get(payload["url"])
        self.assertEqual(audio.status_code, 200)
        self.assertEqual(audio["Content-Type"], "audio/mpeg")
        self.assertTrue(b"".join(audio.streaming_content))
        # Hearing a draft is no listening for the approval gate.
        self.assertFalse(PreviewServed.objects.exists())

        # Pressing it again, then submitting the same content: the rendering is reused.
        self.assertEqual(self.listen_to_draft().status_code, 200)
        with self.captureOnCommitCallbacks(execute=True):
            submitted = self.client.post(
                reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
                self.form(action="action-submit"),
            )
        self.assertEqual(submitted.status_code, 302)
        task_state = self.current_task_state(self.page)
        self.assertIsNotNone(task_state)
        self.assertEqual(len(FakeEngine.calls), 1, FakeEngine.calls)

        # The approver's preview of the submitted revision is that same audio.
        self.client.force_login(self.reviewer)
        response = self.fetch_preview(task_state.revision)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(FakeEngine.calls), 1, FakeEngine.calls)
        self.assertEqual(SpeechAudio.objects.filter(status=SpeechAudio.Status.READY).count(), 1)

    def test_changed_text_is_rendered_anew(self):
        self.assertEqual(self.listen_to_draft().status_code, 200)
        self.assertEqual(self.listen_to_draft(radio_text=RADIO_TEXT + " Xin cảm ơn.").status_code, 200)
        self.assertEqual(len(FakeEngine.calls), 2)

    def test_an_invalid_form_gets_a_vietnamese_message(self):
        response = self.listen_to_draft(date="không phải ngày")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Biểu mẫu còn lỗi", response.json()["message"])
        self.assertEqual(FakeEngine.calls, [])

    def test_only_those_who_may_edit_the_page_can_hear_its_draft(self):
        self.assertEqual(self.listen_to_draft().status_code, 200)
        audio_url = self.listen_to_draft().json()["url"]
        self.client.force_login(self.technician)
        self.assertIn(self.listen_to_draft().status_code, (302, 403))  # 302: Wagtail's refusal
        self.assertIn(self.client.get(audio_url).status_code, (302, 403))
        other = self.draft_bulletin(title="Tin khác", slug="tin-khac")
        self.client.force_login(self.editor)
        audio_id = audio_url.rstrip(".mp3").rsplit("/", 1)[-1]
        foreign = reverse("tts_admin:draft_audio", args=[other.pk, audio_id])
        self.assertEqual(self.client.get(foreign).status_code, 404)


class ListenInEditorTests(ModerationTestCase):
    """Item 12: opened from the queue, the page editor's audio panel plays the preview and,
    once it has been heard, offers "Duyệt" and "Yêu cầu sửa"."""

    def setUp(self):
        self.page = self.draft_bulletin(title="Thông báo cắt điện", slug="thong-bao-cat-dien")
        self.task_state = self.submit(self.page)
        self.edit_url = reverse("wagtailadmin_pages:edit", args=[self.page.pk])
        self.act_url = reverse("workflows:act", args=[self.task_state.pk]) + "?from=edit"

    def post_from_editor(self, action, comment=""):
        """The panel's buttons submit the small form ``listen.js`` adds beside the page's."""
        data = {
            "action": action,
            "comment": comment,
            "revision_id": str(self.task_state.revision_id),
        }
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.act_url, data)

    def test_the_approvers_editor_plays_the_preview_and_offers_approval_once_heard(self):
        self.client.force_login(self.reviewer)
        edit = self.client.get(self.edit_url)
        self.assertContains(edit, "data-listen-in-editor")
        self.assertContains(edit, f'data-preview-url="{revision_preview_url(self.page.get_latest_revision())}"')
        self.assertContains(edit, reverse("workflows:listen", args=[self.task_state.pk]))
        self.assertContains(edit, "data-listen-approve hidden")
        self.assertContains(edit, "Yêu cầu sửa")
        self.assertNotContains(edit, "data-draft-listen ")  # the draft's "Nghe thử" is the editor's
        # The step's fields belong to a form of their own, not to the page's (whose changes
        # Wagtail autosaves as a new revision, which would reset the step).
        form_id = f"listen-act-{self.task_state.pk}"
        self.assertContains(edit, f'data-act-form-id="{form_id}"')
        self.assertContains(edit, f'data-act-url="{self.act_url}"')
        html = edit.content.decode()
        self.assertEqual(html.count(' name="comment"'), 1)
        self.assertEqual(html.count(f'form="{form_id}" name="comment"'), 1)
        self.assertEqual(html.count(f'form="{form_id}" name="action"'), 2)

        self.assertEqual(self.listen_over_http(self.task_state).status_code, 200)
        edit = self.client.get(self.edit_url)
        self.assertNotContains(edit, "data-listen-approve hidden")
        self.assertContains(edit, "Bạn đã nghe phiên bản này.")

        response = self.post_from_editor("approve", comment="Đúng nội dung.")
        # The reviewer has no editor access once the step is done: back to the dashboard.
        self.assertRedirects(response, reverse("wagtailadmin_home"), fetch_redirect_response=False)
        self.task_state.refresh_from_db()
        self.assertEqual(self.task_state.status, TaskState.STATUS_APPROVED)
        self.assertEqual(self.task_state.comment, "Đúng nội dung.")
        self.assertEqual(self.current_task_state(self.page).task.name, defaults.LEADER_TASK)

    def test_approving_from_the_editor_before_listening_is_refused(self):
        self.client.force_login(self.reviewer)
        response = self.post_from_editor("approve")
        self.assertRedirects(response, self.edit_url, fetch_redirect_response=False)
        self.task_state.refresh_from_db()
        self.assertEqual(self.task_state.status, TaskState.STATUS_IN_PROGRESS)
        edit = self.client.get(self.edit_url)
        self.assertContains(edit, "Bạn cần nghe hết bản xem trước âm thanh")

    def test_requesting_changes_from_the_editor_needs_a_comment(self):
        self.client.force_login(self.reviewer)
        response = self.post_from_editor("reject")
        self.assertRedirects(response, self.edit_url, fetch_redirect_response=False)
        self.task_state.refresh_from_db()
        self.assertEqual(self.task_state.status, TaskState.STATUS_IN_PROGRESS)
        self.post_from_editor("reject", comment="Ghi rõ giờ cắt điện.")
        self.task_state.refresh_from_db()
        self.assertEqual(self.task_state.status, TaskState.STATUS_REJECTED)
        state = WorkflowState.objects.get(pk=self.task_state.workflow_state_id)
        self.assertEqual(state.status, WorkflowState.STATUS_NEEDS_CHANGES)

    def test_others_get_no_approval_controls_in_the_editor(self):
        for user in (self.editor, self.leader):  # the leader's step is the next one
            self.client.force_login(user)
            edit = self.client.get(self.edit_url)
            if edit.status_code == 200:
                self.assertNotContains(edit, "data-listen-in-editor")


class OnePanelOnePressTests(ModerationTestCase):
    """Item 13: each step is listed once on the dashboard, and its player plays on the first
    press: the player is the native audio control, given its source once the preview is ready."""

    def setUp(self):
        self.page = self.draft_bulletin(title="Thông báo nạo vét kênh", slug="nao-vet-kenh")
        self.task_state = self.submit(self.page)
        self.client.force_login(self.reviewer)

    def test_the_step_is_listed_once_with_a_player_and_no_load_button(self):
        dashboard = self.client.get(reverse("wagtailadmin_home"))
        self.assertEqual(dashboard.content.decode().count("data-listen-item "), 1)
        self.assertNotContains(dashboard, 'id="awaiting-review-section"')
        self.assertContains(dashboard, '<audio controls preload="none" data-listen-audio')
        # Opening it leads to the player and "Duyệt" in the page editor (item 12).
        edit_url = reverse("wagtailadmin_pages:edit", args=[self.page.pk])
        self.assertContains(dashboard, f'href="{edit_url}#nghe-duyet"')
        self.assertContains(self.client.get(edit_url), 'id="nghe-duyet"')
        self.assertNotRegex(dashboard.content.decode(), r"data-listen-play[\s>]")

    def test_other_task_types_stay_in_wagtails_panel(self):
        reviewers = self.reviewer.groups.get(name=roles.REVIEWER)
        task = GroupApprovalTask.objects.create(name="Duyệt thông thường")
        task.groups.set([reviewers])
        workflow = Workflow.objects.create(name="Quy trình thử")
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        other = self.draft_bulletin(title="Tin theo quy trình khác", slug="quy-trinh-khac")
        with self.captureOnCommitCallbacks(execute=True):
            workflow.start(other, self.editor)
        dashboard = self.client.get(reverse("wagtailadmin_home"))
        self.assertContains(dashboard, 'id="awaiting-review-section"')
        self.assertContains(dashboard, "Tin theo quy trình khác")
        self.assertNotContains(dashboard, f"/workflow/action/{self.page.pk}/")

    def test_the_player_asks_whether_the_preview_is_ready_without_starting_the_clock(self):
        revision = self.page.get_latest_revision()
        url = revision_preview_url(revision)
        for _attempt in range(3):
            with self.captureOnCommitCallbacks(execute=True):
                response = self.client.head(url, HTTP_ACCEPT="application/json")
            if response.status_code != 202:
                break
        self.assertEqual(response.status_code, 200)
        self.assertFalse(PreviewServed.objects.exists())  # only playing it starts the clock
        self.fetch_preview(revision)
        self.assertTrue(PreviewServed.objects.filter(revision=revision, user=self.reviewer).exists())

    def test_the_placeholder_preview_answers_head_too(self):
        url = reverse("workflows:revision_preview", args=[self.page.get_latest_revision().pk])
        self.assertEqual(self.client.head(url).status_code, 200)
        self.assertFalse(PreviewServed.objects.exists())


class OneListeningPerRevisionTests(ModerationTestCase):
    """Item 14: one person holding two consecutive steps of the same revision listens once;
    a different revision needs a new listening."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.both = make_user("duyet", roles.REVIEWER, roles.LEADER)

    def setUp(self):
        self.page = self.draft_bulletin(title="Thông báo họp dân", slug="hop-dan")
        self.first = self.submit(self.page)
        self.client.force_login(self.both)

    def test_one_listening_opens_both_consecutive_steps_of_the_same_revision(self):
        self.assertEqual(self.listen_over_http(self.first).status_code, 200)
        self.assertContains(self.queue_action(self.first, "approve"), "Đã duyệt")
        second = self.current_task_state(self.page)
        self.assertEqual(second.task.name, defaults.LEADER_TASK)
        self.assertEqual(second.revision_id, self.first.revision_id)

        dashboard = self.client.get(reverse("wagtailadmin_home"))
        self.assertNotContains(dashboard, "data-listen-approve hidden")
        task = second.task.specific
        self.assertIn("approve", [n for n, _l, _m in task.get_actions(self.page, self.both)])
        self.assertContains(self.queue_action(second, "approve"), "Đã duyệt")
        self.assertTrue(BulletinPage.objects.get(pk=self.page.pk).live)
        self.assertEqual(ListenRecord.objects.count(), 1)
        # The history says, for both steps, when the preview was heard.
        second.refresh_from_db()
        self.assertIn("đã nghe bản xem trước lúc", second.specific.get_comment().lower())

    def test_a_different_revision_still_needs_a_new_listening(self):
        self.listen_over_http(self.first)
        self.queue_action(self.first, "approve")
        page = BulletinPage.objects.get(pk=self.page.pk)
        page.title = "Thông báo họp dân (đổi giờ)"
        with self.captureOnCommitCallbacks(execute=True):
            page.save_revision(user=self.editor)
        fresh = self.current_task_state(self.page)
        self.assertNotEqual(fresh.revision_id, self.first.revision_id)
        response = self.queue_action(fresh, "approve")
        self.assertContains(response, "Bạn cần nghe hết bản xem trước âm thanh")
        fresh.refresh_from_db()
        self.assertEqual(fresh.status, TaskState.STATUS_IN_PROGRESS)
        self.assertEqual(self.listen_over_http(fresh).status_code, 200)
        self.assertContains(self.queue_action(fresh, "approve"), "Đã duyệt")

    def test_someone_elses_listening_does_not_count(self):
        self.listen_over_http(self.first)
        self.queue_action(self.first, "approve")
        second = self.current_task_state(self.page)
        self.client.force_login(self.leader)
        response = self.queue_action(second, "approve")
        self.assertContains(response, "Bạn cần nghe hết bản xem trước âm thanh")
