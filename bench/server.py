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


def gunicorn_start(app: str, port: int, *, threads: int, cwd, env: dict, options: tuple = ()):
    """The production server as a bench runs it: ONE gunicorn process with ``threads`` gthread
    threads serving ``app`` (a ``module:variable`` or ``module:factory()`` WSGI spec).

    A few threads, not one per client: gthread's main thread keeps every keep-alive connection
    in a poller and hands a thread only a request that has arrived, so 32 clients need no 32
    threads; more threads than cores only trade the GIL back and forth (and hold a database
    connection each). The listen backlog is gunicorn's 2048, so a burst of connections waits
    instead of being dropped (a dropped SYN costs the client a 1-3 s retransmit).
    """
    import subprocess
    import sys

    command = [
        sys.executable, "-m", "gunicorn", app,
        "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "gthread",
        "--threads", str(threads), "--backlog", "2048", "--keep-alive", "30",
        # No access log (gunicorn's default): writing a line per request is not the app's cost.
        "--graceful-timeout", "5", "--error-logfile", "-", "--log-level", "warning", *options,
    ]
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL)


def gunicorn_stop(server) -> None:
    """Stop what ``gunicorn_start`` started: SIGTERM, then SIGKILL if it is still finishing
    requests after its graceful timeout (a loaded machine can make it that slow)."""
    import subprocess

    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)
