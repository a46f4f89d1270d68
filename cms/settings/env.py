"""Every environment-specific setting is read here, once, with an offline default.

Nothing else in the project reads ``os.environ``: settings modules import from here so the
configuration table in the README has exactly one source.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


#: SQLite as a concurrent server's database (one web process with threads, one django-q2
#: cluster, 100+ speaker clusters heartbeating). Without these, a transaction that read before
#: writing fails at once with "database is locked" when a heartbeat holds the write lock:
#: SQLite cannot wait in that case, so the busy timeout alone does not help.
SQLITE_OPTIONS = {
    # BEGIN IMMEDIATE takes the write lock up front, where the busy timeout does wait.
    "transaction_mode": "IMMEDIATE",
    # Seconds a writer waits for the lock before "database is locked" (Python's default: 5).
    "timeout": 20,
    # WAL: readers never wait for the writer nor block it; NORMAL is durable in WAL mode
    # (a power cut may lose the last commits, never corrupts) and skips an fsync per commit.
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA temp_store=MEMORY;"
        "PRAGMA cache_size=-20000"
    ),
}


def database_config() -> dict:
    """``DATABASE_URL`` or, by default, an SQLite file in ``var/`` (see ``SQLITE_OPTIONS``)."""
    url = env_str("DATABASE_URL")
    if not url:
        (BASE_DIR / "var").mkdir(exist_ok=True)
        url = f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config


DATABASE = database_config()
REDIS_URL = env_str("REDIS_URL")
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
SITE_BASE_URL = env_str("SITE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
MEDIA_ROOT = env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
MEDIA_ACCEL_REDIRECT = env_str("MEDIA_ACCEL_REDIRECT")
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static"))
EMAIL_URL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ttcs@localhost")
EMERGENCY_WEBHOOK_URL = env_str("EMERGENCY_WEBHOOK_URL")
EMERGENCY_WEBHOOK_SECRET = env_str("EMERGENCY_WEBHOOK_SECRET")
Q_WORKERS = int(env_str("Q_WORKERS", "2"))
TTS_ENGINE = env_str("TTS_ENGINE", "gtts")
TTS_FALLBACK = env_bool("TTS_FALLBACK", True)
GTTS_BASE_URL = env_str("GTTS_BASE_URL", "https://translate.google.com")
GTTS_READ_TIMEOUT = float(env_str("GTTS_READ_TIMEOUT", "10"))
ESPEAK_RATE = int(env_str("ESPEAK_RATE", "150"))
TTS_MP3_BITRATE = int(env_str("TTS_MP3_BITRATE", "64000"))
TTS_TARGET_LUFS = float(env_str("TTS_TARGET_LUFS", "-16"))
TTS_TRUE_PEAK_DBTP = float(env_str("TTS_TRUE_PEAK_DBTP", "-1"))
DEVICE_AUDIO_URL_LIFETIME = int(env_str("DEVICE_AUDIO_URL_LIFETIME", "3600"))
DEVICE_LONG_POLL_SECONDS = float(env_str("DEVICE_LONG_POLL_SECONDS", "25"))
TRUSTED_PROXY_COUNT = int(env_str("TRUSTED_PROXY_COUNT", "0"))
#: ``make run`` demo mode: the fake Zalo of ``manage.py zalo_fake`` (device_bridge.zalo.fake_server)
#: on loopback, with its app id and secrets, unless the environment names real ones.
ZALO_DEMO = env_bool("ZALO_DEMO") and not env_str("ZALO_APP_ID")
_ZALO_FAKE_URL = "http://127.0.0.1:8766"
ZALO_API_BASE = env_str("ZALO_API_BASE", _ZALO_FAKE_URL if ZALO_DEMO else "https://openapi.zalo.me").rstrip("/")
ZALO_OAUTH_BASE = env_str("ZALO_OAUTH_BASE", _ZALO_FAKE_URL if ZALO_DEMO else "https://oauth.zaloapp.com").rstrip("/")
ZALO_APP_ID = env_str("ZALO_APP_ID", "fake-app-id" if ZALO_DEMO else "")
ZALO_APP_SECRET = env_str("ZALO_APP_SECRET", "fake-app-secret" if ZALO_DEMO else "")
ZALO_OA_SECRET = env_str("ZALO_OA_SECRET", "fake-oa-secret" if ZALO_DEMO else "")
#: The MQTT broker of the speaker clusters (docs/device-protocol-mqtt.md); empty: MQTT off.
MQTT_URL = env_str("MQTT_URL", "mqtt://127.0.0.1:1883")
