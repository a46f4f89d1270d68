"""A loopback fake of Google Translate's TTS endpoint, speaking the protocol gTTS uses.

gTTS 2.5 POSTs ``f.req=<json>`` form bodies to ``/_/TranslateWebserverUi/data/batchexecute``
where the JSON is ``[[["jQ1olc", "<json [text, lang, speed, \\"null\\"]>", null, "generic"]]]``.
Google answers an XSSI-guarded, length-prefixed stream of JSON envelopes; the speech is a
base64 MP3 inside ``["wrb.fr","jQ1olc","[\\"<b64>\\"]",...]``. The fake answers the same way
with a real MP3 (a tone as long as the text would take to read), and can be switched to
answer 429, 5xx, a 200 without audio, or slowly (to trigger client timeouts).
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.parse
from collections import deque
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from device_bridge.audio.codec import encode_mp3

PATH = "/_/TranslateWebserverUi/data/batchexecute"
RATE = 24000


@lru_cache(maxsize=64)
def tone_mp3(tenths: int) -> bytes:
    """A voiced-sounding 24 kHz mono MP3 lasting ``tenths`` tenths of a second."""
    t = np.arange(int(RATE * tenths / 10), dtype=np.float64) / RATE
    signal = 0.3 * np.sin(2 * np.pi * 220 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    return encode_mp3(signal.astype(np.float32), sample_rate=RATE, bitrate=32000)


def envelope(audio: bytes) -> str:
    inner = json.dumps([base64.b64encode(audio).decode("ascii")])
    first = json.dumps(
        [
            ["wrb.fr", "jQ1olc", inner, None, None, None, "generic"],
            ["di", 41],
            ["af.httprm", 40, "-4142958412843", 7],
        ],
        separators=(",", ":"),
    )
    second = json.dumps([["e", 4, None, None, len(first) + 20]], separators=(",", ":"))
    return f")]}}'\n\n{len(first)}\n{first}\n{len(second)}\n{second}\n"


class FakeGoogleTTS:
    """``with FakeGoogleTTS() as fake: settings.GTTS_BASE_URL = fake.base_url``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: deque[int] = deque()  # answered first, one per request
        self.always_status: int | None = None
        self.delay_seconds = 0.0
        self.no_audio = False
        self.retry_after: str | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def texts(self) -> list[str]:
        return [r["text"] for r in self.requests]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def _reply(
                self, status: int, body: str, content_type="application/json; charset=utf-8"
            ):
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                if status == 429 and fake.retry_after:
                    self.send_header("Retry-After", fake.retry_after)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_POST(self):
                if urllib.parse.urlsplit(self.path).path != PATH:
                    return self._reply(404, "Not Found", "text/html")
                length = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
                try:
                    rpc = json.loads(form["f.req"][0])
                    rpc_id, params, _none, _generic = rpc[0][0]
                    text, lang, speed, _null = json.loads(params)
                except (KeyError, ValueError, TypeError, IndexError):
                    return self._reply(400, ')]}\'\n[["er",null,null,null,null,400]]')
                with fake._lock:
                    fake.requests.append(
                        {
                            "rpc": rpc_id,
                            "text": text,
                            "lang": lang,
                            "speed": speed,
                            "user_agent": self.headers.get("User-Agent", ""),
                        }
                    )
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                    status = fake.statuses.popleft() if fake.statuses else fake.always_status
                try:
                    if fake.delay_seconds:
                        time.sleep(fake.delay_seconds)
                    if rpc_id != "jQ1olc":
                        return self._reply(400, ')]}\'\n[["er",null,null,null,null,400]]')
                    if status:
                        return self._reply(status, f"<html>Error {status}</html>", "text/html")
                    if fake.no_audio:
                        return self._reply(200, ')]}\'\n\n25\n[["wrb.fr","jQ1olc",null]]\n')
                    tenths = max(3, min(100, len(text) * 6 // 10))
                    return self._reply(200, envelope(tone_mp3(tenths)))
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

        return Handler
