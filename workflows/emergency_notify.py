"""Emergency notifiers (báo tin khẩn cấp): who hears, outside the admin, that an emergency
bulletin waits for their approval. The point where SMS gateways and Zalo plug in.

``settings.TTCS_EMERGENCY_NOTIFIERS`` lists notifier plugins, each a dotted path or
``{"CLASS": dotted path, "OPTIONS": {...}}``, resolved with ``import_string`` at call time.
When a step of a khẩn cấp revision starts (Wagtail's ``task_submitted``), after commit, a
django-q2 task calls every notifier's ``notify(page=, revision=, users=)`` with the step's
approvers. A notifier that fails is logged and skipped: the submission has already happened
and the admin banner (``editor_ui``) shows the emergency whatever the notifiers do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import ClassVar

import httpx
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from wagtail.models import Page, TaskState
from wagtail.signals import task_submitted

from content_types.models import Priority

logger = logging.getLogger(__name__)

EVENT = "emergency_submitted"


class NotifierError(Exception):
    """A notification could not be delivered (remote down, refused); carries what came back."""

    def __init__(self, message: str, *, status: int | None = None, body: str = ""):
        super().__init__(message)
        self.status = status
        self.body = body


class NotifierConfigurationError(ImproperlyConfigured):
    """A notifier cannot work as configured (missing class, missing URL)."""


class EmergencyNotifier:
    """Base class of emergency notifiers, configured by an entry of
    ``settings.TTCS_EMERGENCY_NOTIFIERS`` (its ``OPTIONS`` become keyword arguments)."""

    def __init__(self, **options):
        self.options = options

    def notify(self, *, page, revision, users) -> None:
        """Tell ``users`` (the step's approvers) that ``page`` at ``revision`` waits for them.
        Raise :class:`NotifierError` when it could not be done."""
        raise NotImplementedError


def emergency_payload(*, page, revision, users) -> dict:
    """What every notifier says, as JSON-ready data; ``text`` is ready for an SMS."""
    admin_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "wagtailadmin_pages:edit", args=[page.pk]
    )
    title = page.get_admin_display_title() if isinstance(page, Page) else str(page)
    return {
        "event": EVENT,
        "page": {
            "id": page.pk,
            "title": title,
            "priority": getattr(page, "priority", ""),
            "admin_url": admin_url,
        },
        "revision": {
            "id": revision.pk,
            "created_at": revision.created_at.isoformat(),
        },
        "recipients": [
            {
                "id": user.pk,
                "username": user.get_username(),
                "full_name": user.get_full_name(),
                "email": user.email,
            }
            for user in users
        ],
        "text": _("Bản tin KHẨN CẤP đang chờ bạn duyệt: “%(title)s”. Mở: %(url)s")
        % {"title": title, "url": admin_url},
    }


class LoggingNotifier(EmergencyNotifier):
    """Writes each notification to the ``workflows`` log (the default; needs nothing)."""

    def notify(self, *, page, revision, users) -> None:
        logger.warning(
            "Emergency %s (revision %s) waits for approval by %s",
            page.pk, revision.pk, ", ".join(user.get_username() for user in users) or "nobody",
        )


class RecordingNotifier(EmergencyNotifier):
    """Fake: remembers what it was asked to send (tests, demo)."""

    sent: ClassVar[list[dict]] = []

    def notify(self, *, page, revision, users) -> None:
        type(self).sent.append(emergency_payload(page=page, revision=revision, users=users))

    @classmethod
    def reset(cls) -> None:
        cls.sent.clear()


class WebhookNotifier(EmergencyNotifier):
    """POSTs :func:`emergency_payload` as JSON to ``OPTIONS["URL"]``: the generic bridge to an
    SMS gateway or any relay of the commune's choice.

    Options: ``URL`` (required), ``TIMEOUT`` (seconds, 5), ``CONNECT_TIMEOUT`` (3),
    ``HEADERS`` (e.g. ``{"Authorization": "Bearer …"}``), ``SECRET``: when set, the body is
    signed, ``X-TTCS-Signature: sha256=<hex HMAC-SHA256 of the body>``. Any 2xx is success.
    """

    def __init__(self, **options):
        super().__init__(**options)
        if not options.get("URL"):
            raise NotifierConfigurationError("WebhookNotifier needs OPTIONS['URL']")

    def build_request(self, payload: dict) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "X-TTCS-Event": EVENT}
        headers.update(self.options.get("HEADERS") or {})
        secret = self.options.get("SECRET")
        if secret:
            digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
            headers["X-TTCS-Signature"] = f"sha256={digest}"
        return body, headers

    def notify(self, *, page, revision, users) -> None:
        body, headers = self.build_request(
            emergency_payload(page=page, revision=revision, users=users)
        )
        timeout = httpx.Timeout(
            float(self.options.get("TIMEOUT", 5.0)),
            connect=float(self.options.get("CONNECT_TIMEOUT", 3.0)),
        )
        try:
            with httpx.Client(timeout=timeout) as client:
                response = client.post(self.options["URL"], content=body, headers=headers)
        except httpx.HTTPError as err:
            raise NotifierError(f"Webhook unreachable: {err}") from err
        if not response.is_success:
            raise NotifierError(
                f"Webhook answered {response.status_code}",
                status=response.status_code,
                body=response.text[:500],
            )


def notifiers_configured() -> list[EmergencyNotifier]:
    """The notifiers of ``settings.TTCS_EMERGENCY_NOTIFIERS``, built now (not at import)."""
    notifiers = []
    for entry in getattr(settings, "TTCS_EMERGENCY_NOTIFIERS", []):
        config = {"CLASS": entry} if isinstance(entry, str) else entry
        try:
            cls = import_string(config["CLASS"])
        except (ImportError, KeyError) as err:
            raise NotifierConfigurationError(f"Emergency notifier {entry!r}: no CLASS") from err
        notifiers.append(cls(**config.get("OPTIONS", {})))
    return notifiers


def step_approvers(task) -> list:
    """Active members of the step's groups (Wagtail's group approval tasks)."""
    groups = getattr(task, "groups", None)
    if groups is None:
        return []
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__in=groups.all())
        .distinct()
        .order_by("pk")
    )


def revision_is_emergency(revision) -> bool:
    return bool(revision) and revision.content.get("priority") == Priority.EMERGENCY


def emergency_notify(*, task_state_id: int) -> dict[str, str]:
    """Call every configured notifier for the step ``task_state_id`` if it still waits on a
    khẩn cấp revision. Returns each notifier's outcome ("ok" or the error) by class name."""
    task_state = (
        TaskState.objects.filter(pk=task_state_id, status=TaskState.STATUS_IN_PROGRESS)
        .select_related("revision")
        .first()
    )
    if task_state is None or not revision_is_emergency(task_state.revision):
        return {}
    revision = task_state.revision
    page = revision.as_object()
    users = step_approvers(task_state.task.specific)
    outcomes = {}
    for notifier in notifiers_configured():
        name = type(notifier).__name__
        try:
            notifier.notify(page=page, revision=revision, users=users)
        except Exception as err:
            # One broken plugin must not silence the others; the admin banner still shows it.
            logger.error(
                "Emergency notifier %s failed for page %s (revision %s)",
                name, page.pk, revision.pk, exc_info=err,
            )
            outcomes[name] = f"error: {err}"
        else:
            outcomes[name] = "ok"
    return outcomes


def emergency_notify_task(task_state_id: int) -> dict[str, str]:
    """django-q2 entry point of :func:`emergency_notify`."""
    return emergency_notify(task_state_id=task_state_id)


def _enqueue(task_state_id: int) -> None:
    from django_q.tasks import async_task

    try:
        async_task("workflows.emergency_notify.emergency_notify_task", task_state_id,
                   group="emergency_notify")
    except Exception as err:
        # The submission is committed: a broker outage must not turn it into a 500.
        logger.error("Could not enqueue emergency notifiers for step %s", task_state_id, exc_info=err)


@receiver(task_submitted, dispatch_uid="workflows_emergency_notify")
def _on_task_submitted(sender, instance, user=None, **kwargs):
    if not revision_is_emergency(instance.revision):
        return
    task_state_id = instance.pk
    transaction.on_commit(lambda: _enqueue(task_state_id))
