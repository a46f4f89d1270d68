"""Records of the CAP app: the per-site mapping settings, the alerts taken in, the polled feeds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site

CAP_URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
CAP_SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")


@register_setting(icon="warning")
class CapSettings(BaseSiteSetting):
    """How an incoming CAP alert becomes a bulletin (cảnh báo CAP): the editable priority mapping."""

    emergency_urgencies = models.CharField(
        _("khẩn cấp khi mức khẩn trương (urgency) là"), max_length=120, default="Immediate, Expected",
        help_text=_("Các giá trị urgency của CAP, cách nhau bằng dấu phẩy."),
    )
    emergency_severities = models.CharField(
        _("và mức nghiêm trọng (severity) là"), max_length=120, default="Extreme, Severe",
        help_text=_("Các giá trị severity của CAP, cách nhau bằng dấu phẩy."),
    )
    priority_severities = models.CharField(
        _("ưu tiên khi mức nghiêm trọng là"), max_length=120, default="Moderate",
        help_text=_("Cảnh báo không khẩn cấp có severity thuộc danh sách này thành tin ưu tiên; "
                    "còn lại là tin thường."),
    )
    category = models.ForeignKey(
        "content_types.Category", verbose_name=_("lĩnh vực của tin nhập từ CAP"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Để trống: lĩnh vực “Phòng chống thiên tai” nếu có, nếu không thì lĩnh vực đầu tiên."),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("emergency_urgencies"), FieldPanel("emergency_severities"),
             FieldPanel("priority_severities")],
            heading=_("Quy đổi mức ưu tiên"),
        ),
        FieldPanel("category"),
    ]

    class Meta:
        verbose_name = _("cảnh báo CAP")


class CapAlert(models.Model):
    """One CAP message taken in (cảnh báo CAP đã nhập), unique per site on (sender, identifier, sent)."""

    class Origin(models.TextChoices):
        UPLOAD = "upload", _("Tải lên")
        FEED = "feed", _("Nguồn tự động")
        COMMAND = "command", _("Lệnh quản trị")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    sender = models.CharField(_("đơn vị gửi"), max_length=255)
    identifier = models.CharField(_("mã cảnh báo"), max_length=255)
    sent = models.DateTimeField(_("thời điểm gửi"))
    msg_type = models.CharField(_("loại bản tin"), max_length=10)
    status = models.CharField(_("trạng thái CAP"), max_length=10)
    headline = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    page = models.ForeignKey(
        "content_types.BulletinPage", verbose_name=_("bản tin"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    note = models.TextField(_("ghi chú"), blank=True)
    origin = models.CharField(_("nguồn"), max_length=10, choices=Origin.choices)
    document = models.TextField(_("nội dung CAP"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(_("nhập lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("cảnh báo CAP đã nhập")
        verbose_name_plural = _("cảnh báo CAP đã nhập")
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["site", "sender", "identifier", "sent"], name="cap_alert_unique")
        ]

    def __str__(self):
        return f"{self.sender} {self.identifier}"


class CapFeedSource(models.Model):
    """A CAP feed (Atom index or a single alert) polled for new alerts (nguồn cảnh báo CAP)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("tên nguồn"), max_length=120)
    url = models.URLField(_("địa chỉ nguồn"), max_length=500)
    enabled = models.BooleanField(_("đang bật"), default=True)
    last_polled_at = models.DateTimeField(_("lần lấy gần nhất"), null=True, blank=True)
    etag = models.CharField(_("ETag"), max_length=255, blank=True)
    last_result = models.TextField(_("kết quả lần gần nhất"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("url"), FieldPanel("enabled")]

    class Meta:
        verbose_name = _("nguồn cảnh báo CAP")
        verbose_name_plural = _("nguồn cảnh báo CAP")
        ordering = ["name"]

    def __str__(self):
        return self.name
