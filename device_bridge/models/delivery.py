"""The delivery outbox: one dispatch per channel per approval, one delivery per target."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dispatch(models.Model):
    """Sending one approved revision of a page through one channel (lượt phân phối)."""

    class Priority(models.TextChoices):
        """The bulletin's priority, copied at approval (labels only: the field keeps no choices)."""

        THUONG = "thuong", _("Thường")
        UU_TIEN = "uu_tien", _("Ưu tiên")
        KHAN_CAP = "khan_cap", _("Khẩn cấp")

    #: What the admin calls the channels of ``settings.DEVICE_CHANNELS``.
    CHANNEL_LABELS = {"speakers": _("Loa truyền thanh"), "website": _("Cổng thông tin"),
                      "zalo": _("Zalo OA"), "zalo_broadcast": _("Zalo OA (gửi quảng bá)")}

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang phân phối")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Có lỗi")
        CANCELLED = "cancelled", _("Đã huỷ")

    # The broadcast record outlives the page (it is what the People's Committee is shown), so
    # deleting the page only clears this link; ``content_id`` and ``title`` keep the record.
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    content_id = models.PositiveIntegerField(_("mã trang"), null=True, blank=True, db_index=True)
    title = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("cổng thông tin"),
    )
    content_deleted_at = models.DateTimeField(_("trang bị xoá lúc"), null=True, blank=True)
    revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("kênh"), max_length=40)
    rule = models.ForeignKey(
        "device_bridge.DistributionRule", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("quy tắc phân phối"),
    )
    schedule_template = models.ForeignKey(
        "device_bridge.ScheduleTemplate", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("mẫu lịch phát"),
    )
    priority = models.CharField(_("mức ưu tiên"), max_length=10, default="thuong")
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    #: Problems an operator must see (a zone with no cluster, a missing template...).
    warnings = models.JSONField(default=list, blank=True)
    #: Some of the content's audience had no target at dispatch (no active cluster in a zone,
    #: or none at all): a cluster that joins later gets its delivery (``dispatch_targets_join``).
    targets_missing = models.BooleanField(default=False, db_index=True)
    #: The zones that had no target; empty with ``targets_missing`` means the whole commune.
    missing_zone_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    completed_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("lượt phân phối")
        verbose_name_plural = _("lượt phân phối")
        constraints = [
            models.UniqueConstraint(
                fields=["page", "revision", "channel"], name="device_bridge_dispatch_once"
            )
        ]

    def __str__(self):
        return f"{self.channel} · {self.title or self.content_id}"


class Delivery(models.Model):
    """Delivering a dispatch to one target: the website, or one speaker cluster."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        WAITING_AUDIO = "waiting_audio", _("Chờ âm thanh")
        IN_FLIGHT = "in_flight", _("Đang gửi")
        SCHEDULED = "scheduled", _("Đã xếp lịch")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Thất bại")
        CANCELLED = "cancelled", _("Đã huỷ")

    TERMINAL = (Status.DONE, Status.FAILED, Status.CANCELLED)

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="deliveries")
    cluster = models.ForeignKey(
        "device_bridge.SpeakerCluster", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="deliveries",
    )
    target_label = models.CharField(_("đích"), max_length=200)
    idempotency_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(
        _("trạng thái"), max_length=15, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    external_ref = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        ordering = ["dispatch", "target_label", "pk"]
        verbose_name = _("lượt gửi")
        verbose_name_plural = _("lượt gửi")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.target_label} ({self.get_status_display()})"
