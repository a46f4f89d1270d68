"""Small signal helpers: resampling, silence trimming, joining with pauses."""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import resample_poly


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    if source_rate == target_rate:
        return samples.astype(np.float32, copy=False)
    divisor = math.gcd(source_rate, target_rate)
    return resample_poly(samples, target_rate // divisor, source_rate // divisor).astype(np.float32)


def trim_silence(
    samples: np.ndarray,
    sample_rate: int,
    *,
    threshold_db: float = -50.0,
    keep_seconds: float = 0.08,
) -> np.ndarray:
    """Cut leading and trailing audio quieter than ``threshold_db`` (10 ms RMS windows)."""
    window = max(1, int(sample_rate * 0.01))
    usable = samples.size // window * window
    if usable == 0:
        return samples[:0]
    rms = np.sqrt(np.mean(samples[:usable].reshape(-1, window).astype(np.float64) ** 2, axis=1))
    loud = np.nonzero(rms > 10 ** (threshold_db / 20))[0]
    if loud.size == 0:
        return samples[:0]
    keep = int(keep_seconds * sample_rate)
    start = max(0, loud[0] * window - keep)
    end = min(samples.size, (loud[-1] + 1) * window + keep)
    return samples[start:end]


def silence(seconds: float, sample_rate: int) -> np.ndarray:
    return np.zeros(int(round(seconds * sample_rate)), dtype=np.float32)


def fade(samples: np.ndarray, sample_rate: int, *, seconds: float = 0.01) -> np.ndarray:
    """Short fade in/out so cut edges do not click."""
    n = min(int(seconds * sample_rate), samples.size // 2)
    if n <= 0:
        return samples
    ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
    out = samples.astype(np.float32, copy=True)
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out
