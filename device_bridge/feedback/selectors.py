"""Reads for the feedback inbox: the filtered list, the reply window of a citizen."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from device_bridge.zalo import facts

from .models import FREE_REPLY_WINDOW, REPLY_WINDOW, Citizen, Feedback, FeedbackMessage

NOT_FOLLOWING = "not_following"
WINDOW_CLOSED = "closed"
PAID = "paid"
FREE = "free"


@dataclasses.dataclass(frozen=True)
class ReplyWindow:
    state: str  # FREE, PAID (outside the free 48 h), WINDOW_CLOSED, NOT_FOLLOWING
    message: str  # Vietnamese: a warning (PAID) or why replying is refused; empty when FREE

    @property
    def refused(self) -> bool:
        return self.state in (NOT_FOLLOWING, WINDOW_CLOSED)


def not_following_message() -> str:
    return _("Người dân này đã bỏ quan tâm Zalo OA của xã (mã lỗi Zalo -213): không thể gửi "
             "tin qua Zalo. Câu trả lời được lưu lại trong hồ sơ phản ánh; hãy liên hệ người dân "
             "bằng cách khác (điện thoại, gặp trực tiếp).")


def window_closed_message() -> str:
    return _("Đã quá 7 ngày kể từ lần cuối người dân nhắn tin: Zalo không cho phép gửi trả lời "
             "(mã lỗi -230). Câu trả lời được lưu lại; hãy liên hệ người dân bằng cách khác "
             "hoặc chờ người dân nhắn tin lại.")


def reply_window(citizen: Citizen, *, now: dt.datetime | None = None) -> ReplyWindow:
    """Whether Zalo lets the OA answer this citizen now, and at what cost (reference:
    customer-service messages are free 48 h after the citizen's last message, refused after 7
    days, and never reach a citizen who does not follow the OA: -213)."""
    now = now or timezone.now()
    if not citizen.is_following or citizen.withdrawn_at:
        return ReplyWindow(NOT_FOLLOWING, not_following_message())
    last = citizen.last_interaction_at
    if last is None or now - last > REPLY_WINDOW:
        return ReplyWindow(WINDOW_CLOSED, window_closed_message())
    if now - last > FREE_REPLY_WINDOW:
        return ReplyWindow(
            PAID,
            _("Đã quá 48 giờ kể từ lần cuối người dân nhắn tin: tin trả lời nằm ngoài khung miễn "
              "phí của Zalo và có thể bị tính phí hoặc giới hạn. Vẫn gửi được đến hết ngày %(date)s.")
            % {"date": timezone.localtime(last + REPLY_WINDOW).strftime("%d/%m/%Y %H:%M")},
        )
    sent_since = FeedbackMessage.objects.filter(
        feedback__citizen=citizen, direction=FeedbackMessage.Direction.OUTBOUND,
        status=FeedbackMessage.Status.SENT, sent_at__gt=last,
    ).count()
    if sent_since >= facts.CS_FREE_REPLIES:
        return ReplyWindow(
            PAID,
            _("Đã gửi %(count)s tin trả lời kể từ lần cuối người dân nhắn tin: Zalo chỉ miễn phí "
              "%(free)s tin trong 48 giờ, tin tiếp theo có thể bị tính phí hoặc giới hạn.")
            % {"count": sent_since, "free": facts.CS_FREE_REPLIES},
        )
    return ReplyWindow(FREE, "")


def feedback_inbox(*, site, status: str = "", department_id: int | None = None, overdue: bool = False,
                   today: dt.date | None = None) -> QuerySet[Feedback]:
    """Threads for the inbox, newest message first, with what the list shows joined in."""
    queryset = Feedback.objects.filter(site=site).select_related(
        "citizen", "department", "assignee", "site"
    )
    if status:
        queryset = queryset.filter(status=status)
    if department_id:
        queryset = queryset.filter(department_id=department_id)
    if overdue:
        queryset = queryset.filter(
            status__in=Feedback.OPEN_STATUSES, due_date__lt=today or timezone.localdate()
        )
    return queryset.order_by("-last_message_at", "-pk")
