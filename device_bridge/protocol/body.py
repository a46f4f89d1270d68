"""Reading a device request body: one UTF-8 JSON object, bounded in size and nesting depth.

Every POST endpoint reads its body here, so anything else is answered in the protocol's error
shape before it reaches validation or the database: deep nesting used to overflow the JSON
parser's recursion, and a lone surrogate (``"\\ud800"``) parses in Python but cannot be encoded
as UTF-8, so SQLite and PostgreSQL both failed on it.
"""

import json
import math

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _

from .errors import error_response

#: 500 receipts with long error texts stay well below this; a body above it is refused unread.
MAX_BODY_BYTES = 1024 * 1024
#: The protocol's deepest body (receipts → list → receipt) is 3 levels; unknown fields may nest
#: a little, nothing legitimate nests this deep.
MAX_DEPTH = 32
#: Ids and counters are at most 19 digits (2**63 - 1); longer literals are refused before
#: Python converts them.
MAX_INTEGER_DIGITS = 40


class _Refused(ValueError):
    """A JSON text that parses in Python but is not one the protocol accepts."""


def _refuse_constant(name: str):
    raise _Refused(_("%(name)s không phải giá trị JSON hợp lệ; hãy gửi một số hữu hạn hoặc null.")
                   % {"name": name})


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(_("Số %(text)s vượt quá giới hạn của số thực.") % {"text": text[:40]})
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _Refused(_("Số nguyên dài quá %(max)s chữ số.") % {"max": MAX_INTEGER_DIGITS})
    return int(text)


def _unique_keys(pairs: list[tuple]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        # Two parsers may keep different copies of a duplicated key; refuse the ambiguity.
        seen = set()
        for key, _value in pairs:
            if key in seen:
                raise _Refused(_("Khóa “%(key)s” xuất hiện hai lần trong cùng một đối tượng.")
                               % {"key": _printable(key)})
            seen.add(key)
    return result


def _printable(text: str) -> str:
    return text[:40].encode("utf-8", "backslashreplace").decode("utf-8")


def _check_tree(data) -> None:
    """Refuse nesting deeper than MAX_DEPTH and strings UTF-8 cannot encode (iteratively)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError as err:
                raise _Refused(_("Chuỗi “%(text)s” chứa ký tự thay thế UTF-16 đơn lẻ (\\ud800–\\udfff), "
                                 "không biểu diễn được bằng UTF-8.") % {"text": _printable(node)}) from err
        elif isinstance(node, dict | list):
            if depth > MAX_DEPTH:
                raise _Refused(_("JSON lồng sâu quá %(max)s cấp.") % {"max": MAX_DEPTH})
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
            if isinstance(node, dict):
                stack.extend((key, depth) for key in node)


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def json_body(request) -> tuple[dict | None, JsonResponse | None]:
    """``(data, None)`` for a valid body, ``(None, error response)`` otherwise."""
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type and content_type != "application/json":
        return None, error_response("unsupported_media_type")
    if _content_length(request) > MAX_BODY_BYTES:
        return None, error_response("body_too_large", limit=MAX_BODY_BYTES)
    try:
        raw = request.body
    except RequestDataTooBig:  # DATA_UPLOAD_MAX_MEMORY_SIZE set below our own limit
        return None, error_response("body_too_large", limit=MAX_BODY_BYTES)
    if len(raw) > MAX_BODY_BYTES:
        return None, error_response("body_too_large", limit=MAX_BODY_BYTES)
    if not raw.strip():
        return None, _malformed(_("Nội dung trống; hãy gửi một đối tượng JSON."))
    try:
        # Decoded strictly ourselves: json.loads(bytes) would also guess UTF-16 and UTF-32.
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return None, _malformed(_("Nội dung không phải UTF-8 hợp lệ (byte sai ở vị trí %(position)s).")
                                % {"position": err.start})
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float,
                          parse_int=_bounded_int, object_pairs_hook=_unique_keys)
        _check_tree(data)
    except RecursionError:
        return None, _malformed(_("JSON lồng sâu quá %(max)s cấp.") % {"max": MAX_DEPTH})
    except _Refused as err:
        return None, _malformed(str(err))
    except json.JSONDecodeError as err:
        return None, _malformed(_("JSON sai cú pháp ở dòng %(line)s, cột %(column)s.")
                                % {"line": err.lineno, "column": err.colno})
    if not isinstance(data, dict):
        return None, _malformed(_("Nội dung phải là một đối tượng JSON ({...})."))
    return data, None


def _malformed(message: str) -> JsonResponse:
    return error_response("malformed_json", message)
