"""What the citizen is told about a handoff, through the real app on SQLite and PostgreSQL.

A citizen of the web chat (the public API with ``channel: web``) asks for a person; an officer
logs into the console and claims, replies and resolves through its JSON API. The citizen's
transcript (``GET /api/v1/conversations/{id}/messages``) then holds a notice naming the
officer, an acknowledgement of what the citizen wrote while held (at most one per
``handoff.acknowledge_every_minutes``) and a notice that the case is resolved with how to
reopen it, each in the conversation's language, masked, and queued in the outbox of the
conversation's channel until the client acknowledges it. A Telegram citizen gets the same
notices pushed through the outbox to the (loopback) Bot API.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from handoff.models import Message, OutboxMessage
from tests.pg import postgres_fixture

PASSWORD = "mat-khau-can-bo-thong-bao-2025"
pg_server = postgres_fixture("module")
_ids = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def app(
    request: pytest.FixtureRequest, sample_settings: Any, sample_runtime: Any, tmp_path: Any
) -> Iterator[Any]:
    """The real app through its lifespan on a fresh database of each kind."""
    from channels.api import create_app
    from channels.settings import DatabaseSettings

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hotline.db'}"
    else:
        url = request.getfixturevalue("pg_server").fresh_url("notices")
    settings = sample_settings.model_copy(update={"database": DatabaseSettings(url=url)})
    runtime = dataclasses.replace(sample_runtime, assistant=copy.copy(sample_runtime.assistant))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DATABASE_URL", raising=False)
        application = create_app(settings, runtime=runtime)
        with TestClient(application) as client:
            application.state.client = client
            yield application


def ask(app: Any, text: str, pair: tuple[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text, "channel": "web"}
    if pair is not None:
        body.update(conversation_id=pair[0], conversation_token=pair[1])
    response = app.state.client.post("/api/v1/ask", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def transcript(app: Any, pair: tuple[str, str], after: int = 0) -> list[dict[str, Any]]:
    response = app.state.client.get(
        f"/api/v1/conversations/{pair[0]}/messages",
        params={"after": after},
        headers={"X-Conversation-Token": pair[1]},
    )
    assert response.status_code == 200, response.text
    return response.json()["messages"]  # type: ignore[no-any-return]


def notices(app: Any, pair: tuple[str, str]) -> list[tuple[str, str]]:
    return [(m["intent"], m["text"]) for m in transcript(app, pair) if m["sender"] == "system"]


class Officer:
    """A staff member logged into the console's JSON API (cookie + CSRF header)."""

    def __init__(self, app: Any, role: str = "agent", display_name: str = "Trần Thị Lan") -> None:
        self.username = f"officer-{uuid.uuid4().hex[:6]}"
        app.state.staff.create_staff(self.username, PASSWORD, role, display_name=display_name)
        self.client = app.state.client
        response = self.client.post(
            "/console/api/login", json={"username": self.username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        self.csrf = {"X-CSRF-Token": response.json()["csrf_token"]}

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.client.post(f"/console/api{path}", headers=self.csrf, json=body)
        assert response.status_code == 200, response.text
        return response.json()


def handed_off(app: Any, text: str = "Tôi muốn nói chuyện với cán bộ") -> tuple[tuple[str, str], str]:
    first = ask(app, text)
    assert first["handoff"] is not None, first
    return (first["conversation_id"], first["conversation_token"]), first["handoff"]["case_id"]


def test_the_citizen_is_told_who_took_the_case_that_messages_reach_them_and_that_it_is_resolved(
    app: Any,
) -> None:
    pair, case_id = handed_off(app)
    assert notices(app, pair) == []  # waiting in the queue: nobody holds it yet

    lan = Officer(app)
    lan.post(f"/cases/{case_id}/claim")
    claimed = notices(app, pair)
    assert claimed == [("handoff_claimed", "Cán bộ Trần Thị Lan (Tổng đài viên) đang hỗ trợ bạn.")]

    # Held: the bot is quiet, the first message is acknowledged, the next ones within the
    # window are not (one acknowledgement, not one per line).
    for text in ("Con tôi sinh ở Nhật, số điện thoại tôi là 0905123456", "Tôi ở phường Hải Châu", "Cảm ơn"):
        reply = ask(app, text, pair)
        assert reply["intent"] == "handoff_active" and reply["answer"] == ""
        assert reply["handoff"] == {"case_id": case_id, "status": "assigned"}
    messages = transcript(app, pair)
    acks = [m for m in messages if m["intent"] == "handoff_ack"]
    assert [m["text"] for m in acks] == ["Đã chuyển tin nhắn cho cán bộ đang hỗ trợ bạn."]
    citizen = [m["id"] for m in messages if m["sender"] == "citizen"]
    assert citizen[1] < acks[0]["id"] < citizen[2]  # right after the first message while held
    assert "0905123456" not in str(messages) and "*******456" in str(messages)  # masked as ever

    # After the window, the next message is acknowledged again.
    with app.state.cases.db.session() as s:
        ack = s.get(Message, acks[0]["id"])
        ack.created_at = ack.created_at - timedelta(minutes=6)
    ask(app, "Tôi gửi thêm ảnh giấy chứng sinh được không?", pair)
    assert [i for i, _ in notices(app, pair)].count("handoff_ack") == 2

    lan.post(f"/cases/{case_id}/reply", {"text": "Chào chị, chị mang giấy chứng sinh bản gốc nhé."})
    lan.post(f"/cases/{case_id}/resolve", {"outcome": "answered"})
    resolved = notices(app, pair)[-1]
    assert resolved[0] == "handoff_resolved"
    assert case_id in resolved[1] and "đã được giải quyết" in resolved[1]
    assert "“gặp tổng đài viên”" in resolved[1] and "24 giờ" in resolved[1]

    # In the transcript's order: claim notice, acknowledgement, staff reply, resolution.
    senders = [(m["sender"], m["intent"]) for m in transcript(app, pair) if m["sender"] != "citizen"]
    assert senders[-3:] == [("system", "handoff_ack"), ("agent", None), ("system", "handoff_resolved")]

    # Every notice waits in the web channel's outbox like a staff reply, until the page says it
    # has shown it.
    with app.state.cases.db.session() as s:
        queued = s.execute(
            select(OutboxMessage.channel, OutboxMessage.status, Message.intent)
            .join(Message, Message.id == OutboxMessage.message_id)
            .where(OutboxMessage.conversation_id == pair[0])
            .order_by(OutboxMessage.id)
        ).all()
    assert [(c, st, i) for c, st, i in queued] == [
        ("web", "pending", "handoff_claimed"),
        ("web", "pending", "handoff_ack"),
        ("web", "pending", "handoff_ack"),
        ("web", "pending", None),
        ("web", "pending", "handoff_resolved"),
    ]
    last = transcript(app, pair)[-1]["id"]
    read = app.state.client.post(
        f"/api/v1/conversations/{pair[0]}/read",
        json={"through": last},
        headers={"X-Conversation-Token": pair[1]},
    )
    assert read.json() == {"acknowledged": 5}

    # What the resolution notice says works: asking for a person again reopens the same case,
    # straight back to Lan (still at her console); the transcript reads in order: the question,
    # the bot's reply, then who helps.
    seen = transcript(app, pair)[-1]["id"]
    again = ask(app, "gặp tổng đài viên", pair)
    assert again["handoff"] is not None and again["handoff"]["case_id"] == case_id
    assert again["handoff"]["status"] == "assigned"
    after = [(m["sender"], m["intent"]) for m in transcript(app, pair, after=seen)]
    assert after == [("citizen", None), ("bot", again["intent"]), ("system", "handoff_claimed")], after
    assert transcript(app, pair, after=seen)[-1]["text"] == claimed[0][1]


def test_notices_follow_the_conversations_language_and_the_officers_role(app: Any) -> None:
    pair, case_id = handed_off(app, "I would like to talk to a person, please")
    boss = Officer(app, role="supervisor", display_name="")
    boss.post(f"/cases/{case_id}/claim")
    assert notices(app, pair) == [("handoff_claimed", "A supervisor is now helping you.")]
    reply = ask(app, "My daughter was born in Japan", pair)
    assert reply["language"] == "en" and reply["intent"] == "handoff_active"
    boss.post(f"/cases/{case_id}/resolve", {"outcome": "answered"})
    said = dict(notices(app, pair))
    assert said["handoff_ack"] == "Your message has been passed to the officer helping you."
    assert "“talk to a person” within 24 hours" in said["handoff_resolved"]
    # A transfer to a colleague tells the citizen who helps now.
    pair2, case2 = handed_off(app, "I would like to talk to a person, please")
    boss.post(f"/cases/{case2}/claim")
    minh = app.state.staff.create_staff(
        f"minh-{uuid.uuid4().hex[:6]}", PASSWORD, "agent", display_name="Lê Văn Minh"
    )
    boss.post(f"/cases/{case2}/transfer", {"staff_id": minh.id})
    assert notices(app, pair2)[-1] == (
        "handoff_claimed",
        "Officer Lê Văn Minh (hotline agent) is now helping you.",
    )


def test_without_the_officers_name_the_notice_gives_the_role(app: Any) -> None:
    app.state.cases.settings = app.state.cases.settings.model_copy(update={"notice_officer_name": False})
    pair, case_id = handed_off(app)
    Officer(app).post(f"/cases/{case_id}/claim")
    assert notices(app, pair) == [("handoff_claimed", "Tổng đài viên đang hỗ trợ bạn.")]


# -- a push channel: the notices reach Telegram through the outbox ------------------------------


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail("timed out")


def test_a_telegram_citizen_gets_the_notices_pushed(
    sample_settings: Any, sample_runtime: Any, tmp_path: Any
) -> None:
    from tests.fakes.telegram_api import text_update
    from tests.security.channels_app import all_channels

    with all_channels(sample_settings, sample_runtime, tmp_path / "hotline.db") as chans:
        app = chans.client.app
        app.state.client = chans.client
        user = 8_100_000 + next(_ids)
        chat = str(user)

        def sent() -> list[str]:
            calls = chans.telegram.calls_of("sendMessage")
            return [str(c.params.get("text", "")) for c in calls if str(c.params.get("chat_id")) == chat]

        assert (
            chans.telegram_post(
                text_update(9_100_000 + next(_ids), user, "Cho tôi gặp tổng đài viên")
            ).status_code
            == 200
        )
        wait_for(sent)
        case = wait_for(lambda: app.state.cases.open_case_of(f"telegram:{chat}"))
        lan = Officer(app)
        lan.post(f"/cases/{case.id}/claim")
        wait_for(lambda: any("Cán bộ Trần Thị Lan (Tổng đài viên) đang hỗ trợ bạn." in t for t in sent()))
        assert (
            chans.telegram_post(
                text_update(9_100_000 + next(_ids), user, "Con tôi sinh năm 2024")
            ).status_code
            == 200
        )
        wait_for(lambda: any("Đã chuyển tin nhắn cho cán bộ" in t for t in sent()))
        lan.post(f"/cases/{case.id}/resolve", {"outcome": "answered"})
        wait_for(lambda: any("đã được giải quyết" in t for t in sent()))

        def statuses() -> set[str]:
            with app.state.cases.db.session() as s:
                rows = s.scalars(
                    select(OutboxMessage.status).where(OutboxMessage.conversation_id == f"telegram:{chat}")
                ).all()
            return set(rows)

        wait_for(lambda: statuses() == {"sent"})


def test_a_caller_gets_no_text_notices(app: Any) -> None:
    """A phone caller talks to the officer or is called back: no SMS per notice."""
    from bot.ports import HandoffPacket

    cases = app.state.cases
    conversation = f"voice:+8490{next(_ids):07d}"
    ref = cases.open_case(
        HandoffPacket(
            conversation_id=conversation,
            channel="voice",
            language="vi",
            reason="talk_to_human",
            channel_user_id=conversation[6:],
        )
    )
    staff = app.state.staff.create_staff(
        f"phone-{uuid.uuid4().hex[:6]}", PASSWORD, "agent", display_name="Lan"
    )
    assert cases.claim(ref.case_id, staff)
    cases.on_citizen_message(conversation, None)
    cases.resolve(ref.case_id, staff, "answered")
    with cases.db.session() as s:
        assert s.scalars(select(Message).where(Message.conversation_id == conversation)).all() == []
        assert (
            s.scalars(select(OutboxMessage).where(OutboxMessage.conversation_id == conversation)).all() == []
        )


def test_the_terminal_chat_prints_the_acknowledgement(sample_config: Any, sample_settings: Any) -> None:
    """`hotline chat` shows the notices like staff replies (channel ``terminal``)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from handoff.auth import StaffService
    from handoff.db import Database
    from handoff.service import CaseService

    conversation = f"cli-held-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    root = Path(__file__).resolve().parents[2]

    def chat(text: str) -> str:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "channels.cli",
                "chat",
                "--config",
                str(sample_config),
                "--conversation",
                conversation,
            ],
            cwd=root,
            env=env,
            input=f"{text}\n/quit\n",
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    chat("Tôi muốn nói chuyện với cán bộ")
    db = Database(sample_settings.database_url)
    try:
        cases = CaseService(db, sample_settings.handoff)
        case = cases.open_case_of(conversation)
        assert case is not None
        staff = StaffService(db, sample_settings.handoff).create_staff(
            f"cli-{uuid.uuid4().hex[:6]}", PASSWORD, "agent", display_name="Trần Thị Lan"
        )
        assert cases.claim(case.id, staff)
    finally:
        db.dispose()
    assert "[notice] Đã chuyển tin nhắn cho cán bộ đang hỗ trợ bạn." in chat("Con tôi sinh ở Nhật")
