"""Issue 13, defect 1: replicas started together on an empty database all come up.

Real separate processes, each calling ``Database.migrate()`` at the same wall-clock instant
on one empty PostgreSQL database (and one SQLite file): every one succeeds, the schema is
at the head revision once. Without the migration lock, several of them exit on a
duplicate key in ``alembic_version`` (or on a table that already exists).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from pg import postgres_fixture
from sqlalchemy import create_engine, text

from handoff.db import MIGRATIONS, normalise_url

pg_server = postgres_fixture(scope="module")
ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 6

SCRIPT = """
import sys, time
from handoff.db import Database
db = Database(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
db.migrate()
print("migrated")
"""


def _migrate_together(url: str) -> list[subprocess.CompletedProcess[str]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # Far enough ahead that every interpreter has imported SQLAlchemy and Alembic.
    start_at = time.time() + 6.0
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, url, str(start_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for _ in range(PROCESSES)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def _check(url: str, results: list[subprocess.CompletedProcess[str]]) -> None:
    failed = [r.stderr.strip().splitlines()[-1:] for r in results if r.returncode != 0]
    assert not failed, f"{len(failed)} of {PROCESSES} replicas failed to migrate: {failed}"
    engine = create_engine(normalise_url(url))
    with engine.connect() as c:
        versions = c.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    assert versions == [ScriptDirectory(str(MIGRATIONS)).get_current_head()]


def test_replicas_migrating_an_empty_postgresql_database_at_once_all_succeed(pg_server: Any) -> None:
    url = pg_server.fresh_url("migrate")
    _check(url, _migrate_together(url))


def test_replicas_migrating_an_empty_sqlite_file_at_once_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    _check(url, _migrate_together(url))


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_replica_waits_for_the_migration_in_progress(pg_server: Any, backend: str) -> None:
    """The waiting replica finds the schema current and changes nothing."""
    url = pg_server.fresh_url("migrate")
    first = _migrate_together(url)
    _check(url, first)
    again = _migrate_together(url)
    _check(url, again)
