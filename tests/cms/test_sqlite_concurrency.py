"""SQLite as the embedded default must serve editors while the speaker fleet heartbeats."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from cms.settings import env

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_default_is_configured_for_a_concurrent_server(monkeypatch, tmp_path,
                                                              django_db_blocker):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    config = env.database_config()
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] >= 10
    wrapper = DatabaseWrapper({**config, "TIME_ZONE": None, "AUTOCOMMIT": True,
                               "CONN_HEALTH_CHECKS": False}, alias="probe")
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    finally:
        wrapper.close()


def test_other_databases_get_no_sqlite_options(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/ttcs")
    assert "transaction_mode" not in env.database_config().get("OPTIONS", {})


@pytest.fixture
def storm_db(tmp_path, transactional_db, django_db_blocker):
    """A migrated SQLite file: a copy of the test database when it is SQLite, else migrated.

    ``transactional_db`` (with the suite's serialized rollback) guarantees the copy holds what
    the data migrations made: pytest-django runs database-less tests last, after the final
    transactional test has flushed the database.
    """
    path = tmp_path / "storm.sqlite3"
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()
            return path
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, check=True,
                   capture_output=True, env=_storm_env(path), timeout=240)
    return path


def _storm_env(path: Path) -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.cms.storm_settings",
            "DATABASE_URL": f"sqlite:///{path}", "MEDIA_ROOT": str(path.parent / "media"),
            "REDIS_URL": "", "PYTHONPATH": str(ROOT)}


def test_editor_saves_and_approvals_succeed_during_a_heartbeat_storm(storm_db):
    # Regression (issue 8, item 5): with 100 clusters heartbeating, editors' saves and
    # approvals failed with "database is locked" (HTTP 500) on the SQLite default.
    out = subprocess.run(
        [sys.executable, "tests/cms/sqlite_storm.py", "--clusters", "100", "--editors", "3",
         "--pages", "2", "--poll", "1"],
        cwd=ROOT, env=_storm_env(storm_db), capture_output=True, text=True, timeout=180,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    actions = [action for action, _status in result["editorial"]]
    assert sorted(actions) == sorted(["save", "submit", "approve"] * 6), result
    assert result["editorial_errors"] == [], result["editorial_errors"]
    assert all(status in (200, 302) for _action, status in result["editorial"])
    fleet = result["fleet"]
    assert fleet["heartbeats"] >= 300, fleet  # it really was a storm
    assert set(fleet["statuses"]) <= {"200", "304"}, fleet
