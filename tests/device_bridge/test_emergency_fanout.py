"""An approved emergency is scheduled on every cluster of its zones at once, not one
delivery task per cluster (device_bridge/emergency.py)."""

import pytest
from django.db.models.signals import post_save

from device_bridge.emergency import emergency_fanout
from device_bridge.models import ClusterCommand, Delivery, Dispatch, ScheduleItem, SpeakerCluster
from device_bridge.mqtt import receivers
from tests.factories import make_bulletin


def emergency(dev_site, zones):
    return make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                         priority="khan_cap", zones=zones)


def test_approval_schedules_every_cluster_of_the_zones_and_none_outside(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    # The speech pipeline's own render-on-approval is off (dev_audio): the fan-out renders.
    with django_capture_on_commit_callbacks(execute=True):
        page = emergency(dev_site, [dev_site.zones["thon-dong"]])
    items = ScheduleItem.objects.filter(page=page)
    assert sorted(items.values_list("cluster__code", flat=True)) == ["cl-dong-1", "cl-dong-2"]
    assert all(item.preempt and item.repeat == 3 and item.rank == 0 for item in items)
    commands = ClusterCommand.objects.filter(kind="play_now")
    assert sorted((c.cluster.code, c.payload["item_id"]) for c in commands) == sorted(
        (item.cluster.code, item.pk) for item in items)
    deliveries = Delivery.objects.filter(dispatch__page=page, dispatch__channel="speakers")
    assert set(deliveries.values_list("status", flat=True)) == {Delivery.Status.SCHEDULED}
    # Running again (the audio_ready announcement, a sweep) adds nothing.
    assert emergency_fanout(page_id=page.pk) == 0
    assert ClusterCommand.objects.filter(kind="play_now").count() == 2


def test_fanout_costs_the_same_queries_for_forty_clusters_as_for_four(
    dev_site, dev_audio, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    zone = dev_site.zones["thon-dong"]
    SpeakerCluster.objects.bulk_create([SpeakerCluster(code=f"cl-{n}", name=f"Cụm {n}", zone=zone)
                                        for n in range(40)])
    post_save.disconnect(sender=Dispatch, dispatch_uid="mqtt.emergency_fanout_on_dispatch")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            page = emergency(dev_site, [zone])
    finally:
        post_save.connect(receivers._fanout_on_dispatch, sender=Dispatch,
                          dispatch_uid="mqtt.emergency_fanout_on_dispatch")
    assert not ScheduleItem.objects.filter(page=page).exists()  # still waiting for audio
    with django_assert_max_num_queries(60):
        with django_capture_on_commit_callbacks(execute=False):
            assert emergency_fanout(page_id=page.pk) == 40
    assert ClusterCommand.objects.filter(kind="play_now").count() == 40


@pytest.mark.parametrize("priority", ["thuong", "uu_tien"])
def test_other_priorities_keep_the_delivery_engine(dev_site, cluster_fleet, dev_audio, priority):
    page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                         priority=priority)
    assert emergency_fanout(page_id=page.pk) == 0
