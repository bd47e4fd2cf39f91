"""Issue 9, items 8, 11 and 12 (console part): integer parameters out of range are a 4xx,
the queue's waiting count is the true total, and the JSON API is never cached or sniffed.

The real console app (TestClient) on SQLite and a real PostgreSQL server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pg import postgres_fixture

from bot.ports import HandoffPacket
from handoff.auth import StaffService
from handoff.config import HandoffSettings
from handoff.db import Database
from handoff.service import CaseService
from handoff.web import mount_console

pg_server = postgres_fixture(scope="module")
PASSWORD = "correct horse battery"
HUGE = "9223372036854775808"  # 2**63: past PostgreSQL's BIGINT and SQLite's INTEGER


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'hotline.db'}")
    else:
        database = Database(request.getfixturevalue("pg_server").fresh_url("console"))
    database.migrate()
    yield database
    database.dispose()


def _all_day() -> HandoffSettings:
    return HandoffSettings(
        hours={d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    )


@pytest.fixture
def console(db: Database) -> Iterator[tuple[TestClient, str, CaseService]]:
    settings = _all_day()
    app = FastAPI()
    cases = mount_console(app, db, settings, environment="test")
    app.state.staff = StaffService(
        db, settings, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    app.state.staff.create_staff("hoa", PASSWORD, "supervisor")
    with TestClient(app) as client:
        me = client.post("/console/api/login", json={"username": "hoa", "password": PASSWORD})
        assert me.status_code == 200
        yield client, me.json()["csrf_token"], cases


def _open(cases: CaseService, n: int, language: str = "vi") -> None:
    for i in range(n):
        cases.open_case(
            HandoffPacket(
                conversation_id=f"telegram:{language}{i}",
                channel="telegram",
                language=language,
                reason="talk_to_human",
                channel_user_id=f"{language}{i}",
                last_message="cho tôi gặp cán bộ",
            )
        )


@pytest.mark.parametrize(
    "path",
    [
        f"/console/api/cases?offset={HUGE}",
        "/console/api/cases?offset=-1",
        f"/console/api/cases?limit={HUGE}",
        f"/console/api/cases?callback={HUGE}",
        f"/console/api/cases?mine={HUGE}",
        f"/console/api/events?after={HUGE}",
        f"/console/api/stats?days={HUGE}",
        f"/console/api/gaps?limit={HUGE}",
        f"/console/api/audit?limit={HUGE}",
        f"/console/api/export/cases.csv?days={HUGE}",
    ],
)
def test_huge_integer_parameters_are_refused_not_crashed(console, path):
    client, _, _ = console
    response = client.get(path)
    assert response.status_code == 422, (path, response.status_code, response.text[:200])
    assert "detail" in response.json()


def test_huge_ids_in_bodies_and_headers(console):
    client, csrf, cases = console
    _open(cases, 1)
    case_id = client.get("/console/api/cases").json()["cases"][0]["id"]
    transfer = client.post(
        f"/console/api/cases/{case_id}/transfer", json={"staff_id": int(HUGE)}, headers={"X-CSRF-Token": csrf}
    )
    assert transfer.status_code == 422
    # A forged Last-Event-ID larger than any row id: the feed starts, it does not crash.
    with client.stream("GET", "/console/api/events", headers={"Last-Event-ID": "9" * 40}) as feed:
        assert feed.status_code == 200
        assert next(feed.iter_lines()).startswith("retry:")


def test_the_waiting_count_is_the_true_total(console):
    client, _, cases = console
    _open(cases, 7, language="vi")
    _open(cases, 3, language="en")
    page = client.get("/console/api/cases?limit=2").json()
    assert len(page["cases"]) == 2
    assert page["waiting"] == 10 and page["total"] == 10
    english = client.get("/console/api/cases?limit=1&language=en").json()
    assert english["waiting"] == 3 and english["total"] == 3
    done = client.get("/console/api/cases?status=resolved").json()
    assert done["cases"] == [] and done["total"] == 0 and done["waiting"] == 10


@pytest.mark.parametrize(
    "path", ["/console/api/me", "/console/api/cases", "/console/api/nope", "/console/api/stats?days=0"]
)
def test_api_answers_are_not_cached_or_sniffed(console, path):
    client, _, _ = console
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    anonymous = TestClient(client.app).get(path)  # 401 answers too
    assert anonymous.headers["Cache-Control"] == "no-store"


def test_login_answers_are_not_cached(console):
    client, _, _ = console
    response = TestClient(client.app).post("/console/api/login", json={"username": "hoa", "password": "x"})
    assert response.status_code == 401
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
