from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .snippets import Category, Zone


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "tag"
    menu_label = _("Lĩnh vực")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name"]


class ZoneViewSet(SnippetViewSet):
    model = Zone
    icon = "site"
    menu_label = _("Thôn / tổ dân phố")
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["name", "code", "kind", "households"]
    list_filter = ["kind"]
    search_fields = ["name"]


register_snippet(CategoryViewSet)
register_snippet(ZoneViewSet)
