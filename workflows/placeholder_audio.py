"""A playable stand-in for the spoken preview while the speech pipeline is not installed.

It is a chime followed by one short beep per word (at most 20): enough for the approver's player
to run from start to end so the listen-before-approve gate can be exercised end to end.
"""

import io
import math
import struct
import wave

SAMPLE_RATE = 8000


def _tone(frequency: float, seconds: float, volume: float = 0.4) -> list[int]:
    count = int(SAMPLE_RATE * seconds)
    fade = max(1, int(SAMPLE_RATE * 0.01))
    samples = []
    for i in range(count):
        envelope = min(1.0, i / fade, (count - i) / fade)
        value = volume * envelope * math.sin(2 * math.pi * frequency * i / SAMPLE_RATE)
        samples.append(int(value * 32767))
    return samples


def _silence(seconds: float) -> list[int]:
    return [0] * int(SAMPLE_RATE * seconds)


def placeholder_preview_wav(text: str) -> bytes:
    samples = _tone(660, 0.25) + _tone(880, 0.3) + _silence(0.15)
    for _word in text.split()[:20]:
        samples += _tone(440, 0.08, volume=0.25) + _silence(0.04)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return buffer.getvalue()


def wav_duration_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data), "rb") as wav:
        return wav.getnframes() / wav.getframerate()
