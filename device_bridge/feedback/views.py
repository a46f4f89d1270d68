"""The Zalo webhook: authenticate, store, answer 200 at once; a task does the rest.

Zalo waits about 2 seconds and then retries, and may switch off a webhook that keeps failing
(reference, "Webhook"), so nothing slow happens here and every refusal is a clear 4xx, logged.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services, webhook, zalo_adapter

logger = logging.getLogger(__name__)

#: Zalo's events are a few hundred bytes; anything near a megabyte is not Zalo.
DEFAULT_MAX_BYTES = 256 * 1024


def _max_bytes() -> int:
    limit = getattr(settings, "ZALO_WEBHOOK_MAX_BYTES", DEFAULT_MAX_BYTES)
    django_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return min(limit, django_limit) if django_limit is not None else limit


def _refuse(status: int, message: str, log: str, *args) -> JsonResponse:
    logger.warning("Zalo webhook refused (%s): " + log, status, *args)
    return JsonResponse({"error": status, "message": message}, status=status)


def _text(value) -> str:
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


@csrf_exempt
@require_POST
def zalo_webhook(request):
    limit = _max_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refuse(400, "Độ dài nội dung không hợp lệ.", "bad Content-Length %r",
                       request.META.get("CONTENT_LENGTH"))
    if declared > limit:
        # Refused before reading: a large body is never loaded into memory.
        return _refuse(413, "Nội dung quá lớn.", "%s bytes declared, limit %s", declared, limit)
    raw_body = request.read(limit + 1)
    if len(raw_body) > limit:
        return _refuse(413, "Nội dung quá lớn.", "body over %s bytes", limit)

    header = request.META.get(webhook.SIGNATURE_HEADER, "")
    if not header:
        return _refuse(403, "Thiếu chữ ký X-ZEvent-Signature.", "no signature header")
    try:
        event = json.loads(raw_body)
    except (ValueError, RecursionError):
        return _refuse(400, "Nội dung không phải JSON hợp lệ.", "body is not JSON (%s bytes)",
                       len(raw_body))
    if not isinstance(event, dict):
        return _refuse(400, "Nội dung JSON phải là một đối tượng.", "JSON is not an object")

    secret = zalo_adapter.oa_secret()
    if not secret:
        return _refuse(403, "Máy chủ chưa cấu hình khoá bí mật của OA.", "ZALO_OA_SECRET is not set")
    app_id = _text(event.get("app_id"))
    if not webhook.signature_valid(
        header=header, app_id=app_id, raw_body=raw_body,
        timestamp=_text(event.get("timestamp")), oa_secret=secret,
    ):
        return _refuse(403, "Chữ ký không hợp lệ.", "bad signature for event %r",
                       _text(event.get("event_name"))[:64])
    expected_app = zalo_adapter.app_id()
    if expected_app and app_id != expected_app:
        return _refuse(403, "Sự kiện của ứng dụng khác.", "app_id %r is not ours", app_id[:64])

    try:
        site = zalo_adapter.site_for_oa(webhook.oa_id(event))
        if site is None:
            return _refuse(503, "Chưa có cổng thông tin nào.", "no site to store the event in")
        stored, created = services.webhook_event_store(site=site, event=event, raw_body=raw_body)
    except DatabaseError:
        # Zalo retries on anything but 200: the event is not lost, only late.
        logger.exception("Zalo webhook: could not store the event")
        return JsonResponse({"error": 503, "message": "Tạm thời không lưu được, hãy gửi lại."},
                            status=503)
    if created:
        logger.info("Zalo webhook: %s stored as %s", stored.event_name, stored.pk)
    else:
        logger.info("Zalo webhook: replay of %s ignored", stored.event_key)
    return JsonResponse({"error": 0, "message": "Success", "duplicate": not created})
