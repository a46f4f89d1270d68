"""Upkeep of the speaker clusters (bảo trì cụm loa): 4G data plans and their fees, alerts sent,
fault tickets and their repairs, and the cluster changes no other table keeps.

Clusters belong to the installation; every record here carries the ``Site`` (commune) it was
made for, and the admin lists only the current site's.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel

SITE = dict(on_delete=models.CASCADE, related_name="+", verbose_name=_("cổng thông tin"))


class DataPlan(ClusterableModel):
    """A cluster's 4G data plan (gói cước 4G): free until a date, then paid from the budget."""

    site = models.ForeignKey("wagtailcore.Site", **SITE)
    cluster = models.OneToOneField(
        "device_bridge.SpeakerCluster", on_delete=models.CASCADE, related_name="data_plan",
        verbose_name=_("cụm loa"),
    )
    carrier = models.CharField(_("nhà mạng"), max_length=40, blank=True,
                               help_text=_("Để trống: lấy theo cụm loa."))
    sim_number = models.CharField(_("số thuê bao SIM"), max_length=20, blank=True,
                                  help_text=_("Để trống: lấy theo cụm loa."))
    monthly_fee_vnd = models.PositiveIntegerField(
        _("cước tháng (đồng)"),
        help_text=_("Cước mỗi tháng khi hết miễn phí. Khi nhà mạng đổi giá, thêm một dòng "
                    "“Lịch sử cước” với ngày áp dụng."),
    )
    free_until = models.DateField(
        _("miễn phí đến hết ngày"), blank=True,
        help_text=_("Để trống: ngày lắp đặt cụm loa cộng 2 năm (lắp ngày 29/02 thì đến 28/02)."),
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("cluster"),
        FieldRowPanel([FieldPanel("carrier"), FieldPanel("sim_number")]),
        FieldRowPanel([FieldPanel("monthly_fee_vnd"), FieldPanel("free_until")]),
        FieldPanel("note"),
        InlinePanel("fees", heading=_("Lịch sử cước"), label=_("mức cước")),
    ]

    class Meta:
        ordering = ["cluster__code"]
        verbose_name = _("gói cước 4G")
        verbose_name_plural = _("gói cước 4G")
        permissions = [("view_budget", _("Xem và tải dự toán kinh phí cụm loa"))]

    def __str__(self):
        return f"{self.cluster.code} · {self.carrier} {self.sim_number}"

    def clean(self):
        from .services import data_plan_defaults_fill

        if self.cluster_id is None:
            return
        data_plan_defaults_fill(plan=self)
        if self.free_until is None:
            raise ValidationError({"free_until": _(
                "Cụm loa chưa có ngày lắp đặt: hãy nhập ngày hết miễn phí cước.")})


class DataPlanFee(models.Model):
    """A change of the monthly fee from a date on (lịch sử cước)."""

    plan = ParentalKey(DataPlan, on_delete=models.CASCADE, related_name="fees")
    effective_from = models.DateField(_("áp dụng từ ngày"))
    monthly_fee_vnd = models.PositiveIntegerField(_("cước tháng (đồng)"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        ordering = ["effective_from", "pk"]
        verbose_name = _("mức cước")
        verbose_name_plural = _("lịch sử cước")
        constraints = [
            models.UniqueConstraint(fields=["plan", "effective_from"], name="upkeep_fee_once_a_day")
        ]

    def __str__(self):
        return f"{self.monthly_fee_vnd:,} đ từ {self.effective_from:%d/%m/%Y}"


class UpkeepAlert(models.Model):
    """An alert sent once: a plan's paid period or a warranty's end coming in N days."""

    class Kind(models.TextChoices):
        PLAN_PAID = "plan_paid", _("Hết miễn phí cước 4G")
        WARRANTY_END = "warranty_end", _("Hết bảo hành")

    site = models.ForeignKey("wagtailcore.Site", **SITE)
    cluster = models.ForeignKey("device_bridge.SpeakerCluster", on_delete=models.CASCADE,
                                related_name="+", verbose_name=_("cụm loa"))
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    event_date = models.DateField(_("ngày sự kiện"))
    days_before = models.PositiveSmallIntegerField(_("báo trước (ngày)"))
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(_("số người nhận"), default=0)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("cảnh báo bảo trì")
        verbose_name_plural = _("cảnh báo bảo trì")
        constraints = [
            # A changed date (plan renewed, warranty extended) is a new event with new alerts.
            models.UniqueConstraint(fields=["kind", "cluster", "event_date", "days_before"],
                                    name="upkeep_alert_once")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.event_date:%d/%m/%Y} (−{self.days_before})"


class FaultTicket(ClusterableModel):
    """A fault of a cluster (sự cố), logged by hand or opened from telemetry."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Ghi nhận thủ công")
        OFFLINE = "offline", _("Mất kết nối quá 1 ngày")
        TEMPERATURE = "temperature", _("Nhiệt độ quá cao")
        PLAYBACK = "playback", _("Phát lỗi nhiều lần")

    site = models.ForeignKey("wagtailcore.Site", **SITE)
    cluster = models.ForeignKey("device_bridge.SpeakerCluster", on_delete=models.CASCADE,
                                related_name="fault_tickets", verbose_name=_("cụm loa"))
    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices,
                              default=Source.MANUAL)
    symptom = models.TextField(_("hiện tượng"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("người báo"),
    )
    reporter_name = models.CharField(
        _("người báo (ngoài hệ thống)"), max_length=120, blank=True,
        help_text=_("Ví dụ: trưởng thôn báo qua điện thoại."),
    )
    opened_at = models.DateTimeField(_("mở lúc"))
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True,
                                     help_text=_("Ghi khi cụm loa hoạt động lại bình thường."))

    panels = [
        FieldPanel("cluster"),
        FieldPanel("symptom"),
        FieldRowPanel([FieldPanel("reporter_name"), FieldPanel("opened_at"),
                       FieldPanel("closed_at")]),
        InlinePanel("repairs", heading=_("Sửa chữa, thay thế"), label=_("lần sửa chữa")),
    ]

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("sự cố")
        verbose_name_plural = _("sự cố")
        constraints = [
            # Telemetry opens one ticket per open problem, however often it sees it.
            models.UniqueConstraint(
                fields=["cluster", "source"],
                condition=Q(closed_at__isnull=True) & ~Q(source="manual"),
                name="upkeep_one_open_ticket_per_signal",
            ),
        ]

    def __str__(self):
        return f"{self.cluster.code}: {self.symptom[:60]}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def time_to_repair(self):
        return self.closed_at - self.opened_at if self.closed_at else None


class Repair(models.Model):
    """A repair or a replacement done on a fault (sửa chữa / thay thế)."""

    class Kind(models.TextChoices):
        REPAIR = "repair", _("Sửa chữa")
        REPLACEMENT = "replacement", _("Thay thế thiết bị")

    class PaidBy(models.TextChoices):
        WARRANTY = "warranty", _("Bảo hành (nhà cung cấp chịu)")
        BUDGET = "budget", _("Ngân sách xã")

    ticket = ParentalKey(FaultTicket, on_delete=models.CASCADE, related_name="repairs")
    site = models.ForeignKey("wagtailcore.Site", **SITE)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.REPAIR)
    done_on = models.DateField(_("ngày thực hiện"))
    parts = models.CharField(_("linh kiện, thiết bị"), max_length=255, blank=True)
    description = models.TextField(_("nội dung"), blank=True)
    cost_vnd = models.PositiveIntegerField(_("chi phí (đồng)"), default=0)
    paid_by = models.CharField(_("nguồn chi"), max_length=20, choices=PaidBy.choices,
                               default=PaidBy.BUDGET)
    performed_by = models.CharField(_("đơn vị / người thực hiện"), max_length=120, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("done_on")]),
        FieldPanel("parts"),
        FieldPanel("description"),
        MultiFieldPanel([FieldRowPanel([FieldPanel("cost_vnd"), FieldPanel("paid_by"),
                                        FieldPanel("performed_by")])]),
    ]

    class Meta:
        ordering = ["done_on", "pk"]
        verbose_name = _("sửa chữa, thay thế")
        verbose_name_plural = _("sửa chữa, thay thế")

    def __str__(self):
        return f"{self.get_kind_display()} {self.done_on:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        if self.site_id is None and self.ticket_id:
            self.site_id = self.ticket.site_id
        super().save(*args, **kwargs)


class ClusterChange(models.Model):
    """A change of a cluster no other table keeps: firmware seen, token issued or revoked."""

    class Kind(models.TextChoices):
        FIRMWARE = "firmware", _("Đổi phiên bản firmware")
        TOKEN_ISSUED = "token_issued", _("Cấp mã truy cập mới")
        TOKEN_REVOKED = "token_revoked", _("Thu hồi mã truy cập")

    site = models.ForeignKey("wagtailcore.Site", **SITE)
    cluster = models.ForeignKey("device_bridge.SpeakerCluster", on_delete=models.CASCADE,
                                related_name="+", verbose_name=_("cụm loa"))
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("lúc"))
    detail = models.CharField(_("chi tiết"), max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("thay đổi cụm loa")
        verbose_name_plural = _("thay đổi cụm loa")
        indexes = [models.Index(fields=["cluster", "kind", "at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.detail}".strip()
