"""A tiny HTTP/1.1 keep-alive client on asyncio streams, for simulating large fleets.

httpx costs the simulator about a core per 100 requests/s on this class of machine, which
starves the server under test. A real cluster holds one connection; so does this: one
connection per simulated cluster, requests in sequence, ``Content-Length`` bodies only (what
protocol v1 servers send).
"""

import asyncio
import json as jsonlib
from urllib.parse import urlencode, urlsplit

import httpx


class LeanResponse:
    def __init__(self, status_code: int, headers: dict, content: bytes, url: str):
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.url = url

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return jsonlib.loads(self.content)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            request = httpx.Request("GET", self.url)
            raise httpx.HTTPStatusError(f"HTTP {self.status_code} for {self.url}", request=request,
                                        response=httpx.Response(self.status_code, request=request))


class LeanConnection:
    """One keep-alive connection to one origin, used by one coroutine at a time."""

    def __init__(self, timeout: float = 30.0):
        self.timeout = timeout
        self.reader = self.writer = None
        self.origin = None

    async def request(self, method: str, url: str, *, headers=None, json=None, params=None):
        parts = urlsplit(url)
        origin = (parts.hostname, parts.port or 80)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if params:
            path += ("&" if "?" in path else "?") + urlencode(params)
        body = b"" if json is None else jsonlib.dumps(json).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", "Accept: */*"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if json is not None:
            lines += ["Content-Type: application/json"]
        lines += [f"Content-Length: {len(body)}"] if method != "GET" else []
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        for attempt in (1, 2):  # a keep-alive connection the server closed is retried once
            try:
                if self.writer is None or self.origin != origin:
                    await self.close()
                    self.reader, self.writer = await asyncio.wait_for(
                        asyncio.open_connection(*origin), self.timeout)
                    self.origin = origin
                self.writer.write(payload)
                await self.writer.drain()
                return await asyncio.wait_for(self._read(url), self.timeout)
            except (ConnectionError, asyncio.IncompleteReadError) as err:
                await self.close()
                if attempt == 2:
                    raise httpx.TransportError(str(err)) from err
            except TimeoutError as err:
                await self.close()
                raise httpx.TransportError("timeout") from err
        raise AssertionError("unreachable")

    async def _read(self, url: str) -> LeanResponse:
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        content = await self.reader.readexactly(length) if length else b""
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return LeanResponse(status, _Headers(headers), content, url)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, OSError):
                pass
        self.reader = self.writer = None


class _Headers(dict):
    """Case-insensitive ``get`` like httpx's headers."""

    def get(self, key, default=None):
        return super().get(key.lower(), default)
