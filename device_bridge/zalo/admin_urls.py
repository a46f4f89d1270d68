from django.urls import path

from . import admin_views

app_name = "zalo_admin"

urlpatterns = [
    path("", admin_views.settings_view, name="settings"),
    path("check/", admin_views.check_view, name="check"),
    path("connect/", admin_views.connect_view, name="connect"),
    path("lien-ket/", admin_views.staff_link_view, name="staff_link"),
    # The redirect URI registered in the Zalo app (docs/zalo.md): /admin/zalo/oauth/callback/
    path("oauth/callback/", admin_views.oauth_callback_view, name="oauth_callback"),
]
