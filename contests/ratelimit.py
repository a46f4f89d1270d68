"""Fixed-window counters in Django's cache (Redis in production) against scripted entries.

Each surface counts apart: the site's forms (``"site"``: the quiz and the judged contests'
pages) and the JSON API (``"api"``) have their own counters for the same kind and key, with the
same allowance each, so a resident who registers on the web site and plays in the app is not
refused by the sum of the two.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

DEFAULT_LIMITS = {
    # (requests, seconds). Per address generously: a whole village may register from the
    # cultural house's Wi-Fi (one address behind NAT) during a contest evening.
    "register_ip": (100, 600),
    "register_phone": (10, 600),
    "submit_ip": (120, 60),
}


def limit_for(kind: str) -> tuple[int, int]:
    return {**DEFAULT_LIMITS, **getattr(settings, "CONTESTS_RATE_LIMITS", {})}[kind]


SURFACES = ("site", "api")


def rate_limited(kind: str, key: str, *, surface: str = "site") -> bool:
    """Count one request of ``kind`` from ``key`` on ``surface``; True once that surface's
    allowance for the window is spent."""
    if surface not in SURFACES:
        raise ValueError(f"unknown rate-limit surface {surface!r}")
    allowance, window = limit_for(kind)
    cache_key = f"contests:rl:{surface}:{kind}:{key}"
    if cache.add(cache_key, 1, timeout=window):
        return allowance < 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        count = 1
    return count > allowance
