"""Reads of the speech pipeline. ``audio_for_page`` is the contract the speaker channel uses."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from wagtail.models import Page, Site

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


def audio_live_for_pages(pages) -> dict[int, SpeechAudio]:
    """``{page id: ready broadcast audio of its current spoken text}`` in one query.

    Pass live pages (specific): a live page's row holds its live content, so this is the
    audio of the live revision; a superseded revision's audio no longer matches.
    """
    wanted = Q()
    for page in pages:
        fingerprint = source_fingerprint(text=spoken_text_for(page), engine=engine_for_page(page))
        wanted |= Q(page_id=page.pk, source_sha256=fingerprint)
    if not wanted:
        return {}
    links = (
        PageAudio.objects.filter(wanted, purpose=PageAudio.Purpose.BROADCAST)
        .filter(audio__status=SpeechAudio.Status.READY)
        .select_related("audio")
        .order_by("-updated_at")
    )
    current: dict[int, SpeechAudio] = {}
    for link in links:
        current.setdefault(link.page_id, link.audio)
    return current


@dataclass(frozen=True)
class AudioAccess:
    """Who may hear an audio file: anyone (``public``), or only this request's visitor."""

    audio: SpeechAudio
    public: bool


def audio_access(sha256: str, *, site: Site | None, request) -> AudioAccess | None:
    """The audio ``sha256`` if a live page of ``site`` broadcasts it *now*, else ``None``.

    Public when one such page is publicly visible (``content_types.selectors.public_pages``);
    otherwise private to a visitor who passes the page's view restrictions, as Wagtail
    does for the page itself. A corrected bulletin's old audio, an unpublished bulletin's
    audio and previews of drafts match no page and are never served here.
    """
    from content_types.selectors import public_pages

    live = Page.objects.live()
    if site is not None:
        live = live.in_site(site)
    page_ids = set(
        PageAudio.objects.filter(
            purpose=PageAudio.Purpose.BROADCAST,
            audio__sha256=sha256,
            audio__status=SpeechAudio.Status.READY,
            page__in=live,
        ).values_list("page_id", flat=True)
    )
    if not page_ids:
        return None
    pages = list(Page.objects.filter(pk__in=page_ids).specific())
    current = audio_live_for_pages(pages)
    speaking = [page for page in pages if page.pk in current and current[page.pk].sha256 == sha256]
    if not speaking:
        return None
    audio = current[speaking[0].pk]
    if public_pages(Page.objects.filter(pk__in=[page.pk for page in speaking])).exists():
        return AudioAccess(audio=audio, public=True)
    for page in speaking:
        if all(restriction.accept_request(request) for restriction in page.get_view_restrictions()):
            return AudioAccess(audio=audio, public=False)
    return None


@dataclass(frozen=True)
class PodcastEpisode:
    page: Page
    audio: SpeechAudio


def podcast_episodes(*, site: Site | None, limit: int = 50) -> list[PodcastEpisode]:
    """Public bulletins of ``site`` with the audio of their live revision, newest first."""
    from content_types.models import BulletinPage
    from content_types.selectors import public_pages

    has_audio = PageAudio.objects.filter(
        purpose=PageAudio.Purpose.BROADCAST, audio__status=SpeechAudio.Status.READY
    ).values("page_id")
    pages = list(
        public_pages(BulletinPage.objects.all(), site=site)
        .filter(pk__in=has_audio)
        .order_by("-first_published_at", "-pk")[:limit]
    )
    current = audio_live_for_pages(pages)
    return [PodcastEpisode(page=page, audio=current[page.pk]) for page in pages if page.pk in current]


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
    # The audio is served on the page's own site (``audio_access`` is per site), so link there.
    url_parts = page.get_url_parts()
    base = url_parts[1] if url_parts else (
        getattr(settings, "WAGTAILAPI_BASE_URL", "") or getattr(settings, "SITE_BASE_URL", "")
    )
    return {
        "url": base.rstrip("/") + reverse("tts:audio_file", args=[audio.sha256]),
        "duration": audio.duration_seconds,
        "engine": audio.engine,
        "fallback_used": audio.fallback_used,
        "sha256": audio.sha256,
        "size_bytes": audio.size_bytes,
        "mime_type": "audio/mpeg",
    }
