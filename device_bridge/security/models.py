"""Information-security assessment of the speaker clusters and the management system
(đánh giá an toàn thông tin), twice a year, for the People's Committee.

Every record belongs to one commune (a wagtail ``Site``). A checklist template lists the items;
an assessment copies them, per active cluster for cluster items and once for system items, into
results that a technician answers (or the automatic checks answer from telemetry and the
registry). Once signed off, an assessment and its results are read-only.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable


class Scope(models.TextChoices):
    CLUSTER = "cluster", _("Từng cụm loa")
    SYSTEM = "system", _("Hệ thống quản lý")


class AutoCheck(models.TextChoices):
    """Which items the registry and telemetry answer by themselves (see ``checks.py``)."""

    MANUAL = "", _("Kỹ thuật viên tự đánh giá")
    FIRMWARE_BASELINE = "firmware_baseline", _("Tự động: firmware so với phiên bản được duyệt")
    TOKEN_AGE = "token_age", _("Tự động: tuổi mã truy cập")
    HEARTBEAT_TLS = "heartbeat_tls", _("Tự động: tín hiệu kết nối chỉ qua HTTPS")


class ChecklistTemplate(ClusterableModel):
    """A checklist of security items (mẫu danh mục kiểm tra), edited in the admin."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("cổng thông tin"))
    name = models.CharField(_("tên mẫu"), max_length=200)
    description = models.TextField(_("mô tả"), blank=True)
    is_default = models.BooleanField(
        _("mẫu mặc định"), default=False,
        help_text=_("Mẫu được chọn sẵn khi tạo đợt đánh giá mới."))
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("is_default"),
        InlinePanel("items", heading=_("Các nội dung kiểm tra"), label=_("nội dung kiểm tra")),
    ]

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("mẫu danh mục kiểm tra an toàn thông tin")
        verbose_name_plural = _("mẫu danh mục kiểm tra an toàn thông tin")

    def __str__(self):
        return self.name


class ChecklistItem(Orderable):
    """One item of a checklist (nội dung kiểm tra)."""

    template = ParentalKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+",
                             editable=False)
    code = models.SlugField(_("mã"), max_length=40,
                            help_text=_("Mã ngắn, không dấu, không trùng trong một mẫu."))
    title = models.CharField(_("nội dung kiểm tra"), max_length=255)
    guidance = models.TextField(_("cách kiểm tra"), blank=True)
    scope = models.CharField(_("phạm vi"), max_length=10, choices=Scope.choices,
                             default=Scope.CLUSTER)
    automatic = models.CharField(_("cách trả lời"), max_length=30, choices=AutoCheck.choices,
                                 default=AutoCheck.MANUAL, blank=True)

    panels = [FieldPanel("code"), FieldPanel("title"), FieldPanel("guidance"),
              FieldPanel("scope"), FieldPanel("automatic")]

    class Meta(Orderable.Meta):
        verbose_name = _("nội dung kiểm tra")
        verbose_name_plural = _("nội dung kiểm tra")
        constraints = [models.UniqueConstraint(fields=["template", "code"],
                                               name="fleetsecurity_item_code_unique")]

    def save(self, *args, **kwargs):
        self.site_id = self.template.site_id
        super().save(*args, **kwargs)

    def __str__(self):
        return self.title


class FirmwareBaseline(models.Model):
    """The approved firmware version (phiên bản firmware được duyệt) of a vendor/model.

    Empty vendor or model matches any; the most specific baseline applies to a cluster."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("cổng thông tin"))
    vendor = models.CharField(_("hãng sản xuất"), max_length=80, blank=True,
                              help_text=_("Để trống: áp dụng cho mọi hãng."))
    model_name = models.CharField(_("model thiết bị"), max_length=80, blank=True,
                                  help_text=_("Để trống: áp dụng cho mọi model của hãng."))
    version = models.CharField(_("phiên bản được duyệt"), max_length=40,
                               help_text=_("Cụm loa có firmware bằng hoặc mới hơn là đạt."))
    approved_on = models.DateField(_("ngày duyệt"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["vendor", "model_name"]
        verbose_name = _("phiên bản firmware được duyệt")
        verbose_name_plural = _("phiên bản firmware được duyệt")
        constraints = [models.UniqueConstraint(fields=["site", "vendor", "model_name"],
                                               name="fleetsecurity_baseline_unique")]

    def __str__(self):
        target = " ".join(part for part in (self.vendor, self.model_name) if part)
        return f"{target or _('Mọi thiết bị')}: {self.version}"


class Assessment(models.Model):
    """One assessment round (đợt đánh giá), e.g. "6 tháng đầu năm 2026"."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("cổng thông tin"))
    period = models.CharField(_("kỳ đánh giá"), max_length=120,
                              help_text=_("Ví dụ: 6 tháng đầu năm 2026."))
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("mẫu danh mục"))
    number_symbol = models.CharField(
        _("số, ký hiệu báo cáo"), max_length=60, blank=True,
        help_text=_("Ví dụ: 12/BC-TTDVSNC; để trống thì báo cáo ghi “   /BC-…” để điền tay."))
    summary = models.TextField(_("kết luận, kiến nghị"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    autofilled_at = models.DateTimeField(_("tự động đánh giá lúc"), null=True, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                      null=True, blank=True, related_name="+",
                                      verbose_name=_("người ký duyệt"))
    signed_off_at = models.DateTimeField(_("ký duyệt lúc"), null=True, blank=True)
    signer_on_behalf = models.CharField(_("thẩm quyền ký"), max_length=80, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=80, blank=True)
    signer_name = models.CharField(_("họ tên người ký"), max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("đợt đánh giá an toàn thông tin")
        verbose_name_plural = _("đợt đánh giá an toàn thông tin")
        permissions = [("sign_off_assessment", _("Ký duyệt đánh giá an toàn thông tin"))]
        constraints = [models.UniqueConstraint(fields=["site", "period"],
                                               name="fleetsecurity_period_unique")]

    def __str__(self):
        return str(_("Đánh giá an toàn thông tin %(period)s") % {"period": self.period})

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None


class Result(models.TextChoices):
    PENDING = "pending", _("Chưa đánh giá")
    PASSED = "passed", _("Đạt")
    FAILED = "failed", _("Không đạt")
    NOT_APPLICABLE = "not_applicable", _("Không áp dụng")


class AssessmentResult(models.Model):
    """The answer to one item for one cluster (or for the system) in one assessment.

    The item's code and title are copied: editing the template later never rewrites a report.
    """

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    item_code = models.SlugField(max_length=40)
    item_title = models.CharField(_("nội dung kiểm tra"), max_length=255)
    automatic = models.CharField(max_length=30, choices=AutoCheck.choices, blank=True)
    sort_order = models.IntegerField(default=0)
    cluster = models.ForeignKey("device_bridge.SpeakerCluster", on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+",
                                verbose_name=_("cụm loa"))
    cluster_label = models.CharField(_("cụm loa"), max_length=200, blank=True)
    status = models.CharField(_("kết quả"), max_length=20, choices=Result.choices,
                              default=Result.PENDING)
    evidence = models.TextField(_("bằng chứng"), blank=True)
    finding = models.TextField(_("phát hiện"), blank=True)
    remediation = models.TextField(_("biện pháp khắc phục"), blank=True)
    owner = models.CharField(_("người phụ trách"), max_length=120, blank=True)
    due_date = models.DateField(_("hạn khắc phục"), null=True, blank=True)
    resolved_on = models.DateField(_("đã khắc phục ngày"), null=True, blank=True)
    answered_automatically = models.BooleanField(_("trả lời tự động"), default=False)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(_("đánh giá lúc"), null=True, blank=True)

    class Meta:
        ordering = ["sort_order", "cluster_label", "pk"]
        verbose_name = _("kết quả kiểm tra")
        verbose_name_plural = _("kết quả kiểm tra")
        indexes = [models.Index(fields=["cluster", "assessment"])]

    def __str__(self):
        where = self.cluster_label or _("Hệ thống quản lý")
        return f"{self.item_title} · {where}"

    @property
    def is_open_finding(self) -> bool:
        return self.status == Result.FAILED and self.resolved_on is None


class HeartbeatTransport(models.Model):
    """How a cluster's heartbeats reached the server (HTTPS or not), for the TLS check.

    Written by ``receivers.py`` at most once per cluster and scheme per hour, not on every
    heartbeat; the heartbeat path itself is left untouched."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    cluster = models.OneToOneField("device_bridge.SpeakerCluster", on_delete=models.CASCADE,
                                   related_name="+")
    last_scheme = models.CharField(max_length=10, blank=True)
    last_forwarded_proto = models.CharField(max_length=10, blank=True)
    last_secure_at = models.DateTimeField(null=True, blank=True)
    last_insecure_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("đường truyền tín hiệu kết nối")
        verbose_name_plural = _("đường truyền tín hiệu kết nối")

    def __str__(self):
        return f"{self.cluster_id}: {self.last_scheme}"
