"""Every refusal of the API has one shape: ``{"code": ..., "message": ...}``.

``code`` is stable (the ``ContestError`` codes, plus the few below); ``message`` is Vietnamese,
written to be shown to the resident as it is.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response

from contests.services import ContestError


def error_response(code: str, message: str, status: int, **extra) -> Response:
    response = Response({"code": code, "message": message, **extra}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def exception_to_response(exc: Exception) -> Response | None:
    """The JSON refusal for ``exc``, or ``None`` when it is a bug that must surface as a 500."""
    if isinstance(exc, ContestError):
        return error_response(exc.code, exc.message, exc.status)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return error_response("not_found", _("Không tìm thấy nội dung được yêu cầu."), 404)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return error_response(
            "method_not_allowed", _("Địa chỉ này không nhận phương thức %(method)s.")
            % {"method": exc.detail.split('"')[1] if '"' in exc.detail else ""}, 405,
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return error_response(
            "unsupported_media_type", _("Nội dung gửi lên phải là JSON (application/json)."), 415
        )
    if isinstance(exc, exceptions.ParseError):
        return error_response("bad_request", _("Nội dung gửi lên không phải JSON hợp lệ."), 400)
    if isinstance(exc, exceptions.APIException):
        return error_response("bad_request", _("Yêu cầu không hợp lệ."), exc.status_code)
    return None
