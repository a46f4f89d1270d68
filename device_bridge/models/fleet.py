"""Speaker clusters (cụm loa), their commands and what they reported."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ClusterHasHistory(models.ProtectedError):
    """A cluster that broadcast something is part of the record: deactivate it, never delete it."""

    def __init__(self, *, cluster, history: dict):
        self.history = history
        message = gettext(
            "Không xoá được cụm loa “%(cluster)s” vì cụm loa đã có lịch sử phát thanh (%(history)s); "
            "lịch sử này là hồ sơ cần lưu. Hãy ngừng hoạt động cụm loa (bỏ chọn “Đang hoạt "
            "động”) thay vì xoá."
        ) % {"cluster": cluster, "history": ", ".join(f"{count} {label}"
                                                       for label, count in history.items())}
        super().__init__(message, set())


class SpeakerCluster(models.Model):
    """A loudspeaker cluster (cụm thu phát thanh / cụm loa) reached over 4G."""

    class PlayerStatus(models.TextChoices):
        """The heartbeat's ``status`` values (docs/device-protocol.md, "Heartbeat")."""

        IDLE = "idle", _("Đang chờ")
        PLAYING = "playing", _("Đang phát")
        ERROR = "error", _("Lỗi")

    code = models.SlugField(_("mã cụm loa"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    zone = models.ForeignKey(
        "content_types.Zone",
        verbose_name=_("thôn / tổ dân phố"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speaker_clusters",
        help_text=_("Cụm loa chưa gán thôn chỉ nhận tin phát cho toàn xã."),
    )
    latitude = models.DecimalField(_("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("địa chỉ lắp đặt"), max_length=255, blank=True)
    vendor = models.CharField(_("hãng sản xuất"), max_length=80, blank=True)
    model_name = models.CharField(_("model thiết bị"), max_length=80, blank=True)
    firmware_version = models.CharField(_("phiên bản firmware"), max_length=40, blank=True)
    sim_number = models.CharField(_("số thuê bao SIM"), max_length=20, blank=True)
    carrier = models.CharField(_("nhà mạng"), max_length=40, blank=True)
    plan_started_on = models.DateField(_("ngày bắt đầu gói cước 4G"), null=True, blank=True)
    plan_free_until = models.DateField(_("miễn phí cước 4G đến"), null=True, blank=True)
    warranty_until = models.DateField(_("bảo hành đến"), null=True, blank=True)
    installed_on = models.DateField(_("ngày lắp đặt"), null=True, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    # Credentials: the public half identifies the cluster in one indexed lookup, the secret
    # half is kept only as a SHA-256 hash and compared in constant time.
    token_id = models.CharField(max_length=16, unique=True, null=True, blank=True, editable=False)
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    token_issued_at = models.DateTimeField(_("cấp mã truy cập lúc"), null=True, blank=True, editable=False)
    token_revoked_at = models.DateTimeField(_("thu hồi mã lúc"), null=True, blank=True, editable=False)

    schedule_version = models.PositiveIntegerField(default=1, editable=False)
    # When the next served item's window closes: the served list changes then without any
    # write, so the first poll after it bumps ``schedule_version`` (a new ETag, never a stale 304).
    schedule_horizon = models.DateTimeField(null=True, blank=True, editable=False)
    last_seen_at = models.DateTimeField(_("liên lạc lần cuối"), null=True, blank=True, editable=False)
    last_heartbeat = models.JSONField(_("trạng thái báo cáo"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("cụm loa")
        verbose_name_plural = _("cụm loa")

    def __str__(self):
        return f"{self.code} · {self.name}"


class ClusterCommand(models.Model):
    """A command for one cluster, handed out until acknowledged or expired (any transport).

    ``delivered_at`` is the latest hand-out, ``attempts`` how many there were; one not
    acknowledged by ``redeliver_at`` is handed out again (docs/device-protocol.md, commands).
    """

    class Kind(models.TextChoices):
        PLAY_NOW = "play_now", _("Phát ngay")
        STOP = "stop", _("Dừng phát")
        SET_VOLUME = "set_volume", _("Đặt âm lượng")
        REBOOT = "reboot", _("Khởi động lại")

    cluster = models.ForeignKey(SpeakerCluster, on_delete=models.CASCADE, related_name="commands")
    kind = models.CharField(_("lệnh"), max_length=20, choices=Kind.choices)
    payload = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    delivered_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    redeliver_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    transport = models.CharField(_("đường truyền"), max_length=10, blank=True,
                                 help_text=_("Đường truyền của lần gửi gần nhất: http hoặc mqtt."))
    acked_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    result = models.CharField(_("kết quả"), max_length=20, blank=True)
    error = models.TextField(_("lỗi"), blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("lệnh điều khiển")
        verbose_name_plural = _("lệnh điều khiển")
        indexes = [models.Index(fields=["cluster", "delivered_at"]),
                   models.Index(fields=["cluster", "acked_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.cluster_id}"


class DeviceEvent(models.Model):
    """Something a cluster sent that was rejected or went wrong, kept for the technician."""

    class Kind(models.TextChoices):
        RECEIPT_REJECTED = "receipt_rejected", _("Biên nhận bị từ chối")
        AUDIO_MISSING = "audio_missing", _("Thiếu tệp âm thanh")
        TOKEN = "token", _("Mã truy cập")

    cluster = models.ForeignKey(
        SpeakerCluster, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    message = models.TextField(_("nội dung"))
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sự kiện thiết bị")
        verbose_name_plural = _("sự kiện thiết bị")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.message[:60]}"
