"""What Zalo's webhook events look like and how they are authenticated.

Facts from ../shared/reference/zalo-oa.md ("Webhook"), gathered from chatwoot's Zalo channel and
Vietnamese write-ups; Zalo's own pages could not be read. Unconfirmed points are marked so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.utils import timezone

from device_bridge.zalo import facts

# Zalo's facts (header, formula, event names) live in device_bridge.zalo.facts with sources.
SIGNATURE_HEADER = "HTTP_" + facts.WEBHOOK_SIGNATURE_HEADER.upper().replace("-", "_")
SIGNATURE_PREFIX = "mac="

TEXT = facts.EVENT_USER_SEND_TEXT
IMAGE = facts.EVENT_USER_SEND_IMAGE
FOLLOW = facts.EVENT_FOLLOW
UNFOLLOW = facts.EVENT_UNFOLLOW
WITHDRAW = facts.EVENT_USER_WITHDRAW
HANDLED_EVENTS = (TEXT, IMAGE, FOLLOW, UNFOLLOW, WITHDRAW)


def signature_expected(*, app_id: str, raw_body: bytes, timestamp: str, oa_secret: str) -> str:
    """``sha256(app_id + raw_body + timestamp + OA secret)``: a plain SHA-256, not an HMAC."""
    return facts.webhook_signature(
        app_id=app_id, raw_body=raw_body, timestamp=timestamp, oa_secret=oa_secret
    )


def signature_valid(*, header: str, app_id: str, raw_body: bytes, timestamp: str,
                    oa_secret: str) -> bool:
    header = (header or "").strip()
    if not header.startswith(SIGNATURE_PREFIX) or not oa_secret:
        return False
    given = header[len(SIGNATURE_PREFIX):].strip().lower()
    expected = signature_expected(
        app_id=app_id, raw_body=raw_body, timestamp=timestamp, oa_secret=oa_secret
    )
    return hmac.compare_digest(given.encode(), expected.encode())


def _id(value) -> str:
    # Ids are strings in Zalo's payloads; a number is accepted and kept as its text.
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)[:64]
    return ""


def _part(event: dict, key: str) -> dict:
    value = event.get(key)
    return value if isinstance(value, dict) else {}


def user_id(event: dict) -> str:
    """The citizen's id: ``sender.id`` in messages, ``follower.id`` in follow/unfollow
    (chatwoot's Zalo channel), ``user_id`` as a last resort (withdrawal: unconfirmed)."""
    for key in ("sender", "follower"):
        found = _id(_part(event, key).get("id"))
        if found:
            return found
    return _id(event.get("user_id"))


def oa_id(event: dict) -> str:
    """The OA the event is for: ``recipient.id`` in messages, ``oa_id`` in follow events."""
    return _id(_part(event, "recipient").get("id")) or _id(event.get("oa_id"))


def message(event: dict) -> dict:
    return _part(event, "message")


def event_time(event: dict) -> dt.datetime:
    """``timestamp`` is milliseconds since the epoch, as a string; now when it is unusable."""
    try:
        millis = int(str(event.get("timestamp", "")))
        return dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return timezone.now()


def event_key(event: dict, raw_body: bytes) -> str:
    """Zalo retries an event it did not get a 200 for: ``message.msg_id`` identifies a message;
    events without one (follow...) are identified by name, user and timestamp."""
    msg_id = _id(message(event).get("msg_id"))
    if msg_id:
        return f"msg:{msg_id}"[:128]
    basis = "|".join(
        [str(event.get("event_name", "")), user_id(event), str(event.get("timestamp", ""))]
    )
    if not user_id(event) and not event.get("timestamp"):
        basis = raw_body.decode("utf-8", "replace")
    return "evt:" + hashlib.sha256(basis.encode()).hexdigest()


def image_url(event: dict) -> str:
    """``message.attachments[0].payload.url`` of a ``user_send_image`` (chatwoot)."""
    attachments = message(event).get("attachments")
    if isinstance(attachments, list):
        for attachment in attachments:
            payload = attachment.get("payload") if isinstance(attachment, dict) else None
            url = payload.get("url") if isinstance(payload, dict) else None
            if isinstance(url, str) and url.startswith(("https://", "http://")):
                return url[:1000]
    return ""


def text(event: dict) -> str:
    value = message(event).get("text")
    return value[:5000] if isinstance(value, str) else ""
