"""Writes about speaker clusters: credentials, heartbeats, commands and playback receipts."""

import datetime as dt
import hashlib
import logging
import secrets
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import F, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..conf import setting
from ..models import ClusterCommand, DeviceEvent, PlaybackReceipt, ScheduleItem, SpeakerCluster
from .signals import heartbeat_recorded

logger = logging.getLogger(__name__)

TOKEN_ID_BYTES = 6


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def cluster_token_rotate(*, cluster: SpeakerCluster) -> str:
    """Issue a new token and return it: the only time it is ever visible.

    Format ``<token_id>.<secret>``: the id finds the cluster with one indexed lookup, the
    secret is stored only as its SHA-256 and compared in constant time.
    """
    token_id = secrets.token_hex(TOKEN_ID_BYTES)
    secret = secrets.token_urlsafe(32)
    cluster.token_id = token_id
    cluster.token_hash = token_hash(secret)
    cluster.token_issued_at = timezone.now()
    cluster.token_revoked_at = None
    cluster.save(update_fields=["token_id", "token_hash", "token_issued_at", "token_revoked_at"])
    return f"{token_id}.{secret}"


def cluster_token_revoke(*, cluster: SpeakerCluster) -> None:
    cluster.token_id = None
    cluster.token_hash = ""
    cluster.token_revoked_at = timezone.now()
    cluster.save(update_fields=["token_id", "token_hash", "token_revoked_at"])


HEARTBEAT_FIELDS = ("status", "volume", "signal_strength", "firmware", "temperature_c", "playing",
                    "uptime_seconds", "free_storage_bytes")


SIGNIFICANT_FIELDS = ("status", "playing", "volume", "firmware")


def cluster_heartbeat_record(*, cluster: SpeakerCluster, data: dict, now: dt.datetime,
                             write_every_seconds: float) -> bool:
    """Store the heartbeat as the cluster's last state; returns whether it wrote.

    Heartbeats arrive every 15 s from every cluster, so an unchanged one (same status, item,
    volume, firmware) is written at most every ``write_every_seconds``: that keeps "online"
    accurate while cutting database writes about threefold. Temperature and signal strength
    are refreshed at that pace too.
    """
    heartbeat = {key: data[key] for key in HEARTBEAT_FIELDS if key in data}
    previous = cluster.last_heartbeat or {}
    changed = any(previous.get(key) != heartbeat.get(key) for key in SIGNIFICANT_FIELDS)
    fresh = cluster.last_seen_at and (now - cluster.last_seen_at).total_seconds() < write_every_seconds
    if fresh and not changed:
        return False
    heartbeat["received_at"] = now.isoformat()
    updates = {"last_seen_at": now, "last_heartbeat": heartbeat}
    if data.get("firmware"):
        updates["firmware_version"] = str(data["firmware"])[:40]
    SpeakerCluster.objects.filter(pk=cluster.pk).update(**updates)
    heartbeat_recorded.send(sender=SpeakerCluster, cluster_id=cluster.pk, heartbeat=heartbeat,
                            previous_seen_at=cluster.last_seen_at, now=now)
    return True


def command_signal_key(cluster_id: int) -> str:
    return f"device_bridge:commands:{cluster_id}"


def cluster_commands_signal(*, cluster_id: int) -> None:
    """Wake the cluster's waiting long-polls, in every process, once the command is committed.

    The one call every producer makes (admin, emergency path, MQTT fallback); how the wake
    crosses processes (Redis, PostgreSQL NOTIFY, a file on SQLite) is ``protocol/wake.py``'s
    business.
    """
    from ..protocol.wake import wake_bus

    transaction.on_commit(lambda: wake_bus().signal([cluster_id]))


def cluster_schedule_bump(*, cluster_ids, now: dt.datetime | None = None) -> None:
    """Tell clusters what they would be served changed: the next poll gets a 200, not a 304.

    Also records each cluster's ``schedule_horizon``, when its next served item's window
    closes: that changes the served list with no write, so ``cluster_schedule_roll`` bumps
    the version at the first request after it.
    """
    ids = list(set(cluster_ids))
    if ids:
        now = now or timezone.now()
        SpeakerCluster.objects.filter(pk__in=ids).update(
            schedule_version=F("schedule_version") + 1, schedule_horizon=_horizon(now)
        )


def _horizon(now: dt.datetime):
    return Subquery(
        ScheduleItem.objects.filter(cluster_id=OuterRef("pk"), status=ScheduleItem.Status.PENDING,
                                    play_until__gt=now)
        .order_by().values("cluster_id").annotate(first=Min("play_until")).values("first")[:1]
    )


def cluster_schedule_roll(*, cluster: SpeakerCluster, now: dt.datetime) -> int:
    """An item's window closed since the last change: bump the version once; return it."""
    SpeakerCluster.objects.filter(pk=cluster.pk, schedule_horizon__lte=now).update(
        schedule_version=F("schedule_version") + 1, schedule_horizon=_horizon(now)
    )
    version, horizon = SpeakerCluster.objects.filter(pk=cluster.pk).values_list(
        "schedule_version", "schedule_horizon").get()
    cluster.schedule_version, cluster.schedule_horizon = version, horizon
    return version


class CommandInvalid(ValueError):
    """A command the protocol cannot carry (its message is Vietnamese, for the admin)."""


def cluster_command_payload(*, cluster_id: int, kind: str, data, now: dt.datetime | None = None) -> dict:
    """The payload of a ``kind`` command from form-like ``data``, as the protocol defines it.

    ``play_now`` and ``stop`` name an item (``item_id``) of this cluster whose window has not
    closed; ``play_now`` only a pending one whose window is open now. Raises ``CommandInvalid``.
    """
    now = now or timezone.now()
    if kind not in ClusterCommand.Kind.values:
        raise CommandInvalid(_("Lệnh không hợp lệ."))
    if kind == ClusterCommand.Kind.SET_VOLUME:
        try:
            volume = int(str(data.get("volume", "")).strip())
        except ValueError:
            volume = -1
        if not 0 <= volume <= 100:
            raise CommandInvalid(_("Âm lượng phải từ 0 đến 100."))
        return {"volume": volume}
    if kind in (ClusterCommand.Kind.PLAY_NOW, ClusterCommand.Kind.STOP):
        try:
            item_id = int(str(data.get("item_id", "")).strip())
        except ValueError:
            raise CommandInvalid(_("Hãy chọn mục lịch phát cho lệnh “%(kind)s”.")
                                 % {"kind": ClusterCommand.Kind(kind).label}) from None
        items = ScheduleItem.objects.filter(pk=item_id, cluster_id=cluster_id, play_until__gt=now)
        if kind == ClusterCommand.Kind.PLAY_NOW:
            # "Play now" plays a due item at once; the protocol never plays before play_at.
            items = items.filter(status=ScheduleItem.Status.PENDING, play_at__lte=now)
            if not items.exists():
                raise CommandInvalid(_("Mục lịch phát %(id)s không thuộc cụm loa này, chưa đến giờ "
                                       "phát hoặc đã hết thời gian phát.") % {"id": item_id})
        elif not items.exists():
            raise CommandInvalid(_("Mục lịch phát %(id)s không thuộc cụm loa này hoặc đã hết thời "
                                   "gian phát.") % {"id": item_id})
        return {"item_id": item_id}
    return {}


def cluster_command_create(*, cluster: SpeakerCluster, kind: str, payload: dict | None = None,
                           user=None, ttl_minutes: int = 30) -> ClusterCommand:
    """Queue a command; ``play_now`` and ``stop`` must name their item (``CommandInvalid``)."""
    payload = payload or {}
    if kind in (ClusterCommand.Kind.PLAY_NOW, ClusterCommand.Kind.STOP) and (
        not isinstance(payload.get("item_id"), int) or isinstance(payload.get("item_id"), bool)
    ):
        raise CommandInvalid(_("Lệnh “%(kind)s” cần mã mục lịch phát (item_id).")
                             % {"kind": ClusterCommand.Kind(kind).label})
    command = ClusterCommand.objects.create(
        cluster=cluster, kind=kind, payload=payload, created_by=user,
        expires_at=timezone.now() + dt.timedelta(minutes=ttl_minutes),
    )
    cluster_commands_signal(cluster_id=cluster.pk)
    return command


class CommandsClaim(NamedTuple):
    commands: list[ClusterCommand]
    #: When a command handed out earlier and not acknowledged falls due again, if any.
    next_redelivery: dt.datetime | None


def cluster_commands_claim(*, cluster_id: int, now: dt.datetime, transport: str = "http",
                           redeliver_seconds: float | None = None) -> CommandsClaim:
    """Hand out the commands due for the cluster: new ones, and ones handed out
    ``redeliver_seconds`` ago (default ``COMMAND_REDELIVERY_SECONDS``) without an
    acknowledgement, until acknowledged or expired. A lost response loses nothing.

    One read when nothing is due (long-polls ask often); each hand-out is a conditional
    update, so two requests of one cluster never both take the same delivery.
    """
    if redeliver_seconds is None:
        redeliver_seconds = float(setting("COMMAND_REDELIVERY_SECONDS"))
    open_commands = list(
        ClusterCommand.objects.filter(cluster_id=cluster_id, acked_at__isnull=True,
                                      expires_at__gt=now)
        .order_by("created_at", "pk").values_list("pk", "attempts", "redeliver_at", "delivered_at")
    )
    due = [(pk, attempts) for pk, attempts, redeliver_at, delivered_at in open_commands
           if delivered_at is None or redeliver_at is None or redeliver_at <= now]
    later = [redeliver_at for _pk, _attempts, redeliver_at, delivered_at in open_commands
             if delivered_at is not None and redeliver_at is not None and redeliver_at > now]
    next_redelivery = min(later) if later else None
    if not due:
        return CommandsClaim([], next_redelivery)
    redeliver_at = now + dt.timedelta(seconds=redeliver_seconds)
    taken = []
    with transaction.atomic():
        for pk, attempts in due:
            if ClusterCommand.objects.filter(pk=pk, attempts=attempts, acked_at__isnull=True).update(
                delivered_at=now, redeliver_at=redeliver_at, attempts=attempts + 1,
                transport=transport[:10],
            ):
                taken.append(pk)
        commands = list(ClusterCommand.objects.filter(pk__in=taken).order_by("created_at", "pk"))
    if commands:
        next_redelivery = min(filter(None, [next_redelivery, redeliver_at]))
    return CommandsClaim(commands, next_redelivery)


def cluster_commands_take(*, cluster_id: int, now: dt.datetime, transport: str = "http",
                          redeliver_seconds: float | None = None) -> list[ClusterCommand]:
    """The due commands (``cluster_commands_claim`` without the next redelivery time)."""
    return cluster_commands_claim(cluster_id=cluster_id, now=now, transport=transport,
                                  redeliver_seconds=redeliver_seconds).commands


def cluster_command_ack(*, cluster_id: int, command_id: int, result: str, error: str = "",
                        now: dt.datetime) -> bool:
    """Record the acknowledgement; False only if the cluster has no such command.

    Idempotent: a redelivered command is acknowledged again by the cluster, and an
    acknowledgement whose answer was lost is resent; the first one stands.
    """
    commands = ClusterCommand.objects.filter(pk=command_id, cluster_id=cluster_id)
    if commands.filter(acked_at__isnull=True).update(acked_at=now, result=result[:20],
                                                      error=error[:2000]):
        return True
    return commands.exists()


#: Why a receipt is rejected, answered per receipt in ``results`` (documented in
#: docs/device-protocol.md §3). Another cluster's item is ``unknown_item`` too: a different
#: answer would tell a cluster which ids exist.
RECEIPT_REJECTIONS = {
    "unknown_item": gettext_lazy("Cụm loa này không có mục lịch phát %(id)s."),
    "early_item": gettext_lazy("Mục lịch phát %(id)s chỉ được phát từ %(start)s, biên nhận ghi "
                               "bắt đầu lúc %(started)s; hãy chỉnh đồng hồ theo server_time."),
    "expired_item": gettext_lazy("Mục lịch phát %(id)s đã hết thời gian phát lúc %(until)s, biên "
                                 "nhận ghi bắt đầu lúc %(started)s."),
}
#: Rejected receipts a DeviceEvent keeps in full; the counts cover all of them.
EVENT_RECEIPTS_KEPT = 20


class ReceiptRejected(Exception):
    def __init__(self, code: str, **params):
        super().__init__(str(RECEIPT_REJECTIONS[code]) % params)
        self.code = code


def receipts_record(*, cluster_id: int, receipts: list[dict], skew_seconds: int) -> list[dict]:
    """Record a cluster's playback receipts; one result per receipt, in order.

    A receipt is accepted only for an item of this cluster and only if it started inside the
    item's window, widened by ``skew_seconds`` on both sides for clocks that drift. Rejections
    are logged as one DeviceEvent per request, however many receipts it held.
    """
    items = ScheduleItem.objects.filter(
        pk__in={receipt["item_id"] for receipt in receipts}, cluster_id=cluster_id
    ).only("pk", "play_at", "play_until", "status", "delivery_id")
    items = {item.pk: item for item in items}
    skew = dt.timedelta(seconds=skew_seconds)
    results, rejected = [], []
    played_before = {pk for pk, item in items.items() if item.status == ScheduleItem.Status.PLAYED}
    for receipt in receipts:
        try:
            status = _receipt_record(cluster_id=cluster_id, receipt=receipt,
                                     item=items.get(receipt["item_id"]), skew=skew)
        except ReceiptRejected as err:
            rejected.append((receipt, err))
            results.append({"item_id": receipt["item_id"], "status": "rejected",
                            "code": err.code, "message": str(err)})
        else:
            results.append({"item_id": receipt["item_id"], "status": status})
    if rejected:
        _receipts_rejected_log(cluster_id=cluster_id, rejected=rejected)
    newly_played = {
        receipt["item_id"] for receipt, result in zip(receipts, results, strict=True)
        if result["status"] == "accepted" and receipt["result"] == PlaybackReceipt.Result.PLAYED
    } - played_before
    if newly_played:
        # A played item leaves the cluster's list: a new version, so no stale 304 keeps it.
        cluster_schedule_bump(cluster_ids=[cluster_id])
    return results


def _receipt_record(*, cluster_id: int, receipt: dict, item: ScheduleItem | None,
                    skew: dt.timedelta) -> str:
    from ..services import delivery_refresh_from_items

    started_at = receipt["started_at"]
    if item is None:
        raise ReceiptRejected("unknown_item", id=receipt["item_id"])
    # Every result is a claim about an attempt, and attempts happen only inside the window.
    if started_at < item.play_at - skew:
        raise ReceiptRejected("early_item", id=item.pk, start=item.play_at.isoformat(),
                              started=started_at.isoformat())
    if started_at > item.play_until + skew:
        raise ReceiptRejected("expired_item", id=item.pk, until=item.play_until.isoformat(),
                              started=started_at.isoformat())
    try:
        with transaction.atomic():
            PlaybackReceipt.objects.create(
                item_id=item.pk, cluster_id=cluster_id, started_at=started_at,
                finished_at=receipt.get("finished_at"), result=receipt["result"],
                error=(receipt.get("error") or "")[:500],
            )
    except IntegrityError:
        return "duplicate"
    # A late receipt (kept through an offline period) still counts: an item the sweep marked
    # expired meanwhile was in fact played.
    if item.status in (ScheduleItem.Status.PENDING, ScheduleItem.Status.FAILED,
                       ScheduleItem.Status.EXPIRED):
        if receipt["result"] == PlaybackReceipt.Result.PLAYED:
            ScheduleItem.objects.filter(pk=item.pk).exclude(status=ScheduleItem.Status.PLAYED).update(
                status=ScheduleItem.Status.PLAYED, played_at=started_at
            )
        elif item.play_until <= timezone.now():
            ScheduleItem.objects.filter(pk=item.pk, status=ScheduleItem.Status.PENDING).update(
                status=ScheduleItem.Status.FAILED, note=(receipt.get("error") or "")[:255]
            )
        if item.delivery_id:
            delivery_refresh_from_items(delivery_id=item.delivery_id)
    return "accepted"


def _receipts_rejected_log(*, cluster_id: int, rejected: list[tuple[dict, ReceiptRejected]]) -> None:
    """One event and one log line per request: a confused or hostile device is worth one row."""
    codes = {}
    for _receipt, err in rejected:
        codes[err.code] = codes.get(err.code, 0) + 1
    summary = ", ".join(f"{code}: {count}" for code, count in sorted(codes.items()))
    message = _("Từ chối %(count)s biên nhận (%(summary)s). Đầu tiên: %(first)s") % {
        "count": len(rejected), "summary": summary, "first": str(rejected[0][1]),
    }
    logger.warning("Receipt rejected for cluster %s: %s receipts (%s)", cluster_id, len(rejected), summary)
    DeviceEvent.objects.create(
        cluster_id=cluster_id, kind=DeviceEvent.Kind.RECEIPT_REJECTED, message=message,
        payload={
            "count": len(rejected),
            "codes": codes,
            "receipts": [{"code": err.code, **{key: str(value) for key, value in receipt.items()}}
                         for receipt, err in rejected[:EVENT_RECEIPTS_KEPT]],
        },
    )
