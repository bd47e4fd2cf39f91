"""Issue 13, defect 7: the console's live feed never skips an event committed late.

On PostgreSQL a transaction that inserted a lower event id can commit after one that
inserted a higher id. A reader following ids would have moved past it for good; the feed
follows a cursor numbered in commit order (``handoff.events``). The same feed on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from handoff.config import HandoffSettings
from handoff.db import Database
from handoff.models import CaseEvent, utcnow
from handoff.service import CaseService
from tests.pg import postgres_fixture

pg_server = postgres_fixture("module")


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'events.db'}"
    else:
        url = request.getfixturevalue("pg_server").fresh_url("events")
    database = Database(url)
    database.migrate()
    yield database
    database.dispose()


def _event(case_id: str) -> Any:
    return insert(CaseEvent).values(case_id=case_id, kind="created", data={}, created_at=utcnow())


def test_an_event_committed_after_a_higher_id_is_still_delivered(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite has one writer: ids commit in order (covered by the feed test below)")
    cases = CaseService(db, HandoffSettings())
    cursor = cases.last_event_id()
    late = db.engine.connect()
    slow = late.begin()
    late.execute(_event("late"))  # the lower id, not committed yet
    with db.engine.begin() as c:
        c.execute(_event("early"))  # the higher id, committed first
    seen = cases.events_since(cursor)
    assert [e["case_id"] for e in seen] == ["early"]
    cursor = seen[-1]["id"]
    slow.commit()
    late.close()
    seen = cases.events_since(cursor)
    assert [e["case_id"] for e in seen] == ["late"]
    assert cases.events_since(seen[-1]["id"]) == []


def test_the_feed_gives_every_event_once_in_commit_order(db: Database) -> None:
    cases = CaseService(db, HandoffSettings())
    cursor = cases.last_event_id()
    delivered: list[str] = []
    for batch in range(3):
        with db.engine.begin() as c:
            for i in range(4):
                c.execute(_event(f"c{batch}-{i}"))
        for event in cases.events_since(cursor):
            delivered.append(event["case_id"])
            cursor = event["id"]
    assert delivered == [f"c{b}-{i}" for b in range(3) for i in range(4)]
    assert cases.last_event_id() == cursor
