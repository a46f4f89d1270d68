"""Pure slot arithmetic: which windows a template gives a bulletin. No database access."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

RANK = {"khan_cap": 0, "uu_tien": 1, "thuong": 2}
RELAY_RANK = 3
MAX_SCAN_DAYS = 400


@dataclass(frozen=True)
class Window:
    play_at: dt.datetime
    play_until: dt.datetime
    repeat: int = 1
    preempt: bool = False


def template_windows(
    template, *, now: dt.datetime, valid_from=None, valid_until=None
) -> list[Window]:
    """Slots of ``template`` after ``now`` inside the validity period.

    ``days`` counts broadcast days: a day with no remaining slot (all passed, or a weekend
    under ``weekdays_only``) does not count, so "3 days, weekdays only" means three working days.
    """
    tz = timezone.get_current_timezone()
    times = template.slot_times
    if not times or template.days < 1:
        return []
    start = max(now, valid_from) if valid_from else now
    window = dt.timedelta(minutes=max(template.window_minutes, 1))
    day = timezone.localtime(start, tz).date()
    windows: list[Window] = []
    counted = 0
    for _ in range(MAX_SCAN_DAYS):
        if counted >= template.days:
            break
        if valid_until and dt.datetime.combine(day, dt.time.min, tz) >= valid_until:
            break
        if template.weekdays_only and day.weekday() >= 5:
            day += dt.timedelta(days=1)
            continue
        day_windows = []
        for slot_time in times:
            play_at = dt.datetime.combine(day, slot_time, tz)
            if play_at < start:
                continue
            if valid_until and play_at >= valid_until:
                continue
            play_until = play_at + window
            if valid_until:
                play_until = min(play_until, valid_until)
            day_windows.append(Window(play_at=play_at, play_until=play_until))
        if day_windows:
            windows.extend(day_windows)
            counted += 1
        day += dt.timedelta(days=1)
    return windows


def emergency_window(
    *, now: dt.datetime, repeat: int, window_minutes: int, valid_from=None, valid_until=None
) -> list[Window]:
    """Play at once (or when validity starts), repeated, interrupting whatever plays."""
    play_at = max(now, valid_from) if valid_from else now
    play_until = play_at + dt.timedelta(minutes=max(window_minutes, 1))
    if valid_until:
        if play_at >= valid_until:
            return []
        play_until = min(play_until, valid_until)
    return [Window(play_at=play_at, play_until=play_until, repeat=max(repeat, 1), preempt=True)]


def relay_windows(relay, *, start_day: dt.date, days: int) -> list[Window]:
    tz = timezone.get_current_timezone()
    windows = []
    for offset in range(days):
        day = start_day + dt.timedelta(days=offset)
        if relay.weekdays_only and day.weekday() >= 5:
            continue
        play_at = dt.datetime.combine(day, relay.start_time, tz)
        windows.append(
            Window(play_at=play_at, play_until=play_at + dt.timedelta(minutes=relay.duration_minutes))
        )
    return windows
