"""The deployment files (docs/deploy/) agree with the settings, cms/gunicorn.conf.py and ``make serve``.

They are copied onto servers as they are, so a renamed variable or a changed command must
fail here rather than on a commune's machine.
"""

import os
import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy"
UNITS = ["ttcs-web.service", "ttcs-worker.service", "ttcs-mqtt.service", "ttcs-backup.service"]


def env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "ttcs.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def commented_env_names() -> set[str]:
    text = (DEPLOY / "ttcs.env.example").read_text()
    return set(re.findall(r"^#([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def variables_read_by_the_code() -> set[str]:
    sources = [*(ROOT / "cms" / "settings").glob("*.py"), ROOT / "cms" / "gunicorn.conf.py"]
    names = {"DJANGO_SETTINGS_MODULE"}
    for path in sources:
        names |= set(re.findall(r"env_(?:str|bool|list)\(\s*\"([A-Z][A-Z0-9_]+)\"", path.read_text()))
    return names


def unit(name: str) -> dict[str, list[str]]:
    """A systemd unit's keys (a key may repeat, as systemd allows)."""
    keys: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def make_serve_recipe() -> str:
    text = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^serve:.*?\n((?:\t.*\n)+)", text, flags=re.MULTILINE)
    assert recipe, "Makefile has no serve target"
    return recipe.group(1)


def test_every_variable_of_the_env_template_is_read_by_the_settings_and_documented():
    read = variables_read_by_the_code()
    named = set(env_example()) | commented_env_names()
    assert named - read == set(), "the template names variables nothing reads"
    readme = (ROOT / "README.md").read_text()
    undocumented = {name for name in named if f"`{name}`" not in readme}
    assert undocumented == set(), "README's configuration table lacks these"
    # Every variable the web process's own configuration reads is documented too.
    gunicorn_names = set(re.findall(r"env_str\(\"([A-Z_]+)\"", (ROOT / "cms" / "gunicorn.conf.py").read_text()))
    assert {name for name in gunicorn_names if f"`{name}`" not in readme} == set()


def test_units_run_what_make_serve_runs():
    recipe = make_serve_recipe()
    assert "export DJANGO_SETTINGS_MODULE=cms.settings.production" in recipe
    assert env_example()["DJANGO_SETTINGS_MODULE"] == "cms.settings.production"
    web = shlex.split(unit("ttcs-web.service")["ExecStart"][0])
    assert Path(web[0]).name == "gunicorn"
    served = re.search(r"\$\(BIN\)/gunicorn ([^'\n]+)", recipe).group(1)
    assert web[1:] == shlex.split(served)
    for name, command in (("ttcs-worker.service", "qcluster"), ("ttcs-mqtt.service", "mqtt_bridge")):
        exec_start = shlex.split(unit(name)["ExecStart"][0])
        assert exec_start[1:] == ["manage.py", command]
        assert f"manage.py {command}" in recipe
    for name in UNITS:
        keys = unit(name)
        assert keys["EnvironmentFile"] == ["/etc/ttcs/ttcs.env"], name
        assert keys["WorkingDirectory"] == ["/srv/ttcs/app"], name
        assert keys["User"] == ["ttcs"], name
        assert Path(shlex.split(keys["ExecStart"][0])[0]).is_absolute(), name


def test_management_commands_the_units_call_exist(db):
    commands = get_commands()
    for name in ("qcluster", "mqtt_bridge", "backup", "restore", "mqtt_config", "collectstatic"):
        assert name in commands, name
    assert "manage.py backup --out /srv/ttcs/backups/" in (DEPLOY / "ttcs-backup.service").read_text()
    assert unit("ttcs-backup.timer")["Persistent"] == ["true"]


def test_timeouts_outlast_the_device_long_poll():
    from django.conf import settings

    config = runpy.run_path(str(ROOT / "cms" / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread"
    longest_wait = 60  # protocol v1 caps a long-poll's `wait` (device_bridge.protocol.views)
    assert config["timeout"] > longest_wait
    assert config["graceful_timeout"] > settings.DEVICE_BRIDGE["LONG_POLL_SECONDS"]
    stop = int(unit("ttcs-web.service")["TimeoutStopSec"][0])
    assert stop > config["graceful_timeout"]
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert int(re.search(r"proxy_read_timeout (\d+)s;", nginx).group(1)) > longest_wait
    # Caddy has no upstream read timeout unless one is configured.
    assert "read_timeout" not in (DEPLOY / "Caddyfile").read_text()


def test_proxies_serve_the_folders_and_port_of_the_env_template():
    env = env_example()
    host, port = env["GUNICORN_BIND"].rsplit(":", 1)
    for name in ("Caddyfile", "nginx.conf"):
        text = (DEPLOY / name).read_text()
        assert f"{host}:{port}" in text, name
        assert env["STATIC_ROOT"] in text and env["MEDIA_ROOT"] in text, name
        assert "/media/original_images/" in text and "/media/images/" in text, name
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "location /internal-media/ {\n        internal;" in nginx
    assert "X-Forwarded-Proto $scheme" in nginx and "$proxy_add_x_forwarded_for" in nginx
    assert env["TRUSTED_PROXY_COUNT"] == "1"
    mosquitto = (DEPLOY / "mosquitto-override.conf").read_text()
    assert "mosquitto -c /etc/mosquitto/ttcs/mosquitto.conf" in mosquitto
    assert "mqtt_config --out /etc/mosquitto/ttcs" in (ROOT / "docs" / "deploy.md").read_text()


def test_the_env_template_starts_production_once_its_placeholders_are_filled(tmp_path):
    # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests' modules set it for Playwright at import.
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(env_example())
    # The template as shipped is refused: its SECRET_KEY is a placeholder.
    refused = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "at least 32 characters" in refused.stderr
    # Filled in as docs/deploy.md says (the services of this test machine instead of the server's).
    env.update(SECRET_KEY="k" + "Zq7-w" * 12, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               MEDIA_ROOT=str(tmp_path / "media"), STATIC_ROOT=str(tmp_path / "static"),
               GUNICORN_ACCESS_LOG="-")
    env.pop("REDIS_URL")
    check = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    gunicorn = subprocess.run([sys.executable, "-m", "gunicorn", "--config", "cms/gunicorn.conf.py",
                               "--check-config"], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
    assert gunicorn.returncode == 0, gunicorn.stdout + gunicorn.stderr
