"""Page types of the commune portal and the snippets they use."""

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from rest_framework import serializers
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from device_bridge.tts.panels import SpeechStatusPanel
from workflows.permissions import ModeratedPageMixin

from .blocks import BodyBlock
from .forms import ActiveZonesPageForm
from .snippets import Category, Zone

__all__ = [
    "BulletinPage",
    "CampaignIndexPage",
    "CampaignPage",
    "Category",
    "CommuneSettings",
    "HomePage",
    "NewsIndexPage",
    "Priority",
    "Zone",
]


class Priority(models.TextChoices):
    """The three levels used between source systems and commune radio."""

    NORMAL = "thuong", _("Thường")
    PRIORITY = "uu_tien", _("Ưu tiên")
    EMERGENCY = "khan_cap", _("Khẩn cấp")


class NamedObjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ZoneSerializer(NamedObjectSerializer):
    code = serializers.CharField()


class CategorySerializer(NamedObjectSerializer):
    slug = serializers.CharField()


class ZonesField(serializers.Field):
    def to_representation(self, zones):
        return ZoneSerializer(zones.all(), many=True).data


@register_setting(icon="home")
class CommuneSettings(BaseSiteSetting):
    """Who the portal speaks for: shown in the header, footer, feeds and outgoing messages."""

    commune_name = models.CharField(_("tên xã"), max_length=120, default="xã Chí Minh")
    agency_name = models.CharField(
        _("đơn vị vận hành"), max_length=200, default="Trung tâm Dịch vụ sự nghiệp công xã Chí Minh"
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)

    panels = [FieldPanel("commune_name"), FieldPanel("agency_name"), FieldPanel("address"),
              FieldPanel("phone"), FieldPanel("email")]

    class Meta:
        verbose_name = _("thông tin đơn vị")


class HomePage(ModeratedPageMixin, Page):
    """The commune portal (cổng thông tin xã)."""

    intro = models.TextField(_("lời giới thiệu"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["content_types.NewsIndexPage", "content_types.CampaignIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("trang chủ")

    def get_context(self, request, *args, **kwargs):
        from .selectors import bulletin_list_live, public_pages

        context = super().get_context(request, *args, **kwargs)
        # This home's own site only: one installation may serve several communes.
        context["latest_bulletins"] = bulletin_list_live().descendant_of(self)[:6]
        context["campaigns"] = (
            public_pages(CampaignPage.objects.descendant_of(self)).order_by("-start_date")[:3]
        )
        return context


class NewsIndexPage(ModeratedPageMixin, RoutablePageMixin, Page):
    """The list of bulletins (tin tức), filterable by category and zone."""

    intro = models.TextField(_("lời giới thiệu"), blank=True)
    per_page = 10

    content_panels = Page.content_panels + [FieldPanel("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["content_types.HomePage"]
    subpage_types = ["content_types.BulletinPage"]

    class Meta:
        verbose_name = _("trang tin tức")

    def get_context(self, request, *args, **kwargs):
        from .selectors import bulletin_filter_from_query

        context = super().get_context(request, *args, **kwargs)
        result = bulletin_filter_from_query(request.GET, descendant_of=self)
        paginator = Paginator(result.bulletins, self.per_page)
        page_number = request.GET.get("page", "1")
        try:
            bulletins = paginator.page(page_number)
        except PageNotAnInteger:
            bulletins = paginator.page(1)
            context["page_error"] = _("Số trang không hợp lệ, đang hiển thị trang đầu.")
        except EmptyPage:
            bulletins = paginator.page(paginator.num_pages)
            context["page_error"] = _("Không có trang %(number)s, đang hiển thị trang cuối.") % {
                "number": page_number
            }
        context.update(
            bulletins=bulletins,
            filter=result,
            categories=Category.objects.all(),
            zones=Zone.objects.filter(is_active=True),
            priorities=Priority.choices,
        )
        return context

    @path("rss/", name="rss")
    def rss(self, request):
        from .feeds import BulletinFeed

        return BulletinFeed(index_page=self)(request)


class BulletinPage(ModeratedPageMixin, Page):
    """A radio/news bulletin (bản tin)."""

    date = models.DateField(_("ngày tin"), default=timezone.localdate)
    summary = models.TextField(_("tóm tắt"), max_length=600, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("nội dung"), blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="bulletins"
    )
    priority = models.CharField(
        _("mức ưu tiên"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    zones = ParentalManyToManyField(
        Zone,
        verbose_name=_("thôn / tổ dân phố nhận tin"),
        blank=True,
        related_name="bulletins",
        help_text=_("Để trống nếu tin dành cho toàn xã."),
    )
    valid_from = models.DateTimeField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateTimeField(
        _("hiệu lực đến"),
        null=True,
        blank=True,
        help_text=_("Sau thời điểm này tin không còn được phát trên loa."),
    )
    radio_text = models.TextField(
        _("văn bản phát thanh"),
        blank=True,
        help_text=_(
            "Nội dung loa sẽ đọc. Để trống thì dùng tiêu đề, tóm tắt và nội dung bài."
        ),
    )
    tts_engine = models.CharField(
        _("bộ đọc"),
        max_length=20,
        blank=True,
        choices=[("gtts", _("Google (gTTS)")), ("espeak", _("eSpeak NG (ngoại tuyến)"))],
        help_text=_("Để trống để dùng bộ đọc mặc định của hệ thống."),
    )

    base_form_class = ActiveZonesPageForm
    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("date"), FieldPanel("priority")]),
        FieldRowPanel(
            [FieldPanel("category"), FieldPanel("zones", widget=forms.CheckboxSelectMultiple)]
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
                FieldPanel("radio_text"),
                FieldPanel("tts_engine"),
                SpeechStatusPanel(),
            ],
            heading=_("Phát thanh"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("priority"),
        index.FilterField("category"),
        index.FilterField("date"),
        index.RelatedFields("category", [index.SearchField("name")]),
    ]
    api_fields = [
        APIField("date"),
        APIField("summary"),
        APIField("body"),
        APIField("category", serializer=CategorySerializer()),
        APIField("priority"),
        APIField("zones", serializer=ZonesField()),
        APIField("valid_from"),
        APIField("valid_until"),
        APIField("spoken_text"),
        APIField("audio"),
    ]
    parent_page_types = ["content_types.NewsIndexPage", "content_types.CampaignPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("bản tin")
        verbose_name_plural = _("bản tin")

    @property
    def spoken_text(self) -> str:
        """What the loudspeakers read: the editor's radio text, else title, summary and body."""
        if self.radio_text.strip():
            return self.radio_text.strip()
        parts = [self.title, self.summary]
        for block in self.body:
            if block.block_type == "paragraph":
                parts.append(strip_tags(block.value.source))
            elif block.block_type == "heading":
                parts.append(block.value["text"])
            elif block.block_type == "quote":
                parts.append(block.value["text"])
        return "\n".join(part.strip() for part in parts if part and part.strip())

    @property
    def audio(self) -> dict | None:
        """The ready broadcast audio (url, duration, engine), or ``None`` (one query)."""
        from device_bridge.tts.selectors import audio_summary_for_page

        return audio_summary_for_page(self)

    @property
    def is_emergency(self) -> bool:
        return self.priority == Priority.EMERGENCY

    def is_valid_at(self, moment) -> bool:
        if self.valid_from and moment < self.valid_from:
            return False
        return not (self.valid_until and moment >= self.valid_until)

    @cached_property
    def zone_list(self):
        return list(self.zones.all())

    def get_workflow(self):
        """The workflow picked by the admin-editable routing rules, else the page tree's."""
        from workflows.selectors import workflow_for_page

        return workflow_for_page(self) or super().get_workflow()


class CampaignIndexPage(ModeratedPageMixin, Page):
    """The list of propaganda campaigns."""

    intro = models.TextField(_("lời giới thiệu"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["content_types.HomePage"]
    subpage_types = ["content_types.CampaignPage"]
    max_count = 1

    class Meta:
        verbose_name = _("trang chiến dịch")

    def get_context(self, request, *args, **kwargs):
        from .selectors import public_pages

        context = super().get_context(request, *args, **kwargs)
        context["campaigns"] = (
            public_pages(CampaignPage.objects.child_of(self)).order_by("-start_date")
        )
        return context


class CampaignPage(ModeratedPageMixin, Page):
    """A propaganda campaign (chiến dịch tuyên truyền); its bulletins are its children."""

    goal = RichTextField(_("mục tiêu"), features=["bold", "italic", "ul", "ol", "link"])
    audience = models.CharField(_("đối tượng"), max_length=255, blank=True)
    start_date = models.DateField(_("ngày bắt đầu"))
    end_date = models.DateField(_("ngày kết thúc"))
    target_bulletins = models.PositiveIntegerField(
        _("số bản tin dự kiến"), default=10, help_text=_("Dùng để tính tiến độ chiến dịch.")
    )
    body = StreamField(BodyBlock(), verbose_name=_("nội dung"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("goal"),
        FieldPanel("audience"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        FieldPanel("target_bulletins"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("goal"), index.SearchField("body")]
    api_fields = [
        APIField("goal"),
        APIField("audience"),
        APIField("start_date"),
        APIField("end_date"),
        APIField("target_bulletins"),
        APIField("progress"),
        APIField("body"),
    ]
    parent_page_types = ["content_types.CampaignIndexPage"]
    subpage_types = ["content_types.BulletinPage"]

    class Meta:
        verbose_name = _("chiến dịch tuyên truyền")
        verbose_name_plural = _("chiến dịch tuyên truyền")

    @cached_property
    def live_bulletin_count(self) -> int:
        from .selectors import public_pages

        # The API's ``progress`` is public: a restricted bulletin is not counted there either.
        return public_pages(BulletinPage.objects.child_of(self)).count()

    @property
    def progress(self) -> dict:
        """Bulletins published against the target, and time elapsed in the period (percent)."""
        today = timezone.localdate()
        total_days = max((self.end_date - self.start_date).days, 1)
        elapsed = min(max((today - self.start_date).days, 0), total_days)
        published = self.live_bulletin_count
        return {
            "bulletins_published": published,
            "bulletins_target": self.target_bulletins,
            "bulletins_percent": min(100, round(100 * published / self.target_bulletins))
            if self.target_bulletins
            else 100,
            "time_percent": round(100 * elapsed / total_days),
        }

    def get_context(self, request, *args, **kwargs):
        from .selectors import bulletin_list_live

        context = super().get_context(request, *args, **kwargs)
        context["bulletins"] = bulletin_list_live().child_of(self)
        return context
