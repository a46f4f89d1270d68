"""Speech engines: one contract every engine passes, then gTTS against a fake Google."""

import numpy as np
import pytest

from device_bridge.tts.engines import fallback_name, get_engine
from device_bridge.tts.engines.fake import FakeEngine
from device_bridge.tts.exceptions import (
    EngineConfigurationError,
    EngineProtocolError,
    EngineUnavailable,
    SpeechInputError,
)
from tests.fakes import tts_fixtures

tts_gtts = tts_fixtures.tts_gtts
tts_fake_engine = tts_fixtures.tts_fake_engine

SENTENCE = "Ủy ban nhân dân xã thông báo lịch tiêm chủng cho trẻ em vào sáng thứ hai."


class EngineContract:
    """Every engine: mono float PCM in [-1, 1], a stable voice id, clear input errors."""

    engine_name = ""

    @pytest.fixture
    def engine(self):
        return get_engine(self.engine_name)

    def test_speaks_vietnamese_as_mono_float_pcm(self, engine):
        speech = engine.synthesize(SENTENCE)
        assert speech.samples.ndim == 1
        assert speech.samples.dtype == np.float32
        assert speech.sample_rate >= 8000
        assert 1.0 < speech.duration_seconds < 30.0
        assert float(np.abs(speech.samples).max()) <= 1.0
        assert float(np.sqrt(np.mean(speech.samples**2))) > 0.005  # not silence
        assert speech.engine == self.engine_name

    def test_longer_text_makes_longer_speech(self, engine):
        short = engine.synthesize("Xin chào bà con.")
        long = engine.synthesize(SENTENCE + " " + SENTENCE)
        assert long.duration_seconds > short.duration_seconds

    def test_voice_identifies_engine_and_settings(self, engine):
        assert engine.voice
        assert engine.voice == get_engine(self.engine_name).voice

    @pytest.mark.parametrize("text", ["", "   "])
    def test_empty_text_is_an_input_error(self, engine, text):
        with pytest.raises(SpeechInputError):
            engine.synthesize(text)


class TestFakeEngine(EngineContract):
    engine_name = "fake"

    def test_records_what_it_was_asked(self, engine, tts_fake_engine):
        engine.synthesize("Một hai ba.")
        assert tts_fake_engine.calls == [{"engine": "fake", "text": "Một hai ba."}]


class TestEspeakEngine(EngineContract):
    engine_name = "espeak"

    def test_rate_changes_duration(self, settings):
        slow = dict(
            settings.TTS_ENGINES,
            espeak={**settings.TTS_ENGINES["espeak"], "OPTIONS": {"RATE": 110}},
        )
        fast = dict(
            settings.TTS_ENGINES,
            espeak={**settings.TTS_ENGINES["espeak"], "OPTIONS": {"RATE": 220}},
        )
        settings.TTS_ENGINES = slow
        slow_seconds = get_engine("espeak").synthesize(SENTENCE).duration_seconds
        settings.TTS_ENGINES = fast
        fast_seconds = get_engine("espeak").synthesize(SENTENCE).duration_seconds
        assert slow_seconds > fast_seconds * 1.4

    def test_unknown_voice_is_a_configuration_error(self, settings):
        settings.TTS_ENGINES = dict(
            settings.TTS_ENGINES,
            espeak={**settings.TTS_ENGINES["espeak"], "OPTIONS": {"VOICE": "khong-co-giong-nay"}},
        )
        with pytest.raises(EngineConfigurationError):
            get_engine("espeak").synthesize(SENTENCE)


class TestGttsEngine(EngineContract):
    engine_name = "gtts"

    @pytest.fixture(autouse=True)
    def _fake_google(self, tts_gtts):
        self.fake = tts_gtts

    def test_sends_vietnamese_chunks_of_at_most_100_characters(self, engine):
        engine.synthesize(SENTENCE * 4)
        assert len(self.fake.requests) >= 3
        assert all(r["lang"] == "vi" and r["rpc"] == "jQ1olc" for r in self.fake.requests)
        assert all(len(text) <= 100 for text in self.fake.texts)
        assert "Mozilla" in self.fake.requests[0]["user_agent"]

    def test_concurrency_is_bounded(self, engine, settings):
        # Each answer takes 0.3 s, so chunks overlap unless the client serialises them.
        self.fake.delay_seconds = 0.3
        engine.synthesize(SENTENCE * 12)
        limit = settings.TTS_ENGINES["gtts"]["OPTIONS"]["MAX_CONCURRENCY"]
        assert 1 < self.fake.max_in_flight <= limit

    @pytest.mark.parametrize("status", [429, 500, 503])
    def test_retries_transient_errors_with_backoff(self, engine, status):
        self.fake.statuses.extend([status, status])
        speech = engine.synthesize("Xin chào bà con.")
        assert speech.requests == 3
        assert speech.duration_seconds > 0

    def test_retry_after_header_is_honoured_within_the_backoff_cap(self, engine):
        import time

        self.fake.statuses.append(429)
        self.fake.retry_after = "30"  # capped by MAX_BACKOFF (0.05 s in tests)
        started = time.monotonic()
        engine.synthesize("Xin chào.")
        assert time.monotonic() - started < 5
        assert len(self.fake.requests) == 2

    def test_gives_up_after_retries_with_status_and_body(self, engine):
        self.fake.always_status = 500
        with pytest.raises(EngineUnavailable) as err:
            engine.synthesize("Xin chào bà con.")
        assert err.value.status == 500
        assert "Error 500" in err.value.body
        assert len(self.fake.requests) == 4  # 1 + RETRIES
        assert "500" in str(err.value)

    def test_too_many_requests_is_reported_in_vietnamese(self, engine):
        self.fake.always_status = 429
        with pytest.raises(EngineUnavailable, match="quá nhiều yêu cầu"):
            engine.synthesize("Xin chào.")

    def test_client_errors_are_not_retried(self, engine):
        self.fake.always_status = 403
        with pytest.raises(EngineUnavailable) as err:
            engine.synthesize("Xin chào.")
        assert err.value.status == 403
        assert len(self.fake.requests) == 1

    def test_slow_server_times_out(self, settings):
        options = settings.TTS_ENGINES["gtts"]["OPTIONS"]
        options.update({"READ_TIMEOUT": 0.3, "RETRIES": 1})
        self.fake.delay_seconds = 1.0
        with pytest.raises(EngineUnavailable, match="không trả lời kịp"):
            get_engine("gtts").synthesize("Xin chào.")
        assert len(self.fake.requests) == 2

    def test_answer_without_audio_is_a_protocol_error(self, engine):
        self.fake.no_audio = True
        with pytest.raises(EngineProtocolError):
            engine.synthesize("Xin chào.")

    def test_unreachable_endpoint_is_unavailable(self, settings, engine):
        settings.GTTS_BASE_URL = "http://127.0.0.1:9"
        with pytest.raises(EngineUnavailable, match="Không kết nối"):
            get_engine("gtts").synthesize("Xin chào.")

    def test_malformed_base_url_is_a_configuration_error(self, settings):
        settings.GTTS_BASE_URL = "translate.google.com"
        with pytest.raises(EngineConfigurationError):
            get_engine("gtts").synthesize("Xin chào.")


def test_unknown_engine_is_a_configuration_error():
    with pytest.raises(EngineConfigurationError):
        get_engine("khong-co")


def test_engine_is_resolved_at_call_time(settings):
    settings.TTS_ENGINES = {
        "x": {"CLASS": "device_bridge.tts.engines.fake.FakeEngine", "OPTIONS": {}}
    }
    assert isinstance(get_engine("x"), FakeEngine)


def test_fallback_follows_settings(settings):
    settings.TTS_FALLBACK = True
    assert fallback_name("gtts") == "espeak"
    assert fallback_name("espeak") is None
    settings.TTS_FALLBACK = False
    assert fallback_name("gtts") is None
    settings.TTS_FALLBACK = "fake"
    assert fallback_name("gtts") == "fake"
