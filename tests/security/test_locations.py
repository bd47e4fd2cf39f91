"""Issue 9, item 9: a shared location is answered with the nearest centre, and that answer
is a bot message of the conversation (staff see it in the transcript), sent through the
outbox exactly once (a restart does not send it again); a point that is no place on Earth
gets a polite "invalid location", never a reply with blank place names."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.assistant import Turn
from channels.conversation import ConversationService
from handoff.db import Database
from handoff.models import Message, OutboxMessage, utcnow
from tests.fakes.telegram_api import FakeTelegramAPI, location_update, text_update
from tests.fakes.zalo_api import FakeZaloAPI, oa_location_event
from tests.pg import postgres_fixture
from tests.security.channels_app import TELEGRAM_TOKEN, Channels, all_channels

_ids = itertools.count(1)
# A few hundred metres from the Hòa Cường ward centre (sample data).
NEAR_HOA_CUONG = (16.0401, 108.2225)


def new_user() -> int:
    return 6_100_000 + next(_ids)


def new_update() -> int:
    return 900_000 + next(_ids)


@pytest.fixture(scope="module")
def clouds() -> Iterator[tuple[FakeTelegramAPI, FakeZaloAPI]]:
    with FakeTelegramAPI(token=TELEGRAM_TOKEN) as telegram, FakeZaloAPI() as zalo:
        yield telegram, zalo


pg_server = postgres_fixture("module")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('locations') / 'hotline.db'}"
    return str(request.getfixturevalue("pg_server").fresh_url("locations"))


def serve(sample_settings: Any, sample_runtime: Any, db_url: str, clouds: Any, tmp: Path) -> Any:
    telegram, zalo = clouds
    return all_channels(
        sample_settings, sample_runtime, tmp / "unused.db", telegram=telegram, zalo=zalo, database_url=db_url
    )


@pytest.fixture(scope="module")
def app(
    sample_settings: Any,
    sample_runtime: Any,
    db_url: str,
    clouds: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Channels]:
    with serve(sample_settings, sample_runtime, db_url, clouds, tmp_path_factory.mktemp("loc")) as app:
        yield app


def transcript(db_url: str, conversation_id: str) -> list[Message]:
    db = Database(db_url)
    try:
        with db.session() as session:
            rows = list(
                session.scalars(
                    select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
                )
            )
            session.expunge_all()
            return rows
    finally:
        db.dispose()


def outbox_rows(db_url: str, conversation_id: str) -> list[OutboxMessage]:
    db = Database(db_url)
    try:
        with db.session() as session:
            rows = list(
                session.scalars(select(OutboxMessage).where(OutboxMessage.conversation_id == conversation_id))
            )
            session.expunge_all()
            return rows
    finally:
        db.dispose()


def to_chat(user: int) -> Any:
    return lambda c: c.params.get("chat_id") == str(user)


def sends_to(app: Channels, user: int) -> int:
    return len([c for c in app.telegram.calls_of("sendMessage") if to_chat(user)(c)])


def test_telegram_location_reply_is_a_stored_bot_message_sent_once(app: Channels, db_url: str) -> None:
    user = new_user()
    assert app.telegram_post(location_update(new_update(), user, *NEAR_HOA_CUONG)).status_code == 200
    sent = app.telegram.wait_for(
        "sendMessage", lambda c: to_chat(user)(c) and "Núi Thành" in c.params["text"]
    )
    messages = transcript(db_url, f"telegram:{user}")
    assert [(m.sender, m.direction) for m in messages] == [("citizen", "in"), ("bot", "out")]
    assert messages[0].text == "[location 16.04010,108.22250]"
    assert messages[1].text == sent.params["text"] and "0905275908" in messages[1].text
    # The outbox row is the stored answer's: what staff read is what the citizen got.
    # The provider has the message; the worker marks the row sent right after (a moment later
    # on a loaded machine).
    deadline = time.monotonic() + 10
    while True:
        (row,) = outbox_rows(db_url, f"telegram:{user}")
        if row.status == "sent" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert row.message_id == messages[1].id and row.status == "sent"
    # Staff read it in the case transcript too.
    staff_view = app.client.app.state.conversations.messages(f"telegram:{user}")
    assert any(m["sender"] == "bot" and "Núi Thành" in m["text"] for m in staff_view)


def test_zalo_location_reply_is_a_stored_bot_message_sent_once(app: Channels, db_url: str) -> None:
    user = f"zl-{next(_ids)}"
    event = oa_location_event(user, 16.0637, 108.2225)
    assert app.zalo_post(event).status_code == 200
    sent = app.zalo.wait_for("message/cs", lambda c: (c.params.get("recipient") or {}).get("user_id") == user)
    assert "Lê Hồng Phong" in sent.text
    messages = transcript(db_url, f"zalo:{user}")
    assert [m.sender for m in messages] == ["citizen", "bot"]
    assert messages[1].text == sent.text
    (row,) = outbox_rows(db_url, f"zalo:{user}")
    assert row.message_id == messages[1].id
    # Delivered again by Zalo: not answered twice.
    assert app.zalo_post(event).json()["duplicate"] is True
    time.sleep(0.5)
    assert len(transcript(db_url, f"zalo:{user}")) == 2


@pytest.mark.parametrize("point", [(999.0, -999.0), (91.0, 0.0), (0.0, 181.5)])
def test_telegram_location_off_the_earth_gets_a_polite_invalid_location(
    app: Channels, db_url: str, point: tuple[float, float]
) -> None:
    user = new_user()
    assert app.telegram_post(location_update(new_update(), user, *point)).status_code == 200
    sent = app.telegram.wait_for("sendMessage", to_chat(user))
    assert "vị trí bạn gửi không hợp lệ" in sent.params["text"]
    assert ", :" not in sent.params["text"] and " của ," not in sent.params["text"]
    assert [m.intent for m in transcript(db_url, f"telegram:{user}")] == [None, "invalid_location"]


def test_zalo_location_off_the_earth_or_unreadable_gets_a_polite_invalid_location(app: Channels) -> None:
    user = f"zl-bad-{next(_ids)}"
    assert app.zalo_post(oa_location_event(user, 999, -999)).status_code == 200
    unreadable = oa_location_event(f"{user}-x", 0, 0)
    unreadable["message"]["attachments"][0]["payload"] = {"coordinates": {"latitude": "north"}}
    assert app.zalo_post(unreadable).status_code == 200
    for who in (user, f"{user}-x"):
        sent = app.zalo.wait_for(
            "message/cs", lambda c, who=who: (c.params.get("recipient") or {}).get("user_id") == who
        )
        assert "vị trí bạn gửi không hợp lệ" in sent.text


def test_a_location_far_from_any_centre_says_so_in_the_citizens_language(app: Channels) -> None:
    user = new_user()
    app.telegram_post(text_update(new_update(), user, "/lang en"))
    app.telegram.wait_for("sendMessage", to_chat(user))
    assert app.telegram_post(location_update(new_update(), user, 48.8566, 2.3522)).status_code == 200
    sent = app.telegram.wait_for("sendMessage", lambda c: to_chat(user)(c) and "50 km" in c.params["text"])
    assert "commune or ward" in sent.params["text"]


def test_a_location_while_staff_hold_the_case_reaches_staff_not_the_bot(app: Channels) -> None:
    user = new_user()
    app.telegram_post(text_update(new_update(), user, "/human"))
    app.telegram.wait_for("sendMessage", to_chat(user))
    cases = app.client.app.state.cases
    case = cases.open_case_of(f"telegram:{user}")
    staff = app.client.app.state.staff.create_staff(f"loc-agent-{user}", "a-long-password-1", "agent")
    assert cases.claim(case.id, staff) is True
    app.telegram.wait_for("sendMessage", lambda c: to_chat(user)(c) and "đang hỗ trợ bạn" in c.params["text"])
    before = sends_to(app, user)
    app.telegram_post(location_update(new_update(), user, *NEAR_HOA_CUONG))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if any("[location" in m["text"] for m in cases.get_case(case.id)["transcript"]):
            break
        time.sleep(0.05)
    assert any("[location" in m["text"] for m in cases.get_case(case.id)["transcript"])
    time.sleep(0.5)
    # No centre from the bot: only the acknowledgement that the officer has it.
    assert sends_to(app, user) == before + 1
    last = [c for c in app.telegram.calls_of("sendMessage") if to_chat(user)(c)][-1]
    assert "Đã chuyển tin nhắn" in last.params["text"]


def test_a_restart_neither_resends_a_location_reply_nor_forgets_an_unanswered_one(
    app: Channels, db_url: str, sample_settings: Any, sample_runtime: Any, clouds: Any, tmp_path: Path
) -> None:
    answered = new_user()
    app.telegram_post(location_update(new_update(), answered, *NEAR_HOA_CUONG))
    app.telegram.wait_for("sendMessage", to_chat(answered))
    # A location stored by a server that stopped before answering it.
    pending = new_user()
    service = ConversationService(app.client.app.state.conversations.assistant, Database(db_url))
    turn = Turn(
        "[location 16.04010,108.22250]",
        f"telegram:{pending}",
        None,
        channel="telegram",
        channel_user_id=str(pending),
    )
    # Leased to that server, whose lease has expired.
    service.receive(turn, channel_message_id=str(new_update()), lease=("stopped", utcnow()))
    service.db.dispose()

    with serve(sample_settings, sample_runtime, db_url, clouds, tmp_path) as restarted:
        sent = restarted.telegram.wait_for("sendMessage", to_chat(pending))
        assert "Núi Thành" in sent.params["text"]
        time.sleep(1.0)
        assert sends_to(restarted, answered) == 1
        assert sends_to(restarted, pending) == 1
    assert [m.sender for m in transcript(db_url, f"telegram:{pending}")] == ["citizen", "bot"]
