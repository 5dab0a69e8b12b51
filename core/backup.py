"""Backups of the database and the uploaded files, and their restore.

A backup is a folder:
- `database.dump` (PostgreSQL, pg_dump's custom format) or `database.sqlite3`
  (SQLite, a copy made with SQLite's online backup API);
- `media.tar.gz`, the uploaded files (MEDIA_ROOT);
- `manifest.json`: when, which engine, and the row count and checksum of every
  table *as the backup holds them*.

Consistency while the app runs: on PostgreSQL the checksums and pg_dump read one
exported snapshot (`pg_export_snapshot()` + `pg_dump --snapshot`), so the manifest
describes exactly what was dumped; on SQLite the backup API copies a consistent
database and the checksums are computed on the copy. Uploaded files are copied after
the database: a file is never changed in place, so the copy holds every file the
database copy refers to (plus, at most, a few newer ones).

Restoring goes only into an empty database, and checks the restored tables against
the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 (pg_dump and pg_restore run from argument lists, no shell)
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"


class BackupError(Exception):
    pass


def engine() -> str:
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {vendor}")
    return vendor


# --- checksums ------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def postgres_checksums(cursor) -> dict[str, dict]:
    """Row count and an order-independent checksum of every table in the public schema."""
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    result = {}
    for table in tables:
        # Table names come from the catalogue, quoted; no user input reaches this query.
        query = "SELECT count(*), coalesce(md5(string_agg(md5(t::text), ',' ORDER BY md5(t::text))), '') FROM %s AS t"
        cursor.execute(query % _quote(table))  # nosec B608
        count, digest = cursor.fetchone()
        result[table] = {"rows": count, "checksum": digest}
    return result


def sqlite_checksums(db: sqlite3.Connection) -> dict[str, dict]:
    tables = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    result = {}
    for table in tables:
        digests = sorted(
            hashlib.md5(repr(row).encode(), usedforsecurity=False).hexdigest()
            for row in db.execute(f"SELECT * FROM {_quote(table)}")  # nosec B608
        )
        checksum = hashlib.md5(",".join(digests).encode(), usedforsecurity=False).hexdigest() if digests else ""
        result[table] = {"rows": len(digests), "checksum": checksum}
    return result


def current_checksums() -> dict[str, dict]:
    """The checksums of the database the app is connected to now."""
    if engine() == "postgresql":
        with connection.cursor() as cursor:
            return postgres_checksums(cursor)
    connection.close()
    with sqlite3.connect(connection.settings_dict["NAME"]) as db:
        return sqlite_checksums(db)


# --- PostgreSQL -------------------------------------------------------------------------


def _pg_env_and_args() -> tuple[dict, list[str]]:
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def _pg_backup(folder: Path) -> dict[str, dict]:
    import psycopg

    db = connection.settings_dict
    env, args = _pg_env_and_args()
    conn = psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    try:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            subprocess.run(  # nosec B603 B607
                [
                    "pg_dump",
                    *args,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={folder / PG_DUMP}",
                    db["NAME"],
                ],
                env=env,
                check=True,
            )
            # Still inside the snapshot pg_dump read: the checksums describe the dump.
            checksums = postgres_checksums(cursor)
        conn.rollback()
    finally:
        conn.close()
    return checksums


def _pg_restore(folder: Path) -> None:
    db = connection.settings_dict
    env, args = _pg_env_and_args()
    subprocess.run(  # nosec B603 B607
        [
            "pg_restore",
            *args,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={db['NAME']}",
            str(folder / PG_DUMP),
        ],
        env=env,
        check=True,
    )


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_backup(folder: Path) -> dict[str, dict]:
    source = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    target = sqlite3.connect(folder / SQLITE_COPY)
    try:
        # One step (pages=-1): the copy is one consistent state of the database.
        source.backup(target)
        return sqlite_checksums(target)
    finally:
        target.close()
        source.close()


def _sqlite_restore(folder: Path) -> None:
    connection.close()
    source = sqlite3.connect(folder / SQLITE_COPY)
    target = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


# --- the commands' work -----------------------------------------------------------------------


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def backup(destination: Path) -> Path:
    """Make a backup folder under `destination` and return its path."""
    kind = engine()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(destination) / f"backup-{stamp}"
    partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=destination))
    try:
        checksums = _pg_backup(partial) if kind == "postgresql" else _sqlite_backup(partial)
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(partial / MEDIA_ARCHIVE, "w:gz") as archive:
            if media.exists():
                archive.add(media, arcname="media")
        manifest = {
            "format": 1,
            "engine": kind,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "tables": checksums,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        # Renamed when complete: a backup folder that exists is a whole backup.
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise BackupError(f"{folder} is not a backup (no {MANIFEST})")
    return json.loads(path.read_text())


def restore(folder: Path) -> dict:
    """Restore a backup into the (empty) database and MEDIA_ROOT; return the manifest."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    kind = engine()
    if manifest["engine"] != kind:
        raise BackupError(f"this backup is of a {manifest['engine']} database; the target is {kind}")
    if not database_is_empty():
        raise BackupError("the target database is not empty; restore only into a new, empty database")
    if kind == "postgresql":
        _pg_restore(folder)
    else:
        _sqlite_restore(folder)
    connection.close()
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA_ARCHIVE, "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name.startswith("media/")]
        for member in members:
            member.name = member.name[len("media/") :]
        # The "data" filter refuses absolute paths, links out of the folder and devices.
        archive.extractall(media_root, members=members, filter="data")
    return manifest


def differences(expected: dict[str, dict], actual: dict[str, dict]) -> list[str]:
    """Tables whose rows or checksum differ, in words; empty when all match."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, have = expected.get(table), actual.get(table)
        if want is None or have is None:
            problems.append(f"{table}: {'missing' if have is None else 'not in the backup'}")
        elif want != have:
            problems.append(
                f"{table}: {want['rows']} rows expected, {have['rows']} found; checksums {'match' if want['checksum'] == have['checksum'] else 'differ'}"
            )
    return problems
