"""The staff console in a real browser: queue, live updates, case view, refusals."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.slow


def _case(server: Any, case_id: str) -> Any:
    from handoff.models import Case

    with server.db.session() as s:
        return s.get(Case, case_id)


def _cookie(context: Any, name: str) -> dict[str, Any] | None:
    return next((c for c in context.cookies() if c["name"] == name), None)


def test_agent_handles_a_case_from_queue_to_resolution(console_server, staff_page) -> None:
    from handoff.models import Message, OutboxMessage

    page = staff_page("lan")
    expect(page.get_by_test_id("whoami")).to_contain_text("Trần Thị Lan")
    expect(page.locator("#live")).to_have_attribute("data-state", "on")
    page.evaluate("window.__sameDocument = true")

    # A case opened by the backend shows up live, without a reload.
    case_id, conversation_id = console_server.open_case()
    row = page.locator(f'tr[data-case-id="{case_id}"]')
    expect(row).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
    expect(row).to_contain_text("Đang chờ")
    expect(row).to_contain_text("Muốn gặp cán bộ")
    expect(row.locator(".badge.lang")).to_have_text("vi")
    wait = row.locator("td.wait")
    expect(wait).to_have_text(re.compile(r"^\d+:\d\d$"))
    before = wait.inner_text()
    expect(wait).not_to_have_text(before)  # the waiting time ticks

    # Claim from the queue: the row turns into "mine" in place.
    row.get_by_role("button", name=f"Nhận {case_id}").click()
    expect(row.locator(".badge.st-assigned")).to_be_visible()
    expect(row).to_contain_text("Của tôi")
    case = _case(console_server, case_id)
    assert case.status == "assigned" and case.assigned_to == console_server.staff_ids["lan"]

    # The case view: transcript and the dossier packet, enriched with the catalogue record.
    row.locator("a.open-case").click()
    expect(page).to_have_url(re.compile(rf"/console/cases/{case_id}$"))
    procedures = page.locator("#procedures")
    expect(procedures.locator('[data-code="1.001193"] .proc-code')).to_have_text("1.001193")
    expect(procedures).to_contain_text("Thủ tục đăng ký khai sinh")
    expect(procedures).to_contain_text("Tờ khai đăng ký khai sinh")  # documents from the catalogue
    expect(procedures).to_contain_text("0.87")
    expect(page.locator("#packet-facts")).to_contain_text("Phường Hải Châu")
    expect(page.locator("#packet-facts")).to_contain_text("Lê Hồng Phong")
    expect(page.locator("#bot-told")).to_contain_text("mã 1.001193")
    expect(page.locator(".msg-citizen").first).to_contain_text("đăng ký khai sinh")
    expect(page.locator(".msg-bot").first).to_contain_text("1.001193")

    # A canned reply for the case's language goes into the box.
    canned = page.locator("#canned option")
    expect(canned.nth(1)).to_be_attached()
    page.locator("#canned").select_option(index=1)
    expect(page.locator("#reply-text")).not_to_have_value("")

    # Reply (Ctrl+Enter): stored as an agent message, queued in the outbox.
    reply = "Chào chị Hoa, trẻ sinh ở nước ngoài chị đăng ký khai sinh tại UBND phường nơi cư trú ạ."
    page.locator("#reply-text").fill(reply)
    page.locator("#reply-text").press("Control+Enter")
    expect(page.locator(".msg-agent").last).to_contain_text(reply)
    expect(page.locator("#reply-text")).to_have_value("")
    with console_server.db.session() as s:
        stored = s.scalars(
            select(Message).where(Message.conversation_id == conversation_id, Message.sender == "agent")
        ).all()
        assert [m.text for m in stored] == [reply]
        assert stored[0].staff_id == console_server.staff_ids["lan"]
        outbox = s.scalars(
            select(OutboxMessage).where(OutboxMessage.conversation_id == conversation_id)
        ).all()
        # The notice that Lan took the case, then her reply: both for the citizen's Telegram.
        assert [o.payload.get("sender") for o in outbox] == ["system", "agent"]
        assert "Trần Thị Lan" in outbox[0].payload["text"] and outbox[1].message_id == stored[0].id
        assert {o.channel for o in outbox} == {"telegram"}

    # The citizen answers: the transcript grows live.
    page.evaluate("window.__sameDocument = true")
    console_server.citizen_says(conversation_id, "Cảm ơn cán bộ, vậy tôi nộp trực tuyến được không?")
    expect(page.locator(".msg-citizen").last).to_contain_text("nộp trực tuyến")
    assert page.evaluate("window.__sameDocument") is True

    # An internal note.
    page.get_by_label("Ghi chú mới").fill("Công dân ở nước ngoài về, cần hướng dẫn hợp pháp hóa lãnh sự.")
    page.get_by_role("button", name="Thêm ghi chú").click()
    expect(page.locator("#notes")).to_contain_text("hợp pháp hóa lãnh sự")

    console_server.artifacts.mkdir(exist_ok=True)
    page.locator(".toast").evaluate_all("els => els.forEach((el) => el.remove())")
    shot = console_server.artifacts / "console-case-view.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.is_file() and shot.stat().st_size > 20_000

    # Resolve with an outcome code.
    page.locator("#outcome").select_option("answered")
    page.get_by_role("button", name="Giải quyết xong").click()
    expect(page.locator("#case-status .badge")).to_have_attribute("data-status", "resolved")
    case = _case(console_server, case_id)
    assert (case.status, case.outcome) == ("resolved", "answered")
    expect(page.locator("#reply-send")).to_be_disabled()


def test_wait_for_citizen_transfer_and_close(console_server, staff_page) -> None:
    case_id, _ = console_server.open_case(name="Kim Min-jun", reason="complaint")
    page = staff_page("minh")
    page.goto(f"/console/cases/{case_id}")
    page.get_by_role("button", name="Nhận", exact=True).click()
    expect(page.locator("#case-status .badge")).to_have_attribute("data-status", "assigned")

    page.get_by_role("button", name="Chờ công dân phản hồi").click()
    expect(page.locator("#case-status .badge")).to_have_attribute("data-status", "waiting_citizen")

    page.get_by_label("Chuyển cho").select_option("team:tax")
    page.get_by_role("button", name="Chuyển", exact=True).click()
    expect(page.locator("#events")).to_contain_text("Chuyển ca")
    assert _case(console_server, case_id).team == "tax"

    # Closing is for supervisors or the holder; the case may have left minh's hands.
    supervisor = staff_page("hoa")
    supervisor.goto(f"/console/cases/{case_id}")
    supervisor.get_by_role("button", name="Đóng ca").click()
    expect(supervisor.locator("#case-status .badge")).to_have_attribute("data-status", "closed")


def test_queue_filters_without_reload(console_server, staff_page) -> None:
    case_id, _ = console_server.open_case(name="Trương Văn Bình")
    page = staff_page("lan")
    row = page.locator(f'tr[data-case-id="{case_id}"]')
    expect(row).to_be_visible()
    page.get_by_label("Ngôn ngữ", exact=True).select_option("en")
    expect(row).to_have_count(0)
    assert "language=en" in page.url
    page.get_by_label("Ngôn ngữ", exact=True).select_option("vi")
    expect(row).to_be_visible()
    page.get_by_label("Ca của tôi").check()
    expect(row).to_have_count(0)


def test_an_older_queue_answer_arriving_last_does_not_undo_a_filter(console_server, staff_page) -> None:
    """Loads overlap (page start, the live stream's open, a filter change): the queue draws
    only the newest one's answer, whatever order the answers come back in."""
    case_id, _ = console_server.open_case(name="Phan Thị Hồng")
    page = staff_page("lan")
    row = page.locator(f'tr[data-case-id="{case_id}"]')
    expect(row).to_be_visible()

    # The unfiltered answer comes back 1.5 s late, after the filtered one.
    page.evaluate(
        """() => {
          const real = window.fetch;
          window.fetch = async (url, opts) => {
            const answer = await real(url, opts);
            if (String(url).includes("/console/api/cases?") && !String(url).includes("language=")) {
              await new Promise((done) => setTimeout(done, 1500));
            }
            return answer;
          };
        }"""
    )
    # An unfiltered reload is in flight when the officer picks a language.
    page.evaluate("document.querySelector('#filters').dispatchEvent(new Event('submit', {cancelable: true}))")
    page.get_by_label("Ngôn ngữ", exact=True).select_option("en")
    expect(row).to_have_count(0)
    page.wait_for_timeout(2500)  # the late unfiltered answer has arrived by now
    expect(row).to_have_count(0)


def test_failed_login_shows_a_generic_error_and_no_session(console_server, new_context, sign_in) -> None:
    context = new_context()
    page = context.new_page()
    response = sign_in(page, "lan", "sai-mat-khau-roi")
    assert response.status == 401
    expect(page.locator("#login-error")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    assert _cookie(context, "hotline_session") is None
    # An unknown user gets the very same answer (no username enumeration).
    response = sign_in(page, "khong-ton-tai", "sai-mat-khau-roi")
    assert response.status == 401
    expect(page.locator("#login-error")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    assert _cookie(context, "hotline_session") is None


def test_repeated_failures_are_rate_limited(console_server, new_context, sign_in) -> None:
    console_server.app.state.staff.create_staff(
        "tuan", console_server.password, "agent", display_name="Đỗ Anh Tuấn"
    )
    page = new_context().new_page()
    statuses = [sign_in(page, "tuan", f"sai-{i}-mat-khau").status for i in range(3)]
    assert statuses == [401, 401, 401]
    response = sign_in(page, "tuan", console_server.password)  # even the right password waits now
    assert response.status == 429
    expect(page.locator("#login-error")).to_contain_text("quá nhiều lần")


def test_session_cookie_flags(console_server, new_context, sign_in) -> None:
    context = new_context()
    page = context.new_page()
    page.goto("/console/login")
    login_csrf = _cookie(context, "hotline_login_csrf")
    assert login_csrf and login_csrf["httpOnly"] and login_csrf["sameSite"] == "Strict"
    sign_in(page, "lan")
    session = _cookie(context, "hotline_session")
    assert session is not None
    assert session["httpOnly"] is True and session["sameSite"] == "Strict"
    assert session["secure"] is False  # cookie_secure=False in this test server (plain http)
    assert page.locator('meta[name="csrf-token"]').get_attribute("content")


def test_posts_without_csrf_are_refused(console_server, staff_page, new_context) -> None:
    case_id, _ = console_server.open_case(name="Võ Thị Mai")
    page = staff_page("lan")
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    api = page.context.request
    refused = api.post(f"/console/api/cases/{case_id}/claim")
    assert refused.status == 403
    refused = api.post(f"/console/api/cases/{case_id}/claim", headers={"X-CSRF-Token": "not-the-token"})
    assert refused.status == 403
    assert _case(console_server, case_id).status == "waiting"
    accepted = api.post(f"/console/api/cases/{case_id}/claim", headers={"X-CSRF-Token": csrf})
    assert accepted.status == 200

    # Logout without the token does not end the session.
    refused = api.post("/console/logout", form={"csrf_token": "forged"}, max_redirects=0)
    assert refused.status == 403
    page.goto("/console/")
    expect(page.locator("#queue")).to_be_visible()

    # The login form itself needs its double-submit token.
    other = new_context()
    response = other.request.post(
        "/console/login", form={"username": "lan", "password": console_server.password}, max_redirects=0
    )
    assert response.status == 403
    assert _cookie(other, "hotline_session") is None


def test_one_staff_member_cannot_act_as_another(console_server, staff_page) -> None:
    case_id, _ = console_server.open_case(name="Đặng Quốc Huy")
    lan = staff_page("lan")
    minh = staff_page("minh")
    lan_cookie = _cookie(lan.context, "hotline_session")
    minh_cookie = _cookie(minh.context, "hotline_session")
    assert lan_cookie and minh_cookie and lan_cookie["value"] != minh_cookie["value"]
    expect(minh.get_by_test_id("whoami")).to_contain_text("Lê Văn Minh")
    assert minh.context.request.get("/console/api/me").json()["username"] == "minh"

    lan.goto(f"/console/cases/{case_id}")
    lan.get_by_role("button", name="Nhận", exact=True).click()
    expect(lan.locator("#case-assignee")).to_contain_text("Của tôi")

    # minh sees who holds it, cannot claim it again, and cannot reply in lan's name.
    minh.goto(f"/console/cases/{case_id}")
    expect(minh.locator("#case-assignee")).to_contain_text("lan")
    expect(minh.locator("#claim")).to_be_hidden()
    expect(minh.locator("#reply-send")).to_be_disabled()
    csrf = minh.locator('meta[name="csrf-token"]').get_attribute("content")
    api = minh.context.request
    assert api.post(f"/console/api/cases/{case_id}/claim", headers={"X-CSRF-Token": csrf}).status == 409
    reply = api.post(
        f"/console/api/cases/{case_id}/reply", headers={"X-CSRF-Token": csrf}, data={"text": "Tôi là Lan"}
    )
    assert reply.status in (403, 409)
    # Nor can minh use lan's CSRF token with his own cookie.
    lan_csrf = lan.locator('meta[name="csrf-token"]').get_attribute("content")
    assert lan_csrf != csrf
    assert (
        api.post(
            f"/console/api/cases/{case_id}/notes", headers={"X-CSRF-Token": lan_csrf}, data={"text": "x"}
        ).status
        == 403
    )

    # An agent's cookie does not open the supervisor pages.
    assert minh.goto("/console/supervisor").status == 403
    expect(minh.locator("h1")).to_contain_text("Không có quyền")
    assert minh.goto("/console/audit").status == 403
    assert api.get("/console/api/stats").status == 403


def test_supervisor_dashboard_and_audit(console_server, staff_page) -> None:
    case_id, _ = console_server.open_case(name="Hồ Thị Thu")
    lan = console_server.app.state.staff.get(console_server.staff_ids["lan"])
    assert console_server.cases.claim(case_id, lan)
    page = staff_page("hoa")
    page.get_by_role("link", name="Giám sát").click()
    expect(page).to_have_url(re.compile(r"/console/supervisor$"))
    expect(page.locator("#kpi-queue")).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator("#kpi-rate")).not_to_have_text("–")
    expect(page.locator("#agents tbody tr").first).to_be_visible()
    href = page.locator("#export-cases").get_attribute("href")
    csv = page.context.request.get(href)
    assert csv.status == 200 and "text/csv" in csv.headers["content-type"]
    page.get_by_role("link", name="Nhật ký").click()
    expect(page).to_have_url(re.compile(r"/console/audit$"))
    expect(page.locator('#audit td[data-action="login"]').first).to_have_text("Đăng nhập")
    expect(page.locator('#audit td[data-action="claim"]').first).to_be_visible()


def test_logout_ends_the_session(console_server, staff_page, new_context) -> None:
    page = staff_page("lan")
    token = _cookie(page.context, "hotline_session")["value"]
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/console/login$"))
    assert _cookie(page.context, "hotline_session") is None
    page.goto("/console/")
    expect(page).to_have_url(re.compile(r"/console/login\?next="))
    # The old token is dead on the server, not only forgotten by this browser.
    replay = new_context()
    replay.add_cookies(
        [{"name": "hotline_session", "value": token, "url": console_server.base_url + "/console/"}]
    )
    assert replay.request.get("/console/api/me").status == 401
    second = replay.new_page()
    second.goto("/console/")
    expect(second.locator("#username")).to_be_visible()


def test_unauthenticated_pages_redirect_to_login_and_back(console_server, new_context) -> None:
    case_id, _ = console_server.open_case(name="Lý Thị Ngọc")
    page = new_context().new_page()
    page.goto(f"/console/cases/{case_id}")
    expect(page).to_have_url(re.compile(r"/console/login\?next="))
    page.get_by_label("Tên đăng nhập").fill("lan")
    page.get_by_label("Mật khẩu").fill(console_server.password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(rf"/console/cases/{case_id}$"))
    expect(page.locator("#procedures")).to_contain_text("1.001193")


def test_english_interface(console_server, staff_page) -> None:
    page = staff_page("lan")
    page.goto("/console/?ui=en")
    expect(page.locator("h1")).to_have_text("Support queue")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/console/")  # the choice is remembered
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto("/console/?ui=vi")
    expect(page.locator("h1")).to_have_text("Hàng chờ hỗ trợ")


def test_keyboard_shortcuts(console_server, staff_page) -> None:
    from handoff.models import Message

    case_id, conversation_id = console_server.open_case(name="Phan Thị Yến")
    page = staff_page("minh")
    expect(page.locator(f'tr[data-case-id="{case_id}"]')).to_be_visible()
    expect(page.locator("#live")).to_have_attribute("data-state", "on")
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()
    page.keyboard.press("j")
    expect(page.locator("#queue-body .open-case").first).to_be_focused()

    page.goto(f"/console/cases/{case_id}")
    expect(page.locator("#claim")).to_be_visible()
    page.keyboard.press("c")
    expect(page.locator("#case-status .badge")).to_have_attribute("data-status", "assigned")
    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
    expect(page.locator("#canned option").nth(1)).to_be_attached()
    page.keyboard.press("Alt+1")
    canned = page.locator("#reply-text").input_value()
    assert canned.strip()
    page.keyboard.press("Control+Enter")
    expect(page.locator(".msg-agent").last).to_contain_text(canned.strip()[:30])
    with console_server.db.session() as s:
        texts = s.scalars(
            select(Message.text).where(Message.conversation_id == conversation_id, Message.sender == "agent")
        ).all()
    assert texts == [canned.strip()]
