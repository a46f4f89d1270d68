"""Serving stored audio with HTTP range requests (RFC 9110 §14), which players seek with."""

from __future__ import annotations

import re
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _stream(field_file, start: int, length: int):
    with field_file.open("rb") as handle:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data


def _parse_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """``(start, end)`` inclusive; ``None`` when absent/ignored; ``False`` if unsatisfiable."""
    match = _RANGE.match(header.strip()) if header else None
    if not match:
        return None  # absent, multi-range or other units: answer the whole file
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0:
            return False
        return max(0, size - suffix), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return False
    return start, end


def ranged_file_response(request, field_file, *, content_type: str, etag: str, cache: str):
    size = field_file.size
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": f'"{etag}"',
        "Cache-Control": cache,
    }
    if request.headers.get("If-None-Match", "").strip('"') == etag:
        return HttpResponse(status=304, headers=headers)
    accel_prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    if accel_prefix:
        # nginx serves the file from its ``internal`` location, ranges included; the headers
        # set here (type, caching) are kept. The path is only reachable through this view.
        location = accel_prefix.rstrip("/") + "/" + quote(field_file.name)
        return HttpResponse(
            content_type=content_type, headers={**headers, "X-Accel-Redirect": location}
        )
    requested = _parse_range(request.headers.get("Range", ""), size)
    if_range = request.headers.get("If-Range")
    if requested and if_range and if_range.strip('"') != etag:
        requested = None
    if requested is False:
        return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    if requested is None:
        start, end, status = 0, size - 1, 200
    else:
        (start, end), status = requested, 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    length = end - start + 1
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return HttpResponse(status=status, content_type=content_type, headers=headers)
    return StreamingHttpResponse(
        _stream(field_file, start, length),
        status=status,
        content_type=content_type,
        headers=headers,
    )
