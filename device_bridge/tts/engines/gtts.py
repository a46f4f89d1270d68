"""gTTS, Google Translate's voice (lang ``vi``): the production default."""

from __future__ import annotations

import numpy as np
from django.utils.translation import gettext
from gtts import gTTS
from gtts.tokenizer import pre_processors

from device_bridge.audio import AudioDecodeError, decode_to_mono

from ..exceptions import EngineProtocolError
from .base import Speech, SpeechEngine
from .google import GoogleTranslateTTSClient

#: Google answers 24 kHz mono MP3 for every chunk.
NATIVE_RATE = 24000


class GttsEngine(SpeechEngine):
    """Options: ``BASE_URL`` (else ``settings.GTTS_BASE_URL``), ``TLD`` (only part of the
    voice identity), ``SLOW``, ``CONNECT_TIMEOUT``, ``READ_TIMEOUT``, ``RETRIES``,
    ``BACKOFF``, ``MAX_BACKOFF``, ``MAX_CONCURRENCY``, ``DEADLINE`` (seconds for a whole text).
    """

    label = "Google (gTTS)"

    @property
    def voice(self) -> str:
        return f"gtts:vi:{self.options.get('TLD', 'com')}:{'slow' if self.options.get('SLOW') else 'normal'}"

    def _request_bodies(self, text: str) -> list[str]:
        # gTTS's own tokenizer splits at punctuation into <=100-character chunks and packs
        # each into its RPC envelope; lang_check=False avoids a network call to list languages.
        # Its English abbreviation pre-processors are dropped: our normaliser ran already.
        builder = gTTS(
            text,
            lang="vi",
            tld=self.options.get("TLD", "com"),
            slow=bool(self.options.get("SLOW", False)),
            lang_check=False,
            pre_processor_funcs=[pre_processors.tone_marks, pre_processors.end_of_line],
        )
        return builder.get_bodies()

    def client(self) -> GoogleTranslateTTSClient:
        from django.conf import settings

        options = self.options
        return GoogleTranslateTTSClient(
            base_url=options.get("BASE_URL") or settings.GTTS_BASE_URL,
            headers=dict(gTTS.GOOGLE_TTS_HEADERS),
            connect_timeout=float(options.get("CONNECT_TIMEOUT", 3.0)),
            read_timeout=float(options.get("READ_TIMEOUT", 10.0)),
            retries=int(options.get("RETRIES", 3)),
            backoff=float(options.get("BACKOFF", 0.5)),
            max_backoff=float(options.get("MAX_BACKOFF", 8.0)),
            max_concurrency=int(options.get("MAX_CONCURRENCY", 4)),
            deadline=float(options.get("DEADLINE", 120.0)),
        )

    def synthesize(self, text: str) -> Speech:
        text = self.check_text(text)
        bodies = self._request_bodies(text)
        with self.client() as client:
            chunks = client.fetch_all(bodies)
            sent = client.requests_sent
        pieces = []
        for chunk in chunks:
            try:
                pieces.append(decode_to_mono(chunk, sample_rate=NATIVE_RATE))
            except AudioDecodeError as err:
                raise EngineProtocolError(
                    gettext("Âm thanh Google trả về không giải mã được.")
                ) from err
        return Speech(
            samples=np.concatenate(pieces),
            sample_rate=NATIVE_RATE,
            engine=self.name,
            voice=self.voice,
            requests=sent,
        )
