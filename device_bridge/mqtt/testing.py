"""A throwaway Mosquitto for tests and benches: a free port, a generated config, stopped after."""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"mosquitto did not listen on {port}")


@contextlib.contextmanager
def mosquitto(*, conf_text: str | None = None, directory: Path | None = None,
              max_connections: int = -1):
    """Run Mosquitto on a free loopback port; yields the port.

    ``conf_text`` (without ``listener``) is e.g. what ``broker_config.conf_text`` wrote for a
    plain listener; by default anonymous clients are allowed.
    """
    directory = Path(directory or tempfile.mkdtemp(prefix="ttcs-mosquitto-"))
    port = free_port()
    body = conf_text if conf_text is not None else "allow_anonymous true\n"
    lines = [line for line in body.splitlines() if not line.startswith("listener ")]
    config = directory / "test-mosquitto.conf"
    config.write_text("\n".join(lines) + f"\nlistener {port} 127.0.0.1\n"
                      f"max_connections {max_connections}\nlog_dest stderr\n"
                      "log_type error\nlog_type warning\n"
                      # As root, Mosquitto would switch to its own user, which cannot read
                      # the generated password file (mode 600).
                      + ("user root\n" if os.geteuid() == 0 else ""))
    process = subprocess.Popen([MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        wait_for_port(port)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
