from axes.models import AccessAttempt
from django.utils.translation import gettext_lazy as _


class LoginLockout(AccessAttempt):
    """django-axes' failed-login record of one user name and address (lần đăng nhập sai),
    named for the Wagtail admin: axes ships no Vietnamese and an English ``__str__``."""

    class Meta:
        proxy = True
        verbose_name = _("lần đăng nhập sai")
        verbose_name_plural = _("lần đăng nhập sai")

    def __str__(self):
        return f"{self.username} ({self.ip_address})"
