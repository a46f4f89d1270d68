"""The environment switches the database and the task broker, nothing else needs editing."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "q": {k: settings.Q_CLUSTER.get(k) for k in ("orm", "redis", "retry", "timeout", "catch_up")},
    "cache": settings.CACHES["default"]["BACKEND"],
    "lang": settings.LANGUAGE_CODE, "tz": settings.TIME_ZONE,
}))
"""


def _settings_with(env: dict) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="cms.settings.dev")
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_defaults_are_sqlite_and_the_orm_broker():
    cfg = _settings_with({})
    assert cfg["engine"] == "django.db.backends.sqlite3"
    assert cfg["name"].endswith("var/db.sqlite3")
    assert cfg["q"]["orm"] == "default" and cfg["q"]["redis"] is None
    assert cfg["cache"].endswith("LocMemCache")
    assert (cfg["lang"], cfg["tz"]) == ("vi", "Asia/Ho_Chi_Minh")


def test_database_url_and_redis_url_switch_to_postgres_and_redis():
    cfg = _settings_with(
        {"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/ttcs", "REDIS_URL": "redis://127.0.0.1:6379/3"}
    )
    assert cfg["engine"] == "django.db.backends.postgresql"
    assert cfg["name"] == "ttcs"
    assert cfg["q"]["redis"] == "redis://127.0.0.1:6379/3" and cfg["q"]["orm"] is None
    assert cfg["cache"].endswith("RedisCache")


def test_task_queue_never_runs_a_slow_task_twice_nor_catches_up():
    cfg = _settings_with({})
    assert cfg["q"]["retry"] > cfg["q"]["timeout"]
    assert cfg["q"]["catch_up"] is False


def test_production_settings_pass_the_deploy_check():
    env = {
        k: v for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY="a-real-looking-secret-" + "x9Q2" * 12,
        ALLOWED_HOSTS="chiminh.example.vn",
        SITE_BASE_URL="https://chiminh.example.vn",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY"}}
    env.update(DJANGO_SETTINGS_MODULE="cms.settings.production", SECRET_KEY="")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
