"""The station's default intro/outro: a short synthesised chime (nhạc hiệu mặc định).

Struck-bell partials with exponential decay, a major arpeggio up for the intro and down for
the outro. Generated, so the repository ships no binary and every install sounds the same.
"""

from __future__ import annotations

import numpy as np

# C5, E5, G5, C6: a plain major arpeggio reads as "announcement" in any culture.
_NOTES_HZ = (523.25, 659.25, 783.99, 1046.50)
#: Inharmonic-ish partials (relative frequency, relative amplitude) of a soft bell.
_PARTIALS = ((1.0, 1.0), (2.0, 0.45), (2.76, 0.2), (5.4, 0.06))


def _bell(frequency: float, seconds: float, sample_rate: int) -> np.ndarray:
    t = np.arange(int(seconds * sample_rate), dtype=np.float64) / sample_rate
    tone = np.zeros_like(t)
    for ratio, amplitude in _PARTIALS:
        decay = 3.0 + 2.5 * ratio
        tone += amplitude * np.exp(-decay * t) * np.sin(2 * np.pi * frequency * ratio * t)
    attack = min(t.size, int(0.004 * sample_rate))
    tone[:attack] *= np.linspace(0.0, 1.0, attack)
    return tone


def chime(sample_rate: int, *, ascending: bool = True, step_seconds: float = 0.22) -> np.ndarray:
    """Mono float32 chime of about 1.6 s, peak at -6 dBFS (loudness is set later)."""
    notes = _NOTES_HZ if ascending else tuple(reversed(_NOTES_HZ))
    ring = 1.0
    total = int((step_seconds * (len(notes) - 1) + ring) * sample_rate)
    out = np.zeros(total, dtype=np.float64)
    for index, frequency in enumerate(notes):
        start = int(index * step_seconds * sample_rate)
        bell = _bell(frequency, ring, sample_rate)
        out[start : start + bell.size] += bell * (0.8 if index < len(notes) - 1 else 1.0)
    out *= 0.5 / np.max(np.abs(out))
    return out.astype(np.float32)


def default_intro(sample_rate: int) -> np.ndarray:
    return chime(sample_rate, ascending=True)


def default_outro(sample_rate: int) -> np.ndarray:
    return chime(sample_rate, ascending=False)
