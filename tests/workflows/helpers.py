"""Builders shared by the moderation tests: role users, bulletin form posts, workflow steps."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import TestCase, override_settings
from django.urls import reverse
from wagtail.models import TaskState
from wagtail.test.utils import WagtailTestUtils
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from content_types.models import BulletinPage, Priority
from tests.factories import build_site, make_bulletin
from workflows import roles
from workflows.models import ListenApprovalTaskState, PreviewServed
from workflows.selectors import revision_preview_url

PASSWORD = "mat-khau-thu-nghiem"


def make_user(username: str, *group_names: str, superuser: bool = False):
    user = get_user_model().objects.create_user(
        username=username,
        email=f"{username}@xa.example",
        password=PASSWORD,
        first_name=username.capitalize(),
        is_superuser=superuser,
        is_staff=superuser,
    )
    user.groups.add(*Group.objects.filter(name__in=group_names))
    return user


def bulletin_form_data(*, category, title="Thông báo lịch tiêm chủng tháng 12", action=None, **overrides):
    data = {
        "title": title,
        "slug": overrides.pop("slug", "thong-bao-tiem-chung-thang-12"),
        "date": "2026-11-26",
        "priority": overrides.pop("priority", Priority.NORMAL),
        "category": str(category.pk),
        "summary": overrides.pop("summary", "Trạm Y tế xã thông báo lịch tiêm chủng tháng 12."),
        "body": streamfield(
            [("paragraph", rich_text("<p>Đề nghị bà con đưa trẻ đi tiêm đúng lịch.</p>"))]
        ),
        "radio_text": overrides.pop("radio_text", ""),
        "valid_from": "",
        "valid_until": "",
        "comments": inline_formset([]),
    }
    data.update(overrides)
    form = nested_form_data(data)
    if action:
        form[action] = "1"
    return form


# Speech is an edge here: the recording engine renders previews instantly and offline.
@override_settings(TTS_ENGINE="fake", TTS_FALLBACK=False)
class ModerationTestCase(WagtailTestUtils, TestCase):
    """A commune site, one user per role, and helpers to drive moderation over HTTP."""

    @classmethod
    def setUpTestData(cls):
        cls.tree = build_site()
        cls.category = cls.tree.categories["an-sinh-xa-hoi"]
        cls.editor = make_user("bientap", roles.EDITOR)
        cls.reviewer = make_user("duyetvhxh", roles.REVIEWER)
        cls.leader = make_user("lanhdao", roles.LEADER)
        cls.technician = make_user("kythuat", roles.TECHNICIAN)
        cls.administrator = make_user("quantri", roles.ADMINISTRATOR)

    # --- page and workflow builders -------------------------------------------------------

    def draft_bulletin(self, **fields) -> BulletinPage:
        fields.setdefault("owner", self.editor)
        fields.setdefault("date", dt.date(2026, 11, 26))
        page = make_bulletin(self.tree.news, category=self.category, publish=False, **fields)
        page.save_revision(user=self.editor)
        return BulletinPage.objects.get(pk=page.pk)

    def submit(self, page, user=None):
        """Start the page's workflow as the editor would (no HTTP)."""
        user = user or self.editor
        with self.captureOnCommitCallbacks(execute=True):
            page.get_workflow().start(page, user)
        return self.current_task_state(page)

    def current_task_state(self, page) -> ListenApprovalTaskState | None:
        page = type(page).objects.get(pk=page.pk)
        state = page.current_workflow_state
        if state is None or state.current_task_state is None:
            return None
        return state.current_task_state.specific

    # --- HTTP actions ----------------------------------------------------------------------

    def fetch_preview(self, revision):
        """GET the revision's audio preview as the approver's player does (the speech app
        answers 202 while it renders, then the MP3)."""
        url = revision_preview_url(revision)
        for _attempt in range(3):
            with self.captureOnCommitCallbacks(execute=True):  # the render task it enqueues
                response = self.client.get(url)
            if response.status_code != 202:
                break
        if response.status_code == 200:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            self.assertTrue(body, "the preview came back empty")
        return response

    def let_preview_play(self, revision, seconds=None):
        """Time passes as if the preview served for ``revision`` had played ``seconds`` (by
        default all of it) at normal speed."""
        for served in PreviewServed.objects.filter(revision=revision):
            elapsed = served.duration_seconds if seconds is None else seconds
            served.served_at -= dt.timedelta(seconds=elapsed)
            served.save(update_fields=["served_at"])

    def listen_over_http(self, task_state, *, revision=None, played=None, duration=None,
                         fetch=True, wait=True):
        """The approver's player: fetch the preview, play it (``wait``), report the listening.
        ``played``/``duration`` default to the served preview's real length."""
        current = task_state.workflow_state.content_object.get_latest_revision()
        revision = revision or current
        if fetch:
            self.fetch_preview(current)
            if wait:
                self.let_preview_play(current)
        served = PreviewServed.objects.filter(revision=current).first()
        length = served.duration_seconds if served else 3.0
        return self.client.post(
            reverse("workflows:listen", args=[task_state.pk]),
            {
                "revision_id": revision.pk,
                "played_seconds": length if played is None else played,
                "duration_seconds": length if duration is None else duration,
            },
        )

    def wagtail_action(self, page, task_state, action, comment=""):
        url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url, {"comment": comment})

    def queue_action(self, task_state, action, *, comment="", revision=None, follow=True):
        revision = revision or task_state.workflow_state.content_object.get_latest_revision()
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse("workflows:act", args=[task_state.pk]),
                {"action": action, "comment": comment, "revision_id": revision.pk},
                follow=follow,
            )

    def listen_and_approve(self, user, page, comment=""):
        """``user`` plays the preview of ``page``'s current step and approves it over HTTP."""
        self.client.force_login(user)
        task_state = self.current_task_state(page)
        response = self.listen_over_http(task_state)
        self.assertEqual(response.status_code, 200, response.content)
        response = self.wagtail_action(page, task_state, "approve", comment)
        self.assertEqual(response.status_code, 302)
        task_state.refresh_from_db()
        self.assertEqual(task_state.status, TaskState.STATUS_APPROVED)
        return task_state
