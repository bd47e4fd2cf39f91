"""``hotline db backup|restore``: a consistent copy of the database and its way back.

SQLite: SQLite's online backup API (a consistent snapshot while the server keeps writing; the
WAL is included), restored page by page into the live file through the same API.
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --single-transaction``
(a restore either completes or changes nothing). The password never appears on a command
line: it is handed to the tools in ``PGPASSWORD``.

A backup is checked before it is written over the database: its kind must match the
database's (an SQLite file for SQLite, a pg_dump archive for PostgreSQL) and an SQLite file
must hold this project's schema.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import subprocess
from contextlib import closing as _closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from handoff.db import normalise_url

log = logging.getLogger(__name__)
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    kind: str  # sqlite | postgresql
    size: int
    schema: str | None  # the alembic revision of the copy, when it can be read


def default_name(url: str, folder: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    suffix = "db" if _is_sqlite(make_url(normalise_url(url))) else "dump"
    return folder / f"hotline-{stamp}.{suffix}"


def backup(url: str, target: Path) -> BackupResult:
    parsed = make_url(normalise_url(url))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        if _is_sqlite(parsed):
            source = _sqlite_path(parsed)
            if not source.is_file():
                raise BackupError(f"no database at {source}")
            partial.unlink(missing_ok=True)
            with _closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
                with _closing(sqlite3.connect(partial)) as dst:
                    src.backup(dst)
                    problem = dst.execute("PRAGMA quick_check").fetchone()[0]
                    if problem != "ok":
                        raise BackupError(f"the copy of {source} failed its check: {problem}")
            kind = "sqlite"
        else:
            _pg_tool(
                "pg_dump", parsed, "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"
            )
            kind = "postgresql"
        partial.replace(target)  # a backup file is whole or absent
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, kind, target.stat().st_size, _schema_of(target) if kind == "sqlite" else None)


def restore(url: str, source: Path) -> BackupResult:
    parsed = make_url(normalise_url(url))
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    kind = _kind_of(source)
    wanted = "sqlite" if _is_sqlite(parsed) else "postgresql"
    if kind is None:
        raise BackupError(f"{source} is neither an SQLite database nor a pg_dump archive")
    if kind != wanted:
        raise BackupError(
            f"{source} is a {kind} backup but the database is {wanted}: restore it into a {kind} "
            "database (moving between the two is not a restore)"
        )
    if kind == "sqlite":
        schema = _schema_of(source)
        if schema is None:
            raise BackupError(
                f"{source} is an SQLite file without this project's schema (no alembic_version)"
            )
        target = _sqlite_path(parsed)
        target.parent.mkdir(parents=True, exist_ok=True)
        with _closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
            with _closing(sqlite3.connect(target, timeout=30)) as dst:
                src.backup(dst)
        return BackupResult(source, kind, source.stat().st_size, schema)
    _pg_tool(
        "pg_restore",
        parsed,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        str(source),
    )
    return BackupResult(source, kind, source.stat().st_size, None)


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_path(url: URL) -> Path:
    database = url.database or ""
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def _kind_of(path: Path) -> str | None:
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    return None


def _schema_of(path: Path) -> str | None:
    try:
        with _closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def _pg_tool(tool: str, url: URL, *args: str) -> None:
    binary = shutil.which(tool)
    if binary is None:
        raise BackupError(
            f"{tool} not found on PATH: install the PostgreSQL client tools (postgresql-client)"
        )
    from channels.settings import child_environment  # the one module that reads the environment

    env = child_environment(**({"PGPASSWORD": str(url.password)} if url.password is not None else {}))
    # libpq's own URI (no "+psycopg"), without the password.
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run(
        [binary, *args, f"--dbname={conninfo}"], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip()
        if url.password:
            message = message.replace(str(url.password), "***")
        raise BackupError(f"{tool} failed ({done.returncode}): {message}")
    for line in done.stderr.splitlines():
        log.info("%s: %s", tool, line)
