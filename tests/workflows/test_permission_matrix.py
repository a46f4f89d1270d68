"""Every role against every moderation-relevant action, over real admin HTTP requests."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from wagtail.admin.viewsets import viewsets as admin_viewsets
from wagtail.models import TaskState

from content_types.models import BulletinPage

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
        if not allowed:
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
        response = self.client.post(
            reverse("wagtailadmin_pages:edit", args=[page.pk]),
            bulletin_form_data(category=self.category, slug=page.slug, action="action-publish"),
        )
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "không có quyền xuất bản trực tiếp", status_code=403)
        page.refresh_from_db()
        self.assertFalse(page.live)
        self.assertIsNone(page.live_revision)

    def test_editor_publish_button_is_not_offered(self):
        page = self.draft_bulletin()
        self.client.force_login(self.editor)
        response = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        self.assertNotContains(response, 'name="action-publish"')
        self.assertContains(response, 'name="action-submit"')
