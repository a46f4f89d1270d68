"""Admin glue: the Zalo OA settings page under Cài đặt."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import can_manage


@hooks.register("register_admin_urls")
def register_zalo_admin_urls():
    from . import admin_urls

    return [path("zalo/", include(admin_urls, namespace="zalo_admin"))]


class ZaloMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage(request.user)


@hooks.register("register_settings_menu_item")
def register_zalo_settings_menu_item():
    return ZaloMenuItem(_("Zalo OA"), reverse("zalo_admin:settings"), icon_name="mail",
                        order=620)


@hooks.register("register_permissions")
def register_zalo_permissions():
    from django.contrib.auth.models import Permission

    # Shown on the group edit page: who may connect the OA and change its settings.
    return Permission.objects.filter(content_type__app_label="zalo", codename="change_zaloaccount")


@hooks.register("register_account_menu_item")
def register_zalo_staff_link_account_item(request):
    """Account page → "Liên kết Zalo": receive emergency approval alerts from the OA."""
    from .client import zalo_settings

    if not zalo_settings().configured:
        return None
    return {
        "url": reverse("zalo_admin:staff_link"),
        "label": _("Liên kết Zalo"),
        "help_text": _("Nhận cảnh báo bản tin khẩn cấp chờ duyệt qua Zalo OA của xã."),
    }
