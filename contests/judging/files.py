"""Serving an entry's private file: through the app only, ranges and X-Accel-Redirect included
(the same response as rendered audio, ``device_bridge.tts.http``)."""

from __future__ import annotations

from pathlib import Path

from device_bridge.tts.http import ranged_file_response

from .validators import content_type_for


def private_file_response(request, field_file, *, download_name: str):
    suffix = Path(field_file.name).suffix.lower()
    content_type = content_type_for(field_file.name)
    response = ranged_file_response(
        request, field_file, content_type=content_type,
        etag=Path(field_file.name).stem, cache="private, no-store",
    )
    inline = content_type.startswith(("audio/", "image/")) or suffix == ".pdf"
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{download_name}{suffix}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
