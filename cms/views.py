"""Wagtail admin screen for locked logins (django-axes): Quản trị sees and lifts lockouts.

Wagtail has no Django admin in production, where axes registers its own models, so the
access attempts are listed here; "Mở khoá" deletes the attempt record of one user name and
address, which is exactly what ``axes_reset_username`` / ``axes_reset_ip`` do from the shell.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from .models import LoginLockout


class LoginLockoutPermissionPolicy(ModelPermissionPolicy):
    """Attempts are recorded by axes only: nobody adds or edits them by hand."""

    def user_has_permission(self, user, action):
        if action in {"add", "change"}:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class LoginLockoutIndexView(generic.IndexView):
    page_title = _("Khoá đăng nhập")

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        # The first column carries the row's buttons; axes ships no Vietnamese labels.
        column = super()._get_title_column(field_name, column_class, **kwargs)
        column.label = _("Tên đăng nhập")
        return column

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        for button in buttons:
            if button.url == self.get_delete_url(instance):
                button.label = _("Mở khoá")
                button.icon_name = "lock-open"
        return buttons


class LoginLockoutUnlockView(generic.DeleteView):
    page_title = _("Mở khoá đăng nhập")
    template_name = "cms/login_lockout_unlock.html"

    @property
    def confirmation_message(self):
        return _(
            "Xoá các lần đăng nhập sai của “%(object)s” để người này đăng nhập lại được ngay?"
        ) % {"object": self.object}

    def get_success_message(self):
        return _("Đã mở khoá đăng nhập cho “%(object)s”.") % {"object": self.object}


class LoginLockoutViewSet(ModelViewSet):
    model = LoginLockout
    icon = "lock"
    menu_label = _("Khoá đăng nhập")
    add_to_settings_menu = True
    url_prefix = "login-lockouts"
    name = "login_lockouts"
    index_view_class = LoginLockoutIndexView
    delete_view_class = LoginLockoutUnlockView
    form_fields = ["username"]  # required by the viewset; add/edit are refused by the policy
    list_display = [
        "username",
        Column("ip_address", label=_("Địa chỉ IP")),
        Column("failures_since_start", label=_("Số lần sai")),
        BooleanColumn("is_locked", label=_("Đang khoá")),
        DateColumn("attempt_time", label=_("Lần thử cuối")),
    ]
    search_fields = ["username", "ip_address"]
    search_backend_name = None  # AccessAttempt is not indexed: filter in the database
    ordering = ["-attempt_time"]
