"""Fixtures for the Zalo OA tests: a real fake Zalo server on loopback, and a connected OA."""

import pytest

from device_bridge.zalo import fake_server
from tests.device_bridge.conftest import (  # noqa: F401 - the channel contract's fixtures
    cluster_fleet,
    dev_audio,
    dev_media,
    dev_site,
    dev_tts_fake,
)


@pytest.fixture
def zalo_fake(settings):
    """A running ``FakeZalo``; the ZALO_* settings point at it for the test's duration."""
    with fake_server.FakeZalo() as fake:
        settings.ZALO_API_BASE = fake.base_url
        settings.ZALO_OAUTH_BASE = fake.base_url
        settings.ZALO_APP_ID = fake.app_id
        settings.ZALO_APP_SECRET = fake.app_secret
        settings.ZALO_OA_SECRET = fake.oa_secret
        settings.ZALO_READ_TIMEOUT = 1.0
        settings.ZALO_CONNECT_TIMEOUT = 1.0
        yield fake


def connect_account(site, fake):
    """Connect ``site``'s OA to ``fake`` the way ``manage.py zalo_connect`` does."""
    from device_bridge.zalo.tokens import account_connect

    return account_connect(site=site, refresh_token=fake.issue_refresh_token())


@pytest.fixture
def zalo_account(site_tree, zalo_fake):
    """The ``ZaloAccount`` of ``site_tree``'s site, connected to ``zalo_fake``."""
    from wagtail.models import Site

    return connect_account(Site.objects.get(is_default_site=True), zalo_fake)
