"""The yearly grassroots information plan (kế hoạch) and its tasks (nhiệm vụ).

The plan itself is a page: it is drafted, moderated and published like any other document of
the commune. Its tasks are records beside it, not page content: the lead unit reports progress
on a task many times a year, and that must not send the approved plan back through moderation.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page, Site

from content_types.models import AsciiSlugMixin
from workflows.permissions import ModeratedPageMixin


class Unit(models.Model):
    """A unit of the People's Committee (phòng, trung tâm) that leads or joins plan tasks."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", verbose_name=_("xã"))
    name = models.CharField(_("tên đơn vị"), max_length=255)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="plan_units",
        verbose_name=_("cán bộ của đơn vị"),
        help_text=_("Những người này thấy nhiệm vụ quá hạn của đơn vị và cập nhật tiến độ."),
    )

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="plans_unit_unique_name")]

    def __str__(self):
        return self.name


class PlanPage(AsciiSlugMixin, ModeratedPageMixin, Page):
    """A yearly plan (kế hoạch), published on the commune site; its tasks are tracked in the admin."""

    number = models.CharField(_("số ký hiệu"), max_length=64, blank=True,
                              help_text=_("Ví dụ: 15/KH-UBND"))
    year = models.PositiveSmallIntegerField(_("năm"))
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    body = RichTextField(_("nội dung kế hoạch"), blank=True,
                         features=["h2", "h3", "bold", "italic", "ol", "ul", "link"])
    signer = models.CharField(_("người ký"), max_length=255, blank=True)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("number"), FieldPanel("year"), FieldPanel("issued_on")]),
        FieldPanel("body"),
        FieldPanel("signer"),
    ]
    api_fields = [APIField("number"), APIField("year"), APIField("issued_on"), APIField("body")]
    parent_page_types = ["content_types.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")

    def get_context(self, request, *args, **kwargs):
        from .selectors import plan_progress

        context = super().get_context(request, *args, **kwargs)
        context["progress"] = plan_progress(plan=self, on=timezone.localdate())
        return context


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Hoàn thành")
    PAUSED = "paused", _("Tạm dừng")


class PlanTask(models.Model):
    """One task (nhiệm vụ) of a plan: who leads it, who joins, by when, and how far it got."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", verbose_name=_("xã"))
    plan = models.ForeignKey(PlanPage, on_delete=models.CASCADE, related_name="tasks",
                             verbose_name=_("kế hoạch"))
    code = models.CharField(_("mục"), max_length=20, blank=True, help_text=_("Ví dụ: II.2.b"))
    title = models.CharField(_("nhiệm vụ"), max_length=255)
    content = models.TextField(_("nội dung"), blank=True)
    lead_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="led_tasks",
                                  verbose_name=_("đơn vị chủ trì"))
    cooperating_units = models.ManyToManyField(Unit, blank=True, related_name="joined_tasks",
                                               verbose_name=_("đơn vị phối hợp"))
    deadline = models.DateField(_("thời hạn"))
    status = models.CharField(_("trạng thái"), max_length=16, choices=TaskStatus.choices,
                              default=TaskStatus.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0,
                                                validators=[MaxValueValidator(100)])
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    evidence = models.ManyToManyField(
        Page, blank=True, related_name="+", verbose_name=_("minh chứng"),
        help_text=_("Bản tin, chiến dịch, cuộc thi đã thực hiện nhiệm vụ này."),
    )
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("nhiệm vụ kế hoạch")
        verbose_name_plural = _("nhiệm vụ kế hoạch")
        ordering = ["plan", "sort_order", "code", "pk"]
        indexes = [models.Index(fields=["site", "status", "deadline"])]

    def __str__(self):
        return f"{self.code} {self.title}".strip()

    def is_overdue(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.status != TaskStatus.DONE and self.deadline < on


class PlanTaskNote(models.Model):
    """A progress report on a task: what was done, the status and progress it left the task in."""

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="notes",
                             verbose_name=_("nhiệm vụ"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("người cập nhật"))
    author_name = models.CharField(_("tên người cập nhật"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("thời gian"), default=timezone.now)
    text = models.TextField(_("kết quả thực hiện"))
    status = models.CharField(_("trạng thái"), max_length=16, choices=TaskStatus.choices)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), validators=[MaxValueValidator(100)])
    evidence_url = models.URLField(_("đường dẫn minh chứng"), blank=True)

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.task} — {self.created_at:%d/%m/%Y}"
