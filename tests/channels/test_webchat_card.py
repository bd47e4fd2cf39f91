"""A composed answer in the real web chat (channels/static) in real Chromium: a card with the
title, the aspect asked, the other aspects as sections that open on request, the source once,
and the aspect menu as buttons that send their digit. A screenshot goes to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.console.conftest import ARTIFACTS
from tests.security.live_server import chromium, citizen_pages, live_app


@pytest.fixture(scope="module")
def server(
    sample_settings: Any, sample_runtime: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    with live_app(
        sample_settings, sample_runtime, tmp_path_factory.mktemp("webchat-card"), "webchat-card"
    ) as app:
        yield app


@pytest.fixture(scope="module")
def page(server: Any) -> Iterator[Any]:
    with (
        chromium() as browser,
        citizen_pages(browser, server.state.base_url, viewport={"width": 420, "height": 900}) as make,
    ):
        yield make()


def say(page: Any, text: str) -> dict[str, Any]:
    """Types and sends as a citizen does; returns the API's reply the page received."""
    before = page.locator("#messages li.bot").count()
    page.fill("#message-input", text)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/ask")) as answered:
        page.press("#message-input", "Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#messages li.bot').length > n && !document.getElementById('send').disabled",
        arg=before,
    )
    return answered.value.json()  # type: ignore[no-any-return]


def test_a_procedure_answer_is_a_card_with_sections_on_request(page: Any) -> None:
    data = say(page, "Làm lại căn cước bị mất thì lệ phí bao nhiêu?")
    assert data["blocks"] and data["intent"] == "ask_fee"
    index = page.locator("#messages li.bot").count() - 1
    card = page.locator("#messages li.bot").nth(index).locator(".card")
    assert card.locator(".card-title").inner_text() == "Cấp lại thẻ căn cước"
    assert "35.000 đồng" in card.locator(".card-part").first.inner_text()
    # The source once (not the separate sources list of a text reply).
    url = data["procedures"][0]["url"]
    assert card.locator(f'a[href="{url}"]').count() == 1
    assert page.locator("#messages li.bot").nth(index).locator(".sources").count() == 0
    # The other aspects are closed sections; one opens on a click.
    sections = card.locator("details.card-section")
    assert sections.count() >= 4
    documents = sections.filter(has_text="Thành phần hồ sơ")
    body = documents.locator(".card-lines")
    assert not body.is_visible()
    documents.locator("summary").click()
    assert body.is_visible() and "Phiếu đề nghị" in body.inner_text()
    # The menu: the aspects not yet answered, then 0 for a person; buttons send the digit.
    labels = card.locator(".card-menu button").all_inner_texts()
    assert labels[0] == "1 giấy tờ" and labels[-1] == "0 gặp tổng đài viên"
    assert not any("lệ phí" in label for label in labels)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webchat-card.png"), full_page=True)
    with page.expect_request(lambda r: r.url.endswith("/api/v1/ask")) as sent:
        card.locator(".card-menu button").first.click()
    assert sent.value.post_data_json["text"] == "1"
    page.wait_for_function("() => !document.getElementById('send').disabled")
    # Answered: the menu above can no longer be pressed.
    assert card.locator(".card-menu button").first.is_disabled()


def test_a_reply_composed_as_text_stays_text(page: Any) -> None:
    data = say(page, "xin chào")
    assert data["blocks"] == []
    last = page.locator("#messages li.bot").last
    assert last.locator(".card").count() == 0 and last.locator(".answer").inner_text() == data["answer"]
