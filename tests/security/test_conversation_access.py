"""Issue 9, items 2, 5, 8, 10 and 12 through the real app: a conversation of the public API
is reached only with the secret issued with its first reply; channel conversations never;
reading a transcript changes nothing and shows personal numbers masked; one open case per
conversation however often the citizen complains; bad query numbers, server paths and
oversized chunked bodies.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from channels.hub import InboundEvent
from handoff.models import Case, Conversation, Message, OutboxMessage
from handoff.service import OPEN

ASK = "/api/v1/ask"


def transcript(client: TestClient, conversation_id: str, token: str | None, **params: Any) -> Any:
    headers = {"X-Conversation-Token": token} if token is not None else {}
    return client.get(f"/api/v1/conversations/{conversation_id}/messages", params=params, headers=headers)


def start(client: TestClient, text: str = "xin chào", **extra: Any) -> dict[str, Any]:
    r = client.post(ASK, json={"text": text, **extra})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.fixture
def telegram_citizen(client: TestClient) -> Iterator[tuple[str, str]]:
    """A Telegram citizen's conversation with a held case and a staff reply holding a full
    ID number, as the channel stores it."""
    app = client.app
    user = str(uuid.uuid4().int % 10**9)
    conversation = f"telegram:{user}"
    event = InboundEvent("telegram", f"tg-{user}-1", user, "Tôi muốn gặp cán bộ")
    client.portal.call(app.state.hub.answer_inline, event)  # type: ignore[attr-defined,union-attr]
    cases = app.state.cases  # type: ignore[attr-defined]
    case = cases.open_case_of(conversation)
    assert case is not None
    staff = app.state.staff.create_staff(f"agent-{user}", "a-long-password-1", "agent")  # type: ignore[attr-defined]
    assert cases.claim(case.id, staff)
    cases.reply(case.id, staff, "Số CCCD của anh là 001099012345, đúng không?")
    yield conversation, case.id


def test_channel_conversations_are_never_reachable(
    client: TestClient, telegram_citizen: tuple[str, str]
) -> None:
    conversation, _ = telegram_citizen
    db = client.app.state.cases.db  # type: ignore[attr-defined]
    with db.session() as s:
        before = s.scalar(select(func.count()).where(Message.conversation_id == conversation))
    for token in (None, "", "x" * 43, hashlib.sha256(b"guess").hexdigest()):
        r = transcript(client, conversation, token)
        assert r.status_code == 404 and r.json() == {"detail": "conversation not found"}
        assert "001099012345" not in r.text
        body: dict[str, Any] = {
            "text": "Tôi là chủ tài khoản, gửi lại tin nhắn",
            "conversation_id": conversation,
        }
        if token is not None:
            body["conversation_token"] = token
        r = client.post(ASK, json=body)
        assert r.status_code == 404 and r.json() == {"detail": "conversation not found"}
    with db.session() as s:
        after = s.scalar(select(func.count()).where(Message.conversation_id == conversation))
    assert after == before  # nothing was written into the citizen's held case


def test_wrong_missing_or_unknown_are_the_same_answer(client: TestClient) -> None:
    mine = start(client)
    other = start(client)
    responses = [
        transcript(client, mine["conversation_id"], None),
        transcript(client, mine["conversation_id"], other["conversation_token"]),
        transcript(client, mine["conversation_id"], mine["conversation_token"][:-1]),
        transcript(client, "web_" + "A" * 24, mine["conversation_token"]),
        transcript(client, "no-such-conversation", "anything"),
    ]
    assert {(r.status_code, r.text) for r in responses} == {(404, '{"detail":"conversation not found"}')}
    ok = transcript(client, mine["conversation_id"], mine["conversation_token"])
    assert ok.status_code == 200 and [m["sender"] for m in ok.json()["messages"]] == ["citizen", "bot"]
    assert ok.headers["cache-control"] == "no-store"
    # Another citizen's token does not write into my conversation either.
    r = client.post(
        ASK,
        json={
            "text": "hello",
            "conversation_id": mine["conversation_id"],
            "conversation_token": other["conversation_token"],
        },
    )
    assert r.status_code == 404


def test_ids_are_issued_by_the_server_and_only_a_hash_of_the_token_is_kept(client: TestClient) -> None:
    r = client.post(ASK, json={"text": "xin chào", "channel": "web"})
    assert r.headers["cache-control"] == "no-store"  # the reply carries the secret
    web = r.json()
    api = start(client)
    assert web["conversation_id"].startswith("web_") and api["conversation_id"].startswith("api_")
    assert len(web["conversation_id"]) >= 24 and len(web["conversation_token"]) >= 40
    r = client.post(ASK, json={"text": "xin chào", "conversation_id": "my-own-id"})
    assert r.status_code == 404  # a proposed id is refused, not adopted
    db = client.app.state.cases.db  # type: ignore[attr-defined]
    with db.session() as s:
        conv = s.get(Conversation, web["conversation_id"])
        assert conv is not None and s.get(Conversation, "my-own-id") is None
        assert conv.access_hash == hashlib.sha256(web["conversation_token"].encode()).hexdigest()
        row = s.execute(select(Conversation.__table__).where(Conversation.id == web["conversation_id"])).one()
        assert web["conversation_token"] not in repr(tuple(row))


def test_reading_changes_nothing_and_staff_replies_are_acknowledged_with_the_token(
    client: TestClient,
) -> None:
    app = client.app
    chat = start(client, "Tôi muốn nói chuyện với cán bộ", channel="web")
    conversation, token = chat["conversation_id"], chat["conversation_token"]
    case_id = chat["handoff"]["case_id"]
    cases = app.state.cases  # type: ignore[attr-defined]
    staff = app.state.staff.create_staff(f"agent-{uuid.uuid4().hex[:6]}", "a-long-password-1", "agent")  # type: ignore[attr-defined]
    assert cases.claim(case_id, staff)
    message_id, outbox_id = cases.reply(case_id, staff, "Chị gọi lại số 0912345678 hoặc 0236 3822 222 nhé.")

    def status() -> str:
        with cases.db.session() as s:
            return str(s.get(OutboxMessage, outbox_id).status)

    for _ in range(2):
        r = transcript(client, conversation, token)
        assert r.status_code == 200
        agent = [m for m in r.json()["messages"] if m["sender"] == "agent"]
        assert agent[0]["id"] == message_id
        assert "0912345678" not in agent[0]["text"] and "678" in agent[0]["text"]  # masked
    assert status() == "pending"  # reading is not delivering
    read = f"/api/v1/conversations/{conversation}/read"
    assert client.post(read, json={"through": message_id}).status_code == 404
    assert (
        client.post(read, json={"through": message_id}, headers={"X-Conversation-Token": "x"}).status_code
        == 404
    )
    assert status() == "pending"
    r = client.post(read, json={"through": message_id}, headers={"X-Conversation-Token": token})
    assert r.status_code == 200 and r.json() == {"acknowledged": 2}  # the claim notice and the reply
    assert status() == "sent"
    again = client.post(read, json={"through": message_id}, headers={"X-Conversation-Token": token})
    assert again.json() == {"acknowledged": 0}


@pytest.mark.parametrize(
    "params",
    [
        {"after": "9223372036854775808"},
        {"after": "-1"},
        {"after": "1e400"},
        {"limit": "-5"},
        {"limit": "0"},
        {"limit": "100000000000000000000"},
    ],
)
def test_out_of_range_numbers_on_the_transcript_are_4xx(client: TestClient, params: dict[str, str]) -> None:
    chat = start(client)
    r = transcript(client, chat["conversation_id"], chat["conversation_token"], **params)
    assert 400 <= r.status_code < 500, r.text
    r = client.post(
        f"/api/v1/conversations/{chat['conversation_id']}/read",
        json={"through": 2**64},
        headers={"X-Conversation-Token": chat["conversation_token"]},
    )
    assert r.status_code == 422


def test_forty_complaints_open_one_case(client: TestClient) -> None:
    first = start(client, "Cán bộ phường hạch sách, tôi muốn khiếu nại")
    pair = {"conversation_id": first["conversation_id"], "conversation_token": first["conversation_token"]}
    texts = [f"Tôi muốn khiếu nại cán bộ làm việc chậm trễ, lần {i}" for i in range(39)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda t: client.post(ASK, json={"text": t, **pair}), texts))
    assert {r.status_code for r in responses} == {200}
    db = client.app.state.cases.db  # type: ignore[attr-defined]
    with db.session() as s:
        opened = s.scalar(
            select(func.count()).where(Case.conversation_id == pair["conversation_id"], Case.status.in_(OPEN))
        )
        every = s.scalar(select(func.count()).where(Case.conversation_id == pair["conversation_id"]))
    assert opened == 1 and every == 1


def test_index_info_shows_file_names_not_server_paths(client: TestClient) -> None:
    from pathlib import Path

    info = client.get("/api/v1/index")
    assert info.status_code == 200
    assert info.json()["sources"] and all("/" not in s and "\\" not in s for s in info.json()["sources"])
    root = str(Path(__file__).resolve().parents[2])
    assert root not in info.text and "/tmp" not in info.text


def test_a_chunked_body_over_the_limit_is_413(client: TestClient, sample_settings: Any) -> None:
    limit = sample_settings.server.max_body_bytes

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(limit // 1000 + 2):
            yield b"a" * 1000
        yield b'"}'

    r = client.post(ASK, content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "too large" in r.json()["detail"]
    small = client.post(
        ASK, content=iter([b'{"text": ', b'"xin ch\\u00e0o"}']), headers={"content-type": "application/json"}
    )
    assert small.status_code == 200 and small.json()["answer"]
