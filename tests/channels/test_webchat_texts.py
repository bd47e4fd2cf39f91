"""The web chat's texts come from the `webchat` message catalogue: served per language by
GET /api/v1/webchat/texts, the default topic chips through GET /api/v1/welcome, and a language
added to the catalogues (a pseudo-locale here) gets a whole web chat in real Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po, write_po

from bot import texts
from tests.security.live_server import chromium, live_app, watched_pages

LOCALES = Path(__file__).resolve().parents[2] / "locales"


def pseudo_locale_tree(folder: Path, code: str = "xx") -> Path:
    """A copy of the catalogues with one more language: the Vietnamese texts in brackets."""
    tree = folder / "locales"
    shutil.copytree(LOCALES, tree, ignore=shutil.ignore_patterns("*.mo"))
    listed = (LOCALES / "LINGUAS").read_text(encoding="utf-8").split()
    (tree / "LINGUAS").write_text("\n".join([*listed, code]) + "\n", encoding="utf-8")
    for po in (LOCALES / "vi" / "LC_MESSAGES").glob("*.po"):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale="vi", domain=po.stem)
        for message in catalog:
            if message.id and message.string and message.string != texts.EMPTY:
                message.string = f"⟦{message.string}⟧"
        target = tree / code / "LC_MESSAGES" / po.name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            write_po(handle, catalog)
    return tree


def test_the_texts_of_every_language_are_served_complete_and_cacheable(client: Any) -> None:
    response = client.get("/api/v1/webchat/texts")
    assert response.status_code == 200
    assert "public" in response.headers["cache-control"]
    data = response.json()
    assert [item["code"] for item in data["languages"]] == list(texts.languages())
    assert {"code": "fr", "name": "Français"} in data["languages"]
    assert set(data["texts"]) == set(texts.languages())
    keys = set(data["texts"]["vi"])
    assert {"placeholder", "send", "errorNetwork", "privacy", "staff"} <= keys
    assert not any(key.startswith("topic.") for key in keys)  # the chips travel with the welcome
    for lang, table in data["texts"].items():
        assert set(table) == keys, lang
    # The sentences the page had in its script, unchanged.
    assert data["texts"]["en"]["send"] == "Send"
    assert (
        data["texts"]["fr"]["handoff"] == "Votre demande a été transmise à un conseiller (référence : {id})."
    )
    assert data["texts"]["ja"]["staff"] == "担当者"


def test_one_language_alone_and_an_unknown_one_refused(client: Any) -> None:
    response = client.get("/api/v1/webchat/texts", params={"lang": "ko"})
    assert response.status_code == 200
    assert list(response.json()["texts"]) == ["ko"]
    assert response.json()["texts"]["ko"]["send"]
    refused = client.get("/api/v1/webchat/texts", params={"lang": "zz"})
    assert refused.status_code == 404 and "zz" in refused.text
    assert client.get("/api/v1/webchat/texts", params={"lang": "x" * 40}).status_code == 422


def test_the_default_topic_chips_are_the_catalogues(client: Any) -> None:
    topics = client.get("/api/v1/welcome").json()["topics"]
    assert len(topics) == 6
    first = topics[0]
    assert first["label"]["vi"] == "Khai sinh" and first["label"]["en"] == "Birth registration"
    assert first["question"]["vi"] == "Đăng ký khai sinh cần giấy tờ gì?"
    assert topics[-1]["question"]["ko"] == "제 서류 처리 상황을 조회하고 싶어요"
    for topic in topics:
        assert set(topic["label"]) == set(topic["question"]) == set(texts.languages())


def test_the_operators_topics_still_replace_them(sample_settings: Any, sample_runtime: Any) -> None:
    from fastapi.testclient import TestClient

    from channels.api import create_app
    from channels.settings import TopicSettings, WebChatSettings

    own = WebChatSettings(topics=[TopicSettings(label={"vi": "Đất đai"}, question={"vi": "Cấp sổ đỏ?"})])
    for webchat, expected in ((own, [{"label": {"vi": "Đất đai"}, "question": {"vi": "Cấp sổ đỏ?"}}]),
                              (WebChatSettings(topics=[]), [])):  # fmt: skip
        app = create_app(sample_settings.model_copy(update={"webchat": webchat}), runtime=sample_runtime)
        with TestClient(app) as client:
            assert client.get("/api/v1/welcome").json()["topics"] == expected


def test_the_welcome_topics_follow_a_language_added_to_the_catalogues(client: Any, tmp_path: Path) -> None:
    texts.use(pseudo_locale_tree(tmp_path))
    try:
        topics = client.get("/api/v1/welcome").json()["topics"]
        assert topics[0]["label"]["xx"] == "⟦Khai sinh⟧"
        served = client.get("/api/v1/webchat/texts", params={"lang": "xx"}).json()
        assert served["texts"]["xx"]["send"] == "⟦Gửi⟧"
        assert {"code": "xx", "name": "⟦Tiếng Việt⟧"} in served["languages"]
    finally:
        texts.use(None)


@pytest.fixture(scope="module")
def pseudo_server(
    sample_settings: Any, sample_runtime: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("webchat-texts")
    texts.use(pseudo_locale_tree(folder))
    try:
        with live_app(sample_settings, sample_runtime, folder, "webchat-texts") as app:
            yield app
    finally:
        texts.use(None)


def test_a_language_added_to_the_catalogues_gets_the_whole_web_chat(pseudo_server: Any) -> None:
    with chromium() as browser, watched_pages(browser, pseudo_server.state.base_url) as open_page:
        page = open_page(locale="vi-VN", viewport={"width": 900, "height": 1000})
        page.goto("/")
        page.wait_for_selector("#messages li.bot")
        assert page.locator("#lang-select option[value='xx']").inner_text() == "⟦Tiếng Việt⟧"
        page.select_option("#lang-select", "xx")
        page.wait_for_function("() => document.documentElement.lang === 'xx'")
        assert page.locator("#send").inner_text() == "⟦Gửi⟧"
        assert page.locator("#subtitle").inner_text().startswith("⟦Hỏi về hồ sơ")
        assert page.locator("#message-input").get_attribute("placeholder").startswith("⟦")
        assert page.locator("#messages li.bot").first.inner_text().count("⟦Xin chào!") == 1
        page.locator("#topics button.topic").first.wait_for()
        assert "⟦Khai sinh⟧" in page.locator("#topics button.topic").all_inner_texts()
        assert page.locator("#privacy").inner_text().startswith("⟦")
        # The choice is kept: a reload shows the page in the added language at once.
        page.reload()
        page.wait_for_selector("#messages li.bot")
        assert page.locator("#lang-select").input_value() == "xx"
        assert page.locator("#send").inner_text() == "⟦Gửi⟧"


def test_without_its_texts_the_page_still_asks_in_the_vietnamese_of_its_html(pseudo_server: Any) -> None:
    with chromium() as browser, watched_pages(browser, pseudo_server.state.base_url) as open_page:
        page = open_page(locale="en-US", viewport={"width": 900, "height": 1000})
        page.route("**/api/v1/webchat/texts*", lambda route: route.abort())
        page.goto("/")
        page.wait_for_selector("#messages li.bot")
        assert page.locator("#send").inner_text() == "Gửi"
        assert page.locator("#message-input").get_attribute("placeholder").startswith("Nhập câu hỏi")
        page.fill("#message-input", "đăng ký kết hôn")
        with page.expect_response(lambda r: r.url.endswith("/api/v1/ask")):
            page.press("#message-input", "Enter")
        page.wait_for_function("() => document.querySelectorAll('#messages li.bot').length > 1")
        # The server down as well: the citizen is told so, in the words the page's HTML carries.
        page.route("**/api/v1/ask", lambda route: route.abort())
        page.fill("#message-input", "lệ phí bao nhiêu")
        page.press("#message-input", "Enter")
        error = page.locator("#messages li.error")
        error.wait_for()
        assert "Không kết nối được với máy chủ" in error.inner_text()
