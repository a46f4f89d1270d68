"""The jingle validator reads the length from the container before decoding (issue 8, item 21)."""

import io

import av
import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from device_bridge.tts import validators
from device_bridge.tts.validators import validate_jingle_file

RATE = 8000


def flac_bytes(seconds: float, *, amplitude: float = 0.0) -> bytes:
    """Mono 16-bit FLAC; silence compresses to almost nothing, so 30 minutes is a small file."""
    buffer = io.BytesIO()
    container = av.open(buffer, mode="w", format="flac")
    stream = container.add_stream("flac", rate=RATE)
    stream.layout = "mono"
    frame_size = 4096
    total = int(seconds * RATE)
    tone = (amplitude * 32767 * np.sin(np.arange(frame_size) * 2 * np.pi * 440 / RATE)).astype("<i2")
    for start in range(0, total, frame_size):
        chunk = tone[: min(frame_size, total - start)].reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = start
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def half_hour_flac():
    return flac_bytes(30 * 60)


@pytest.fixture
def decode_calls(monkeypatch):
    calls = []
    real = validators._decoded_peak

    def recording(container, stream, *, max_seconds):
        calls.append(max_seconds)
        return real(container, stream, max_seconds=max_seconds)

    monkeypatch.setattr(validators, "_decoded_peak", recording)
    return calls


def test_half_hour_flac_is_refused_from_its_header_without_decoding(half_hour_flac, decode_calls):
    # Regression: the validator decoded the whole upload (up to two hours) before it looked at
    # the length, so a small FLAC of silence cost a worker minutes of CPU and memory.
    assert len(half_hour_flac) < validators.JINGLE_MAX_BYTES
    with pytest.raises(ValidationError) as err:
        validate_jingle_file(SimpleUploadedFile("dai.flac", half_hour_flac, "audio/flac"))
    assert err.value.error_list[0].code == "jingle_length"
    assert "1800 giây, tối đa 30 giây" in err.value.messages[0]
    assert decode_calls == []


def test_a_file_without_a_stated_length_is_decoded_no_further_than_the_limit(
    half_hour_flac, monkeypatch
):
    # A header that omits (or understates) the length: decoding stops just past 30 seconds.
    monkeypatch.setattr(validators, "_declared_seconds", lambda container, stream: None)
    decoded = []
    real = validators._decoded_peak

    def recording(container, stream, *, max_seconds):
        result = real(container, stream, max_seconds=max_seconds)
        decoded.append(result[0])
        return result

    monkeypatch.setattr(validators, "_decoded_peak", recording)
    with pytest.raises(ValidationError) as err:
        validate_jingle_file(SimpleUploadedFile("dai.flac", half_hour_flac))
    assert err.value.error_list[0].code == "jingle_length"
    assert validators.JINGLE_MAX_SECONDS < decoded[0] < validators.JINGLE_MAX_SECONDS + 1


def test_short_flac_jingle_passes_and_is_decoded_once(decode_calls):
    validate_jingle_file(SimpleUploadedFile("nhac-hieu.flac", flac_bytes(3, amplitude=0.4)))
    assert decode_calls == [validators.JINGLE_MAX_SECONDS]


def test_short_silent_flac_is_still_refused_as_silence():
    with pytest.raises(ValidationError) as err:
        validate_jingle_file(SimpleUploadedFile("lang.flac", flac_bytes(3)))
    assert err.value.error_list[0].code == "jingle_silent"
