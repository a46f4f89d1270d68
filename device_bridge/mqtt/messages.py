"""Reading what clusters publish: one bounded UTF-8 JSON object, validated like HTTP bodies.

Anything else raises :class:`Malformed`; the bridge logs it and drops it. Nothing a cluster
publishes is trusted beyond what these checks let through (docs/device-protocol-mqtt.md §4).
"""

import json

from ..protocol import body, validation


class Malformed(Exception):
    """A message that is not what the protocol allows; dropped, never stored."""


def json_object(raw: bytes, *, max_bytes: int) -> dict:
    if len(raw) > max_bytes:
        raise Malformed(f"message of {len(raw)} bytes exceeds {max_bytes}")
    try:
        text = raw.decode("utf-8")
        # The HTTP body's parser rules: no NaN/Infinity, bounded numbers, no duplicate keys.
        data = json.loads(text, parse_constant=body._refuse_constant, parse_float=body._finite_float,
                          parse_int=body._bounded_int, object_pairs_hook=body._unique_keys)
        body._check_tree(data)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise Malformed(f"not a JSON object: {err}") from err
    if not isinstance(data, dict):
        raise Malformed("not a JSON object")
    return data


def status(raw: bytes, *, max_bytes: int) -> dict:
    """A status message: ``{"online": false}`` (the last will) or a heartbeat with ``online``."""
    data = json_object(raw, max_bytes=max_bytes)
    online = data.get("online")
    if not isinstance(online, bool):
        raise Malformed("online: must be true or false")
    if not online:
        return {"online": False}
    try:
        return {"online": True, **validation.heartbeat(data)}
    except validation.Invalid as err:
        raise Malformed(str(err)) from err


def ack(raw: bytes, *, max_bytes: int) -> dict:
    """``{"id": <command id>, "result": "ok"|"error", "error": "..."}``."""
    data = json_object(raw, max_bytes=max_bytes)
    command_id = data.get("id")
    if isinstance(command_id, bool) or not isinstance(command_id, int) or not (
        1 <= command_id <= validation.MAX_ID
    ):
        raise Malformed("id: must be a command id")
    try:
        return {"id": command_id, **validation.command_ack(data)}
    except validation.Invalid as err:
        raise Malformed(str(err)) from err
