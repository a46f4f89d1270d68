"""Emergency override on the loudspeakers: who acknowledged it, and stopping it (dừng khẩn cấp).

Approving a khẩn cấp bulletin already makes, per cluster of its zones, a preempting schedule
item and a ``play_now`` command (``device_bridge.schedule.services``); the MQTT bridge
publishes that command within ``COMMAND_POLL_SECONDS`` and the HTTP long-poll hands it out
too, whichever the cluster speaks. This module reads the acknowledgements for the bulletin's
delivery page and stops an emergency everywhere.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ClusterCommand, Delivery, Dispatch, ScheduleItem
from ..services import dispatch_cancel
from .models import BridgeState, ClusterPresence, EmergencyStop, PublishedCommand


@dataclass
class ClusterAck:
    delivery: Delivery
    item_status: str
    play_now: ClusterCommand | None
    play_now_mqtt: PublishedCommand | None
    stop: ClusterCommand | None
    mqtt_online: bool | None

    @property
    def acked(self) -> bool:
        return bool(self.play_now and self.play_now.acked_at)

    @property
    def transport(self) -> str:
        if not self.acked:
            return ""
        mqtt_acked = self.play_now_mqtt and self.play_now_mqtt.acked_at
        return "MQTT" if mqtt_acked else "HTTP"

    @property
    def ack_seconds(self) -> float | None:
        if not self.acked:
            return None
        return (self.play_now.acked_at - self.play_now.created_at).total_seconds()


@dataclass
class EmergencyStatus:
    dispatch: Dispatch
    rows: list[ClusterAck]
    stops: list[EmergencyStop]

    @property
    def acked(self) -> int:
        return sum(1 for row in self.rows if row.acked)

    @property
    def active(self) -> bool:
        return self.dispatch.status == Dispatch.Status.ACTIVE


def emergency_dispatch(*, page_id: int) -> Dispatch | None:
    """The newest loudspeaker dispatch of an emergency bulletin, if any."""
    return (Dispatch.objects.filter(page_id=page_id, channel="speakers", priority="khan_cap")
            .select_related("site").order_by("-created_at").first())


def emergency_status(*, page_id: int) -> EmergencyStatus | None:
    """Per cluster of the emergency: its play-now command, acknowledged or not, by which
    transport, and the stop command if one was sent. A fixed number of queries."""
    dispatch = emergency_dispatch(page_id=page_id)
    if dispatch is None:
        return None
    deliveries = list(dispatch.deliveries.select_related("cluster", "cluster__zone")
                      .order_by("target_label"))
    items = list(ScheduleItem.objects.filter(delivery__dispatch=dispatch)
                 .values_list("pk", "delivery_id", "status"))
    item_ids = [pk for pk, _delivery, _status in items]
    commands = {}
    for command in ClusterCommand.objects.filter(
        kind__in=[ClusterCommand.Kind.PLAY_NOW, ClusterCommand.Kind.STOP],
        payload__item_id__in=item_ids,
    ).order_by("created_at"):
        commands.setdefault((command.payload.get("item_id"), command.kind), command)
    published = {row.command_id: row for row in PublishedCommand.objects.filter(
        command_id__in=[command.pk for command in commands.values()])}
    presence = dict(ClusterPresence.objects.filter(
        cluster_id__in=[d.cluster_id for d in deliveries if d.cluster_id]
    ).values_list("cluster_id", "online"))
    by_delivery = {delivery_id: (pk, status) for pk, delivery_id, status in items}
    rows = []
    for delivery in deliveries:
        item_id, item_status = by_delivery.get(delivery.pk, (None, ""))
        play_now = commands.get((item_id, ClusterCommand.Kind.PLAY_NOW))
        rows.append(ClusterAck(
            delivery=delivery, item_status=item_status, play_now=play_now,
            play_now_mqtt=published.get(play_now.pk) if play_now else None,
            stop=commands.get((item_id, ClusterCommand.Kind.STOP)),
            mqtt_online=presence.get(delivery.cluster_id),
        ))
    stops = list(EmergencyStop.objects.filter(dispatch=dispatch).select_related("stopped_by"))
    return EmergencyStatus(dispatch=dispatch, rows=rows, stops=stops)


def emergency_stop(*, page_id: int, user) -> int:
    """Stop the emergency on every cluster: cancel what has not played, send ``stop`` where it
    may be playing, and stop redelivering its play-now. Returns how many clusters were told.
    The bulletin stays published on the website."""
    dispatch = emergency_dispatch(page_id=page_id)
    if dispatch is None or dispatch.status != Dispatch.Status.ACTIVE:
        return 0
    now = timezone.now()
    with transaction.atomic():
        item_ids = list(ScheduleItem.objects.filter(delivery__dispatch=dispatch)
                        .values_list("pk", flat=True))
        count = dispatch_cancel(dispatch=dispatch, reason=_("Đã dừng khẩn cấp."))
        ClusterCommand.objects.filter(
            kind=ClusterCommand.Kind.PLAY_NOW, acked_at__isnull=True, expires_at__gt=now,
            payload__item_id__in=item_ids,
        ).update(expires_at=now)
        EmergencyStop.objects.create(site_id=dispatch.site_id, dispatch=dispatch,
                                     stopped_by=user, clusters=count)
    return count


def bridge_health(*, now: dt.datetime | None = None) -> dict:
    """What the admin says about MQTT: off, connected, or unreachable (commands go by HTTP)."""
    from django.conf import settings

    from .conf import setting

    if not settings.MQTT_URL:
        return {"state": "off", "message": _("MQTT đang tắt: lệnh gửi tới cụm loa qua HTTP.")}
    now = now or timezone.now()
    state = BridgeState.objects.filter(name="bridge").first()
    stale_after = dt.timedelta(seconds=3 * setting("STATE_EVERY_SECONDS"))
    if state is None or now - state.updated_at > stale_after:
        return {"state": "down", "message": _(
            "Không liên lạc được tiến trình cầu nối MQTT (manage.py mqtt_bridge): lệnh và tin "
            "khẩn cấp vẫn gửi qua HTTP (long-poll và lịch phát).")}
    if not state.connected:
        return {"state": "down", "message": _(
            "Không kết nối được máy chủ MQTT: lệnh và tin khẩn cấp vẫn gửi qua HTTP (long-poll "
            "và lịch phát).")}
    return {"state": "ok", "message": _("MQTT đang hoạt động.")}
