"""Settings of the speech pipeline, read at call time (``override_settings`` applies)."""

from __future__ import annotations

from django.conf import settings

from .normalize import DEFAULT_MAX_CHARS


def assembly_settings():
    """The :class:`~device_bridge.audio.AssemblySettings` from ``settings.TTS_AUDIO``."""
    # Imported here: scipy/PyAV cost seconds at start-up and most processes never assemble.
    from device_bridge.audio.assembly import AssemblySettings

    audio = getattr(settings, "TTS_AUDIO", {})
    defaults = AssemblySettings()
    return AssemblySettings(
        sample_rate=int(audio.get("SAMPLE_RATE", defaults.sample_rate)),
        bitrate=int(audio.get("BITRATE", defaults.bitrate)),
        target_lufs=float(audio.get("TARGET_LUFS", defaults.target_lufs)),
        true_peak_ceiling_dbtp=float(audio.get("TRUE_PEAK_DBTP", defaults.true_peak_ceiling_dbtp)),
        encoder_quality=int(audio.get("ENCODER_QUALITY", defaults.encoder_quality)),
    )


def max_chars() -> int:
    return int(getattr(settings, "TTS_MAX_CHARS", DEFAULT_MAX_CHARS))


def stale_seconds() -> int:
    return int(getattr(settings, "TTS_RENDER_STALE_SECONDS", 900))


def default_engine() -> str:
    return settings.TTS_ENGINE


#: Automatic retry of failed renders (``settings.TTS_RENDER_RETRY`` overrides any key).
RENDER_RETRY_DEFAULTS = {
    # Renders per audio before the sweeper stops retrying (the admin alert stays up).
    "MAX_ATTEMPTS": 5,
    # Wait before the 1st retry; doubled each time (60 s, 2, 4, 8 min).
    "BASE_SECONDS": 60,
    # A render queued this long was lost (the enqueue or the worker died): queue it again.
    "QUEUED_STALE_SECONDS": 300,
    # Live content published within this many days is checked for missing audio.
    "REPAIR_DAYS": 7,
}


def render_retry(name: str) -> int:
    return int(getattr(settings, "TTS_RENDER_RETRY", {}).get(name, RENDER_RETRY_DEFAULTS[name]))
