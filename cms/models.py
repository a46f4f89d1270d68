from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone
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

    @property
    def is_locked(self) -> bool:
        """Still refusing logins: the failure limit was reached within the cool-off."""
        return (
            self.failures_since_start >= settings.AXES_FAILURE_LIMIT
            and self.attempt_time > timezone.now() - settings.AXES_COOLOFF_TIME
        )
