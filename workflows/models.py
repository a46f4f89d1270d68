"""Moderation models: the listen-before-approve step, its listening records, routing rules.

The Wagtail workflow framework does the bookkeeping (``Workflow``, ``WorkflowState``,
``TaskState``); this app adds one task type and the rules that pick a workflow for a bulletin.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, PageChooserPanel
from wagtail.models import AbstractGroupApprovalTask, TaskState

from content_types.models import Priority


class ListenApprovalTaskState(TaskState):
    """A task state of the listen-before-approve step; its ``listens`` say who heard what."""

    def get_comment(self):
        """The approver's comment, plus when they heard the preview (shown in the history)."""
        if self.status != self.STATUS_APPROVED or not self.finished_by_id:
            return self.comment
        # A listening names the revision, not the step: one listening can open two
        # consecutive steps of the same revision for the person who holds both.
        listen = (
            ListenRecord.objects.filter(user_id=self.finished_by_id, revision_id=self.revision_id)
            .order_by("-listened_at")
            .first()
        )
        if listen is None:
            return self.comment
        heard = _("đã nghe bản xem trước lúc %(moment)s") % {
            "moment": date_format(localtime(listen.listened_at), "H:i d/m/Y")
        }
        return f"{self.comment} ({heard})" if self.comment else capfirst(heard)

    class Meta:
        verbose_name = _("trạng thái bước nghe duyệt")
        verbose_name_plural = _("trạng thái bước nghe duyệt")


class ListenApprovalTask(AbstractGroupApprovalTask):
    """Listen-before-approve (nghe duyệt bản tin): members of the groups approve only after
    playing the audio preview of the revision they are asked to approve."""

    task_state_class = ListenApprovalTaskState

    def get_actions(self, obj, user):
        from .selectors import listen_gate_is_open

        actions = super().get_actions(obj, user)
        if actions and not listen_gate_is_open(obj=obj, task=self, user=user):
            return [action for action in actions if action[0] != "approve"]
        return actions

    def on_action(self, task_state, user, action_name, **kwargs):
        from .services import approval_check

        if action_name == "approve":
            # Wagtail's views only compare the action name with get_actions() for the object in
            # the URL; the task state in the URL may belong to another object, so check it here.
            approval_check(task_state=task_state.specific, user=user)
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        return super().get_task_states_user_can_moderate(user, **kwargs).select_related(
            "revision", "workflow_state"
        )

    @classmethod
    def get_description(cls):
        return _(
            "Thành viên các nhóm đã chọn phải nghe hết bản xem trước âm thanh của phiên bản "
            "hiện tại rồi mới duyệt được."
        )

    class Meta:
        verbose_name = _("Nghe duyệt bản tin")
        verbose_name_plural = _("Nghe duyệt bản tin")


class ListenRecord(models.Model):
    """That ``user`` played the audio preview of ``revision`` (lượt nghe duyệt).

    The evidence is about a revision, not a step: ``task_state`` only says in which step it
    was heard, and the listening opens every step of that revision ``user`` may approve.
    """

    task_state = models.ForeignKey(
        ListenApprovalTaskState,
        verbose_name=_("bước duyệt"),
        on_delete=models.CASCADE,
        related_name="listens",
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("phiên bản"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nghe"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    listened_at = models.DateTimeField(_("nghe lúc"), auto_now_add=True)
    played_seconds = models.FloatField(_("số giây đã nghe"), default=0)
    duration_seconds = models.FloatField(_("độ dài bản xem trước (giây)"), default=0)

    class Meta:
        ordering = ["-listened_at"]
        verbose_name = _("lượt nghe duyệt")
        verbose_name_plural = _("lượt nghe duyệt")

    def __str__(self):
        return f"{self.user} — {self.revision_id} @ {self.listened_at:%Y-%m-%d %H:%M}"


class PreviewServed(models.Model):
    """That the audio preview of ``revision`` was served to ``user`` (bản nghe thử đã tải về),
    first at ``served_at``, and how long that audio lasts by the server's own measure.

    The listen gate's evidence: a listening counts only once the audio was served and enough
    time has passed since for it to be heard, whatever the browser reports.
    """

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("trang"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("phiên bản"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nghe"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    served_at = models.DateTimeField(_("tải lần đầu lúc"), default=timezone.now)
    duration_seconds = models.FloatField(_("độ dài bản xem trước (giây)"))
    #: The revision's ``created_at`` when served: autosave rewrites a revision in place (new
    #: text, new ``created_at``), and audio served before that was another text.
    revision_created_at = models.DateTimeField(_("phiên bản tạo lúc"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "user"], name="workflows_preview_served_once_per_user"
            )
        ]
        verbose_name = _("lượt tải bản nghe thử")
        verbose_name_plural = _("lượt tải bản nghe thử")

    def __str__(self):
        return f"{self.user} — {self.revision_id} @ {self.served_at:%Y-%m-%d %H:%M:%S}"


class WorkflowRoute(models.Model):
    """A routing rule (quy tắc chọn quy trình): the first matching rule picks a bulletin's
    workflow; with no match the workflow assigned in the page tree applies."""

    name = models.CharField(_("tên quy tắc"), max_length=120)
    priority = models.CharField(
        _("mức ưu tiên của bản tin"),
        max_length=10,
        choices=Priority.choices,
        blank=True,
        help_text=_("Để trống để áp dụng cho mọi mức ưu tiên."),
    )
    section = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("chuyên mục"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Chỉ áp dụng cho bản tin nằm trong trang này. Để trống để áp dụng toàn trang."),
    )
    workflow = models.ForeignKey(
        "wagtailcore.Workflow",
        verbose_name=_("quy trình duyệt"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"active": True},
    )
    sort_order = models.PositiveIntegerField(
        _("thứ tự xét"), default=100, help_text=_("Quy tắc có số nhỏ hơn được xét trước.")
    )

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("priority"), FieldPanel("sort_order")]),
        PageChooserPanel("section"),
        FieldPanel("workflow"),
    ]

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("quy tắc chọn quy trình duyệt")
        verbose_name_plural = _("quy tắc chọn quy trình duyệt")

    def __str__(self):
        return self.name

    def matches(self, page) -> bool:
        if self.priority and getattr(page, "priority", None) != self.priority:
            return False
        if self.section_id:
            section_path = self.section.path
            if not page.path or page.path == section_path or not page.path.startswith(section_path):
                return False
        return True


class ModerationPermission(models.Model):
    """Holder of the moderation permissions that belong to no table (quyền kiểm duyệt)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_reports", _("Xem báo cáo kiểm duyệt")),
            ("publish_without_moderation", _("Xuất bản trực tiếp không qua quy trình duyệt")),
        ]
        verbose_name = _("quyền kiểm duyệt")
        verbose_name_plural = _("quyền kiểm duyệt")

    def __str__(self):
        return str(self._meta.verbose_name)
