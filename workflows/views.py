"""HTTP endpoints of the moderation queue: record a listening, act on a step, preview, report."""

import math
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe
from wagtail.admin.auth import require_admin_access
from wagtail.models import Page, Revision

from .models import ListenApprovalTaskState
from .placeholder_audio import placeholder_preview_wav, wav_duration_seconds
from .selectors import moderation_report, user_can_hear_revision
from .services import ModerationRefused, listen_record, preview_served_record, task_state_act


def _wants_json(request) -> bool:
    return request.headers.get("x-requested-with") == "XMLHttpRequest" or (
        "application/json" in request.headers.get("accept", "")
    )


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "wagtailadmin_home"


class BadSeconds(ValueError):
    pass


def _seconds(request, name: str, label: str) -> float:
    """A number of seconds from the form: finite and not negative, else :class:`BadSeconds`
    with a Vietnamese message naming the field."""
    raw = (request.POST.get(name) or "").strip()
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise BadSeconds(
            _("“%(field)s” phải là một số giây hợp lệ (không âm), không phải “%(value)s”.")
            % {"field": label, "value": raw[:40]}
        )
    return value


@require_POST
@require_admin_access
def listen(request, task_state_id: int):
    """Called by the approver's player when the preview has been played to the end."""
    task_state = get_object_or_404(ListenApprovalTaskState, pk=task_state_id)
    try:
        played_seconds = _seconds(request, "played_seconds", _("số giây đã nghe"))
        duration_seconds = _seconds(request, "duration_seconds", _("độ dài bản xem trước"))
    except BadSeconds as bad:
        return JsonResponse({"ok": False, "message": str(bad)}, status=400)
    try:
        record = listen_record(
            task_state=task_state,
            user=request.user,
            revision_id=request.POST.get("revision_id"),
            played_seconds=played_seconds,
            duration_seconds=duration_seconds,
        )
    except ModerationRefused as refused:
        return JsonResponse({"ok": False, "message": str(refused)}, status=403)
    return JsonResponse(
        {
            "ok": True,
            "message": _("Đã ghi nhận bạn nghe xong bản xem trước; bạn có thể duyệt."),
            "listened_at": record.listened_at.isoformat(),
        }
    )


def _back_to_editor(request, obj) -> str | None:
    """The page editor the action came from (its audio panel posts with ``?from=edit``), when
    the user may still open it; after the last step they usually may not."""
    if request.GET.get("from") != "edit" or not isinstance(obj, Page):
        return None
    page = Page.objects.get(pk=obj.pk).specific  # as it is now: the action moved its workflow
    if not page.permissions_for_user(request.user).can_edit():
        return None
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


@require_POST
@require_admin_access
def act(request, task_state_id: int):
    """Approve or request changes from wherever the approver listened: the dashboard queue,
    or the audio panel of the page editor (``?from=edit``)."""
    task_state = get_object_or_404(ListenApprovalTaskState, pk=task_state_id)
    action = request.POST.get("action", "")
    obj = task_state.workflow_state.content_object
    title = obj.get_admin_display_title()
    try:
        task_state_act(
            task_state=task_state,
            user=request.user,
            action=action,
            revision_id=request.POST.get("revision_id"),
            comment=request.POST.get("comment", ""),
        )
    except ModerationRefused as refused:
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": str(refused)}, status=403)
        messages.error(request, str(refused))
        return redirect(_back_to_editor(request, obj) or _next_url(request))
    if action == "approve":
        message = _("Đã duyệt “%(title)s” ở bước “%(task)s”.")
    else:
        message = _("Đã trả lại “%(title)s” cho người soạn để sửa.")
    message %= {"title": title, "task": task_state.task.name}
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": message})
    messages.success(request, message)
    return redirect(_back_to_editor(request, obj) or _next_url(request))


@require_safe  # the player asks with HEAD whether the preview is ready before playing it
@login_required
def revision_preview(request, revision_id: int):
    """Placeholder rendering of a revision's spoken text (see ``placeholder_audio``)."""
    revision = get_object_or_404(Revision, pk=revision_id)
    if not user_can_hear_revision(user=request.user, revision=revision):
        raise PermissionDenied
    text = getattr(revision.as_object(), "spoken_text", "") or ""
    wav = placeholder_preview_wav(text)
    if request.method == "GET":
        preview_served_record(
            revision=revision, user=request.user, duration_seconds=wav_duration_seconds(wav)
        )
    response = HttpResponse(wav, content_type="audio/wav")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@require_admin_access
def reports(request):
    """Moderation report (báo cáo kiểm duyệt): outcomes and waiting time of the last 30 days."""
    if not request.user.has_perm("workflows.view_reports"):
        raise PermissionDenied
    since = timezone.now() - timedelta(days=30)
    return render(
        request,
        "workflows/reports.html",
        {"report": moderation_report(since=since), "since": since},
    )
