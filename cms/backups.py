"""Backups of the database and media, and their restore (``manage.py backup`` / ``restore``).

A backup is one folder:

- ``database.pgdump`` (PostgreSQL: ``pg_dump`` custom format) or ``database.sqlite3`` (SQLite:
  the online backup API, consistent while the site runs);
- ``media.tar``: ``MEDIA_ROOT`` (images, documents, rendered audio, jingles);
- ``manifest.json``, written last: SHA-256 and size of both files, the database engine, and
  the applied migrations. A folder without a manifest is an unfinished backup.

Restore checks every checksum first, refuses a backup made by newer code (migrations this code
does not know) or from the other engine, and refuses to overwrite a database or media folder
that holds anything unless ``force`` is given. Operating guide: docs/operations.md, "Backups".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_FILE = "media.tar"
DATABASE_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """A backup or restore that must not go ahead; the message says why, for the operator."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _vendor() -> str:
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(f"Không hỗ trợ sao lưu cơ sở dữ liệu loại {connection.vendor}.")
    return connection.vendor


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


# --- PostgreSQL client tools -------------------------------------------------------------------

def _pg_env() -> dict:
    """libpq's variables: the password never appears in a process list."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGHOST": db.get("HOST") or "127.0.0.1",
           "PGPORT": str(db.get("PORT") or 5432), "PGUSER": db.get("USER") or ""}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore`` at least as new as the server (an older one refuses to dump).

    Debian installs each major version under /usr/lib/postgresql/<major>/bin; ``PATH``'s copy
    is used when it is new enough.
    """
    server = _server_major()
    candidates = [shutil.which(name)] + sorted(
        (str(path) for path in Path("/usr/lib/postgresql").glob(f"*/bin/{name}")), reverse=True)
    for candidate in filter(None, candidates):
        out = subprocess.run([candidate, "--version"], capture_output=True, text=True).stdout
        found = re.search(r"(\d+)(?:\.\d+)?", out)
        if found and int(found.group(1)) >= server:
            return candidate
    raise BackupError(f"Cần {name} phiên bản {server} trở lên (máy chủ PostgreSQL {server}); "
                      f"cài gói postgresql-client-{server}.")


def _run(command: list[str]) -> None:
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"{Path(command[0]).name} thất bại: {result.stderr.strip()[-2000:]}")


# --- Backup -------------------------------------------------------------------------------------

def backup_create(*, out: Path) -> dict:
    """Write a backup folder ``out`` (new or empty); return its manifest."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"Thư mục {out} đã có dữ liệu; hãy chọn một thư mục mới cho bản sao lưu.")
    out.mkdir(parents=True, exist_ok=True)
    vendor = _vendor()
    database_file = out / DATABASE_FILES[vendor]
    database_info = {"vendor": vendor, "file": database_file.name}
    if vendor == "postgresql":
        database_info["server_major"] = _server_major()
        _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--file={database_file}"])
    else:
        connection.ensure_connection()
        target = sqlite3.connect(database_file)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    media_root = Path(settings.MEDIA_ROOT)
    media_count = 0
    with tarfile.open(out / MEDIA_FILE, "w") as archive:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
                    media_count += 1
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": database_info,
        "media_files": media_count,
        "migrations": applied_migrations(),
        "files": {path.name: {"sha256": sha256_of(path), "size": path.stat().st_size}
                  for path in (database_file, out / MEDIA_FILE)},
    }
    partial = out / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    partial.rename(out / MANIFEST)
    return manifest


# --- Restore ------------------------------------------------------------------------------------

def backup_verify(*, folder: Path) -> dict:
    """The folder's manifest, once every file matches its checksum."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError as err:
        raise BackupError(f"{folder} không có {MANIFEST}: bản sao lưu chưa hoàn tất hoặc sai thư mục.") from err
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Định dạng sao lưu {manifest.get('format')} không được hỗ trợ.")
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"Thiếu tệp {name} trong bản sao lưu.")
        if path.stat().st_size != expected["size"] or sha256_of(path) != expected["sha256"]:
            raise BackupError(f"Tệp {name} sai mã kiểm tra (SHA-256): bản sao lưu bị hỏng, không khôi phục.")
    return manifest


def _unknown_migrations(manifest: dict) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, names in manifest["migrations"].items() for name in names
            if (app, name) not in known]


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def media_is_empty() -> bool:
    root = Path(settings.MEDIA_ROOT)
    return not root.is_dir() or not any(root.iterdir())


def _drop_all_tables() -> None:
    """PostgreSQL ``--force``: tables of later migrations would otherwise survive the restore."""
    tables = connection.introspection.table_names()
    if tables:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE " + ", ".join(connection.ops.quote_name(t) for t in tables)
                           + " CASCADE")


def backup_restore(*, folder: Path, force: bool = False) -> dict:
    """Restore database and media from ``folder``; return the manifest and what is left to do."""
    folder = Path(folder)
    manifest = backup_verify(folder=folder)
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(f"Bản sao lưu là của {manifest['database']['vendor']}, cơ sở dữ liệu đang "
                          f"cấu hình là {vendor}.")
    unknown = _unknown_migrations(manifest)
    if unknown:
        raise BackupError("Bản sao lưu được tạo bởi phiên bản mã mới hơn (các migration chưa có: "
                          f"{', '.join(unknown[:5])}); hãy cập nhật mã trước khi khôi phục.")
    if not force and not database_is_empty():
        raise BackupError("Cơ sở dữ liệu đích đã có dữ liệu; dùng --force để ghi đè toàn bộ.")
    if not force and not media_is_empty():
        raise BackupError(f"Thư mục media {settings.MEDIA_ROOT} đã có tệp; dùng --force để ghi đè toàn bộ.")
    database_file = folder / manifest["database"]["file"]
    if vendor == "postgresql":
        restore = pg_tool("pg_restore")
        _drop_all_tables()
        connection.close()
        _run([restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={settings.DATABASES['default']['NAME']}", str(database_file)])
    else:
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise BackupError("Không khôi phục SQLite bên trong một giao dịch.")
        source = sqlite3.connect(database_file)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir():
        for child in media_root.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA_FILE) as archive:
        archive.extractall(media_root, filter="data")
    backup_applied = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    pending = [key for key in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
               if key not in backup_applied]
    return {"manifest": manifest, "migrations_pending": len(pending)}
