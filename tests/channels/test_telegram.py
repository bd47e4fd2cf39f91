"""The Telegram channel end to end: real Update JSON posted to the real app's webhook, real
aiogram routers, the real hub, database and outbox, and a loopback Bot API server that
answers and records what the bot sends (tests/fakes/telegram_api.py).
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import itertools
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.telegram_api import (
    Call,
    FakeTelegramAPI,
    callback_update,
    location_update,
    photo_update,
    sticker_update,
    text_update,
)
from fastapi.testclient import TestClient
from sqlalchemy import select

from channels.outbox import SendError
from handoff.models import OutboxMessage

TOKEN = "123456789:AAH-test-token_for_the_fake_api"
SECRET = "s3cret-Webhook_token"
PUBLIC = "https://hotline.example.gov.vn"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
WEBHOOK = "/webhooks/telegram"

_ids = itertools.count(1000)


def new_user() -> int:
    return 5_000_000 + next(_ids)


def new_update_id() -> int:
    return 800_000 + next(_ids)


def to(chat_id: int, *needles: str) -> Any:
    def match(call: Call) -> bool:
        text = call.params.get("text", "")
        return call.params.get("chat_id") == str(chat_id) and all(n in text for n in needles)

    return match


def buttons(call: Call) -> list[dict[str, Any]]:
    markup = call.json_param("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


@pytest.fixture(scope="module")
def api() -> Iterator[FakeTelegramAPI]:
    with FakeTelegramAPI(token=TOKEN) as server:
        yield server


def _settings(sample_settings: Any, base_url: str | None, db_path: Path) -> Any:
    from channels.settings import DatabaseSettings

    channels = sample_settings.channels.model_copy(update={"telegram_api_base": base_url})
    return sample_settings.model_copy(
        update={"channels": channels, "database": DatabaseSettings(url=f"sqlite:///{db_path}")}
    )


def with_environment(settings: Any) -> Any:
    """The settings with the secrets of the environment as the test just set it (the
    settings read it once, when loaded)."""
    from channels.settings import read_secrets

    return settings.model_copy(update={"secrets": read_secrets()})


def _runtime(sample_runtime: Any) -> Any:
    # Each app hands the assistant its own case service: a copy keeps the session's shared
    # runtime (and the other tests' app) untouched.
    return dataclasses.replace(sample_runtime, assistant=copy.copy(sample_runtime.assistant))


@pytest.fixture(scope="module")
def app_client(
    api: FakeTelegramAPI, sample_settings: Any, sample_runtime: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    from channels.api import create_app

    settings = _settings(sample_settings, api.base_url, tmp_path_factory.mktemp("tg") / "hotline.db")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DATABASE_URL", raising=False)
        mp.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        mp.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
        mp.setenv("PUBLIC_BASE_URL", PUBLIC)
        app = create_app(with_environment(settings), runtime=_runtime(sample_runtime))
        with TestClient(app) as client:
            yield client


@pytest.fixture
def client(app_client: TestClient, api: FakeTelegramAPI) -> TestClient:
    api.reset()
    return app_client


def post(client: TestClient, update: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return client.post(WEBHOOK, json=update, headers=HEADERS if headers is None else headers)


# -- the webhook's door --------------------------------------------------------------------------
def test_startup_registers_the_webhook_with_its_secret(app_client: TestClient, api: FakeTelegramAPI) -> None:
    assert api.webhook["url"] == f"{PUBLIC}{WEBHOOK}"
    assert api.webhook["secret_token"] == SECRET
    assert set(Call("setWebhook", api.webhook).json_param("allowed_updates")) == {"message", "callback_query"}


def test_wrong_or_missing_secret_is_refused(client: TestClient, api: FakeTelegramAPI) -> None:
    update = text_update(new_update_id(), new_user(), "xin chào")
    assert post(client, update, headers={}).status_code == 403
    r = post(client, update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"})
    assert r.status_code == 403 and r.json() == {"detail": "invalid secret token"}
    time.sleep(0.3)
    assert api.calls_of("sendMessage") == []


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2, 3]", b'{"message": {"text": "no update_id"}}', b'{"update_id": "abc"}', b""],
)
def test_malformed_body_is_acknowledged_logged_and_counted(
    client: TestClient, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    # It carries the secret, so it is Telegram's: a 4xx would only bring it back again.
    before = client.get("/readyz").json()["channels"]["rejected"]
    with caplog.at_level(logging.WARNING, logger="channels.hub"):
        r = client.post(WEBHOOK, content=body, headers=HEADERS | {"content-type": "application/json"})
    assert r.status_code == 200
    assert r.json()["ok"] is True and r.json()["rejected"]
    assert "rejected" in caplog.text
    assert client.get("/readyz").json()["channels"]["rejected"] == before + 1


def test_disabled_channel_is_404(sample_settings: Any, sample_runtime: Any, tmp_path: Path) -> None:
    from channels.api import create_app

    settings = _settings(sample_settings, None, tmp_path / "off.db")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DATABASE_URL", raising=False)
        mp.delenv("TELEGRAM_BOT_TOKEN", raising=False)
        mp.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
        with TestClient(create_app(with_environment(settings), runtime=_runtime(sample_runtime))) as off:
            assert off.app.state.adapters.get("telegram") is None
            r = off.post(WEBHOOK, json=text_update(1, 2, "xin chào"), headers=HEADERS)
            assert r.status_code == 404


def test_without_a_configured_secret_every_update_is_refused(sample_settings: Any) -> None:
    from channels.telegram import build_adapter

    adapter = build_adapter(sample_settings, environ={"TELEGRAM_BOT_TOKEN": TOKEN})
    assert adapter is not None
    assert adapter.bot.session.api.api_url(TOKEN, "getMe") == f"https://api.telegram.org/bot{TOKEN}/getMe"
    assert adapter.check_secret(None) is False and adapter.check_secret("") is False
    assert adapter.check_secret("anything") is False
    asyncio.run(adapter.close())


def test_bad_token_or_secret_stop_the_start(sample_settings: Any) -> None:
    from channels.telegram import TelegramChannelError, build_adapter

    assert build_adapter(sample_settings, environ={}) is None
    with pytest.raises(TelegramChannelError):
        build_adapter(sample_settings, environ={"TELEGRAM_BOT_TOKEN": "changeme"})
    with pytest.raises(TelegramChannelError):
        build_adapter(
            sample_settings, environ={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": "a b"}
        )


# -- conversations -------------------------------------------------------------------------------
def test_vietnamese_question_gets_a_grounded_answer(client: TestClient, api: FakeTelegramAPI) -> None:
    user = new_user()
    started = time.monotonic()
    r = post(client, text_update(new_update_id(), user, "Làm lại căn cước bị mất cần giấy tờ gì?"))
    assert r.status_code == 200 and r.json() == {"ok": True}
    assert time.monotonic() - started < 1.0  # answered before the work is done
    answer = api.wait_for("sendMessage", to(user, "1.014064", "https://dichvucong.gov.vn/"), timeout=5)
    # A composed answer: HTML with the title in bold and the citation as a link, the aspect
    # menu as buttons that send its digits (0: a person).
    assert answer.params["parse_mode"] == "HTML"
    text = answer.params["text"]
    assert text.startswith("<b>Cấp lại thẻ căn cước</b>") and text.count('<a href="https://') == 1
    menu = buttons(answer)
    assert [b["callback_data"] for b in menu] == [f"opt:{i}" for i in range(1, len(menu))] + ["opt:0"]
    assert menu[0]["text"] == "1 lệ phí"  # documents were asked: the menu offers the rest
    typing = api.wait_for("sendChatAction", lambda c: c.params["chat_id"] == str(user))
    assert typing.params["action"] == "typing" and typing.at <= answer.at


def test_clarification_becomes_a_keyboard_and_a_button_answers_it(
    client: TestClient, api: FakeTelegramAPI
) -> None:
    user = new_user()
    post(client, text_update(new_update_id(), user, "Phường 1 cũ nay thuộc phường nào?"))
    question = api.wait_for("sendMessage", lambda c: to(user)(c) and "reply_markup" in c.params)
    options = buttons(question)
    assert len(options) >= 2
    assert [b["callback_data"] for b in options] == [f"opt:{i}" for i in range(1, len(options) + 1)]
    assert options[0]["text"].startswith("1.")

    seen = len(api.calls)
    r = post(client, callback_update(new_update_id(), user, "opt:1", query_id="q-opt"))
    assert r.status_code == 200
    api.wait_for("answerCallbackQuery", lambda c: c.params["callback_query_id"] == "q-opt", after=seen)
    chosen = api.wait_for("sendMessage", to(user), after=seen)
    assert chosen.params["text"] != question.params["text"]
    assert "reply_markup" not in chosen.params
    # The chosen unit's new ward is named (the first option's old unit → its new one).
    assert "Phường" in chosen.params["text"] or "phường" in chosen.params["text"]


def test_start_offers_seven_languages_and_a_choice_switches(client: TestClient, api: FakeTelegramAPI) -> None:
    user = new_user()
    post(client, text_update(new_update_id(), user, "/start"))
    greeting = api.wait_for("sendMessage", to(user, "Choose your language"))
    labels = {b["text"]: b["callback_data"] for b in buttons(greeting)}
    assert labels == {
        "Tiếng Việt": "lang:vi",
        "English": "lang:en",
        "Français": "lang:fr",
        "Español": "lang:es",
        "中文": "lang:zh",
        "한국어": "lang:ko",
        "日本語": "lang:ja",
    }
    seen = len(api.calls)
    post(client, callback_update(new_update_id(), user, "lang:en", query_id="q-lang"))
    api.wait_for("answerCallbackQuery", lambda c: c.params["callback_query_id"] == "q-lang", after=seen)
    api.wait_for("sendMessage", to(user, "I will answer in English"), after=seen)
    # A short message without diacritics keeps the chosen language.
    seen = len(api.calls)
    post(client, text_update(new_update_id(), user, "khai sinh"))
    answer = api.wait_for("sendMessage", to(user), after=seen)
    assert "Source" in answer.params["text"] or "source" in answer.params["text"]


def test_lang_command(client: TestClient, api: FakeTelegramAPI) -> None:
    user = new_user()
    post(client, text_update(new_update_id(), user, "/lang fr"))
    api.wait_for("sendMessage", to(user, "en français"))
    seen = len(api.calls)
    post(client, text_update(new_update_id(), user, "/lang"))
    usage = api.wait_for("sendMessage", to(user, "/lang vi"), after=seen)
    assert len(buttons(usage)) == 7


def test_human_opens_a_case_and_tells_the_citizen(client: TestClient, api: FakeTelegramAPI) -> None:
    user = new_user()
    post(client, text_update(new_update_id(), user, "/human"))
    told = api.wait_for("sendMessage", to(user))
    case = client.app.state.cases.open_case_of(f"telegram:{user}")
    assert case is not None and case.status == "waiting"
    assert case.id in told.params["text"]
    detail = client.app.state.cases.get_case(case.id)
    assert detail["packet"]["channel"] == "telegram"
    assert detail["packet"]["reason"] == "talk_to_human"


def test_staff_reply_from_the_console_reaches_the_citizen_and_the_bot_stays_quiet(
    client: TestClient, api: FakeTelegramAPI
) -> None:
    user = new_user()
    post(client, text_update(new_update_id(), user, "/human"))
    api.wait_for("sendMessage", to(user))
    cases = client.app.state.cases
    case = cases.open_case_of(f"telegram:{user}")
    assert case is not None
    staff = client.app.state.staff.create_staff(f"tg-agent-{user}", "a-long-password-1", "agent")
    assert cases.claim(case.id, staff) is True
    cases.reply(case.id, staff, "Chào anh/chị, cán bộ tổng đài đây ạ.")
    client.app.state.outbox_worker.wake()
    api.wait_for("sendMessage", to(user, "cán bộ tổng đài đây"))
    # While the agent holds the case, the citizen's next message reaches staff, not the bot.
    before = len(api.calls)
    post(client, text_update(new_update_id(), user, "Cảm ơn, tôi chờ ạ"))
    detail = None
    for _ in range(50):
        detail = cases.get_case(case.id)
        if any("tôi chờ" in m["text"] for m in detail["transcript"]):
            break
        time.sleep(0.1)
    assert detail is not None and any("tôi chờ" in m["text"] for m in detail["transcript"])
    api.wait_for("sendMessage", to(user, "Đã chuyển tin nhắn"), after=before)
    time.sleep(0.5)
    # No answer from the bot: only the acknowledgement that the officer has the message.
    sent = [c.params["text"] for c in api.calls[before:] if c.method == "sendMessage" and to(user)(c)]
    assert sent == ["Đã chuyển tin nhắn cho cán bộ đang hỗ trợ bạn."]


def test_location_gets_the_nearest_centre(client: TestClient, api: FakeTelegramAPI) -> None:
    user = new_user()
    # A few hundred metres from the Hòa Cường ward centre.
    post(client, location_update(new_update_id(), user, 16.0401, 108.2225))
    answer = api.wait_for("sendMessage", to(user, "Núi Thành"))
    assert "0905275908" in answer.params["text"]


@pytest.mark.parametrize("make", [photo_update, sticker_update])
def test_photos_and_stickers_get_a_polite_please_send_text(
    client: TestClient, api: FakeTelegramAPI, make: Any
) -> None:
    user = new_user()
    assert post(client, make(new_update_id(), user)).status_code == 200
    api.wait_for("sendMessage", to(user, "tin nhắn chữ"))


def test_a_redelivered_update_is_answered_once(client: TestClient, api: FakeTelegramAPI) -> None:
    user = new_user()
    update = text_update(new_update_id(), user, "Đăng ký khai sinh cần giấy tờ gì?")
    assert post(client, update).json() == {"ok": True}
    # Handled already: the database's dedupe, shared by every replica, takes the redelivery.
    assert post(client, update).json() == {"ok": True}
    api.wait_for("sendMessage", to(user))
    # Another server process (its own memory) gets it too: the database says no.
    client.app.state.deliveries._seen.clear()
    assert post(client, update).json() == {"ok": True}
    time.sleep(1.0)
    assert len([c for c in api.calls_of("sendMessage") if to(user)(c)]) == 1


def test_rate_limited_and_failing_api_is_retried(client: TestClient, api: FakeTelegramAPI) -> None:
    user = new_user()
    api.fail("sendMessage", 429, retry_after=1)
    api.fail("sendMessage", 500)
    started = time.monotonic()
    post(client, text_update(new_update_id(), user, "Làm lại căn cước bị mất cần giấy tờ gì?"))
    delivered = api.wait_for("sendMessage", to(user, "1.014064"), timeout=15)
    statuses = [c.status for c in api.calls_of("sendMessage", ok_only=False) if to(user)(c)]
    assert statuses == [429, 500, 200]
    assert delivered.at - started >= 1.0  # retry_after was honoured


def test_a_blocked_user_is_not_retried(client: TestClient, api: FakeTelegramAPI) -> None:
    user = new_user()
    api.fail("sendMessage", 403, times=5)
    post(client, text_update(new_update_id(), user, "xin chào"))
    db = client.app.state.cases.db
    deadline = time.monotonic() + 5
    status = None
    while time.monotonic() < deadline:
        with db.session() as session:
            row = session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == str(user)))
            status = row.status if row is not None else None
            if status == "failed":
                assert row is not None and row.attempts == 1 and "Forbidden" in (row.last_error or "")
                break
        time.sleep(0.05)
    assert status == "failed"


# -- the adapter's sender, directly --------------------------------------------------------------
def test_send_maps_telegram_errors_to_send_errors(sample_settings: Any, api: FakeTelegramAPI) -> None:
    from channels.telegram import build_adapter

    settings = sample_settings.model_copy(
        update={"channels": sample_settings.channels.model_copy(update={"telegram_api_base": api.base_url})}
    )
    adapter = build_adapter(settings, environ={"TELEGRAM_BOT_TOKEN": TOKEN})
    assert adapter is not None
    api.reset()

    async def attempt(status: int, **kw: Any) -> SendError | None:
        api.fail("sendMessage", status, **kw)
        try:
            await adapter.send("42", {"text": "xin chào", "options": ["Một", "Hai"]})
        except SendError as exc:
            return exc
        return None

    async def scenario() -> list[SendError | None]:
        try:
            results = [
                await attempt(429, retry_after=7),
                await attempt(500),
                await attempt(502),
                await attempt(403),
                await attempt(400),
            ]
            await adapter.send("42", {"text": "ok", "options": ["Một", "Hai"]})
            try:
                await adapter.send("not-a-chat", {"text": "x"})
            except SendError as exc:
                results.append(exc)
            return results
        finally:
            await adapter.close()

    limited, server, gateway, forbidden, bad, chat = asyncio.run(scenario())
    assert limited is not None and limited.retryable and limited.retry_after == 7
    assert server is not None and server.retryable and server.retry_after is None
    assert gateway is not None and gateway.retryable
    assert forbidden is not None and not forbidden.retryable
    assert bad is not None and not bad.retryable
    assert chat is not None and not chat.retryable
    assert all(TOKEN not in str(e) for e in (limited, server, forbidden, bad))
    sent = api.wait_for("sendMessage", lambda c: c.params["text"] == "ok")
    assert [b["callback_data"] for b in buttons(sent)] == ["opt:1", "opt:2"]


def test_network_errors_are_retryable(sample_settings: Any) -> None:
    from channels.telegram import build_adapter

    settings = sample_settings.model_copy(
        update={
            "channels": sample_settings.channels.model_copy(
                update={"telegram_api_base": "http://127.0.0.1:9"}
            )
        }
    )
    adapter = build_adapter(settings, environ={"TELEGRAM_BOT_TOKEN": TOKEN})
    assert adapter is not None

    async def scenario() -> SendError:
        try:
            await adapter.send("42", {"text": "xin chào"})
        except SendError as exc:
            return exc
        finally:
            await adapter.close()
        raise AssertionError("no error")

    error = asyncio.run(scenario())
    assert error.retryable and TOKEN not in str(error)


def test_long_option_labels_are_also_written_out(sample_settings: Any, api: FakeTelegramAPI) -> None:
    from channels.telegram import keyboard

    long = "2. " + "Thủ tục đăng ký thường trú cho người chưa thành niên " * 3
    markup = keyboard({"options": ["1. Ngắn", long]})
    assert markup is not None
    labels = [row[0].text for row in markup.inline_keyboard]
    assert labels[0] == "1. Ngắn" and labels[1].endswith("…") and len(labels[1]) <= 60


# -- polling mode --------------------------------------------------------------------------------
def test_polling_uses_the_same_routers_hub_and_outbox(
    api: FakeTelegramAPI, sample_settings: Any, sample_runtime: Any, tmp_path: Path
) -> None:
    from channels.api import create_app
    from channels.telegram import poll

    settings = _settings(sample_settings, api.base_url, tmp_path / "poll.db")
    api.reset()
    api.webhook = {"url": f"{PUBLIC}{WEBHOOK}"}
    user = new_user()
    api.push_update(text_update(new_update_id(), user, "Làm lại căn cước bị mất cần giấy tờ gì?"))
    result: list[int] = []
    ready = threading.Event()
    holder: dict[str, Any] = {}

    def run() -> None:
        async def main() -> int:
            holder["loop"] = asyncio.get_running_loop()
            holder["stop"] = asyncio.Event()
            ready.set()
            app = create_app(settings, runtime=_runtime(sample_runtime))
            return await poll(settings, app=app, stop=holder["stop"], handle_signals=False)

        result.append(asyncio.run(main()))

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DATABASE_URL", raising=False)
        mp.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        mp.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
        mp.setenv("PUBLIC_BASE_URL", PUBLIC)
        settings = with_environment(settings)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        try:
            assert ready.wait(10)
            api.wait_for("sendMessage", to(user, "1.014064"), timeout=15)
        finally:
            holder["loop"].call_soon_threadsafe(holder["stop"].set)
            thread.join(20)
    assert result == [0]
    assert api.calls_of("deleteWebhook") and api.webhook == {}
    assert api.calls_of("setWebhook") == []  # polling does not register a webhook
    assert api.calls_of("getUpdates")


def test_an_update_that_could_not_be_stored_is_asked_again(
    client: TestClient, api: FakeTelegramAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = client.app.state.hub
    real = hub.receive
    failures = [RuntimeError("database is down")]

    async def flaky(event: Any) -> bool:
        if failures:
            raise failures.pop()
        return await real(event)

    monkeypatch.setattr(hub, "receive", flaky)
    user = new_user()
    update = text_update(new_update_id(), user, "Làm lại căn cước bị mất cần giấy tờ gì?")
    r = post(client, update)
    assert r.status_code == 503  # Telegram delivers it again later
    assert post(client, update).json() == {"ok": True}  # the redelivery is not a "duplicate"
    api.wait_for("sendMessage", to(user, "1.014064"))


def test_cli_parser_and_webhook_mode_hint(sample_settings: Any) -> None:
    import argparse

    from channels.telegram import add_telegram_parser, run_telegram

    parser = argparse.ArgumentParser(prog="hotline")
    add_telegram_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["telegram", "--polling", "--drop-pending-updates", "--index", "var/index"])
    assert args.polling and args.drop_pending_updates and args.index == "var/index"
    assert run_telegram(parser.parse_args(["telegram"]), sample_settings) == 2
