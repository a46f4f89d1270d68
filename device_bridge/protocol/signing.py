"""Signed, expiring audio URLs bound to one item and one cluster.

Expiry is cut on fixed epochs of half the lifetime, so within an epoch the URL (and the whole
schedule body) is byte-identical and a poll with ``If-None-Match`` gets 304.
"""

import time

from django.core import signing
from django.urls import reverse

from ..conf import setting

SALT = "device_bridge.audio.v1"


def audio_expiry(now_ts: float | None = None) -> int:
    lifetime = int(setting("AUDIO_URL_LIFETIME"))
    half = max(lifetime // 2, 1)
    now_ts = int(now_ts if now_ts is not None else time.time())
    return now_ts - now_ts % half + lifetime


def audio_token(*, item_id: int, cluster_id: int, expires: int) -> str:
    return signing.Signer(salt=SALT).sign(f"{item_id}.{cluster_id}.{expires}")


def audio_path(*, item_id: int, cluster_id: int, expires: int) -> str:
    return reverse("device_bridge:v1-audio",
                   kwargs={"token": audio_token(item_id=item_id, cluster_id=cluster_id, expires=expires)})


class AudioTokenInvalid(Exception):
    pass


def audio_token_read(token: str) -> tuple[int, int, int]:
    """``(item_id, cluster_id, expires)``; raises AudioTokenInvalid if tampered or malformed."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
        item_id, cluster_id, expires = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError) as err:
        raise AudioTokenInvalid(str(err)) from err
    return item_id, cluster_id, expires
