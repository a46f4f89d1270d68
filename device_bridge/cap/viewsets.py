"""The polled CAP feeds in the admin, kept to the current site (Quản trị only)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn

from cms.admin_scope import ScopedViewSet

from .models import CapFeedSource


class CapFeedSourceViewSet(ScopedViewSet):
    model = CapFeedSource
    icon = "globe"
    menu_label = _("Nguồn cảnh báo CAP")
    url_prefix = "cap/feeds"
    name = "cap_feeds"
    form_fields = ["name", "url", "enabled"]
    list_display = [
        Column("name", label=_("Tên nguồn")),
        Column("url", label=_("Địa chỉ")),
        Column("enabled", label=_("Đang bật")),
        DateColumn("last_polled_at", label=_("Lần lấy gần nhất")),
        Column("last_result", label=_("Kết quả")),
    ]
    ordering = ["name"]
