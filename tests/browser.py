"""Debian's Chromium for the browser tests, driven by Playwright; never a downloaded browser.

Without Chromium a browser test is skipped on a developer's machine and fails in CI (``CI`` set),
where ``.ci/run`` installs it: a browser test that silently skips there would prove nothing.
"""

from __future__ import annotations

import contextlib
import os

import pytest

CHROMIUM = "/usr/bin/chromium"
# --disable-background-networking and friends: this machine's network is closed, and Chromium's
# own connections would be refused many at a time. Autoplay: the listen gate plays audio.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
    "--hide-scrollbars",
]


def chromium_required() -> None:
    if os.path.exists(CHROMIUM):
        return
    message = "Debian's Chromium is not installed: apt-get install chromium"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@contextlib.contextmanager
def chromium():
    """A headless Chromium for the duration of the block."""
    chromium_required()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        try:
            yield browser
        finally:
            browser.close()
