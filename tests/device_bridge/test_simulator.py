"""The simulator's own rules: never play an expired item, catch up after being offline."""

import asyncio
import datetime as dt

from device_bridge.fleet.simulator import Faults, SimClock, SimulatedCluster, Stats


class FrozenClock(SimClock):
    def __init__(self, at):
        super().__init__(speed=1000.0)
        self.at = at

    def now(self):
        return self.at


def item(item_id, play_at, minutes=30, kind="relay"):
    return {"id": item_id, "kind": kind, "title": "x", "priority": "thuong", "rank": 2,
            "play_at": play_at.isoformat(), "preempt": False, "repeat": 1, "audio": None,
            "play_until": (play_at + dt.timedelta(minutes=minutes)).isoformat(), "stream_url": "http://r"}


def test_back_from_offline_it_skips_expired_items_and_plays_valid_ones():
    now = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
    stats = Stats()
    sim = SimulatedCluster(server="http://x", token="t", code="c", client=None,
                           clock=FrozenClock(now), stats=stats, faults=Faults())
    sim.items = {1: item(1, now - dt.timedelta(hours=3)),  # window closed hours ago
                 2: item(2, now - dt.timedelta(minutes=5), minutes=5.001),
                 3: item(3, now + dt.timedelta(hours=1))}  # not yet due
    asyncio.run(sim.play_due())
    assert [played[1] for played in stats.played] == [2]
    assert 1 in sim.done and 3 not in sim.done
    assert [r["item_id"] for r in sim.receipts] == [2]


def test_offline_switch_skips_every_request_until_it_expires():
    sim = SimulatedCluster(server="http://x", token="t", code="c", client=None, clock=SimClock(),
                           stats=Stats(), faults=Faults(offline_seconds=60))
    assert sim.offline
    asyncio.run(sim.step())  # would raise on the None client if it tried the network


def test_fast_forward_plays_a_later_slot_at_once_and_reports_the_slot_time():
    # The demo (`make run`) must show "played" within seconds, not at 17:00; a window that has
    # closed in real time is still never played.
    now = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
    stats = Stats()
    sim = SimulatedCluster(server="http://x", token="t", code="c", client=None,
                           clock=FrozenClock(now), stats=stats, faults=Faults(), fast_forward=True)
    later = now + dt.timedelta(hours=7)
    sim.items = {1: item(1, now - dt.timedelta(hours=3)),  # closed
                 2: item(2, later, minutes=60),
                 3: item(3, now - dt.timedelta(minutes=5), minutes=30)}  # open now
    asyncio.run(sim.play_due())
    assert [played[1] for played in stats.played] == [3, 2]
    receipts = {r["item_id"]: r for r in sim.receipts}
    assert dt.datetime.fromisoformat(receipts[2]["started_at"]) == later
    assert dt.datetime.fromisoformat(receipts[3]["started_at"]) == now
    assert dt.datetime.fromisoformat(receipts[2]["finished_at"]) > later
    assert 1 in sim.done and 1 not in receipts


def test_demo_mode_drives_only_the_seeded_simulated_clusters(db):
    from django.core.management import call_command

    from device_bridge.management.commands.speaker_sim import Command
    from device_bridge.models import SpeakerCluster

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    real = SpeakerCluster.objects.create(code="CL-THAT-01", name="Cụm loa thật", vendor="Hãng A")
    SpeakerCluster.objects.filter(code="CL-NAM-01").update(vendor="Hãng A")  # replaced by a real one
    pairs = Command()._demo_clusters()
    assert sorted(code for code, _token in pairs) == ["CL-DOAI-01", "CL-DONG-01", "CL-TRUNG-01"]
    assert all("." in token for _code, token in pairs)
    assert SpeakerCluster.objects.get(pk=real.pk).token_id is None
    assert SpeakerCluster.objects.get(code="CL-NAM-01").token_id is None


def test_play_now_interrupts_a_normal_playback_with_an_interrupted_receipt():
    # An emergency preempts: whatever plays stops at once and is reported as interrupted.
    now = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
    sim = SimulatedCluster(server="http://x", token="t", code="c", client=None,
                           clock=FrozenClock(now), stats=Stats(), faults=Faults(), play_speed=1.0)
    relay = item(1, now - dt.timedelta(minutes=1), minutes=30)

    async def scenario():
        playing = asyncio.create_task(sim.play(relay))
        await asyncio.sleep(0.05)
        assert sim.playing["id"] == 1
        sim.command_act({"id": 9, "kind": "play_now", "payload": {"item_id": 2}})
        await asyncio.wait_for(playing, 1)

    asyncio.run(scenario())
    assert [r["result"] for r in sim.receipts] == ["interrupted"]
    assert sim.playing is None and sim.etag is None and sim.wake.is_set()
    assert 1 not in sim.done  # a relay resumes while its window is open


def test_stop_drops_the_item_and_set_volume_applies():
    sim = SimulatedCluster(server="http://x", token="t", code="c", client=None, clock=SimClock(),
                           stats=Stats(), faults=Faults())
    sim.command_act({"id": 1, "kind": "stop", "payload": {"item_id": 7}})
    sim.command_act({"id": 2, "kind": "set_volume", "payload": {"volume": 20}})
    assert 7 in sim.done and sim.volume == 20
