"""Writes of the feedback inbox: webhook events in, replies out, withdrawal, bulletin drafts."""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.models import Site

from . import selectors, webhook, zalo_adapter
from .models import Citizen, Feedback, FeedbackMessage, WebhookEvent

logger = logging.getLogger(__name__)

#: Days an officer has to answer a new feedback thread, unless changed on the thread.
DEFAULT_DUE_DAYS = 15


class ReplyRefused(Exception):
    """A reply Zalo would refuse; the draft was saved as failed (``message``)."""

    def __init__(self, text: str, *, message: FeedbackMessage | None = None):
        super().__init__(text)
        self.text = text
        self.message = message


class BulletinRefused(Exception):
    pass


# --- Inbound -----------------------------------------------------------------------------


def webhook_event_store(*, site: Site, event: dict, raw_body: bytes) -> tuple[WebhookEvent, bool]:
    """Store an authenticated event once; ``created`` is False for a replay (Zalo retries)."""
    key = webhook.event_key(event, raw_body)
    existing = WebhookEvent.objects.filter(event_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            stored = WebhookEvent.objects.create(
                site=site,
                event_key=key,
                event_name=str(event.get("event_name", ""))[:64],
                zalo_user_id=webhook.user_id(event),
                payload=event,
            )
    except IntegrityError:  # the same retry arrived twice at once
        return WebhookEvent.objects.get(event_key=key), False
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task(
            "device_bridge.feedback.tasks.webhook_event_process", stored.pk, group="feedback"
        )
    )
    return stored, True


def _citizen(site: Site, user_id: str) -> Citizen:
    citizen, _created = Citizen.objects.get_or_create(site=site, zalo_user_id=user_id)
    return citizen


def _open_thread(citizen: Citizen, when: dt.datetime, first_text: str) -> Feedback:
    thread = (
        citizen.threads.exclude(status=Feedback.Status.CLOSED).order_by("-last_message_at").first()
    )
    if thread is None:
        thread = Feedback.objects.create(
            site=citizen.site,
            citizen=citizen,
            subject=(first_text.strip().splitlines() or [""])[0][:200],
            created_at=when,
            last_message_at=when,
            due_date=timezone.localdate(when) + dt.timedelta(
                days=getattr(settings, "FEEDBACK_DUE_DAYS", DEFAULT_DUE_DAYS)
            ),
        )
    return thread


def _staff_link_handle(site: Site, user_id: str, text: str) -> bool:
    """Whether ``text`` was a staff member's Zalo link command (``device_bridge.zalo.staff_link``),
    now handled and answered."""
    try:
        from device_bridge.zalo.staff_link import staff_link_message_handle
    except ImportError:
        return False
    return staff_link_message_handle(site=site, zalo_user_id=user_id, text=text)


def _message_receive(event: dict, site: Site, user_id: str) -> str:
    when = webhook.event_time(event)
    msg_id = webhook.message(event).get("msg_id")
    msg_id = str(msg_id)[:128] if isinstance(msg_id, (str, int)) else ""
    if msg_id and FeedbackMessage.objects.filter(
        zalo_msg_id=msg_id, feedback__site=site, direction=FeedbackMessage.Direction.INBOUND
    ).exists():
        return "duplicate"
    text = webhook.text(event)
    image_url = webhook.image_url(event) if event.get("event_name") == webhook.IMAGE else ""
    citizen = _citizen(site, user_id)
    if citizen.last_interaction_at is None or citizen.last_interaction_at < when:
        citizen.last_interaction_at = when
        citizen.save(update_fields=["last_interaction_at"])
    if event.get("event_name") == webhook.TEXT and _staff_link_handle(site, user_id, text):
        return "staff_link"  # "LIENKET <mã>" from a staff member: no feedback thread
    thread = _open_thread(citizen, when, text or _("(ảnh)"))
    FeedbackMessage.objects.create(
        feedback=thread,
        direction=FeedbackMessage.Direction.INBOUND,
        text=text,
        image_url=image_url,
        zalo_msg_id=msg_id,
        status=FeedbackMessage.Status.RECEIVED,
        created_at=when,
    )
    updates = {"inbound_count": F("inbound_count") + 1, "last_message_at": max(when, thread.last_message_at)}
    if thread.status == Feedback.Status.ANSWERED:
        # The citizen wrote again after the answer: the thread needs an officer again.
        updates["status"] = Feedback.Status.IN_PROGRESS
    Feedback.objects.filter(pk=thread.pk).update(**updates)
    return "stored"


def webhook_event_process(*, event: WebhookEvent) -> str:
    """Turn a stored event into citizens, threads and messages. Safe to run twice."""
    if event.status != WebhookEvent.Status.PENDING:
        return event.status
    payload = event.payload if isinstance(event.payload, dict) else {}
    name = event.event_name
    user_id = webhook.user_id(payload)
    result = WebhookEvent.Status.PROCESSED
    with transaction.atomic():
        if name not in webhook.HANDLED_EVENTS:
            logger.info("Zalo webhook: event %r (%s) stored and ignored", name, event.event_key)
            result = WebhookEvent.Status.IGNORED
        elif not user_id:
            logger.warning("Zalo webhook: %s event %s without a user id; ignored", name, event.pk)
            result = WebhookEvent.Status.IGNORED
        elif name in (webhook.TEXT, webhook.IMAGE):
            _message_receive(payload, event.site, user_id)
        elif name in (webhook.FOLLOW, webhook.UNFOLLOW):
            citizen = _citizen(event.site, user_id)
            citizen.is_following = name == webhook.FOLLOW
            citizen.save(update_fields=["is_following"])
        elif name == webhook.WITHDRAW:
            citizen = Citizen.objects.filter(site=event.site, zalo_user_id=user_id).first()
            if citizen is not None:
                citizen_withdraw(citizen=citizen)
            else:
                WebhookEvent.objects.filter(pk=event.pk).update(payload={}, zalo_user_id="")
        WebhookEvent.objects.filter(pk=event.pk).update(status=result, processed_at=timezone.now())
    event.status = result
    return result


def citizen_withdraw(*, citizen: Citizen, now: dt.datetime | None = None) -> None:
    """Delete what identifies a citizen who withdrew consent: their name, every message of
    their threads, the raw events. Threads stay as anonymised counts (received, answered)."""
    now = now or timezone.now()
    with transaction.atomic():
        FeedbackMessage.objects.filter(feedback__citizen=citizen).delete()
        citizen.threads.update(subject="")
        # Raw events keep their key (a replay must stay a replay), not what the citizen sent.
        WebhookEvent.objects.filter(site=citizen.site, zalo_user_id=citizen.zalo_user_id).update(
            payload={}, zalo_user_id=""
        )
        citizen.display_name = ""
        citizen.zalo_user_id = f"withdrawn-{citizen.pk}"
        citizen.is_following = False
        citizen.withdrawn_at = now
        citizen.save(update_fields=["display_name", "zalo_user_id", "is_following", "withdrawn_at"])
    logger.info("Zalo: citizen %s withdrew; personal data deleted", citizen.pk)


# --- Handling ----------------------------------------------------------------------------


def feedback_update(*, feedback: Feedback, status: str, department, assignee, due_date) -> Feedback:
    feedback.status = status
    feedback.department = department
    feedback.assignee = assignee
    feedback.due_date = due_date
    feedback.save(update_fields=["status", "department", "assignee", "due_date"])
    return feedback


def feedback_reply(*, feedback: Feedback, user, text: str,
                   now: dt.datetime | None = None) -> FeedbackMessage:
    """Store an officer's reply and queue it for Zalo. A reply Zalo would refuse is stored as
    failed (nothing typed is lost) and ``ReplyRefused`` says why, in Vietnamese."""
    text = text.strip()
    if not text:
        raise ReplyRefused(_("Nội dung trả lời đang trống."))
    window = selectors.reply_window(feedback.citizen, now=now)
    message = FeedbackMessage.objects.create(
        feedback=feedback,
        direction=FeedbackMessage.Direction.OUTBOUND,
        text=text,
        sent_by=user,
        status=FeedbackMessage.Status.FAILED if window.refused else FeedbackMessage.Status.QUEUED,
        error=window.message if window.refused else "",
    )
    if window.refused:
        logger.info("Zalo reply to citizen %s refused before sending: %s",
                    feedback.citizen_id, window.state)
        raise ReplyRefused(window.message, message=message)
    if feedback.status == Feedback.Status.NEW:
        Feedback.objects.filter(pk=feedback.pk).update(status=Feedback.Status.IN_PROGRESS)
    _reply_enqueue(message)
    return message


def _reply_enqueue(message: FeedbackMessage) -> None:
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task("device_bridge.feedback.tasks.reply_send", message.pk, group="feedback")
    )


def reply_retry(*, message: FeedbackMessage, now: dt.datetime | None = None) -> FeedbackMessage:
    """Queue a failed reply again, if Zalo would now take it."""
    if message.status != FeedbackMessage.Status.FAILED:
        return message
    window = selectors.reply_window(message.feedback.citizen, now=now)
    if window.refused:
        raise ReplyRefused(window.message, message=message)
    message.status = FeedbackMessage.Status.QUEUED
    message.error = ""
    message.save(update_fields=["status", "error"])
    _reply_enqueue(message)
    return message


def _reply_fail(message: FeedbackMessage, error: str) -> str:
    FeedbackMessage.objects.filter(pk=message.pk).update(
        status=FeedbackMessage.Status.FAILED, error=error[:2000]
    )
    return FeedbackMessage.Status.FAILED


def reply_send(*, message_id: int) -> str:
    """Send one queued reply through Zalo (the task). Claimed first, so it is sent once."""
    claimed = FeedbackMessage.objects.filter(
        pk=message_id, status=FeedbackMessage.Status.QUEUED
    ).update(status=FeedbackMessage.Status.SENDING)
    if not claimed:
        return "not-queued"
    message = FeedbackMessage.objects.select_related("feedback__citizen", "feedback__site").get(
        pk=message_id
    )
    citizen = message.feedback.citizen
    try:
        errors = zalo_adapter.zalo_errors()
    except ImportError:
        logger.error("Zalo reply %s: the Zalo client is not installed", message_id)
        return _reply_fail(message, _("Chưa cài đặt kết nối Zalo OA."))
    try:
        zalo_msg_id = zalo_adapter.send_text(
            site=message.feedback.site, user_id=citizen.zalo_user_id, text=message.text
        )
    except errors.ZaloNotFollowing as err:
        logger.warning("Zalo reply %s: citizen %s does not follow the OA (%s)", message_id,
                       citizen.pk, err)
        Citizen.objects.filter(pk=citizen.pk).update(is_following=False)
        return _reply_fail(message, selectors.not_following_message())
    except errors.ZaloReplyWindowClosed as err:
        logger.warning("Zalo reply %s: reply window closed (%s)", message_id, err)
        return _reply_fail(message, selectors.window_closed_message())
    except errors.ZaloError as err:
        logger.warning("Zalo reply %s failed: %s", message_id, err)
        return _reply_fail(message, _("Zalo chưa nhận tin: %(error)s. Có thể bấm “Gửi lại”.")
                           % {"error": err})
    now = timezone.now()
    with transaction.atomic():
        FeedbackMessage.objects.filter(pk=message.pk).update(
            status=FeedbackMessage.Status.SENT, zalo_msg_id=str(zalo_msg_id or "")[:128],
            sent_at=now, error="",
        )
        Feedback.objects.filter(pk=message.feedback_id).update(
            outbound_count=F("outbound_count") + 1,
            status=Feedback.Status.ANSWERED,
            last_message_at=now,
        )
    return FeedbackMessage.Status.SENT


def feedback_sweep(*, now: dt.datetime | None = None) -> dict:
    """Repair what a lost or failed task left behind (every few minutes): events still pending
    are processed, replies still queued are queued again (sending is claimed, so at most once),
    and a reply stuck "sending" is marked failed for an officer to check, never re-sent blindly."""
    now = now or timezone.now()
    pending = list(WebhookEvent.objects.filter(
        status=WebhookEvent.Status.PENDING, received_at__lt=now - dt.timedelta(minutes=2)
    ).select_related("site")[:200])
    for event in pending:
        webhook_event_process(event=event)
    queued = list(FeedbackMessage.objects.filter(
        status=FeedbackMessage.Status.QUEUED, created_at__lt=now - dt.timedelta(minutes=5)
    ).values_list("pk", flat=True)[:200])
    for message_id in queued:
        reply_send(message_id=message_id)
    stuck = FeedbackMessage.objects.filter(
        status=FeedbackMessage.Status.SENDING, created_at__lt=now - dt.timedelta(minutes=30)
    ).update(
        status=FeedbackMessage.Status.FAILED,
        error=_("Không rõ Zalo đã nhận tin này chưa (mất kết nối khi đang gửi). Hãy hỏi lại "
                "người dân hoặc kiểm tra trên Zalo OA trước khi bấm “Gửi lại”."),
    )
    if pending or queued or stuck:
        logger.warning("Feedback sweep: %s events processed, %s replies sent again, %s stuck",
                       len(pending), len(queued), stuck)
    return {"events": len(pending), "replies": len(queued), "stuck": stuck}


# --- Radio ---------------------------------------------------------------------------------


def feedback_bulletin_draft(*, feedback: Feedback, user, title: str, text: str, category):
    """A DRAFT bulletin under the site's news index from an answer of public interest; it goes
    through moderation like any other bulletin (never published from here)."""
    from content_types.models import BulletinPage, NewsIndexPage

    news = (
        NewsIndexPage.objects.descendant_of(feedback.site.root_page, inclusive=True)
        .order_by("path").first()
    )
    if news is None:
        raise BulletinRefused(_("Cổng thông tin của xã chưa có trang Tin tức để đặt bản tin."))
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    body = [{"type": "paragraph", "value": f"<p>{escape(line)}</p>"} for line in paragraphs]
    page = BulletinPage(
        title=title.strip()[:255],
        summary=(paragraphs[0] if paragraphs else "")[:600],
        body=json.dumps(body),
        radio_text=text.strip(),
        category=category,
        live=False,
        owner=user,
    )
    with transaction.atomic():
        news.add_child(instance=page)
        page.save_revision(user=user, log_action=True)
        feedback.bulletin = page
        feedback.save(update_fields=["bulletin"])
    logger.info("Feedback %s turned into draft bulletin %s by %s", feedback.pk, page.pk, user)
    return page
