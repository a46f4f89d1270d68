"""Broadcast assembly: real eSpeak Vietnamese in, MP3 out, decoded and measured independently."""

import io
import math
import wave

import av
import numpy as np
import pyloudnorm
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from scipy.signal import resample_poly

from device_bridge.audio import AssemblySettings, AudioError, assemble_broadcast, probe
from device_bridge.audio.dsp import trim_silence
from device_bridge.audio.jingles import default_intro, default_outro
from device_bridge.audio.loudness import normalize_loudness
from device_bridge.tts.engines import get_engine
from device_bridge.tts.validators import validate_jingle_file

TEXT = (
    "Ủy ban nhân dân xã Chí Minh thông báo: từ ngày mồng một tháng mười hai, trạm y tế xã "
    "tổ chức tiêm phòng cho trẻ em dưới năm tuổi. Đề nghị bà con đưa trẻ đến đúng giờ."
)


@pytest.fixture(scope="module")
def audio_speech():
    return get_engine("espeak").synthesize(TEXT)


def decode(mp3: bytes):
    """Decode with PyAV directly (not the code under test): samples, rate, channels."""
    with av.open(io.BytesIO(mp3)) as container:
        stream = container.streams.audio[0]
        channels = stream.codec_context.channels
        rate = stream.codec_context.sample_rate
        frames = [f.to_ndarray() for f in container.decode(stream)]
    samples = np.concatenate(
        [
            f.reshape(channels, -1)
            if f.ndim == 2 and f.shape[0] == channels
            else f.reshape(-1, channels).T
            for f in frames
        ],
        axis=1,
    )
    return samples[0].astype(np.float64), rate, channels


def true_peak(samples):
    return 20 * math.log10(np.abs(resample_poly(samples, 4, 1)).max())


def assemble(speech, **overrides):
    settings = AssemblySettings(**overrides)
    rate = settings.sample_rate
    return assemble_broadcast(
        speech.samples,
        speech.sample_rate,
        settings=settings,
        intro=default_intro(rate),
        outro=default_outro(rate),
    ), settings


def test_broadcast_mp3_meets_the_loudness_spec(audio_speech):
    result, settings = assemble(audio_speech)
    samples, rate, channels = decode(result.mp3)
    assert (rate, channels) == (24000, 1)
    assert probe(result.mp3).codec.startswith("mp3")
    duration = samples.size / rate
    assert duration == pytest.approx(result.duration_seconds, abs=0.05)
    # jingles (~1.6 s each) and pauses around the trimmed speech
    assert audio_speech.duration_seconds + 2.5 < duration < audio_speech.duration_seconds + 6
    loudness = pyloudnorm.Meter(rate).integrated_loudness(samples)
    assert abs(loudness - settings.target_lufs) <= 1.0
    assert true_peak(samples) <= settings.true_peak_ceiling_dbtp
    assert result.loudness_lufs == pytest.approx(loudness, abs=0.2)
    assert result.true_peak_dbtp <= settings.true_peak_ceiling_dbtp
    # 64 kbit/s constant bitrate
    assert len(result.mp3) * 8 / duration == pytest.approx(64000, rel=0.1)


def test_target_and_ceiling_are_settings(audio_speech):
    result, _settings = assemble(
        audio_speech,
        target_lufs=-23.0,
        true_peak_ceiling_dbtp=-3.0,
        bitrate=32000,
        sample_rate=22050,
    )
    samples, rate, _channels = decode(result.mp3)
    assert rate == 22050
    assert abs(pyloudnorm.Meter(rate).integrated_loudness(samples) + 23.0) <= 1.0
    assert true_peak(samples) <= -3.0
    assert len(result.mp3) * 8 / (samples.size / rate) == pytest.approx(32000, rel=0.1)


def test_leading_and_trailing_silence_is_trimmed(audio_speech):
    rate = audio_speech.sample_rate
    padded = np.concatenate(
        [np.zeros(rate * 3, np.float32), audio_speech.samples, np.zeros(rate * 3, np.float32)]
    )
    plain = assemble_broadcast(audio_speech.samples, rate, settings=AssemblySettings())
    trimmed = assemble_broadcast(padded, rate, settings=AssemblySettings())
    # up to 80 ms of kept margin on each side
    assert trimmed.duration_seconds == pytest.approx(plain.duration_seconds, abs=0.2)
    assert trimmed.duration_seconds < audio_speech.duration_seconds + 0.3


def test_trim_keeps_a_short_margin():
    rate = 16000
    tone = np.sin(np.arange(rate) * 2 * np.pi * 440 / rate).astype(np.float32) * 0.5
    padded = np.concatenate([np.zeros(rate), tone, np.zeros(rate)])
    assert trim_silence(padded, rate).size == pytest.approx(
        rate + 2 * int(0.08 * rate), abs=rate // 50
    )


def test_silence_only_speech_is_refused():
    with pytest.raises(AudioError):
        assemble_broadcast(np.zeros(24000 * 2, np.float32), 24000, settings=AssemblySettings())
    with pytest.raises(AudioError):
        normalize_loudness(np.zeros(24000, np.float32), 24000, target_lufs=-16, ceiling_dbtp=-1)


def test_default_jingles_are_short_gentle_chimes():
    intro, outro = default_intro(24000), default_outro(24000)
    for chime in (intro, outro):
        assert 1.0 < chime.size / 24000 < 2.5
        assert 0.3 < float(np.abs(chime).max()) <= 0.5
        tail = chime[-2400:]
        assert float(np.abs(tail).max()) < 0.1  # rings out, no click at the end
    assert not np.array_equal(intro, outro)


def wav_bytes(samples, rate=16000):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def test_valid_jingle_upload_passes():
    tone = 0.4 * np.sin(np.arange(16000) * 2 * np.pi * 660 / 16000)
    validate_jingle_file(SimpleUploadedFile("nhac-hieu.wav", wav_bytes(tone), "audio/wav"))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("nhac-hieu.mp3", b"ID3\x03\x00\x00\x00garbage-not-audio" * 50, "bị hỏng"),
        ("nhac-hieu.wav", b"RIFF\x00\x00\x00\x00WAVEfmt broken", "bị hỏng"),
        ("nhac-hieu.txt", b"hello", "không được hỗ trợ"),
        ("im-lang.wav", wav_bytes(np.zeros(16000)), "khoảng lặng"),
        ("dai.wav", wav_bytes(0.3 * np.sin(np.arange(16000 * 31) * 0.1)), "tối đa 30 giây"),
    ],
)
def test_bad_jingle_upload_gets_a_clear_error(name, data, message):
    with pytest.raises(ValidationError) as err:
        validate_jingle_file(SimpleUploadedFile(name, data))
    assert message in " ".join(err.value.messages)


@pytest.mark.parametrize("gain", [1.0, 0.1])
def test_vectorised_loudness_meter_agrees_with_pyloudnorm(audio_speech, gain):
    from device_bridge.audio import integrated_loudness

    samples = audio_speech.samples.astype(np.float64) * gain
    reference = pyloudnorm.Meter(audio_speech.sample_rate).integrated_loudness(samples)
    assert integrated_loudness(samples, audio_speech.sample_rate) == pytest.approx(
        reference, abs=0.05
    )
