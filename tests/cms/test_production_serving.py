"""``make serve``'s web process: gunicorn with cms/gunicorn.conf.py and the production settings.

One test starts the real server on a free port and fetches what a visitor, the headless API
and a speaker cluster fetch first. The database is a copy of the test database (no migration
run: the test stays within seconds), static files are collected into a temporary folder.
"""

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.db import connection

from bench.server import free_port, wait_for_server

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-production-serving-" + "k3Rz" * 10


def production_env(database_url: str, tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        SITE_BASE_URL="https://127.0.0.1",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="4",
        TTS_ENGINE="fake",
        **extra,
    )
    return env


@pytest.fixture
def served_database(tmp_path, transactional_db, django_db_blocker) -> str:
    """A database URL holding what the migrations made, without migrating again."""
    settings_dict = connection.settings_dict
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            path = tmp_path / "db.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()
            return f"sqlite:///{path}"
    # PostgreSQL pass: the test database itself (transactional_db: what it holds is committed).
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    return (f"postgresql://{settings_dict['USER']}{password}@{settings_dict['HOST'] or '127.0.0.1'}:"
            f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}")


def test_gunicorn_serves_the_site_the_api_static_files_and_the_device_protocol(
    served_database, tmp_path
):
    port = free_port()
    env = production_env(served_database, tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "cms/gunicorn.conf.py"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    # As the reverse proxy on this machine sends it (gunicorn and Django believe 127.0.0.1).
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    try:
        wait_for_server(url, path="/api/devices/v1/openapi.json", timeout=30, interval=0.2)
        with httpx.Client(base_url=url, headers=proxied, timeout=10) as client:
            home = client.get("/")
            assert home.status_code == 200, home.text[:500]
            assert "text/html" in home.headers["content-type"]
            assert home.headers["strict-transport-security"].startswith("max-age=31536000")

            login = client.get("/admin/login/")
            assert login.status_code == 200
            stylesheet = re.search(r'href="(/static/[^"]+\.css)"', login.text)
            assert stylesheet, "the admin's login page links no stylesheet"
            static = client.get(stylesheet.group(1))
            assert static.status_code == 200
            assert "text/css" in static.headers["content-type"]
            # Manifest storage: hashed names, cached for ever by browsers and the proxy.
            assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet.group(1))
            assert "immutable" in static.headers.get("cache-control", "")

            api = client.get("/api/v2/pages/")
            assert api.status_code == 200
            assert "items" in api.json()

            openapi = client.get("/api/devices/v1/openapi.json")
            assert openapi.status_code == 200
            assert openapi.json()["openapi"].startswith("3.")

            schedule = client.get("/api/devices/v1/schedule")
            assert schedule.status_code == 401  # no token: the protocol's own error body
            assert schedule.json()["error"]["code"] == "unauthorized"

        # Plain HTTP straight to the app is sent to HTTPS (SECURE_SSL_REDIRECT).
        direct = httpx.get(f"{url}/", timeout=10)
        assert direct.status_code == 301
        assert direct.headers["location"].startswith("https://")
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    output = (tmp_path / "gunicorn.log").read_text()
    assert "Booting worker" in output
    assert "Traceback" not in output, output[-3000:]
    # Access log: the proxy's client address and the duration in microseconds, last.
    line = next(line for line in output.splitlines() if '"GET /api/v2/pages/ HTTP/1.1" 200' in line)
    assert " 203.0.113.7 " in line
    assert re.search(r" \d+$", line)


def test_production_refuses_to_start_without_its_secrets(tmp_path):
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path)
    env.update(SECRET_KEY="", ALLOWED_HOSTS="")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production; ALLOWED_HOSTS must be set in production" in result.stderr
    assert "docs/deploy.md" in result.stderr
    assert time.monotonic() - started < 30

    env.update(SECRET_KEY="too-short", ALLOWED_HOSTS="127.0.0.1")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr
