"""The loudspeaker channel: one delivery per speaker cluster, played from the schedule."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import DeviceEvent, SpeakerCluster
from .base import Channel, ChannelConfigurationError, ChannelError, Outcome, Target, TargetPlan


def _audio_for_page(page):
    # The speech pipeline's read contract; imported late so this module loads without it.
    from device_bridge.tts.selectors import audio_for_page

    return audio_for_page(page)


def zone_without_cluster_warning(zone) -> str:
    return _("Thôn “%(zone)s” không có cụm loa nào đang hoạt động: tin không được phát trên "
             "loa ở thôn này.") % {"zone": zone.name}


class SpeakerChannel(Channel):
    def accepts(self, *, page) -> bool:
        # Only pages with a text to read aloud (bulletins) have broadcast audio.
        return hasattr(page, "spoken_text")

    def plan_targets(self, *, page, zones) -> TargetPlan:
        active = SpeakerCluster.objects.filter(is_active=True).select_related("zone")
        warnings = []
        uncovered_zone_ids = []
        if zones:
            zone_ids = {zone.pk for zone in zones}
            clusters = [c for c in active if c.zone_id in zone_ids]
            covered = {c.zone_id for c in clusters}
            for zone in zones:
                if zone.pk not in covered:
                    uncovered_zone_ids.append(zone.pk)
                    warnings.append(zone_without_cluster_warning(zone))
            unzoned = [c for c in active if c.zone_id is None]
            if unzoned:
                warnings.append(
                    _("%(count)s cụm loa chưa gán thôn (%(codes)s) không nhận tin phát theo thôn.")
                    % {"count": len(unzoned), "codes": ", ".join(c.code for c in unzoned)}
                )
        else:
            clusters = list(active)
        if not clusters:
            warnings.append(_("Không có cụm loa nào đang hoạt động để phát tin này."))
        targets = [
            Target(key=f"cluster-{c.pk}", label=str(c), cluster_id=c.pk) for c in clusters
        ]
        return TargetPlan(targets=targets, warnings=warnings,
                          uncovered=bool(uncovered_zone_ids) or not clusters,
                          uncovered_zone_ids=uncovered_zone_ids)

    def deliver(self, *, delivery) -> Outcome:
        from ..schedule.services import NoSlotError, schedule_items_for_delivery

        dispatch = delivery.dispatch
        page = dispatch.page.specific
        if not page.live:
            raise ChannelError(_("Trang không còn được xuất bản."))
        if delivery.cluster_id is None:
            raise ChannelConfigurationError(_("Cụm loa của lượt gửi này đã bị xoá."))
        if not SpeakerCluster.objects.filter(pk=delivery.cluster_id, is_active=True).exists():
            # Deactivated after the dispatch was planned: close the delivery so the dispatch
            # still completes without this cluster.
            return Outcome(status="cancelled", note=_("Cụm loa đã ngừng hoạt động."))
        audio = _audio_for_page(page)
        if audio is None:
            return Outcome(status="waiting_audio", note=_("Đang chờ tạo âm thanh."))
        storage = audio.file.storage
        if not audio.file.name or not storage.exists(audio.file.name):
            message = _("Tệp âm thanh “%(name)s” không có trong kho lưu trữ; hãy tạo lại âm "
                        "thanh cho bản tin rồi bấm “Gửi lại”.") % {"name": audio.file.name or "?"}
            DeviceEvent.objects.create(
                cluster_id=delivery.cluster_id, kind=DeviceEvent.Kind.AUDIO_MISSING,
                message=message, payload={"page_id": page.pk, "delivery_id": delivery.pk},
            )
            raise ChannelConfigurationError(message)
        try:
            count = schedule_items_for_delivery(
                delivery=delivery, page=page, audio=audio,
                template=dispatch.schedule_template, now=timezone.now(),
            )
        except NoSlotError as err:
            if err.args and err.args[0] == "no-template":
                raise ChannelConfigurationError(
                    _("Chưa có mẫu lịch phát cho bản tin này: hãy chọn mẫu trong quy tắc phân "
                      "phối hoặc đặt một mẫu mặc định.")
                ) from err
            raise ChannelConfigurationError(
                _("Mẫu lịch phát “%(template)s” không tạo ra khung giờ phát nào trước khi tin hết "
                  "hiệu lực.") % {"template": dispatch.schedule_template or "-"}
            ) from err
        return Outcome(status="scheduled", note=_("%(count)s lượt phát") % {"count": count})

    def cancel(self, *, delivery) -> None:
        from ..schedule.services import schedule_items_cancel

        schedule_items_cancel(delivery=delivery)
