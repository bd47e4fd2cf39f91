"""The handoff seen from both sides, in real Chromium against the real app (the sample index):
a citizen on a phone-sized web chat and an officer in the console, from the first question to
the bot answering again after the case is resolved. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.console.conftest import ARTIFACTS
from tests.security.live_server import live_app, watched_pages

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.slow

PASSWORD = "mat-khau-can-bo-hanh-trinh-2025"
PHONE = "0905 123 456"
ID_NUMBER = "001099012345"
PHONE_SIZE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def server(
    sample_settings: Any, sample_runtime: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    with live_app(sample_settings, sample_runtime, tmp_path_factory.mktemp("journey"), "journey") as app:
        app.state.staff.create_staff("lan-journey", PASSWORD, "agent", display_name="Trần Thị Lan")
        yield app


@pytest.fixture
def pages(browser: Any, server: Any) -> Iterator[Any]:
    """New pages, each in its own context. Nothing in this journey is refused on purpose: any
    script error, console error (a missing icon too) or 4xx/5xx response is a defect."""
    with watched_pages(browser, server.state.base_url, strict=True) as make:
        yield make


def send(page: Any, text: str) -> dict[str, Any]:
    page.fill("#message-input", text)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/ask")) as answered:
        page.press("#message-input", "Enter")
    page.wait_for_function("() => !document.getElementById('send').disabled")
    return answered.value.json()  # type: ignore[no-any-return]


def items(page: Any) -> list[str]:
    return [" ".join(t.split()) for t in page.locator("#messages li").all_inner_texts()]


def position(shown: list[str], fragment: str) -> int:
    found = [i for i, text in enumerate(shown) if fragment in text]
    assert len(found) == 1, (fragment, shown)
    return found[0]


def settled(page: Any) -> None:
    """Waits for the smooth scroll of the conversation to stop."""
    page.wait_for_function(
        """() => new Promise((done) => {
             const view = document.getElementById('conversation');
             let last = -1;
             const tick = () => { if (view.scrollTop === last) { done(true); } else { last = view.scrollTop; setTimeout(tick, 120); } };
             tick();
           })"""
    )


def test_a_citizen_and_an_officer_play_the_whole_handoff(server: Any, pages: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    citizen = pages(locale="vi-VN", viewport=PHONE_SIZE)
    citizen.goto("/")
    citizen.wait_for_selector("#messages li.bot")

    # Two questions in Vietnamese. A card taller than the phone's view is shown from its
    # title, not scrolled past it to the menu at its end.
    first = send(citizen, "Đăng ký khai sinh cho con ở phường Hải Châu cần giấy tờ gì?")
    assert first["language"] == "vi" and first["place"]["name"] == "Phường Hải Châu"
    settled(citizen)
    title = citizen.locator("#messages li.bot").last.locator(".card-title")
    expect(title).to_have_text("Thủ tục đăng ký khai sinh")
    expect(title).to_be_in_viewport()
    citizen.screenshot(path=str(ARTIFACTS / "journey-phone-card.png"))
    fee = send(citizen, "Lệ phí bao nhiêu?")
    assert fee["intent"] == "ask_fee"
    # No card spills sideways on a phone.
    assert citizen.evaluate("() => document.documentElement.scrollWidth") <= PHONE_SIZE["width"]

    # Then English, and a person, giving a number and an ID.
    assert send(citizen, "How long does it take to register the birth of my child?")["language"] == "en"
    handed = send(citizen, f"I want to talk to a person please. My phone is {PHONE}, my ID {ID_NUMBER}")
    case_id = handed["handoff"]["case_id"]
    settled(citizen)
    answer = citizen.locator("#messages li.bot").last
    # The reference once, and no internal status code ("waiting") under the answer.
    assert answer.inner_text().count(case_id) == 1, answer.inner_text()
    assert "waiting" not in answer.inner_text()
    citizen.screenshot(path=str(ARTIFACTS / "journey-phone-handoff.png"))

    # The officer signs in through the form, sees the case in the queue and opens it.
    officer = pages(locale="vi-VN", viewport={"width": 1440, "height": 900}, timezone_id="Asia/Ho_Chi_Minh")
    officer.goto("/console/login")
    officer.get_by_label("Tên đăng nhập").fill("lan-journey")
    officer.get_by_label("Mật khẩu").fill(PASSWORD)
    officer.get_by_label("Mật khẩu").press("Enter")
    officer.wait_for_url(re.compile(r"/console/$"))
    row = officer.locator(f'tr[data-case-id="{case_id}"]')
    expect(row).to_contain_text("Web chat")
    expect(row.locator(".badge.lang")).to_have_text(re.compile("en", re.I))
    row.locator("a.open-case").click()
    officer.wait_for_url(re.compile(rf"/console/cases/{case_id}$"))

    # The whole context: both languages of the transcript, the commune, the procedure discussed,
    # and the citizen's numbers masked wherever they show.
    transcript = officer.locator("#transcript")
    expect(transcript).to_contain_text("phường Hải Châu cần giấy tờ gì")
    expect(transcript).to_contain_text("How long does it take to register")
    expect(officer.locator("#packet-facts")).to_contain_text("Phường Hải Châu")
    expect(officer.locator("#procedures")).to_contain_text("1.001193")
    expect(transcript).to_contain_text("*********345")
    expect(officer.locator("#packet-facts")).to_contain_text("*******456")
    shown = officer.locator("main").inner_text()
    assert PHONE not in shown and ID_NUMBER not in shown

    # Claim and reply.
    officer.locator("#claim").click()
    expect(officer.locator("#case-status .badge")).to_have_attribute("data-status", "assigned")
    officer.locator("#reply-text").fill("Hello, I am Lan. Yes, you can apply online at dichvucong.gov.vn.")
    officer.locator("#reply-text").press("Control+Enter")
    expect(officer.locator(".msg-agent").last).to_contain_text("I am Lan")
    officer.screenshot(path=str(ARTIFACTS / "journey-console-case.png"), full_page=True)

    # The citizen sees, without typing, who took the case (in English) and then the reply.
    citizen.locator("#messages li.staff", has_text="I am Lan").wait_for()
    shown_items = items(citizen)
    claimed = position(shown_items, "Trần Thị Lan (hotline agent) is now helping you")
    assert position(shown_items, "I want to talk to a person") < claimed < position(shown_items, "I am Lan")

    # The citizen answers; the officer sees it live, and the citizen is told it reached them.
    held = send(citizen, "Thank you, which documents do I upload?")
    assert held["intent"] == "handoff_active"
    expect(officer.locator(".msg-citizen").last).to_contain_text("which documents do I upload")
    citizen.locator("#messages li.system", has_text="passed to the officer").wait_for()

    # Resolved: the citizen is told, in English, and the bot answers again.
    officer.locator("#outcome").select_option("answered")
    officer.locator("#resolve").click()
    expect(officer.locator("#case-status .badge")).to_have_attribute("data-status", "resolved")
    citizen.locator("#messages li.system", has_text="has been resolved").wait_for()
    # The case is over: the page reads the transcript at the idle pace (15 s), not every 4 s.
    reads: list[str] = []
    citizen.on("request", lambda r: reads.append(r.url) if "/messages" in r.url else None)
    citizen.wait_for_timeout(9_000)
    assert len(reads) <= 1, reads
    again = send(citizen, "How much is the fee for a birth registration?")
    assert again["intent"] != "handoff_active" and again["answer"]
    shown_items = items(citizen)
    assert (
        position(shown_items, "I am Lan")
        < position(shown_items, "which documents do I upload")
        < position(shown_items, "has been resolved")
        < position(shown_items, "How much is the fee")
    )
    citizen.screenshot(path=str(ARTIFACTS / "journey-phone-after.png"))

    # Back on the queue, now empty: it says nobody is waiting (not that a filter hides cases),
    # and the filter message only when a filter is set.
    officer.goto("/console/")
    empty = officer.locator("#queue-body td.empty")
    expect(empty).to_have_text("Hiện không có công dân nào đang chờ. Ca mới sẽ tự hiện ở đây.")
    officer.get_by_label("Ca của tôi").check()
    expect(empty).to_have_text("Không có ca nào khớp bộ lọc.")
