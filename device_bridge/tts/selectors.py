"""Reads of the speech pipeline. ``audio_for_page`` is the contract the speaker channel uses."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet

from . import conf
from .models import BroadcastAudioSettings, PageAudio, PronunciationEntry, SpeechAudio


def lexicon_map() -> dict[str, str]:
    """Active lexicon entries, written form -> spoken form (one query)."""
    return dict(PronunciationEntry.objects.filter(is_active=True).values_list("written", "spoken"))


def engine_for_page(page) -> str:
    """The per-bulletin override (``tts_engine``) if set, else ``settings.TTS_ENGINE``."""
    return (getattr(page, "tts_engine", "") or "").strip() or conf.default_engine()


def spoken_text_for(page) -> str:
    return (getattr(page, "spoken_text", "") or "").strip()


def source_fingerprint(*, text: str, engine: str) -> str:
    """Identifies what an editor wrote for which engine; see :class:`PageAudio`."""
    return hashlib.sha256(f"{engine}\x00{text}".encode()).hexdigest()


def _links(page, purpose: str) -> QuerySet[PageAudio]:
    fingerprint = source_fingerprint(text=spoken_text_for(page), engine=engine_for_page(page))
    return PageAudio.objects.filter(page_id=page.pk, purpose=purpose, source_sha256=fingerprint)


def audio_for_page(page) -> SpeechAudio | None:
    """The ready broadcast audio for the page's *current* spoken text, or ``None`` (1 query)."""
    if page is None or page.pk is None:
        return None
    if not hasattr(page, "spoken_text"):
        page = page.specific
    link = (
        _links(page, PageAudio.Purpose.BROADCAST)
        .filter(audio__status=SpeechAudio.Status.READY)
        .select_related("audio")
        .order_by("-updated_at")
        .first()
    )
    return link.audio if link else None


def page_audio_latest(page) -> PageAudio | None:
    """The most recent audio request of a page, any purpose, for the admin panel."""
    return (
        PageAudio.objects.filter(page_id=page.pk)
        .select_related("audio", "revision")
        .order_by("-updated_at", "-pk")
        .first()
    )


def audio_public(sha256: str) -> SpeechAudio | None:
    """Ready audio that a live page broadcasts; drafts' previews are never public."""
    return (
        SpeechAudio.objects.filter(
            sha256=sha256,
            status=SpeechAudio.Status.READY,
            page_links__purpose=PageAudio.Purpose.BROADCAST,
            page_links__page__live=True,
        )
        .distinct()
        .first()
    )


def podcast_episodes(limit: int = 50) -> list[PageAudio]:
    """Broadcast audio of live bulletins, newest first; one row per page (its latest audio)."""
    links = (
        PageAudio.objects.filter(
            purpose=PageAudio.Purpose.BROADCAST,
            audio__status=SpeechAudio.Status.READY,
            page__live=True,
            page__content_type__model="bulletinpage",
        )
        .select_related("audio", "page")
        .order_by("-page__first_published_at", "-updated_at")
    )
    seen: set[int] = set()
    episodes = []
    for link in links[: limit * 4]:
        if link.page_id in seen:
            continue
        seen.add(link.page_id)
        episodes.append(link)
        if len(episodes) == limit:
            break
    return episodes


def jingle_files() -> tuple[object | None, object | None, bool]:
    """``(intro FieldFile, outro FieldFile, use_jingles)`` from the site-wide setting."""
    config = BroadcastAudioSettings.load()
    return (
        config.intro_jingle if config.intro_jingle else None,
        config.outro_jingle if config.outro_jingle else None,
        config.use_jingles,
    )


def audio_summary_for_page(page) -> dict | None:
    """What the API and templates expose: absolute URL, duration, engine (one query)."""
    from django.conf import settings
    from django.urls import reverse

    audio = audio_for_page(page)
    if audio is None:
        return None
    base = getattr(settings, "WAGTAILAPI_BASE_URL", "") or getattr(settings, "SITE_BASE_URL", "")
    return {
        "url": base.rstrip("/") + reverse("tts:audio_file", args=[audio.sha256]),
        "duration": audio.duration_seconds,
        "engine": audio.engine,
        "fallback_used": audio.fallback_used,
        "sha256": audio.sha256,
        "size_bytes": audio.size_bytes,
        "mime_type": "audio/mpeg",
    }
