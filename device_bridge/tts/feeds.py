"""Podcast RSS of bulletins with their broadcast audio as enclosures (``/audio/podcast.xml``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Enclosure, Rss201rev2Feed
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from . import selectors
from .models import SpeechAudio

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def format_duration(seconds: float | None) -> str:
    total = int(round(seconds or 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class PodcastRss(Rss201rev2Feed):
    """RSS 2.0 with the iTunes namespace that podcast apps read durations from."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:itunes": ITUNES_NS}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:author", self.feed.get("author_name") or "")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("duration"):
            handler.addQuickElement("itunes:duration", item["duration"])


@dataclass(frozen=True)
class FeedRequest:
    site: Site | None
    base_url: str


@dataclass(frozen=True)
class FeedEpisode:
    page: Page
    audio: SpeechAudio
    base_url: str


class BulletinPodcastFeed(Feed):
    """The public bulletins of the requested site (``public_pages``) with their live audio."""

    feed_type = PodcastRss
    language = "vi"

    def get_object(self, request, *args, **kwargs):
        # One feed instance serves every request: per-request state travels in the object.
        return FeedRequest(
            site=Site.find_for_request(request),
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )

    def title(self, obj):
        return _("Bản tin phát thanh %(site)s") % {"site": obj.site.site_name if obj.site else ""}

    def link(self):
        return "/"

    def description(self):
        return _("Âm thanh các bản tin đã phát trên hệ thống loa truyền thanh của xã.")

    def author_name(self):
        return _("Đài truyền thanh xã")

    def items(self, obj):
        return [
            FeedEpisode(page=episode.page, audio=episode.audio, base_url=obj.base_url)
            for episode in selectors.podcast_episodes(site=obj.site)
        ]

    def item_title(self, item):
        return item.page.title

    def item_description(self, item):
        return getattr(item.page, "summary", "") or item.page.title

    def item_link(self, item):
        return item.page.url or "/"

    def item_guid(self, item):
        return f"ttcs-bulletin-{item.page.pk}-{item.audio.sha256[:16]}"

    def item_guid_is_permalink(self, item):
        return False

    def item_pubdate(self, item):
        return item.page.first_published_at

    def item_enclosures(self, item):
        url = item.base_url + reverse("tts:audio_file", args=[item.audio.sha256])
        return [Enclosure(url=url, length=str(item.audio.size_bytes or 0), mime_type="audio/mpeg")]

    def item_extra_kwargs(self, item):
        return {"duration": format_duration(item.audio.duration_seconds)}
