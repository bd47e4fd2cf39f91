"""The real app with every channel switched on, for the security tests: Telegram, Zalo OA
and Zalo Bot talk to the loopback clouds of tests/fakes, the phone checks real Twilio
signatures. Webhook requests are signed the way each provider signs them."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.zalo_api import APP_ID, APP_SECRET_KEY, BOT_TOKEN, OA_SECRET_KEY, FakeZaloAPI

TELEGRAM_TOKEN = "123456789:AAH-security-test-token_for_fake"
TELEGRAM_SECRET = "security-Webhook_secret"
ZALO_BOT_SECRET = "zbot-security-secret-123"
TWILIO_TOKEN = "twilio-auth-token-for-security-tests-01"
PUBLIC = "https://hotline.example.gov.vn"


@dataclass
class Channels:
    client: TestClient
    telegram: FakeTelegramAPI
    zalo: FakeZaloAPI

    # -- signed requests, as each provider sends them ------------------------------------------
    # ``client``: another client of the same app (an ``httpx.AsyncClient`` for many requests
    # from the app's own event loop; the call then returns a coroutine).
    def telegram_post(
        self, body: bytes | dict[str, Any], *, secret: str | None = TELEGRAM_SECRET, client: Any = None
    ) -> Any:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return (client or self.client).post("/webhooks/telegram", content=content, headers=headers)

    def zalo_post(
        self, body: bytes | dict[str, Any], *, signed: bool = True, timestamp: str = "", client: Any = None
    ) -> Any:
        content = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        if not timestamp and isinstance(body, dict):
            timestamp = str(body.get("timestamp", ""))
        headers = {"Content-Type": "application/json"}
        if signed:
            headers["X-ZEvent-Signature"] = "mac=" + zalo_signature(content, timestamp)
        return (client or self.client).post("/webhooks/zalo", content=content, headers=headers)

    def zalo_bot_post(
        self, body: bytes | dict[str, Any], *, secret: str | None = ZALO_BOT_SECRET, client: Any = None
    ) -> Any:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Bot-Api-Secret-Token"] = secret
        return (client or self.client).post("/webhooks/zalo-bot", content=content, headers=headers)

    def voice_post(
        self, path_and_query: str, form: dict[str, str], *, signed: bool = True, client: Any = None
    ) -> Any:
        headers = {}
        if signed:
            headers["X-Twilio-Signature"] = twilio_signature(PUBLIC + path_and_query, form)
        return (client or self.client).post(path_and_query, data=form, headers=headers)

    @property
    def hub(self) -> Any:
        return self.client.app.state.hub


def zalo_signature(body: bytes, timestamp: str) -> str:
    stamp = timestamp.encode("utf-8", "surrogatepass")
    return hashlib.sha256(APP_ID.encode() + body + stamp + OA_SECRET_KEY.encode()).hexdigest()


def twilio_signature(url: str, form: dict[str, str]) -> str:
    return str(RequestValidator(TWILIO_TOKEN).compute_signature(url, form))


@contextmanager
def all_channels(
    sample_settings: Any,
    sample_runtime: Any,
    db_path: Path,
    *,
    telegram: FakeTelegramAPI | None = None,
    zalo: FakeZaloAPI | None = None,
    database_url: str | None = None,
    per_address: int | None = None,
) -> Iterator[Channels]:
    """The app through its lifespan, each channel enabled against its loopback cloud (new
    ones, or those given: a restart of the server keeps talking to the same clouds), on
    SQLite at ``db_path`` or on ``database_url``; ``per_address`` lifts the API's limit of
    requests per client address (every test request comes from one address)."""
    with ExitStack() as stack:
        if telegram is None:
            telegram = stack.enter_context(FakeTelegramAPI(token=TELEGRAM_TOKEN))
        if zalo is None:
            zalo = stack.enter_context(FakeZaloAPI())
        yield from _serve(sample_settings, sample_runtime, db_path, telegram, zalo, database_url, per_address)


def _serve(
    sample_settings: Any,
    sample_runtime: Any,
    db_path: Path,
    telegram: FakeTelegramAPI,
    zalo: FakeZaloAPI,
    database_url: str | None,
    per_address: int | None,
) -> Iterator[Channels]:
    from channels.api import create_app
    from channels.settings import DatabaseSettings, read_secrets

    access, refresh = zalo.issue_pair()
    env = {
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "ZALO_APP_ID": APP_ID,
        "ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
        "ZALO_APP_SECRET_KEY": APP_SECRET_KEY,
        "ZALO_OA_ACCESS_TOKEN": access,
        "ZALO_OA_REFRESH_TOKEN": refresh,
        "ZALO_BOT_TOKEN": BOT_TOKEN,
        "ZALO_BOT_WEBHOOK_SECRET": ZALO_BOT_SECRET,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "PUBLIC_BASE_URL": PUBLIC,
    }
    channels = sample_settings.channels.model_copy(
        update={
            "telegram_api_base": telegram.base_url,
            "zalo_oa_api_base": zalo.base_url,
            "zalo_oauth_base": zalo.base_url,
            "zalo_bot_api_base": zalo.base_url,
            "zalo_token_file": db_path.parent / "zalo-oa-tokens.json",
        }
    )
    update: dict[str, Any] = {
        "channels": channels,
        "database": DatabaseSettings(url=database_url or f"sqlite:///{db_path}"),
    }
    if per_address is not None:
        update["api"] = sample_settings.api.model_copy(update={"rate_limit_per_address": per_address})
    settings = sample_settings.model_copy(update=update)
    # Each app hands the assistant its own case service: a copy keeps the session's
    # shared runtime untouched.
    runtime = dataclasses.replace(sample_runtime, assistant=copy.copy(sample_runtime.assistant))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DATABASE_URL", raising=False)
        mp.delenv("TWILIO_ACCOUNT_SID", raising=False)
        for name, value in env.items():
            mp.setenv(name, value)
        # The secrets as just set (the settings read the environment once, when loaded).
        app = create_app(settings.model_copy(update={"secrets": read_secrets()}), runtime=runtime)
        with TestClient(app, raise_server_exceptions=False) as client:
            for name in ("telegram", "zalo", "zalo_bot", "voice"):
                assert name in app.state.adapters, f"channel {name} is not enabled"
            yield Channels(client, telegram, zalo)
