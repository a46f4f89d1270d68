"""Scheduled publishing runs every minute in django-q2: go-live airs, expiry takes it down.

Regression (issue 8, item 4): nothing ran Wagtail's ``publish_scheduled``, so approvals with a
``go_live_at`` never went live and ``expire_at`` never took a bulletin off the loudspeakers.
"""

import datetime as dt
from unittest import mock

from django.utils import timezone
from django_q.models import Schedule

from content_types.models import BulletinPage
from device_bridge.models import Delivery, Dispatch, ScheduleItem

# The device bridge's fixtures (a site, three speaker clusters, audio made on demand); pytest
# finds fixtures imported into a test module, and the test arguments then shadow the imports.
from tests.device_bridge.conftest import (  # noqa: F401
    cluster_fleet,
    dev_audio,
    dev_media,
    dev_site,
    dev_tts_fake,
)
from tests.factories import make_bulletin
from workflows.tasks import publish_scheduled


def run_task_at(moment, capture):
    """The django-q2 task as the worker runs it, with the clock at ``moment``."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        with capture(execute=True):
            return publish_scheduled()


def test_publish_scheduled_runs_every_minute_in_django_q(db):
    schedule = Schedule.objects.get(func="workflows.tasks.publish_scheduled")
    assert schedule.schedule_type == Schedule.MINUTES
    assert schedule.minutes == 1
    assert schedule.repeats == -1


def test_approved_go_live_at_goes_live_and_reaches_the_loudspeakers(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks  # noqa: F811
):
    page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                         publish=False, title="Lịch cắt điện ngày mai")
    page.go_live_at = timezone.now() + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()  # as the workflow's final approval does
    page = BulletinPage.objects.get(pk=page.pk)
    assert not page.live and page.scheduled_revision is not None
    assert not Dispatch.objects.filter(page=page).exists()

    run_task_at(timezone.now() + dt.timedelta(minutes=59), django_capture_on_commit_callbacks)
    assert not BulletinPage.objects.get(pk=page.pk).live

    run_task_at(timezone.now() + dt.timedelta(hours=1, minutes=1), django_capture_on_commit_callbacks)
    page = BulletinPage.objects.get(pk=page.pk)
    assert page.live
    speakers = Dispatch.objects.get(page=page, channel="speakers")
    assert speakers.deliveries.count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        dev_audio.add(page)
    assert ScheduleItem.objects.filter(page=page, status=ScheduleItem.Status.PENDING).exists()


def test_expire_at_takes_the_bulletin_down_and_off_the_loudspeakers(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks  # noqa: F811
):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                             title="Thông báo hết hạn sau một giờ",
                             expire_at=timezone.now() + dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        dev_audio.add(page)
    pending = ScheduleItem.objects.filter(page=page, status=ScheduleItem.Status.PENDING)
    assert pending.count() >= 3
    assert set(Delivery.objects.filter(dispatch__channel="speakers").values_list("status", flat=True)) == {
        Delivery.Status.SCHEDULED
    }

    run_task_at(timezone.now() + dt.timedelta(minutes=30), django_capture_on_commit_callbacks)
    assert BulletinPage.objects.get(pk=page.pk).live

    run_task_at(timezone.now() + dt.timedelta(hours=1, minutes=1), django_capture_on_commit_callbacks)
    page = BulletinPage.objects.get(pk=page.pk)
    assert not page.live and page.expired
    assert not pending.exists()
    assert Dispatch.objects.get(page=page, channel="speakers").status == Dispatch.Status.CANCELLED
    assert set(Delivery.objects.filter(dispatch__channel="speakers").values_list("status", flat=True)) == {
        Delivery.Status.CANCELLED
    }

