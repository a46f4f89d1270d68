"""``bench/emergency.py``'s settings: the benches' own, on PostgreSQL when it is given one."""

import os

import dj_database_url

from bench.settings import *  # noqa: F403

if os.environ.get("BENCH_DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["BENCH_DATABASE_URL"], conn_max_age=0)}
