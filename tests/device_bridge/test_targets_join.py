"""Content that found no loudspeaker cluster reaches one that joins later, and the approver is
told at approval which zones have none (issue 9, item 19)."""

import datetime as dt
from types import SimpleNamespace

from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState
from wagtail.signals import task_approved

from content_types.models import Priority
from device_bridge import alerts
from device_bridge.models import Delivery, Dispatch, SpeakerCluster
from device_bridge.selectors import speaker_coverage_warnings
from tests.factories import make_bulletin
from tests.workflows.helpers import make_user
from workflows import roles


def _bulletin(dev_site, capture, **fields):
    with capture(execute=True):
        return make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"], **fields)


def _speakers(page):
    return Dispatch.objects.get(page_id=page.pk, channel="speakers")


def test_zone_without_cluster_is_delivered_when_a_cluster_joins_it(
    dev_site, dev_audio, django_capture_on_commit_callbacks
):
    east, west = dev_site.zones["thon-dong"], dev_site.zones["thon-doai"]
    SpeakerCluster.objects.create(code="CL-DONG-1", name="Cụm Đông", zone=east)
    page = _bulletin(dev_site, django_capture_on_commit_callbacks, zones=[east, west])
    with django_capture_on_commit_callbacks(execute=True):
        dev_audio.add(page)
    dispatch = _speakers(page)
    assert dispatch.targets_missing and dispatch.missing_zone_ids == [west.pk]
    assert any("Thôn Đoài" in warning for warning in dispatch.warnings)
    assert dispatch.deliveries.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        joined = SpeakerCluster.objects.create(code="CL-DOAI-1", name="Cụm Đoài", zone=west)
    dispatch.refresh_from_db()
    delivery = dispatch.deliveries.get(cluster=joined)
    # Delivered like any other: its audio is ready, so it is scheduled at once.
    assert delivery.status == Delivery.Status.SCHEDULED and delivery.items.exists()
    assert dispatch.status == Dispatch.Status.ACTIVE
    assert not any("Thôn Đoài" in w and "không có cụm loa" in w for w in dispatch.warnings)
    assert any("CL-DOAI-1" in warning for warning in dispatch.warnings)

    # Saving the cluster again (or a second cluster elsewhere) adds nothing.
    with django_capture_on_commit_callbacks(execute=True):
        joined.save()
        SpeakerCluster.objects.create(code="CL-DONG-2", name="Cụm Đông 2", zone=east)
    assert dispatch.deliveries.count() == 2


def test_failed_for_lack_of_any_cluster_is_retried_when_a_cluster_is_activated(
    dev_site, dev_audio, django_capture_on_commit_callbacks
):
    dormant = SpeakerCluster.objects.create(code="CL-NGU", name="Cụm chưa bật", is_active=False)
    page = _bulletin(dev_site, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        dev_audio.add(page)
    dispatch = _speakers(page)
    assert dispatch.status == Dispatch.Status.FAILED and dispatch.targets_missing
    assert dispatch.missing_zone_ids == [] and not dispatch.deliveries.exists()

    dormant.is_active = True
    with django_capture_on_commit_callbacks(execute=True):
        dormant.save(update_fields=["is_active"])
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.ACTIVE
    assert dispatch.deliveries.get().status == Delivery.Status.SCHEDULED
    assert "Không có cụm loa nào đang hoạt động để phát tin này." not in dispatch.warnings


def test_joining_cluster_gets_no_superseded_withdrawn_expired_or_other_zone_content(
    dev_site, dev_audio, django_capture_on_commit_callbacks
):
    east, west = dev_site.zones["thon-dong"], dev_site.zones["thon-doai"]
    capture = django_capture_on_commit_callbacks
    other_zone = _bulletin(dev_site, capture, zones=[east], title="Chỉ thôn Đông")
    withdrawn = _bulletin(dev_site, capture, zones=[west], title="Đã gỡ")
    expired = _bulletin(dev_site, capture, zones=[west], title="Đã hết hiệu lực",
                        priority=Priority.EMERGENCY)
    superseded = _bulletin(dev_site, capture, zones=[west], title="Bản cũ")
    with capture(execute=True):
        withdrawn.unpublish()
        superseded.title = "Bản mới"
        superseded.save_revision().publish()
    BulletinPageModel = type(expired)
    BulletinPageModel.objects.filter(pk=expired.pk).update(
        valid_until=timezone.now() - dt.timedelta(minutes=1))
    old = Dispatch.objects.filter(page_id=superseded.pk, channel="speakers").order_by("pk").first()

    with capture(execute=True):
        SpeakerCluster.objects.create(code="CL-DOAI-1", name="Cụm Đoài", zone=west)
    assert not Delivery.objects.filter(dispatch__channel="speakers",
                                       dispatch__page_id__in=[other_zone.pk, withdrawn.pk, expired.pk]).exists()
    assert not old.deliveries.exists()
    # The current revision of the re-approved bulletin did get it.
    current = Dispatch.objects.filter(page_id=superseded.pk, channel="speakers").order_by("pk").last()
    assert current.pk != old.pk and current.deliveries.count() == 1


def _request():
    request = RequestFactory().post("/admin/pages/1/edit/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_approver_is_told_at_approval_which_zones_have_no_cluster(dev_site, dev_technician):
    east, west = dev_site.zones["thon-dong"], dev_site.zones["thon-doai"]
    SpeakerCluster.objects.create(code="CL-DONG-1", name="Cụm Đông", zone=east)
    page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                         zones=[east, west], publish=False, title="Lịch tiêm thôn Đông, Đoài")
    assert speaker_coverage_warnings(page) == [
        "Thôn “Thôn Đoài” không có cụm loa nào đang hoạt động: tin không được phát trên loa ở "
        "thôn này."]
    approver = make_user("duyet-vung-loa", roles.REVIEWER)

    # Every approval screen (editor, dashboard queue, Wagtail's dialog) approves a task state,
    # which sends Wagtail's task_approved: the approver's next admin page carries the warning.
    revision = page.save_revision()
    task_state = SimpleNamespace(revision=revision, revision_id=revision.pk)
    task_approved.send(sender=TaskState, instance=task_state, user=approver)
    client = Client()
    client.force_login(approver)
    response = client.get(reverse("wagtailadmin_home"))
    assert "không có cụm loa nào đang hoạt động" in response.content.decode()  # on this page
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(message.startswith("Loa truyền thanh – “Lịch tiêm thôn Đông, Đoài”")
               and "Thôn Đoài" in message for message in shown), shown
    # Once.
    shown = [str(m) for m in get_messages(client.get(reverse("wagtailadmin_home")).wsgi_request)]
    assert not [m for m in shown if "Loa truyền thanh" in m]

    # Publishing directly says it at once.
    assert alerts.coverage_message_add(_request(), page)
    covered = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                            zones=[east], publish=False)
    assert speaker_coverage_warnings(covered) == []
    assert not alerts.coverage_message_add(_request(), covered)
    revision = covered.save_revision()
    task_state = SimpleNamespace(revision=revision, revision_id=revision.pk)
    task_approved.send(sender=TaskState, instance=task_state, user=approver)
    shown = [str(m) for m in get_messages(client.get(reverse("wagtailadmin_home")).wsgi_request)]
    assert not [m for m in shown if "Loa truyền thanh" in m]
