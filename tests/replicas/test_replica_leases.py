"""Issue 13, defects 2, 3 and the rate limit of 6: several replicas on one database.

A push channel's stored message is leased to the replica answering it. Through the real
app (its lifespan, the Telegram webhook, the loopback Bot API) and through several real
``Hub``s on one database (what several replicas are), on SQLite and on PostgreSQL:

- a replica that starts leaves alone what a live replica is still answering, and its port
  is open meanwhile;
- what a killed replica stored but never answered is answered by a running replica, every
  message of the chat (not only its last), in order, once;
- a redelivered update whose first delivery was stored but never answered is answered;
- replicas sweeping the same expired leases at once answer each message once, and a slow
  replica whose lease was taken over records nothing;
- the per-citizen limit of push channels is one count for every replica.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.assistant import Turn
from channels.conversation import ConversationService
from channels.hub import Capabilities, Hub, InboundEvent
from channels.leases import AnswerLeases, LeaseLost
from channels.outbox import Outbox
from handoff.config import HandoffSettings
from handoff.db import Database
from handoff.models import Case, Conversation, Message, OutboxMessage, utcnow
from handoff.service import CaseService
from tests.fakes.telegram_api import FakeTelegramAPI, text_update
from tests.fakes.zalo_api import FakeZaloAPI
from tests.pg import postgres_fixture
from tests.security.channels_app import TELEGRAM_TOKEN, Channels, all_channels

pg_server = postgres_fixture("module")
_ids = itertools.count(int(time.time() * 1000) % 10**9)


def new_id() -> int:
    return next(_ids)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hotline.db'}"
    return str(request.getfixturevalue("pg_server").fresh_url("leases"))


@pytest.fixture(scope="module")
def clouds() -> Iterator[tuple[FakeTelegramAPI, FakeZaloAPI]]:
    with FakeTelegramAPI(token=TELEGRAM_TOKEN) as telegram, FakeZaloAPI() as zalo:
        yield telegram, zalo


@contextmanager
def replica(
    sample_settings: Any, sample_runtime: Any, db_url: str, clouds: Any, tmp: Path, sweep: float = 0.2
) -> Iterator[Channels]:
    channels = sample_settings.channels.model_copy(
        update={"lease_sweep_seconds": sweep, "answer_lease_seconds": 30.0}
    )
    settings = sample_settings.model_copy(update={"channels": channels})
    telegram, zalo = clouds
    with all_channels(
        settings, sample_runtime, tmp / "hotline.db", telegram=telegram, zalo=zalo, database_url=db_url
    ) as app:
        yield app


def store_leased(db_url: str, assistant: Any, user: int, texts: list[str], *, expires_in: float) -> list[int]:
    """What another replica did: stored the chat's messages, leased to itself."""
    db = Database(db_url)
    db.migrate()
    service = ConversationService(assistant, db)
    ids = []
    until = utcnow() + timedelta(seconds=expires_in)
    for text in texts:
        turn = Turn(text, f"telegram:{user}", None, channel="telegram", channel_user_id=str(user))
        stored = service.receive(turn, channel_message_id=str(new_id()), lease=("replica-a:1:dead", until))
        ids.append(stored.inbound_id)
    db.dispose()
    return ids


def transcript(db_url: str, conversation_id: str) -> list[tuple[str, str]]:
    db = Database(db_url)
    with db.session() as s:
        rows = s.execute(
            select(Message.sender, Message.text)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.id)
        ).all()
    db.dispose()
    return [(r.sender, r.text) for r in rows]


def sends_to(telegram: FakeTelegramAPI, user: int) -> list[str]:
    return [
        c.params["text"]
        for c in telegram.calls_of("sendMessage")
        if str(c.params.get("chat_id")) == str(user)
    ]


def wait_until(check: Any, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return bool(check())


QUESTIONS = ["Đăng ký khai sinh cần giấy tờ gì?", "Lệ phí bao nhiêu?", "Làm ở đâu?"]


def test_a_starting_replica_leaves_alone_what_a_live_replica_is_answering(
    sample_settings: Any, sample_runtime: Any, db_url: str, clouds: Any, tmp_path: Path
) -> None:
    user = new_id()
    store_leased(db_url, sample_runtime.assistant, user, QUESTIONS, expires_in=300)
    with replica(sample_settings, sample_runtime, db_url, clouds, tmp_path) as started:
        # The port is open at once and serves.
        assert started.client.get("/healthz").status_code == 200
        time.sleep(1.5)  # several sweeps
        assert sends_to(started.telegram, user) == []
    assert [s for s, _ in transcript(db_url, f"telegram:{user}")] == ["citizen"] * 3


def test_a_killed_replicas_messages_are_all_answered_in_order_by_a_running_one(
    sample_settings: Any, sample_runtime: Any, db_url: str, clouds: Any, tmp_path: Path
) -> None:
    user = new_id()
    with replica(sample_settings, sample_runtime, db_url, clouds, tmp_path) as running:
        # Stored by a replica killed before answering: its leases run out a moment later,
        # while this one is running (not at its start).
        store_leased(db_url, sample_runtime.assistant, user, QUESTIONS, expires_in=1.0)
        assert wait_until(lambda: len(sends_to(running.telegram, user)) >= 3)
        time.sleep(0.8)  # more sweeps: nothing is answered twice
        assert len(sends_to(running.telegram, user)) == 3
    senders = [s for s, _ in transcript(db_url, f"telegram:{user}")]
    assert senders == ["citizen", "citizen", "citizen", "bot", "bot", "bot"] or senders == [
        "citizen",
        "bot",
        "citizen",
        "bot",
        "citizen",
        "bot",
    ]
    db = Database(db_url)
    with db.session() as s:
        owed = s.scalars(select(Message.id).where(Message.answer_due.is_not(None))).all()
    db.dispose()
    assert owed == []


def test_a_redelivered_update_stored_but_never_answered_is_answered(
    sample_settings: Any, sample_runtime: Any, db_url: str, clouds: Any, tmp_path: Path
) -> None:
    user, update_id = new_id(), new_id()
    # The first delivery was stored by a replica that died before answering it.
    db = Database(db_url)
    db.migrate()
    service = ConversationService(sample_runtime.assistant, db)
    turn = Turn(QUESTIONS[0], f"telegram:{user}", None, channel="telegram", channel_user_id=str(user))
    until = utcnow() + timedelta(seconds=1.0)
    service.receive(turn, channel_message_id=str(update_id), lease=("replica-a:1:dead", until))
    db.dispose()
    # A slow sweep (its first pass, at start, finds the lease live): only the redelivery
    # itself can answer it within the test.
    with replica(sample_settings, sample_runtime, db_url, clouds, tmp_path, sweep=300) as running:
        while utcnow() <= until:
            time.sleep(0.05)
        assert sends_to(running.telegram, user) == []
        response = running.telegram_post(text_update(update_id, user, QUESTIONS[0]))
        assert response.status_code == 200
        assert wait_until(lambda: len(sends_to(running.telegram, user)) >= 1)
        # Delivered a third time: answered already, so only acknowledged, by the database's
        # dedupe that every replica shares (not by a cache of this process).
        duplicates = running.hub.stats["duplicates"]
        running.telegram_post(text_update(update_id, user, QUESTIONS[0]))
        time.sleep(0.5)
        assert len(sends_to(running.telegram, user)) == 1
        assert running.hub.stats["duplicates"] == duplicates + 1
    assert [s for s, _ in transcript(db_url, f"telegram:{user}")] == ["citizen", "bot"]


# -- several hubs on one database ------------------------------------------------------------


class Recorder:
    name = "telegram"
    capabilities = Capabilities(max_text=4096)

    async def send(self, recipient: str, payload: dict[str, Any]) -> None:
        return None


@pytest.fixture
def services(db_url: str, sample_runtime: Any) -> Iterator[list[ConversationService]]:
    """Two replicas' conversation services (each its own engine) on one database."""
    out = []
    for _ in range(2):
        db = Database(db_url)
        db.migrate()
        assistant = copy.copy(sample_runtime.assistant)
        assistant.cases = CaseService(db, HandoffSettings())
        out.append(ConversationService(assistant, db, assistant.cases))
    yield out
    for service in out:
        service.db.dispose()


@contextmanager
def hubs(services: list[ConversationService], **kwargs: Any) -> Iterator[list[Hub]]:
    pools = [ThreadPoolExecutor(max_workers=1) for _ in services]
    made = []
    for i, (service, pool) in enumerate(zip(services, pools, strict=True)):
        leases = AnswerLeases(service.db, owner=f"replica-{i}", seconds=kwargs.pop("seconds", 30.0))
        hub = Hub(service, Outbox(service.db), compute=pool, leases=leases, **kwargs)
        hub.register(Recorder())
        made.append(hub)
    try:
        yield made
    finally:
        for hub, pool in zip(made, pools, strict=True):
            hub.close()
            pool.shutdown(wait=True)


def _replies(db: Database) -> dict[int, int]:
    """Outbox rows per bot reply, and bot replies per conversation are checked by callers."""
    with db.session() as s:
        rows = s.scalars(select(OutboxMessage.message_id)).all()
    counts: dict[int, int] = {}
    for message_id in rows:
        counts[message_id] = counts.get(message_id, 0) + 1
    return counts


def test_replicas_sweeping_the_same_expired_leases_answer_each_message_once(
    services: list[ConversationService], db_url: str, sample_runtime: Any
) -> None:
    users = [new_id() for _ in range(8)]
    for user in users:
        store_leased(db_url, sample_runtime.assistant, user, QUESTIONS, expires_in=-1)

    async def scenario() -> list[int]:
        with hubs(services) as (a, b):
            claimed = await asyncio.gather(a.answer_expired(), b.answer_expired(), a.answer_expired())
            await asyncio.gather(a.drain(60), b.drain(60))
            return list(claimed)

    claimed = asyncio.run(scenario())
    assert sum(claimed) == len(users) * 3
    db = services[0].db
    with db.session() as s:
        rows = s.execute(select(Message.conversation_id, Message.sender, Message.answer_due)).all()
    for user in users:
        mine = [r for r in rows if r.conversation_id == f"telegram:{user}"]
        assert sum(r.sender == "bot" for r in mine) == 3, user
    assert all(r.answer_due is None for r in rows)
    assert all(count == 1 for count in _replies(db).values())


def test_a_slow_replica_whose_lease_was_taken_over_records_nothing(
    services: list[ConversationService], db_url: str, sample_runtime: Any
) -> None:
    user = new_id()
    (inbound,) = store_leased(db_url, sample_runtime.assistant, user, QUESTIONS[:1], expires_in=-1)
    slow, fast = (AnswerLeases(s.db, owner=f"replica-{i}", seconds=0.05) for i, s in enumerate(services))
    assert [o.message_id for o in slow.claim_expired(["telegram"])] == [inbound]
    time.sleep(0.1)  # the slow replica stalls past its lease
    assert [o.message_id for o in fast.claim_expired(["telegram"])] == [inbound]
    service = services[0]
    turn = Turn(QUESTIONS[0], f"telegram:{user}", None, channel="telegram", channel_user_id=str(user))
    thought = service.think(turn, service.reload(turn, inbound))
    with pytest.raises(LeaseLost):
        service.record(turn, inbound, thought, within=lambda c, _reply: slow.settle(c, inbound))
    service.record(turn, inbound, thought, within=lambda c, _reply: fast.settle(c, inbound))
    assert [s for s, _ in transcript(db_url, f"telegram:{user}")] == ["citizen", "bot"]
    assert slow.renew(inbound) is False  # answered: nobody's to take any more


def test_the_push_channels_rate_limit_is_one_count_for_every_replica(
    services: list[ConversationService],
) -> None:
    user = str(new_id())
    events = [
        InboundEvent(channel="telegram", message_id=f"{user}-{i}", user_id=user, text=f"Câu hỏi số {i}")
        for i in range(6)
    ]

    async def scenario() -> list[dict[str, int]]:
        with hubs(services, rate_limit=(3, 60.0)) as (a, b):
            for i, event in enumerate(events):  # alternately on each replica
                await (a if i % 2 == 0 else b).receive(event)
            await asyncio.gather(a.drain(60), b.drain(60))
            return [a.stats, b.stats]

    stats = asyncio.run(scenario())
    assert sum(s["rate_limited"] for s in stats) == 3
    assert sum(s["answered"] for s in stats) == 3
    with services[0].db.session() as s:
        notices = s.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.recipient == user, OutboxMessage.message_id.is_(None)
            )
        ).all()
        owed = s.scalars(select(Message.id).where(Message.answer_due.is_not(None))).all()
    assert len(notices) == 1  # told once, not once per replica
    assert owed == []  # a refused message is owed nothing


HUMAN = ["Cho tôi gặp cán bộ, tôi muốn nói chuyện với người thật", "Tôi muốn nói chuyện với cán bộ ngay"]


def test_a_new_chats_first_messages_on_two_replicas_make_one_conversation_and_one_case(
    services: list[ConversationService],
) -> None:
    users = [str(new_id()) for _ in range(10)]

    async def scenario() -> list[dict[str, int]]:
        with hubs(services) as (a, b):
            for user in users:
                first, second = (
                    InboundEvent(channel="telegram", message_id=f"{user}-{i}", user_id=user, text=HUMAN[i])
                    for i in range(2)
                )
                assert await asyncio.gather(a.receive(first), b.receive(second)) == [True, True]
            await asyncio.gather(a.drain(60), b.drain(60))
            return [a.stats, b.stats]

    stats = asyncio.run(scenario())
    assert sum(s["errors"] for s in stats) == 0
    assert sum(s["answered"] for s in stats) == 2 * len(users)
    with services[0].db.session() as s:
        conversations = s.scalars(select(Conversation.id)).all()
        cases = s.scalars(select(Case.conversation_id)).all()
    assert sorted(conversations) == sorted(f"telegram:{u}" for u in users)
    assert sorted(cases) == sorted(f"telegram:{u}" for u in users)  # one case each, not two
