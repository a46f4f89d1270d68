"""The HTTP side of a polled CAP feed: one client, explicit timeouts, a size cap, ETags."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from .validation import max_bytes

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class CapFeedError(Exception):
    """The feed could not be read (network, HTTP status, oversized body)."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass
class FeedResponse:
    status: int
    etag: str
    body: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class CapFeedClient:
    def __init__(self):
        self._http = httpx.Client(timeout=TIMEOUT, follow_redirects=True,
                                  headers={"User-Agent": "TTCS-CAP/1.0", "Accept": "application/atom+xml, "
                                           "application/cap+xml, application/xml;q=0.9"})

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._http.close()

    def get(self, url: str, *, etag: str = "") -> FeedResponse:
        headers = {"If-None-Match": etag} if etag else {}
        limit = max_bytes()
        try:
            with self._http.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return FeedResponse(status=304, etag=etag, body=b"")
                if response.status_code != 200:
                    raise CapFeedError(f"HTTP {response.status_code}", status=response.status_code)
                body = b""
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise CapFeedError(f"> {limit // 1024} KB", status=200)
                return FeedResponse(status=200, etag=response.headers.get("ETag", ""), body=body)
        except httpx.HTTPError as err:
            raise CapFeedError(type(err).__name__) from err
