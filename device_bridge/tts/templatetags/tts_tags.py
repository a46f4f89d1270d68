from django import template
from django.core.cache import cache
from django.urls import reverse

from ..feeds import format_duration
from ..selectors import audio_for_page, engine_for_page

register = template.Library()

# A live page's spoken text only changes with a new live revision, so the ready audio found
# for (page, live revision, engine) is cached; "not ready yet" is not, so the player appears
# as soon as rendering finishes. The timeout bounds how long a re-rendered file's old URL lives.
PLAYER_CACHE_SECONDS = 300


@register.simple_tag(takes_context=True)
def bulletin_audio(context, page):
    """The ready broadcast audio of ``page`` with its public URL, or ``None``."""
    key = None
    request = context.get("request")
    in_preview = getattr(request, "is_preview", False)  # a draft's text may differ from live
    if page.live and page.live_revision_id and not in_preview:
        key = f"tts:player:{page.pk}:{page.live_revision_id}:{engine_for_page(page)}"
        summary = cache.get(key)
        if summary is not None:
            return summary
    audio = audio_for_page(page)
    if audio is None:
        return None
    summary = {
        "url": reverse("tts:audio_file", args=[audio.sha256]),
        "duration": format_duration(audio.duration_seconds),
        "duration_seconds": audio.duration_seconds,
        "size_bytes": audio.size_bytes,
        "engine": audio.engine,
    }
    if key:
        cache.set(key, summary, PLAYER_CACHE_SECONDS)
    return summary


@register.filter
def audio_duration(seconds):
    return format_duration(seconds)
