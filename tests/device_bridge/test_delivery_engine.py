"""The delivery outbox: approval → dispatches → deliveries, retries, sweeping, withdrawal."""

import datetime as dt

import pytest
from django.utils import timezone

from content_types.models import Priority
from device_bridge import services
from device_bridge.channels.fake import RecordingChannel
from device_bridge.models import (
    ClusterCommand,
    Delivery,
    DeviceEvent,
    Dispatch,
    DistributionRule,
    ScheduleItem,
    SpeakerCluster,
)
from tests.factories import make_bulletin

FAKE = {"CLASS": "device_bridge.channels.fake.RecordingChannel", "OPTIONS": {"TARGETS": 2}}


def publish(site, capture, **fields):
    fields.setdefault("category", site.categories["an-sinh-xa-hoi"])
    with capture(execute=True):
        return make_bulletin(site.news, **fields)


def test_approval_creates_one_dispatch_per_channel_and_one_delivery_per_target(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    page = publish(dev_site, django_capture_on_commit_callbacks)
    dispatches = {d.channel: d for d in Dispatch.objects.filter(page=page)}
    assert set(dispatches) == {"website", "speakers"}
    website = dispatches["website"].deliveries.get()
    assert website.status == Delivery.Status.DONE
    assert website.external_ref.endswith(page.url)
    speaker_deliveries = dispatches["speakers"].deliveries.all()
    assert {d.cluster.code for d in speaker_deliveries} == {"cl-dong-1", "cl-dong-2", "cl-doai-1"}
    assert {d.status for d in speaker_deliveries} == {Delivery.Status.WAITING_AUDIO}
    assert all(d.attempts == 0 for d in speaker_deliveries)
    assert len({d.idempotency_key for d in Delivery.objects.all()}) == 4


def test_audio_ready_schedules_waiting_speaker_deliveries(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    page = publish(dev_site, django_capture_on_commit_callbacks,
                   zones=[dev_site.zones["thon-dong"]])
    with django_capture_on_commit_callbacks(execute=True):
        dev_audio.add(page)
    deliveries = Delivery.objects.filter(dispatch__channel="speakers")
    assert {d.cluster.code for d in deliveries} == {"cl-dong-1", "cl-dong-2"}
    assert {d.status for d in deliveries} == {Delivery.Status.SCHEDULED}
    items = ScheduleItem.objects.filter(page=page)
    # Two days of the 06:00/11:00/17:00 template, per cluster, all in the future.
    assert items.count() % 2 == 0 and items.count() >= 4
    assert all(item.play_at > timezone.now() - dt.timedelta(seconds=5) for item in items)
    assert not ScheduleItem.objects.filter(cluster__code="cl-doai-1").exists()


def test_audio_ready_before_approval_still_schedules(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    # Ordering must not matter: audio may be ready before the deliveries exist.
    page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"])
    dev_audio.add(page, send_signal=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.bulletin_dispatch(page=page, revision=page.latest_revision)
    assert set(Delivery.objects.filter(dispatch__channel="speakers").values_list("status", flat=True)) == {
        Delivery.Status.SCHEDULED
    }


def test_repeated_approval_of_same_revision_adds_nothing(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    page = publish(dev_site, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.bulletin_dispatch(page=page, revision=page.live_revision)
    assert Dispatch.objects.filter(page=page).count() == 2
    assert Delivery.objects.count() == 4


def test_new_revision_supersedes_pending_items(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    page = publish(dev_site, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        dev_audio.add(page)
        page.title = "Bản tin đã sửa"
        page.save_revision().publish()
    old, new = sorted(Dispatch.objects.filter(page=page, channel="speakers"), key=lambda d: d.pk)
    assert old.status == Dispatch.Status.CANCELLED
    assert not old.deliveries.exclude(status=Delivery.Status.CANCELLED).exists()
    assert new.status == Dispatch.Status.ACTIVE


def test_unpublishing_cancels_what_has_not_played(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    page = publish(dev_site, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        dev_audio.add(page)
    played = ScheduleItem.objects.filter(page=page, cluster=cluster_fleet[0]).first()
    played.status = ScheduleItem.Status.PLAYED
    played.save()
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert not ScheduleItem.objects.filter(page=page, status=ScheduleItem.Status.PENDING).exists()
    statuses = dict(
        Delivery.objects.filter(dispatch__channel="speakers").values_list("cluster__code", "status")
    )
    assert statuses == {"cl-dong-1": "done", "cl-dong-2": "cancelled", "cl-doai-1": "cancelled"}
    assert Dispatch.objects.get(page=page, channel="speakers").status == Dispatch.Status.CANCELLED


def test_emergency_plays_now_repeated_and_preempting_with_a_command(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    page = publish(dev_site, django_capture_on_commit_callbacks, priority=Priority.EMERGENCY,
                   zones=[dev_site.zones["thon-doai"]])
    with django_capture_on_commit_callbacks(execute=True):
        dev_audio.add(page)
    item = ScheduleItem.objects.get(page=page)
    assert item.cluster.code == "cl-doai-1"
    assert item.preempt and item.repeat == dev_site.template.emergency_repeat and item.rank == 0
    assert abs((item.play_at - timezone.now()).total_seconds()) < 10
    command = ClusterCommand.objects.get(cluster=item.cluster)
    assert command.kind == "play_now" and command.payload == {"item_id": item.pk}


def test_priority_bulletin_ranks_ahead_of_ordinary_in_the_same_slot(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    normal = publish(dev_site, django_capture_on_commit_callbacks)
    urgent = publish(dev_site, django_capture_on_commit_callbacks, priority=Priority.PRIORITY)
    with django_capture_on_commit_callbacks(execute=True):
        dev_audio.add(normal)
        dev_audio.add(urgent)
    cluster = cluster_fleet[0]
    first_slot = ScheduleItem.objects.filter(cluster=cluster).order_by("play_at").first().play_at
    in_slot = list(ScheduleItem.objects.filter(cluster=cluster, play_at=first_slot))
    assert [i.page_id for i in in_slot] == [urgent.pk, normal.pk]


def test_expired_information_never_gets_a_slot(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    page = publish(dev_site, django_capture_on_commit_callbacks,
                   valid_until=timezone.now() + dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        dev_audio.add(page)
    delivery = Delivery.objects.filter(dispatch__channel="speakers").first()
    assert delivery.status == Delivery.Status.FAILED
    assert "không tạo ra khung giờ phát nào" in delivery.last_error
    assert not ScheduleItem.objects.exists()


def test_missing_audio_file_is_a_clear_failure(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    page = publish(dev_site, django_capture_on_commit_callbacks)
    record = dev_audio.add(page, send_signal=False)
    record.file.storage.delete(record.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        services.page_audio_ready(page=page)
    delivery = Delivery.objects.filter(dispatch__channel="speakers").first()
    assert delivery.status == Delivery.Status.FAILED
    assert "không có trong kho lưu trữ" in delivery.last_error
    assert DeviceEvent.objects.filter(kind="audio_missing").exists()
    assert Dispatch.objects.get(page=page, channel="speakers").status == Dispatch.Status.FAILED


def test_zone_without_cluster_and_unzoned_cluster_are_warned(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    SpeakerCluster.objects.filter(code="cl-doai-1").update(zone=None)
    page = publish(dev_site, django_capture_on_commit_callbacks,
                   zones=[dev_site.zones["thon-doai"]])
    dispatch = Dispatch.objects.get(page=page, channel="speakers")
    assert any("Thôn Đoài" in w for w in dispatch.warnings)
    assert any("chưa gán thôn" in w and "cl-doai-1" in w for w in dispatch.warnings)
    assert dispatch.status == Dispatch.Status.FAILED  # nothing to deliver is not "done"


def test_rule_picks_channels_and_template_by_category_and_priority(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    rule = DistributionRule.objects.create(name="Thiên tai chỉ loa", channels="speakers",
                                           schedule_template=dev_site.template, sort_order=1)
    rule.categories.add(dev_site.categories["phong-chong-thien-tai"])
    disaster = publish(dev_site, django_capture_on_commit_callbacks,
                       category=dev_site.categories["phong-chong-thien-tai"])
    other = publish(dev_site, django_capture_on_commit_callbacks)
    assert set(Dispatch.objects.filter(page=disaster).values_list("channel", flat=True)) == {"speakers"}
    assert set(Dispatch.objects.filter(page=other).values_list("channel", flat=True)) == {"website", "speakers"}


@pytest.fixture
def fake_channel(settings):
    RecordingChannel.reset()
    settings.DEVICE_CHANNELS = {**settings.DEVICE_CHANNELS, "fake": FAKE}
    settings.DEVICE_BRIDGE = {**settings.DEVICE_BRIDGE, "DEFAULT_CHANNELS": ["fake"]}
    return settings


def test_transient_failures_back_off_then_fail_after_max_attempts(
    dev_site, fake_channel, django_capture_on_commit_callbacks
):
    fake_channel.DEVICE_CHANNELS["fake"] = {**FAKE, "OPTIONS": {"TARGETS": 1, "FAIL": "transient"}}
    page = publish(dev_site, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(dispatch__page=page)
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()
    assert "fake transient failure" in delivery.last_error
    # Not due yet: a second run does nothing.
    assert services.delivery_process(delivery_id=delivery.pk) is None
    for _ in range(10):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
        services.delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == fake_channel.DEVICE_BRIDGE.get("MAX_ATTEMPTS", 5)
    assert "Hết số lần thử" in delivery.last_error


def test_configuration_error_fails_without_retry(
    dev_site, fake_channel, django_capture_on_commit_callbacks
):
    fake_channel.DEVICE_CHANNELS["fake"] = {**FAKE, "OPTIONS": {"FAIL": "config"}}
    page = publish(dev_site, django_capture_on_commit_callbacks)
    assert set(Delivery.objects.filter(dispatch__page=page).values_list("status", "attempts")) == {
        ("failed", 1)
    }


def test_sweeper_requeues_stuck_delivery_and_it_runs_once(
    dev_site, fake_channel, django_capture_on_commit_callbacks
):
    page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"])
    services.bulletin_dispatch(page=page, revision=page.latest_revision)  # on_commit not run
    stuck, fresh = Delivery.objects.filter(dispatch__page=page).order_by("pk")
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Delivery.objects.filter(pk=stuck.pk).update(status="in_flight", claimed_at=long_ago,
                                                claim_token="dead-worker", attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.delivery_sweep()
    assert result == {"stuck": 1, "queued": 2, "starved": 0}
    assert set(Delivery.objects.values_list("status", flat=True)) == {"done"}
    applied = [c for c in RecordingChannel.calls if c["action"] == "applied"]
    assert sorted(c["key"] for c in applied) == sorted([stuck.idempotency_key, fresh.idempotency_key])
    # The dead worker's late answer must not overwrite anything.
    assert services._finish(stuck, "dead-worker", Delivery.Status.FAILED, error="late") is None


def test_resend_gives_a_failed_delivery_new_attempts(
    dev_site, fake_channel, django_capture_on_commit_callbacks
):
    fake_channel.DEVICE_CHANNELS["fake"] = {**FAKE, "OPTIONS": {"TARGETS": 1, "FAIL": "config"}}
    page = publish(dev_site, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(dispatch__page=page)
    fake_channel.DEVICE_CHANNELS["fake"] = {**FAKE, "OPTIONS": {"TARGETS": 1}}
    with django_capture_on_commit_callbacks(execute=True):
        assert services.delivery_resend(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DONE
    assert Dispatch.objects.get(pk=delivery.dispatch_id).status == Dispatch.Status.DONE


def test_audio_that_never_comes_fails_the_speaker_delivery_visibly(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    page = publish(dev_site, django_capture_on_commit_callbacks)
    Delivery.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    services.delivery_sweep()
    speakers = Delivery.objects.filter(dispatch__channel="speakers")
    assert set(speakers.values_list("status", flat=True)) == {"failed"}
    assert "chưa có âm thanh" in speakers.first().last_error
    assert Dispatch.objects.get(page=page, channel="speakers").status == Dispatch.Status.FAILED


def test_campaign_pages_go_to_the_website_only(dev_site, cluster_fleet, django_capture_on_commit_callbacks):
    from tests.factories import make_campaign

    with django_capture_on_commit_callbacks(execute=True):
        campaign = make_campaign(dev_site.campaigns)
    assert list(Dispatch.objects.filter(page=campaign).values_list("channel", flat=True)) == ["website"]
