"""Glue: the organisers' snippets (teams, criteria; each commune's own, ``contests.admin_scope``), the judging admin URLs, menu and buttons."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from contests.admin_scope import site_scoped_viewset
from contests.models import ContestPage

from . import admin_views
from .models import Criterion, Team


class TeamViewSet(SnippetViewSet):
    """Teams of judged competitions (đội thi), managed by the organisers."""

    model = Team
    icon = "group"
    menu_label = _("Đội thi")
    menu_order = 262
    add_to_admin_menu = False
    list_display = ["name", "unit", "contest", "registered_at"]
    list_filter = ["contest"]
    search_fields = ["name", "unit"]
    search_backend_name = None


class CriterionViewSet(SnippetViewSet):
    """Judging criteria (tiêu chí chấm) with their weights and maximum scores."""

    model = Criterion
    icon = "list-ol"
    menu_label = _("Tiêu chí chấm")
    menu_order = 263
    add_to_admin_menu = False
    list_display = ["name", "contest", "weight", "max_score", "sort_order"]
    list_filter = ["contest"]
    search_backend_name = None


register_snippet(site_scoped_viewset(TeamViewSet, contest_kind=ContestPage.Kind.JUDGED))
register_snippet(site_scoped_viewset(CriterionViewSet, contest_kind=ContestPage.Kind.JUDGED))


@hooks.register("register_admin_urls")
def register_judging_admin_urls():
    return [
        path("hoi-thi/", include((admin_views.urlpatterns, "judging_admin"), namespace="judging_admin"))
    ]


class JudgingMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.VIEW_ENTRIES)


@hooks.register("register_admin_menu_item")
def register_judging_menu_item():
    return JudgingMenuItem(
        _("Hội thi: chấm điểm"), reverse("judging_admin:contest_list"), icon_name="form",
        order=262, name="judging",
    )


def _judged_buttons(page, user):
    if page.specific_class is not ContestPage:
        return
    if getattr(page, "kind", ContestPage.Kind.JUDGED) != ContestPage.Kind.JUDGED:
        return
    if user.has_perm(admin_views.VIEW_ENTRIES):
        yield Button(
            _("Đội thi, bài dự thi, chấm điểm"),
            reverse("judging_admin:contest_entries", args=[page.pk]), icon_name="form", priority=82,
        )


@hooks.register("register_page_header_buttons")
def judged_header_buttons(page, user, view_name, next_url=None):
    yield from _judged_buttons(page, user)


@hooks.register("register_page_listing_more_buttons")
def judged_listing_buttons(page, user, next_url=None):
    yield from _judged_buttons(page, user)
