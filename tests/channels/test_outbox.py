"""The outbox: stored first, delivered once, retried on transient errors, never lost."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from channels.outbox import Outbox, OutboxWorker, SendError, split_text
from handoff.db import Database
from handoff.models import Conversation, OutboxMessage, utcnow


@pytest.fixture
def db(tmp_path):  # type: ignore[no-untyped-def]
    database = Database(f"sqlite:///{tmp_path / 'outbox.db'}")
    database.migrate()
    with database.session() as session:
        session.add(Conversation(id="c1", channel="fake", channel_user_id="u1", language="vi", state={}))
    yield database
    database.dispose()


class Recorder:
    """A sender that records deliveries and fails on the attempts it is told to."""

    def __init__(self, failures: dict[int, SendError] | None = None) -> None:
        self.calls = 0
        self.delivered: list[tuple[str, dict[str, Any]]] = []
        self.failures = failures or {}

    async def send(self, recipient: str, payload: dict[str, Any]) -> None:
        self.calls += 1
        if self.calls in self.failures:
            raise self.failures[self.calls]
        self.delivered.append((recipient, payload))


def statuses(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_split_text_keeps_everything_and_respects_the_limit():
    text = ("Câu một rất dài về hồ sơ. " * 40 + "\n\n" + "Dòng hai. " * 30).strip()
    parts = split_text(text, 200)
    assert all(0 < len(p) <= 200 for p in parts)
    assert "".join(p.replace(" ", "").replace("\n", "") for p in parts) == text.replace(" ", "").replace(
        "\n", ""
    )
    assert split_text("short", 100) == ["short"]
    assert split_text("", 100) == []
    assert all(len(p) <= 10 for p in split_text("x" * 35, 10))


def test_enqueue_splits_and_puts_options_on_the_last_part(db):
    ids = Outbox(db).enqueue(
        conversation_id="c1",
        channel="fake",
        recipient="u1",
        text="A. " * 100,
        limit=120,
        options=["1. a", "2. b"],
    )
    assert len(ids) >= 3
    with db.session() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert all(r.status == "pending" for r in rows)
        assert "options" not in rows[0].payload and rows[-1].payload["options"] == ["1. a", "2. b"]


def test_transient_errors_are_retried_and_delivered_once(db):
    sender = Recorder(
        {
            1: SendError("HTTP 500", retryable=True),
            2: SendError("HTTP 429", retryable=True, retry_after=0.01),
        }
    )
    Outbox(db).enqueue(conversation_id="c1", channel="fake", recipient="u1", text="xin chào", limit=100)
    worker = OutboxWorker(db, {"fake": sender}, base_delay=0.01)

    async def go() -> None:
        for _ in range(50):
            await worker.run_once()
            if statuses(db) == ["sent"]:
                return
            await asyncio.sleep(0.02)

    asyncio.run(go())
    assert statuses(db) == ["sent"]
    assert sender.delivered == [("u1", {"text": "xin chào", "kind": "text", "language": None})]
    assert worker.stats["retried"] == 2 and worker.stats["sent"] == 1


def test_permanent_errors_fail_without_retry_and_max_attempts_is_final(db):
    outbox = Outbox(db)
    outbox.enqueue(conversation_id="c1", channel="fake", recipient="u1", text="one", limit=100)
    sender = Recorder({1: SendError("HTTP 403 blocked by user", retryable=False)})
    asyncio.run(OutboxWorker(db, {"fake": sender}).run_once())
    assert statuses(db) == ["failed"]

    outbox.enqueue(conversation_id="c1", channel="fake", recipient="u1", text="two", limit=100)
    always = Recorder({n: SendError("down", retryable=True) for n in range(1, 10)})
    worker = OutboxWorker(db, {"fake": always}, max_attempts=3, base_delay=0.001)

    async def go() -> None:
        for _ in range(30):
            await worker.run_once()
            await asyncio.sleep(0.01)

    asyncio.run(go())
    assert statuses(db) == ["failed", "failed"]
    assert always.calls == 3
    with db.session() as session:
        assert "down" in (session.scalars(select(OutboxMessage.last_error)).all()[-1] or "")


def test_a_message_left_in_flight_by_a_dead_process_is_sent_after_restart(db):
    Outbox(db).enqueue(conversation_id="c1", channel="fake", recipient="u1", text="lost?", limit=100)
    with db.session() as session:
        row = session.scalars(select(OutboxMessage)).one()
        row.status = "sending"  # claimed by a process that then died
        row.next_attempt_at = utcnow() - timedelta(seconds=5)
    sender = Recorder()
    worker = OutboxWorker(db, {"fake": sender})
    assert worker.recover() == 1
    asyncio.run(worker.run_once())
    assert statuses(db) == ["sent"] and len(sender.delivered) == 1


def test_two_workers_never_send_the_same_row_twice(db):
    outbox = Outbox(db)
    for i in range(40):
        outbox.enqueue(conversation_id="c1", channel="fake", recipient="u1", text=f"m{i}", limit=100)
    a, b = Recorder(), Recorder()
    first, second = OutboxWorker(db, {"fake": a}), OutboxWorker(db, {"fake": b})

    async def go() -> None:
        await asyncio.gather(first.run_once(), second.run_once())

    asyncio.run(go())
    texts = [p["text"] for _, p in a.delivered + b.delivered]
    assert sorted(texts) == sorted(f"m{i}" for i in range(40))
    assert statuses(db) == ["sent"] * 40


def test_a_long_staff_reply_is_split_at_the_channel_limit(db):
    with db.session() as session:
        session.add(
            OutboxMessage(
                conversation_id="c1", channel="fake", recipient="u1", payload={"text": "Dạ. " * 300}
            )
        )
    sender = Recorder()
    worker = OutboxWorker(db, {"fake": sender}, limits={"fake": 200})

    async def go() -> None:
        for _ in range(10):
            await worker.run_once()

    asyncio.run(go())
    assert len(sender.delivered) >= 6
    assert all(len(p["text"]) <= 200 for _, p in sender.delivered)
    assert set(statuses(db)) == {"sent"}


def test_pull_channels_are_not_pushed(db):
    Outbox(db).enqueue(conversation_id="c1", channel="web", recipient=None, text="hello", limit=100)
    sender = Recorder()
    asyncio.run(OutboxWorker(db, {"fake": sender}).run_once())
    assert statuses(db) == ["pending"] and sender.calls == 0
