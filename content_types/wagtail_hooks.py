from django.http import Http404
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_views import zone_deactivate, zone_delete_refused, zone_merge
from .selectors import document_may_be_served
from .snippets import Category, Zone


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "tag"
    menu_label = _("Lĩnh vực")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name"]


class ActiveZoneChooseView(ChooseView):
    def get_object_list(self):
        # A zone no longer in use is not offered to new clusters, rules or relays.
        return super().get_object_list().filter(is_active=True)


class ActiveZoneChooseResultsView(ChooseResultsView):
    def get_object_list(self):
        return super().get_object_list().filter(is_active=True)


class ZoneChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ActiveZoneChooseView
    choose_results_view_class = ActiveZoneChooseResultsView


class ZoneViewSet(SnippetViewSet):
    model = Zone
    chooser_viewset_class = ZoneChooserViewSet
    icon = "site"
    menu_label = _("Thôn / tổ dân phố")
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["name", "code", "kind", "households", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


register_snippet(CategoryViewSet)
register_snippet(ZoneViewSet)


@hooks.register("before_serve_document")
def serve_documents_in_public_use(document, request):
    # An upload made for a draft is not published by being uploaded (issue 8, item 11).
    if not document_may_be_served(document, request=request):
        raise Http404(_("Không tìm thấy tài liệu này."))


@hooks.register("before_delete_snippet")
def refuse_deleting_zones_in_use(request, instances):
    # Runs before the single delete page and the bulk delete alike (GET and POST), so the
    # editor sees what uses the zone and is offered deactivate or merge instead.
    zones = [instance for instance in instances if isinstance(instance, Zone)]
    if zones:
        return zone_delete_refused(request, zones)
    return None


@hooks.register("register_admin_urls")
def register_zone_admin_urls():
    urls = [
        path("zones/<int:pk>/deactivate/", zone_deactivate, name="zone_deactivate"),
        path("zones/<int:pk>/merge/", zone_merge, name="zone_merge"),
    ]
    return [path("content/", include((urls, "content_types_admin")))]
