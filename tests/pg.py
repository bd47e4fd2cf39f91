"""A throwaway PostgreSQL server for tests (the real server binaries, no Docker).

``postgres_fixture()`` makes a session-scoped fixture that starts ``postgres`` on a free
loopback port in a temporary folder and yields a server handle; ``PgServer.fresh_url()``
creates an empty database on it. Skipped, with the reason, when initdb / pg_ctl / postgres
are not on PATH. initdb refuses to run as root, so as root the cluster belongs to the
``postgres`` user.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

BINARIES = ("initdb", "pg_ctl", "postgres")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    def __init__(self, folder: Path, port: int, as_user: list[str]) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = port
        self.as_user = as_user
        self._names = itertools.count(1)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.as_user, *args], capture_output=True, text=True, timeout=120, check=False, cwd=self.folder
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)

    def fresh_url(self, prefix: str = "t", *, template: str | None = None) -> str:
        """A new database on the server: empty, or a copy of ``template``."""
        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        copy = f' TEMPLATE "{template}"' if template else ""
        self.admin(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_fixture(scope: str = "session") -> Callable[..., Iterator[PgServer]]:
    """A pytest fixture (assign it to a name in a conftest) yielding a running ``PgServer``."""

    @pytest.fixture(scope=scope)  # type: ignore[call-overload, misc]
    def _postgres() -> Iterator[PgServer]:
        missing = [b for b in BINARIES if shutil.which(b) is None]
        if missing:
            pytest.skip(f"PostgreSQL binaries not on PATH: {', '.join(missing)}")
        as_user: list[str] = []
        folder = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                pytest.skip("running as root without runuser: cannot start PostgreSQL as another user")
            as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(folder, user="postgres")
        server = PgServer(folder, _free_port(), as_user)
        init = server.run("initdb", "-D", str(server.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        if init.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            pytest.fail(f"initdb failed: {init.stderr or init.stdout}")
        options = (
            f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        start = server.run(
            "pg_ctl", "-D", str(server.data), "-o", options, "-l", str(folder / "log"), "-w", "start"
        )
        if start.returncode != 0:
            log = (folder / "log").read_text(errors="replace") if (folder / "log").exists() else ""
            shutil.rmtree(folder, ignore_errors=True)
            pytest.fail(f"pg_ctl start failed: {start.stderr or start.stdout}\n{log}")
        try:
            yield server
        finally:
            server.run("pg_ctl", "-D", str(server.data), "-m", "immediate", "-w", "stop")
            shutil.rmtree(folder, ignore_errors=True)

    return _postgres
