"""Glue: the feedback submenu (inbox, departments, answer templates) and admin URLs."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.admin_menu import PermissionMenuItem

from . import admin_views
from .models import AnswerTemplate, Department

MENU_HOOK = "register_feedback_menu_item"


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    list_display = ["name", "sort_order"]
    search_fields = ["name"]


class AnswerTemplateViewSet(SnippetViewSet):
    model = AnswerTemplate
    icon = "doc-full"
    list_display = ["title"]
    search_fields = ["title", "text"]


register_snippet(DepartmentViewSet)
register_snippet(AnswerTemplateViewSet)

admin_urls = [
    path("", admin_views.inbox, name="inbox"),
    path("<int:pk>/", admin_views.detail, name="detail"),
    path("<int:pk>/bulletin/", admin_views.bulletin, name="bulletin"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("feedback/", include((admin_urls, "feedback_admin")))]


@hooks.register(MENU_HOOK)
def inbox_menu_item():
    return PermissionMenuItem(_("Hộp thư phản ánh"), reverse_lazy("feedback_admin:inbox"),
                              icon_name="mail", order=100, permission="feedback.view_feedback")


@hooks.register(MENU_HOOK)
def template_menu_item():
    return PermissionMenuItem(
        _("Mẫu trả lời"), reverse_lazy("wagtailsnippets_feedback_answertemplate:list"),
        icon_name="doc-full", order=200, permission="feedback.view_answertemplate",
    )


@hooks.register(MENU_HOOK)
def department_menu_item():
    return PermissionMenuItem(
        _("Phòng, ban tiếp nhận"), reverse_lazy("wagtailsnippets_feedback_department:list"),
        icon_name="group", order=300, permission="feedback.view_department",
    )


@hooks.register("register_admin_menu_item")
def feedback_menu():
    return SubmenuMenuItem(_("Phản ánh, kiến nghị"), Menu(register_hook_name=MENU_HOOK),
                           icon_name="mail", order=250, name="feedback")
