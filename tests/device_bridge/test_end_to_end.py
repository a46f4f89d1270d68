"""End to end on a real HTTP server: approve → audio → schedule → simulated clusters play."""

import asyncio
import datetime as dt

import pytest
from django.utils import timezone

from device_bridge.fleet.simulator import Faults, run_fleet, summary
from device_bridge.models import (
    Delivery,
    Dispatch,
    PlaybackReceipt,
    ScheduleItem,
    ScheduleTemplate,
)
from tests.factories import make_bulletin


@pytest.fixture
def dev_soon_template(dev_site):
    """A template whose only slot is two minutes from now, so accelerated time reaches it."""
    soon = timezone.localtime() + dt.timedelta(minutes=2)
    ScheduleTemplate.objects.update(is_default=False)
    return ScheduleTemplate.objects.create(
        name="Sắp tới", times=soon.strftime("%H:%M"), days=1, window_minutes=30, is_default=True
    )


def all_played(sims):
    return all(sim.items and set(sim.items) <= sim.done and not sim.receipts for sim in sims)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_approved_bulletin_plays_on_three_clusters_in_two_zones(
    live_server, dev_site, dev_soon_template, cluster_fleet, admin_client
):
    page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"],
                         zones=[dev_site.zones["thon-dong"], dev_site.zones["thon-doai"]])
    # The speech pipeline rendered the broadcast audio on approval (fake engine, no network).
    from device_bridge.tts.selectors import audio_for_page

    audio = audio_for_page(page)
    assert audio is not None and audio.size_bytes > 0
    items = ScheduleItem.objects.filter(page=page)
    assert set(items.values_list("audio_sha256", flat=True)) == {audio.sha256}
    assert sorted(items.values_list("cluster__zone__code", flat=True)) == [
        "thon-doai", "thon-dong", "thon-dong"
    ]

    stats, sims = asyncio.run(run_fleet(
        [(c.code, c.token) for c in cluster_fleet], server=live_server.url, duration=60,
        speed=120, poll_interval=0.5, tick=0.05, stop_when=all_played,
    ))

    assert not stats.errors, stats.errors
    assert stats.checksum_failures == 0
    assert sorted(code for code, _, _ in stats.played) == ["cl-doai-1", "cl-dong-1", "cl-dong-2"]
    assert PlaybackReceipt.objects.filter(result="played").count() == 3
    assert set(items.values_list("status", flat=True)) == {"played"}
    speakers = Dispatch.objects.get(page=page, channel="speakers")
    assert speakers.status == Dispatch.Status.DONE
    assert set(speakers.deliveries.values_list("status", flat=True)) == {Delivery.Status.DONE}
    assert Dispatch.objects.get(page=page, channel="website").status == Dispatch.Status.DONE

    report = admin_client.get(f"/admin/device-bridge/pages/{page.pk}/dispatches/")
    assert report.status_code == 200
    html = report.content.decode()
    assert "100%" in html and "cl-doai-1" in html and "Hoàn tất" in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lossy_network_and_corrupt_downloads_still_end_in_one_receipt_each(
    live_server, dev_site, dev_soon_template, cluster_fleet
):
    page = make_bulletin(dev_site.news, category=dev_site.categories["an-sinh-xa-hoi"])
    stats, sims = asyncio.run(run_fleet(
        [(c.code, c.token) for c in cluster_fleet], server=live_server.url, duration=60,
        speed=120, poll_interval=0.3, tick=0.05, stop_when=all_played, seed=7,
        faults=Faults(loss=0.3, corrupt=0.3, corrupt_first=1), lean=True, commands_wait=0.5,
    ))
    report = summary(stats, sims)
    assert stats.lost > 0 and stats.checksum_failures >= 3, report
    assert PlaybackReceipt.objects.count() == 3, report  # resent receipts were duplicates
    assert Dispatch.objects.get(page=page, channel="speakers").status == Dispatch.Status.DONE, report


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_speaker_sim_command_registers_clusters_and_talks_to_the_server(live_server, dev_site):
    from io import StringIO

    from django.core.management import call_command

    from device_bridge.models import SpeakerCluster

    out = StringIO()
    call_command("speaker_sim", server=live_server.url, count=2, duration=4, poll=0.5, tick=0.2,
                 zone="thon-dong", stdout=out)
    clusters = SpeakerCluster.objects.filter(code__startswith="sim-")
    assert clusters.count() == 2 and all(c.last_seen_at for c in clusters)
    assert "clusters=2" in out.getvalue() and "heartbeat" in out.getvalue()
