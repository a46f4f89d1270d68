"""Fixed-window counters in Django's cache (Redis in production) against scripted entries."""

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


def rate_limited(kind: str, key: str) -> bool:
    """Count one request of ``kind`` from ``key``; True once the window's allowance is spent."""
    allowance, window = limit_for(kind)
    cache_key = f"contests:rl:{kind}:{key}"
    if cache.add(cache_key, 1, timeout=window):
        return allowance < 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        count = 1
    return count > allowance
