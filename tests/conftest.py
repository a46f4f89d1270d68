"""Shared fixtures: a small commune site built with the real page tree, no fixtures files."""

import os

import pytest

from tests.factories import build_site


def pytest_configure(config):
    # Services named by the environment are the production path: in CI an unreachable one is a
    # failure, never a silent skip (see .ci/run).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def site_tree(db):
    return build_site()
