"""Reads about audio that is late: what the repair sweep re-requests and the admin alert shows.

Live content needs the broadcast audio of its *current* spoken text; ``broadcast_state``
says where that audio stands (missing, queued, rendering, failed, ready).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from wagtail.models import Page, get_page_models

from .models import PageAudio, SpeechAudio
from .selectors import audio_live_for_pages, engine_for_page, source_fingerprint, spoken_text_for


def spoken_page_models() -> list[type[Page]]:
    """Page types that have a text to read aloud (``spoken_text``)."""
    return [model for model in get_page_models() if hasattr(model, "spoken_text")]


def live_spoken_pages(*, published_since: dt.datetime) -> list[Page]:
    """Live pages with a spoken text, published since ``published_since`` (specific)."""
    models = spoken_page_models()
    if not models:
        return []
    return list(
        Page.objects.live()
        .type(*models)
        .filter(last_published_at__gte=published_since)
        .order_by("-last_published_at")
        .specific()
    )


def live_spoken_pages_without_audio(*, published_since: dt.datetime) -> list[Page]:
    """``live_spoken_pages`` whose current text has no ready broadcast audio (2 queries and
    the specific rows), the only ones worth a closer look."""
    pages = live_spoken_pages(published_since=published_since)
    ready = audio_live_for_pages(pages)
    return [page for page in pages if page.pk not in ready]


@dataclass(frozen=True)
class BroadcastState:
    page: Page
    link: PageAudio | None  # newest broadcast link of the current text, any status

    @property
    def audio(self) -> SpeechAudio | None:
        return self.link.audio if self.link else None

    @property
    def status(self) -> str:
        """``missing`` or the audio's status (queued, rendering, ready, failed)."""
        return self.audio.status if self.audio else "missing"


def broadcast_state(page) -> BroadcastState:
    """Where the broadcast audio of the page's current spoken text stands (1 query)."""
    fingerprint = source_fingerprint(text=spoken_text_for(page), engine=engine_for_page(page))
    links = PageAudio.objects.filter(
        page_id=page.pk, purpose=PageAudio.Purpose.BROADCAST, source_sha256=fingerprint
    ).select_related("audio")
    # A ready link wins over a newer failed one (a retry that failed after a success).
    ready = [link for link in links if link.audio.status == SpeechAudio.Status.READY]
    pool = ready or list(links)
    newest = max(pool, key=lambda link: (link.updated_at, link.pk), default=None)
    return BroadcastState(page=page, link=newest)


def retry_target(audio: SpeechAudio) -> PageAudio | None:
    """Which page (and purpose) a due retry of ``audio`` renders for: a live page's
    broadcast first, else the newest link."""
    links = list(audio.page_links.select_related("page").order_by("-updated_at", "-pk"))
    live_broadcast = [
        link for link in links
        if link.purpose == PageAudio.Purpose.BROADCAST and link.page.live
    ]
    return (live_broadcast or links or [None])[0]
