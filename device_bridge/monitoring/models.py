"""Fleet monitoring records: state history, live operations and alerts (giám sát cụm loa).

Every record belongs to one commune (a wagtail ``Site``); admin lists are scoped to the site of
the request.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClusterState(models.TextChoices):
    """What the fleet map colours a cluster by."""

    ONLINE = "online", _("Đang kết nối")
    PLAYING = "playing", _("Đang phát")
    ERROR = "error", _("Báo lỗi")
    OFFLINE = "offline", _("Mất kết nối")


class ClusterStateChange(models.Model):
    """A cluster changed state (lịch sử trạng thái cụm loa): one row per transition."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("cổng thông tin"))
    cluster = models.ForeignKey("device_bridge.SpeakerCluster", on_delete=models.CASCADE,
                                related_name="state_changes", verbose_name=_("cụm loa"))
    state = models.CharField(_("trạng thái"), max_length=10, choices=ClusterState.choices)
    previous_state = models.CharField(_("trạng thái trước"), max_length=10, blank=True,
                                      choices=ClusterState.choices)
    changed_at = models.DateTimeField(_("thời điểm"))
    detail = models.CharField(_("chi tiết"), max_length=255, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("thay đổi trạng thái cụm loa")
        verbose_name_plural = _("lịch sử trạng thái cụm loa")
        indexes = [models.Index(fields=["cluster", "-changed_at"])]

    def __str__(self):
        return f"{self.cluster_id}: {self.previous_state or '-'} → {self.state}"


class LiveOperation(models.Model):
    """An operator's live action on the loudspeakers (điều khiển trực tiếp): what, where, who,
    and the commands it sent, whose acknowledgements its result page follows."""

    class Kind(models.TextChoices):
        PLAY_NOW = "play_now", _("Phát ngay")
        VOLUME = "volume", _("Đặt âm lượng")
        RELAY = "relay", _("Tiếp sóng ngay")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("cổng thông tin"))
    kind = models.CharField(_("thao tác"), max_length=10, choices=Kind.choices)
    zone = models.ForeignKey("content_types.Zone", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("thôn / tổ dân phố"))
    cluster = models.ForeignKey("device_bridge.SpeakerCluster", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("cụm loa"))
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("bản tin"))
    title = models.CharField(_("nội dung"), max_length=255)
    stream_url = models.URLField(_("địa chỉ luồng phát"), max_length=500, blank=True)
    volume = models.PositiveSmallIntegerField(_("âm lượng"), null=True, blank=True)
    commands = models.ManyToManyField("device_bridge.ClusterCommand", related_name="+", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("người thực hiện"))
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("thao tác trực tiếp")
        verbose_name_plural = _("thao tác trực tiếp")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


class FleetAlert(models.Model):
    """Something a technician must act on (cảnh báo hệ thống loa), recorded once by its ``key``
    so the sweep can run any number of times and each alert is e-mailed once."""

    class Kind(models.TextChoices):
        OFFLINE_IN_SLOT = "offline_slot", _("Cụm loa mất kết nối trong giờ phát")
        DELIVERY_FAILED = "delivery_failed", _("Gửi tin thất bại sau mọi lần thử")
        EMERGENCY_UNACKED = "emergency_unacked", _("Tin khẩn cấp chưa được xác nhận")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("cổng thông tin"))
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=120)
    cluster = models.ForeignKey("device_bridge.SpeakerCluster", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("cụm loa"))
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    message = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("đã gửi e-mail lúc"), null=True, blank=True)
    dismissed_at = models.DateTimeField(_("đã xử lý lúc"), null=True, blank=True)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("cảnh báo hệ thống loa")
        verbose_name_plural = _("cảnh báo hệ thống loa")
        constraints = [
            models.UniqueConstraint(fields=["site", "key"], name="monitoring_alert_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.message[:60]}"
