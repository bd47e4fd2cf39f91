"""Issue 13, the peak simulation: a replica behind its answers still acknowledges at once.

Through the real app (its lifespan, the signed Telegram webhook, the loopback Bot API), on
SQLite and on PostgreSQL, with a replica's answering work held up on purpose (its I/O or
compute threads kept busy, as a backlog keeps them under overload):

- a webhook's message is stored before its acknowledgement even while every answering
  thread is busy (it used to queue behind them, and be acknowledged unstored after
  ``ACK_WITHIN``);
- the messages a replica has queued keep their leases while they wait, so another replica
  does not take them as a dead replica's; each is answered once, by the replica that
  stored it;
- a replica whose queue is full leaves expired leases in the database for one with room.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from handoff.db import Database
from handoff.models import Message
from tests.fakes.telegram_api import FakeTelegramAPI, text_update
from tests.fakes.zalo_api import FakeZaloAPI
from tests.pg import postgres_fixture
from tests.replicas.test_replica_leases import (
    QUESTIONS,
    new_id,
    sends_to,
    store_leased,
    transcript,
    wait_until,
)
from tests.security.channels_app import TELEGRAM_TOKEN, Channels, all_channels

pg_server = postgres_fixture("module")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hotline.db'}"
    return str(request.getfixturevalue("pg_server").fresh_url("backlog"))


@pytest.fixture(scope="module")
def clouds() -> Iterator[tuple[FakeTelegramAPI, FakeZaloAPI]]:
    with FakeTelegramAPI(token=TELEGRAM_TOKEN) as telegram, FakeZaloAPI() as zalo:
        yield telegram, zalo


@contextmanager
def replica(
    sample_settings: Any, sample_runtime: Any, db_url: str, clouds: Any, tmp: Path, *, lease: float = 30.0
) -> Iterator[Channels]:
    channels = sample_settings.channels.model_copy(
        update={"lease_sweep_seconds": 0.2, "answer_lease_seconds": lease}
    )
    settings = sample_settings.model_copy(update={"channels": channels})
    telegram, zalo = clouds
    tmp.mkdir(parents=True, exist_ok=True)
    with all_channels(
        settings, sample_runtime, tmp / "hotline.db", telegram=telegram, zalo=zalo, database_url=db_url
    ) as app:
        yield app


@contextmanager
def busy(executor: Any, threads: int) -> Iterator[None]:
    """Every thread of ``executor`` held until the block ends (a backlog's work)."""
    gate = threading.Event()
    started = threading.Barrier(threads + 1)

    def hold() -> None:
        started.wait(10)
        gate.wait(60)

    held = [executor.submit(hold) for _ in range(threads)]
    started.wait(10)
    try:
        yield
    finally:
        gate.set()
        for future in held:
            future.result(10)


def owners(db_url: str, ids: list[int]) -> set[str | None]:
    db = Database(db_url)
    with db.session() as s:
        found = set(s.scalars(select(Message.answer_owner).where(Message.id.in_(ids))).all())
    db.dispose()
    return found


def citizen_ids(db_url: str, conversations: list[str]) -> list[int]:
    db = Database(db_url)
    with db.session() as s:
        found = list(
            s.scalars(
                select(Message.id).where(
                    Message.conversation_id.in_(conversations), Message.sender == "citizen"
                )
            ).all()
        )
    db.dispose()
    return found


def test_a_webhook_is_stored_before_its_acknowledgement_while_every_answering_thread_is_busy(
    sample_settings: Any, sample_runtime: Any, db_url: str, clouds: Any, tmp_path: Path
) -> None:
    user, update_id = new_id(), new_id()
    with replica(sample_settings, sample_runtime, db_url, clouds, tmp_path) as running:
        hub = running.hub
        with busy(hub.io, hub.io._max_workers):
            response = running.telegram_post(text_update(update_id, user, QUESTIONS[0]))
            # Stored when acknowledged (not acknowledged unstored after ACK_WITHIN).
            assert response.status_code == 200
            assert transcript(db_url, f"telegram:{user}") == [("citizen", QUESTIONS[0])]
            assert sends_to(running.telegram, user) == []
        # The backlog moves on: the message is answered.
        assert wait_until(lambda: len(sends_to(running.telegram, user)) == 1)
    assert [s for s, _ in transcript(db_url, f"telegram:{user}")] == ["citizen", "bot"]


def test_a_replica_behind_keeps_the_leases_of_its_queue_and_answers_each_message_once(
    sample_settings: Any, sample_runtime: Any, db_url: str, clouds: Any, tmp_path: Path
) -> None:
    users = [new_id() for _ in range(3)]
    conversations = [f"telegram:{u}" for u in users]
    lease = 2.0
    with (
        replica(sample_settings, sample_runtime, db_url, clouds, tmp_path / "a", lease=lease) as behind,
        replica(sample_settings, sample_runtime, db_url, clouds, tmp_path / "b", lease=lease) as idle,
    ):
        with busy(behind.hub.compute, 1):
            for user in users:
                response = behind.telegram_post(text_update(new_id(), user, QUESTIONS[0]))
                assert response.status_code == 200
            ids = citizen_ids(db_url, conversations)
            assert len(ids) == 3
            # A lease and a half: each would have expired, and the idle replica sweeps every
            # 0.2 s (a replica is taken for stuck after two leases without an answer).
            time.sleep(1.5 * lease)
            assert owners(db_url, ids) == {behind.hub.leases.owner}
            assert idle.hub.stats["answered"] == 0
        assert wait_until(lambda: all(len(sends_to(behind.telegram, u)) == 1 for u in users))
        time.sleep(0.5)  # more sweeps: nothing answered twice
        assert [len(sends_to(behind.telegram, u)) for u in users] == [1, 1, 1]
        assert idle.hub.stats["answered"] == 0
    for conversation in conversations:
        assert [s for s, _ in transcript(db_url, conversation)] == ["citizen", "bot"]
    assert owners(db_url, ids) == {None}


def test_a_stuck_replicas_queue_is_taken_by_a_running_one(
    sample_settings: Any, sample_runtime: Any, db_url: str, clouds: Any, tmp_path: Path
) -> None:
    users = [new_id() for _ in range(2)]
    lease = 1.0
    with (
        replica(sample_settings, sample_runtime, db_url, clouds, tmp_path / "a", lease=lease) as stuck,
        replica(sample_settings, sample_runtime, db_url, clouds, tmp_path / "b", lease=lease) as running,
    ):
        with busy(stuck.hub.compute, 1):
            for user in users:
                assert stuck.telegram_post(text_update(new_id(), user, QUESTIONS[0])).status_code == 200
            # No answer finishes on the stuck replica: after two leases' length it stops
            # renewing, and the running one answers its queue meanwhile.
            assert wait_until(lambda: running.hub.stats["answered"] == 2, timeout=30)
        time.sleep(0.5)
        assert [len(sends_to(stuck.telegram, u)) for u in users] == [1, 1]
        assert stuck.hub.stats["answered"] == 0
    for user in users:
        assert [s for s, _ in transcript(db_url, f"telegram:{user}")] == ["citizen", "bot"]


def test_a_replica_whose_queue_is_full_leaves_expired_leases_to_one_with_room(
    sample_settings: Any, sample_runtime: Any, db_url: str, clouds: Any, tmp_path: Path
) -> None:
    user = new_id()
    with replica(sample_settings, sample_runtime, db_url, clouds, tmp_path) as full:
        full.hub.backlog_claim_limit = 0  # its queue is as long as it may be
        # A dead replica's message, its lease run out while this one is running.
        ids = store_leased(db_url, sample_runtime.assistant, user, QUESTIONS[:1], expires_in=0.5)
        time.sleep(1.5)  # several sweeps after the lease ran out
        assert owners(db_url, ids) == {"replica-a:1:dead"}
        assert sends_to(full.telegram, user) == []
        # Room again: claimed and answered.
        full.hub.backlog_claim_limit = 200
        assert wait_until(lambda: len(sends_to(full.telegram, user)) == 1)
