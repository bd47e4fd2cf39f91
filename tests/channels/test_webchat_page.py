"""The web chat in real Chromium against the real app on a port: the welcoming start, the
handoff the citizen can see, and the page's language.

An officer logs into the console's JSON API over HTTP (as the console page does) to claim,
answer and resolve. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.console.conftest import ARTIFACTS
from tests.security.live_server import chromium, citizen_pages, live_app, watched_pages

OPERATOR = "Trung tâm Phục vụ hành chính công TP Đà Nẵng"
PASSWORD = "mat-khau-can-bo-trinh-duyet-2025"
TRANSCRIPT_READ = "**/api/v1/conversations/*/messages*"


@pytest.fixture(scope="module")
def server(
    sample_settings: Any, sample_runtime: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    from channels.settings import WebChatSettings

    webchat = WebChatSettings(
        operator_name=OPERATOR, retention_days=180, privacy_url="https://danang.gov.vn/chinh-sach-bao-mat"
    )
    settings = sample_settings.model_copy(update={"webchat": webchat})
    with live_app(settings, sample_runtime, tmp_path_factory.mktemp("webchat-start"), "webchat-start") as app:
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


def send(page: Any, text: str) -> dict[str, Any]:
    """Types and sends as a citizen does; returns the /ask reply once the page has handled it."""
    page.fill("#message-input", text)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/ask")) as answered:
        page.press("#message-input", "Enter")
    page.wait_for_function("() => !document.getElementById('send').disabled")
    return answered.value.json()  # type: ignore[no-any-return]


def items(page: Any) -> list[str]:
    """The conversation as shown, one entry per item, in screen order."""
    return [" ".join(t.split()) for t in page.locator("#messages li").all_inner_texts()]


def position(shown: list[str], fragment: str) -> int:
    found = [i for i, text in enumerate(shown) if fragment in text]
    assert len(found) == 1, (fragment, shown)
    return found[0]


class Officer:
    """An officer logged into the console's JSON API over HTTP."""

    def __init__(self, server: Any, display_name: str) -> None:
        username = f"officer-{uuid.uuid4().hex[:6]}"
        server.state.staff.create_staff(username, PASSWORD, "agent", display_name=display_name)
        self.http = httpx.Client(base_url=server.state.base_url, timeout=20)
        response = self.http.post("/console/api/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        self.csrf = {"X-CSRF-Token": response.json()["csrf_token"]}

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.post(f"/console/api{path}", headers=self.csrf, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def close(self) -> None:
        self.http.close()


def test_the_chat_opens_with_the_operator_a_privacy_line_and_topic_chips_that_ask(citizen: Any) -> None:
    page = citizen("vi-VN")
    page.locator("#topics button.topic").first.wait_for()
    assert page.locator("#operator").inner_text() == OPERATOR
    privacy = page.locator("#privacy").inner_text()
    assert "180 ngày" in privacy and "cán bộ tổng đài" in privacy  # how long, and who sees it
    assert page.locator("#privacy a").get_attribute("href") == "https://danang.gov.vn/chinh-sach-bao-mat"
    chips = page.locator("#topics button.topic")
    assert chips.count() == 6
    assert "Khai sinh" in chips.all_inner_texts()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webchat-welcome.png"), full_page=True)

    with page.expect_request(lambda r: r.url.endswith("/api/v1/ask")) as sent:
        page.get_by_role("button", name="Khai sinh").click()
    assert sent.value.post_data_json["text"] == "Đăng ký khai sinh cần giấy tờ gì?"
    page.wait_for_function("() => document.querySelectorAll('#messages li.bot').length > 1")
    assert "khai sinh" in page.locator("#messages li.bot").last.inner_text().lower()
    assert page.locator("#messages li.user").last.inner_text().endswith("Đăng ký khai sinh cần giấy tờ gì?")

    # A foreign resident's browser gets the chips and the line in their language.
    other = citizen("en-US")
    other.locator("#topics button.topic").first.wait_for()
    assert "Birth registration" in other.locator("#topics button.topic").all_inner_texts()
    assert "180 days" in other.locator("#privacy").inner_text()


def test_after_a_reload_staff_replies_and_notices_appear_in_order_without_typing(
    server: Any, citizen: Any
) -> None:
    page = citizen("vi-VN")
    first = send(page, "Tôi muốn gặp nhân viên")
    assert first["handoff"] is not None
    case_id = first["handoff"]["case_id"]
    lan = Officer(server, "Trần Thị Lan")
    try:
        # Claimed: the citizen is told who helps, without typing.
        lan.post(f"/cases/{case_id}/claim")
        claimed = "Cán bộ Trần Thị Lan (Tổng đài viên) đang hỗ trợ bạn."
        page.locator("#messages li.system", has_text=claimed).wait_for(timeout=15_000)

        # A reload, then a staff reply: it appears without typing, once.
        page.reload()
        page.wait_for_selector("#messages li.bot")
        assert page.locator("#messages li.system", has_text=claimed).count() == 1
        lan.post(f"/cases/{case_id}/reply", {"text": "Chào chị, chị cần hỗ trợ thủ tục nào?"})
        page.locator("#messages li.staff", has_text="Chào chị").wait_for(timeout=15_000)

        # The page misses a staff reply (its transcript reads fail), and the citizen writes
        # after it: once the reads work again, the reply shows ABOVE the newer message, as the
        # server stored them, and the citizen's message is acknowledged below it.
        page.route(TRANSCRIPT_READ, lambda route: route.abort())
        lan.post(f"/cases/{case_id}/reply", {"text": "Chị gửi giúp em ảnh giấy chứng sinh nhé."})
        held = send(page, "Con tôi sinh ở Nhật")
        assert held["intent"] == "handoff_active" and held["answer"] == ""
        page.unroute(TRANSCRIPT_READ)
        page.locator("#messages li.staff", has_text="giấy chứng sinh").wait_for(timeout=15_000)
        page.locator("#messages li.system", has_text="Đã chuyển tin nhắn").wait_for(timeout=15_000)
        shown = items(page)
        assert (
            position(shown, "Chào chị")
            < position(shown, "giấy chứng sinh")
            < position(shown, "Con tôi sinh ở Nhật")
            < position(shown, "Đã chuyển tin nhắn")
        )

        # Resolved: the citizen is told, with how to reopen.
        lan.post(f"/cases/{case_id}/resolve", {"outcome": "answered"})
        resolved = page.locator("#messages li.system", has_text="đã được giải quyết")
        resolved.wait_for(timeout=15_000)
        assert "gặp tổng đài viên" in resolved.inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "webchat-handoff-notices.png"), full_page=True)

        # What the page shows is the server's transcript, in its order, each message once,
        # after another reload too.
        page.reload()
        page.wait_for_selector("#messages li.system")
        conversation, token = page.evaluate(
            "() => [sessionStorage.getItem('hotline.conversation_id'),"
            " sessionStorage.getItem('hotline.conversation_token')]"
        )
        stored = httpx.get(
            f"{server.state.base_url}/api/v1/conversations/{conversation}/messages",
            headers={"X-Conversation-Token": token},
        ).json()["messages"]
        expected = [" ".join(m["text"].split()) for m in stored if m["text"]]
        shown = items(page)[1:]  # after the welcome
        assert len(shown) == len(expected)
        for text, item in zip(expected, shown, strict=True):
            assert text[:40] in item, (text, item)
    finally:
        lan.close()


def test_the_page_language_stays_vietnamese_after_thanks(citizen: Any) -> None:
    page = citizen("vi-VN")
    first = send(page, "Đăng ký khai sinh cần giấy tờ gì?")
    assert first["language"] == "vi"
    assert page.evaluate("() => document.documentElement.lang") == "vi"
    thanks = send(page, "cảm ơn")
    assert thanks["language"] == "vi"  # the conversation's language, which the page follows
    assert page.evaluate("() => document.documentElement.lang") == "vi"
    assert page.locator("#send").inner_text() == "Gửi"
    stored = page.evaluate("() => sessionStorage.getItem('hotline.conversation_lang')")
    assert json.dumps(stored) == '"vi"'


TEXTS = "**/api/v1/webchat/texts*"


def _held_texts(page: Any) -> list[Any]:
    """Holds the page's texts back (the catalogue on a slow network) until released."""
    held: list[Any] = []
    page.route(TEXTS, lambda route: held.append(route))
    return held


def _release(page: Any, held: list[Any]) -> None:
    page.wait_for_function("() => true")  # let Playwright dispatch the held request
    assert held, "the page never asked for its texts"
    for route in held:
        route.continue_()
    page.unroute(TEXTS)
    page.wait_for_function("() => !document.documentElement.classList.contains('i18n-pending')")


def test_a_reload_paints_in_the_conversations_language_with_no_flash_of_vietnamese(citizen: Any) -> None:
    page = citizen("vi-VN")  # a Vietnamese browser, an English conversation
    assert send(page, "How do I register the birth of my daughter?")["language"] == "en"
    held = _held_texts(page)
    page.reload(wait_until="domcontentloaded")
    page.wait_for_timeout(300)  # time enough to paint, were it allowed to
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert not page.locator("#send").is_visible()  # the HTML's "Gửi" is never shown
    assert not page.locator("h1").is_visible()
    _release(page, held)
    assert page.locator("#send").inner_text() == "Send"
    assert page.locator("h1").inner_text() == "Administrative procedures helpline"
    assert page.title() == "Administrative procedures helpline"


def test_a_new_conversation_paints_in_the_browsers_language(browser: Any, server: Any) -> None:
    with watched_pages(browser, server.state.base_url) as open_page:
        for locale, send_label in (("fr-FR", "Envoyer"), ("vi-VN", "Gửi")):
            page = open_page(locale=locale)
            held = _held_texts(page)
            page.goto("/", wait_until="domcontentloaded")
            page.wait_for_timeout(300)
            # French waits for its texts; Vietnamese, the HTML's own, shows at once.
            assert page.locator("#send").is_visible() is (locale == "vi-VN")
            _release(page, held)
            assert page.locator("#send").inner_text() == send_label
            assert page.evaluate("() => document.documentElement.lang") == locale[:2]
