"""The listen-before-approve gate, and the bad input it must refuse without publishing."""

from django.test import Client
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState

from content_types.models import BulletinPage
from workflows.models import ListenRecord, PreviewServed
from workflows.selectors import revision_preview_url

from .helpers import ModerationTestCase, bulletin_form_data, make_user


class ListenGateTests(ModerationTestCase):
    def setUp(self):
        self.page = self.draft_bulletin(title="Thông báo lịch thu thuế")
        self.task_state = self.submit(self.page)

    def assertNothingPublished(self):
        page = BulletinPage.objects.get(pk=self.page.pk)
        self.assertFalse(page.live)
        self.assertIsNone(page.live_revision)

    def test_approve_is_not_offered_before_the_preview_was_played(self):
        task = self.task_state.task.specific
        names = [name for name, _label, _modal in task.get_actions(self.page, self.reviewer)]
        self.assertEqual(names, ["reject"])
        self.client.force_login(self.reviewer)
        dashboard = self.client.get(reverse("wagtailadmin_home"))
        self.assertContains(dashboard, 'data-listen-approve hidden')
        self.assertNotContains(dashboard, f"/workflow/action/{self.page.pk}/approve/")

        self.listen_over_http(self.task_state)
        names = [name for name, _label, _modal in task.get_actions(self.page, self.reviewer)]
        self.assertEqual(names, ["reject", "approve", "approve"])
        dashboard = self.client.get(reverse("wagtailadmin_home"))
        self.assertNotContains(dashboard, 'data-listen-approve hidden')
        # Only our queue lists the step (issue 9, item 13): Wagtail's panel leaves it out.
        self.assertNotContains(dashboard, f"/workflow/action/{self.page.pk}/approve/")

    def test_gate_refuses_approval_before_the_preview_was_played(self):
        self.client.force_login(self.reviewer)
        response = self.wagtail_action(self.page, self.task_state, "approve")
        self.assertRedirects(response, reverse("wagtailadmin_home"), fetch_redirect_response=False)
        self.task_state.refresh_from_db()
        self.assertEqual(self.task_state.status, TaskState.STATUS_IN_PROGRESS)

        response = self.queue_action(self.task_state, "approve")
        self.assertContains(response, "Bạn cần nghe hết bản xem trước âm thanh")
        self.task_state.refresh_from_db()
        self.assertEqual(self.task_state.status, TaskState.STATUS_IN_PROGRESS)
        self.assertNothingPublished()

    def test_a_partial_listen_does_not_open_the_gate(self):
        self.client.force_login(self.reviewer)
        response = self.listen_over_http(self.task_state, played=1.0, duration=6.0)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["message"], "Bản xem trước chưa được nghe hết.")
        self.assertFalse(ListenRecord.objects.exists())

    def test_listening_records_who_heard_which_revision_and_when(self):
        self.client.force_login(self.reviewer)
        revision = self.page.get_latest_revision()
        self.fetch_preview(revision)
        served = PreviewServed.objects.get(revision=revision, user=self.reviewer)
        self.assertGreater(served.duration_seconds, 1)
        self.let_preview_play(revision)
        # The player's rounding is tolerated (90 %); the record keeps the server's duration.
        response = self.listen_over_http(
            self.task_state, fetch=False, played=0.95 * served.duration_seconds, duration=99
        )
        self.assertEqual(response.status_code, 200)
        record = ListenRecord.objects.get()
        self.assertEqual(record.user, self.reviewer)
        self.assertEqual(record.task_state_id, self.task_state.pk)
        self.assertEqual(record.revision, revision)
        self.assertEqual(record.duration_seconds, served.duration_seconds)
        self.assertIsNotNone(record.listened_at)

    def test_a_new_revision_resets_the_gate(self):
        self.client.force_login(self.reviewer)
        self.listen_over_http(self.task_state)
        with self.captureOnCommitCallbacks(execute=True):
            self.page.title = "Thông báo lịch thu thuế (sửa giờ)"
            self.page.save_revision(user=self.reviewer)
        self.task_state.refresh_from_db()
        self.assertEqual(self.task_state.status, TaskState.STATUS_CANCELLED)
        fresh = self.current_task_state(self.page)
        self.assertEqual(fresh.task_id, self.task_state.task_id)
        task = fresh.task.specific
        self.assertNotIn("approve", [n for n, _l, _m in task.get_actions(self.page, self.reviewer)])
        response = self.queue_action(fresh, "approve")
        self.assertContains(response, "Bạn cần nghe hết bản xem trước âm thanh")
        self.assertNothingPublished()

    def test_a_revision_rewritten_in_place_after_listening_closes_the_gate(self):
        # Autosave overwrites the latest revision (same id, new content and created_at).
        self.client.force_login(self.reviewer)
        self.listen_over_http(self.task_state)
        revision = self.page.get_latest_revision()
        page = BulletinPage.objects.get(pk=self.page.pk)
        page.title = "Thông báo lịch thu thuế — bản tự lưu"
        with self.captureOnCommitCallbacks(execute=True):
            page.save_revision(user=self.editor, overwrite_revision=revision)
        response = self.queue_action(self.current_task_state(self.page), "approve")
        self.assertContains(response, "Bạn cần nghe hết bản xem trước âm thanh")
        self.assertNothingPublished()

    def test_preview_url_uses_the_speech_pipeline_when_installed(self):
        revision = self.page.get_latest_revision()
        self.assertEqual(revision_preview_url(revision), reverse("tts:revision_preview", args=[revision.pk]))

    def test_placeholder_preview_is_playable_audio_for_approvers_only(self):
        revision = self.page.get_latest_revision()
        url = reverse("workflows:revision_preview", args=[revision.pk])
        self.client.force_login(self.reviewer)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "audio/wav")
        self.assertEqual(response.content[:4], b"RIFF")
        self.client.force_login(self.technician)
        self.assertEqual(self.client.get(url).status_code, 403)


class BadInputTests(ModerationTestCase):
    def setUp(self):
        self.page = self.draft_bulletin(title="Thông báo tiêm phòng dại cho chó mèo")
        self.task_state = self.submit(self.page)

    def assertNothingPublished(self, page=None):
        page = BulletinPage.objects.get(pk=(page or self.page).pk)
        self.assertFalse(page.live)
        self.assertIsNone(page.live_revision)

    def test_forged_approval_post_without_csrf_token_is_refused(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.reviewer)
        self.client = client
        self.listen_over_http(self.task_state)  # also refused: no token
        self.assertFalse(ListenRecord.objects.exists())
        for url in (
            reverse("workflows:act", args=[self.task_state.pk]),
            reverse("wagtailadmin_pages:workflow_action", args=(self.page.pk, "approve", self.task_state.pk)),
        ):
            response = client.post(url, {"action": "approve", "revision_id": self.page.latest_revision_id})
            self.assertEqual(response.status_code, 403)
        self.task_state.refresh_from_db()
        self.assertEqual(self.task_state.status, TaskState.STATUS_IN_PROGRESS)
        self.assertNothingPublished()

    def test_forged_approval_of_another_pages_step_through_a_listened_page_is_refused(self):
        other = self.draft_bulletin(title="Bản tin chưa ai nghe")
        other_state = self.submit(other)
        self.client.force_login(self.reviewer)
        self.listen_over_http(self.task_state)  # heard this page, not the other
        # Wagtail checks the action against the page in the URL but acts on the task state in it.
        url = reverse("wagtailadmin_pages:workflow_action", args=(self.page.pk, "approve", other_state.pk))
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url, {"comment": ""})
        other_state.refresh_from_db()
        self.assertEqual(other_state.status, TaskState.STATUS_IN_PROGRESS)
        self.assertNothingPublished(other)

    def test_listening_cannot_be_claimed_for_another_revision(self):
        other = self.draft_bulletin(title="Bản tin khác")
        self.client.force_login(self.reviewer)
        response = self.listen_over_http(self.task_state, revision=other.get_latest_revision())
        self.assertEqual(response.status_code, 403)
        self.assertIn("Bản tin đã được sửa", response.json()["message"])

    def test_approving_a_step_not_assigned_to_you_is_refused(self):
        self.client.force_login(self.leader)  # the review step belongs to Phòng VH-XH
        self.assertEqual(self.listen_over_http(self.task_state).status_code, 403)
        response = self.queue_action(self.task_state, "approve")
        self.assertContains(response, "không được giao cho bạn")
        response = self.wagtail_action(self.page, self.task_state, "approve")
        self.assertRedirects(response, reverse("wagtailadmin_home"), fetch_redirect_response=False)
        self.task_state.refresh_from_db()
        self.assertEqual(self.task_state.status, TaskState.STATUS_IN_PROGRESS)
        self.assertNothingPublished()

    def test_approving_a_stale_revision_is_refused(self):
        self.client.force_login(self.reviewer)
        self.listen_over_http(self.task_state)
        heard = self.page.get_latest_revision()
        superuser = make_user("admin", superuser=True)
        with self.captureOnCommitCallbacks(execute=True):
            page = BulletinPage.objects.get(pk=self.page.pk)
            page.radio_text = "Nội dung đã thay đổi sau khi người duyệt nghe."
            page.save_revision(user=superuser)

        # The old step was reset by the new revision...
        response = self.queue_action(self.task_state, "approve", revision=heard)
        self.assertContains(response, "Bước duyệt này đã kết thúc")
        # ...and the new step refuses a form still showing the revision that was heard.
        fresh = self.current_task_state(self.page)
        response = self.queue_action(fresh, "approve", revision=heard)
        self.assertContains(response, "Bản tin đã được sửa sau phiên bản bạn đang xem")
        fresh.refresh_from_db()
        self.assertEqual(fresh.status, TaskState.STATUS_IN_PROGRESS)
        self.assertNothingPublished()

    def test_double_submit_starts_one_workflow(self):
        self.client.force_login(self.editor)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
                bulletin_form_data(category=self.category, slug=self.page.slug, action="action-submit",
                                   title="Thông báo tiêm phòng dại cho chó mèo"),
                follow=True,
            )
        self.assertContains(response, "đã được gửi duyệt và đang chờ duyệt; không gửi lại lần nữa.")
        self.assertEqual(WorkflowState.objects.for_instance(self.page).count(), 1)
        self.assertEqual(TaskState.objects.filter(workflow_state__object_id=str(self.page.pk)).count(), 1)
        self.assertNothingPublished()

    def test_double_approval_is_refused_with_a_message(self):
        emergency = self.draft_bulletin(priority="khan_cap", title="Cảnh báo lũ")
        state = self.submit(emergency)
        self.client.force_login(self.reviewer)
        self.listen_over_http(state)
        self.assertContains(self.queue_action(state, "approve"), "Đã duyệt")
        response = self.queue_action(state, "approve")
        self.assertContains(response, "Bước duyệt này đã kết thúc")
        self.assertEqual(
            TaskState.objects.filter(workflow_state=state.workflow_state, status="approved").count(), 1
        )

    def test_rejection_without_a_comment_is_refused(self):
        self.client.force_login(self.reviewer)
        response = self.queue_action(self.task_state, "reject", comment="  ")
        self.assertContains(response, "hãy ghi rõ cần sửa gì")
        self.task_state.refresh_from_db()
        self.assertEqual(self.task_state.status, TaskState.STATUS_IN_PROGRESS)

    def test_unknown_action_is_refused(self):
        self.client.force_login(self.reviewer)
        response = self.queue_action(self.task_state, "publish")
        self.assertContains(response, "Thao tác không hợp lệ.")
        self.assertNothingPublished()


class ServerSideListeningTests(ModerationTestCase):
    """Regression (issue 8, item 3): the gate believed the browser. ``played_seconds=0.001&
    duration_seconds=0.001`` opened it without the preview ever being fetched, and ``nan``
    gave a 500. A listening now counts only after the server served that revision's audio to
    that user and the audio's own length (at most 2x speed) has passed since."""

    def setUp(self):
        self.page = self.draft_bulletin(title="Thông báo lịch phun thuốc diệt muỗi")
        self.task_state = self.submit(self.page)
        self.revision = self.page.get_latest_revision()
        self.client.force_login(self.reviewer)

    def post_listen(self, played, duration):
        return self.client.post(
            reverse("workflows:listen", args=[self.task_state.pk]),
            {"revision_id": self.revision.pk, "played_seconds": played, "duration_seconds": duration},
        )

    def assertGateClosed(self):
        self.assertFalse(ListenRecord.objects.exists())
        response = self.queue_action(self.task_state, "approve")
        self.assertContains(response, "Bạn cần nghe hết bản xem trước âm thanh")
        self.task_state.refresh_from_db()
        self.assertEqual(self.task_state.status, TaskState.STATUS_IN_PROGRESS)

    def test_tiny_numbers_without_fetching_the_preview_are_refused(self):
        response = self.post_listen("0.001", "0.001")
        self.assertEqual(response.status_code, 403)
        self.assertIn("Bạn chưa tải bản xem trước", response.json()["message"])
        self.assertGateClosed()

    def test_claims_for_the_full_length_right_after_the_fetch_are_refused(self):
        self.fetch_preview(self.revision)
        served = PreviewServed.objects.get(revision=self.revision, user=self.reviewer)
        response = self.post_listen(served.duration_seconds, served.duration_seconds)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["message"], "Bản xem trước chưa được nghe hết.")
        self.assertGateClosed()

    def test_speed_up_is_allowed_up_to_twice_the_normal_rate(self):
        self.fetch_preview(self.revision)
        served = PreviewServed.objects.get(revision=self.revision, user=self.reviewer)
        length = served.duration_seconds
        self.let_preview_play(self.revision, seconds=0.3 * length)  # faster than 2x: refused
        self.assertEqual(self.post_listen(length, length).status_code, 403)
        self.let_preview_play(self.revision, seconds=0.2 * length)  # now half the length: 2x
        self.assertEqual(self.post_listen(length, length).status_code, 200)
        self.assertContains(self.queue_action(self.task_state, "approve"), "Đã duyệt")

    def test_another_users_fetch_does_not_count_for_you(self):
        other = make_user("duyet2", "Người duyệt")
        self.client.force_login(other)
        self.fetch_preview(self.revision)
        self.let_preview_play(self.revision)
        self.client.force_login(self.reviewer)
        response = self.post_listen(60, 60)
        self.assertEqual(response.status_code, 403)
        self.assertIn("Bạn chưa tải bản xem trước", response.json()["message"])

    def test_a_fetch_of_an_older_revision_does_not_count_for_the_new_one(self):
        self.fetch_preview(self.revision)
        self.let_preview_play(self.revision)
        with self.captureOnCommitCallbacks(execute=True):
            page = BulletinPage.objects.get(pk=self.page.pk)
            page.radio_text = "Lịch phun thuốc đổi sang sáng Chủ nhật."
            page.save_revision(user=self.editor)
        self.task_state = self.current_task_state(self.page)
        self.revision = BulletinPage.objects.get(pk=self.page.pk).get_latest_revision()
        self.assertEqual(self.task_state.revision, self.revision)
        response = self.post_listen(60, 60)
        self.assertEqual(response.status_code, 403)
        self.assertIn("Bạn chưa tải bản xem trước", response.json()["message"])

    def test_audio_served_before_an_in_place_rewrite_does_not_count(self):
        self.fetch_preview(self.revision)
        self.let_preview_play(self.revision)
        page = BulletinPage.objects.get(pk=self.page.pk)
        page.radio_text = "Phun thuốc lúc 7 giờ sáng, bà con đóng cửa."
        with self.captureOnCommitCallbacks(execute=True):
            page.save_revision(user=self.editor, overwrite_revision=self.revision)
        self.task_state = self.current_task_state(self.page)
        response = self.post_listen(60, 60)
        self.assertEqual(response.status_code, 403)
        self.assertIn("Bạn chưa tải bản xem trước", response.json()["message"])
        # Fetching the rewritten text starts the clock again.
        self.fetch_preview(self.revision)
        self.let_preview_play(self.revision)
        self.assertEqual(self.post_listen(60, 60).status_code, 200)

    def test_the_player_caps_speed_at_the_rate_the_server_allows(self):
        dashboard = self.client.get(reverse("wagtailadmin_home"))
        self.assertContains(dashboard, 'data-max-playback-rate="2"')

    def test_bad_numbers_get_400_with_a_vietnamese_message(self):
        self.fetch_preview(self.revision)
        self.let_preview_play(self.revision)
        for played, duration in [
            ("nan", "6"), ("6", "nan"), ("inf", "6"), ("6", "-inf"), ("-1", "6"), ("6", "-0.5"),
            ("abc", "6"), ("", "6"), ("6", "1e400"), ("0x10", "6"),
        ]:
            with self.subTest(played=played, duration=duration):
                response = self.post_listen(played, duration)
                self.assertEqual(response.status_code, 400)
                self.assertIn("phải là một số giây hợp lệ", response.json()["message"])
        self.assertGateClosed()
