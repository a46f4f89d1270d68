"""Fixtures of the speech tests (prefixed ``tts_``); test modules import them by name."""

import copy

import pytest

from device_bridge.tts.engines.fake import FakeEngine
from tests.fakes.gtts_server import FakeGoogleTTS


@pytest.fixture
def tts_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def tts_fake_engine():
    FakeEngine.reset()
    yield FakeEngine
    FakeEngine.reset()


@pytest.fixture
def tts_gtts(settings):
    """A running fake Google endpoint; gTTS options tuned so retries take milliseconds."""
    with FakeGoogleTTS() as fake:
        engines = copy.deepcopy(settings.TTS_ENGINES)
        engines["gtts"]["OPTIONS"].update(
            {"READ_TIMEOUT": 3.0, "CONNECT_TIMEOUT": 1.0, "BACKOFF": 0.01, "MAX_BACKOFF": 0.05}
        )
        settings.TTS_ENGINES = engines
        settings.GTTS_BASE_URL = fake.base_url
        yield fake


@pytest.fixture
def tts_offline(settings, tts_media):
    """The production default (gTTS with eSpeak fallback) but Google unreachable by design:
    pointed at a closed loopback port, so nothing ever leaves the machine."""
    settings.TTS_ENGINE = "espeak"
    settings.TTS_FALLBACK = True
    settings.GTTS_BASE_URL = "http://127.0.0.1:9"
    return settings
