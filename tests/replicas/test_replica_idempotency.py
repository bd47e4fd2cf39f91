"""Issue 13, defect 6: ``POST /api/v1/ask`` with an ``Idempotency-Key``.

The same key (with the same request) gives back the stored answer and never stores the
question a second time: sent again in sequence, sent at once to two replicas (two real apps
on one database), and after the replica answering it died with the question stored (its
lease runs out; the retry answers that question). Nothing secret is stored as it is. On
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.assistant import Turn
from channels.conversation import ConversationService, token_hash
from channels.idempotency import IdempotentAsks
from handoff.db import Database
from handoff.models import IdempotentRequest, Message
from tests.pg import postgres_fixture

pg_server = postgres_fixture("module")
QUESTION = "Đăng ký khai sinh cần giấy tờ gì?"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('idem') / 'hotline.db'}"
    return str(request.getfixturevalue("pg_server").fresh_url("idem"))


@pytest.fixture(scope="module")
def replicas(db_url: str, sample_settings: Any, sample_runtime: Any) -> Iterator[list[TestClient]]:
    """Two replicas: two apps on one database."""
    from channels.api import create_app
    from channels.settings import DatabaseSettings

    settings = sample_settings.model_copy(update={"database": DatabaseSettings(url=db_url)})
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DATABASE_URL", raising=False)
        clients = []
        for _ in range(2):
            runtime = dataclasses.replace(sample_runtime, assistant=copy.copy(sample_runtime.assistant))
            clients.append(TestClient(create_app(settings, runtime=runtime)).__enter__())
        try:
            yield clients
        finally:
            for client in clients:
                client.__exit__(None, None, None)


def ask(client: TestClient, key: str | None, **body: Any) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/v1/ask", json={"text": QUESTION, **body}, headers=headers)


def citizen_messages(db_url: str, conversation_id: str) -> list[str]:
    db = Database(db_url)
    with db.session() as s:
        rows = s.scalars(
            select(Message.sender).where(Message.conversation_id == conversation_id).order_by(Message.id)
        ).all()
    db.dispose()
    return list(rows)


def test_a_retry_with_the_same_key_gets_the_same_answer_and_asks_nothing_again(
    replicas: list[TestClient], db_url: str
) -> None:
    key = str(uuid.uuid4())
    first = ask(replicas[0], key)
    again = ask(replicas[1], key)  # the retry reached another replica
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    pair = first.json()
    assert citizen_messages(db_url, pair["conversation_id"]) == ["citizen", "bot"]
    # A follow-up in that conversation, retried: one more question only.
    follow = {"conversation_id": pair["conversation_id"], "conversation_token": pair["conversation_token"]}
    key2 = str(uuid.uuid4())
    one = ask(replicas[0], key2, **follow)
    two = ask(replicas[0], key2, **follow)
    assert one.status_code == two.status_code == 200 and one.json() == two.json()
    assert citizen_messages(db_url, pair["conversation_id"]) == ["citizen", "bot", "citizen", "bot"]
    # Without a key, the same request is a new question, as before.
    assert ask(replicas[0], None).json()["conversation_id"] != pair["conversation_id"]


def test_the_same_key_sent_to_two_replicas_at_once_is_answered_once(
    replicas: list[TestClient], db_url: str
) -> None:
    key = str(uuid.uuid4())
    barrier = threading.Barrier(2)

    def send(client: TestClient) -> Any:
        barrier.wait()
        return ask(client, key)

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(send, replicas))
    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].json() == responses[1].json()
    assert citizen_messages(db_url, responses[0].json()["conversation_id"]) == ["citizen", "bot"]


def test_a_question_stored_by_a_replica_that_died_is_answered_by_the_retry(
    replicas: list[TestClient], db_url: str, sample_runtime: Any
) -> None:
    key = str(uuid.uuid4())
    body = {
        "text": QUESTION,
        "conversation_id": None,
        "conversation_token": None,
        "lang": None,
        "channel": "api",
    }
    # What the dead replica did: claimed the key (a lease that has run out), created the
    # conversation, stored the question, and died before answering.
    db = Database(db_url)
    dead = IdempotentAsks(db, lock_seconds=0)
    claim = dead.claim(key, body)
    assert claim.owner
    conversation_id, token = f"api_{uuid.uuid4().hex}", "s3cret-" + uuid.uuid4().hex
    dead.started(claim, key, body, conversation_id, token)
    service = ConversationService(sample_runtime.assistant, db)
    stored = service.receive(
        Turn(QUESTION, conversation_id, None, channel="api"), access_hash=token_hash(token)
    )
    dead.stored(claim, stored.inbound_id)
    with db.session() as s:
        row = s.scalars(select(IdempotentRequest)).all()
    assert all(token not in str(r.masked_token) and key not in r.key_hash for r in row)
    db.dispose()

    retry = ask(replicas[1], key)
    assert retry.status_code == 200
    assert retry.json()["conversation_id"] == conversation_id
    assert retry.json()["conversation_token"] == token
    assert retry.json()["answer"]
    assert citizen_messages(db_url, conversation_id) == ["citizen", "bot"]  # not a second question


def test_a_malformed_key_is_refused(replicas: list[TestClient]) -> None:
    assert ask(replicas[0], "short").status_code == 400
    assert ask(replicas[0], "x" * 201).status_code == 422
