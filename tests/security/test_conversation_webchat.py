"""The web chat keeps the conversation's id and token and sends them back.

The real chat script (channels/static/chat.js) runs in Node with a minimal DOM
(webchat_driver.js) against the real app served by uvicorn on a loopback port: no browser is
needed, so this runs wherever Node does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from handoff.models import Message, OutboxMessage
from tests.security.live_server import live_app

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("webchat_driver.js")
CHAT_JS = ROOT / "channels" / "static" / "chat.js"


@pytest.fixture(scope="module")
def server(
    sample_settings: Any, sample_runtime: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    with live_app(sample_settings, sample_runtime, tmp_path_factory.mktemp("webchat"), "webchat") as app:
        yield app


class Page:
    def __init__(self, base_url: str) -> None:
        node = shutil.which("node")
        if node is None:
            pytest.skip("Node.js is not installed; the web chat script cannot run")
        self.proc = subprocess.Popen(
            [node, str(DRIVER), base_url, str(CHAT_JS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def do(self, cmd: str, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the chat driver stopped"
        return json.loads(line)  # type: ignore[no-any-return]

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def page(server: Any) -> Iterator[Page]:
    p = Page(server.state.base_url)
    yield p
    p.close()


def asks(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in state["requests"] if r["url"] == "/api/v1/ask"]


def test_the_chat_keeps_its_pair_reads_staff_replies_and_acknowledges_them(server: Any, page: Page) -> None:
    state = page.do("say", text="Tôi muốn nói chuyện với cán bộ")
    first = asks(state)[0]
    assert first["status"] == 200 and "conversation_id" not in json.loads(first["body"])
    conversation = state["storage"]["hotline.conversation_id"]
    token = state["storage"]["hotline.conversation_token"]
    assert conversation.startswith("web_") and len(token) >= 40

    state = page.do("say", text="Tôi cần hỏi về đăng ký khai sinh")
    second = json.loads(asks(state)[1]["body"])
    assert second["conversation_id"] == conversation and second["conversation_token"] == token
    assert asks(state)[1]["status"] == 200

    cases = server.state.cases
    case = cases.open_case_of(conversation)
    assert case is not None
    staff = server.state.staff.create_staff(f"agent-{uuid.uuid4().hex[:6]}", "a-long-password-1", "agent")
    assert cases.claim(case.id, staff)
    message_id, outbox_id = cases.reply(case.id, staff, "Chào chị, hồ sơ 001099012345 đã nhận.")

    for _ in range(40):
        state = page.do("wait", ms=150)
        if "Chào chị" in state["page"] and any(r["url"].endswith("/read") for r in state["requests"]):
            break
    assert "Chào chị, hồ sơ *********345 đã nhận." in state["page"]  # masked by the server
    reads = [r for r in state["requests"] if "/messages" in r["url"]]
    assert reads and all(r["headers"].get("X-Conversation-Token") == token for r in reads)
    assert {r["status"] for r in reads} == {200}
    ack = next(r for r in state["requests"] if r["url"].endswith("/read"))
    assert ack["status"] == 200 and json.loads(ack["body"])["through"] >= message_id
    with cases.db.session() as s:
        assert s.get(OutboxMessage, outbox_id).status == "sent"


def test_a_conversation_the_server_does_not_know_starts_a_new_one(server: Any, page: Page) -> None:
    page.do("set", key="hotline.conversation_id", value="web_from-an-older-version")
    page.do("set", key="hotline.conversation_token", value="not-the-token")
    state = page.do("say", text="Đăng ký kết hôn cần giấy tờ gì?")
    refused, retried = asks(state)
    assert refused["status"] == 404 and retried["status"] == 200
    assert "conversation_id" not in json.loads(retried["body"])
    fresh = state["storage"]["hotline.conversation_id"]
    assert fresh.startswith("web_") and fresh != "web_from-an-older-version"
    with server.state.cases.db.session() as s:
        texts = s.scalars(select(Message.text).where(Message.conversation_id == fresh)).all()
    assert texts[0] == "Đăng ký kết hôn cần giấy tờ gì?" and len(texts) == 2
