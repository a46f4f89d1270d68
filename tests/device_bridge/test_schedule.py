"""Broadcast schedule arithmetic, template validation, relays and the calendar's conflicts."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from device_bridge.models import RelayProgramme, ScheduleItem, ScheduleTemplate
from device_bridge.schedule.services import relay_materialise
from device_bridge.schedule.slots import emergency_window, template_windows
from device_bridge.selectors import calendar_week
from tests.device_bridge.conftest import local

THURSDAY = dt.date(2026, 11, 26)


def template(**fields):
    fields.setdefault("name", "t")
    fields.setdefault("times", "06:00, 11:00, 17:00")
    fields.setdefault("days", 1)
    return ScheduleTemplate(**fields)


def test_slots_already_passed_today_are_skipped():
    windows = template_windows(template(days=1), now=local(THURSDAY, "08:30"))
    assert [w.play_at for w in windows] == [local(THURSDAY, "11:00"), local(THURSDAY, "17:00")]
    assert windows[0].play_until == local(THURSDAY, "12:00")


def test_days_count_broadcast_days_and_weekdays_only_skips_the_weekend():
    # Approved Friday evening: "2 weekdays" means Monday and Tuesday.
    windows = template_windows(template(days=2, weekdays_only=True, times="06:00"),
                               now=local(dt.date(2026, 11, 27), "18:00"))
    assert [w.play_at.date() for w in windows] == [dt.date(2026, 11, 30), dt.date(2026, 12, 1)]


def test_valid_until_cuts_slots_and_windows():
    windows = template_windows(template(days=3), now=local(THURSDAY, "05:00"),
                               valid_until=local(THURSDAY, "11:30"))
    assert [w.play_at for w in windows] == [local(THURSDAY, "06:00"), local(THURSDAY, "11:00")]
    assert windows[-1].play_until == local(THURSDAY, "11:30")


def test_valid_from_in_the_future_starts_there():
    windows = template_windows(template(days=1), now=local(THURSDAY, "05:00"),
                               valid_from=local(THURSDAY, "12:00"))
    assert [w.play_at for w in windows] == [local(THURSDAY, "17:00")]


def test_template_with_no_slot_before_expiry_gives_nothing():
    assert template_windows(template(days=5), now=local(THURSDAY, "17:30"),
                            valid_until=local(THURSDAY, "23:00")) == []
    assert template_windows(template(times=""), now=local(THURSDAY, "05:00")) == []


def test_emergency_plays_now_repeated_and_never_after_expiry():
    now = local(THURSDAY, "14:03")
    [window] = emergency_window(now=now, repeat=3, window_minutes=30)
    assert window.play_at == now and window.repeat == 3 and window.preempt
    assert emergency_window(now=now, repeat=3, window_minutes=30, valid_until=now) == []


@pytest.mark.parametrize("fields, field", [
    ({"times": "6h sáng"}, "times"),
    ({"times": ""}, "times"),
    ({"days": 0}, "days"),
    ({"emergency_repeat": 0}, "emergency_repeat"),
])
def test_template_that_makes_no_slot_is_refused_with_a_clear_error(fields, field):
    with pytest.raises(ValidationError) as err:
        template(**fields).clean()
    assert field in err.value.message_dict
    assert all(message for message in err.value.message_dict[field])


def test_relays_materialise_once_per_cluster_and_day(cluster_fleet, dev_site):
    relay = RelayProgramme.objects.create(name="Tiếp sóng Đài huyện", stream_url="http://radio.test/live",
                                          start_time=dt.time(18, 0), duration_minutes=30)
    relay.zones.add(dev_site.zones["thon-dong"])
    created = relay_materialise(today=THURSDAY, days=3)
    assert created == 2 * 3
    assert relay_materialise(today=THURSDAY, days=3) == 0
    item = ScheduleItem.objects.filter(relay=relay).order_by("play_at").first()
    assert item.kind == "relay" and item.stream_url == "http://radio.test/live" and item.rank == 3
    assert item.play_until - item.play_at == dt.timedelta(minutes=30)


def test_calendar_marks_a_relay_overlapping_a_bulletin_slot(cluster_fleet, dev_site):
    cluster = cluster_fleet[0]
    start = timezone.localdate() + dt.timedelta(days=1)
    relay = RelayProgramme.objects.create(name="Tiếp sóng", stream_url="http://radio.test/live",
                                          start_time=dt.time(5, 50), duration_minutes=30)
    relay_materialise(today=start, days=1)
    ScheduleItem.objects.create(cluster=cluster, title="Bản tin sáng", play_at=local(start, "06:00"),
                                play_until=local(start, "07:00"), audio_duration=120)
    ScheduleItem.objects.create(cluster=cluster, title="Bản tin chiều", play_at=local(start, "17:00"),
                                play_until=local(start, "18:00"), audio_duration=120)
    days = calendar_week(zone_id=dev_site.zones["thon-dong"].pk, start=start, days=2)
    first = days[0]
    assert len(first.conflicts) == 1
    flagged = {entry["item"].title: entry["conflict"] for entry in first.items}
    assert flagged == {"Tiếp sóng": True, "Bản tin sáng": True, "Bản tin chiều": False}
    assert relay.items.count() == 3
