"""Rendered broadcast audio, which page uses it, the pronunciation lexicon and jingles."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.search import index

from .validators import validate_jingle_file, validate_lexicon_written


class SpeechAudio(models.Model):
    """A rendered audio file (bản âm thanh) of one normalised text, engine, voice and mix.

    Keyed by :attr:`cache_key`, so the same text published again reuses it without calling
    any engine. ``engine`` is the engine that actually spoke; ``fallback_used`` says it was
    not the one requested (``requested_engine``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ tạo")
        RENDERING = "rendering", _("Đang tạo")
        READY = "ready", _("Sẵn sàng")
        FAILED = "failed", _("Lỗi")

    cache_key = models.CharField(_("khóa bộ nhớ đệm"), max_length=64, unique=True)
    text = models.TextField(_("văn bản đọc (đã chuẩn hóa)"), blank=True)
    requested_engine = models.CharField(_("bộ đọc yêu cầu"), max_length=40)
    engine = models.CharField(_("bộ đọc đã dùng"), max_length=40, blank=True)
    voice = models.CharField(_("giọng đọc"), max_length=120, blank=True)
    fallback_used = models.BooleanField(_("đã dùng bộ đọc dự phòng"), default=False)
    fallback_reason = models.TextField(_("lý do dùng dự phòng"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    error = models.TextField(_("lý do lỗi"), blank=True)
    warnings = models.TextField(_("lưu ý khi chuẩn hóa"), blank=True)
    file = models.FileField(_("tệp MP3"), upload_to="tts/", max_length=255, blank=True)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True, db_index=True)
    size_bytes = models.PositiveIntegerField(_("dung lượng (byte)"), null=True, blank=True)
    duration_seconds = models.FloatField(_("thời lượng (giây)"), null=True, blank=True)
    sample_rate = models.PositiveIntegerField(_("tần số lấy mẫu"), null=True, blank=True)
    bitrate = models.PositiveIntegerField(_("tốc độ bit"), null=True, blank=True)
    loudness_lufs = models.FloatField(_("độ lớn tích hợp (LUFS)"), null=True, blank=True)
    true_peak_dbtp = models.FloatField(_("đỉnh thực (dBTP)"), null=True, blank=True)
    engine_requests = models.PositiveIntegerField(_("số yêu cầu tới bộ đọc"), default=0)
    render_seconds = models.FloatField(_("thời gian tạo (giây)"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("số lần tạo"), default=0)
    #: When a failed render is tried again by the sweeper (exponential backoff); empty when
    #: the failure is final (unspeakable text, configuration) or the attempts are used up.
    next_attempt_at = models.DateTimeField(_("tự thử lại lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    rendered_at = models.DateTimeField(_("hoàn tất lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("bản âm thanh")
        verbose_name_plural = _("bản âm thanh")
        ordering = ["-updated_at"]

    def __str__(self):
        return f"{self.get_status_display()} · {self.engine_display} · {self.cache_key[:10]}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def engine_display(self) -> str:
        """``espeak (dự phòng cho gtts)`` when the fallback spoke."""
        if not self.engine:
            return self.requested_engine
        if self.fallback_used:
            return _("%(engine)s (dự phòng cho %(requested)s)") % {
                "engine": self.engine,
                "requested": self.requested_engine,
            }
        return self.engine


class PageAudio(models.Model):
    """Which audio a page revision uses: the broadcast (phát thanh) or the approver preview."""

    class Purpose(models.TextChoices):
        BROADCAST = "broadcast", _("Phát thanh")
        PREVIEW = "preview", _("Nghe thử khi duyệt")

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("trang")
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phiên bản"),
    )
    purpose = models.CharField(_("mục đích"), max_length=12, choices=Purpose.choices)
    #: SHA-256 of the raw spoken text and engine name: matches the page's *current* text
    #: without normalising it on every read.
    source_sha256 = models.CharField(max_length=64, db_index=True)
    audio = models.ForeignKey(
        SpeechAudio, on_delete=models.CASCADE, related_name="page_links", verbose_name=_("âm thanh")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("âm thanh của trang")
        verbose_name_plural = _("âm thanh của trang")
        indexes = [models.Index(fields=["page", "purpose", "source_sha256"])]
        ordering = ["-updated_at"]

    def __str__(self):
        return f"{self.page_id} · {self.get_purpose_display()} · {self.audio_id}"


class PronunciationEntry(index.Indexed, models.Model):
    """An entry of the pronunciation lexicon (từ điển phát âm): written form -> spoken form."""

    written = models.CharField(
        _("cách viết"),
        max_length=60,
        unique=True,
        validators=[validate_lexicon_written],
        help_text=_("Phân biệt chữ hoa, chữ thường, ví dụ: UBND, HĐND, CNTT-VT."),
    )
    spoken = models.CharField(_("cách đọc"), max_length=255, help_text=_("Ví dụ: Ủy ban nhân dân."))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    panels = [
        FieldPanel("written"),
        FieldPanel("spoken"),
        FieldPanel("note"),
        FieldPanel("is_active"),
    ]
    search_fields = [
        index.SearchField("written"),
        index.SearchField("spoken"),
        index.AutocompleteField("written"),
    ]

    class Meta:
        ordering = ["written"]
        verbose_name = _("mục từ phát âm")
        verbose_name_plural = _("từ điển phát âm")

    def __str__(self):
        return f"{self.written} → {self.spoken}"


@register_setting(icon="media")
class BroadcastAudioSettings(BaseGenericSetting):
    """Station jingles (nhạc hiệu) around every bulletin; a generated chime when empty."""

    use_jingles = models.BooleanField(_("chèn nhạc hiệu đầu và cuối"), default=True)
    intro_jingle = models.FileField(
        _("nhạc hiệu mở đầu"),
        upload_to="tts/jingles/",
        blank=True,
        validators=[validate_jingle_file],
        help_text=_("MP3, WAV, OGG hoặc M4A, tối đa 30 giây. Để trống để dùng nhạc hiệu mặc định."),
    )
    outro_jingle = models.FileField(
        _("nhạc hiệu kết thúc"),
        upload_to="tts/jingles/",
        blank=True,
        validators=[validate_jingle_file],
        help_text=_("MP3, WAV, OGG hoặc M4A, tối đa 30 giây. Để trống để dùng nhạc hiệu mặc định."),
    )

    panels = [FieldPanel("use_jingles"), FieldPanel("intro_jingle"), FieldPanel("outro_jingle")]

    class Meta:
        verbose_name = _("âm thanh phát thanh")
