"""Real, small MP3 files for tests of the speaker channel (encoded with PyAV/libmp3lame)."""

import hashlib
import io

import av
import numpy as np

RATE = 22050


def mp3_bytes(seconds: float = 1.0, frequency: float = 440.0) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=RATE, layout="mono")
        frame_size = stream.codec_context.frame_size or 1152
        total = int(RATE * seconds)
        t = np.arange(total) / RATE
        samples = (0.3 * np.sin(2 * np.pi * frequency * t) * (2**31 - 1)).astype(np.int32)
        for start in range(0, total, frame_size):
            chunk = samples[start:start + frame_size]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s32p", layout="mono")
            frame.sample_rate = RATE
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
