"""Snippets editors pick from: categories of essential information and the commune's zones."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Category(index.Indexed, models.Model):
    """A category of essential information (lĩnh vực thông tin thiết yếu)."""

    name = models.CharField(_("tên lĩnh vực"), max_length=120, unique=True)
    slug = models.SlugField(_("đường dẫn"), max_length=120, unique=True, allow_unicode=False)
    description = models.TextField(_("mô tả"), blank=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("sort_order")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self):
        return self.name


class Zone(index.Indexed, models.Model):
    """A hamlet or residential group (thôn / tổ dân phố) that speaker clusters serve."""

    class Kind(models.TextChoices):
        HAMLET = "thon", _("Thôn")
        RESIDENTIAL_GROUP = "to_dan_pho", _("Tổ dân phố")

    name = models.CharField(_("tên"), max_length=120, unique=True)
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.HAMLET)
    households = models.PositiveIntegerField(_("số hộ"), null=True, blank=True)
    # A zone that bulletins or clusters use is never deleted (that would silently widen their
    # audience to the whole commune): it is deactivated, which hides it from new content.
    is_active = models.BooleanField(
        _("đang sử dụng"),
        default=True,
        help_text=_("Bỏ chọn để ngừng dùng thôn này: tin mới và cụm loa mới không chọn được nó, "
                    "tin cũ vẫn giữ nguyên."),
    )

    panels = [
        FieldPanel("name"), FieldPanel("code"), FieldPanel("kind"), FieldPanel("households"),
        FieldPanel("is_active"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("thôn / tổ dân phố")
        verbose_name_plural = _("thôn / tổ dân phố")

    def __str__(self):
        return self.name
