"""Decoding and encoding through PyAV, whose wheel carries FFmpeg (no system ffmpeg needed)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np
from django.utils.translation import gettext

from .errors import AudioDecodeError

#: Decoding more than this is refused: a jingle or a bulletin is minutes long, not hours.
MAX_DECODE_SECONDS = 2 * 60 * 60


@dataclass(frozen=True)
class StreamInfo:
    """What a decoder reports about an audio file."""

    codec: str
    sample_rate: int
    channels: int
    duration_seconds: float


def _open(source: bytes | str | Path | BinaryIO):
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    try:
        return av.open(source if not isinstance(source, Path) else str(source), mode="r")
    except (av.error.FFmpegError, ValueError, OSError) as err:
        raise AudioDecodeError(
            gettext("Không đọc được tệp âm thanh: %(error)s") % {"error": err}
        ) from err


def decode_to_mono(source: bytes | str | Path | BinaryIO, *, sample_rate: int) -> np.ndarray:
    """Decode any FFmpeg-readable audio to mono float32 PCM at ``sample_rate``."""
    container = _open(source)
    try:
        if not container.streams.audio:
            raise AudioDecodeError(gettext("Tệp không có luồng âm thanh."))
        stream = container.streams.audio[0]
        resampler = None
        pieces: list[np.ndarray] = []
        total = 0
        limit = MAX_DECODE_SECONDS * sample_rate
        for frame in container.decode(stream):
            # Fast path: mono float at the wanted rate needs no resampler (MP3 decoders
            # output planar float); anything else goes through FFmpeg's swresample.
            if (
                resampler is None
                and frame.sample_rate == sample_rate
                and frame.layout.nb_channels == 1
                and frame.format.name in {"fltp", "flt"}
            ):
                chunk = frame.to_ndarray().reshape(-1)
                pieces.append(chunk)
                total += chunk.size
            else:
                resampler = resampler or av.AudioResampler(
                    format="flt", layout="mono", rate=sample_rate
                )
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    pieces.append(chunk)
                    total += chunk.size
            if total > limit:
                raise AudioDecodeError(gettext("Tệp âm thanh dài quá mức cho phép."))
        if resampler is not None:
            for out in resampler.resample(None):
                pieces.append(out.to_ndarray().reshape(-1))
    except av.error.FFmpegError as err:
        raise AudioDecodeError(gettext("Tệp âm thanh bị hỏng: %(error)s") % {"error": err}) from err
    finally:
        container.close()
    if not pieces:
        raise AudioDecodeError(gettext("Tệp âm thanh không có mẫu nào."))
    samples = np.concatenate(pieces).astype(np.float32, copy=False)
    if samples.size == 0:
        raise AudioDecodeError(gettext("Tệp âm thanh không có mẫu nào."))
    return samples


def probe(source: bytes | str | Path | BinaryIO) -> StreamInfo:
    """Codec, rate, channels and decoded duration (frames are counted, not trusted headers)."""
    container = _open(source)
    try:
        if not container.streams.audio:
            raise AudioDecodeError(gettext("Tệp không có luồng âm thanh."))
        stream = container.streams.audio[0]
        samples = 0
        for frame in container.decode(stream):
            samples += frame.samples
        return StreamInfo(
            codec=stream.codec_context.name,
            sample_rate=stream.codec_context.sample_rate,
            channels=stream.codec_context.channels,
            duration_seconds=samples / stream.codec_context.sample_rate,
        )
    except av.error.FFmpegError as err:
        raise AudioDecodeError(gettext("Tệp âm thanh bị hỏng: %(error)s") % {"error": err}) from err
    finally:
        container.close()


def encode_mp3(samples: np.ndarray, *, sample_rate: int, bitrate: int, quality: int = 7) -> bytes:
    """Encode mono float PCM in [-1, 1] to a constant-bitrate MP3 (libmp3lame)."""
    buffer = io.BytesIO()
    container = av.open(buffer, mode="w", format="mp3")
    stream = container.add_stream("libmp3lame", rate=sample_rate)
    stream.layout = "mono"
    stream.bit_rate = bitrate
    # FFmpeg's libmp3lame maps compression_level to LAME's -q (algorithm quality).
    stream.codec_context.options = {"compression_level": str(quality)}
    pcm = np.clip(samples, -1.0, 1.0).astype(np.float32).reshape(1, -1)
    frame_size = 1152 * 16
    pts = 0
    for start in range(0, pcm.shape[1], frame_size):
        chunk = np.ascontiguousarray(pcm[:, start : start + frame_size])
        frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
        frame.sample_rate = sample_rate
        frame.pts = pts
        frame.time_base = Fraction(1, sample_rate)
        pts += chunk.shape[1]
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()
    return buffer.getvalue()
