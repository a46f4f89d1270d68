"""django-q2 task: poll every enabled CAP feed (scheduled every 5 minutes by migration 0003)."""

from .models import CapFeedSource
from .services import feed_poll


def cap_feeds_poll() -> dict[int, str]:
    return {source.pk: feed_poll(source=source)
            for source in CapFeedSource.objects.filter(enabled=True).select_related("site")}
