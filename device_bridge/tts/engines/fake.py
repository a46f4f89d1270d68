"""A recording engine for tests and demo mode: a tone per word, no network, no library."""

from __future__ import annotations

import threading

import numpy as np
from django.utils.translation import gettext, gettext_lazy

from ..exceptions import EngineUnavailable
from .base import Speech, SpeechEngine


class FakeEngine(SpeechEngine):
    """Records every text it is asked to speak in the class-level :attr:`calls` list.

    Options: ``SAMPLE_RATE`` (16000), ``FAIL`` (raise :class:`EngineUnavailable` when true,
    to exercise fallback and the failed state).
    """

    label = gettext_lazy("Bộ đọc giả lập (kiểm thử)")
    calls: list[dict] = []
    _lock = threading.Lock()

    @property
    def voice(self) -> str:
        return f"fake-{self.options.get('SAMPLE_RATE', 16000)}"

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.calls.clear()

    def synthesize(self, text: str) -> Speech:
        text = self.check_text(text)
        with self._lock:
            self.calls.append({"engine": self.name, "text": text})
        if self.options.get("FAIL"):
            raise EngineUnavailable(gettext("Bộ đọc giả lập được cấu hình để lỗi."), status=503)
        rate = int(self.options.get("SAMPLE_RATE", 16000))
        # 0.25 s of a voiced-sounding tone per word, so durations scale like speech.
        words = text.split()
        t = np.arange(int(0.25 * rate), dtype=np.float32) / rate
        pieces = []
        for index, _word in enumerate(words):
            frequency = 180.0 + 40.0 * (index % 5)
            envelope = np.sin(np.pi * t / t[-1]) if t.size > 1 else t
            pieces.append(0.3 * envelope * np.sin(2 * np.pi * frequency * t))
            pieces.append(np.zeros(int(0.05 * rate), dtype=np.float32))
        samples = np.concatenate(pieces).astype(np.float32)
        return Speech(samples=samples, sample_rate=rate, engine=self.name, voice=self.voice)
