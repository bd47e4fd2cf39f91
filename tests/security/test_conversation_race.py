"""Issue 9, item 1: concurrent messages of one conversation are each stored once, in order,
and answered in their own conversation, on SQLite and on a real PostgreSQL server.

Through the real app (TestClient with its lifespan, requests from parallel threads), through
the real Hub (parallel first updates of a new Telegram chat, each delivered twice), and at
the receive step itself from parallel threads (what several server processes do at once,
which no in-process lock can order).
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pg import postgres_fixture
from sqlalchemy import func, select

from bot.assistant import Turn
from channels.conversation import ConversationService
from channels.hub import Capabilities, Hub, InboundEvent
from channels.outbox import Outbox
from handoff.config import HandoffSettings
from handoff.db import Database
from handoff.models import Conversation, Message, OutboxMessage
from handoff.service import CaseService

pg_server = postgres_fixture(scope="module")

PARALLEL = 8
ROUNDS = 25


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('race') / 'hotline.db'}"
    return str(request.getfixturevalue("pg_server").fresh_url("race"))


@pytest.fixture(scope="module")
def app_client(database_url: str, sample_settings: Any, sample_runtime: Any) -> Iterator[TestClient]:
    from channels.api import create_app
    from channels.settings import DatabaseSettings

    settings = sample_settings.model_copy(update={"database": DatabaseSettings(url=database_url)})
    # The app hands the assistant its own case service: a copy leaves the shared runtime alone.
    runtime = dataclasses.replace(sample_runtime, assistant=copy.copy(sample_runtime.assistant))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DATABASE_URL", raising=False)
        with TestClient(create_app(settings, runtime=runtime)) as client:
            yield client


def parallel(calls: list[Any]) -> list[Any]:
    """Run the calls at the same moment from as many threads."""
    barrier = threading.Barrier(len(calls))

    def run(call: Any) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _db(client: TestClient) -> Database:
    return client.app.state.cases.db  # type: ignore[attr-defined,no-any-return]


def test_parallel_first_messages_each_get_their_own_conversation(app_client: TestClient) -> None:
    answers: list[tuple[str, Any]] = []
    for r in range(ROUNDS):
        texts = [f"Đăng ký khai sinh cần gì? (lượt {r}, người {i})" for i in range(PARALLEL)]
        responses = parallel(
            [lambda t=t: app_client.post("/api/v1/ask", json={"text": t}) for t in texts]  # type: ignore[misc]
        )
        answers += zip(texts, responses, strict=True)
    assert Counter(resp.status_code for _, resp in answers) == {200: PARALLEL * ROUNDS}
    ids = [resp.json()["conversation_id"] for _, resp in answers]
    assert len(set(ids)) == len(ids)  # nobody got someone else's conversation
    with _db(app_client).session() as s:
        for text, resp in answers:
            rows = s.execute(
                select(Message.conversation_id, Message.sender)
                .where(Message.conversation_id == resp.json()["conversation_id"])
                .order_by(Message.id)
            ).all()
            assert [row.sender for row in rows] == ["citizen", "bot"]
            stored = s.scalars(select(Message.conversation_id).where(Message.text == text)).all()
            assert stored == [resp.json()["conversation_id"]]  # stored once, in the asker's
    print(
        f"\n{app_client.app.state.conversations.db.engine.dialect.name}: {len(answers)} parallel first "  # type: ignore[attr-defined]
        f"messages, {len(set(ids))} conversations, each stored once"
    )


def test_parallel_messages_with_a_proposed_new_id_are_refused(app_client: TestClient) -> None:
    """The issue's reproduction: eight clients propose the same new id at once. The server
    names conversations itself; a proposed id without its token reaches nothing."""
    body = {"text": "Đăng ký khai sinh cần gì?", "conversation_id": "web_guessed-new-id-123"}
    responses = parallel([lambda: app_client.post("/api/v1/ask", json=body)] * PARALLEL)
    assert {r.status_code for r in responses} == {404}
    with _db(app_client).session() as s:
        assert s.get(Conversation, "web_guessed-new-id-123") is None
        assert s.scalar(select(func.count()).where(Message.conversation_id == "web_guessed-new-id-123")) == 0


def test_parallel_messages_of_one_conversation_are_stored_once_in_order(app_client: TestClient) -> None:
    first = app_client.post("/api/v1/ask", json={"text": "xin chào"}).json()
    pair = {"conversation_id": first["conversation_id"], "conversation_token": first["conversation_token"]}
    texts: list[str] = []
    for r in range(3):
        batch = [f"Lệ phí đăng ký kết hôn bao nhiêu? ({r}.{i})" for i in range(PARALLEL)]
        texts += batch
        responses = parallel(
            [lambda t=t: app_client.post("/api/v1/ask", json={"text": t, **pair}) for t in batch]  # type: ignore[misc]
        )
        assert {resp.status_code for resp in responses} == {200}
        assert {resp.json()["conversation_id"] for resp in responses} == {pair["conversation_id"]}
    with _db(app_client).session() as s:
        rows = s.execute(
            select(Message.sender, Message.text)
            .where(Message.conversation_id == pair["conversation_id"])
            .order_by(Message.id)
        ).all()
    citizen = [row.text for row in rows if row.sender == "citizen"]
    assert sorted(citizen) == sorted(["xin chào", *texts])  # each once
    # One turn at a time: every question is followed by its own answer.
    assert [row.sender for row in rows] == ["citizen", "bot"] * (len(texts) + 1)


class _Recorder:
    """Stands for the Telegram adapter; the outbox worker is not started, so rows stay
    queued and show who each answer was for."""

    name = "telegram"
    capabilities = Capabilities(max_text=4096)

    async def send(self, recipient: str, payload: dict[str, Any]) -> None:  # pragma: no cover
        raise AssertionError("the outbox worker is not running in this test")


@pytest.fixture
def service(database_url: str, sample_runtime: Any, tmp_path: Path) -> Iterator[ConversationService]:
    db = Database(database_url)
    db.migrate()
    assistant = copy.copy(sample_runtime.assistant)
    assistant.cases = CaseService(db, HandoffSettings())
    yield ConversationService(assistant, db, assistant.cases)
    db.dispose()


def test_parallel_first_updates_of_a_new_telegram_chat_through_the_hub(service: ConversationService) -> None:
    user = str(uuid.uuid4().int % 10**10)
    events = [
        InboundEvent(
            channel="telegram", message_id=f"{user}-{i}", user_id=user, text=f"Đăng ký khai sinh? #{i}"
        )
        for i in range(40)
    ]

    async def scenario() -> tuple[list[bool], dict[str, int]]:
        compute = ThreadPoolExecutor(max_workers=1)
        hub = Hub(service, Outbox(service.db), compute=compute, rate_limit=(1000, 60.0))
        hub.register(_Recorder())
        try:
            # Every update delivered twice at the same moment (Telegram retries when slow).
            results = await asyncio.gather(*(hub.receive(e) for e in events + events))
            await hub.drain(timeout=60)
            return list(results), dict(hub.stats)
        finally:
            hub.close()
            compute.shutdown(wait=True)

    results, stats = asyncio.run(scenario())
    assert results.count(True) == 40 and results.count(False) == 40
    assert stats["errors"] == 0 and stats["received"] == 40 and stats["duplicates"] == 40
    conversation = f"telegram:{user}"
    with service.db.session() as s:
        rows = s.execute(
            select(Message.sender, Message.channel_message_id, Message.conversation_id)
            .where(Message.conversation_id == conversation)
            .order_by(Message.id)
        ).all()
        outbox = s.scalars(select(OutboxMessage.conversation_id).where(OutboxMessage.recipient == user)).all()
    inbound = [row.channel_message_id for row in rows if row.sender == "citizen"]
    assert sorted(inbound) == sorted(e.message_id for e in events)  # each once
    assert sum(row.sender == "bot" for row in rows) == 40
    assert len(outbox) >= 40 and set(outbox) == {conversation}
    print(f"\n{service.db.engine.dialect.name}: hub 80 deliveries → 40 stored, 40 answered, 0 errors")


@pytest.mark.parametrize("channel_message_ids", [True, False], ids=["telegram", "api"])
def test_parallel_receives_of_a_new_conversation_across_processes(
    service: ConversationService, channel_message_ids: bool
) -> None:
    """Several server processes receive the first messages of one new conversation at the
    same moment; an earlier API message (no channel message id) must never be taken for a
    duplicate of them."""
    channel = "telegram" if channel_message_ids else "api"
    earlier = service.receive(Turn("tin nhắn cũ của người khác", None, channel=channel))
    for r in range(10):
        conversation = f"{channel}:{r}-{id(service)}-{channel_message_ids}"

        def receive(i: int, conversation: str = conversation, r: int = r) -> Any:
            user = conversation.split(":", 1)[1]
            turn = Turn(f"câu {r}.{i}", conversation, channel=channel, channel_user_id=user)
            return service.receive(
                turn, channel_message_id=f"{conversation}-{i}" if channel_message_ids else None
            )

        stored = parallel([lambda i=i: receive(i) for i in range(PARALLEL)])  # type: ignore[misc]
        assert not any(s.duplicate for s in stored)
        assert {s.reply.conversation_id for s in stored} == {conversation}
        assert len({s.inbound_id for s in stored}) == PARALLEL
        with service.db.session() as s:
            texts = s.scalars(select(Message.text).where(Message.conversation_id == conversation)).all()
        assert sorted(texts) == sorted(f"câu {r}.{i}" for i in range(PARALLEL))
    with service.db.session() as s:
        assert (
            s.scalar(select(func.count()).where(Message.conversation_id == earlier.reply.conversation_id))
            == 1
        )


def test_a_reused_channel_message_id_never_answers_with_another_conversations_words(
    service: ConversationService,
) -> None:
    first = InboundEvent("telegram", f"same-{id(service)}", f"a-{id(service)}", "Đăng ký khai sinh cần gì?")

    async def answer() -> Any:
        compute = ThreadPoolExecutor(max_workers=1)
        hub = Hub(service, Outbox(service.db), compute=compute)
        try:
            return await hub.answer_inline(first)
        finally:
            hub.close()
            compute.shutdown(wait=True)

    answered = asyncio.run(answer())
    assert answered is not None and answered.reply.answer
    other = Turn("xin chào", f"telegram:b-{id(service)}", channel="telegram")
    replayed = service.receive(other, channel_message_id=f"same-{id(service)}")
    assert replayed.duplicate and replayed.reply.conversation_id == other.conversation_id
    assert replayed.reply.answer == ""


def test_parallel_first_updates_of_a_new_chat_through_the_telegram_webhook(
    database_url: str,
    sample_settings: Any,
    sample_runtime: Any,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    """The issue's second reproduction: 40 signed first updates of a new Telegram chat at
    once (13 got 503 before); the real webhook, aiogram routers, hub and outbox. A database
    of its own: at start the app answers what other tests left unanswered."""
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path / 'webhook.db'}"
    else:
        database_url = str(request.getfixturevalue("pg_server").fresh_url("webhook"))
    from fakes.telegram_api import FakeTelegramAPI, text_update

    from channels.api import create_app
    from channels.settings import DatabaseSettings, read_secrets

    token, secret = "123456789:AAH-race-token_for_the_fake_api", "race-Webhook_secret"
    user = 6_000_000 + uuid.uuid4().int % 1_000_000
    updates = [text_update(970_000 + i, user, f"Đăng ký khai sinh cần gì? #{i}") for i in range(40)]
    runtime = dataclasses.replace(sample_runtime, assistant=copy.copy(sample_runtime.assistant))
    with FakeTelegramAPI(token=token) as api, pytest.MonkeyPatch.context() as mp:
        mp.delenv("DATABASE_URL", raising=False)
        mp.setenv("TELEGRAM_BOT_TOKEN", token)
        mp.setenv("TELEGRAM_WEBHOOK_SECRET", secret)
        mp.setenv("PUBLIC_BASE_URL", "https://hotline.example.gov.vn")
        # The hub's per-chat flood limit is not what this test is about.
        channels = sample_settings.channels.model_copy(
            update={"telegram_api_base": api.base_url, "rate_limit_messages": 1000}
        )
        settings = sample_settings.model_copy(
            # secrets: the environment as just set (the settings read it once, when loaded)
            update={
                "channels": channels,
                "database": DatabaseSettings(url=database_url),
                "secrets": read_secrets(),
            }
        )
        app = create_app(settings, runtime=runtime)
        with TestClient(app) as client:
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            responses = parallel(
                [lambda u=u: client.post("/webhooks/telegram", json=u, headers=headers) for u in updates]  # type: ignore[misc]
            )
            client.portal.call(app.state.hub.drain, 60)  # type: ignore[union-attr]
            stats = dict(app.state.hub.stats)
    assert Counter(r.status_code for r in responses) == {200: 40}
    assert stats["received"] == 40 and stats["errors"] == 0
    db = Database(database_url)
    try:
        with db.session() as s:
            rows = s.execute(
                select(Message.sender, Message.channel_message_id)
                .where(Message.conversation_id == f"telegram:{user}")
                .order_by(Message.id)
            ).all()
    finally:
        db.dispose()
    assert sorted(row.channel_message_id for row in rows if row.sender == "citizen") == sorted(
        str(u["update_id"]) for u in updates
    )
    assert sum(row.sender == "bot" for row in rows) == 40
    print(
        f"\n{db.engine.dialect.name}: 40 parallel first Telegram updates → 40 × 200, 40 stored, 40 answered"
    )
