"""Admin login form: Wagtail leaves the password label untranslatable."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from .security import login_lockout_message


class LoginForm(WagtailLoginForm):
    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["username"].widget.attrs["placeholder"] = _("Nhập tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")
        self.fields["password"].widget.attrs["placeholder"] = _("Nhập mật khẩu")

    def get_invalid_login_error(self):
        # django-axes refuses a locked-out login inside authenticate() and flags the request;
        # say so instead of "wrong password", or the user keeps trying (and stays locked).
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(login_lockout_message(), code="locked_out")
        return super().get_invalid_login_error()
