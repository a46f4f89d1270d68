"""Limits on what a team may upload or link (size, type, video hosts), read at call time so
``override_settings`` works: ``JUDGING_MAX_FILE_MB`` (default 20), ``JUDGING_MAX_AUDIO_MB``
(default 30), ``JUDGING_VIDEO_HOSTS``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Extension -> the first bytes a real file of that type starts with (b"" = not checked:
# plain-text-like formats have no signature).
DOCUMENT_TYPES = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".ppt": (b"\xd0\xcf\x11\xe0",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG",),
}
AUDIO_TYPES = {
    ".mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    ".m4a": (b"ftyp",),  # at offset 4
    ".wav": (b"RIFF",),
    ".ogg": (b"OggS",),
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".doc": "application/msword",
    ".ppt": "application/vnd.ms-powerpoint",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
}
DEFAULT_VIDEO_HOSTS = (
    "youtube.com", "youtu.be", "facebook.com", "fb.watch", "tiktok.com", "vimeo.com",
    "drive.google.com",
)


def judging_limits() -> dict:
    """The limits as the contest page tells teams (the same settings the checks below read)."""
    return {
        "max_file_mb": getattr(settings, "JUDGING_MAX_FILE_MB", 20),
        "max_audio_mb": getattr(settings, "JUDGING_MAX_AUDIO_MB", 30),
        "video_hosts": ", ".join(getattr(settings, "JUDGING_VIDEO_HOSTS", DEFAULT_VIDEO_HOSTS)),
    }


def _check(upload, types: dict, max_mb: int) -> None:
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in types:
        raise ValidationError(
            _("Chỉ nhận tệp %(types)s.") % {"types": ", ".join(sorted(t[1:] for t in types))},
            code="file_type",
        )
    if upload.size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": max_mb}, code="file_size"
        )
    if getattr(upload, "_committed", False) is True:
        return  # already stored: checked when it was uploaded
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    offset = 4 if suffix == ".m4a" else 0
    if not any(head[offset:].startswith(magic) for magic in types[suffix]):
        raise ValidationError(
            _("Nội dung tệp không đúng với định dạng %(type)s.") % {"type": suffix[1:]},
            code="file_content",
        )


def validate_document(upload) -> None:
    _check(upload, DOCUMENT_TYPES, getattr(settings, "JUDGING_MAX_FILE_MB", 20))


def validate_audio(upload) -> None:
    _check(upload, AUDIO_TYPES, getattr(settings, "JUDGING_MAX_AUDIO_MB", 30))


def validate_video_url(url: str) -> None:
    parts = urlsplit(url or "")
    hosts = getattr(settings, "JUDGING_VIDEO_HOSTS", DEFAULT_VIDEO_HOSTS)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not any(host == h or host.endswith("." + h) for h in hosts):
        raise ValidationError(
            _("Đường dẫn video phải bắt đầu bằng https:// và thuộc một trong các trang: %(hosts)s.")
            % {"hosts": ", ".join(hosts)},
            code="video_url",
        )


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")
