"""The console's JSON API through the real app: sessions, CSRF, roles, the case actions,
supervision, exports, the login rate limit."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from handoff_helpers import FAST_HASHER, PASSWORD, add_conversation, build_app, packet

from handoff.auth import LoginRateLimited, StaffService


def test_requests_without_a_session_get_401(app, people):
    with TestClient(app) as anonymous:
        for path in ("/console/api/me", "/console/api/cases", "/console/api/stats", "/console/api/events"):
            assert anonymous.get(path).status_code == 401, path
        assert anonymous.post("/console/api/cases/x/claim", headers={"X-CSRF-Token": "x"}).status_code == 401
        anonymous.cookies.set("hotline_session", "forged-token", path="/console")
        assert anonymous.get("/console/api/me").status_code == 401


def test_login_me_logout(app, people, login):
    lan = login("lan")
    me = lan.get("/console/api/me").json()
    assert me["username"] == "lan" and me["role"] == "agent" and me["teams"] == ["48"]
    assert me["csrf_token"] == lan.csrf
    assert lan.post("/console/api/logout").json() == {"ok": True}
    assert lan.get("/console/api/me").status_code == 401


def test_session_cookie_attributes(db, settings, clock, people):
    for environment, secure in (("test", False), ("production", True)):
        app = build_app(db, settings, clock)
        app.state.handoff_cookie_secure = settings.secure_cookies(environment)
        with TestClient(app) as client:
            response = client.post("/console/api/login", json={"username": "lan", "password": PASSWORD})
            cookie = response.headers["set-cookie"].lower()
            assert "hotline_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
            assert "path=/console" in cookie
            assert ("secure" in cookie.replace("samesite", "")) is secure


def test_wrong_password_and_non_json_login(app, people):
    with TestClient(app) as client:
        wrong = client.post("/console/api/login", json={"username": "lan", "password": "not the password"})
        assert wrong.status_code == 401
        form = client.post("/console/api/login", data={"username": "lan", "password": PASSWORD})
        assert form.status_code == 422 and "set-cookie" not in form.headers  # JSON only: no login CSRF


def test_csrf_is_required_and_bound_to_the_session(app, cases, people, login):
    ref = cases.open_case(packet())
    lan, minh = login("lan"), login("minh")
    url = f"/console/api/cases/{ref.case_id}/claim"
    assert lan.post(url, csrf=None).status_code == 403
    assert lan.post(url, csrf="guessed").status_code == 403
    assert lan.post(url, csrf=minh.csrf).status_code == 403  # Minh's token does not work in Lan's session
    assert cases.summary(ref.case_id)["status"] == "waiting"
    claimed = lan.post(url, json={"staff_id": people.agent2.id})  # the body cannot name someone else
    assert claimed.status_code == 200
    assert claimed.json()["assigned_to"]["username"] == "lan"


def test_one_session_cannot_act_as_another(app, cases, people, login):
    ref = cases.open_case(packet())
    lan, minh = login("lan"), login("minh")
    assert lan.post(f"/console/api/cases/{ref.case_id}/claim").status_code == 200
    assert minh.post(f"/console/api/cases/{ref.case_id}/claim").status_code == 409
    reply = minh.post(f"/console/api/cases/{ref.case_id}/reply", json={"text": "xin chào"})
    assert reply.status_code == 403
    resolve = minh.post(f"/console/api/cases/{ref.case_id}/resolve", json={"outcome": "answered"})
    assert resolve.status_code == 403
    entries = cases.audit_entries()
    assert [(e["action"], e["staff"]["username"]) for e in entries if e["case_id"] == ref.case_id] == [
        ("claim", "lan")
    ]


def test_case_actions_through_the_api(app, cases, people, login):
    ref = cases.open_case(packet())
    lan = login("lan")
    base = f"/console/api/cases/{ref.case_id}"
    queue = lan.get("/console/api/cases").json()["cases"]
    assert [c["id"] for c in queue] == [ref.case_id]
    expected = {"id", "status", "channel", "language", "team", "priority", "callback", "callback_number"}
    expected |= {"reason", "display_name", "created_at", "waiting_seconds", "assigned_to", "summary"}
    assert expected <= set(queue[0])
    assert queue[0]["summary"] == "Đăng ký khai sinh"

    assert lan.post(f"{base}/claim").json()["status"] == "assigned"
    sent = lan.post(f"{base}/reply", json={"text": "Chào anh, em là Lan"}).json()
    assert set(sent) == {"message_id", "outbox_id"}
    note = lan.post(f"{base}/notes", json={"text": "cần xác minh"})
    assert note.status_code == 201 and note.json()["staff"]["username"] == "lan"
    assert lan.post(f"{base}/wait-citizen").json()["status"] == "waiting_citizen"
    assert lan.post(f"{base}/resolve", json={"outcome": "bogus"}).status_code == 422
    assert lan.post(f"{base}/resolve", json={"outcome": "answered"}).json()["status"] == "resolved"
    assert lan.post(f"{base}/close").status_code == 409  # already resolved

    detail = lan.get(base).json()
    assert {"packet", "transcript", "notes", "procedures", "events"} <= set(detail)
    # The staff reply, then the notice telling the citizen the case is resolved.
    assert [m["sender"] for m in detail["transcript"][-2:]] == ["agent", "system"]
    assert [e["kind"] for e in detail["events"]][-1] == "resolved"
    assert lan.get("/console/api/cases/nope").status_code == 404
    assert lan.get("/console/api/cases?status=resolved&mine=1").json()["cases"][0]["id"] == ref.case_id
    assert lan.post(f"{base}/reopen").json()["status"] == "waiting"


def test_transfer_and_staff_created_case(app, cases, people, login):
    hoa = login("hoa")
    created = hoa.post(
        "/console/api/cases",
        json={
            "language": "vi",
            "reason": "phone",
            "text": "Người gọi hỏi về sổ đỏ",
            "callback_number": "0905123456",
        },
    )
    assert created.status_code == 201
    case = created.json()
    assert case["channel"] == "phone" and case["callback_number"] == "*******456"
    moved = hoa.post(f"/console/api/cases/{case['id']}/transfer", json={"staff_id": people.agent.id})
    assert moved.json()["assigned_to"]["username"] == "lan"
    to_team = hoa.post(f"/console/api/cases/{case['id']}/transfer", json={"team": "land"})
    assert to_team.json()["team"] == "land" and to_team.json()["status"] == "waiting"
    assert (
        hoa.post(f"/console/api/cases/{case['id']}/close", json={"note": "trùng"}).json()["status"]
        == "closed"
    )
    bad = hoa.post("/console/api/cases", json={"language": "xx", "reason": "phone"})
    assert bad.status_code == 422


def test_reference_data(app, people, login):
    lan = login("lan")
    korean = lan.get("/console/api/canned?lang=ko").json()["replies"]
    assert korean and all(r["lang"] == "ko" for r in korean)
    assert {"id", "title", "text", "lang"} <= set(korean[0])
    assert any("안녕하세요" in r["text"] for r in korean)
    assert lan.get("/console/api/canned?lang=vi").json()["replies"][0]["text"].startswith("Xin chào")
    outcomes = lan.get("/console/api/outcomes").json()["outcomes"]
    assert "answered" in outcomes
    staff = lan.get("/console/api/staff").json()["staff"]
    assert {s["username"] for s in staff} == {"lan", "minh", "hoa", "admin"}
    assert "password_hash" not in staff[0]
    assert lan.get("/console/api/teams").json() == {"teams": []}


def test_roles(app, people, login):
    lan, hoa, admin = login("lan"), login("hoa"), login("admin")
    for path in (
        "/console/api/stats",
        "/console/api/export/cases.csv",
        "/console/api/audit",
        "/console/api/gaps",
    ):
        assert lan.get(path).status_code == 403, path
        assert hoa.get(path).status_code == 200, path
    new = {"username": "thu", "password": "a long enough one", "role": "agent", "teams": ["48"]}
    assert lan.post("/console/api/staff", json=new).status_code == 403
    assert hoa.post("/console/api/staff", json=new).status_code == 403
    created = admin.post("/console/api/staff", json=new)
    assert created.status_code == 201 and created.json()["username"] == "thu"
    assert admin.post("/console/api/staff", json=new).status_code == 409
    short = admin.post("/console/api/staff", json={**new, "username": "tu", "password": "short"})
    assert short.status_code == 422
    assert login("thu", "a long enough one").get("/console/api/me").json()["role"] == "agent"
    actions = [e["action"] for e in hoa.get("/console/api/audit?limit=50").json()["entries"]]
    assert "staff_created" in actions and "login" in actions


def test_session_expires(app, people, login, clock):
    lan = login("lan")
    clock.advance(hours=11)
    assert lan.get("/console/api/me").status_code == 200
    clock.advance(hours=2)
    assert lan.get("/console/api/me").status_code == 401


def test_login_rate_limit_per_username(app, db, settings, clock, people):
    with TestClient(app) as client:
        for _ in range(5):
            r = client.post("/console/api/login", json={"username": "lan", "password": "wrong guess!"})
            assert r.status_code == 401
        blocked = client.post("/console/api/login", json={"username": "lan", "password": PASSWORD})
        assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
        # Another server process sharing the database refuses too.
        other_process = StaffService(db, settings, clock=clock, hasher=FAST_HASHER)
        try:
            other_process.authenticate("lan", PASSWORD, "192.0.2.9")
            raise AssertionError("expected LoginRateLimited")
        except LoginRateLimited as exc:
            assert exc.scope == "username"
        # Other accounts are not locked out.
        assert (
            client.post("/console/api/login", json={"username": "minh", "password": PASSWORD}).status_code
            == 200
        )
        clock.advance(minutes=16)
        assert (
            client.post("/console/api/login", json={"username": "lan", "password": PASSWORD}).status_code
            == 200
        )


def test_login_rate_limit_per_address(accounts, people):
    for i in range(20):
        assert accounts.authenticate(f"user{i}", "wrong guess!", "198.51.100.7") is None
    try:
        accounts.authenticate("lan", PASSWORD, "198.51.100.7")
        raise AssertionError("expected LoginRateLimited")
    except LoginRateLimited as exc:
        assert exc.scope == "address"
    assert accounts.authenticate("lan", PASSWORD, "198.51.100.8") is not None


def test_exports_mask_numbers_and_are_audited(app, db, cases, people, login, clock):
    ref = cases.open_case(
        packet(procedures=[], last_message="=HYPERLINK số tôi 0912345678, CCCD 001099012345")
    )
    cases.set_callback(ref.case_id, "+84 912 345 678")
    add_conversation(
        db,
        "tg-gap",
        ("citizen", "Làm sao đăng ký kết hôn với người nước ngoài, gọi 0988777666?", None),
        ("bot", "Xin lỗi, tôi chưa tìm được thủ tục phù hợp.", "no_match"),
        at=clock(),
    )
    hoa = login("hoa")
    response = hoa.get("/console/api/export/cases.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    body = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["id"] == ref.case_id
    assert rows[0]["callback_number"] == "********678"
    assert rows[0]["summary"].startswith("'=HYPERLINK")  # no formula in a spreadsheet
    for raw in ("0912345678", "912 345 678", "001099012345", "0988777666"):
        assert raw not in body
    gaps = hoa.get("/console/api/export/gaps.csv").content.decode("utf-8-sig")
    assert "*******666" in gaps and "0988777666" not in gaps and "kết hôn" in gaps
    exports = [e for e in cases.audit_entries() if e["action"] == "export"]
    assert [e["detail"]["what"] for e in exports] == ["gaps", "cases"]
    assert exports[0]["staff"]["username"] == "hoa"


def test_stats_and_gaps(app, db, cases, people, login, clock):
    start = clock()
    for i in range(4):  # four conversations, one of them handed off
        add_conversation(
            db, f"tg-{i}", ("citizen", "xin chào", None), ("bot", "Chào bạn", "greeting"), at=start
        )
    for conv in ("tg-1", "tg-2", "tg-3"):
        add_conversation(
            db,
            conv,
            ("citizen", "Thủ tục nuôi ong?", None),
            ("bot", "Chưa có thông tin", "out_of_scope"),
            at=start,
        )
    add_conversation(
        db, "tg-3", ("citizen", "Giấy phép bay flycam", None), ("bot", "...", "no_match"), at=start
    )
    ref = cases.open_case(packet("tg-0"))
    clock.advance(minutes=2)
    cases.claim(ref.case_id, people.agent)
    clock.advance(minutes=8)
    cases.resolve(ref.case_id, people.agent, "answered")
    waiting = cases.open_case(packet("tg-1"))
    clock.advance(minutes=5)

    hoa = login("hoa")
    stats = hoa.get("/console/api/stats?days=7").json()
    assert stats["queue_length"] == 1 and stats["oldest_wait_seconds"] == 300
    assert stats["handoff_rate"] == 0.5  # 2 cases / 4 conversations
    assert stats["median_wait_seconds"] == 120 and stats["median_handling_seconds"] == 480
    lan = next(a for a in stats["per_agent"] if a["username"] == "lan")
    assert (lan["claimed"], lan["resolved"], lan["median_handling_seconds"]) == (1, 1, 480)
    assert stats["gaps"][0] == {
        "text": "Thủ tục nuôi ong?",
        "language": "vi",
        "count": 3,
        "last_at": stats["gaps"][0]["last_at"],
    }
    assert stats["gaps"][1]["text"] == "Giấy phép bay flycam" and stats["gaps"][1]["count"] == 1
    assert waiting.status == "waiting"
    assert hoa.get("/console/api/gaps?days=7").json()["gaps"] == stats["gaps"]
