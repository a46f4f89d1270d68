"""The domain events: ``content_approved`` once per publication, after commit, from any path."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from content_types.models import BulletinPage
from workflows.events import content_approved, content_withdrawn

from .helpers import ModerationTestCase, make_user


class Recorder:
    def __init__(self, signal):
        self.calls = []
        self.signal = signal
        signal.connect(self)

    def __call__(self, sender, page, revision=None, **kwargs):
        self.calls.append((type(page), page.pk, revision.pk if revision else None))


class DomainEventTests(ModerationTestCase):
    def setUp(self):
        self.approved = Recorder(content_approved)
        self.withdrawn = Recorder(content_withdrawn)
        self.addCleanup(content_approved.disconnect, self.approved)
        self.addCleanup(content_withdrawn.disconnect, self.withdrawn)

    def test_workflow_approval_fires_content_approved_once_with_the_live_revision(self):
        page = self.draft_bulletin()
        self.submit(page)
        self.listen_and_approve(self.reviewer, page)
        self.assertEqual(self.approved.calls, [])
        self.listen_and_approve(self.leader, page)
        page = BulletinPage.objects.get(pk=page.pk)
        self.assertEqual(self.approved.calls, [(BulletinPage, page.pk, page.live_revision_id)])

    def test_event_waits_for_the_transaction_to_commit(self):
        page = self.draft_bulletin()
        with self.captureOnCommitCallbacks(execute=False) as pending:
            page.get_latest_revision().publish()
        self.assertEqual(self.approved.calls, [])
        for callback in pending:
            callback()
        self.assertEqual(len(self.approved.calls), 1)

    def test_script_publication_fires_once(self):
        page = self.draft_bulletin()
        with self.captureOnCommitCallbacks(execute=True):
            revision = page.save_revision(user=self.editor)
            revision.publish()
        self.assertEqual(self.approved.calls, [(BulletinPage, page.pk, revision.pk)])

    def test_scheduled_publication_fires_when_it_goes_live_not_when_approved(self):
        # Regression: Wagtail's page_published for a merely scheduled first publication made
        # content_approved fire early (and again at go-live).
        page = self.draft_bulletin()
        page.go_live_at = timezone.now() + dt.timedelta(hours=1)
        with self.captureOnCommitCallbacks(execute=True):
            revision = page.save_revision(user=self.editor, approved_go_live_at=page.go_live_at)
            revision.publish()
        self.assertEqual(self.approved.calls, [])
        # The hour passes.
        past = timezone.now() - dt.timedelta(minutes=1)
        revision.approved_go_live_at = past
        revision.content["go_live_at"] = past.isoformat()
        revision.save(update_fields=["approved_go_live_at", "content"])
        with self.captureOnCommitCallbacks(execute=True):
            call_command("publish_scheduled", verbosity=0)
        self.assertEqual(self.approved.calls, [(BulletinPage, page.pk, revision.pk)])

    def test_unpublishing_fires_content_withdrawn(self):
        page = self.draft_bulletin()
        with self.captureOnCommitCallbacks(execute=True):
            page.get_latest_revision().publish()
        page = BulletinPage.objects.get(pk=page.pk)
        with self.captureOnCommitCallbacks(execute=True):
            page.unpublish(user=make_user("admin", superuser=True))
        self.assertEqual(self.withdrawn.calls, [(BulletinPage, page.pk, None)])

    def test_pages_that_are_not_broadcast_content_fire_nothing(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.tree.news.save_revision().publish()
        self.assertEqual(self.approved.calls, [])

    def test_campaign_pages_follow_the_tree_workflow_and_fire_on_approval(self):
        from tests.factories import make_campaign

        campaign = make_campaign(self.tree.campaigns)
        self.approved.calls.clear()
        campaign.title = "Chiến dịch đã sửa"
        campaign.save_revision(user=self.editor)
        state = self.submit(campaign)
        self.assertEqual(state.workflow_state.workflow.name, "Quy trình thường")
        # No spoken text on a campaign page: nothing to listen to, approval is open.
        for approver in (self.reviewer, self.leader):
            self.client.force_login(approver)
            step = self.current_task_state(campaign)
            self.wagtail_action(campaign, step, "approve")
        self.assertEqual(len(self.approved.calls), 1)


class RobustDeliveryOfEventsTests(ModerationTestCase):
    def test_a_failing_receiver_neither_stops_the_others_nor_fails_the_publication(self):
        # Regression: content_approved was sent with ``send``; a receiver that raised (the
        # speech receiver's enqueue hitting "database is locked") kept the delivery receiver
        # from running and turned an approval that was already live into a 500.
        def broken(sender, **kwargs):
            raise RuntimeError("receiver down")

        content_approved.connect(broken)
        self.addCleanup(content_approved.disconnect, broken)
        recorder = Recorder(content_approved)
        self.addCleanup(content_approved.disconnect, recorder)
        page = self.draft_bulletin()
        with self.assertLogs("workflows.events", level="ERROR") as logs:
            with self.captureOnCommitCallbacks(execute=True):
                page.save_revision(user=self.editor).publish()
        self.assertEqual(len(recorder.calls), 1)
        self.assertIn("receiver down", "\n".join(logs.output))
        self.assertTrue(BulletinPage.objects.get(pk=page.pk).live)
