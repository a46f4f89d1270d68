"""Writes of the MQTT side: credentials, what clusters report, what was published and acked."""

import base64
import datetime as dt
import hashlib
import logging
import secrets

from django.db.models import F

from ..conf import setting as bridge_setting
from ..fleet import services as fleet
from ..models import ClusterCommand, ScheduleItem, SpeakerCluster
from .models import BridgeState, ClusterPresence, MqttCredential, PublishedCommand

logger = logging.getLogger(__name__)

#: Mosquitto 2's ``mosquitto_passwd`` defaults: PBKDF2-HMAC-SHA512, 101 rounds, 12-byte salt
#: (mosquitto ``src/password_mosq.c``; the line format is ``user:$7$<rounds>$<salt>$<hash>``).
PBKDF2_ROUNDS = 101
SALT_BYTES = 12


def mqtt_password_hash(password: str, *, salt: bytes | None = None,
                       rounds: int = PBKDF2_ROUNDS) -> str:
    salt = salt or secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, rounds)
    return f"$7${rounds}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def mqtt_password_check(password: str, hashed: str) -> bool:
    try:
        _empty, _kind, rounds, salt, _digest = hashed.split("$")
        expected = mqtt_password_hash(password, salt=base64.b64decode(salt), rounds=int(rounds))
    except ValueError:
        return False
    return secrets.compare_digest(expected, hashed)


def mqtt_credential_issue(*, cluster: SpeakerCluster) -> str:
    """A new broker password for the cluster, returned once; only its hash is kept.

    It takes effect when ``mqtt_config`` has rewritten the password file and Mosquitto has
    reloaded it (docs/device-protocol-mqtt.md §3).
    """
    password = secrets.token_urlsafe(24)
    MqttCredential.objects.update_or_create(
        cluster=cluster, defaults={"password_hash": mqtt_password_hash(password)}
    )
    return password


def cluster_status_record(*, cluster_id: int, status: dict, now: dt.datetime,
                          retained: bool = False) -> None:
    """A status message: presence, and (when online) the heartbeat through the fleet service.

    A retained message is the broker's copy, handed to the bridge when it (re)subscribes; it
    says whether the cluster is connected, not that it spoke just now, so it moves presence
    but not "last heard from".
    """
    online = status["online"]
    updated = ClusterPresence.objects.filter(cluster_id=cluster_id).exclude(online=online).update(
        online=online, changed_at=now, last_message_at=now
    )
    if not updated:
        _presence, created = ClusterPresence.objects.get_or_create(
            cluster_id=cluster_id,
            defaults={"online": online, "changed_at": now, "last_message_at": now},
        )
        if not created:
            ClusterPresence.objects.filter(cluster_id=cluster_id).update(last_message_at=now)
    if online and not retained:
        cluster = SpeakerCluster.objects.filter(pk=cluster_id).only(
            "pk", "last_seen_at", "last_heartbeat"
        ).first()
        if cluster is not None:
            data = {key: value for key, value in status.items() if key != "online"}
            fleet.cluster_heartbeat_record(cluster=cluster, data=data, now=now,
                                           write_every_seconds=bridge_setting("HEARTBEAT_WRITE_SECONDS"))


def cluster_ack_record(*, cluster_id: int, ack: dict, now: dt.datetime) -> bool:
    """An acknowledgement over MQTT; ``False`` if the command is not this cluster's (see
    ``published_acked_record`` for the MQTT bookkeeping)."""
    return fleet.cluster_command_ack(cluster_id=cluster_id, command_id=ack["id"],
                                     result=ack["result"], error=ack["error"], now=now)


def published_acked_record(*, command_ids: list[int], now: dt.datetime) -> None:
    """Mark which published commands were acknowledged over MQTT (one statement per batch)."""
    if command_ids:
        PublishedCommand.objects.filter(command_id__in=command_ids, acked_at__isnull=True).update(
            acked_at=now)


def commands_published_record(*, command_rows: list[dict], now: dt.datetime) -> None:
    """Bookkeeping after publishing: first publications created, republications counted."""
    ids = [row["pk"] for row in command_rows]
    existing = set(PublishedCommand.objects.filter(command_id__in=ids).values_list("command_id", flat=True))
    if existing:
        PublishedCommand.objects.filter(command_id__in=existing).update(
            last_published_at=now, publish_count=F("publish_count") + 1
        )
    new = [row for row in command_rows if row["pk"] not in existing]
    if not new:
        return
    sites = _sites_of_items({row["payload"].get("item_id") for row in new
                             if isinstance(row["payload"], dict)})
    PublishedCommand.objects.bulk_create(
        [PublishedCommand(command_id=row["pk"], cluster_id=row["cluster_id"],
                          site_id=sites.get(row["payload"].get("item_id"))
                          if isinstance(row["payload"], dict) else None,
                          first_published_at=now, last_published_at=now)
         for row in new],
        ignore_conflicts=True,
    )


def _sites_of_items(item_ids) -> dict:
    ids = [pk for pk in item_ids if isinstance(pk, int)]
    if not ids:
        return {}
    return dict(ScheduleItem.objects.filter(pk__in=ids, delivery__isnull=False)
                .values_list("pk", "delivery__dispatch__site_id"))


def bridge_state_record(*, connected: bool, detail: str, now: dt.datetime,
                        dropped_malformed: int = 0, dropped_rate_limited: int = 0) -> None:
    BridgeState.objects.update_or_create(name="bridge", defaults={
        "connected": connected, "updated_at": now, "detail": detail[:255],
        "dropped_malformed": dropped_malformed, "dropped_rate_limited": dropped_rate_limited,
    })


def commands_unacked(*, now: dt.datetime, min_pk: int = 0, after_pk: int | None = None) -> list[dict]:
    """Commands still to be acknowledged and not expired, with their cluster's code."""
    rows = ClusterCommand.objects.filter(acked_at__isnull=True, expires_at__gt=now, pk__gte=min_pk,
                                         cluster__is_active=True)
    if after_pk is not None:
        rows = rows.filter(pk__gt=after_pk)
    return list(rows.order_by("pk").values("pk", "cluster_id", "cluster__code", "kind", "payload",
                                           "created_at", "expires_at"))


def commands_newest_pk() -> int:
    return ClusterCommand.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

