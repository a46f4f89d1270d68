"""Every role against every moderation-relevant action, over real admin HTTP requests."""

import json

from django.apps import apps
from django.test import Client
from django.urls import NoReverseMatch, reverse
from wagtail.admin.viewsets import viewsets as admin_viewsets
from wagtail.models import TaskState

from content_types.models import BulletinPage
from tests.factories import make_campaign

from .helpers import ModerationTestCase, bulletin_form_data, make_user

CREATE, EDIT, SUBMIT, APPROVE, REJECT, PUBLISH, UNPUBLISH, CLUSTERS, REPORTS = (
    "create", "edit", "submit", "approve", "reject", "publish directly", "unpublish",
    "manage speaker clusters", "view reports",
)
Y, N = True, False
ACTIONS = (CREATE, EDIT, SUBMIT, APPROVE, REJECT, PUBLISH, UNPUBLISH, CLUSTERS, REPORTS)
ROWS = {
    #               create edit submit approve reject publish unpublish clusters reports
    "editor":        (Y,    Y,   Y,     N,      N,     N,      N,        N,       N),
    "reviewer":      (N,    N,   N,     Y,      Y,     N,      N,        N,       N),
    "leader":        (N,    N,   N,     Y,      Y,     N,      Y,        N,       Y),
    "technician":    (N,    N,   N,     N,      N,     N,      N,        Y,       N),
    "administrator": (Y,    Y,   Y,     N,      N,     Y,      Y,        Y,       Y),
}
EXPECTED = {role: dict(zip(ACTIONS, row, strict=True)) for role, row in ROWS.items()}


def speaker_cluster_model():
    for model in apps.get_app_config("device_bridge").get_models():
        if model._meta.model_name == "speakercluster":
            return model
    return None


def speaker_cluster_admin_url():
    """The admin listing of speaker clusters, whichever viewset the device bridge registers."""
    model = speaker_cluster_model()
    if model is None:
        return None
    opts = model._meta
    try:  # wagtail-modeladmin
        return reverse(f"{opts.app_label}_{opts.model_name}_modeladmin_index")
    except NoReverseMatch:
        pass
    for viewset in admin_viewsets.viewsets:
        if getattr(viewset, "model", None) is model:
            for name in ("index", "list"):
                try:
                    return reverse(viewset.get_url_name(name))
                except NoReverseMatch:
                    continue
    return None


class PermissionMatrixTests(ModerationTestCase):
    def test_speaker_clusters_are_probed_over_http_when_the_device_bridge_has_an_admin(self):
        if speaker_cluster_admin_url() is None:
            self.skipTest("device_bridge registers no admin view for speaker clusters yet")
        self.client.force_login(self.technician)
        self.assertEqual(self.client.get(speaker_cluster_admin_url()).status_code, 200)

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.superuser = make_user("admin", superuser=True)

    def role_user(self, role):
        return getattr(self, role)

    def assertDenied(self, response):
        # Wagtail turns PermissionDenied into a redirect to the dashboard; our guards answer 403.
        if response.status_code == 302:
            self.assertEqual(response["Location"], reverse("wagtailadmin_home"))
        else:
            self.assertEqual(response.status_code, 403)

    # --- one probe per action: returns whether the role could do it ---------------------

    def probe_create(self, user):
        self.client.force_login(user)
        url = reverse("wagtailadmin_pages:add", args=("content_types", "bulletinpage", self.tree.news.pk))
        before = BulletinPage.objects.count()
        response = self.client.post(url, bulletin_form_data(category=self.category, slug=f"tao-{user.pk}"))
        allowed = BulletinPage.objects.count() == before + 1
        if not allowed:
            self.assertDenied(response)
        return allowed

    def probe_edit(self, user):
        page = self.draft_bulletin()
        self.client.force_login(user)
        response = self.client.post(
            reverse("wagtailadmin_pages:edit", args=[page.pk]),
            bulletin_form_data(category=self.category, title="Tiêu đề đã sửa", slug=page.slug),
        )
        page.refresh_from_db()
        allowed = page.get_latest_revision().as_object().title == "Tiêu đề đã sửa"
        if not allowed:
            self.assertDenied(response)
        return allowed

    def probe_submit(self, user):
        page = self.draft_bulletin()
        self.client.force_login(user)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("wagtailadmin_pages:edit", args=[page.pk]),
                bulletin_form_data(category=self.category, slug=page.slug, action="action-submit"),
            )
        allowed = BulletinPage.objects.get(pk=page.pk).workflow_in_progress
        if not allowed:
            self.assertDenied(response)
        return allowed

    def _page_at_role_step(self, user):
        page = self.draft_bulletin()
        self.submit(page)
        if user == self.leader:
            self.listen_and_approve(self.superuser, page)
        return page, self.current_task_state(page)

    def probe_approve(self, user):
        page, task_state = self._page_at_role_step(user)
        self.client.force_login(user)
        self.listen_over_http(task_state)
        self.wagtail_action(page, task_state, "approve")
        task_state.refresh_from_db()
        return task_state.status == TaskState.STATUS_APPROVED

    def probe_reject(self, user):
        page, task_state = self._page_at_role_step(user)
        self.client.force_login(user)
        self.wagtail_action(page, task_state, "reject", "Cần bổ sung địa điểm tiêm.")
        task_state.refresh_from_db()
        return task_state.status == TaskState.STATUS_REJECTED

    def probe_publish(self, user):
        page = self.draft_bulletin()
        self.client.force_login(user)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("wagtailadmin_pages:edit", args=[page.pk]),
                bulletin_form_data(category=self.category, slug=page.slug, action="action-publish"),
            )
        allowed = BulletinPage.objects.get(pk=page.pk).live
        if not allowed and response.status_code == 302:
            # Wagtail saves a draft when the publish button is not the user's; nothing is lost.
            edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
            self.assertIn(response["Location"], (edit_url, reverse("wagtailadmin_home")))
        elif not allowed:
            self.assertDenied(response)
        return allowed

    def probe_unpublish(self, user):
        page = self.draft_bulletin()
        page.get_latest_revision().publish()
        self.client.force_login(user)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
        allowed = not BulletinPage.objects.get(pk=page.pk).live
        if not allowed:
            self.assertDenied(response)
        return allowed

    def probe_clusters(self, user):
        url = speaker_cluster_admin_url()
        if url is None:
            # No admin view registered by the device bridge yet: check the permission itself.
            model = speaker_cluster_model()
            self.assertIsNotNone(model, "device_bridge has no SpeakerCluster model")
            return user.has_perm(f"device_bridge.change_{model._meta.model_name}")
        self.client.force_login(user)
        response = self.client.get(url)
        if response.status_code != 200:
            self.assertDenied(response)
        return response.status_code == 200

    def probe_reports(self, user):
        self.client.force_login(user)
        response = self.client.get(reverse("workflows:reports"))
        if response.status_code == 200:
            self.assertContains(response, "Báo cáo kiểm duyệt")
            return True
        self.assertDenied(response)
        return False

    PROBES = {
        CREATE: probe_create, EDIT: probe_edit, SUBMIT: probe_submit, APPROVE: probe_approve,
        REJECT: probe_reject, PUBLISH: probe_publish, UNPUBLISH: probe_unpublish,
        CLUSTERS: probe_clusters, REPORTS: probe_reports,
    }

    def test_every_role_against_every_action(self):
        for role, expectations in EXPECTED.items():
            for action, expected in expectations.items():
                with self.subTest(role=role, action=action):
                    user = type(self.editor).objects.get(pk=self.role_user(role).pk)
                    self.assertEqual(self.PROBES[action](self, user), expected)

    def test_editor_cannot_publish_without_approval(self):
        page = self.draft_bulletin()
        self.client.force_login(self.editor)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("wagtailadmin_pages:edit", args=[page.pk]),
                bulletin_form_data(
                    category=self.category, slug=page.slug, action="action-publish",
                    title="Bản nháp vẫn được lưu",
                ),
            )
        page.refresh_from_db()
        self.assertFalse(page.live)
        self.assertIsNone(page.live_revision)
        # The forged "publish" is saved as a draft: nothing the editor typed is lost.
        self.assertEqual(page.get_latest_revision().as_object().title, "Bản nháp vẫn được lưu")

    def test_editor_publish_button_is_not_offered(self):
        page = self.draft_bulletin()
        self.client.force_login(self.editor)
        response = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        self.assertNotContains(response, 'name="action-publish"')
        self.assertContains(response, 'name="action-submit"')


# --- Wagtail's admin API (/admin/api/main/pages/<id>/action/<name>/) -------------------------

API_PUBLISH, API_REVERT_PUBLISH, API_COPY_LIVE, API_MOVE_LIVE, API_ALIAS, API_UNPUBLISH = (
    "api publish", "api revert and publish", "api copy keep_live", "api move live page",
    "api create alias", "api unpublish",
)
API_ACTIONS = (API_PUBLISH, API_REVERT_PUBLISH, API_COPY_LIVE, API_MOVE_LIVE, API_ALIAS, API_UNPUBLISH)
API_ROWS = {
    #               publish revert+publish copy-live move-live alias unpublish
    "editor":        (N,     N,             N,        N,        N,    N),
    "reviewer":      (N,     N,             N,        N,        N,    N),
    "leader":        (N,     N,             N,        N,        N,    Y),
    "technician":    (N,     N,             N,        N,        N,    N),
    "administrator": (Y,     Y,             Y,        Y,        Y,    Y),
}
API_EXPECTED = {role: dict(zip(API_ACTIONS, row, strict=True)) for role, row in API_ROWS.items()}


class AdminAPIPermissionMatrixTests(ModerationTestCase):
    """Regression (issue 8, item 1): a leader published a never-submitted draft with
    ``POST /admin/api/main/pages/<id>/action/publish/``; every API action that makes content
    live now needs the final step of a workflow or Quản trị."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = make_campaign(cls.tree.campaigns, title="Chiến dịch tiêm chủng mở rộng")

    def api_client(self, user) -> Client:
        """A browser-like session: real session cookie, CSRF enforced, token from the admin."""
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        client.get(reverse("wagtailadmin_home"))
        self.assertIn("csrftoken", client.cookies)
        return client

    def api_action(self, client, page, action, **data):
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(
                reverse("wagtailadmin_api:pages:action", args=[page.pk, action]),
                data=json.dumps(data),
                content_type="application/json",
                HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
            )
        # 404: Wagtail hides pages outside the user's explorable tree; 403: refused.
        self.assertIn(response.status_code, (200, 201, 403, 404), response.content[:500])
        return response

    def live_bulletin(self, title="Thông báo đã được duyệt"):
        page = self.draft_bulletin(title=title)
        page.get_latest_revision().publish()
        return BulletinPage.objects.get(pk=page.pk)

    # --- probes: each returns whether the role could do it -------------------------------

    def probe_api_publish(self, user):
        page = self.draft_bulletin(title="Bản nháp chưa gửi duyệt")
        self.api_action(self.api_client(user), page, "publish")
        return BulletinPage.objects.get(pk=page.pk).live

    def probe_api_revert_publish(self, user):
        page = self.live_bulletin(title="Lịch cũ: tiêm ngày 5")
        old_revision = page.live_revision
        page.title = "Lịch mới: tiêm ngày 7"
        page.save_revision(user=self.administrator).publish(user=self.administrator)
        client = self.api_client(user)
        reverted = self.api_action(client, page, "revert_to_page_revision", revision_id=old_revision.pk)
        if reverted.status_code == 200:
            self.api_action(client, page, "publish")
        return BulletinPage.objects.get(pk=page.pk).title == "Lịch cũ: tiêm ngày 5"

    def probe_api_copy_live(self, user):
        page = self.live_bulletin()
        slug = f"ban-sao-{user.pk}"
        self.api_action(
            self.api_client(user), page, "copy",
            destination_page_id=self.tree.news.pk, keep_live=True, slug=slug,
        )
        return BulletinPage.objects.filter(slug=slug, live=True).exists()

    def probe_api_move_live(self, user):
        page = self.live_bulletin()
        self.api_action(
            self.api_client(user), page, "move",
            destination_page_id=self.campaign.pk, position="last-child",
        )
        return BulletinPage.objects.get(pk=page.pk).get_parent().pk == self.campaign.pk

    def probe_api_alias(self, user):
        page = self.live_bulletin()
        slug = f"ban-dong-bo-{user.pk}"
        self.api_action(
            self.api_client(user), page, "create_alias",
            destination_page_id=self.campaign.pk, update_slug=slug,
        )
        return BulletinPage.objects.filter(alias_of=page).exists()

    def probe_api_unpublish(self, user):
        page = self.live_bulletin()
        self.api_action(self.api_client(user), page, "unpublish")
        return not BulletinPage.objects.get(pk=page.pk).live

    API_PROBES = {
        API_PUBLISH: probe_api_publish, API_REVERT_PUBLISH: probe_api_revert_publish,
        API_COPY_LIVE: probe_api_copy_live, API_MOVE_LIVE: probe_api_move_live,
        API_ALIAS: probe_api_alias, API_UNPUBLISH: probe_api_unpublish,
    }

    def test_every_role_against_every_admin_api_action(self):
        for role, expectations in API_EXPECTED.items():
            for action, expected in expectations.items():
                with self.subTest(role=role, action=action):
                    user = type(self.editor).objects.get(pk=getattr(self, role).pk)
                    self.assertEqual(self.API_PROBES[action](self, user), expected)

    def test_leader_api_publish_of_a_draft_is_refused_with_403_and_nothing_airs(self):
        page = self.draft_bulletin(title="Bản nháp lãnh đạo thử xuất bản")
        response = self.api_action(self.api_client(self.leader), page, "publish")
        self.assertEqual(response.status_code, 403)
        page = BulletinPage.objects.get(pk=page.pk)
        self.assertFalse(page.live)
        self.assertIsNone(page.live_revision)

    def test_every_page_type_uses_the_moderation_permission_tester(self):
        from wagtail.models import Page, get_page_models

        from workflows.checks import page_types_use_moderated_permissions
        from workflows.permissions import ModeratedPagePermissionTester

        self.assertEqual(page_types_use_moderated_permissions(), [])
        for model in get_page_models():
            if model is Page:
                continue
            page = model.objects.first() or model()
            self.assertIsInstance(page.permissions_for_user(self.leader), ModeratedPagePermissionTester)
            if page.pk:  # as Wagtail's listings, choosers and the admin API load it
                base = Page.objects.get(pk=page.pk)
                self.assertIsInstance(base.permissions_for_user(self.leader), ModeratedPagePermissionTester)


class LeaderPublishPathsTests(ModerationTestCase):
    """Regression (issue 8, item 1): the other admin paths that make content live or public
    ask the same permission tester, so a leader's ``publish_page`` only unpublishes."""

    def test_leader_bulk_publish_of_a_draft_is_refused(self):
        page = self.draft_bulletin(title="Bản nháp chọn hàng loạt")
        self.client.force_login(self.leader)
        url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(f"{url}?id={page.pk}", {"include_descendants": ""})
        self.assertFalse(BulletinPage.objects.get(pk=page.pk).live)

    def test_leader_cannot_lift_a_view_restriction(self):
        from wagtail.models import PageViewRestriction

        page = self.draft_bulletin(title="Tin nội bộ có mật khẩu")
        page.get_latest_revision().publish()
        PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.PASSWORD, password="noi-bo"
        )
        self.client.force_login(self.leader)
        response = self.client.post(
            reverse("wagtailadmin_pages:set_privacy", args=[page.pk]), {"restriction_type": "none"}
        )
        self.assertIn(response.status_code, (302, 403))
        self.assertTrue(PageViewRestriction.objects.filter(page=page).exists())

    def test_leader_keeps_unpublishing_and_cancelling_a_scheduled_publication(self):
        tester = self.draft_bulletin().permissions_for_user(self.leader)
        self.assertFalse(tester.can_publish())
        self.assertTrue(tester.can_unschedule())
        live = self.draft_bulletin()
        live.get_latest_revision().publish()
        self.assertTrue(BulletinPage.objects.get(pk=live.pk).permissions_for_user(self.leader).can_unpublish())
