"""A speaker cluster with broadcast history is deactivated, never deleted."""

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from device_bridge import services
from device_bridge.models import (
    ClusterCommand,
    Delivery,
    Dispatch,
    PlaybackReceipt,
    ScheduleItem,
    SpeakerCluster,
)
from tests.factories import make_bulletin


@pytest.fixture
def east_bulletin(dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks):
    """A bulletin for Thôn Đông (cl-dong-1, cl-dong-2), scheduled on both clusters."""
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                             zones=[dev_site.zones["thon-dong"]])
        dev_audio.add(page)
    return page


def play_everything(cluster):
    for item in ScheduleItem.objects.filter(cluster=cluster):
        PlaybackReceipt.objects.create(item=item, cluster=cluster, started_at=item.play_at,
                                       result=PlaybackReceipt.Result.PLAYED)
        ScheduleItem.objects.filter(pk=item.pk).update(status=ScheduleItem.Status.PLAYED,
                                                       played_at=item.play_at)
        services.delivery_refresh_from_items(delivery_id=item.delivery_id)


def test_a_script_cannot_delete_a_cluster_with_history(east_bulletin, cluster_fleet):
    # Regression (issue 8 item 9): the delete cascaded the cluster's items, receipts and
    # events away and left its delivery "scheduled" forever.
    cluster = cluster_fleet[0]
    play_everything(cluster)
    with pytest.raises(ProtectedError) as err, transaction.atomic():
        SpeakerCluster.objects.get(pk=cluster.pk).delete()
    assert "Không xoá được cụm loa" in str(err.value) and "ngừng hoạt động" in str(err.value)
    assert "biên nhận phát" in str(err.value)
    with pytest.raises(ProtectedError), transaction.atomic():
        SpeakerCluster.objects.filter(pk=cluster.pk).delete()
    assert SpeakerCluster.objects.filter(pk=cluster.pk).exists()
    assert PlaybackReceipt.objects.filter(cluster=cluster).count() == ScheduleItem.objects.filter(
        cluster=cluster).count() > 0


def test_a_cluster_without_history_can_be_deleted(cluster_fleet):
    cluster = cluster_fleet[2]
    SpeakerCluster.objects.get(pk=cluster.pk).delete()
    assert not SpeakerCluster.objects.filter(pk=cluster.pk).exists()


def test_admin_refuses_the_delete_and_deactivating_lets_the_dispatch_complete(
    east_bulletin, cluster_fleet, dev_technician, django_capture_on_commit_callbacks
):
    played, idle = cluster_fleet[0], cluster_fleet[1]
    play_everything(played)
    dispatch = Dispatch.objects.get(page=east_bulletin, channel="speakers")
    assert dispatch.status == Dispatch.Status.ACTIVE
    url = f"/admin/device_bridge/speakercluster/delete/{idle.pk}/"

    page = dev_technician.get(url).content.decode()
    assert "Không xoá được cụm loa" in page and 'name="action" value="deactivate"' in page
    refused = dev_technician.post(url)
    assert refused.status_code == 200 and "Không xoá được cụm loa" in refused.content.decode()
    assert SpeakerCluster.objects.filter(pk=idle.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = dev_technician.post(url, {"action": "deactivate"})
    assert response.status_code == 302
    idle.refresh_from_db()
    assert not idle.is_active
    assert not ScheduleItem.objects.filter(cluster=idle, status=ScheduleItem.Status.PENDING).exists()
    delivery = Delivery.objects.get(dispatch=dispatch, cluster=idle)
    assert delivery.status == Delivery.Status.CANCELLED and delivery.finished_at
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.DONE and dispatch.completed_at


def test_deactivating_in_the_edit_form_or_a_script_closes_its_deliveries(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    cluster = cluster_fleet[2]  # the only cluster of Thôn Đoài
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                             zones=[dev_site.zones["thon-doai"]])
    delivery = Delivery.objects.get(dispatch__page=page, cluster=cluster)
    assert delivery.status == Delivery.Status.WAITING_AUDIO
    with django_capture_on_commit_callbacks(execute=True):
        cluster.is_active = False
        cluster.save()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.CANCELLED
    assert Dispatch.objects.get(page=page, channel="speakers").status == Dispatch.Status.CANCELLED
    # Audio arriving afterwards schedules nothing on the retired cluster.
    with django_capture_on_commit_callbacks(execute=True):
        dev_audio.add(page)
    assert not ScheduleItem.objects.filter(cluster=cluster).exists()
    assert not ClusterCommand.objects.filter(cluster=cluster).exists()


def test_a_delivery_to_a_cluster_deactivated_behind_its_back_is_cancelled(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    cluster = cluster_fleet[2]
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                             zones=[dev_site.zones["thon-doai"]])
    SpeakerCluster.objects.filter(pk=cluster.pk).update(is_active=False)  # no signal
    dev_audio.add(page, send_signal=False)
    delivery = Delivery.objects.get(dispatch__page=page, cluster=cluster)
    assert services.delivery_process(delivery_id=delivery.pk) == Delivery.Status.CANCELLED
    assert Dispatch.objects.get(page=page, channel="speakers").status == Dispatch.Status.CANCELLED


def test_cluster_page_says_it_is_out_of_service(cluster_fleet, dev_technician):
    cluster = cluster_fleet[0]
    SpeakerCluster.objects.filter(pk=cluster.pk).update(is_active=False)
    html = dev_technician.get(f"/admin/device-bridge/clusters/{cluster.pk}/").content.decode()
    assert 'data-inactive="true"' in html and "Đã ngừng hoạt động" in html
