"""Validators shown in admin forms; messages in Vietnamese."""

from __future__ import annotations

import os

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

JINGLE_EXTENSIONS = {".mp3", ".wav", ".ogg", ".oga", ".m4a", ".flac", ".opus"}
JINGLE_MAX_BYTES = 5 * 1024 * 1024
JINGLE_MAX_SECONDS = 30.0
_PROBE_RATE = 16000


def validate_jingle_file(value) -> None:
    """Reject what is not short, decodable audio: a corrupt upload fails here, not on air."""
    # Imported here so that loading models does not load PyAV and scipy.
    from device_bridge.audio.codec import decode_to_mono
    from device_bridge.audio.errors import AudioDecodeError

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
        samples = decode_to_mono(data, sample_rate=_PROBE_RATE)
    except AudioDecodeError as err:
        raise ValidationError(
            _("Tệp nhạc hiệu bị hỏng hoặc không phải âm thanh: %(reason)s"),
            code="jingle_corrupt",
            params={"reason": err},
        ) from err
    seconds = samples.size / _PROBE_RATE
    if seconds > JINGLE_MAX_SECONDS:
        raise ValidationError(
            _("Nhạc hiệu dài %(seconds).0f giây, tối đa 30 giây."),
            code="jingle_length",
            params={"seconds": seconds},
        )
    if float(abs(samples).max()) < 1e-3:
        raise ValidationError(_("Tệp nhạc hiệu chỉ có khoảng lặng."), code="jingle_silent")


def validate_lexicon_written(value: str) -> None:
    if value != value.strip() or not value.strip():
        raise ValidationError(
            _("Cách viết không được trống hoặc có khoảng trắng ở đầu, cuối."), code="lexicon_blank"
        )
