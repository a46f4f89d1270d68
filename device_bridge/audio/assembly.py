"""Intro jingle + speech + outro jingle, trimmed, loudness-normalised, encoded as MP3."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass

import numpy as np
from django.utils.translation import gettext

from . import dsp
from .codec import decode_to_mono, encode_mp3
from .errors import AudioError
from .loudness import integrated_loudness, normalize_loudness, true_peak_dbtp

#: Bumped when the assembly algorithm changes audibly, so cached audio is re-rendered.
ASSEMBLY_VERSION = 1


@dataclass(frozen=True)
class AssemblySettings:
    sample_rate: int = 24000
    bitrate: int = 64000
    #: LAME quality, 0 (slowest) to 9; 7 halves encoding time and is transparent for speech
    #: at 64 kbit/s on horn loudspeakers.
    encoder_quality: int = 7
    target_lufs: float = -16.0
    true_peak_ceiling_dbtp: float = -1.0
    pause_seconds: float = 0.35
    silence_threshold_db: float = -50.0
    jingle_level_lu: float = -3.0

    def fingerprint(self) -> str:
        payload = json.dumps({**asdict(self), "version": ASSEMBLY_VERSION}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class AssembledAudio:
    """An encoded broadcast file and what was measured on its decoded samples."""

    mp3: bytes
    sample_rate: int
    channels: int
    duration_seconds: float
    loudness_lufs: float
    true_peak_dbtp: float
    bitrate: int


def _at_level(part: np.ndarray, sample_rate: int, level_lufs: float) -> np.ndarray:
    measured = integrated_loudness(part, sample_rate)
    return (part * np.float32(10 ** ((level_lufs - measured) / 20))).astype(np.float32)


def assemble_broadcast(
    speech: np.ndarray,
    speech_rate: int,
    *,
    settings: AssemblySettings,
    intro: np.ndarray | None = None,
    outro: np.ndarray | None = None,
) -> AssembledAudio:
    """Build the broadcast MP3. ``intro``/``outro`` are mono PCM at ``settings.sample_rate``."""
    rate = settings.sample_rate
    voice = dsp.trim_silence(
        dsp.resample(np.asarray(speech, dtype=np.float32), speech_rate, rate),
        rate,
        threshold_db=settings.silence_threshold_db,
    )
    if voice.size < rate // 10:
        raise AudioError(gettext("Bộ đọc không tạo ra tiếng nói nào (chỉ có khoảng lặng)."))
    voice = dsp.fade(voice, rate)
    parts: list[np.ndarray] = []
    jingle_level = settings.target_lufs + settings.jingle_level_lu
    for jingle, position in ((intro, "intro"), (outro, "outro")):
        if jingle is None:
            continue
        trimmed = dsp.trim_silence(jingle, rate, threshold_db=settings.silence_threshold_db)
        if trimmed.size == 0:
            raise AudioError(gettext("Nhạc hiệu chỉ có khoảng lặng."))
        leveled = dsp.fade(_at_level(trimmed, rate, jingle_level), rate)
        if position == "intro":
            parts += [leveled, dsp.silence(settings.pause_seconds, rate)]
        else:
            parts += [dsp.silence(settings.pause_seconds, rate), leveled]
    voice = _at_level(voice, rate, settings.target_lufs)
    insert_at = 2 if intro is not None else 0
    parts.insert(insert_at, voice)
    program = np.concatenate(parts)
    program = normalize_loudness(
        program,
        rate,
        target_lufs=settings.target_lufs,
        ceiling_dbtp=settings.true_peak_ceiling_dbtp,
    )
    return _encode_within_ceiling(program, settings)


@functools.lru_cache(maxsize=16)
def encoder_gain_db(sample_rate: int, bitrate: int, quality: int) -> float:
    """Level change of an encode/decode round trip, measured on a 1 kHz tone.

    FFmpeg's libmp3lame path comes out about 0.45 dB quieter at every frequency (measured
    with PyAV 18 / LAME 3.100); measuring it once per encoder setup saves a second full
    encode of every bulletin.
    """
    t = np.arange(sample_rate * 2, dtype=np.float64) / sample_rate
    tone = (0.25 * np.sin(2 * np.pi * 1000.0 * t)).astype(np.float32)
    decoded = decode_to_mono(
        encode_mp3(tone, sample_rate=sample_rate, bitrate=bitrate, quality=quality),
        sample_rate=sample_rate,
    )
    middle = slice(sample_rate // 2, sample_rate * 3 // 2)
    rms_in = float(np.sqrt(np.mean(tone[middle].astype(np.float64) ** 2)))
    rms_out = float(np.sqrt(np.mean(decoded[middle].astype(np.float64) ** 2)))
    if rms_out <= 0:
        raise AudioError(gettext("Bộ mã hóa MP3 không tạo ra âm thanh."))
    return 20 * np.log10(rms_out / rms_in)


def _encode_within_ceiling(program: np.ndarray, settings: AssemblySettings) -> AssembledAudio:
    """Encode, then measure the decoded MP3 and correct once or twice.

    The encoder low-passes (about -0.5 LU on eSpeak's bright voice) and can overshoot peaks,
    so the numbers stored with the audio are measured on what the speakers will decode.
    """
    rate = settings.sample_rate
    ceiling = settings.true_peak_ceiling_dbtp
    compensation = -encoder_gain_db(rate, settings.bitrate, settings.encoder_quality)
    program = (program * np.float32(10 ** (compensation / 20))).astype(np.float32)
    for attempt in range(3):
        mp3 = encode_mp3(
            program, sample_rate=rate, bitrate=settings.bitrate, quality=settings.encoder_quality
        )
        decoded = decode_to_mono(mp3, sample_rate=rate)
        peak = true_peak_dbtp(decoded, rate)
        loudness = integrated_loudness(decoded, rate)
        peak_ok = peak <= ceiling - 0.05
        # Raise towards the target only as far as the ceiling allows; lower for peaks.
        correction = min(settings.target_lufs - loudness, ceiling - 0.15 - peak)
        if peak_ok and (abs(settings.target_lufs - loudness) <= 0.3 or correction <= 0.05):
            return AssembledAudio(
                mp3=mp3,
                sample_rate=rate,
                channels=1,
                duration_seconds=decoded.size / rate,
                loudness_lufs=round(loudness, 2),
                true_peak_dbtp=round(peak, 2),
                bitrate=settings.bitrate,
            )
        if attempt == 2:
            break
        program = (program * np.float32(10 ** (correction / 20))).astype(np.float32)
    raise AudioError(gettext("Không giữ được đỉnh thực dưới ngưỡng cho phép sau khi mã hóa MP3."))
