"""The OpenAPI 3.1 document of ``/api/contests/v1/``, written by hand next to the views.

``tests/contests/test_api.py`` calls every path listed here, so the document and the server
cannot drift apart unnoticed.
"""

from __future__ import annotations

from django.conf import settings

_ERROR_CODES = [
    "invalid", "invalid_phone", "rejected", "contest_error", "round_not_open", "round_closed",
    "attempt_limit", "attempt_expired", "already_submitted", "attempt_open", "bad_token",
    "bad_answer", "no_questions", "not_found", "rate_limited", "bad_request",
    "method_not_allowed", "unsupported_media_type",
]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict:
    texts = {
        400: "Yêu cầu không hợp lệ (code: invalid, invalid_phone, bad_token, bad_answer...)",
        403: "Đợt thi chưa mở / đã đóng, hết lượt thi, hết giờ làm bài",
        404: "Không tìm thấy",
        409: "Bài đã nộp (already_submitted) hoặc chưa nộp (attempt_open)",
        429: "Quá nhiều yêu cầu (rate_limited); header Retry-After tính bằng giây",
        503: "Cuộc thi chưa có câu hỏi (no_questions)",
    }
    return {str(s): _json(_ref("Error"), texts[s]) for s in statuses}


_ID = {"type": "integer"}
_TOKEN_PARAM = {
    "name": "token", "in": "path", "required": True, "schema": {"type": "string"},
    "description": "Mã lượt thi đã ký (attempt token) nhận được khi bắt đầu lượt thi.",
}


def _int_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": _ID}


SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "enum": _ERROR_CODES},
            "message": {"type": "string", "description": "Thông báo tiếng Việt cho người dùng."},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "Lỗi theo từng trường (chỉ với code=invalid).",
            },
        },
    },
    "Round": {
        "type": "object",
        "properties": {
            "id": _ID, "title": {"type": "string"},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "is_open": {"type": "boolean"},
            "questions_per_attempt": _ID, "time_limit_seconds": _ID, "attempts_per_phone": _ID,
            "prizes": {"type": "object", "properties": {k: _ID for k in
                                                         ("first", "second", "third", "consolation")}},
            "results_published": {"type": "boolean"},
        },
    },
    "Contest": {
        "type": "object",
        "properties": {
            "id": _ID, "title": {"type": "string"}, "intro": {"type": "string"},
            "organiser": {"type": "string"}, "url": {"type": "string"},
            "rounds": {"type": "array", "items": _ref("Round")},
            "rules_html": {"type": "string", "description": "Chỉ có ở trang chi tiết."},
            "zones": {"type": "array", "items": {"type": "object", "properties": {
                "id": _ID, "name": {"type": "string"}}}, "description": "Chỉ có ở trang chi tiết."},
        },
    },
    "Registration": {
        "type": "object",
        "required": ["full_name", "phone", "birth_year", "consent_rules", "consent_personal_data"],
        "properties": {
            "full_name": {"type": "string", "maxLength": 120},
            "phone": {"type": "string", "examples": ["0912345678", "+84 912 345 678"]},
            "birth_year": _ID,
            "zone": {"type": "integer", "description": "id thôn / tổ dân phố (xem zones)."},
            "unit": {"type": "string", "description": "Hoặc tên đơn vị khi không chọn thôn."},
            "consent_rules": {"type": "boolean"},
            "consent_personal_data": {"type": "boolean"},
        },
    },
    "Registered": {
        "type": "object",
        "properties": {
            "participant_token": {"type": "string", "description": "Hết hạn sau 7 ngày."},
            "participant": {"type": "object", "properties": {
                "full_name": {"type": "string"}, "masked_phone": {"type": "string"},
                "place": {"type": "string"}}},
        },
    },
    "Option": {
        "type": "object",
        "properties": {"key": {"type": "integer", "description": "Vị trí (0, 1, ...) gửi lại khi nộp."},
                       "label": {"type": "string"}, "text": {"type": "string"}},
    },
    "Question": {
        "type": "object",
        "properties": {
            "id": _ID, "number": _ID, "text": {"type": "string"},
            "kind": {"type": "string", "enum": ["mot", "nhieu"]}, "multiple": {"type": "boolean"},
            "image": {"type": ["object", "null"], "properties": {
                "url": {"type": "string"}, "alt": {"type": "string"}}},
            "options": {"type": "array", "items": _ref("Option")},
        },
    },
    "OpenAttempt": {
        "type": "object",
        "properties": {
            "token": {"type": "string"}, "status": {"const": "open"},
            "round": {"type": "object", "properties": {"id": _ID, "title": {"type": "string"}}},
            "started_at": {"type": "string", "format": "date-time"},
            "deadline": {"type": "string", "format": "date-time",
                         "description": "Hạn nộp do máy chủ giữ; đồng hồ trên máy chỉ để hiển thị."},
            "server_time": {"type": "string", "format": "date-time"},
            "remaining_seconds": _ID, "prediction_question": {"type": "string"},
            "questions": {"type": "array", "items": _ref("Question")},
        },
    },
    "Submission": {
        "type": "object",
        "required": ["answers"],
        "properties": {
            "answers": {
                "type": "object",
                "description": "{\"<id câu hỏi>\": [vị trí phương án đã chọn]}",
                "additionalProperties": {"type": "array", "items": {"type": "integer"}},
            },
            "prediction": {"type": ["integer", "null"], "minimum": 0},
        },
    },
    "Result": {
        "type": "object",
        "properties": {
            "token": {"type": "string"}, "status": {"const": "submitted"},
            "round": {"type": "object"}, "score": _ID, "max_score": _ID,
            "all_correct": {"type": "boolean"}, "prediction": {"type": ["integer", "null"]},
            "duration_ms": _ID, "submitted_at": {"type": "string", "format": "date-time"},
            "review": {"type": "array", "items": {"type": "object", "properties": {
                "number": _ID, "text": {"type": "string"}, "explanation": {"type": "string"},
                "is_correct": {"type": "boolean"},
                "options": {"type": "array", "items": {"type": "object", "properties": {
                    "label": {"type": "string"}, "text": {"type": "string"},
                    "chosen": {"type": "boolean"}, "correct": {"type": "boolean"}}}}}}},
        },
    },
    "Score": {
        "type": "object",
        "description": "Như Result nhưng không có review (xem GET /attempts/{token}/result).",
        "properties": {
            "token": {"type": "string"}, "status": {"const": "submitted"},
            "round": {"type": "object"}, "score": _ID, "max_score": _ID,
            "all_correct": {"type": "boolean"}, "prediction": {"type": ["integer", "null"]},
            "duration_ms": _ID, "submitted_at": {"type": "string", "format": "date-time"},
        },
    },
}

PATHS = {
    "/contests": {"get": {
        "summary": "Các cuộc thi trắc nghiệm có đợt thi đang mở hoặc sắp mở",
        "responses": {"200": _json({"type": "object", "properties": {
            "contests": {"type": "array", "items": _ref("Contest")}}}, "Danh sách")},
    }},
    "/contests/{contest_id}": {"get": {
        "summary": "Một cuộc thi: thể lệ, các đợt, danh sách thôn / tổ dân phố",
        "parameters": [_int_param("contest_id")],
        "responses": {"200": _json(_ref("Contest"), "Cuộc thi"), **_errors(404)},
    }},
    "/contests/{contest_id}/register": {"post": {
        "summary": "Đăng ký dự thi (họ tên, số điện thoại, năm sinh, thôn hoặc đơn vị, đồng ý)",
        "parameters": [_int_param("contest_id")],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": _ref("Registration")}}},
        "responses": {"201": _json(_ref("Registered"), "Đã đăng ký"), **_errors(400, 404, 429)},
    }},
    "/rounds/{round_id}/attempts": {"post": {
        "summary": "Bắt đầu lượt thi (hoặc lấy lại lượt đang làm dở)",
        "parameters": [_int_param("round_id")],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["participant_token"],
            "properties": {"participant_token": {"type": "string"}}}}}},
        "responses": {"201": _json(_ref("OpenAttempt"), "Câu hỏi và hạn nộp"),
                      **_errors(400, 403, 404, 429, 503)},
    }},
    "/attempts/{token}": {"get": {
        "summary": "Lượt thi: câu hỏi khi đang làm, kết quả khi đã nộp",
        "parameters": [_TOKEN_PARAM],
        "responses": {"200": _json({"oneOf": [_ref("OpenAttempt"), _ref("Result")]}, "Lượt thi"),
                      **_errors(400, 403)},
    }},
    "/attempts/{token}/submit": {"post": {
        "summary": "Nộp bài: đáp án theo vị trí và số dự đoán",
        "parameters": [_TOKEN_PARAM],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": _ref("Submission")}}},
        "responses": {"200": _json(_ref("Score"), "Điểm (đáp án: GET …/result)"),
                      **_errors(400, 403, 409, 429)},
    }},
    "/attempts/{token}/result": {"get": {
        "summary": "Kết quả và đáp án sau khi nộp",
        "parameters": [_TOKEN_PARAM],
        "responses": {"200": _json(_ref("Result"), "Kết quả"), **_errors(400, 403, 409)},
    }},
    "/openapi.json": {"get": {
        "summary": "Tài liệu này",
        "responses": {"200": {"description": "OpenAPI 3.1"}},
    }},
}


def openapi_document(request=None) -> dict:
    server = "/api/contests/v1"
    if request is not None:
        server = request.build_absolute_uri(server)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "API cuộc thi trực tuyến (TTCS)",
            "version": "1",
            "description": (
                "Dự thi trắc nghiệm không qua trang web (Zalo mini app, ứng dụng điện thoại). "
                "Không dùng cookie hay CSRF: mã đăng ký và mã lượt thi đã ký là bằng chứng. "
                "Mọi lỗi trả về {code, message}; message bằng tiếng Việt. "
                f"Ngôn ngữ: {settings.LANGUAGE_CODE}."
            ),
        },
        "servers": [{"url": server}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
