"""Settings of the heartbeat-storm subprocesses: the embedded default (SQLite file from
``DATABASE_URL``, ORM broker), DEBUG off, every heartbeat written."""

from cms.settings.dev import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
TTS_ENGINE = "fake"
# Every heartbeat is a write (no coalescing): the worst case of the fleet's write load.
DEVICE_BRIDGE = {**DEVICE_BRIDGE, "HEARTBEAT_WRITE_SECONDS": 0}  # noqa: F405
Q_CLUSTER = {**Q_CLUSTER, "orm": "default", "sync": False}  # noqa: F405
Q_CLUSTER.pop("redis", None)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "root": {"handlers": [], "level": "CRITICAL"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
