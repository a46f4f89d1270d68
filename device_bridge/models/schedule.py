"""Broadcast schedule (lịch phát): templates, relays and the per-cluster items clusters play."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def parse_slot_times(text: str) -> list[dt.time]:
    """``"06:00, 11:00, 17:00"`` → sorted unique times; ``ValueError`` names the bad part."""
    times = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            times.add(dt.datetime.strptime(part, "%H:%M").time())
        except ValueError as err:
            raise ValueError(part) from err
    return sorted(times)


class ScheduleTemplate(models.Model):
    """When ordinary and priority bulletins play: daily slots for a number of days."""

    name = models.CharField(_("tên mẫu"), max_length=120, unique=True)
    times = models.CharField(
        _("giờ phát"),
        max_length=200,
        default="06:00, 11:00, 17:00",
        help_text=_("Các giờ phát trong ngày, dạng HH:MM, cách nhau bằng dấu phẩy."),
    )
    days = models.PositiveSmallIntegerField(_("số ngày phát"), default=1)
    weekdays_only = models.BooleanField(_("chỉ ngày làm việc (thứ Hai – thứ Sáu)"), default=False)
    window_minutes = models.PositiveSmallIntegerField(
        _("thời gian chờ phát (phút)"),
        default=60,
        help_text=_("Quá thời gian này sau giờ phát mà cụm loa chưa phát được thì bỏ lượt đó."),
    )
    emergency_repeat = models.PositiveSmallIntegerField(_("số lần lặp tin khẩn cấp"), default=3)
    is_default = models.BooleanField(
        _("mẫu mặc định"), default=False, help_text=_("Dùng khi không có quy tắc phân phối nào khớp.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("mẫu lịch phát")
        verbose_name_plural = _("mẫu lịch phát")

    def __str__(self):
        return self.name

    def clean(self):
        try:
            times = parse_slot_times(self.times)
        except ValueError as err:
            raise ValidationError(
                {"times": _("Giờ phát “%(part)s” không đúng dạng HH:MM.") % {"part": err.args[0]}}
            ) from err
        if not times:
            raise ValidationError({"times": _("Mẫu lịch phát phải có ít nhất một giờ phát.")})
        if self.days < 1:
            raise ValidationError({"days": _("Số ngày phát phải từ 1 trở lên.")})
        if self.weekdays_only and self.days < 3:
            # Two consecutive days can both fall on a weekend: such a template makes no slot.
            raise ValidationError(
                {"days": _("Mẫu chỉ phát ngày làm việc cần ít nhất 3 ngày, nếu không có thể "
                           "không có khung giờ nào (rơi vào thứ Bảy, Chủ nhật).")}
            )
        if self.window_minutes < 1:
            raise ValidationError({"window_minutes": _("Thời gian chờ phát phải từ 1 phút.")})
        if self.emergency_repeat < 1:
            raise ValidationError({"emergency_repeat": _("Tin khẩn cấp phải phát ít nhất 1 lần.")})

    @property
    def slot_times(self) -> list[dt.time]:
        try:
            return parse_slot_times(self.times)
        except ValueError:
            return []


class DistributionRule(models.Model):
    """Which channels, zones and schedule a category/priority of content gets (quy tắc phân phối)."""

    name = models.CharField(_("tên quy tắc"), max_length=120)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    sort_order = models.PositiveIntegerField(
        _("thứ tự xét"), default=100, help_text=_("Quy tắc có số nhỏ hơn được xét trước.")
    )
    categories = models.ManyToManyField(
        "content_types.Category",
        verbose_name=_("lĩnh vực"),
        blank=True,
        related_name="+",
        help_text=_("Để trống: mọi lĩnh vực."),
    )
    priority = models.CharField(
        _("mức ưu tiên"),
        max_length=10,
        blank=True,
        choices=[
            ("thuong", _("Thường")),
            ("uu_tien", _("Ưu tiên")),
            ("khan_cap", _("Khẩn cấp")),
        ],
        help_text=_("Để trống: mọi mức ưu tiên."),
    )
    channels = models.CharField(
        _("kênh phát"),
        max_length=200,
        default="website, speakers",
        help_text=_("Tên các kênh, cách nhau bằng dấu phẩy: website (cổng thông tin), "
                    "speakers (loa truyền thanh)."),
    )
    zones = models.ManyToManyField(
        "content_types.Zone",
        verbose_name=_("thôn / tổ dân phố"),
        blank=True,
        related_name="+",
        help_text=_("Áp dụng khi bản tin không chọn thôn. Để trống: toàn xã."),
    )
    schedule_template = models.ForeignKey(
        ScheduleTemplate,
        verbose_name=_("mẫu lịch phát"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rules",
    )

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("quy tắc phân phối")
        verbose_name_plural = _("quy tắc phân phối")

    def __str__(self):
        return self.name

    @property
    def channel_keys(self) -> list[str]:
        return [part.strip() for part in self.channels.split(",") if part.strip()]

    def clean(self):
        from ..conf import channel_config

        known = set(channel_config())
        unknown = [key for key in self.channel_keys if key not in known]
        if unknown:
            raise ValidationError(
                {"channels": _("Kênh không tồn tại: %(names)s. Các kênh có: %(known)s.")
                 % {"names": ", ".join(unknown), "known": ", ".join(sorted(known))}}
            )
        if not self.channel_keys:
            raise ValidationError({"channels": _("Cần chọn ít nhất một kênh.")})
        if "speakers" in self.channel_keys and self.priority != "khan_cap" and not self.schedule_template_id:
            raise ValidationError(
                {"schedule_template": _("Quy tắc có kênh loa cần một mẫu lịch phát.")}
            )


class RelayProgramme(models.Model):
    """A fixed-hour relay of district/provincial radio (tiếp sóng) from a stream URL."""

    name = models.CharField(_("tên chương trình"), max_length=120)
    stream_url = models.URLField(_("địa chỉ luồng phát"), max_length=500)
    zones = models.ManyToManyField(
        "content_types.Zone", verbose_name=_("thôn / tổ dân phố"), blank=True, related_name="+",
        help_text=_("Để trống: toàn xã."),
    )
    start_time = models.TimeField(_("giờ bắt đầu"))
    duration_minutes = models.PositiveSmallIntegerField(_("thời lượng (phút)"), default=30)
    weekdays_only = models.BooleanField(_("chỉ ngày làm việc"), default=False)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        ordering = ["start_time", "name"]
        verbose_name = _("chương trình tiếp sóng")
        verbose_name_plural = _("chương trình tiếp sóng")

    def __str__(self):
        return f"{self.start_time:%H:%M} {self.name}"

    def clean(self):
        if self.duration_minutes < 1:
            raise ValidationError({"duration_minutes": _("Thời lượng phải từ 1 phút.")})


class ScheduleItem(models.Model):
    """One thing one cluster should play in a window (mục lịch phát)."""

    class Kind(models.TextChoices):
        BULLETIN = "bulletin", _("Bản tin")
        RELAY = "relay", _("Tiếp sóng")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ phát")
        PLAYED = "played", _("Đã phát")
        FAILED = "failed", _("Phát lỗi")
        CANCELLED = "cancelled", _("Đã huỷ")
        EXPIRED = "expired", _("Quá hạn, không phát")

    TERMINAL = (Status.PLAYED, Status.FAILED, Status.CANCELLED, Status.EXPIRED)

    cluster = models.ForeignKey(
        "device_bridge.SpeakerCluster", on_delete=models.CASCADE, related_name="schedule_items"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BULLETIN)
    delivery = models.ForeignKey(
        "device_bridge.Delivery", on_delete=models.CASCADE, null=True, blank=True, related_name="items"
    )
    # What was broadcast stays on record after the bulletin or relay is deleted (``title``,
    # times and receipts are kept on the item); deleting either only clears the link.
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    relay = models.ForeignKey(
        RelayProgramme, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    title = models.CharField(_("tiêu đề"), max_length=255)
    priority = models.CharField(_("mức ưu tiên"), max_length=10, default="thuong")
    # Lower plays first within a slot: emergency 0, priority 1, normal 2, relay 3.
    rank = models.PositiveSmallIntegerField(default=2)
    play_at = models.DateTimeField(_("phát từ"))
    play_until = models.DateTimeField(_("phát trước"))
    repeat = models.PositiveSmallIntegerField(default=1)
    preempt = models.BooleanField(default=False)
    audio_name = models.CharField(max_length=255, blank=True)
    audio_sha256 = models.CharField(max_length=64, blank=True)
    audio_size = models.PositiveBigIntegerField(null=True, blank=True)
    audio_duration = models.FloatField(null=True, blank=True)
    stream_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    played_at = models.DateTimeField(_("phát lúc"), null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["play_at", "rank", "pk"]
        verbose_name = _("mục lịch phát")
        verbose_name_plural = _("lịch phát")
        indexes = [models.Index(fields=["cluster", "status", "play_until"])]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "play_at"],
                condition=models.Q(delivery__isnull=False),
                name="device_bridge_item_once_per_delivery_slot",
            ),
            models.UniqueConstraint(
                fields=["relay", "cluster", "play_at"],
                condition=models.Q(relay__isnull=False),
                name="device_bridge_relay_once_per_cluster_slot",
            ),
        ]

    def __str__(self):
        return f"{self.play_at:%Y-%m-%d %H:%M} {self.title}"

    @property
    def busy_until(self):
        """When the item stops occupying the speakers, for conflict detection."""
        if self.kind == self.Kind.RELAY:
            return self.play_until
        seconds = (self.audio_duration or 60) * max(self.repeat, 1)
        return self.play_at + dt.timedelta(seconds=seconds)


class PlaybackReceipt(models.Model):
    """A cluster's report that it played (or failed to play) an item (biên nhận phát)."""

    class Result(models.TextChoices):
        PLAYED = "played", _("Đã phát")
        FAILED = "failed", _("Phát lỗi")
        INTERRUPTED = "interrupted", _("Bị ngắt")

    item = models.ForeignKey(ScheduleItem, on_delete=models.CASCADE, related_name="receipts")
    cluster = models.ForeignKey(
        "device_bridge.SpeakerCluster", on_delete=models.CASCADE, related_name="receipts"
    )
    started_at = models.DateTimeField(_("bắt đầu"))
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    result = models.CharField(_("kết quả"), max_length=12, choices=Result.choices)
    error = models.CharField(_("lỗi"), max_length=500, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("biên nhận phát")
        verbose_name_plural = _("biên nhận phát")
        constraints = [
            models.UniqueConstraint(fields=["item", "started_at"], name="device_bridge_receipt_once")
        ]

    def __str__(self):
        return f"{self.item_id} {self.started_at:%Y-%m-%d %H:%M:%S} {self.result}"
