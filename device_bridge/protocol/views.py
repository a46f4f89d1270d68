"""Device protocol v1: plain Django views returning JSON, a few fixed queries each."""

import datetime as dt
import time

from django.db import connection
from django.http import FileResponse, HttpResponseNotModified, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from ..conf import setting
from ..fleet import services as fleet
from ..models import DeviceEvent, ScheduleItem
from ..selectors import cluster_schedule_items
from . import validation
from .auth import cluster_api
from .body import json_body
from .errors import error_response
from .openapi import openapi_document
from .signing import AudioTokenInvalid, audio_expiry, audio_path, audio_token_read
from .wake import wake_bus, wake_hub


def _iso(value):
    return value.isoformat() if value else None


def _invalid(err: validation.Invalid) -> JsonResponse:
    return error_response("invalid", f"{err.field}: {err.message}", field=err.field)


@require_GET
def openapi(request):
    return JsonResponse(openapi_document(request))


@csrf_exempt
def unknown_endpoint(request):
    return error_response("not_found", _("Giao thức v1 không có địa chỉ này; xem "
                                         "/api/devices/v1/openapi.json."))


def _schedule_version(cluster, now) -> tuple[str, int]:
    """``(<version>-<audio URL expiry>, expiry)``: the version changes whenever the served
    list or its URLs would (a closed window, a played item, new or withdrawn items)."""
    if cluster.schedule_horizon is not None and cluster.schedule_horizon <= now:
        fleet.cluster_schedule_roll(cluster=cluster, now=now)
    expires = audio_expiry(now.timestamp())
    return f"{cluster.schedule_version}-{expires}", expires


@cluster_api("GET")
def schedule(request, cluster):
    now = timezone.now()
    version, expires = _schedule_version(cluster, now)
    etag = f'"{version}"'
    if request.META.get("HTTP_IF_NONE_MATCH") == etag:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    items = []
    for row in cluster_schedule_items(cluster_id=cluster.pk, now=now):
        item = {
            "id": row["pk"],
            "kind": row["kind"],
            "title": row["title"],
            "priority": row["priority"],
            "rank": row["rank"],
            "play_at": _iso(row["play_at"]),
            "play_until": _iso(row["play_until"]),
            "repeat": row["repeat"],
            "preempt": row["preempt"],
            "audio": None,
            "stream_url": row["stream_url"] or None,
        }
        if row["kind"] == ScheduleItem.Kind.BULLETIN:
            item["audio"] = {
                "url": request.build_absolute_uri(
                    audio_path(item_id=row["pk"], cluster_id=cluster.pk, expires=expires)
                ),
                "expires_at": _iso(dt.datetime.fromtimestamp(expires, tz=dt.UTC)),
                "size_bytes": row["audio_size"],
                "sha256": row["audio_sha256"],
                "duration_seconds": row["audio_duration"],
            }
        items.append(item)
    response = JsonResponse({
        "cluster": cluster.code,
        "version": version,
        "server_time": _iso(now),
        "poll_after_seconds": setting("POLL_AFTER_SECONDS"),
        "items": items,
    })
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@cluster_api("POST")
def heartbeat(request, cluster):
    data, error = json_body(request)
    if error:
        return error
    try:
        cleaned = validation.heartbeat(data)
    except validation.Invalid as err:
        return _invalid(err)
    now = timezone.now()
    fleet.cluster_heartbeat_record(cluster=cluster, data=cleaned, now=now,
                                   write_every_seconds=setting("HEARTBEAT_WRITE_SECONDS"))
    return JsonResponse({
        "server_time": _iso(now),
        "schedule_version": _schedule_version(cluster, now)[0],
        "poll_after_seconds": setting("POLL_AFTER_SECONDS"),
    })


@cluster_api("POST")
def receipts(request, cluster):
    data, error = json_body(request)
    if error:
        return error
    try:
        cleaned = validation.receipts(data)
    except validation.Invalid as err:
        return _invalid(err)
    results = fleet.receipts_record(cluster_id=cluster.pk, receipts=cleaned,
                                    skew_seconds=setting("RECEIPT_TOLERANCE_SECONDS"))
    rejected = any(result["status"] == "rejected" for result in results)
    return JsonResponse({"results": results}, status=422 if rejected else 200)


def _command_json(command):
    return {
        "id": command.pk,
        "kind": command.kind,
        "payload": command.payload,
        "created_at": _iso(command.created_at),
        "expires_at": _iso(command.expires_at),
    }


@cluster_api("GET")
def commands(request, cluster):
    """Long-poll: answer as soon as a command is due, or empty after ``wait`` seconds.

    The wait is on this process's wake hub (protocol/wake.py), which a new command for the
    cluster sets at once from any process; a command handed out earlier and not acknowledged
    wakes it when its redelivery falls due.
    """
    limit = float(setting("LONG_POLL_SECONDS"))
    raw_wait = request.GET.get("wait", "0")
    try:
        wait = float(raw_wait)
    except ValueError:
        return error_response("invalid", _("wait: phải là một số giây"), field="wait")
    if not 0 <= wait <= 60 or wait != wait:
        return error_response("invalid", _("wait: phải từ 0 đến 60"), field="wait")
    wait = min(wait, limit)
    deadline = time.monotonic() + wait
    bus = wake_bus()
    listening = wait > 0 and bus.ensure_listening()
    recheck = None if listening else float(setting("LONG_POLL_DB_RECHECK"))
    hub = wake_hub()
    event = hub.register(cluster.pk)
    try:
        while True:
            event.clear()
            now = timezone.now()
            claim = fleet.cluster_commands_claim(cluster_id=cluster.pk, now=now)
            remaining = deadline - time.monotonic()
            if claim.commands or remaining <= 0:
                break
            if not connection.in_atomic_block:
                # A waiting cluster holds a thread, not a database connection.
                connection.close()
            timeout = remaining
            if claim.next_redelivery is not None:
                timeout = min(timeout, max((claim.next_redelivery - now).total_seconds(), 0) + 0.01)
            if recheck is not None:
                timeout = min(timeout, recheck)
            event.wait(timeout)
    finally:
        hub.unregister(cluster.pk, event)
    return JsonResponse({"commands": [_command_json(c) for c in claim.commands]})


@cluster_api("POST")
def command_ack(request, cluster, command_id):
    data, error = json_body(request)
    if error:
        return error
    try:
        cleaned = validation.command_ack(data)
    except validation.Invalid as err:
        return _invalid(err)
    if command_id > validation.MAX_ID or not fleet.cluster_command_ack(
        cluster_id=cluster.pk, command_id=command_id, now=timezone.now(), **cleaned
    ):
        return error_response("not_found", _("Cụm loa này không có lệnh %(id)s.") % {"id": command_id})
    return JsonResponse({"status": "acknowledged"})


@cluster_api("GET")
def audio(request, cluster, token):
    try:
        item_id, cluster_id, expires = audio_token_read(token)
    except AudioTokenInvalid:
        return error_response("bad_signature")
    if cluster_id != cluster.pk:
        return error_response("forbidden")
    if expires < time.time():
        return error_response("expired")
    item = ScheduleItem.objects.filter(pk=item_id, cluster_id=cluster.pk).only(
        "pk", "audio_name", "audio_size", "audio_sha256", "status", "kind"
    ).first()
    if item is None or item.kind != ScheduleItem.Kind.BULLETIN:
        return error_response("not_found", _("Cụm loa này không có mục âm thanh %(id)s.") % {"id": item_id})
    if item.status == ScheduleItem.Status.CANCELLED:
        return error_response("cancelled")
    from django.core.files.storage import default_storage

    try:
        handle = default_storage.open(item.audio_name, "rb")
    except (FileNotFoundError, OSError):
        DeviceEvent.objects.create(
            cluster_id=cluster.pk, kind=DeviceEvent.Kind.AUDIO_MISSING,
            message=f"Tệp âm thanh “{item.audio_name}” không có trong kho lưu trữ.",
            payload={"item_id": item.pk},
        )
        return error_response("audio_missing")
    response = FileResponse(handle, content_type="audio/mpeg")
    response["Content-Length"] = str(item.audio_size or default_storage.size(item.audio_name))
    response["X-Content-SHA256"] = item.audio_sha256
    response["ETag"] = f'"{item.audio_sha256}"'
    response["Cache-Control"] = "private, max-age=86400, immutable"
    return response
