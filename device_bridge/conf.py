"""Device bridge settings, read at call time so ``override_settings`` works in tests."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Lifetime of a signed audio URL. URLs are cut on fixed epochs of half this length so an
    # unchanged schedule keeps the same body and can be answered with 304 Not Modified.
    "AUDIO_URL_LIFETIME": 3600,
    "LONG_POLL_SECONDS": 25,
    # Only while no wake listener runs in this process (protocol/wake.py): how often a waiting
    # long-poll asks the database itself.
    "LONG_POLL_DB_RECHECK": 5.0,
    # How a command wakes long-polls in other processes: "auto" (Redis if the cache is Redis,
    # else PostgreSQL NOTIFY, else a file beside the SQLite database), "redis", "postgresql",
    # "file" or "local" (this process only).
    "LONG_POLL_WAKE": "auto",
    # The file watcher's check interval (SQLite), seconds.
    "LONG_POLL_WAKE_FILE_INTERVAL": 0.05,
    # A command handed out and not acknowledged is handed out again after this many seconds.
    "COMMAND_REDELIVERY_SECONDS": 30,
    "POLL_AFTER_SECONDS": 15,
    "MAX_ATTEMPTS": 5,
    "RETRY_BASE_SECONDS": 30,
    # Must exceed the django-q2 task timeout, or a slow but alive worker is swept twice.
    "STUCK_AFTER_SECONDS": 600,
    "EMERGENCY_REPEAT": 3,
    "AUDIO_WAIT_SECONDS": 3600,
    # Live content published this recently but never dispatched is dispatched by the sweep.
    "DISPATCH_REPAIR_SECONDS": 3600,
    "SLOT_WINDOW_MINUTES": 60,
    "RELAY_HORIZON_DAYS": 7,
    "HEARTBEAT_WRITE_SECONDS": 45,
    "ONLINE_AFTER_SECONDS": 90,
    "DEFAULT_CHANNELS": ["website", "speakers"],
    "RECEIPT_TOLERANCE_SECONDS": 300,
    # Content that found no cluster in a zone reaches a cluster joining it up to this late.
    "TARGET_JOIN_DAYS": 7,
}


def setting(name: str) -> Any:
    return getattr(settings, "DEVICE_BRIDGE", {}).get(name, DEFAULTS[name])


def channel_config() -> dict[str, dict]:
    return getattr(settings, "DEVICE_CHANNELS", {})
