"""The Zalo client's own exceptions: one base class carrying Zalo's error code and message.

Retry loops catch ``ZaloUnavailable`` and ``ZaloRateLimited`` (transient); ``ZaloNotConfigured``,
``ZaloAuthError`` and ``ZaloQuotaExceeded`` need a person and are never retried blindly.
"""

from django.utils.translation import gettext_lazy as _


class ZaloError(Exception):
    """A call to Zalo failed. ``code`` is Zalo's ``error`` (negative) or the HTTP status."""

    transient = False

    def __init__(self, message: str = "", *, code: int | None = None, status: int | None = None,
                 body: str = ""):
        super().__init__(str(message))
        self.code = code
        self.message = str(message)
        self.status = status
        self.body = body[:2000] if body else ""

    def __str__(self):
        if self.code is not None:
            return f"{self.message} (Zalo {self.code})"
        return self.message


class ZaloNotConfigured(ZaloError):
    """No app id/secret in the settings, or the site has no connected OA."""


class ZaloAuthError(ZaloError):
    """The access token was refused after one refresh and retry, or the refresh token is burnt.

    Either way only an administrator can fix it, by connecting the OA again.
    """

    def __init__(self, message: str = "", **kwargs):
        super().__init__(
            message or _("Kết nối Zalo OA đã hết hiệu lực (mã làm mới bị từ chối hoặc đã dùng). "
                         "Quản trị viên cần vào Cài đặt → Zalo OA và bấm “Kết nối lại”."),
            **kwargs,
        )


class ZaloNotFollowing(ZaloError):
    """The citizen does not follow the OA (any more): nothing can be sent to them (-213)."""


class ZaloReplyWindowClosed(ZaloError):
    """Seven days without interaction: Zalo refuses a customer-service message (-230)."""


class ZaloRateLimited(ZaloError):
    """Too many calls (-32 or HTTP 429): try again later."""

    transient = True


class ZaloUnavailable(ZaloError):
    """Zalo answered 5xx, or did not answer (network error, timeout): try again later.

    ``maybe_applied`` is true when the request left and no answer came back (a read timeout):
    Zalo may have acted on it, so a call with an effect must be looked up, not repeated.
    """

    transient = True

    def __init__(self, message: str = "", *, maybe_applied: bool = False, **kwargs):
        super().__init__(message, **kwargs)
        self.maybe_applied = maybe_applied


class ZaloQuotaExceeded(ZaloError):
    """The OA's monthly broadcast quota is used up; refused here before Zalo would refuse it."""
