"""Issue 9, item 8: input no handler expects gets a 4xx or a polite reply, never a 5xx, and
a webhook that can never be processed is acknowledged (so the provider stops redelivering
it) and recorded where operators see it (/readyz), not refused forever.

Requests are built byte for byte: a lone surrogate travels as the JSON escape ``\\ud800``,
exactly as an attacker (or a buggy client) would send it."""

from __future__ import annotations

import itertools
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from handoff.models import Message
from tests.fakes.telegram_api import text_update
from tests.fakes.zalo_api import bot_text_update, oa_text_event
from tests.pg import postgres_fixture
from tests.security.channels_app import Channels, all_channels

_ids = itertools.count(1)
NESTED = b"[" * 5000
SURROGATE = "Đăng ký khai sinh \ud800 cần gì?"


@pytest.fixture(scope="module")
def app(
    sample_settings: Any, sample_runtime: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Channels]:
    with all_channels(sample_settings, sample_runtime, tmp_path_factory.mktemp("bad") / "hotline.db") as app:
        yield app


def rejected(app: Channels) -> int:
    return int(app.client.get("/readyz").json()["channels"]["rejected"])


def stored_texts(app: Channels, channel: str, user: str) -> list[str]:
    with app.client.app.state.cases.db.session() as session:
        return list(
            session.scalars(
                select(Message.text)
                .where(Message.conversation_id == f"{channel}:{user}", Message.sender == "citizen")
                .order_by(Message.id)
            )
        )


def wait_for(predicate: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


def raw(payload: Any) -> bytes:
    """JSON with non-ASCII written as escapes: a lone surrogate stays ``\\ud800``."""
    body = json.dumps(payload, ensure_ascii=True).encode()
    assert re.search(rb"\\ud[89a-f]", body)
    return body


# -- lone surrogates ---------------------------------------------------------------------------------
def test_a_lone_surrogate_in_the_api_text_is_answered(app: Channels) -> None:
    for text in (SURROGATE, "\ud800", "\udfff\ud800x"):
        r = app.client.post(
            "/api/v1/ask", content=raw({"text": text}), headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 200, r.text
        assert "\ud800" not in r.json()["answer"]
    r = app.client.post(
        "/api/v1/ask", content=raw({"text": SURROGATE}), headers={"Content-Type": "application/json"}
    )
    assert "khai sinh" in r.json()["answer"].lower()


def test_a_lone_surrogate_in_the_conversation_id_is_refused_not_a_crash(app: Channels) -> None:
    # The rate limiter reads the id before validation and keeps a counter under it.
    for conversation in ("abc\ud800", "\udfff", "web:\ud83d"):
        r = app.client.post(
            "/api/v1/ask",
            content=raw({"text": "xin chào", "conversation_id": conversation}),
            headers={"Content-Type": "application/json"},
        )
        assert 400 <= r.status_code < 500, r.text


def test_a_lone_surrogate_in_the_api_language_is_not_a_crash(app: Channels) -> None:
    r = app.client.post(
        "/api/v1/ask",
        content=raw({"text": "xin chào", "lang": "\ud800"}),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code < 500, r.text


def test_telegram_text_with_a_lone_surrogate_is_stored_and_answered(app: Channels) -> None:
    user = 7_100_000 + next(_ids)
    r = app.telegram_post(raw(text_update(800_000 + next(_ids), user, SURROGATE)))
    assert r.status_code == 200, r.text
    texts = wait_for(lambda: stored_texts(app, "telegram", str(user)))
    assert texts == ["Đăng ký khai sinh  cần gì?"]
    app.telegram.wait_for("sendMessage", lambda c: c.params.get("chat_id") == str(user))


def test_zalo_bot_text_with_a_lone_surrogate_is_stored_and_answered(app: Channels) -> None:
    chat = f"zb-sur-{next(_ids)}"
    r = app.zalo_bot_post(raw(bot_text_update(chat, SURROGATE)))
    assert r.status_code == 200, r.text
    assert wait_for(lambda: stored_texts(app, "zalo_bot", chat)) == ["Đăng ký khai sinh  cần gì?"]
    app.zalo.wait_for("sendMessage", lambda c: c.params.get("chat_id") == chat)


def test_zalo_bot_text_of_only_a_surrogate_is_stored_and_answered_politely(app: Channels) -> None:
    chat = f"zb-only-{next(_ids)}"
    r = app.zalo_bot_post(raw(bot_text_update(chat, "\ud800")))
    assert r.status_code == 200, r.text
    assert wait_for(lambda: stored_texts(app, "zalo_bot", chat)) == ["[unreadable text]"]
    sent = app.zalo.wait_for("sendMessage", lambda c: c.params.get("chat_id") == chat)
    assert sent.params["text"].strip()


def test_zalo_oa_text_with_a_lone_surrogate_is_stored_and_answered(app: Channels) -> None:
    user = f"zo-sur-{next(_ids)}"
    event = oa_text_event(user, SURROGATE)
    r = app.zalo_post(raw(event), timestamp=event["timestamp"])
    assert r.status_code == 200, r.text
    assert wait_for(lambda: stored_texts(app, "zalo", user)) == ["Đăng ký khai sinh  cần gì?"]
    app.zalo.wait_for("message/cs", lambda c: (c.params.get("recipient") or {}).get("user_id") == user)


def test_a_display_name_with_a_lone_surrogate_does_not_stop_the_message(app: Channels) -> None:
    user = 7_200_000 + next(_ids)
    update = text_update(800_000 + next(_ids), user, "xin chào")
    update["message"]["from"]["first_name"] = "Lan\udc00"
    assert app.telegram_post(raw(update)).status_code == 200
    assert wait_for(lambda: stored_texts(app, "telegram", str(user))) == ["xin chào"]


# -- bodies nested too deep to parse -------------------------------------------------------------------
def test_deeply_nested_bodies_signed_are_acknowledged_and_counted(app: Channels) -> None:
    before = rejected(app)
    r = app.telegram_post(NESTED)
    assert r.status_code == 200 and r.json()["ok"] is True, r.text
    r = app.zalo_bot_post(NESTED)
    assert r.status_code == 200 and r.json()["ok"] is True, r.text
    assert rejected(app) == before + 2


def test_deeply_nested_bodies_unsigned_are_refused_not_crashed(app: Channels) -> None:
    before = rejected(app)
    assert app.telegram_post(NESTED, secret=None).status_code == 403
    assert app.zalo_bot_post(NESTED, secret=None).status_code == 403
    # Zalo OA signs the body with a timestamp inside it: a body that cannot be read cannot
    # be verified, so nothing proves it came from Zalo.
    assert app.zalo_post(NESTED, timestamp="1700000000000").status_code == 400
    assert app.zalo_post(NESTED, signed=False).status_code == 400
    nested_object = b'{"a":' * 5000
    assert app.zalo_post(nested_object, timestamp="1").status_code == 400
    assert app.client.post(
        "/api/v1/ask", content=NESTED, headers={"Content-Type": "application/json"}
    ).status_code in (400, 422)
    assert rejected(app) == before


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2, 3]", b'{"update_id": "abc"}', b""])
def test_a_signed_telegram_body_that_is_no_update_is_acknowledged_once(app: Channels, body: bytes) -> None:
    before = rejected(app)
    r = app.telegram_post(body)
    assert r.status_code == 200 and r.json().get("rejected"), r.text
    assert rejected(app) == before + 1


def test_a_signed_zalo_bot_body_that_is_no_json_object_is_acknowledged(app: Channels) -> None:
    before = rejected(app)
    for body in (b"{oops", b"[1]", b'"text"'):
        r = app.zalo_bot_post(body)
        assert r.status_code == 200 and r.json().get("rejected"), r.text
    assert rejected(app) == before + 3


def test_a_telegram_update_that_keeps_failing_is_acknowledged_after_a_few_tries(app: Channels) -> None:
    """A poison update: Telegram would redeliver it for a day and hold back the next ones."""
    hub = app.hub
    user = 7_300_000 + next(_ids)
    update = text_update(800_000 + next(_ids), user, "xin chào")
    original = hub.receive

    async def broken(event: Any) -> bool:
        raise RuntimeError("the database is unreachable")

    hub.receive = broken
    try:
        before = rejected(app)
        statuses = [app.telegram_post(update).status_code for _ in range(4)]
    finally:
        hub.receive = original
    assert statuses[:2] == [503, 503]  # worth a redelivery: the fault may pass
    assert statuses[2:] == [200, 200]
    assert rejected(app) == before + 1


# -- the phone keypad ---------------------------------------------------------------------------------
@pytest.mark.parametrize("digits", ["²", "①", "٣", "1²", "-1", "99999999999999999999999"])
def test_a_signed_keypad_turn_with_odd_digits_gets_the_menu_again(app: Channels, digits: str) -> None:
    sid = f"CA{next(_ids):032x}"
    form = {
        "CallSid": sid,
        "From": "+84912345678",
        "To": "+842363822222",
        "AccountSid": "AC1",
        "Digits": digits,
    }
    r = app.voice_post("/voice/turn?lang=vi&n=2&menu=topics", form)
    assert r.status_code == 200, r.text
    said = " ".join(s.text or "" for s in ET.fromstring(r.content).iter("Say"))
    assert "không có trong danh sách" in said


# -- PostgreSQL refuses NUL in text, which SQLite stores -------------------------------------------
pg_server = postgres_fixture("module")


def test_on_postgresql_nul_and_surrogates_are_cleaned_on_every_door(
    sample_settings: Any, sample_runtime: Any, pg_server: Any, tmp_path: Any
) -> None:
    url = pg_server.fresh_url("bad_input")
    with all_channels(sample_settings, sample_runtime, tmp_path / "unused.db", database_url=url) as app:
        for text in ("Đăng ký khai sinh\x00 cần gì?", SURROGATE, "\x1b[31m\x00\ud800"):
            body = json.dumps({"text": text}).encode()
            r = app.client.post("/api/v1/ask", content=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 200, r.text
        user = 7_400_000 + next(_ids)
        update = text_update(800_000 + next(_ids), user, "xin\x00 chào\ud800")
        update["message"]["from"]["first_name"] = "L\x00an"
        assert app.telegram_post(json.dumps(update).encode()).status_code == 200
        assert wait_for(lambda: stored_texts(app, "telegram", str(user))) == ["xin chào"]
        app.telegram.wait_for("sendMessage", lambda c: c.params.get("chat_id") == str(user))
        chat = f"zb-nul-{next(_ids)}"
        assert (
            app.zalo_bot_post(json.dumps(bot_text_update(chat, "khai\x00 sinh")).encode()).status_code == 200
        )
        assert wait_for(lambda: stored_texts(app, "zalo_bot", chat)) == ["khai sinh"]
        user_oa = f"zo-nul-{next(_ids)}"
        event = oa_text_event(user_oa, "kết\x00 hôn")
        assert app.zalo_post(json.dumps(event).encode(), timestamp=event["timestamp"]).status_code == 200
        assert wait_for(lambda: stored_texts(app, "zalo", user_oa)) == ["kết hôn"]
        assert app.client.get("/readyz").json()["channels"]["errors"] == 0
