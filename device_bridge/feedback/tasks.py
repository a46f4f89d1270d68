"""django-q2 tasks: take ids, call a service. Safe to run twice."""

from __future__ import annotations

from . import services
from .models import WebhookEvent


def webhook_event_process(event_id: int) -> str:
    event = WebhookEvent.objects.select_related("site").filter(pk=event_id).first()
    if event is None:
        return "event-missing"
    return services.webhook_event_process(event=event)


def reply_send(message_id: int) -> str:
    return services.reply_send(message_id=message_id)


def feedback_sweep() -> dict:
    return services.feedback_sweep()
