"""Settings of ``bench/longpoll_wake.py``: the bench settings, with the database and the
long-poll wake medium taken from the environment (``DATABASE_URL``, ``BENCH_WAKE``)."""

import os

from bench.settings import *  # noqa: F403
from cms.settings import env

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": env.database_config()}
DEVICE_BRIDGE = {**DEVICE_BRIDGE, "LONG_POLL_WAKE": os.environ.get("BENCH_WAKE", "auto")}  # noqa: F405
