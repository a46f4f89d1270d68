"""The one small interface every speech engine implements (bộ đọc)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext

from ..exceptions import SpeechInputError


@dataclass(frozen=True)
class Speech:
    """Mono float32 PCM in [-1, 1] and what produced it."""

    samples: np.ndarray
    sample_rate: int
    engine: str
    voice: str
    requests: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def duration_seconds(self) -> float:
        return self.samples.size / self.sample_rate


class SpeechEngine:
    """Turns normalised Vietnamese text into PCM.

    Subclasses are configured by ``TTS_ENGINES[name]["OPTIONS"]`` and built per call by
    :func:`device_bridge.tts.engines.get_engine`, so ``override_settings`` always applies.
    """

    #: Human label shown in the admin (Vietnamese).
    label = ""

    def __init__(self, *, name: str, **options):
        self.name = name
        self.options = options

    @property
    def voice(self) -> str:
        """Identifies the voice for the cache key: same text + same voice = same audio."""
        raise NotImplementedError

    def synthesize(self, text: str) -> Speech:
        """Speak ``text`` (already normalised). Raise a ``SpeechError`` subclass on failure."""
        raise NotImplementedError

    def check_text(self, text: str) -> str:
        text = text.strip()
        if not text:
            raise SpeechInputError(gettext("Không có văn bản để đọc."))
        return text
