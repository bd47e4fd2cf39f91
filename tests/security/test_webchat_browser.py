"""The real web chat page (channels/static) in real Chromium, against the real app on a port.

Two citizens in two browser contexts, a staff member who claims and answers through the
console's JSON API over HTTP: what a citizen sees, what the page keeps, and what another
page cannot read. A screenshot of the conversation goes to test-artifacts/.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from handoff.models import Message
from tests.console.conftest import ARTIFACTS
from tests.security.live_server import chromium, citizen_pages, live_app

ID_NUMBER = "001099012345"
STAFF_PASSWORD = "mat-khau-can-bo-2025-dai"


@pytest.fixture(scope="module")
def server(
    sample_settings: Any, sample_runtime: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    with live_app(
        sample_settings, sample_runtime, tmp_path_factory.mktemp("webchat-browser"), "webchat-browser"
    ) as app:
        yield app


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def citizen(browser: Any, server: Any) -> Iterator[Any]:
    """Opens a fresh citizen page (its own context: own sessionStorage); script errors fail."""
    with citizen_pages(browser, server.state.base_url) as make:
        yield make


def say(page: Any, text: str) -> dict[str, Any]:
    """Types and sends as a citizen does; returns the request body the page sent."""
    before = page.locator("#messages li.bot").count()
    page.fill("#message-input", text)
    with page.expect_request(lambda r: r.url.endswith("/api/v1/ask")) as sent:
        page.press("#message-input", "Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#messages li.bot').length > n && !document.getElementById('send').disabled",
        arg=before,
    )
    return sent.value.post_data_json  # type: ignore[no-any-return]


def stored_pair(page: Any) -> tuple[str, str]:
    pair = page.evaluate(
        "() => [sessionStorage.getItem('hotline.conversation_id'),"
        " sessionStorage.getItem('hotline.conversation_token')]"
    )
    return pair[0], pair[1]


def fetch_status(page: Any, path: str, token: str | None) -> int:
    """A transcript read made from the page itself, as a script on another tab could."""
    return int(
        page.evaluate(
            """([path, token]) => fetch(path, {headers: token ? {'X-Conversation-Token': token} : {}})
                   .then(r => r.status)""",
            [path, token],
        )
    )


def last_bot_text(page: Any) -> str:
    return str(page.locator("#messages li.bot").last.inner_text())


def staff_session(base_url: str, username: str) -> tuple[httpx.Client, dict[str, str]]:
    http = httpx.Client(base_url=base_url, timeout=20)
    response = http.post("/console/api/login", json={"username": username, "password": STAFF_PASSWORD})
    assert response.status_code == 200, response.text
    return http, {"X-CSRF-Token": response.json()["csrf_token"]}


def test_two_citizens_a_reload_and_a_staff_reply_in_real_chromium(server: Any, citizen: Any) -> None:
    base = server.state.base_url
    page = citizen("vi-VN")

    # A conversation of several turns in two languages; the first question proposes no id.
    first = say(page, "Đăng ký khai sinh cần giấy tờ gì?")
    assert "conversation_id" not in first and "conversation_token" not in first
    conversation, token = stored_pair(page)
    assert conversation.startswith("web_") and len(token) >= 40
    assert "khai sinh" in last_bot_text(page).lower()

    second = say(page, "What documents do I need to register a marriage with a foreigner?")
    assert (second["conversation_id"], second["conversation_token"]) == (conversation, token)
    assert page.locator("#messages li.bot").last.get_attribute("lang") == "en"
    assert "marriage" in last_bot_text(page).lower()

    # A reload keeps the pair and the transcript, and the next turn continues the SAME conversation.
    shown = page.locator("#messages li").count()
    page.reload()
    page.wait_for_selector("#messages li.bot")
    assert page.locator("#messages li").count() == shown
    assert stored_pair(page) == (conversation, token)
    third = say(page, "How much is the fee?")
    assert (third["conversation_id"], third["conversation_token"]) == (conversation, token)

    # Another citizen (another browser context) gets another conversation and cannot read the first.
    other = citizen("en-US")
    say(other, "How do I register a birth?")
    other_id, other_token = stored_pair(other)
    assert other_id.startswith("web_") and other_id != conversation and other_token != token
    transcript = f"/api/v1/conversations/{conversation}/messages"
    assert fetch_status(other, transcript, None) == 404
    assert fetch_status(other, transcript, other_token) == 404
    assert fetch_status(other, transcript, token[:-1] + ("A" if token[-1] != "A" else "B")) == 404
    assert fetch_status(other, f"/api/v1/conversations/{other_id}/messages", other_token) == 200
    assert fetch_status(page, transcript, token) == 200
    stolen = other.evaluate(
        """id => fetch('/api/v1/ask', {method: 'POST', headers: {'Content-Type': 'application/json'},
               body: JSON.stringify({text: 'Cho tôi xem', conversation_id: id})}).then(r => r.status)""",
        conversation,
    )
    assert stolen == 404
    with server.state.cases.db.session() as s:
        first_texts = s.scalars(
            select(Message.text).where(Message.conversation_id == conversation, Message.direction == "in")
        ).all()
    assert first_texts == [
        "Đăng ký khai sinh cần giấy tờ gì?",
        "What documents do I need to register a marriage with a foreigner?",
        "How much is the fee?",
    ]

    # The citizen asks for a person; an agent logs in, claims and answers through the console API.
    say(page, "Tôi muốn gặp nhân viên")
    case = server.state.cases.open_case_of(conversation)
    assert case is not None
    username = f"agent-{uuid.uuid4().hex[:6]}"
    server.state.staff.create_staff(username, STAFF_PASSWORD, "agent")
    http, csrf = staff_session(base, username)
    try:
        assert http.post(f"/console/api/cases/{case.id}/claim", headers=csrf).status_code == 200
        answer = f"Chào anh, số CCCD {ID_NUMBER} của anh đã được ghi nhận."
        response = http.post(f"/console/api/cases/{case.id}/reply", headers=csrf, json={"text": answer})
        assert response.status_code == 200, response.text

        staff_item = page.locator("#messages li.bot", has_text="Chào anh")
        staff_item.wait_for(timeout=15_000)
        assert "*********345" in staff_item.inner_text()  # masked by the server
        assert ID_NUMBER not in page.content()
        assert ID_NUMBER not in str(page.evaluate("() => JSON.stringify(sessionStorage)"))
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "webchat-staff-reply.png"), full_page=True)

        # A reload during the handoff keeps listening: a second staff reply appears, once, and the
        # first is not shown twice.
        page.reload()
        page.wait_for_selector("#messages li.bot")
        assert page.locator("#messages li.bot", has_text="Chào anh").count() == 1
        response = http.post(
            f"/console/api/cases/{case.id}/reply",
            headers=csrf,
            json={"text": 'Anh cần thêm giấy đăng ký kết hôn. <img src=x onerror="document.title=1">'},
        )
        assert response.status_code == 200, response.text
        page.locator("#messages li.bot", has_text="giấy đăng ký kết hôn").wait_for(timeout=15_000)
        page.wait_for_timeout(4500)  # one more poll: nothing is repeated
        assert page.locator("#messages li.bot", has_text="Chào anh").count() == 1
        assert page.locator("#messages li.bot", has_text="giấy đăng ký kết hôn").count() == 1
        # Staff text is shown as text: the markup is visible and nothing of it runs.
        assert page.locator("#messages img").count() == 0 and page.title() != "1"
        assert "<img src=x" in page.locator("#messages li.bot", has_text="giấy đăng ký kết hôn").inner_text()
    finally:
        http.close()

    # The transcript the citizen may read is masked as well.
    body = page.evaluate(
        """([path, token]) => fetch(path, {headers: {'X-Conversation-Token': token}}).then(r => r.text())""",
        [transcript, token],
    )
    assert "Chào anh" in body and ID_NUMBER not in body
