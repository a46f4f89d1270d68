"""eSpeak NG, offline, through the ``espeakng-loader`` wheel (bundled libespeak-ng + data).

libespeak-ng keeps one global synthesiser per process and is not thread-safe, so the driver
below is a process-wide object guarded by a lock. It holds no settings: voice, rate and
pitch are applied on every call from the engine's options.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np
from django.utils.translation import gettext, gettext_lazy

from ..exceptions import EngineConfigurationError, EngineSynthesisError
from .base import Speech, SpeechEngine

# Values from espeak-ng's speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_ESPEAK_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_PARAM_RATE = 1
_PARAM_VOLUME = 2
_PARAM_PITCH = 3
_EE_OK = 0

_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _EspeakDriver:
    """Loads libespeak-ng once and synthesises to 16-bit PCM via the synchronous callback."""

    def __init__(self):
        self._lock = threading.Lock()
        self._lib = None
        self.sample_rate = 0
        self._chunks: list[np.ndarray] = []
        # Keep a reference: ctypes callbacks are freed with their Python object.
        self._callback = _SynthCallback(self._collect)

    def _collect(self, wav, count, events):
        if count > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    def _load(self):
        if self._lib is not None:
            return self._lib
        try:
            import espeakng_loader
        except ImportError as err:  # pragma: no cover - dependency of the project
            raise EngineConfigurationError(gettext("Chưa cài gói espeakng-loader.")) from err
        try:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data_path = espeakng_loader.get_data_path()
        except (OSError, RuntimeError) as err:
            raise EngineConfigurationError(
                gettext("Không nạp được thư viện eSpeak NG: %(error)s") % {"error": err}
            ) from err
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), 0)
        if rate <= 0:
            raise EngineConfigurationError(gettext("Không khởi tạo được eSpeak NG."))
        lib.espeak_SetSynthCallback(self._callback)
        self.sample_rate = rate
        self._lib = lib
        return lib

    def synthesize(self, text: str, *, voice: str, rate: int, pitch: int) -> tuple[np.ndarray, int]:
        with self._lock:
            lib = self._load()
            if lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
                raise EngineConfigurationError(
                    gettext("eSpeak NG không có giọng “%(voice)s”.") % {"voice": voice}
                )
            lib.espeak_SetParameter(_PARAM_RATE, rate, 0)
            lib.espeak_SetParameter(_PARAM_PITCH, pitch, 0)
            lib.espeak_SetParameter(_PARAM_VOLUME, 100, 0)
            self._chunks = []
            payload = ctypes.create_string_buffer(text.encode("utf-8"))
            status = lib.espeak_Synth(
                payload, len(payload), 0, _POS_CHARACTER, 0, _ESPEAK_CHARS_UTF8, None, None
            )
            lib.espeak_Synchronize()
            chunks, self._chunks = self._chunks, []
        if status != _EE_OK:
            raise EngineSynthesisError(
                gettext("eSpeak NG báo lỗi %(status)s khi đọc văn bản.") % {"status": status}
            )
        if not chunks:
            raise EngineSynthesisError(gettext("eSpeak NG không tạo ra âm thanh nào."))
        pcm = np.concatenate(chunks).astype(np.float32) / 32768.0
        return pcm, self.sample_rate


_driver = _EspeakDriver()


class EspeakEngine(SpeechEngine):
    """Offline Vietnamese voice (giọng đọc ngoại tuyến eSpeak NG).

    Options: ``VOICE`` ("vi", or "vi-vn-x-central"/"vi-vn-x-south"), ``RATE`` in words per
    minute (150 suits loudspeakers, which echo), ``PITCH`` 0-100.
    """

    label = gettext_lazy("eSpeak NG (ngoại tuyến)")

    @property
    def voice(self) -> str:
        return (
            f"espeak-ng:{self.options.get('VOICE', 'vi')}:"
            f"{self._rate()}:{int(self.options.get('PITCH', 50))}"
        )

    def _rate(self) -> int:
        rate = int(self.options.get("RATE", 150))
        if not 80 <= rate <= 450:
            raise EngineConfigurationError(
                gettext("Tốc độ đọc eSpeak phải trong khoảng 80–450 từ/phút.")
            )
        return rate

    def synthesize(self, text: str) -> Speech:
        text = self.check_text(text)
        samples, rate = _driver.synthesize(
            text,
            voice=str(self.options.get("VOICE", "vi")),
            rate=self._rate(),
            pitch=int(self.options.get("PITCH", 50)),
        )
        return Speech(samples=samples, sample_rate=rate, engine=self.name, voice=self.voice)
