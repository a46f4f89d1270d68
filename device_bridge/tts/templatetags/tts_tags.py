from django import template
from django.urls import reverse

from ..feeds import format_duration
from ..selectors import audio_for_page

register = template.Library()


@register.simple_tag
def bulletin_audio(page):
    """The ready broadcast audio of ``page`` with its public URL, or ``None``."""
    audio = audio_for_page(page)
    if audio is None:
        return None
    return {
        "url": reverse("tts:audio_file", args=[audio.sha256]),
        "duration": format_duration(audio.duration_seconds),
        "duration_seconds": audio.duration_seconds,
        "size_bytes": audio.size_bytes,
        "engine": audio.engine,
    }


@register.filter
def audio_duration(seconds):
    return format_duration(seconds)
