"""Validation of device request bodies, mirroring the schemas in ``openapi.py``.

Kept hand-written and tiny: protocol endpoints must stay cheap, and every rejection names the
field so a vendor can fix their firmware from the error alone. The reason is Vietnamese: the
technician at the cluster reads it (``"volume: phải từ 0 đến 100"``).
"""

import datetime as dt

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1


class Invalid(Exception):
    """Answered as ``400 invalid`` with ``field`` and the message ``"<field>: <reason>"``."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _datetime_format() -> str:
    return _("phải là thời điểm dạng RFC 3339 (ví dụ 2026-11-26T06:00:05+07:00)")


def _one_of(choices) -> str:
    return _("phải là một trong: %(choices)s") % {"choices": ", ".join(choices)}


def _clean_text(value, field, max_length, *, required=False):
    if value is None:
        if required:
            raise Invalid(field, _("bắt buộc phải có"))
        return ""
    if not isinstance(value, str):
        raise Invalid(field, _("phải là chuỗi ký tự"))
    if len(value) > max_length:
        raise Invalid(field, _("dài tối đa %(max)s ký tự") % {"max": max_length})
    # PostgreSQL text cannot hold NUL; a device sending one gets it stripped, not a 500.
    return value.replace("\x00", "")


def _int(value, field, low, high, *, required=False):
    if value is None:
        if required:
            raise Invalid(field, _("bắt buộc phải có"))
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(field, _("phải là số nguyên"))
    if not low <= value <= high:
        raise Invalid(field, _("phải từ %(low)s đến %(high)s") % {"low": low, "high": high})
    return value


def _number(value, field, low, high):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(field, _("phải là số"))
    if not low <= value <= high:
        raise Invalid(field, _("phải từ %(low)s đến %(high)s") % {"low": low, "high": high})
    return value


def _datetime(value, field, *, required=False):
    if value is None:
        if required:
            raise Invalid(field, _("bắt buộc phải có"))
        return None
    if not isinstance(value, str):
        raise Invalid(field, _datetime_format())
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise Invalid(field, _datetime_format())
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise Invalid(field, _("phải ghi rõ độ lệch múi giờ (ví dụ 2026-11-26T06:00:05+07:00)"))
    try:
        parsed.astimezone(dt.UTC)
    except (OverflowError, ValueError) as err:
        raise Invalid(field, _("nằm ngoài khoảng thời gian biểu diễn được")) from err
    return parsed


def _object(value, field):
    if not isinstance(value, dict):
        raise Invalid(field, _("phải là một đối tượng JSON"))
    return value


HEARTBEAT_STATUSES = ("idle", "playing", "error")


def heartbeat(data: dict) -> dict:
    status = _clean_text(data.get("status"), "status", 20, required=True)
    if status not in HEARTBEAT_STATUSES:
        raise Invalid("status", _one_of(HEARTBEAT_STATUSES))
    playing = data.get("playing")
    if playing is not None:
        _object(playing, "playing")
        playing = {
            "item_id": _int(playing.get("item_id"), "playing.item_id", 1, MAX_ID, required=True),
            "started_at": _datetime(playing.get("started_at"), "playing.started_at").isoformat()
            if playing.get("started_at") is not None else None,
        }
    cleaned = {
        "status": status,
        "volume": _int(data.get("volume"), "volume", 0, 100),
        "signal_strength": _int(data.get("signal_strength"), "signal_strength", -150, 0),
        "firmware": _clean_text(data.get("firmware"), "firmware", 40),
        "temperature_c": _number(data.get("temperature_c"), "temperature_c", -50, 150),
        "uptime_seconds": _int(data.get("uptime_seconds"), "uptime_seconds", 0, MAX_ID),
        "free_storage_bytes": _int(data.get("free_storage_bytes"), "free_storage_bytes", 0, MAX_ID),
        "playing": playing,
    }
    return {key: value for key, value in cleaned.items() if value is not None and value != ""} | {
        "playing": playing
    }


RECEIPT_RESULTS = ("played", "failed", "interrupted")
MAX_RECEIPTS = 500


def receipts(data: dict) -> list[dict]:
    items = data.get("receipts")
    if not isinstance(items, list):
        raise Invalid("receipts", _("phải là một mảng"))
    if not 1 <= len(items) <= MAX_RECEIPTS:
        raise Invalid("receipts", _("phải có từ 1 đến %(max)s biên nhận") % {"max": MAX_RECEIPTS})
    cleaned = []
    for index, raw in enumerate(items):
        prefix = f"receipts[{index}]"
        _object(raw, prefix)
        result = _clean_text(raw.get("result"), f"{prefix}.result", 20, required=True)
        if result not in RECEIPT_RESULTS:
            raise Invalid(f"{prefix}.result", _one_of(RECEIPT_RESULTS))
        started = _datetime(raw.get("started_at"), f"{prefix}.started_at", required=True)
        finished = _datetime(raw.get("finished_at"), f"{prefix}.finished_at")
        if finished and finished < started:
            raise Invalid(f"{prefix}.finished_at", _("không được trước started_at"))
        cleaned.append({
            "item_id": _int(raw.get("item_id"), f"{prefix}.item_id", 1, MAX_ID, required=True),
            "started_at": started,
            "finished_at": finished,
            "result": result,
            "error": _clean_text(raw.get("error"), f"{prefix}.error", 500),
        })
    return cleaned


ACK_RESULTS = ("ok", "error")


def command_ack(data: dict) -> dict:
    result = _clean_text(data.get("result"), "result", 10, required=True)
    if result not in ACK_RESULTS:
        raise Invalid("result", _one_of(ACK_RESULTS))
    return {"result": result, "error": _clean_text(data.get("error"), "error", 2000)}
