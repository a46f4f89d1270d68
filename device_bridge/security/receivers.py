"""Records whether each cluster's heartbeats arrive over HTTPS, without touching the protocol.

Django sends ``request_started`` with the WSGI ``environ`` (or the ASGI ``scope``) before any
view runs. For a heartbeat we build the request object, ask ``is_secure()`` (which honours
``SECURE_PROXY_SSL_HEADER``, i.e. ``X-Forwarded-Proto`` behind nginx) and write it down at most
once an hour per token and scheme: the cache answers the other 239 heartbeats of that hour.
Only an authenticated cluster is recorded, so a forged request cannot mark a cluster insecure.
"""

from __future__ import annotations

import io
import logging

from django.core.cache import cache
from django.core.signals import request_started
from django.dispatch import receiver
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_SUFFIX = "/v1/heartbeat"
RECORD_EVERY_SECONDS = 3600


def _request_from(environ=None, scope=None):
    if environ is not None:
        from django.core.handlers.wsgi import WSGIRequest

        return WSGIRequest(environ)
    if scope is not None and scope.get("type") == "http":
        from django.core.handlers.asgi import ASGIRequest

        return ASGIRequest(scope, io.BytesIO())
    return None


def heartbeat_transport_note(request) -> bool:
    """Record how this heartbeat request came in; returns whether it wrote."""
    from device_bridge.protocol.auth import cluster_from_request

    from .services import heartbeat_transport_record

    secure = request.is_secure()
    token_id = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")[2].partition(".")[0]
    if not token_id:
        return False
    key = f"fleetsecurity:transport:{token_id[:16]}:{int(secure)}"
    if cache.get(key):
        return False
    cluster = cluster_from_request(request)
    if cluster is None:
        return False
    heartbeat_transport_record(
        cluster_id=cluster.pk, secure=secure, scheme=request.scheme or "",
        forwarded_proto=request.META.get("HTTP_X_FORWARDED_PROTO", ""), now=timezone.now(),
    )
    cache.set(key, 1, RECORD_EVERY_SECONDS)
    return True


@receiver(request_started, dispatch_uid="fleetsecurity_heartbeat_transport")
def heartbeat_transport_observe(sender, environ=None, scope=None, **kwargs):
    path = (environ or {}).get("PATH_INFO", "") if environ is not None else (scope or {}).get("path", "")
    if not path.endswith(HEARTBEAT_SUFFIX) or "/api/devices/" not in path:
        return
    try:
        request = _request_from(environ=environ, scope=scope)
        if request is not None and request.method == "POST":
            heartbeat_transport_note(request)
    except Exception:  # noqa: BLE001
        # A security note must never cost a cluster its heartbeat: the protocol view runs
        # after this receiver, so an error here would turn every heartbeat into a 500.
        logger.exception("Security: could not record the heartbeat's transport")
