"""The error catalogue of protocol v1: each code with its HTTP status and Vietnamese message.

Firmware acts on ``code``, which never changes within v1; technicians read ``message`` on the
cluster's display or log, so it is Vietnamese and may be reworded. ``docs/device-protocol.md``
§3 holds the same table and the tests keep the two in step.
"""

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

ERRORS = {
    "malformed_json": (400, _("Nội dung gửi lên không phải một đối tượng JSON hợp lệ.")),
    "invalid": (400, _("Một trường bị thiếu hoặc có giá trị không hợp lệ.")),
    "unauthorized": (401, _("Thiếu mã truy cập của cụm loa, mã sai hoặc đã bị thu hồi.")),
    "bad_signature": (403, _("Đường dẫn âm thanh bị sửa đổi hoặc sai định dạng; hãy tải lại "
                             "lịch phát.")),
    "expired": (403, _("Đường dẫn âm thanh đã hết hạn; hãy tải lại lịch phát.")),
    "forbidden": (403, _("Đường dẫn âm thanh này được cấp cho cụm loa khác.")),
    "not_found": (404, _("Cụm loa này không có mục được yêu cầu.")),
    "audio_missing": (404, _("Máy chủ không tìm thấy tệp âm thanh; sự cố đã được ghi lại cho "
                             "kỹ thuật viên.")),
    "method_not_allowed": (405, _("Địa chỉ này chỉ nhận phương thức %(methods)s.")),
    "cancelled": (410, _("Mục lịch phát đã bị rút; hãy bỏ mục này, không phát.")),
    "body_too_large": (413, _("Nội dung gửi lên vượt quá %(limit)s byte; hãy gửi ít biên nhận "
                              "hơn trong mỗi lần.")),
    "unsupported_media_type": (415, _("Hãy gửi nội dung dạng application/json (UTF-8).")),
}


def error_response(code: str, message: str | None = None, *, field: str | None = None,
                   **params) -> JsonResponse:
    """The v1 error envelope ``{"error": {"code", "message"[, "field"]}}``.

    ``message`` replaces the catalogue's one where the cause is more specific (which field,
    which byte); ``params`` fill the catalogue message's placeholders.
    """
    status, default = ERRORS[code]
    error = {"code": code, "message": str(message) if message is not None else str(default) % params}
    if field is not None:
        error["field"] = field
    response = JsonResponse({"error": error}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="ttcs-devices"'
    return response
