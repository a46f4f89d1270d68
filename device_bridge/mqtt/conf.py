"""MQTT settings, read at call time so ``override_settings`` works in tests."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Every topic starts with this; a breaking change of the messages gets a new version.
    "TOPIC_PREFIX": "ttcs/v1",
    # How often the bridge looks for new commands in the database (seconds).
    "COMMAND_POLL_SECONDS": 0.1,
    # An unacknowledged command is published again this often until acked or expired.
    "REDELIVER_SECONDS": 5.0,
    # Per cluster: messages allowed in a burst, and refilled per second. Beyond it, dropped.
    "RATE_BURST": 10,
    "RATE_PER_SECOND": 2.0,
    # The largest status or ack message accepted (bytes); a larger one is dropped.
    "MAX_MESSAGE_BYTES": 4096,
    # The bridge reports itself alive this often; the admin says "unreachable" after 3 misses.
    "STATE_EVERY_SECONDS": 5.0,
    "KEEPALIVE_SECONDS": 30,
    # The user name the server's bridge connects with (the ACL gives it every topic).
    "SERVER_USERNAME": "ttcs-server",
}


def setting(name: str) -> Any:
    return getattr(settings, "MQTT", {}).get(name, DEFAULTS[name])


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None


class MqttConfigurationError(Exception):
    """``MQTT_URL`` cannot be used; no retry loop swallows this."""


def broker(url: str | None = None) -> Broker | None:
    """The broker of ``MQTT_URL`` (``mqtt://`` or ``mqtts://``), or ``None`` when MQTT is off."""
    url = settings.MQTT_URL if url is None else url
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts"):
        raise MqttConfigurationError(f"MQTT_URL must start with mqtt:// or mqtts://, not {url!r}")
    tls = parts.scheme == "mqtts"
    return Broker(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or (8883 if tls else 1883),
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def enabled() -> bool:
    return bool(settings.MQTT_URL)
