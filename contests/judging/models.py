"""Judged competitions (hội thi): teams, their entries, the jury's weighted criteria and scores.

Every record carries the commune's ``Site`` (taken from the contest page on save). Writes go
through ``contests.judging.services``, reads through ``contests.judging.selectors``. A
``Score`` is never listed by any admin viewset or API: before its round closes a juror sees
only their own (``selectors.juror_scores``).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from .validators import validate_audio, validate_document, validate_video_url


def _site_from_contest(instance, contest) -> None:
    if instance.site_id is None and contest is not None:
        instance.site = contest.get_site()


def _contest_changed(instance) -> bool:
    """A saved team or criterion being moved to another contest."""
    if instance.pk is None:
        return False
    stored = type(instance).objects.filter(pk=instance.pk).values_list("contest_id", flat=True).first()
    return stored is not None and stored != instance.contest_id


def entry_upload_to(instance, filename: str) -> str:
    # A random name: the team's own file name never reaches the disk or a URL.
    return f"judging/{instance.site_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


def team_name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


class Team(models.Model):
    """A team or unit (đội thi / đơn vị dự thi) registered for a judged contest.

    It submits with a secret link whose token is shown once at registration; only its SHA-256
    is kept (``token_hash``). Organisers may issue a new link, which voids the old one.
    """

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", editable=False
    )
    contest = models.ForeignKey(
        "contests.ContestPage", verbose_name=_("hội thi"), on_delete=models.CASCADE,
        related_name="teams", limit_choices_to={"kind": "hoi_thi"},
    )
    name = models.CharField(_("tên đội"), max_length=150)
    # The name case-folded with spaces collapsed: SQLite's LOWER() folds ASCII only (“Đ”).
    name_key = models.CharField(max_length=150, editable=False)
    unit = models.CharField(_("đơn vị"), max_length=200)
    members = models.TextField(_("thành viên"), max_length=2000, help_text=_("Mỗi người một dòng."))
    contact_phone = models.CharField(_("điện thoại liên hệ"), max_length=15)
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    registered_at = models.DateTimeField(_("đăng ký lúc"), default=timezone.now)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)

    panels = [
        FieldPanel("contest"),
        FieldRowPanel([FieldPanel("name"), FieldPanel("unit")]),
        FieldPanel("members"),
        FieldRowPanel([FieldPanel("contact_phone"), FieldPanel("contact_email")]),
    ]

    class Meta:
        verbose_name = _("đội thi")
        verbose_name_plural = _("đội thi")
        ordering = ["contest_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "name_key"], name="judging_team_name_once",
                violation_error_message=_("Tên đội này đã được đăng ký trong hội thi."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def save(self, *args, **kwargs):
        _site_from_contest(self, self.contest if self.contest_id else None)
        self.name_key = team_name_key(self.name)
        if not self.token_hash:
            # Registered from the admin: no link yet; the organiser issues one from the listing.
            self.token_hash = "unset-" + uuid.uuid4().hex
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if _contest_changed(self) and self.entries.exists():
            raise ValidationError({"contest": _("Đội đã nộp bài: không chuyển sang hội thi khác được.")})


class Entry(models.Model):
    """A team's entry (bài dự thi) for one round: a text, a file, an audio recording or a link
    to a video. Files are private: served only to organisers and jurors."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Bài viết")
        FILE = "file", _("Tệp (PDF, Word, PowerPoint, ảnh)")
        AUDIO = "audio", _("Bản ghi âm")
        VIDEO = "video", _("Đường dẫn video")

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", editable=False
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="entries")
    round = models.ForeignKey(
        "contests.ContestRound", on_delete=models.PROTECT, related_name="judged_entries"
    )
    kind = models.CharField(_("hình thức"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("tên bài dự thi"), max_length=200)
    text = models.TextField(_("nội dung"), max_length=20000, blank=True)
    file = models.FileField(
        _("tệp"), upload_to=entry_upload_to, blank=True, validators=[validate_document]
    )
    audio = models.FileField(
        _("bản ghi âm"), upload_to=entry_upload_to, blank=True, validators=[validate_audio]
    )
    video_url = models.URLField(
        _("đường dẫn video"), max_length=500, blank=True, validators=[validate_video_url]
    )
    submitted_at = models.DateTimeField(_("nộp lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("bài dự thi")
        verbose_name_plural = _("bài dự thi")
        ordering = ["round_id", "submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["team", "round"], name="judging_entry_once_per_round"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.site_id is None:
            self.site_id = self.team.site_id
        super().save(*args, **kwargs)


class Criterion(models.Model):
    """A judging criterion (tiêu chí chấm) with its weight (hệ số) and its maximum score."""

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", editable=False
    )
    contest = models.ForeignKey(
        "contests.ContestPage", verbose_name=_("hội thi"), on_delete=models.CASCADE,
        related_name="criteria", limit_choices_to={"kind": "hoi_thi"},
    )
    name = models.CharField(_("tiêu chí"), max_length=200)
    description = models.TextField(_("hướng dẫn chấm"), max_length=1000, blank=True)
    weight = models.DecimalField(
        _("hệ số"), max_digits=5, decimal_places=2, default=1,
        validators=[MinValueValidator(0.01)],
    )
    max_score = models.PositiveSmallIntegerField(
        _("điểm tối đa"), default=10, validators=[MinValueValidator(1)]
    )
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    panels = [
        FieldPanel("contest"),
        FieldPanel("name"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("weight"), FieldPanel("max_score"), FieldPanel("sort_order")]),
    ]

    class Meta:
        verbose_name = _("tiêu chí chấm")
        verbose_name_plural = _("tiêu chí chấm")
        ordering = ["contest_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "name"], name="judging_criterion_once"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        _site_from_contest(self, self.contest if self.contest_id else None)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.pk is None:
            return
        if _contest_changed(self) and self.scores.exists():
            raise ValidationError({"contest": _("Tiêu chí đã có điểm chấm: không chuyển sang hội thi khác được.")})
        highest = self.scores.aggregate(highest=models.Max("value"))["highest"]
        if highest is not None and self.max_score is not None and self.max_score < highest:
            raise ValidationError({"max_score": _(
                "Đã có điểm chấm %(value)s cho tiêu chí này: điểm tối đa không được nhỏ hơn."
            ) % {"value": f"{highest:.2f}".rstrip("0").rstrip(".")}})


class Score(models.Model):
    """One juror's score (điểm) of one entry on one criterion, with an optional comment."""

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", editable=False
    )
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    juror = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="judging_scores"
    )
    value = models.DecimalField(
        _("điểm"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    comment = models.TextField(_("nhận xét"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("điểm chấm")
        verbose_name_plural = _("điểm chấm")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "criterion", "juror"], name="judging_score_once"
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="judging_score_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} / {self.criterion_id} / {self.juror_id}: {self.value}"
