"""Admin views (under ``/admin/tts/``): a page's audio state, history and retry, and the
editor's "Nghe thử" of the draft in the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from wagtail.models import Page

from . import selectors, services
from .http import ranged_file_response
from .models import PageAudio, SpeechAudio

MP3 = "audio/mpeg"


@require_http_methods(["GET", "POST"])
def page_audio(request, page_id: int):
    page = get_object_or_404(Page, pk=page_id).specific
    permissions = page.permissions_for_user(request.user)
    if not (permissions.can_edit() or permissions.can_publish()):
        raise PermissionDenied
    links = list(PageAudio.objects.filter(page_id=page.pk).select_related("audio", "revision")[:20])
    if request.method == "POST":
        audio = get_object_or_404(
            SpeechAudio, pk=request.POST.get("audio_id"), page_links__page_id=page.pk
        )
        # The editor panel's button submits the page form here (formaction): it carries
        # the purpose in the query string, the audio id as the button's value.
        purpose = request.POST.get("purpose") or request.GET.get("purpose", "broadcast")
        if purpose not in PageAudio.Purpose.values:
            purpose = PageAudio.Purpose.BROADCAST
        if audio.status == SpeechAudio.Status.RENDERING:
            messages.warning(request, _("Âm thanh đang được tạo, không cần tạo lại."))
        else:
            services.speech_audio_retry(audio=audio, page_id=page.pk, purpose=purpose)
            messages.success(
                request,
                _("Đã xếp hàng tạo lại âm thanh cho “%(title)s”.")
                % {"title": page.get_admin_display_title()},
            )
        next_url = request.GET.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(next_url)
        return redirect("tts_admin:page_audio", page.pk)
    return TemplateResponse(
        request,
        "tts/admin/page_audio.html",
        {"page": page, "links": links, "latest": links[0] if links else None},
    )


def _editable_spoken_page(request, page_id: int):
    page = get_object_or_404(Page, pk=page_id).specific
    if not hasattr(page, "spoken_text"):
        raise Http404(_("Nội dung này không có phần đọc trên loa."))
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page


def _draft_from_form(request, page):
    """``page`` as the edit form in ``request`` has it (not saved), or ``None`` when the form
    is invalid. Required fields are not insisted on, as for saving a draft."""
    draft = page.get_latest_revision_as_object()
    form_class = type(page).get_edit_handler().get_form_class()
    form = form_class(
        request.POST, request.FILES, instance=draft, parent_page=page.get_parent(),
        for_user=request.user,
    )
    form.defer_required_fields()
    return form.instance if form.is_valid() else None


def _draft_json(payload: dict, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def draft_preview(request, page_id: int):
    """"Nghe thử": render what the loudspeakers would say for the draft in the edit form.

    Posted the whole page form by the audio panel's button (``listen.js``), again every few
    seconds while rendering. The render goes through the same pipeline and cache as the
    approver's preview and the broadcast: submitting the same text afterwards finds it ready
    and renders nothing. Hearing a draft is no listening for the approval gate.
    """
    page = _editable_spoken_page(request, page_id)
    draft = _draft_from_form(request, page)
    if draft is None:
        return _draft_json(
            {"message": _("Biểu mẫu còn lỗi; hãy sửa các ô bị báo lỗi rồi nghe thử lại.")},
            status=400,
        )
    if not selectors.spoken_text_for(draft):
        return _draft_json(
            {"message": _("Chưa có nội dung để đọc: hãy nhập tiêu đề, tóm tắt hoặc văn bản phát thanh.")},
            status=422,
        )
    # The unsaved draft carries the page's id: the link is the page's preview of no revision.
    audio = services.page_audio_request(page=draft, revision=None, purpose=PageAudio.Purpose.PREVIEW)
    if audio.is_ready:
        return _draft_json(
            {
                "status": audio.status,
                "url": reverse("tts_admin:draft_audio", args=[page.pk, audio.pk]),
                "message": _("Đang phát bản nghe thử của nội dung đang soạn."),
            }
        )
    if audio.status == SpeechAudio.Status.FAILED:
        return _draft_json(
            {
                "status": audio.status,
                "message": _("Không tạo được âm thanh nghe thử: %(reason)s") % {"reason": audio.error},
            },
            status=422,
        )
    if audio.status == SpeechAudio.Status.QUEUED:
        services.page_audio_enqueue(
            audio=audio, page_id=page.pk, purpose=PageAudio.Purpose.PREVIEW
        )
    return _draft_json(
        {
            "status": audio.status,
            "message": _("Đang tạo âm thanh nghe thử, vui lòng chờ vài giây…"),
        },
        status=202,
    )


@require_safe
def draft_audio(request, page_id: int, audio_id: int):
    """The rendered "Nghe thử" of a draft, for those who may edit the page."""
    page = _editable_spoken_page(request, page_id)
    audio = get_object_or_404(
        SpeechAudio.objects.filter(page_links__page_id=page.pk).distinct(),
        pk=audio_id,
        status=SpeechAudio.Status.READY,
    )
    if not audio.file:
        raise Http404(_("Không có tệp âm thanh này."))
    return ranged_file_response(
        request, audio.file, content_type=MP3, etag=audio.sha256, cache="private, max-age=300"
    )
