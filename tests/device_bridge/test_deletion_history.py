"""Deleting broadcast content: it comes off the loudspeakers at once and its record stays."""

import datetime as dt

from django.test import Client
from django.utils import timezone
from wagtail.models import Page

from device_bridge.models import (
    ClusterCommand,
    Delivery,
    Dispatch,
    PlaybackReceipt,
    RelayProgramme,
    ScheduleItem,
    SpeakerCluster,
)
from device_bridge.schedule.services import relay_materialise
from tests.device_bridge.conftest import auth


def schedule(cluster, etag=None):
    headers = auth(cluster.token)
    if etag:
        headers["HTTP_IF_NONE_MATCH"] = etag
    return Client().get("/api/devices/v1/schedule", **headers)


def play_first_item(page, cluster):
    """The cluster played one item (receipt) and is now playing the next one (heartbeat)."""
    played, playing = ScheduleItem.objects.filter(page=page, cluster=cluster).order_by("play_at")[:2]
    PlaybackReceipt.objects.create(item=played, cluster=cluster, started_at=played.play_at,
                                   result=PlaybackReceipt.Result.PLAYED)
    ScheduleItem.objects.filter(pk=played.pk).update(status=ScheduleItem.Status.PLAYED,
                                                     played_at=played.play_at)
    SpeakerCluster.objects.filter(pk=cluster.pk).update(
        last_heartbeat={"status": "playing", "playing": {"item_id": playing.pk}}
    )
    return played, playing


def test_deleting_a_live_bulletin_withdraws_it_and_keeps_the_broadcast_record(
    dev_scheduled, cluster_fleet, django_capture_on_commit_callbacks
):
    # Regression (issue 8 item 6): the delete cascaded the schedule items away without a
    # version bump (clusters got 304 and kept playing), sent no stop, and lost the history.
    page, cluster = dev_scheduled, cluster_fleet[0]
    title, page_id = page.title, page.pk
    etag = schedule(cluster)["ETag"]
    played, playing = play_first_item(page, cluster)
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=page_id).delete()

    response = schedule(cluster, etag)
    assert response.status_code == 200 and response.json()["items"] == []
    stop = ClusterCommand.objects.get(cluster=cluster, kind=ClusterCommand.Kind.STOP)
    assert stop.payload == {"item_id": playing.pk}

    dispatches = Dispatch.objects.filter(content_id=page_id)
    assert {d.channel for d in dispatches} == {"website", "speakers"}
    assert all(d.page_id is None and d.title == title and d.content_deleted_at for d in dispatches)
    assert all(d.site_id is not None for d in dispatches)
    speakers = dispatches.get(channel="speakers")
    assert speakers.status == Dispatch.Status.CANCELLED
    deliveries = {d.cluster.code: d.status for d in speakers.deliveries.select_related("cluster")}
    assert deliveries == {"cl-dong-1": Delivery.Status.DONE, "cl-dong-2": Delivery.Status.CANCELLED,
                          "cl-doai-1": Delivery.Status.CANCELLED}
    kept = ScheduleItem.objects.get(pk=played.pk)
    assert kept.title == title and kept.status == ScheduleItem.Status.PLAYED
    assert kept.receipts.count() == 1
    assert not ScheduleItem.objects.filter(delivery__dispatch=speakers,
                                           status=ScheduleItem.Status.PENDING).exists()


def test_deleting_from_the_admin_also_withdraws_first(
    dev_scheduled, cluster_fleet, admin_client, django_capture_on_commit_callbacks
):
    page, cluster = dev_scheduled, cluster_fleet[1]
    etag = schedule(cluster)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/pages/{page.pk}/delete/")
    assert response.status_code == 302 and not Page.objects.filter(pk=page.pk).exists()
    assert schedule(cluster, etag).json()["items"] == []
    assert Dispatch.objects.filter(content_id=page.pk, title=page.title).count() == 2


def test_deleted_bulletin_history_is_listed_and_reported(
    dev_scheduled, cluster_fleet, admin_client, django_capture_on_commit_callbacks
):
    page = dev_scheduled
    play_first_item(page, cluster_fleet[0])
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=page.pk).delete()
    listing = admin_client.get("/admin/device_bridge/dispatch/").content.decode()
    assert page.title in listing
    report = admin_client.get(f"/admin/device-bridge/history/{page.pk}/")
    html = report.content.decode()
    assert report.status_code == 200 and page.title in html
    assert "cl-dong-1" in html and "Đã bị xoá" in html


def relay_now(dev_site, **fields):
    """A relay on air right now in Thôn Đông, materialised for today and the coming days."""
    now = timezone.localtime()
    # Just after midnight the programme starts at 00:00 (its window is still open now).
    start = max(now - dt.timedelta(minutes=5), now.replace(hour=0, minute=0)).time().replace(
        second=0, microsecond=0)
    fields.setdefault("stream_url", "http://radio.test/live")
    relay = RelayProgramme.objects.create(name="Tiếp sóng Đài huyện", start_time=start,
                                          duration_minutes=30, **fields)
    relay.zones.add(dev_site.zones["thon-dong"])
    relay_materialise(today=timezone.localdate(), days=3)
    return relay


def test_deleting_a_relay_stops_it_and_keeps_what_was_relayed(
    dev_site, cluster_fleet, django_capture_on_commit_callbacks
):
    # Regression (issue 8 item 6): items and receipts of a deleted relay cascaded away and
    # the clusters kept the relay in their (unchanged, 304) schedule.
    cluster = cluster_fleet[0]
    relay = relay_now(dev_site)
    yesterday = ScheduleItem.objects.create(
        cluster=cluster, kind=ScheduleItem.Kind.RELAY, relay=relay, title=relay.name,
        play_at=timezone.now() - dt.timedelta(days=1), play_until=timezone.now() - dt.timedelta(hours=23),
        status=ScheduleItem.Status.PLAYED, stream_url=relay.stream_url,
    )
    PlaybackReceipt.objects.create(item=yesterday, cluster=cluster, started_at=yesterday.play_at,
                                   result=PlaybackReceipt.Result.PLAYED)
    on_air = ScheduleItem.objects.get(relay=relay, cluster=cluster, play_at__lte=timezone.now(),
                                      status=ScheduleItem.Status.PENDING)
    etag = schedule(cluster)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        relay.delete()
    assert schedule(cluster, etag).json()["items"] == []
    assert ClusterCommand.objects.filter(cluster=cluster, kind=ClusterCommand.Kind.STOP,
                                         payload={"item_id": on_air.pk}).exists()
    yesterday.refresh_from_db()
    assert yesterday.relay_id is None and yesterday.title == "Tiếp sóng Đài huyện"
    assert yesterday.receipts.count() == 1
    on_air.refresh_from_db()
    assert on_air.status == ScheduleItem.Status.CANCELLED
    assert not ScheduleItem.objects.filter(play_at__gt=timezone.now()).exists()


def relay_items(cluster, **filters):
    return ScheduleItem.objects.filter(cluster=cluster, kind=ScheduleItem.Kind.RELAY, **filters)


def test_deactivating_a_relay_removes_what_has_not_played(
    dev_site, cluster_fleet, django_capture_on_commit_callbacks
):
    # Regression (issue 8 item 7): the 7 materialised days kept playing after deactivation.
    cluster = cluster_fleet[0]
    relay = relay_now(dev_site)
    on_air = relay_items(cluster, play_at__lte=timezone.now()).get()
    assert relay_items(cluster, play_at__gt=timezone.now()).exists()
    etag = schedule(cluster)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        relay.is_active = False
        relay.save()
    assert schedule(cluster, etag).json()["items"] == []
    assert not relay_items(cluster, play_at__gt=timezone.now()).exists()
    on_air.refresh_from_db()
    assert on_air.status == ScheduleItem.Status.CANCELLED
    assert ClusterCommand.objects.filter(cluster=cluster, kind=ClusterCommand.Kind.STOP,
                                         payload={"item_id": on_air.pk}).exists()


def test_a_new_stream_url_reaches_every_relay_not_yet_played(
    dev_site, cluster_fleet, django_capture_on_commit_callbacks
):
    cluster = cluster_fleet[0]
    relay = relay_now(dev_site)
    etag = schedule(cluster)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        relay.stream_url = "http://radio.test/moi"
        relay.save()
    upcoming = relay_items(cluster, play_at__gt=timezone.now(), status=ScheduleItem.Status.PENDING)
    assert upcoming.count() >= 6
    assert set(upcoming.values_list("stream_url", flat=True)) == {"http://radio.test/moi"}
    served = schedule(cluster, etag).json()["items"]
    assert served and {item["stream_url"] for item in served} == {"http://radio.test/moi"}
    # The programme on air with the old URL is stopped rather than left on the old stream.
    assert ClusterCommand.objects.filter(cluster=cluster, kind=ClusterCommand.Kind.STOP).exists()


def test_moving_a_relay_to_another_zone_moves_its_items(
    dev_site, cluster_fleet, dev_technician, django_capture_on_commit_callbacks
):
    east, west = cluster_fleet[0], cluster_fleet[2]
    relay = relay_now(dev_site)
    assert not relay_items(west).exists()
    later = (timezone.localtime() + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = dev_technician.post(
            f"/admin/device_bridge/relayprogramme/edit/{relay.pk}/",
            {"name": relay.name, "stream_url": relay.stream_url,
             "zones": [dev_site.zones["thon-doai"].pk], "start_time": later.strftime("%H:%M"),
             "duration_minutes": 30, "is_active": "on"},
        )
    assert response.status_code == 302
    assert not relay_items(east, status=ScheduleItem.Status.PENDING).exists()
    moved = relay_items(west, status=ScheduleItem.Status.PENDING).order_by("play_at")
    assert moved.exists()
    assert timezone.localtime(moved[0].play_at).time() == later


def test_the_broadcast_record_cannot_be_deleted_or_edited_in_the_admin(
    dev_scheduled, dev_technician, admin_client
):
    dispatch = Dispatch.objects.get(page=dev_scheduled, channel="speakers")
    for client in (dev_technician, admin_client):
        assert client.post(f"/admin/device_bridge/dispatch/delete/{dispatch.pk}/").status_code in (302, 403)
        assert client.get(f"/admin/device_bridge/dispatch/edit/{dispatch.pk}/").status_code in (302, 403)
    assert Dispatch.objects.filter(pk=dispatch.pk).exists()
    assert "/delete/" not in admin_client.get("/admin/device_bridge/dispatch/").content.decode()


def test_deleting_an_emergency_before_the_cluster_heard_it_sends_stop_not_play(
    dev_site, cluster_fleet, dev_audio, django_capture_on_commit_callbacks
):
    from content_types.models import Priority
    from device_bridge.fleet.services import cluster_commands_take
    from tests.factories import make_bulletin

    cluster = cluster_fleet[2]
    with django_capture_on_commit_callbacks(execute=True):
        page = make_bulletin(dev_site.news, category=dev_site.categories["phong-chong-thien-tai"],
                             priority=Priority.EMERGENCY, zones=[dev_site.zones["thon-doai"]])
        dev_audio.add(page)
    item = ScheduleItem.objects.get(page=page, cluster=cluster)
    assert ClusterCommand.objects.filter(cluster=cluster, kind=ClusterCommand.Kind.PLAY_NOW).exists()
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=page.pk).delete()
    taken = cluster_commands_take(cluster_id=cluster.pk, now=timezone.now())
    assert [(c.kind, c.payload) for c in taken] == [(ClusterCommand.Kind.STOP, {"item_id": item.pk})]
    assert Client().get("/admin/device-bridge/history/99999999999999/").status_code in (302, 404)


def test_history_of_a_huge_or_unknown_id_is_not_found(admin_client, db):
    assert admin_client.get("/admin/device-bridge/history/99999999999999/").status_code == 404
    assert admin_client.get("/admin/device-bridge/history/4242/").status_code == 404


def test_calendar_keeps_apart_what_deleted_bulletins_played_in_one_slot(dev_site, cluster_fleet):
    from device_bridge.selectors import calendar_week

    cluster = cluster_fleet[0]
    day = timezone.localdate() - dt.timedelta(days=1)
    slot = dt.datetime.combine(day, dt.time(6, 0), timezone.get_current_timezone())
    for title in ("Tin đã xoá thứ nhất", "Tin đã xoá thứ hai"):
        ScheduleItem.objects.create(cluster=cluster, title=title, play_at=slot,
                                    play_until=slot + dt.timedelta(hours=1),
                                    status=ScheduleItem.Status.PLAYED, played_at=slot)
    days = calendar_week(zone_id=dev_site.zones["thon-dong"].pk, start=day, days=1)
    assert sorted(entry["item"].title for entry in days[0].items) == [
        "Tin đã xoá thứ hai", "Tin đã xoá thứ nhất"]
