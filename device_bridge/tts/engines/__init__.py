"""Speech engines, chosen by ``settings.TTS_ENGINES`` and resolved at call time.

``TTS_ENGINES = {"gtts": {"CLASS": "dotted.path", "OPTIONS": {...}}, ...}``;
``TTS_ENGINE`` names the default, ``TTS_FALLBACK`` the engine used when it is unavailable.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from ..exceptions import EngineConfigurationError
from .base import Speech, SpeechEngine

__all__ = ["Speech", "SpeechEngine", "engine_names", "fallback_name", "get_engine"]


def engine_names() -> list[str]:
    return list(getattr(settings, "TTS_ENGINES", {}))


def get_engine(name: str | None = None) -> SpeechEngine:
    name = name or settings.TTS_ENGINE
    config = getattr(settings, "TTS_ENGINES", {}).get(name)
    if config is None:
        raise EngineConfigurationError(
            gettext("Không có bộ đọc “%(name)s” trong TTS_ENGINES.") % {"name": name}
        )
    try:
        engine_class = import_string(config["CLASS"])
    except (ImportError, KeyError) as err:
        raise EngineConfigurationError(
            gettext("Không nạp được bộ đọc “%(name)s”: %(error)s") % {"name": name, "error": err}
        ) from err
    return engine_class(name=name, **config.get("OPTIONS", {}))


def fallback_name(primary: str) -> str | None:
    """The engine to try when ``primary`` is unavailable, or ``None``.

    ``TTS_FALLBACK`` may be ``False`` (never), ``True`` (the ``FALLBACK`` key of the primary's
    config, default ``"espeak"``) or an engine name.
    """
    setting = getattr(settings, "TTS_FALLBACK", True)
    if not setting:
        return None
    if isinstance(setting, str):
        candidate = setting
    else:
        candidate = getattr(settings, "TTS_ENGINES", {}).get(primary, {}).get("FALLBACK", "espeak")
    if not candidate or candidate == primary or candidate not in engine_names():
        return None
    return candidate
