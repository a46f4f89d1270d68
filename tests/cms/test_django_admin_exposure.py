"""The Django admin is not routed in production (issue 8, item 20)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django
django.setup()
from django.urls import Resolver404, resolve
for path in ("/django-admin/", "/django-admin/login/", "/admin/"):
    try:
        match = resolve(path)
        print(path, match.app_name or match.url_name)
    except Resolver404:
        print(path, "not-found")
"""


def _routes(settings_module: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        SECRET_KEY="a-real-looking-secret-" + "x9Q2" * 12,
        ALLOWED_HOSTS="chiminh.example.vn",
        SITE_BASE_URL="https://chiminh.example.vn",
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return {line.split()[0]: line.split()[1] for line in out.stdout.splitlines()}


def test_production_does_not_route_the_django_admin():
    # Regression: /django-admin/ was mounted everywhere, a second login form and a way around
    # Wagtail's page permissions and workflows.
    routes = _routes("cms.settings.production")
    # Left to Wagtail's page tree, where no such page exists (404).
    assert routes["/django-admin/"] == "wagtail_serve"
    assert routes["/django-admin/login/"] == "wagtail_serve"
    assert routes["/admin/"] == "wagtailadmin_home"


def test_development_keeps_the_django_admin():
    assert _routes("cms.settings.dev")["/django-admin/"] == "admin"
