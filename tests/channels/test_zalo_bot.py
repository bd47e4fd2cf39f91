"""Zalo Bot platform: the secret-token webhook through the real app, replies through the
outbox to a loopback Bot API (real HTTP)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import pytest

from channels.outbox import SendError
from channels.settings import Settings
from channels.zalo_bot import NAME, ZaloBotAdapter, ZaloBotClient, ZaloBotConfig, build_adapter
from tests.fakes.zalo_api import BOT_TOKEN, FakeZaloAPI, bot_image_update, bot_text_update

SECRET = "zbot-webhook-secret-123"
OTHER_CHANNELS = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "ZALO_APP_ID", "ZALO_OA_SECRET_KEY")


@pytest.fixture
def zalo() -> Iterator[FakeZaloAPI]:
    with FakeZaloAPI() as api:
        yield api


def make_client(env: dict[str, str], monkeypatch, sample_config, sample_runtime):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from channels.api import create_app
    from channels.settings import load_settings

    for name in (*OTHER_CHANNELS, "ZALO_BOT_TOKEN", "ZALO_BOT_WEBHOOK_SECRET", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return TestClient(create_app(load_settings(sample_config), runtime=sample_runtime))


@pytest.fixture
def bot(zalo, monkeypatch, sample_config, sample_runtime):  # type: ignore[no-untyped-def]
    env = {
        "ZALO_BOT_TOKEN": BOT_TOKEN,
        "ZALO_BOT_WEBHOOK_SECRET": SECRET,
        "HOTLINE_CHANNELS__ZALO_BOT_API_BASE": zalo.base_url,
    }
    with make_client(env, monkeypatch, sample_config, sample_runtime) as client:
        yield client


def post(client, update: dict, secret: str | None = SECRET):  # type: ignore[no-untyped-def]
    headers = {"X-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return client.post("/webhooks/zalo-bot", json=update, headers=headers)


def to_chat(chat_id: str):  # type: ignore[no-untyped-def]
    return lambda c: c.params.get("chat_id") == chat_id


def test_disabled_without_secrets_answers_404(monkeypatch, sample_config, sample_runtime):
    with make_client({}, monkeypatch, sample_config, sample_runtime) as client:
        assert client.app.state.adapters.get(NAME) is None
        assert post(client, bot_text_update("c-off", "xin chào")).status_code == 404


def test_wrong_or_missing_secret_is_refused(bot, zalo, caplog):
    with caplog.at_level(logging.WARNING, logger="channels.zalo_bot"):
        assert (
            post(bot, bot_text_update("c-forged", "đăng ký kết hôn"), secret="wrong-secret").status_code
            == 403
        )
        assert post(bot, bot_text_update("c-forged", "đăng ký kết hôn"), secret=None).status_code == 403
    assert sum("X-Bot-Api-Secret-Token" in r.getMessage() for r in caplog.records) == 2
    # With the secret it is Zalo's: acknowledged (a 4xx would bring it back) and counted.
    r = bot.post("/webhooks/zalo-bot", content=b"{oops", headers={"X-Bot-Api-Secret-Token": SECRET})
    assert r.status_code == 200 and r.json()["rejected"]
    assert bot.get("/readyz").json()["channels"]["rejected"] == 1
    time.sleep(0.3)
    assert not [c for c in zalo.calls if to_chat("c-forged")(c)]


def test_text_is_answered_with_send_message(bot, zalo):
    r = post(bot, bot_text_update("c-text", "Làm lại căn cước bị mất cần giấy tờ gì?"))
    assert r.status_code == 200 and r.json() == {"ok": True, "duplicate": False}
    call = zalo.wait_for("sendMessage", to_chat("c-text"))
    assert "1.014064" in call.text and len(call.text) <= 2000
    assert zalo.calls_of("sendChatAction") and zalo.calls_of("sendChatAction")[0].params == {
        "chat_id": "c-text",
        "action": "typing",
    }
    # The bare result object (no {"ok", "result"} envelope) is understood too.
    assert post(bot, bot_text_update("c-bare", "đăng ký khai sinh", wrapped=False)).status_code == 200
    zalo.wait_for("sendMessage", to_chat("c-bare"))


def test_duplicate_update_is_answered_once(bot, zalo):
    update = bot_text_update("c-dup", "đăng ký kết hôn", message_id="zb-dup-1")
    assert post(bot, update).json()["duplicate"] is False
    assert post(bot, update).json()["duplicate"] is True
    zalo.wait_for("sendMessage", to_chat("c-dup"))
    time.sleep(0.5)
    assert len([c for c in zalo.calls_of("sendMessage") if to_chat("c-dup")(c)]) == 1


def test_start_greets_and_media_asks_for_text(bot, zalo):
    assert post(bot, bot_text_update("c-start", "/start")).status_code == 200
    assert zalo.wait_for("sendMessage", to_chat("c-start")).text.strip()
    assert post(bot, bot_image_update("c-photo")).status_code == 200
    assert "chữ" in zalo.wait_for("sendMessage", to_chat("c-photo")).text


def test_webhook_registered_at_start_with_public_url(zalo, monkeypatch, sample_config, sample_runtime):
    env = {
        "ZALO_BOT_TOKEN": BOT_TOKEN,
        "ZALO_BOT_WEBHOOK_SECRET": SECRET,
        "HOTLINE_CHANNELS__ZALO_BOT_API_BASE": zalo.base_url,
        "PUBLIC_BASE_URL": "https://hotline.example.gov.vn/",
    }
    with make_client(env, monkeypatch, sample_config, sample_runtime):
        pass
    assert zalo.webhook == {"url": "https://hotline.example.gov.vn/webhooks/zalo-bot", "secret_token": SECRET}


def test_send_errors_are_classified_and_the_token_is_never_shown(zalo, caplog):
    config = ZaloBotConfig(token=BOT_TOKEN, webhook_secret=SECRET, api_base=zalo.base_url)

    async def send(adapter: ZaloBotAdapter) -> None:
        try:
            await adapter.send("c1", {"text": "xin chào"})
        finally:
            await adapter.close()

    zalo.fail("sendMessage", 429, body={"ok": False, "error_code": 429, "description": "Too Many Requests"})
    with pytest.raises(SendError) as limited:
        asyncio.run(send(ZaloBotAdapter(config)))
    assert limited.value.retryable
    zalo.fail("sendMessage", 400, body={"ok": False, "error_code": 400, "description": "chat not found"})
    with pytest.raises(SendError) as bad:
        asyncio.run(send(ZaloBotAdapter(config)))
    assert not bad.value.retryable
    wrong = ZaloBotConfig(token="1:wrong-token", webhook_secret=SECRET, api_base=zalo.base_url)
    with pytest.raises(SendError) as unauthorized:
        asyncio.run(send(ZaloBotAdapter(wrong)))
    assert not unauthorized.value.retryable
    down = ZaloBotConfig(token=BOT_TOKEN, webhook_secret=SECRET, api_base="http://127.0.0.1:9")
    with pytest.raises(SendError) as network:
        asyncio.run(send(ZaloBotAdapter(down, ZaloBotClient(down))))
    assert network.value.retryable
    for exc in (limited.value, bad.value, unauthorized.value, network.value):
        assert BOT_TOKEN not in str(exc) and "wrong-token" not in str(exc)
    # httpx logs every request URL at INFO, and the token is in the URL.
    build_adapter(
        Settings(environment="test"), environ={"ZALO_BOT_TOKEN": BOT_TOKEN, "ZALO_BOT_WEBHOOK_SECRET": SECRET}
    )
    with caplog.at_level(logging.INFO, logger="httpx"):
        asyncio.run(send(ZaloBotAdapter(config)))
    logged = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert logged and all(BOT_TOKEN not in m for m in logged) and "/bot***/sendMessage" in logged[-1]


def test_long_answers_are_split_at_2000_characters(zalo):
    config = ZaloBotConfig(token=BOT_TOKEN, webhook_secret=SECRET, api_base=zalo.base_url)
    adapter = ZaloBotAdapter(config)
    assert adapter.capabilities.max_text == 2000 and adapter.capabilities.typing
    parts = adapter.render({"text": "Chọn một:", "options": ["1. Khai sinh", "2. Kết hôn"]})
    assert parts == ["Chọn một:\n\n1. Khai sinh\n2. Kết hôn"]

    async def send() -> None:
        try:
            await adapter.send("c-long", {"text": "câu " * 700, "options": ["1. Khai sinh"]})
        finally:
            await adapter.close()

    asyncio.run(send())
    sent = zalo.calls_of("sendMessage")
    assert len(sent) >= 2 and all(len(c.text) <= 2000 for c in sent) and sent[-1].text == "1. Khai sinh"


def test_a_short_secret_fails_at_start():
    env = {"ZALO_BOT_TOKEN": BOT_TOKEN, "ZALO_BOT_WEBHOOK_SECRET": "short"}
    with pytest.raises(ValueError, match="8 to 256"):
        build_adapter(Settings(environment="test"), environ=env)
    assert build_adapter(Settings(environment="test"), environ={"ZALO_BOT_TOKEN": BOT_TOKEN}) is None
