"""Shared fixtures and the rules for tests that need outside services.

Tests marked ``postgres``/``redis`` run in the pass of ``.ci/run`` that sets ``DATABASE_URL``
and ``REDIS_URL``; ``mqtt`` tests need the broker at ``MQTT_URL``. Outside CI a missing service
skips them with the reason; in CI (``CI=true``) an unreachable service is a failure.
"""

import os
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.factories import build_site


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2).close()
    except OSError:
        return False
    return True


def _service_problem(marker: str) -> str | None:
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "needs DATABASE_URL pointing at PostgreSQL (second pass of .ci/run)"
        return None  # pytest-django itself fails loudly when the server is down
    if marker == "redis":
        url = os.environ.get("REDIS_URL", "")
        if not url:
            return "needs REDIS_URL (second pass of .ci/run)"
        return None if _reachable(url, 6379) else f"Redis unreachable at {url}"
    if marker == "mqtt":
        url = os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883")
        return None if _reachable(url, 1883) else f"MQTT broker unreachable at {url}"
    return None


def pytest_collection_modifyitems(config, items):
    in_ci = os.environ.get("CI", "").lower() == "true"
    for item in items:
        for marker in ("postgres", "redis", "mqtt"):
            if marker not in item.keywords:
                continue
            problem = _service_problem(marker)
            if problem is None:
                continue
            if in_ci and "unreachable" in problem:
                raise pytest.UsageError(f"CI: {problem}: the production path cannot be tested.")
            item.add_marker(pytest.mark.skip(reason=problem))


@pytest.fixture(autouse=True)
def django_db_serialized_rollback():
    """Every transactional test (live server, worker subprocess) gets serialized rollback.

    A transactional test ends by flushing the database, which would also wipe what the data
    migrations made (roles, workflows, the pronunciation lexicon, Wagtail's root page) for the
    tests after it. Overriding pytest-django's fixture of this name, autouse and without asking
    for ``db``, turns serialized rollback on for those tests and changes nothing for the others.
    """


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Database ids repeat between tests (rollback), so cached values keyed by id must not."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def site_tree(db):
    return build_site()


@pytest.fixture
def browser():
    """Debian's Chromium through Playwright (``tests/browser.py``)."""
    from tests.browser import chromium

    with chromium() as launched:
        yield launched
