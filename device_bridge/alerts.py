"""Stuck-content alert (cảnh báo tin bị kẹt): a dashboard panel and its "Thử lại" action.

Live content must reach the loudspeakers. The panel lists live bulletins whose broadcast
audio failed or never came, whose speaker deliveries have waited for audio too long, or whose
deliveries failed, each with a Vietnamese explanation. Editors, approvers, technicians and
administrators see it (whoever may follow delivery progress); the retry button appears only
for those who may retry: the audio for whoever may edit or publish the page (or technicians),
failed deliveries for whoever may resend deliveries (as on the dispatch report).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from laces.components import Component
from wagtail.models import Page

from . import services
from .models import Delivery, Dispatch
from .tts import conf as tts_conf
from .tts.models import SpeechAudio
from .tts.stuck import broadcast_state, live_spoken_pages_without_audio

VIEW_PERMISSION = "device_bridge.view_dispatch"
RESEND_PERMISSION = "device_bridge.change_delivery"


def alert_after_seconds() -> int:
    """How long audio may be missing, or a delivery wait for it, before an alert (10 min)."""
    return int(getattr(settings, "DEVICE_BRIDGE", {}).get("STUCK_ALERT_SECONDS", 600))


@dataclass
class ContentAlert:
    page: Page
    problems: list[str] = field(default_factory=list)
    #: The broadcast audio needs rendering (failed, missing, lost in the queue).
    audio_stuck: bool = False
    failed_delivery_ids: list[int] = field(default_factory=list)
    can_retry: bool = False
    can_edit: bool = False

    @property
    def is_emergency(self) -> bool:
        return getattr(self.page, "priority", "") == "khan_cap"


def _minutes(seconds: float) -> int:
    return max(int(seconds // 60), 1)


def _audio_problem(page, now: dt.datetime, alert_before: dt.datetime) -> tuple[str, bool] | None:
    """``(explanation, retryable)`` when the page's broadcast audio is stuck, else ``None``."""
    state = broadcast_state(page)
    audio = state.audio
    if audio is not None and audio.status == SpeechAudio.Status.READY:
        return None
    if audio is not None and audio.status == SpeechAudio.Status.FAILED:
        if not audio.text:
            return _("Không tạo được âm thanh phát thanh: %(error)s Hãy sửa văn bản phát thanh "
                     "rồi gửi duyệt lại.") % {"error": audio.error}, False
        message = _("Tạo âm thanh phát thanh thất bại (lần %(attempts)s): %(error)s") % {
            "attempts": audio.attempts, "error": audio.error}
        if audio.next_attempt_at:
            message += " " + _("Hệ thống sẽ tự thử lại lúc %(time)s.") % {
                "time": formats.time_format(timezone.localtime(audio.next_attempt_at), "H:i")}
        else:
            message += " " + _("Hệ thống đã ngừng tự thử lại.")
        return message, True
    if page.last_published_at and page.last_published_at > alert_before:
        return None  # just approved: the render is probably on its way
    waited = (now - page.last_published_at).total_seconds() if page.last_published_at else 0
    state_text = {
        "missing": _("chưa được yêu cầu tạo"),
        SpeechAudio.Status.QUEUED: _("đang chờ trong hàng đợi"),
        SpeechAudio.Status.RENDERING: _("đang tạo"),
    }[state.status]
    return _("Bản tin đã xuất bản %(minutes)s phút nhưng chưa có âm thanh phát thanh (âm thanh "
             "%(state)s). Loa chưa thể phát tin này.") % {
        "minutes": _minutes(waited), "state": state_text}, True


def _delivery_problems(*, now: dt.datetime, alert_before: dt.datetime, page_ids=None):
    """``({page id: waiting count}, {page id: [failed deliveries]})`` of live pages' current
    dispatches (superseded revisions and withdrawn pages are not stuck, they are done)."""
    current = Delivery.objects.filter(
        dispatch__page__live=True,
        dispatch__revision_id=F("dispatch__page__live_revision_id"),
    )
    if page_ids is not None:
        current = current.filter(dispatch__page_id__in=page_ids)
    waiting = defaultdict(int)
    for page_id in current.filter(
        status=Delivery.Status.WAITING_AUDIO, dispatch__status=Dispatch.Status.ACTIVE,
        created_at__lt=alert_before,
    ).values_list("dispatch__page_id", flat=True):
        waiting[page_id] += 1
    since = now - dt.timedelta(days=tts_conf.render_retry("REPAIR_DAYS"))
    failed = defaultdict(list)
    for delivery in current.filter(status=Delivery.Status.FAILED, finished_at__gte=since).select_related(
        "dispatch"
    ).order_by("dispatch_id", "pk"):
        failed[delivery.dispatch.page_id].append(delivery)
    return waiting, failed


def may_retry_audio(user, page) -> bool:
    permissions = page.permissions_for_user(user)
    return permissions.can_edit() or permissions.can_publish() or user.has_perm(RESEND_PERMISSION)


def may_resend(user) -> bool:
    return user.has_perm(RESEND_PERMISSION)


def content_alerts(*, user=None, now: dt.datetime | None = None, page_ids=None) -> list[ContentAlert]:
    """Live content whose audio or delivery is stuck, emergencies first, then newest."""
    now = now or timezone.now()
    alert_before = now - dt.timedelta(seconds=alert_after_seconds())
    since = now - dt.timedelta(days=tts_conf.render_retry("REPAIR_DAYS"))
    pages = {page.pk: page for page in live_spoken_pages_without_audio(published_since=since)}
    waiting, failed = _delivery_problems(now=now, alert_before=alert_before, page_ids=page_ids)
    missing = (set(waiting) | set(failed)) - set(pages)
    pages.update({page.pk: page for page in Page.objects.filter(pk__in=missing).specific()})
    alerts = []
    for page_id, page in pages.items():
        if page_ids is not None and page_id not in page_ids:
            continue
        alert = ContentAlert(page=page)
        audio_problem = None
        if hasattr(page, "spoken_text"):
            audio_problem = _audio_problem(page, now, alert_before)
            if audio_problem:
                alert.problems.append(audio_problem[0])
                alert.audio_stuck = audio_problem[1]
        if waiting.get(page_id):
            # Also when the audio is in fact ready: retrying announces it, which wakes them
            # (not when the text cannot be spoken: only the editor can fix that).
            alert.audio_stuck = hasattr(page, "spoken_text") and (
                audio_problem is None or audio_problem[1]
            )
            alert.problems.append(
                _("%(count)s lượt gửi tới cụm loa đang chờ âm thanh quá %(minutes)s phút.")
                % {"count": waiting[page_id], "minutes": _minutes(alert_after_seconds())}
            )
        if failed.get(page_id):
            deliveries = failed[page_id]
            alert.failed_delivery_ids = [d.pk for d in deliveries]
            alert.problems.append(
                _("%(count)s lượt gửi thất bại (%(targets)s): %(error)s")
                % {"count": len(deliveries),
                   "targets": ", ".join(d.target_label for d in deliveries[:3])
                   + ("…" if len(deliveries) > 3 else ""),
                   "error": deliveries[0].last_error or _("không rõ lỗi")}
            )
        if not alert.problems:
            continue
        if user is not None:
            permissions = page.permissions_for_user(user)
            alert.can_edit = permissions.can_edit() or permissions.can_publish()
            alert.can_retry = (alert.audio_stuck and may_retry_audio(user, page)) or (
                bool(alert.failed_delivery_ids) and may_resend(user)
            )
        alerts.append(alert)
    if user is not None:
        alerts = _visible_to(user, alerts)
    alerts.sort(key=lambda a: (not a.is_emergency, -(a.page.last_published_at or now).timestamp()))
    return alerts


def _visible_to(user, alerts: list[ContentAlert]) -> list[ContentAlert]:
    """A public page's title is no secret; a restricted one (password, group) is shown to its
    editors and publishers, and to fleet operators once it went out to the loudspeakers
    (the dispatch report's rule)."""
    from content_types.selectors import public_pages

    ids = [alert.page.pk for alert in alerts]
    public = set(public_pages(Page.objects.filter(pk__in=ids)).values_list("pk", flat=True))
    dispatched = set(
        Dispatch.objects.filter(page_id__in=ids).values_list("page_id", flat=True)
    ) if may_resend(user) else set()
    return [alert for alert in alerts
            if alert.page.pk in public or alert.can_edit or alert.page.pk in dispatched]


class ContentAlertsPanel(Component):
    """Dashboard panel: live content whose audio or delivery is stuck."""

    name = "content_alerts"
    template_name = "device_bridge/admin/content_alerts_panel.html"
    order = 50  # above everything: nothing matters more than a bulletin that cannot air

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["alerts"] = content_alerts(user=self.request.user)
        context["request"] = self.request
        context["csrf_token"] = parent_context.get("csrf_token")
        return context


def _back(request):
    # The editor panel's button submits the whole edit form here: its own "next" field is
    # about saving the page, so the query string's wins.
    next_url = request.GET.get("next") or request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("wagtailadmin_home")


def _audio_retryable(page) -> bool:
    """A person may ask at once (no threshold) for audio that failed or was never requested."""
    if not (page.live and hasattr(page, "spoken_text")):
        return False
    state = broadcast_state(page)
    return state.status == "missing" or (
        state.status == SpeechAudio.Status.FAILED and bool(state.audio.text)
    )


@require_POST
def alert_retry(request, page_id: int):
    """Re-request the stuck audio and resend failed deliveries of one live page."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not (request.user.has_perm(VIEW_PERMISSION) or may_retry_audio(request.user, page)):
        raise PermissionDenied
    alerts = content_alerts(user=request.user, page_ids={page.pk})
    audio_stuck = (alerts and alerts[0].audio_stuck) or _audio_retryable(page)
    failed_ids = alerts[0].failed_delivery_ids if alerts else []
    retry_audio = audio_stuck and may_retry_audio(request.user, page)
    resend = bool(failed_ids) and may_resend(request.user)
    if not (retry_audio or resend):
        if audio_stuck or failed_ids:
            raise PermissionDenied
        messages.info(request, _("Tin này không còn gì bị kẹt."))
        return _back(request)
    # Late: the speech services load PyAV/scipy, which the admin hook scan need not.
    from .tts import services as tts_services

    done = []
    if retry_audio:
        tts_services.page_broadcast_retry(page=page)
        done.append(_("đã xếp hàng tạo lại âm thanh"))
    if resend:
        resent = sum(services.delivery_resend(delivery_id=pk) for pk in failed_ids)
        done.append(_("đã gửi lại %(count)s lượt") % {"count": resent})
    # No title here: the retry may come from someone who is not shown this page's title.
    messages.success(request, _("Đã thử lại: %(actions)s.") % {"actions": ", ".join(done)})
    return _back(request)


def coverage_message_add(request, page) -> bool:
    """Tell whoever publishes ``page`` now where the loudspeakers will not play it ("no
    cluster in these zones"), as a warning message; returns whether there was one."""
    from .selectors import speaker_coverage_warnings

    warnings = speaker_coverage_warnings(getattr(page, "specific", page))
    if not warnings:
        return False
    messages.warning(request, _coverage_text(page, warnings))
    return True


def _coverage_text(page, warnings) -> str:
    return _("Loa truyền thanh – “%(title)s”: %(problems)s") % {
        "title": page.get_admin_display_title(), "problems": " ".join(warnings)}


def _notice_key(user_id) -> str:
    return f"device_bridge:coverage_notices:{user_id}"


def coverage_notice_queue(*, user, page) -> bool:
    """An approval happened (any screen: the editor, the dashboard's queue, Wagtail's dialog):
    keep the coverage warning for the approver's next admin page, where
    ``coverage_notices_show`` turns it into a message. Approvals carry no request, so the
    notice waits in the cache (an hour) instead of the session."""
    from django.core.cache import cache

    from .selectors import speaker_coverage_warnings

    warnings = speaker_coverage_warnings(page)
    if not warnings:
        return False
    key = _notice_key(user.pk)
    notices = cache.get(key) or []
    text = _coverage_text(page, warnings)
    if text not in notices:
        cache.set(key, [*notices, text], timeout=3600)
    return True


def coverage_notices_show(request) -> int:
    """Show (once) the coverage warnings of the user's recent approvals."""
    from django.core.cache import cache

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    key = _notice_key(user.pk)
    notices = cache.get(key)
    if not notices:
        return 0
    cache.delete(key)
    for text in notices:
        messages.warning(request, text)
    return len(notices)
