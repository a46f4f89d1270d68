"""Broadcast audio assembly (PyAV + numpy): decode, trim, loudness, jingles, MP3.

Django-agnostic on purpose: every function takes plain values, so the speech pipeline, the
benchmark and the tests drive the same code. ``device_bridge.tts`` reads the settings and
passes an :class:`~device_bridge.audio.assembly.AssemblySettings`.
"""

from .assembly import AssembledAudio, AssemblySettings, assemble_broadcast
from .codec import decode_to_mono, encode_mp3, probe
from .errors import AudioDecodeError, AudioError
from .loudness import integrated_loudness, true_peak_dbtp

__all__ = [
    "AssembledAudio",
    "AssemblySettings",
    "AudioDecodeError",
    "AudioError",
    "assemble_broadcast",
    "decode_to_mono",
    "encode_mp3",
    "integrated_loudness",
    "probe",
    "true_peak_dbtp",
]
