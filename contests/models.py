"""Online quiz contests (cuộc thi trực tuyến): pages, rounds, the question bank and attempts.

Pages (``ContestIndexPage``, ``ContestPage``) and their rounds live in the page tree and go
through moderation like bulletins; publishing a contest page also publishes its rounds' rules,
prizes and results. Everything residents create (``Participant``, ``Attempt``) and the question
bank carry the commune's ``Site``. Writes go through ``contests.services``, reads through
``contests.selectors``.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from content_types.models import FOLDED_SEARCH_FIELDS, AsciiSlugMixin
from content_types.search import BODY_BOOST, FoldedSearchMixin
from workflows.permissions import ModeratedPageMixin

from .page_forms import ContestPageForm
from .routes import ContestRoutesMixin

RICH_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link"]


class ContestIndexPage(FoldedSearchMixin, AsciiSlugMixin, ModeratedPageMixin, Page):
    """The list of a commune's contests (trang cuộc thi)."""

    intro = models.TextField(_("lời giới thiệu"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + FOLDED_SEARCH_FIELDS
    api_fields = [APIField("intro")]
    parent_page_types = ["content_types.HomePage"]
    subpage_types = ["contests.ContestPage"]

    class Meta:
        verbose_name = _("trang cuộc thi")

    def get_context(self, request, *args, **kwargs):
        from content_types.selectors import public_pages

        context = super().get_context(request, *args, **kwargs)
        context["contests"] = (
            public_pages(ContestPage.objects.child_of(self)).order_by("-first_published_at")
        )
        return context


class ContestPage(
    FoldedSearchMixin, AsciiSlugMixin, ModeratedPageMixin, ContestRoutesMixin, RoutablePageMixin, Page
):
    """A contest (cuộc thi): an online quiz or a judged competition (hội thi), with its rounds."""

    class Kind(models.TextChoices):
        QUIZ = "trac_nghiem", _("Thi trắc nghiệm trực tuyến")
        JUDGED = "hoi_thi", _("Hội thi có ban giám khảo")

    kind = models.CharField(_("hình thức"), max_length=20, choices=Kind.choices, default=Kind.QUIZ)
    intro = models.TextField(_("lời giới thiệu"), max_length=1000, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("ảnh minh hoạ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rules = RichTextField(_("thể lệ"), features=RICH_FEATURES, blank=True)
    organiser = models.CharField(_("ban tổ chức"), max_length=255, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("organiser"),
        FieldPanel("rules"),
        InlinePanel("rounds", label=_("Đợt thi"), min_num=1),
    ]
    search_fields = Page.search_fields + FOLDED_SEARCH_FIELDS + [
        index.SearchField("intro", boost=BODY_BOOST),
        index.SearchField("rules", boost=BODY_BOOST),
    ]
    api_fields = [APIField("kind"), APIField("intro"), APIField("rules"), APIField("organiser")]
    base_form_class = ContestPageForm
    parent_page_types = ["contests.ContestIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("cuộc thi")
        verbose_name_plural = _("cuộc thi")

    def current_round(self, now=None):
        """The round open for answers now, else ``None``."""
        now = now or timezone.now()
        return self.rounds.filter(starts_at__lte=now, ends_at__gt=now).order_by("starts_at").first()


class ContestRound(Orderable):
    """A round (đợt thi / tuần thi) of a contest, with its limits, prizes and published results.

    It belongs to the page (and through it to the site's tree), so its rules and results are
    published with the page, through moderation.
    """

    page = ParentalKey(ContestPage, on_delete=models.CASCADE, related_name="rounds")
    title = models.CharField(_("tên đợt"), max_length=200)
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"))
    questions_per_attempt = models.PositiveSmallIntegerField(
        _("số câu mỗi lượt"), default=10, help_text=_("Rút ngẫu nhiên từ ngân hàng câu hỏi.")
    )
    time_limit_seconds = models.PositiveIntegerField(
        _("thời gian làm bài (giây)"), default=600
    )
    attempts_per_phone = models.PositiveSmallIntegerField(
        _("số lượt thi mỗi số điện thoại"), default=1
    )
    prizes_first = models.PositiveSmallIntegerField(_("giải nhất"), default=1)
    prizes_second = models.PositiveSmallIntegerField(_("giải nhì"), default=2)
    prizes_third = models.PositiveSmallIntegerField(_("giải ba"), default=3)
    prizes_consolation = models.PositiveSmallIntegerField(_("giải khuyến khích"), default=5)
    results_published = models.BooleanField(
        _("công bố kết quả"),
        default=False,
        help_text=_("Kết quả hiện trên trang khi trang được duyệt và xuất bản."),
    )
    results = RichTextField(_("kết quả"), features=RICH_FEATURES, blank=True)

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
        FieldRowPanel(
            [
                FieldPanel("questions_per_attempt"),
                FieldPanel("time_limit_seconds"),
                FieldPanel("attempts_per_phone"),
            ]
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("prizes_first"),
                        FieldPanel("prizes_second"),
                        FieldPanel("prizes_third"),
                        FieldPanel("prizes_consolation"),
                    ]
                ),
            ],
            heading=_("Cơ cấu giải"),
        ),
        FieldPanel("results_published"),
        FieldPanel("results"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("đợt thi")
        verbose_name_plural = _("đợt thi")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="contest_round_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def prize_total(self) -> int:
        return self.prizes_first + self.prizes_second + self.prizes_third + self.prizes_consolation

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("Thời điểm kết thúc phải sau thời điểm bắt đầu.")
        if self.questions_per_attempt is not None and self.questions_per_attempt < 1:
            errors["questions_per_attempt"] = _("Mỗi lượt thi cần ít nhất 1 câu hỏi.")
        if self.attempts_per_phone is not None and self.attempts_per_phone < 1:
            errors["attempts_per_phone"] = _("Mỗi số điện thoại cần được thi ít nhất 1 lượt.")
        if self.time_limit_seconds is not None and self.time_limit_seconds < 10:
            errors["time_limit_seconds"] = _("Thời gian làm bài ít nhất 10 giây.")
        if errors:
            raise ValidationError(errors)


class Question(ClusterableModel):
    """A question of a contest's bank (câu hỏi), single or multiple choice."""

    class Kind(models.TextChoices):
        SINGLE = "mot", _("Chọn một đáp án")
        MULTIPLE = "nhieu", _("Chọn nhiều đáp án")

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", editable=False
    )
    contest = models.ForeignKey(
        ContestPage, verbose_name=_("cuộc thi"), on_delete=models.CASCADE, related_name="questions"
    )
    text = models.TextField(_("câu hỏi"), max_length=1000)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("ảnh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    explanation = models.TextField(
        _("giải thích"), blank=True, help_text=_("Hiện cho người thi sau khi nộp bài.")
    )
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("contest"),
        FieldPanel("text"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("active")]),
        FieldPanel("image"),
        FieldPanel("explanation"),
        InlinePanel("choices", label=_("Phương án"), min_num=2, max_num=8),
    ]

    class Meta:
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("câu hỏi")
        ordering = ["contest_id", "id"]
        indexes = [models.Index(fields=["contest", "active"], name="contest_question_active")]

    def __str__(self) -> str:
        return self.text[:80]

    def save(self, *args, **kwargs):
        if self.site_id is None and self.contest_id is not None:
            self.site = self.contest.get_site()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.pk is None or self.contest_id is None:
            return
        stored = Question.objects.filter(pk=self.pk).values_list("contest_id", flat=True).first()
        # Entrants' answers and the exports read a question through its contest.
        if stored is not None and stored != self.contest_id and self.answers.exists():
            raise ValidationError(
                {"contest": _("Câu hỏi đã có người trả lời: không chuyển sang cuộc thi khác được.")}
            )


class Choice(Orderable):
    """An answer option (phương án) of a question."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("phương án"), max_length=500)
    is_correct = models.BooleanField(_("đúng"), default=False)

    panels = [FieldPanel("text"), FieldPanel("is_correct")]

    class Meta(Orderable.Meta):
        verbose_name = _("phương án")
        verbose_name_plural = _("phương án")

    def __str__(self) -> str:
        return self.text


class Participant(models.Model):
    """A resident registered for a contest (người dự thi): one per phone number per contest.

    Personal data: visible to organisers only, deleted on request
    (``services.participant_erase``).
    """

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    contest = models.ForeignKey(
        ContestPage, on_delete=models.CASCADE, related_name="participants"
    )
    full_name = models.CharField(_("họ và tên"), max_length=120)
    phone = models.CharField(
        _("số điện thoại"), max_length=15, help_text=_("Dạng chuẩn 0xxxxxxxxx.")
    )
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"))
    zone = models.ForeignKey(
        "content_types.Zone",
        verbose_name=_("thôn / tổ dân phố"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.CharField(_("đơn vị"), max_length=200, blank=True)
    consent_rules = models.BooleanField(_("đồng ý thể lệ"), default=False)
    consent_personal_data = models.BooleanField(_("đồng ý sử dụng dữ liệu cá nhân"), default=False)
    created_at = models.DateTimeField(_("đăng ký lúc"), default=timezone.now)
    ip_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("người dự thi")
        verbose_name_plural = _("người dự thi")
        constraints = [
            models.UniqueConstraint(fields=["contest", "phone"], name="contest_participant_phone"),
        ]
        indexes = [models.Index(fields=["site", "created_at"], name="contest_participant_site")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.masked_phone})"

    @property
    def masked_phone(self) -> str:
        return self.phone[:3] + "****" + self.phone[-3:] if len(self.phone) >= 7 else "****"

    @property
    def place(self) -> str:
        """Thôn / tổ dân phố, else the unit typed."""
        return self.zone.name if self.zone_id else self.unit


class Attempt(models.Model):
    """One go at a round (lượt thi): the questions drawn, the answers, the score.

    At most one unsubmitted attempt per participant per round, enforced by the database.
    ``question_ids`` and ``option_order`` are fixed at the start: the server grades against them,
    never against what the browser sends back.
    """

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attempts")
    round = models.ForeignKey(ContestRound, on_delete=models.PROTECT, related_name="attempts")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    question_ids = models.JSONField(default=list)
    option_order = models.JSONField(default=dict, help_text="question id -> shuffled choice ids")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    max_score = models.PositiveSmallIntegerField(default=0)
    all_correct = models.BooleanField(default=False)
    prediction = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    timed_out = models.BooleanField(
        default=False, help_text="closed unanswered after its deadline: not an entry"
    )

    class Meta:
        verbose_name = _("lượt thi")
        verbose_name_plural = _("lượt thi")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "participant"],
                condition=Q(submitted_at__isnull=True),
                name="contest_one_open_attempt",
                violation_error_message=_("Bạn đang có một lượt thi chưa nộp."),
            ),
        ]
        indexes = [
            models.Index(fields=["round", "participant"], name="contest_attempt_round"),
            models.Index(
                fields=["round", "-score", "duration_ms"],
                name="contest_attempt_ranking",
                condition=Q(submitted_at__isnull=False),
            ),
            models.Index(fields=["site", "submitted_at"], name="contest_attempt_site"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} / {self.round_id} / {self.token}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class AttemptAnswer(models.Model):
    """The options chosen for one question of an attempt (câu trả lời).

    It carries no ``Site`` of its own: it is part of its attempt, which does.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choice_ids = models.JSONField(default=list)
    is_correct = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("câu trả lời")
        verbose_name_plural = _("câu trả lời")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="contest_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} / {self.question_id}"


class Winner(models.Model):
    """A prize the organisers awarded (người đoạt giải) from a round's ranking."""

    class Prize(models.TextChoices):
        FIRST = "nhat", _("Giải Nhất")
        SECOND = "nhi", _("Giải Nhì")
        THIRD = "ba", _("Giải Ba")
        CONSOLATION = "khuyen_khich", _("Giải Khuyến khích")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(ContestRound, on_delete=models.CASCADE, related_name="winners")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="prizes")
    attempt = models.ForeignKey(Attempt, on_delete=models.SET_NULL, null=True, related_name="+")
    prize = models.CharField(_("giải"), max_length=20, choices=Prize.choices)
    rank = models.PositiveIntegerField(_("hạng khi trao"))
    picked_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    picked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("người đoạt giải")
        verbose_name_plural = _("người đoạt giải")
        ordering = ["round_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["round", "participant"], name="contest_winner_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_prize_display()}: {self.participant_id}"
