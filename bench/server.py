"""Starting a server process for a bench or a load test: a free port, and waiting until it answers."""

from __future__ import annotations

import socket
import time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_server(url: str, *, path: str, timeout: float = 60, interval: float = 0.3) -> None:
    """Return once ``url + path`` answers at all; raise after ``timeout`` seconds."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}{path}", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(interval)
    raise RuntimeError("server did not start")
