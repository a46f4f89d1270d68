"""Admin views (under ``/admin/tts/``): a page's audio state, history and retry."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from wagtail.models import Page

from . import services
from .models import PageAudio, SpeechAudio


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
