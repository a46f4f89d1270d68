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
