"""What the commune's Zalo Official Account integration keeps: tokens, articles, broadcasts."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import facts


class ZaloAccount(models.Model):
    """The commune's Zalo Official Account (tài khoản Zalo OA) and its OAuth tokens.

    The refresh token is single use: it is only ever replaced together with the access token,
    inside the transaction that holds this row's lock (``tokens.token_refresh``).
    """

    class Status(models.TextChoices):
        NOT_CONNECTED = "not_connected", _("Chưa kết nối")
        CONNECTED = "connected", _("Đã kết nối")
        NEEDS_RECONNECT = "needs_reconnect", _("Cần kết nối lại")

    class Package(models.TextChoices):
        BASIC = "basic", _("Cơ bản")
        ADVANCED = "advanced", _("Nâng cao")
        PREMIUM = "premium", _("Cao cấp")

    site = models.OneToOneField(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="zalo_account",
        verbose_name=_("cổng thông tin"),
    )
    oa_id = models.CharField(_("mã OA"), max_length=64, blank=True)
    oa_name = models.CharField(_("tên OA"), max_length=200, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.NOT_CONNECTED
    )
    package = models.CharField(
        _("gói OA"), max_length=10, choices=Package.choices, default=Package.BASIC,
        help_text=_("Quyết định số lượt gửi tin quảng bá mỗi tháng."),
    )
    default_cover = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ảnh bìa mặc định"),
        help_text=_("Dùng làm ảnh bìa bài viết khi bản tin không có ảnh nào."),
    )
    access_token = models.TextField(blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token = models.TextField(blank=True)
    refresh_obtained_at = models.DateTimeField(null=True, blank=True)
    refresh_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    last_checked_at = models.DateTimeField(_("kiểm tra lần cuối"), null=True, blank=True)
    # OAuth PKCE "connect" flow in progress (state and verifier are single use).
    oauth_state = models.CharField(max_length=64, blank=True)
    oauth_verifier = models.CharField(max_length=128, blank=True)
    oauth_started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tài khoản Zalo OA")
        verbose_name_plural = _("tài khoản Zalo OA")

    def __str__(self):
        return self.oa_name or self.oa_id or f"Zalo OA · {self.site_id}"

    @property
    def monthly_broadcast_quota(self) -> int:
        return facts.BROADCAST_MONTHLY_BY_PACKAGE.get(self.package, 1)

    def access_token_fresh(self, *, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return bool(
            self.access_token and self.access_expires_at
            and self.access_expires_at - dt.timedelta(seconds=facts.ACCESS_TOKEN_REFRESH_MARGIN) > now
        )


class ZaloArticle(models.Model):
    """The OA article (bài viết) that carries one page; a correction updates the same article."""

    class State(models.TextChoices):
        CREATING = "creating", _("Đang tạo")
        VERIFYING = "verifying", _("Zalo đang xử lý")
        SHOWN = "shown", _("Đang hiển thị")
        REMOVED = "removed", _("Đã gỡ")

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("cổng thông tin"),
    )
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    content_id = models.PositiveIntegerField(_("mã trang"), db_index=True)
    title = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices,
                             default=State.CREATING)
    article_id = models.CharField(_("mã bài viết Zalo"), max_length=64, blank=True)
    #: The token of the last create/update, kept until verify returns the id.
    pending_token = models.CharField(max_length=200, blank=True)
    #: The revision whose text Zalo shows (or is processing).
    revision_id = models.PositiveIntegerField(null=True, blank=True)
    #: Idempotency key of the delivery that last sent a create/update (matches a timed-out
    #: call to its retry).
    idempotency_key = models.CharField(max_length=120, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bài viết Zalo")
        verbose_name_plural = _("bài viết Zalo")
        constraints = [
            models.UniqueConstraint(fields=["site", "content_id"], name="zalo_article_per_page")
        ]

    def __str__(self):
        return self.title or str(self.content_id)


class ZaloBroadcast(models.Model):
    """One broadcast (tin quảng bá) of articles to the OA's followers: counts against the quota."""

    class State(models.TextChoices):
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Thất bại")

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("cổng thông tin"),
    )
    content_id = models.PositiveIntegerField(_("mã trang"), null=True, blank=True)
    title = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    article_ids = models.JSONField(default=list)
    target = models.JSONField(default=dict, blank=True)
    #: One broadcast per delivery, whatever the retries.
    idempotency_key = models.CharField(max_length=120, unique=True)
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices,
                             default=State.SENDING)
    message_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    #: The quota month this broadcast counts in (first day, commune time).
    month = models.DateField(_("tháng"))
    created_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tin quảng bá Zalo")
        verbose_name_plural = _("tin quảng bá Zalo")
        indexes = [models.Index(fields=["site", "month"])]

    def __str__(self):
        return f"{self.title} · {self.month:%m/%Y}"


class StaffZaloLink(models.Model):
    """A staff member's Zalo account as the commune's OA knows it (its ``zalo_user_id``), so the
    OA can alert them (``notify.ZaloEmergencyNotifier``).

    Linked without code: the admin page "Liên kết Zalo" issues a one-time code, and the staff
    member sends ``LIENKET <code>`` to the OA (``staff_link.staff_link_message_handle``). Only
    the code's hash is kept, until it is used or expires; a pending code does not undo a link.
    """

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("cổng thông tin"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="zalo_links",
        verbose_name=_("cán bộ"),
    )
    zalo_user_id = models.CharField(_("mã người dùng Zalo"), max_length=64, blank=True)
    linked_at = models.DateTimeField(_("liên kết lúc"), null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("liên kết Zalo của cán bộ")
        verbose_name_plural = _("liên kết Zalo của cán bộ")
        constraints = [
            models.UniqueConstraint(fields=["site", "user"], name="zalo_staff_link_user_per_site"),
            models.UniqueConstraint(
                fields=["site", "zalo_user_id"], condition=~models.Q(zalo_user_id=""),
                name="zalo_staff_link_account_per_site",
            ),
        ]

    def __str__(self):
        return f"{self.user} · Zalo {self.zalo_user_id or '–'}"

    @property
    def is_linked(self) -> bool:
        return bool(self.zalo_user_id)
