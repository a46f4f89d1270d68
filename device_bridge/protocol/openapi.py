"""The OpenAPI 3.1 document of device protocol v1, served at ``/api/devices/v1/openapi.json``.

``validation.py`` enforces the same bounds; the contract tests check the two agree.
"""

from django.conf import settings

from ..fleet.services import RECEIPT_REJECTIONS
from .body import MAX_BODY_BYTES, MAX_DEPTH
from .errors import ERRORS

MAX_ID = 2**63 - 1
#: The revision of protocol v1 this server speaks; 1.1 only adds to 1.0 (same base path).
PROTOCOL_VERSION = "1.1"
DATE_TIME = {"type": "string", "format": "date-time"}


def _error(description: str, *codes: str) -> dict:
    """An error answer: the Error body with ``code`` limited to ``codes``."""
    unknown = set(codes) - set(ERRORS)
    assert not unknown, unknown
    schema = {"allOf": [{"$ref": "#/components/schemas/Error"},
                        {"properties": {"error": {"properties": {"code": {"enum": list(codes)}}}}}]}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _header(description: str, schema: dict | None = None) -> dict:
    return {"description": description, "schema": schema or {"type": "string"}}


ETAG = _header("The schedule's version in quotes, `\"<version>\"`. Send it back in "
               "`If-None-Match`; it changes whenever the list this cluster would be served "
               "changes (items added, withdrawn, played, a window closed) and when the audio "
               "URLs roll over.")
UNAUTHORIZED = _error("`unauthorized`: missing, wrong or revoked token, or the cluster is inactive.",
                      "unauthorized")
UNAUTHORIZED["headers"] = {"WWW-Authenticate": _header('Always `Bearer realm="ttcs-devices"`.')}
BAD_REQUEST = _error(
    "`malformed_json`: the body is not one UTF-8 JSON object (syntax, encoding, lone surrogate, "
    f"NaN/Infinity, a number out of range, duplicate keys, nesting deeper than {MAX_DEPTH}); "
    "or `invalid`: a field is missing or out of bounds and `error.field` names it.",
    "malformed_json", "invalid",
)
TOO_LARGE = _error(f"`body_too_large`: the body exceeds {MAX_BODY_BYTES} bytes.", "body_too_large")
UNSUPPORTED = _error("`unsupported_media_type`: the body is not application/json.",
                     "unsupported_media_type")
WRONG_METHOD = _error("`method_not_allowed`: the `Allow` header names the method to use.",
                      "method_not_allowed")
WRONG_METHOD["headers"] = {"Allow": _header("The method(s) this path accepts.")}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "enum": list(ERRORS),
                             "description": "Stable within v1; firmware acts on it."},
                    "message": {"type": "string",
                                "description": "Vietnamese, for the technician; may be reworded."},
                    "field": {"type": "string",
                              "description": "`invalid` only: the field at fault, e.g. "
                                             "`receipts[2].started_at`."},
                },
            }
        },
    },
    "Audio": {
        "type": "object",
        "required": ["url", "expires_at", "size_bytes", "sha256", "duration_seconds"],
        "properties": {
            "url": {"type": "string", "format": "uri",
                    "description": "Signed, expiring, bound to this cluster. GET with the token."},
            "expires_at": DATE_TIME,
            "size_bytes": {"type": ["integer", "null"], "minimum": 0},
            "sha256": {"type": "string", "description": "Hex SHA-256 of the MP3 file."},
            "duration_seconds": {"type": ["number", "null"]},
        },
    },
    "ScheduleItem": {
        "type": "object",
        "required": ["id", "kind", "title", "priority", "rank", "play_at", "play_until",
                     "repeat", "preempt", "audio", "stream_url"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["bulletin", "relay"]},
            "title": {"type": "string"},
            "priority": {"type": "string", "enum": ["thuong", "uu_tien", "khan_cap"]},
            "rank": {"type": "integer", "description": "Lower plays first within a slot."},
            "play_at": DATE_TIME,
            "play_until": DATE_TIME,
            "repeat": {"type": "integer", "minimum": 1},
            "preempt": {"type": "boolean", "description": "Interrupt whatever is playing."},
            "audio": {"oneOf": [{"$ref": "#/components/schemas/Audio"}, {"type": "null"}]},
            "stream_url": {"type": ["string", "null"]},
        },
    },
    "Schedule": {
        "type": "object",
        "required": ["cluster", "version", "server_time", "poll_after_seconds", "items"],
        "properties": {
            "cluster": {"type": "string"},
            "version": {"type": "string"},
            "server_time": DATE_TIME,
            "poll_after_seconds": {"type": "integer"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/ScheduleItem"}},
        },
    },
    "Heartbeat": {
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": {"type": "string", "enum": ["idle", "playing", "error"]},
            "volume": {"type": "integer", "minimum": 0, "maximum": 100},
            "signal_strength": {"type": "integer", "minimum": -150, "maximum": 0,
                                "description": "Received signal strength, dBm."},
            "firmware": {"type": "string", "maxLength": 40},
            "temperature_c": {"type": "number", "minimum": -50, "maximum": 150},
            "uptime_seconds": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
            "free_storage_bytes": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
            "playing": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["item_id"],
                        "properties": {
                            "item_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                            "started_at": DATE_TIME,
                        },
                    },
                ]
            },
        },
    },
    "HeartbeatAck": {
        "type": "object",
        "required": ["server_time", "schedule_version", "poll_after_seconds"],
        "properties": {
            "server_time": DATE_TIME,
            "schedule_version": {"type": "string",
                                 "description": "Differs from the last schedule's `version`: "
                                                "fetch the schedule now."},
            "poll_after_seconds": {"type": "integer"},
        },
    },
    "Receipt": {
        "type": "object",
        "required": ["item_id", "started_at", "result"],
        "properties": {
            "item_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "started_at": DATE_TIME,
            "finished_at": {"oneOf": [DATE_TIME, {"type": "null"}]},
            "result": {"type": "string", "enum": ["played", "failed", "interrupted"]},
            "error": {"type": "string", "maxLength": 500},
        },
    },
    "ReceiptBatch": {
        "type": "object",
        "required": ["receipts"],
        "properties": {
            "receipts": {"type": "array", "minItems": 1, "maxItems": 500,
                         "items": {"$ref": "#/components/schemas/Receipt"}},
        },
    },
    "ReceiptResults": {
        "type": "object",
        "required": ["results"],
        "properties": {
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["item_id", "status"],
                    "properties": {
                        "item_id": {"type": "integer"},
                        "status": {"type": "string", "enum": ["accepted", "duplicate", "rejected"]},
                        "code": {"type": "string", "enum": list(RECEIPT_REJECTIONS),
                                 "description": "Rejected receipts only."},
                        "message": {"type": "string",
                                    "description": "Rejected receipts only; Vietnamese."},
                    },
                },
            }
        },
    },
    "Command": {
        "type": "object",
        "required": ["id", "kind", "payload", "created_at", "expires_at"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["play_now", "stop", "set_volume", "reboot"]},
            "payload": {"type": "object"},
            "created_at": DATE_TIME,
            "expires_at": DATE_TIME,
        },
    },
    "CommandList": {
        "type": "object",
        "required": ["commands"],
        "properties": {"commands": {"type": "array",
                                    "items": {"$ref": "#/components/schemas/Command"}}},
    },
    "CommandAck": {
        "type": "object",
        "required": ["result"],
        "properties": {
            "result": {"type": "string", "enum": ["ok", "error"]},
            "error": {"type": "string", "maxLength": 2000},
        },
    },
}


def _json_body(ref: str) -> dict:
    return {"required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _ok(ref: str, description: str = "OK") -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


PATHS = {
    "/api/devices/v1/schedule": {
        "get": {
            "operationId": "getSchedule",
            "summary": "Items this cluster may still play, soonest first.",
            "parameters": [{"name": "If-None-Match", "in": "header", "required": False,
                            "description": "The `ETag` of the last 200.",
                            "schema": {"type": "string"}}],
            "responses": {"200": {**_ok("Schedule"),
                                  "headers": {"ETag": ETAG,
                                              "Cache-Control": _header("`private, no-cache`.")}},
                          "304": {"description": "Unchanged since the ETag sent; empty body.",
                                  "headers": {"ETag": ETAG}},
                          "401": UNAUTHORIZED},
        }
    },
    "/api/devices/v1/heartbeat": {
        "post": {
            "operationId": "postHeartbeat",
            "summary": "Report status; the answer says whether the schedule changed.",
            "requestBody": _json_body("Heartbeat"),
            "responses": {"200": _ok("HeartbeatAck"), "400": BAD_REQUEST, "401": UNAUTHORIZED,
                          "413": TOO_LARGE, "415": UNSUPPORTED},
        }
    },
    "/api/devices/v1/receipts": {
        "post": {
            "operationId": "postReceipts",
            "summary": "Playback receipts; resending one is harmless (status `duplicate`).",
            "requestBody": _json_body("ReceiptBatch"),
            "responses": {
                "200": _ok("ReceiptResults", "Every receipt accepted or a duplicate."),
                "400": BAD_REQUEST,
                "401": UNAUTHORIZED,
                "413": TOO_LARGE,
                "415": UNSUPPORTED,
                "422": _ok("ReceiptResults", "Some receipts rejected (`unknown_item`: not an item "
                                             "of this cluster; `early_item` / `expired_item`: "
                                             "started outside the item's window); the others "
                                             "were recorded. Do not resend rejected ones."),
            },
        }
    },
    "/api/devices/v1/commands": {
        "get": {
            "operationId": "getCommands",
            "summary": "Long-poll for commands; returns at once if any are due, else after `wait`.",
            "description": "A command is handed out again, with the same `id`, every "
                           "`COMMAND_REDELIVERY_SECONDS` (30 s by default) until it is "
                           "acknowledged or expires; act on an id once, acknowledge every copy.",
            "parameters": [{"name": "wait", "in": "query", "required": False,
                            "description": "Seconds to wait for a command; the server waits at "
                                           "most its long-poll limit (25 s by default).",
                            "schema": {"type": "number", "minimum": 0, "maximum": 60,
                                       "default": 0}}],
            "responses": {"200": _ok("CommandList"),
                          "400": _error("`invalid`: `wait` is not a number from 0 to 60.",
                                        "invalid"),
                          "401": UNAUTHORIZED},
        }
    },
    "/api/devices/v1/commands/{command_id}/ack": {
        "post": {
            "operationId": "ackCommand",
            "summary": "Report the result of a command.",
            "parameters": [{"name": "command_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}],
            "requestBody": _json_body("CommandAck"),
            "responses": {"200": {"description": "Acknowledged (again: acknowledging twice is "
                                                 "harmless, the first result stands).",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          "400": BAD_REQUEST, "401": UNAUTHORIZED,
                          "404": _error("`not_found`: no such command for this cluster.",
                                        "not_found"),
                          "413": TOO_LARGE, "415": UNSUPPORTED},
        }
    },
    "/api/devices/v1/audio/{token}": {
        "get": {
            "operationId": "getAudio",
            "summary": "Download an item's MP3 from the signed URL given in the schedule.",
            "parameters": [{"name": "token", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "The MP3; `X-Content-SHA256` and `Content-Length` match "
                                       "the schedule item.",
                        "headers": {"Content-Length": _header("Bytes.", {"type": "integer"}),
                                    "X-Content-SHA256": _header("Hex SHA-256 of the file."),
                                    "ETag": _header("The SHA-256 in quotes.")},
                        "content": {"audio/mpeg": {"schema": {"type": "string",
                                                              "format": "binary"}}}},
                "401": UNAUTHORIZED,
                "403": _error("`bad_signature`: URL altered; `expired`: URL expired; "
                              "`forbidden`: issued to another cluster.",
                              "bad_signature", "expired", "forbidden"),
                "404": _error("`not_found`: unknown item; `audio_missing`: file missing on the "
                              "server.", "not_found", "audio_missing"),
                "410": _error("`cancelled`: the item was withdrawn.", "cancelled"),
            },
        }
    },
}

# Every operation refuses other methods the same way, and every body that is not JSON.
for operations in PATHS.values():
    for method, operation in operations.items():
        operation["responses"]["405"] = WRONG_METHOD
        if method == "post":
            operation["responses"]["415"] = UNSUPPORTED


def openapi_document(request=None) -> dict:
    server = request.build_absolute_uri("/").rstrip("/") if request else settings.SITE_BASE_URL
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TTCS speaker cluster protocol",
            "version": PROTOCOL_VERSION,
            "description": "Protocol v1 (revision 1.1, compatible with 1.0 clients) between "
                           "the commune information system and its 4G loudspeaker clusters. "
                           "Ask the operator for the prose specification (device-protocol.md).",
        },
        "servers": [{"url": server}],
        "security": [{"clusterToken": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "clusterToken": {"type": "http", "scheme": "bearer",
                                 "description": "`<token_id>.<secret>` issued once per cluster."}
            },
        },
    }
