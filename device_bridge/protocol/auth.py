"""Bearer-token authentication of clusters and the JSON error envelope of protocol v1."""

import datetime as dt
import functools
import json
import logging

from django.db import connection
from django.http import JsonResponse
from django.utils.crypto import constant_time_compare
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from ..fleet.services import token_hash
from ..models import SpeakerCluster

logger = logging.getLogger(__name__)

AUTH_SQL = (
    "SELECT id, code, token_hash, schedule_version, zone_id, last_seen_at, last_heartbeat "
    "FROM device_bridge_speakercluster "
    "WHERE token_id = %s AND is_active"
)


def error_response(status: int, code: str, message: str, **extra) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message, **extra}}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="ttcs-devices"'
    return response


def cluster_from_request(request) -> SpeakerCluster | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    token_id, _, secret = token.strip().partition(".")
    if not token_id or not secret or len(token_id) > 16 or len(secret) > 256:
        return None
    # Every device request starts here, so it is one fixed, pre-written indexed query rather
    # than an ORM query compiled per request (the compile cost dominated the 304 path).
    with connection.cursor() as cursor:
        cursor.execute(AUTH_SQL, [token_id])
        row = cursor.fetchone()
    if row is None or not constant_time_compare(row[2], token_hash(secret)):
        return None
    return SpeakerCluster(pk=row[0], code=row[1], token_hash=row[2], schedule_version=row[3],
                          zone_id=row[4], token_id=token_id, is_active=True,
                          last_seen_at=_as_datetime(row[5]), last_heartbeat=_as_json(row[6]))


def _as_datetime(value):
    # Raw cursors skip Django's converters: SQLite hands back text (stored in UTC).
    if value is None:
        return None
    parsed = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _as_json(value):
    if value is None or isinstance(value, dict):
        return value or {}
    try:
        loaded = json.loads(value)
    except (TypeError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def cluster_api(*methods: str):
    """Wrap a protocol view: method check, token check, then ``view(request, cluster, ...)``."""

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                response = error_response(405, "method_not_allowed",
                                          f"Use {', '.join(methods)} on this endpoint.")
                response["Allow"] = ", ".join(methods)
                return response
            cluster = cluster_from_request(request)
            if cluster is None:
                logger.info("Device API: rejected token from %s on %s",
                            request.META.get("REMOTE_ADDR"), request.path)
                return error_response(401, "unauthorized",
                                      "Missing, wrong or revoked cluster token.")
            return view(request, cluster, *args, **kwargs)

        return wrapper

    return decorator


def json_body(request) -> tuple[dict | None, JsonResponse | None]:
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type and content_type != "application/json":
        return None, error_response(415, "unsupported_media_type",
                                    "Send the body as application/json.")
    try:
        data = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError) as err:
        return None, error_response(400, "malformed_json", f"Body is not valid JSON: {err}")
    if not isinstance(data, dict):
        return None, error_response(400, "malformed_json", "Body must be a JSON object.")
    return data, None
