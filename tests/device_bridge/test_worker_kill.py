"""SIGKILL the django-q2 worker mid-dispatch, restart it: every delivery ends done exactly once."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
from wagtail.models import Page
from content_types.models import BulletinPage
from device_bridge.services import bulletin_dispatch
from tests.factories import build_site
site = build_site()
page = BulletinPage(title="Tin kiểm thử", slug="tin-kiem-thu", category=site.categories["an-sinh-xa-hoi"], live=True)
site.news.add_child(instance=page)
print(len(bulletin_dispatch(page=page)))
"""
SWEEP = "from device_bridge.services import delivery_sweep; print(delivery_sweep())"


def manage(env, *args, timeout=240):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=timeout)


def start_worker(env, log):
    return subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def log_entries(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def delivery_statuses(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "select idempotency_key, status from device_bridge_delivery order by id"
        ).fetchall()


def wait_for(predicate, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


@pytest.fixture
def dev_worker_env(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.device_bridge.kill_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "FAKE_CHANNEL_LOG": str(tmp_path / "channel.log"),
        "PYTHONPATH": str(ROOT),
        "REDIS_URL": "",
    }
    manage(env, "migrate", "--noinput")
    return env


def test_killed_worker_loses_nothing_and_duplicates_nothing(dev_worker_env, tmp_path):
    env = dev_worker_env
    db, channel_log = tmp_path / "db.sqlite3", tmp_path / "channel.log"
    manage(env, "shell", "-c", SETUP)
    keys = [key for key, _ in delivery_statuses(db)]
    assert len(keys) == 6

    with (tmp_path / "worker1.log").open("w") as out:
        worker = start_worker(env, out)
        try:
            # Mid-dispatch: the channel was called for a key whose effect is not yet applied.
            def mid_dispatch():
                entries = log_entries(channel_log)
                applied = {e["key"] for e in entries if e["action"] == "applied"}
                return any(e["action"] == "deliver" and e["key"] not in applied for e in entries)

            assert wait_for(mid_dispatch, 90), (tmp_path / "worker1.log").read_text()
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
    statuses = dict(delivery_statuses(db))
    assert "in_flight" in statuses.values()
    assert "pending" in statuses.values()

    time.sleep(3.5)  # past STUCK_AFTER_SECONDS of the test settings
    with (tmp_path / "worker2.log").open("w") as out:
        worker = start_worker(env, out)
        try:
            manage(env, "shell", "-c", SWEEP)
            all_done = wait_for(
                lambda: {s for _, s in delivery_statuses(db)} == {"done"}, 120, interval=0.5
            )
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
    assert all_done, (delivery_statuses(db), (tmp_path / "worker2.log").read_text()[-3000:])

    entries = log_entries(channel_log)
    applied = [e["key"] for e in entries if e["action"] == "applied"]
    assert sorted(applied) == sorted(keys)  # every delivery's effect exactly once
    attempts = {key: sum(1 for e in entries if e["action"] == "deliver" and e["key"] == key)
                for key in keys}
    assert max(attempts.values()) >= 2  # the interrupted one really was re-run
