"""HTTP client for Google Translate's text-to-speech RPC, the endpoint gTTS speaks to.

gTTS (``gtts/tts.py``) builds the request bodies; this client owns the transport: one
``httpx.Client``, explicit timeouts, bounded concurrency, retries with backoff on 429/5xx
and timeouts, and a checked response envelope. Building a request (:meth:`build_request`) is
separate from parsing its response (:func:`parse_audio`).
"""

from __future__ import annotations

import base64
import binascii
import random
import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from django.utils.translation import gettext

from ..exceptions import EngineConfigurationError, EngineProtocolError, EngineUnavailable

#: Path of the batchexecute RPC, as hard-coded in gTTS ``_prepare_requests`` (2.5.x).
BATCHEXECUTE_PATH = "/_/TranslateWebserverUi/data/batchexecute"
#: The RPC id gTTS uses for speech (``gTTS.GOOGLE_TTS_RPC``).
RPC_ID = "jQ1olc"
# The audio is a base64 string JSON-escaped inside the RPC envelope's third field; gTTS
# ``stream()`` extracts it with exactly this pattern, line by line.
_AUDIO_PATTERN = re.compile(r'jQ1olc","\[\\"(.*)\\"]')
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def parse_audio(response: httpx.Response) -> bytes:
    """The MP3 bytes inside a batchexecute answer, or :class:`EngineProtocolError`."""
    for line in response.text.splitlines():
        if RPC_ID not in line:
            continue
        match = _AUDIO_PATTERN.search(line)
        if not match:
            break
        try:
            audio = base64.b64decode(match.group(1).encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError) as err:
            raise EngineProtocolError(
                gettext("Dịch vụ Google trả về dữ liệu âm thanh hỏng."),
                status=response.status_code,
                body=response.text,
            ) from err
        if audio:
            return audio
        break
    raise EngineProtocolError(
        gettext("Dịch vụ Google trả lời nhưng không có âm thanh."),
        status=response.status_code,
        body=response.text,
    )


class GoogleTranslateTTSClient:
    """Talks to ``{base_url}/_/TranslateWebserverUi/data/batchexecute``."""

    def __init__(
        self,
        *,
        base_url: str,
        headers: dict[str, str],
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        max_concurrency: int = 4,
        deadline: float = 120.0,
    ):
        if not base_url.startswith(("http://", "https://")):
            raise EngineConfigurationError(
                gettext("GTTS_BASE_URL không hợp lệ: “%(url)s”.") % {"url": base_url}
            )
        if max_concurrency < 1 or retries < 0:
            raise EngineConfigurationError(
                gettext("Cấu hình gTTS: số luồng và số lần thử phải dương.")
            )
        self.url = base_url.rstrip("/") + BATCHEXECUTE_PATH
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_concurrency = max_concurrency
        self.deadline = deadline
        self.requests_sent = 0
        self._http = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=max_concurrency),
            # gTTS reads proxies from the environment too; the fake server is on loopback.
            trust_env=False,
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._http.close()

    def build_request(self, body: str) -> httpx.Request:
        return self._http.build_request("POST", self.url, content=body.encode("utf-8"))

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None and response.headers.get("Retry-After", "").isdigit():
            return min(float(response.headers["Retry-After"]), self.max_backoff)
        return min(self.backoff * 2**attempt, self.max_backoff) * (0.75 + random.random() / 2)

    def fetch(self, body: str, *, started: float) -> bytes:
        """One chunk's MP3, retrying 429/5xx/timeouts with exponential backoff."""
        last_error: EngineUnavailable | None = None
        for attempt in range(self.retries + 1):
            if time.monotonic() - started > self.deadline:
                break
            response = None
            try:
                self.requests_sent += 1
                response = self._http.send(self.build_request(body))
            except httpx.TimeoutException as err:
                last_error = EngineUnavailable(
                    gettext("Dịch vụ Google đọc văn bản không trả lời kịp.")
                )
                last_error.__cause__ = err
            except httpx.TransportError as err:
                last_error = EngineUnavailable(
                    gettext("Không kết nối được dịch vụ Google: %(error)s") % {"error": err}
                )
                last_error.__cause__ = err
            else:
                if response.status_code == 200:
                    return parse_audio(response)
                last_error = EngineUnavailable(
                    _status_message(response.status_code),
                    status=response.status_code,
                    body=response.text,
                )
                if response.status_code not in RETRY_STATUSES:
                    break
            if attempt < self.retries:
                time.sleep(self._delay(attempt, response))
        raise last_error or EngineUnavailable(gettext("Dịch vụ Google quá thời hạn cho phép."))

    def fetch_all(self, bodies: list[str]) -> list[bytes]:
        """All chunks in order, at most ``max_concurrency`` in flight."""
        started = time.monotonic()
        if len(bodies) == 1 or self.max_concurrency == 1:
            return [self.fetch(body, started=started) for body in bodies]
        pool = ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="gtts")
        try:
            futures = [pool.submit(self.fetch, body, started=started) for body in bodies]
            return [future.result() for future in futures]
        finally:
            # On the first failure, drop chunks not started yet instead of sending them.
            pool.shutdown(wait=True, cancel_futures=True)


def _status_message(status: int) -> str:
    if status == 429:
        return gettext("Dịch vụ Google từ chối vì gửi quá nhiều yêu cầu (429).")
    if status >= 500:
        return gettext("Dịch vụ Google đang lỗi (%(status)s).") % {"status": status}
    return gettext("Dịch vụ Google trả lời mã %(status)s; có thể giao thức đã thay đổi.") % {
        "status": status
    }
