"""Settings for the benchmarks: production-like (DEBUG off), a throwaway SQLite file."""

import os
import tempfile

from cms.settings import env
from cms.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "bench-only"
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [*INSTALLED_APPS, "bench.bare"]  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
_db_dir = os.environ.setdefault("BENCH_DB_DIR", tempfile.mkdtemp(prefix="ttcs-bench-"))
# The embedded default's SQLite options (WAL, synchronous=NORMAL, BEGIN IMMEDIATE, busy timeout).
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(_db_dir, "bench.sqlite3"),
                         "OPTIONS": env.SQLITE_OPTIONS}}
MEDIA_ROOT = os.path.join(_db_dir, "media")
LOGGING = {"version": 1, "disable_existing_loggers": True}
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
