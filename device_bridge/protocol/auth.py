"""Bearer-token authentication of clusters (every protocol v1 view is wrapped in ``cluster_api``)."""

import datetime as dt
import functools
import json
import logging
import string

from django.db import connection
from django.utils.crypto import constant_time_compare
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from ..fleet.services import token_hash
from ..models import SpeakerCluster
from .errors import error_response

logger = logging.getLogger(__name__)

AUTH_SQL = (
    "SELECT id, code, token_hash, schedule_version, zone_id, last_seen_at, last_heartbeat, "
    "schedule_horizon "
    "FROM device_bridge_speakercluster "
    "WHERE token_id = %s AND is_active"
)


def cluster_from_request(request) -> SpeakerCluster | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    token_id, _, secret = token.strip().partition(".")
    if not token_id or not secret or len(token_id) > 16 or len(secret) > 256:
        return None
    # Issued ids are hex; anything else (a NUL byte would make PostgreSQL raise) is no token.
    if not all(char in string.hexdigits for char in token_id):
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
                          last_seen_at=_as_datetime(row[5]), last_heartbeat=_as_json(row[6]),
                          schedule_horizon=_as_datetime(row[7]))


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
                response = error_response("method_not_allowed", methods=", ".join(methods))
                response["Allow"] = ", ".join(methods)
                return response
            cluster = cluster_from_request(request)
            if cluster is None:
                logger.info("Device API: rejected token from %s on %s",
                            request.META.get("REMOTE_ADDR"), request.path)
                return error_response("unauthorized")
            return view(request, cluster, *args, **kwargs)

        return wrapper

    return decorator

