"""Domain events: the one place downstream code learns that content went live or came down.

Wagtail's ``page_published`` fires for workflow approvals, scheduled publishing and scripts
alike, so it is the source here, never an edit hook. Receivers of ``content_approved`` run
after the surrounding transaction commits, so a task they enqueue sees the live revision.
"""

import logging

from django.db import transaction
from django.dispatch import Signal, receiver
from wagtail.signals import page_published, page_unpublished

logger = logging.getLogger(__name__)

#: Sent with ``page`` (specific) and ``revision`` once a bulletin, campaign or contest page is
#: approved and live.
content_approved = Signal()
#: Sent with ``page`` (specific) once such a page is taken down.
content_withdrawn = Signal()

BROADCAST_MODELS = ("bulletinpage", "campaignpage", "contestpage")


def _is_broadcast_content(page) -> bool:
    return page._meta.model_name in BROADCAST_MODELS


def _send_to_every_receiver(signal: Signal, **kwargs) -> None:
    """Send after commit so that one failing receiver neither stops the others nor turns an
    approval that already went live into a 500; the minute sweep repairs what it missed
    (``device_bridge.services.dispatch_lost_repair``, ``tts.services.broadcast_audio_sweep``)."""
    for receiver_func, result in signal.send_robust(**kwargs):
        if isinstance(result, Exception):
            logger.error(
                "Receiver %r of %s failed for page %s", receiver_func, kwargs.get("sender"),
                getattr(kwargs.get("page"), "pk", None), exc_info=result,
            )


@receiver(page_published, dispatch_uid="workflows_content_approved")
def _on_page_published(sender, instance, revision=None, **kwargs):
    page = instance.specific
    if not _is_broadcast_content(page):
        return
    # Wagtail sends page_published also when a first publication is only scheduled (the page
    # stays offline until go_live_at, and publish_scheduled sends it again then): the event
    # means "live now", or the radio would air a bulletin before its time and then twice.
    if not page.live or (revision is not None and page.live_revision_id != revision.pk):
        return
    transaction.on_commit(
        lambda: _send_to_every_receiver(
            content_approved, sender=type(page), page=page, revision=revision
        )
    )


@receiver(page_unpublished, dispatch_uid="workflows_content_withdrawn")
def _on_page_unpublished(sender, instance, **kwargs):
    page = instance.specific
    if not _is_broadcast_content(page):
        return
    transaction.on_commit(
        lambda: _send_to_every_receiver(content_withdrawn, sender=type(page), page=page)
    )
