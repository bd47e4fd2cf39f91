"""One turn pipeline for every channel (issue 11): a turn of the public API, the web chat,
Telegram, Zalo OA, Zalo Bot, the phone and the terminal takes the same steps, in the same
order (receive → held? → think → record → deliver), seen by a recorder on the hub; a
conversation a person holds skips the bot on every channel.

The real app with every channel on (tests/security/channels_app.py: loopback Telegram and
Zalo clouds, real Twilio signatures), the real assistant on the sample index, real SQLite,
and ``hotline chat`` run in this process on its own database.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import itertools
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from channels.hub import Hub, InboundEvent
from handoff.models import Message, OutboxMessage
from tests.fakes.telegram_api import text_update
from tests.fakes.zalo_api import bot_text_update, oa_text_event
from tests.security.channels_app import Channels, all_channels

_ids = itertools.count(1)
QUESTION = "Đăng ký khai sinh cần những giấy tờ gì?"
ASK_FOR_STAFF = "Tôi muốn nói chuyện với cán bộ"
ANSWERED = ["receive", "think", "record", "deliver"]


class Recorder:
    """A pipeline observer: the steps each conversation's turns went through."""

    def __init__(self) -> None:
        self.stages: dict[str, list[str]] = defaultdict(list)
        self.lock = threading.Lock()

    def __call__(self, stage: str, event: InboundEvent) -> None:
        with self.lock:
            self.stages[event.conversation_id].append(stage)

    def wait(self, conversation: str, count: int, timeout: float = 30.0) -> list[str]:
        """The steps of ``conversation`` once there are ``count`` of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                seen = list(self.stages[conversation])
            if len(seen) >= count:
                return seen
            time.sleep(0.05)
        raise AssertionError(f"{conversation}: only {seen}")


@pytest.fixture(scope="module")
def app(
    sample_settings: Any, sample_runtime: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Channels]:
    path = tmp_path_factory.mktemp("pipeline") / "hotline.db"
    with all_channels(sample_settings, sample_runtime, path) as channels:
        yield channels


@pytest.fixture
def recorder(app: Channels) -> Iterator[Recorder]:
    recording = Recorder()
    app.hub.observers.append(recording)
    yield recording
    app.hub.observers.remove(recording)


# -- one message on each channel ----------------------------------------------------------------
def via_api(app: Channels, text: str, channel: str = "api", chat: dict[str, str] | None = None) -> str:
    body = {"text": text, "channel": channel} | (chat or {})
    r = app.client.post("/api/v1/ask", json=body)
    assert r.status_code == 200, r.text
    data = r.json()
    if chat is not None:
        chat.update(conversation_id=data["conversation_id"], conversation_token=data["conversation_token"])
    return str(data["conversation_id"])


def via_telegram(app: Channels, text: str, user: int) -> str:
    assert app.telegram_post(text_update(900_000 + next(_ids), user, text)).status_code == 200
    return f"telegram:{user}"


def via_zalo(app: Channels, text: str, user: str) -> str:
    assert app.zalo_post(oa_text_event(user, text)).json() == {"ok": True, "duplicate": False}
    return f"zalo:{user}"


def via_zalo_bot(app: Channels, text: str, chat: str) -> str:
    assert app.zalo_bot_post(bot_text_update(chat, text)).json() == {"ok": True, "duplicate": False}
    return f"zalo_bot:{chat}"


def via_phone(app: Channels, text: str, sid: str, turn: int) -> str:
    form = {"CallSid": sid, "From": "+84912345678", "To": "+842363822222", "AccountSid": "AC1"}
    r = app.voice_post(f"/voice/turn?lang=vi&n={turn}", form | {"SpeechResult": text, "Confidence": "0.93"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml"), r.text
    return f"voice:{sid}"


def channel_senders(user: int) -> dict[str, Callable[[Channels, str], str]]:
    """Each channel's way in, bound to one citizen of this test."""
    chats: dict[str, dict[str, str]] = {"api": {}, "web": {}}
    sid = f"CA{uuid.uuid4().hex}"
    turns = itertools.count(1)
    return {
        "api": lambda app, text: via_api(app, text, "api", chats["api"]),
        "web": lambda app, text: via_api(app, text, "web", chats["web"]),
        "telegram": lambda app, text: via_telegram(app, text, user),
        "zalo": lambda app, text: via_zalo(app, text, f"z{user}"),
        "zalo_bot": lambda app, text: via_zalo_bot(app, text, f"b{user}"),
        "phone": lambda app, text: via_phone(app, text, sid, next(turns)),
    }


def outbox_rows(app: Channels, conversation: str) -> int:
    with app.client.app.state.cases.db.session() as session:
        return len(
            session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.conversation_id == conversation)
            ).all()
        )


def test_every_channel_takes_the_same_steps(app: Channels, recorder: Recorder) -> None:
    user = 6_100_000 + next(_ids)
    for name, send in channel_senders(user).items():
        conversation = send(app, QUESTION)
        assert recorder.wait(conversation, len(ANSWERED)) == ANSWERED, name
        # deliver: the outbox for push channels, inline (the response) for the API and the phone
        if name in ("telegram", "zalo", "zalo_bot"):
            assert outbox_rows(app, conversation) >= 1, name
        else:
            assert outbox_rows(app, conversation) == 0, name
    app.telegram.wait_for("sendMessage", lambda call: call.params.get("chat_id") == str(user))


def test_the_channels_own_replies_and_locations_take_the_same_steps(
    app: Channels, recorder: Recorder
) -> None:
    """A greeting, "please send text" and a shared location are no separate paths."""
    from tests.fakes.telegram_api import location_update, photo_update

    user = 6_200_000 + next(_ids)
    conversation = f"telegram:{user}"
    for update in (
        text_update(900_000 + next(_ids), user, "/start"),
        photo_update(900_000 + next(_ids), user),
        location_update(900_000 + next(_ids), user, 16.0544, 108.2022),
    ):
        assert app.telegram_post(update).status_code == 200
    steps = recorder.wait(conversation, 3 * len(ANSWERED))
    # The webhook acknowledges once an update is stored, so the next update may be received
    # while the previous one is still answered; the turns themselves run one after another.
    assert steps.count("receive") == 3
    assert [s for s in steps if s != "receive"] == 3 * ANSWERED[1:]


def test_a_held_conversation_skips_the_bot_on_every_channel(app: Channels, recorder: Recorder) -> None:
    user = 6_300_000 + next(_ids)
    state = app.client.app.state
    staff = state.staff.create_staff(f"agent-{user}", "a-long-password-1", "agent")
    for name, send in channel_senders(user).items():
        conversation = send(app, ASK_FOR_STAFF)
        recorder.wait(conversation, len(ANSWERED))
        case = state.cases.open_case_of(conversation)
        assert case is not None, name
        assert state.cases.claim(case.id, staff), name
        before = len(recorder.stages[conversation])
        send(app, "Alo, có ai không?")
        held = recorder.wait(conversation, before + 2)[before:]
        assert held[:2] == ["receive", "held"] and "think" not in held, name
        with state.cases.db.session() as session:
            texts = session.scalars(
                select(Message.text).where(
                    Message.conversation_id == conversation, Message.sender == "citizen"
                )
            ).all()
        assert texts[-1] == "Alo, có ai không?", name  # stored, for staff to read


# -- the terminal --------------------------------------------------------------------------------
@pytest.fixture
def terminal(
    sample_settings: Any, sample_runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Recorder, Callable[..., str], Any]]:
    """``hotline chat`` in this process, on a database of its own, with a recorder on the
    hub it builds."""
    import channels.cli as cli
    from channels.settings import DatabaseSettings

    settings = sample_settings.model_copy(
        update={"database": DatabaseSettings(url=f"sqlite:///{tmp_path / 'chat.db'}")}
    )
    runtime = dataclasses.replace(
        sample_runtime, settings=settings, assistant=copy.copy(sample_runtime.assistant)
    )
    monkeypatch.setattr(cli, "_runtime", lambda args: runtime)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    recording = Recorder()
    built = Hub.__init__

    def observed(self: Hub, *args: Any, **kwargs: Any) -> None:
        built(self, *args, **kwargs)
        self.observers.append(recording)

    monkeypatch.setattr(Hub, "__init__", observed)

    def chat(lines: list[str], conversation: str | None = None) -> str:
        conversation = conversation or f"cli-{uuid.uuid4().hex[:8]}"
        monkeypatch.setattr("sys.stdin", io.StringIO("\n".join([*lines, "/quit"]) + "\n"))
        assert cli.main(["chat", "--conversation", conversation]) == 0
        return conversation

    yield recording, chat, settings


def test_a_terminal_turn_takes_the_same_steps_and_is_held_like_the_others(
    terminal: tuple[Recorder, Callable[..., str], Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from handoff.auth import StaffService
    from handoff.db import Database
    from handoff.service import CaseService

    recording, chat, settings = terminal
    conversation = chat([QUESTION])
    assert recording.stages[conversation] == ANSWERED
    out = capsys.readouterr().out
    assert "1.001193" in out or "2.000986" in out

    held = chat([ASK_FOR_STAFF])
    assert recording.stages[held] == ANSWERED
    assert "[case " in capsys.readouterr().out
    db = Database(settings.database_url)
    try:
        handoff = settings.handoff.resolve_paths(settings.config_dir)
        cases = CaseService(db, handoff)
        staff = StaffService(db, handoff).create_staff("agent-cli", "a-long-password-1", "agent")
        case = cases.open_case_of(held)
        assert case is not None and cases.claim(case.id, staff)
    finally:
        db.dispose()
    chat(["Alo, có ai không?"], held)
    steps = recording.stages[held][len(ANSWERED) :]
    assert steps[:2] == ["receive", "held"] and "think" not in steps


# -- the one webhook skeleton --------------------------------------------------------------------
@pytest.mark.parametrize("channel", ["zalo", "zalo_bot"])
def test_a_zalo_message_that_could_not_be_stored_is_asked_again_like_telegrams(
    app: Channels, channel: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every webhook shares Telegram's rule (it was a 500 on Zalo before): a passing fault
    gets a redelivery (503), a request failing again and again is acknowledged and counted."""
    hub = app.hub
    real = hub.receive
    failures = [RuntimeError("database is down")]

    async def flaky(event: InboundEvent) -> bool:
        if failures:
            raise failures.pop()
        return await real(event)

    monkeypatch.setattr(hub, "receive", flaky)
    user = f"f{next(_ids)}"
    if channel == "zalo":
        body, post = oa_text_event(user, QUESTION), app.zalo_post
    else:
        body, post = bot_text_update(user, QUESTION), app.zalo_bot_post
    assert post(body).status_code == 503
    assert post(body).json() == {"ok": True, "duplicate": False}  # the redelivery is taken
    assert post(body).json() == {"ok": True, "duplicate": True}

    async def broken(event: InboundEvent) -> bool:
        raise RuntimeError("database is down")

    monkeypatch.setattr(hub, "receive", broken)
    before = hub.stats["rejected"]
    poison = oa_text_event(user, "xin chào") if channel == "zalo" else bot_text_update(user, "xin chào")
    assert [post(poison).status_code for _ in range(4)] == [503, 503, 200, 200]
    assert hub.stats["rejected"] == before + 1
