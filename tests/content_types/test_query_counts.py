"""Public pages run a fixed number of queries however many bulletins the commune has."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from content_types.models import BulletinPage
from tests.factories import make_bulletin

pytestmark = pytest.mark.django_db

# Pinned: a change that adds a query to a page load shows up here. The bulletin page's extra
# queries over a bare page are its category, its zones and its audio (one query until the
# audio is ready, then cached).
QUERIES = {"home": 13, "news_index": 16, "bulletin": 15}


# Search and reference indexing are Wagtail's own background tasks: queue them nowhere while
# building a thousand pages, they do not change what a page view queries.
@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def _add_bulletins(site_tree, count):
    zones = list(site_tree.zones.values())
    categories = list(site_tree.categories.values())
    for n in range(count):
        make_bulletin(
            site_tree.news, category=categories[n % 2], zones=zones[: n % 3], publish=False,
            live=True, title=f"Bản tin thử tải số {n}",
        )


def _query_counts(client, site_tree):
    bulletin = BulletinPage.objects.live().first()
    counts = {}
    for name, url in (("home", "/"), ("news_index", site_tree.news.url), ("bulletin", bulletin.url)):
        client.get(url)  # warm per-process caches (site root paths, content types)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[name] = len(ctx.captured_queries)
    return counts


def test_query_counts_do_not_grow_with_bulletins(client, site_tree, django_assert_num_queries):
    _add_bulletins(site_tree, 10)
    small = _query_counts(client, site_tree)
    _add_bulletins(site_tree, 990)
    large = _query_counts(client, site_tree)
    assert large == small
    bulletin_url = BulletinPage.objects.live().first().url
    for name, url in (("home", "/"), ("news_index", site_tree.news.url), ("bulletin", bulletin_url)):
        with django_assert_num_queries(QUERIES[name]):
            client.get(url)
