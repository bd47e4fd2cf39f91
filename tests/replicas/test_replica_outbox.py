"""Issue 13, defects 4 and 6 (fair scheduling): the outbox shared by several replicas.

- A row a killed replica left ``sending`` is reclaimed by a replica that is running, once
  its lease expires (not only by a process that starts afterwards).
- While a provider hangs on one conversation's messages, a new reply to another
  conversation is delivered meanwhile, not after them.
On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from channels.outbox import Outbox, OutboxWorker, SendError
from handoff.db import Database
from handoff.models import Conversation, OutboxMessage, utcnow
from tests.pg import postgres_fixture

pg_server = postgres_fixture("module")


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'outbox.db'}"
    else:
        url = request.getfixturevalue("pg_server").fresh_url("outbox")
    database = Database(url)
    database.migrate()
    with database.session() as session:
        for name in ("a", "b"):
            session.add(Conversation(id=name, channel="fake", channel_user_id=name, language="vi", state={}))
    yield database
    database.dispose()


def status_of(db: Database, row_id: int) -> str:
    with db.session() as session:
        return str(session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == row_id)))


class Sender:
    def __init__(self) -> None:
        self.delivered: list[str] = []

    async def send(self, recipient: str, payload: dict[str, Any]) -> None:
        self.delivered.append(str(payload["text"]))


def test_a_running_replica_reclaims_a_send_left_in_flight_by_a_killed_one(db: Database) -> None:
    sender = Sender()
    worker = OutboxWorker(db, {"fake": sender}, poll_interval=0.05)

    async def scenario() -> str:
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run(stop))
        await asyncio.sleep(0.3)  # started: its start-up recovery is behind it
        (row_id,) = Outbox(db).enqueue(conversation_id="a", channel="fake", recipient="a", text="x", limit=99)
        # Another replica claimed it, then was killed: its lease runs out a moment later.
        with db.session() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row_id)
                .values(status="sending", attempts=1, next_attempt_at=utcnow() + timedelta(seconds=0.3))
            )
        for _ in range(100):
            if status_of(db, row_id) == "sent":
                break
            await asyncio.sleep(0.05)
        stop.set()
        worker.wake()
        await running
        return status_of(db, row_id)

    assert asyncio.run(scenario()) == "sent"
    assert sender.delivered == ["x"]


def test_a_new_reply_is_not_held_behind_another_conversations_hanging_sends(db: Database) -> None:
    outbox = Outbox(db)
    for i in range(5):  # an earlier conversation whose provider hangs, then fails
        outbox.enqueue(conversation_id="a", channel="fake", recipient="a", text=f"old {i}", limit=99)
    outbox.enqueue(conversation_id="b", channel="fake", recipient="b", text="new", limit=99)
    delivered_b = asyncio.Event()
    seen: list[bool] = []

    class Hanging:
        async def send(self, recipient: str, payload: dict[str, Any]) -> None:
            if recipient == "b":
                delivered_b.set()
                return
            try:
                await asyncio.wait_for(delivered_b.wait(), timeout=3)
                seen.append(True)
            except TimeoutError:
                seen.append(False)  # the new reply was still waiting behind this one
            raise SendError("provider unreachable", retryable=True)

    worker = OutboxWorker(db, {"fake": Hanging()}, base_delay=60)

    async def scenario() -> None:
        delivered_b.clear()
        await worker.run_once()

    asyncio.run(scenario())
    assert seen and seen[0] is True
    with db.session() as session:
        rows = dict(session.execute(select(OutboxMessage.conversation_id, OutboxMessage.status)).all())
    assert rows["b"] == "sent"
    # The failing conversation's later parts did not overtake its first: one attempt each pass.
    assert len(seen) == 1
