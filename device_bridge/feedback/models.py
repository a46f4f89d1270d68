"""Feedback from citizens over Zalo: who wrote, the threads, their messages, the raw events."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from device_bridge.zalo import facts

#: Customer-service replies are free within 48 h of the citizen's last message, refused (-230)
#: after 7 days without interaction (sources in device_bridge.zalo.facts).
FREE_REPLY_WINDOW = dt.timedelta(hours=facts.CS_FREE_WINDOW_HOURS)
REPLY_WINDOW = dt.timedelta(days=facts.CS_MAX_DAYS)


class Department(index.Indexed, models.Model):
    """A department feedback is assigned to (phòng, ban); an editable list."""

    name = models.CharField(_("tên phòng, ban"), max_length=160, unique=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    panels = [FieldPanel("name"), FieldPanel("sort_order")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("phòng, ban tiếp nhận")
        verbose_name_plural = _("phòng, ban tiếp nhận")

    def __str__(self):
        return self.name


class AnswerTemplate(index.Indexed, models.Model):
    """A ready-made answer an officer inserts into a reply (mẫu trả lời)."""

    title = models.CharField(_("tên mẫu"), max_length=160, unique=True)
    text = models.TextField(_("nội dung"), max_length=2000)

    panels = [FieldPanel("title"), FieldPanel("text")]
    search_fields = [index.SearchField("title"), index.SearchField("text")]

    class Meta:
        ordering = ["title"]
        verbose_name = _("mẫu trả lời")
        verbose_name_plural = _("mẫu trả lời")

    def __str__(self):
        return self.title


class Citizen(models.Model):
    """A citizen who wrote to or follows the commune's Zalo OA (người dân)."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    zalo_user_id = models.CharField(_("mã người dùng Zalo"), max_length=64)
    display_name = models.CharField(_("tên hiển thị"), max_length=200, blank=True)
    is_following = models.BooleanField(_("đang quan tâm OA"), default=True)
    last_interaction_at = models.DateTimeField(_("tương tác lần cuối"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("đã yêu cầu xoá dữ liệu lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("người dân")
        verbose_name_plural = _("người dân")
        constraints = [
            models.UniqueConstraint(fields=["site", "zalo_user_id"], name="feedback_citizen_unique_per_site")
        ]

    def __str__(self):
        return self.display_name or _("Người dân %(id)s") % {"id": self.zalo_user_id[-6:]}


class Feedback(models.Model):
    """A feedback thread (phản ánh, kiến nghị): a citizen's messages and the answers."""

    class Status(models.TextChoices):
        NEW = "moi", _("Mới")
        IN_PROGRESS = "dang_xu_ly", _("Đang xử lý")
        ANSWERED = "da_tra_loi", _("Đã trả lời")
        CLOSED = "dong", _("Đóng")

    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS)

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    citizen = models.ForeignKey(
        Citizen, verbose_name=_("người dân"), on_delete=models.CASCADE, related_name="threads"
    )
    subject = models.CharField(_("nội dung chính"), max_length=200, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    department = models.ForeignKey(
        Department, verbose_name=_("phòng, ban"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="feedback",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người xử lý"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    due_date = models.DateField(_("hạn trả lời"), null=True, blank=True)
    created_at = models.DateTimeField(_("ngày nhận"), default=timezone.now)
    last_message_at = models.DateTimeField(_("tin nhắn cuối"), default=timezone.now, db_index=True)
    # Kept when a citizen withdraws and their messages are deleted: anonymised statistics.
    inbound_count = models.PositiveIntegerField(_("số tin nhận"), default=0)
    outbound_count = models.PositiveIntegerField(_("số tin trả lời"), default=0)
    bulletin = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("bản tin phát thanh"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )

    class Meta:
        ordering = ["-last_message_at"]
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        permissions = [("reply_feedback", _("Có thể trả lời phản ánh qua Zalo"))]

    def __str__(self):
        return self.subject or _("Phản ánh số %(pk)s") % {"pk": self.pk}

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_date is not None and self.due_date < today


class FeedbackMessage(models.Model):
    """One message of a thread: the citizen's (inbound) or an officer's answer (outbound)."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("Người dân gửi")
        OUTBOUND = "out", _("Trả lời")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã nhận")
        QUEUED = "queued", _("Đang chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi không được")

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("chiều"), max_length=3, choices=Direction.choices)
    text = models.TextField(_("nội dung"), blank=True)
    image_url = models.URLField(_("ảnh"), max_length=1000, blank=True)
    zalo_msg_id = models.CharField(_("mã tin Zalo"), max_length=128, blank=True, db_index=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người trả lời"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    status = models.CharField(_("trạng thái gửi"), max_length=10, choices=Status.choices)
    error = models.TextField(_("lỗi"), blank=True)
    created_at = models.DateTimeField(_("thời gian"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("tin nhắn phản ánh")
        verbose_name_plural = _("tin nhắn phản ánh")

    def __str__(self):
        return f"{self.get_direction_display()} · {self.created_at:%d/%m/%Y %H:%M}"


class WebhookEvent(models.Model):
    """A raw event Zalo POSTed to the webhook, stored before it is processed (deduplication)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xử lý")
        PROCESSED = "processed", _("Đã xử lý")
        IGNORED = "ignored", _("Bỏ qua")
        FAILED = "failed", _("Lỗi")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    # message.msg_id when the event has one, else a digest of the event (see webhook.event_key).
    event_key = models.CharField(max_length=128, unique=True)
    event_name = models.CharField(max_length=64)
    zalo_user_id = models.CharField(max_length=64, blank=True, db_index=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("sự kiện Zalo")
        verbose_name_plural = _("sự kiện Zalo")

    def __str__(self):
        return f"{self.event_name} · {self.event_key}"
