"""EBU R128 / ITU-R BS.1770 measurement and normalisation with a true-peak ceiling.

Integrated loudness is BS.1770-4: pyloudnorm's K-weighting filters, 400 ms blocks with 75 %
overlap, absolute (-70 LUFS) and relative (-10 LU) gates. The gating is vectorised here
(pyloudnorm loops over blocks in Python, 0.3 s per 4-minute bulletin, run several times per
render); the tests compare both. True peak follows BS.1770 Annex 2: 4x oversampling
(polyphase FIR) then the absolute maximum, in dBTP.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pyloudnorm
from django.utils.translation import gettext
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import firwin, upfirdn

from .errors import AudioError

OVERSAMPLING = 4
#: 48-tap interpolation low-pass (12 taps per phase), the order of the example filter in
#: ITU-R BS.1770-4 Annex 2; computed once, it is a constant of the algorithm, not a setting.
_INTERPOLATOR = (firwin(48, 1.0 / OVERSAMPLING, window=("kaiser", 8.0)) * OVERSAMPLING).astype(
    np.float32
)
#: Seconds of look-ahead/attack of the peak limiter; the same window smooths the gain so the
#: limiter never exceeds the gain a peak needs (min-filter then box-average of equal width).
LIMITER_WINDOW_SECONDS = 0.008
LIMITER_BLOCK = 16
SILENCE_FLOOR_LUFS = -70.0


@functools.lru_cache(maxsize=8)
def _k_weighting(sample_rate: int) -> list[tuple[np.ndarray, np.ndarray, float]]:
    meter = pyloudnorm.Meter(sample_rate)
    return [(stage.b, stage.a, stage.passband_gain) for stage in meter._filters.values()]


def integrated_loudness(samples: np.ndarray, sample_rate: int) -> float:
    """Gated integrated loudness (mono) in LUFS; a -70 LUFS floor for silence."""
    from scipy.signal import lfilter

    block = int(0.4 * sample_rate)
    hop = block // 4
    weighted = samples.astype(np.float64)
    if weighted.size < block:
        weighted = np.pad(weighted, (0, block - weighted.size))
    for b, a, gain in _k_weighting(sample_rate):
        weighted = gain * lfilter(b, a, weighted)
    energy = np.concatenate(([0.0], np.cumsum(weighted * weighted)))
    starts = np.arange(0, weighted.size - block + 1, hop)
    z = (energy[starts + block] - energy[starts]) / block
    with np.errstate(divide="ignore"):
        loudness = -0.691 + 10 * np.log10(z)
    gated = z[loudness >= -70.0]
    if gated.size == 0:
        return SILENCE_FLOOR_LUFS
    relative = -0.691 + 10 * math.log10(gated.mean()) - 10.0
    final = z[(loudness > relative) & (loudness >= -70.0)]
    if final.size == 0 or final.mean() <= 0:
        return SILENCE_FLOOR_LUFS
    return float(-0.691 + 10 * math.log10(final.mean()))


def _oversampled_abs(samples: np.ndarray) -> np.ndarray:
    upsampled = upfirdn(_INTERPOLATOR, samples.astype(np.float32, copy=False), up=OVERSAMPLING)
    delay = (_INTERPOLATOR.size - 1) // 2
    return np.abs(upsampled[delay : delay + samples.size * OVERSAMPLING])


def true_peak_dbtp(samples: np.ndarray, sample_rate: int) -> float:
    """True peak in dBTP (4x oversampled); ``sample_rate`` kept for signature symmetry."""
    del sample_rate
    if samples.size == 0:
        return -math.inf
    peak = float(_oversampled_abs(samples).max())
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def true_peak_envelope(samples: np.ndarray) -> np.ndarray:
    """Per-sample maximum of the 4x oversampled magnitude (scales linearly with gain)."""
    oversampled = _oversampled_abs(samples)
    oversampled = np.pad(oversampled, (0, samples.size * OVERSAMPLING - oversampled.size))
    return oversampled.reshape(-1, OVERSAMPLING).max(axis=1)


def _limit(
    samples: np.ndarray, sample_rate: int, ceiling_linear: float, envelope: np.ndarray
) -> np.ndarray:
    """Look-ahead peak limiter driven by the oversampled envelope of ``samples``.

    The gain is computed per block of :data:`LIMITER_BLOCK` samples (block peak, then
    min-filter and box-average of equal width) and held across the block: every sample
    still gets at most the gain its block's peak needs, at a sixteenth of the cost.
    """
    size = envelope.size
    blocks = np.pad(envelope, (0, (-size) % LIMITER_BLOCK)).reshape(-1, LIMITER_BLOCK).max(axis=1)
    needed = np.ones_like(blocks)
    over = blocks > ceiling_linear
    needed[over] = ceiling_linear / blocks[over]
    width = max(3, int(LIMITER_WINDOW_SECONDS * sample_rate / LIMITER_BLOCK) | 1)
    gain = uniform_filter1d(minimum_filter1d(needed, size=width, mode="nearest"), size=width)
    return (samples * np.repeat(gain, LIMITER_BLOCK)[:size]).astype(np.float32)


def normalize_loudness(
    samples: np.ndarray,
    sample_rate: int,
    *,
    target_lufs: float,
    ceiling_dbtp: float,
    headroom_db: float = 1.0,
) -> np.ndarray:
    """Bring ``samples`` to ``target_lufs`` with true peaks below ``ceiling_dbtp``.

    Speech at -16 LUFS usually peaks above -1 dBTP, so plain gain is not enough: gain,
    limit to the ceiling minus ``headroom_db`` (room for the MP3 encoder's overshoot), then
    make up the loudness the limiter took, a few times until both hold.
    """
    measured = integrated_loudness(samples, sample_rate)
    if measured <= SILENCE_FLOOR_LUFS:
        raise AudioError(gettext("Âm thanh quá nhỏ hoặc chỉ có khoảng lặng, không chuẩn hóa được."))
    ceiling = 10 ** ((ceiling_dbtp - headroom_db) / 20)
    source = samples.astype(np.float32)
    source_envelope = true_peak_envelope(source)
    gain_db = target_lufs - measured
    out = source
    previous: tuple[float, float] | None = None
    for _ in range(5):
        # Always limit the source at the accumulated gain: limiting an already limited
        # signal again would compound the distortion. The envelope scales with the gain.
        gain = 10 ** (gain_db / 20)
        out = _limit(source * np.float32(gain), sample_rate, ceiling, source_envelope * gain)
        measured = integrated_loudness(out, sample_rate)
        if abs(measured - target_lufs) <= 0.2:
            break
        # Secant step: under heavy limiting 1 dB of gain buys only ~0.5 LU.
        slope = 1.0
        if previous is not None and gain_db != previous[0]:
            slope = min(1.0, max(0.2, (measured - previous[1]) / (gain_db - previous[0])))
        previous = (gain_db, measured)
        gain_db += (target_lufs - measured) / slope
    return out
