"""Public audio, the approver preview and the podcast feed (under ``/audio/``)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from wagtail.models import Page, Revision, Site

from . import selectors, services
from .http import ranged_file_response
from .models import PageAudio, SpeechAudio

MP3 = "audio/mpeg"


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _status_response(request, audio: SpeechAudio, *, status: int, message: str):
    payload = {"status": audio.status, "message": message}
    if _wants_json(request):
        response = JsonResponse(payload, status=status)
    else:
        from django.http import HttpResponse

        response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    if status == 202:
        response["Retry-After"] = "5"
    return response


def _user_can_hear(user, revision: Revision) -> bool:
    """Editors of the page and approvers of its current moderation step.

    The moderation rules own who approves; they live in ``workflows.selectors``.
    """
    from workflows.selectors import user_can_hear_revision

    return user_can_hear_revision(user=user, revision=revision)


def _preview_served(user, revision: Revision, audio: SpeechAudio) -> None:
    """The listen gate counts a listening only after the preview was served (and heard)."""
    from workflows.services import preview_served_record

    preview_served_record(
        revision=revision, user=user, duration_seconds=audio.duration_seconds or 0.0
    )


@require_safe
def revision_preview(request, revision_id: int):
    """What the loudspeakers will say for exactly this revision (nghe thử trước khi duyệt)."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
    if not user.has_perm("wagtailadmin.access_admin"):
        raise PermissionDenied
    revision = get_object_or_404(Revision, pk=revision_id)
    model = revision.content_type.model_class()
    if model is None or not issubclass(model, Page) or not hasattr(model, "spoken_text"):
        raise Http404(_("Nội dung này không có phần đọc trên loa."))
    if not _user_can_hear(user, revision):
        raise PermissionDenied
    page = get_object_or_404(Page, pk=revision.object_id)
    audio = services.page_audio_request(
        page=page, revision=revision, purpose=PageAudio.Purpose.PREVIEW
    )
    if audio.is_ready:
        if request.method == "GET":
            _preview_served(request.user, revision, audio)
        return ranged_file_response(
            request, audio.file, content_type=MP3, etag=audio.sha256, cache="private, max-age=300"
        )
    if audio.status == SpeechAudio.Status.FAILED:
        return _status_response(
            request,
            audio,
            status=422,
            message=_("Không tạo được âm thanh nghe thử: %(reason)s") % {"reason": audio.error},
        )
    if audio.status == SpeechAudio.Status.QUEUED:
        services.page_audio_enqueue(audio=audio, page_id=page.pk, purpose=PageAudio.Purpose.PREVIEW)
    return _status_response(
        request,
        audio,
        status=202,
        message=_("Đang tạo âm thanh nghe thử, vui lòng chờ vài giây rồi thử lại."),
    )


@require_safe
def audio_file(request, sha256: str):
    """The broadcast MP3 of a live bulletin's live revision, addressed by content hash.

    Checked on every request, cached copies included (``no-cache`` makes caches revalidate,
    which costs a 304): a corrected bulletin's old audio and an unpublished bulletin's audio
    stop being served at once.
    """
    access = selectors.audio_access(sha256, site=Site.find_for_request(request), request=request)
    if access is None or not access.audio.file:
        raise Http404(_("Không có tệp âm thanh này."))
    return ranged_file_response(
        request,
        access.audio.file,
        content_type=MP3,
        etag=access.audio.sha256,
        cache="public, no-cache" if access.public else "private, no-cache",
    )
