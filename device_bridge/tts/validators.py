"""Validators shown in admin forms; messages in Vietnamese."""

from __future__ import annotations

import io
import os

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

JINGLE_EXTENSIONS = {".mp3", ".wav", ".ogg", ".oga", ".m4a", ".flac", ".opus"}
JINGLE_MAX_BYTES = 5 * 1024 * 1024
JINGLE_MAX_SECONDS = 30.0
_SILENCE_PEAK = 1e-3


def _jingle_corrupt(reason) -> ValidationError:
    return ValidationError(
        _("Tệp nhạc hiệu bị hỏng hoặc không phải âm thanh: %(reason)s"),
        code="jingle_corrupt",
        params={"reason": reason},
    )


def _jingle_too_long(seconds: float) -> ValidationError:
    return ValidationError(
        _("Nhạc hiệu dài %(seconds).0f giây, tối đa 30 giây."),
        code="jingle_length",
        params={"seconds": seconds},
    )


def _declared_seconds(container, stream) -> float | None:
    """The duration the file's headers state (stream first, then container), if any."""
    import av

    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _decoded_peak(container, stream, *, max_seconds: float) -> tuple[float, float]:
    """Decode at most ``max_seconds`` (plus one frame): (seconds decoded, peak level 0..1).

    Stops as soon as the limit is passed, so a file whose header lies about (or omits) its
    length costs no more than a 30-second decode.
    """
    import av

    resampler = av.AudioResampler(format="flt", layout="mono")
    seconds = 0.0
    peak = 0.0
    for frame in container.decode(stream):
        seconds += frame.samples / frame.sample_rate
        for out in resampler.resample(frame):
            if out.samples:
                peak = max(peak, float(abs(out.to_ndarray()).max()))
        if seconds > max_seconds:
            break
    return seconds, peak


def validate_jingle_file(value) -> None:
    """Reject what is not short, decodable audio: a corrupt upload fails here, not on air.

    The length stated in the container is checked before anything is decoded: an upload of
    half an hour of (well-compressed) FLAC is refused at once.
    """
    # Imported here so that loading models does not load PyAV.
    import av

    extension = os.path.splitext(value.name or "")[1].lower()
    if extension not in JINGLE_EXTENSIONS:
        raise ValidationError(
            _("Định dạng “%(ext)s” không được hỗ trợ; hãy tải lên MP3, WAV, OGG, M4A hoặc FLAC."),
            code="jingle_extension",
            params={"ext": extension or "?"},
        )
    if value.size and value.size > JINGLE_MAX_BYTES:
        raise ValidationError(_("Tệp nhạc hiệu quá lớn (tối đa 5 MB)."), code="jingle_size")
    position = value.tell() if hasattr(value, "tell") else 0
    try:
        value.seek(0)
        data = value.read()
    finally:
        value.seek(position)
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.error.FFmpegError, ValueError, OSError) as err:
        raise _jingle_corrupt(err) from err
    try:
        if not container.streams.audio:
            raise _jingle_corrupt(_("tệp không có luồng âm thanh"))
        stream = container.streams.audio[0]
        declared = _declared_seconds(container, stream)
        if declared is not None and declared > JINGLE_MAX_SECONDS:
            raise _jingle_too_long(declared)
        seconds, peak = _decoded_peak(container, stream, max_seconds=JINGLE_MAX_SECONDS)
    except av.error.FFmpegError as err:
        raise _jingle_corrupt(err) from err
    finally:
        container.close()
    if seconds == 0:
        raise _jingle_corrupt(_("tệp không có mẫu âm thanh nào"))
    if seconds > JINGLE_MAX_SECONDS:
        raise _jingle_too_long(seconds)
    if peak < _SILENCE_PEAK:
        raise ValidationError(_("Tệp nhạc hiệu chỉ có khoảng lặng."), code="jingle_silent")


def validate_lexicon_written(value: str) -> None:
    if value != value.strip() or not value.strip():
        raise ValidationError(
            _("Cách viết không được trống hoặc có khoảng trắng ở đầu, cuối."), code="lexicon_blank"
        )
