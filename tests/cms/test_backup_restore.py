"""``manage.py backup`` → wipe → ``manage.py restore`` gives back every row and every media file.

The commands run as an operator runs them (subprocesses on a real database file or server);
"wipe" is a new machine: the database and the media folder are gone.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from cms.backups import BackupError, backup_create, backup_restore, backup_verify, sha256_of
from content_types.snippets import Zone

ROOT = Path(__file__).resolve().parents[2]


def command_env(database_url: str, media: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="cms.settings.dev", DATABASE_URL=database_url,
               MEDIA_ROOT=str(media))
    return env


def manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    if check and result.returncode:
        raise AssertionError(result.stdout + result.stderr)
    return result


def media_tree(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def make_media(root: Path) -> None:
    (root / "tts").mkdir(parents=True)
    (root / "tts" / "bản-tin.mp3").write_bytes(os.urandom(50_000))
    (root / "original_images").mkdir()
    (root / "original_images" / "anh.jpg").write_bytes(os.urandom(20_000))
    (root / "documents").mkdir()
    (root / "documents" / "ke-hoach.pdf").write_bytes(b"%PDF-1.4 " + os.urandom(5_000))


def sqlite_rows(path: Path) -> dict[str, list]:
    with sqlite3.connect(path) as db:
        tables = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {table: sorted(map(repr, db.execute(f'SELECT * FROM "{table}"'))) for table in tables}


def pg_counts(dbname: str) -> dict[str, int]:
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname=dbname, autocommit=True) as db:
        tables = [row[0] for row in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


@pytest.fixture
def content(transactional_db):
    """Rows of our own beside what the migrations made (committed: other processes see them)."""
    for n in range(3):
        Zone.objects.create(code=f"thon-sao-luu-{n}", name=f"Thôn sao lưu {n}")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite pass")
def test_sqlite_backup_wipe_restore_gives_back_every_row_and_media_file(content, tmp_path,
                                                                        django_db_blocker):
    database, media, backup = tmp_path / "db.sqlite3", tmp_path / "media", tmp_path / "backup"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        target = sqlite3.connect(database)
        connection.connection.backup(target)  # the test database as a real file
        target.close()
    make_media(media)
    env = command_env(f"sqlite:///{database}", media)
    rows, files = sqlite_rows(database), media_tree(media)
    assert len(rows["content_types_zone"]) >= 3 and len(files) == 3

    manage(env, "backup", "--out", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["media_files"] == 3
    assert "0001_initial" in manifest["migrations"]["content_types"]
    assert set(manifest["files"]) == {"database.sqlite3", "media.tar"}

    # Restoring over a live database needs --force (here: the test database, which has tables;
    # refused before anything is touched).
    with django_db_blocker.unblock(), pytest.raises(BackupError, match="--force"):
        backup_restore(folder=backup)

    database.unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    for path in sorted(media.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()

    manage(env, "restore", str(backup))
    assert sqlite_rows(database) == rows
    assert media_tree(media) == files

    # --force replaces what is there, rows written after the backup included.
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM content_types_zone WHERE code = 'thon-sao-luu-0'")
    (media / "tts" / "sau-sao-luu.mp3").write_bytes(b"later")
    manage(env, "restore", str(backup), "--force")
    assert sqlite_rows(database) == rows
    assert media_tree(media) == files


def test_backup_and_restore_refuse_what_would_lose_or_corrupt_data(tmp_path):
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "database.sqlite3").write_bytes(b"not yet a database")
    (backup / "media.tar").write_bytes(b"not yet an archive")
    # A backup never lands on top of another one (checked before the database is read).
    with pytest.raises(BackupError, match="đã có dữ liệu"):
        backup_create(out=backup)
    # Without its manifest (written last) a folder is an unfinished backup.
    with pytest.raises(BackupError, match="chưa hoàn tất"):
        backup_verify(folder=backup)

    files = {name: {"sha256": sha256_of(backup / name), "size": (backup / name).stat().st_size}
             for name in ("database.sqlite3", "media.tar")}
    manifest = {"format": 1, "database": {"vendor": "sqlite", "file": "database.sqlite3"},
                "migrations": {}, "media_files": 0, "files": files}
    (backup / "manifest.json").write_text(json.dumps(manifest))
    assert backup_verify(folder=backup)["files"] == files

    (backup / "media.tar").write_bytes(b"not yet an archivE")  # same size, one byte changed
    with pytest.raises(BackupError, match="media.tar sai mã kiểm tra"):
        backup_verify(folder=backup)
    (backup / "database.sqlite3").unlink()
    with pytest.raises(BackupError, match="Thiếu tệp database.sqlite3"):
        backup_verify(folder=backup)


@pytest.mark.postgres
def test_postgres_backup_restore_onto_a_new_database_gives_back_every_row(content, tmp_path):
    source = connection.settings_dict["NAME"]
    url = "postgresql://{USER}@{HOST}:{PORT}/{db}"
    parts = {"USER": connection.settings_dict["USER"] or "postgres",
             "HOST": connection.settings_dict["HOST"] or "127.0.0.1",
             "PORT": connection.settings_dict["PORT"] or 5432}
    media, backup = tmp_path / "media", tmp_path / "backup"
    make_media(media)
    counts, files = pg_counts(source), media_tree(media)
    assert counts["content_types_zone"] >= 3

    manage(command_env(url.format(db=source, **parts), media), "backup", "--out", str(backup))
    assert (backup / "database.pgdump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    target = f"ttcs_restore_{uuid.uuid4().hex[:8]}"
    restored_media = tmp_path / "restored-media"
    with psycopg.connect(host=parts["HOST"], user=parts["USER"], dbname="postgres", autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{target}"')
    try:
        env = command_env(url.format(db=target, **parts), restored_media)
        manage(env, "restore", str(backup))
        assert pg_counts(target) == counts
        assert media_tree(restored_media) == files

        refused = manage(env, "restore", str(backup), check=False)
        assert refused.returncode and "--force" in refused.stderr
        with psycopg.connect(host=parts["HOST"], user=parts["USER"], dbname=target, autocommit=True) as db:
            db.execute("DELETE FROM content_types_zone")
            db.execute("CREATE TABLE left_by_newer_code (id int)")
        manage(env, "restore", str(backup), "--force")
        assert pg_counts(target) == counts
    finally:
        with psycopg.connect(host=parts["HOST"], user=parts["USER"], dbname="postgres", autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
