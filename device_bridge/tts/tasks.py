"""django-q2 tasks: take ids, call a service. Safe to run twice (the render is claimed)."""

from __future__ import annotations

from wagtail.models import Page, Revision

from . import services
from .models import PageAudio, SpeechAudio


def render_broadcast(page_id: int, revision_id: int | None = None) -> str:
    """Final audio of an approved page; sends ``audio_ready`` when it is (or was) ready."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return "page-missing"
    page = page.specific
    if not hasattr(page, "spoken_text"):
        return "not-spoken"
    revision = Revision.objects.filter(pk=revision_id).first() if revision_id else None
    audio = services.page_broadcast_render(page=page, revision=revision)
    return audio.status


def render_preview(revision_id: int) -> str:
    revision = Revision.objects.filter(pk=revision_id).first()
    if revision is None:
        return "revision-missing"
    page = Page.objects.get(pk=revision.object_id).specific
    audio = services.page_audio_request(
        page=page, revision=revision, purpose=PageAudio.Purpose.PREVIEW
    )
    return services.speech_render(audio=audio).status


def render_audio(audio_id: int, page_id: int | None = None, purpose: str | None = None) -> str:
    audio = SpeechAudio.objects.filter(pk=audio_id).first()
    if audio is None:
        return "audio-missing"
    audio = services.speech_render(audio=audio)
    if page_id and purpose == PageAudio.Purpose.BROADCAST:
        page = Page.objects.filter(pk=page_id).first()
        if page is not None:
            services.page_audio_announce(page=page, audio=audio)
    return audio.status
