"""Glue: the "Cảnh báo CAP" menu (upload, feeds), admin URLs, the feed viewset."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from cms.admin_menu import PermissionMenuItem

from . import views
from .viewsets import CapFeedSourceViewSet

MENU_HOOK = "register_cap_menu_item"

feed_viewset = CapFeedSourceViewSet()

admin_urls = [path("", views.upload_view, name="upload")]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [feed_viewset]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("cap/import/", include((admin_urls, "cap_admin")))]


@hooks.register(MENU_HOOK)
def upload_menu_item():
    return PermissionMenuItem(_("Nhập cảnh báo"), reverse_lazy("cap_admin:upload"),
                              icon_name="upload", order=100, permission=views.UPLOAD_PERMISSION)


@hooks.register(MENU_HOOK)
def feeds_menu_item():
    return PermissionMenuItem(_("Nguồn cảnh báo tự động"), reverse_lazy("cap_feeds:index"),
                              icon_name="globe", order=200, permission="cap.view_capfeedsource")


@hooks.register("register_admin_menu_item")
def cap_menu():
    return SubmenuMenuItem(_("Cảnh báo CAP"), Menu(register_hook_name=MENU_HOOK),
                           icon_name="warning", order=330, name="cap")
