"""Monitoring settings (``settings.MONITORING``), read at call time so ``override_settings`` works."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # An emergency "play now" not acknowledged by a cluster this long after it was sent alerts.
    "EMERGENCY_ACK_SECONDS": 30,
    # Failed deliveries and unacknowledged emergencies older than this are history, not alerts
    # (a first deployment does not e-mail a year of old failures).
    "ALERT_LOOKBACK_HOURS": 24,
    # How long a live "play now" may wait for a cluster to start it, and a live command lives.
    "LIVE_PLAY_MINUTES": 15,
    "LIVE_COMMAND_MINUTES": 10,
    "RELAY_MAX_MINUTES": 240,
    # The fleet map's background. Empty: no tiles, the clusters on a blank background inside
    # the outline of their area (works offline). A URL template such as
    # "https://tile.example.vn/{z}/{x}/{y}.png" also needs its origin in the admin CSP img-src.
    "MAP_TILES_URL": "",
    "MAP_TILES_ATTRIBUTION": "",
    # The result page of a live operation reloads itself this often while commands are open.
    "RESULT_REFRESH_SECONDS": 3,
    # The fleet page reloads itself this often (0: never), so a screen left open stays current.
    "FLEET_REFRESH_SECONDS": 60,
}


def setting(name: str) -> Any:
    return getattr(settings, "MONITORING", {}).get(name, DEFAULTS[name])
