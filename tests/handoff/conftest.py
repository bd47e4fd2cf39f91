"""Fixtures of the handoff tests: the same suite on SQLite and on a real PostgreSQL server.

``db`` is parametrised over both; each test gets a fresh schema made by
``Database.migrate()``. Time is a ``Clock`` the test moves; the console app is the real
FastAPI app with the console mounted, driven through TestClient.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from handoff_helpers import FAST_HASHER, PASSWORD, Clock, Console, build_app
from pg import postgres_fixture
from sqlalchemy import text

from handoff.auth import StaffService
from handoff.config import HandoffSettings
from handoff.db import Database
from handoff.models import Staff
from handoff.service import CaseService

pg_server = postgres_fixture()


@pytest.fixture(scope="session")
def pg_database(pg_server: Any) -> str:
    """One database for the session; each test drops and re-creates its schema."""
    return str(pg_server.fresh_url("handoff"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'hotline.db'}")
        database.migrate()
        yield database
        database.dispose()
        return
    database = Database(request.getfixturevalue("pg_database"))
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings() -> HandoffSettings:
    return HandoffSettings(reopen_window_minutes=60, average_handle_minutes=5)


@pytest.fixture
def cases(db: Database, settings: HandoffSettings, clock: Clock) -> CaseService:
    return CaseService(db, settings, clock=clock)


@pytest.fixture
def accounts(db: Database, settings: HandoffSettings, clock: Clock) -> StaffService:
    return StaffService(db, settings, clock=clock, hasher=FAST_HASHER)


@dataclass
class People:
    agent: Staff
    agent2: Staff
    supervisor: Staff
    admin: Staff
    extra: dict[str, Staff] = field(default_factory=dict)


@pytest.fixture
def people(accounts: StaffService) -> People:
    return People(
        agent=accounts.create_staff("lan", PASSWORD, "agent", display_name="Nguyễn Thị Lan", teams=["48"]),
        agent2=accounts.create_staff("minh", PASSWORD, "agent", display_name="Trần Văn Minh"),
        supervisor=accounts.create_staff("hoa", PASSWORD, "supervisor"),
        admin=accounts.create_staff("admin", PASSWORD, "admin"),
    )


@pytest.fixture
def app(db: Database, settings: HandoffSettings, clock: Clock) -> FastAPI:
    return build_app(db, settings, clock)


@pytest.fixture
def login(app: FastAPI) -> Iterator[Any]:
    clients: list[TestClient] = []

    def _login(username: str, password: str = PASSWORD) -> Console:
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        response = client.post("/console/api/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return Console(client, response.json()["csrf_token"])

    yield _login
    for client in clients:
        client.__exit__(None, None, None)
