"""Zalo Bot platform (bot.zapps.me): a Telegram-like Bot API for Zalo.

In: Zalo posts each update to ``POST /webhooks/zalo-bot`` with the secret given to
``setWebhook`` in the ``X-Bot-Api-Secret-Token`` header (checked in constant time). The
body is ``{"ok": true, "result": {"event_name": "message.text.received", "message":
{"message_id", "text", "chat": {"id"}, "from": {"id", "display_name"}, "date"}}}`` (the
bare ``result`` object is accepted too).

Out: ``POST {api}/bot<TOKEN>/sendMessage`` ``{"chat_id", "text"}`` (at most 2,000
characters) and ``sendChatAction`` ``{"chat_id", "action": "typing"}``; the answer is
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code", "description"}``.
The token is part of every URL, so it is kept out of exception messages and logs.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import APIRouter

from bot import compose
from channels.coordination import digest, once_per_config
from channels.hub import Capabilities, InboundEvent, please_send_text
from channels.outbox import SendError, split_text
from channels.settings import Secrets, Settings, reveal
from channels.webhook import Unreadable, WebhookRequest, webhook_router
from channels.zalo import MAX_ID, as_object
from handoff.db import Database
from knowledge.errors import ConfigError

log = logging.getLogger(__name__)

NAME = "zalo_bot"
MAX_TEXT = 2000
DEFAULT_API_BASE = "https://bot-api.zapps.me"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/webhooks/zalo-bot"
_TOKEN_IN_URL = re.compile(r"/bot[^/\s]+/")


@dataclass(frozen=True, slots=True)
class ZaloBotConfig:
    token: str
    webhook_secret: str
    api_base: str = DEFAULT_API_BASE
    timeout: float = 10.0
    max_text: int = MAX_TEXT
    public_base_url: str | None = None  # setWebhook(PUBLIC_BASE_URL + /webhooks/zalo-bot) at start

    @classmethod
    def from_settings(cls, settings: Settings, secrets: Secrets | None = None) -> ZaloBotConfig | None:
        """None unless ZALO_BOT_TOKEN and ZALO_BOT_WEBHOOK_SECRET are set.

        ``secrets``: instead of the settings' own (tests, an embedding host)."""
        secrets = settings.secrets if secrets is None else secrets
        token = reveal(secrets.zalo_bot_token)
        secret = reveal(secrets.zalo_bot_webhook_secret)
        if not token or not secret:
            return None
        if not 8 <= len(secret) <= 256:
            # Zalo refuses such a secret in setWebhook; better to stop at start than to
            # run a channel that never receives anything.
            raise ConfigError("ZALO_BOT_WEBHOOK_SECRET must be 8 to 256 characters long")
        return cls(
            token=token,
            webhook_secret=secret,
            api_base=(settings.channels.zalo_bot_api_base or DEFAULT_API_BASE).rstrip("/"),
            public_base_url=reveal(secrets.public_base_url).rstrip("/") or None,
        )


class _RedactToken(logging.Filter):
    """httpx logs each request URL at INFO; the bot token is in that URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_URL.sub("/bot***/", str(a)) if isinstance(a, httpx.URL | str) else a
                for a in record.args
            )
        return True


def _install_redaction() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactToken) for f in logger.filters):
        logger.addFilter(_RedactToken())


class ZaloBotClient:
    def __init__(self, config: ZaloBotConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self.transport = transport
        self._http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(transport=self.transport, timeout=self.config.timeout)
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """``result`` of a Bot API method; ``SendError`` (retryable for network errors,
        429 and 5xx) otherwise."""
        url = f"{self.config.api_base}/bot{self.config.token}/{method}"
        try:
            response = await self._client().post(url, json=params)
        except httpx.HTTPError as exc:
            # str(exc) may quote the URL, hence the token: name the error only.
            raise SendError(f"zalo_bot: {method} {type(exc).__name__}", retryable=True) from None
        try:
            data = response.json()
        except ValueError:
            data = None
        status = response.status_code
        if isinstance(data, dict) and data.get("ok") is True and status < 400:
            return data.get("result")
        code = data.get("error_code", status) if isinstance(data, dict) else status
        description = str(data.get("description", "")) if isinstance(data, dict) else response.text[:200]
        description = description.replace(self.config.token, "***")
        retryable = status == 429 or status >= 500 or code == 429 or data is None
        retry_after = None
        if isinstance(data, dict) and isinstance(data.get("parameters"), dict):
            retry_after = data["parameters"].get("retry_after")
        if retry_after is None and response.headers.get("retry-after", "").isdigit():
            retry_after = float(response.headers["retry-after"])
        raise SendError(
            f"zalo_bot: {method} error {code}: {description}",
            retryable=retryable,
            retry_after=float(retry_after) if retry_after is not None else None,
        )


class ZaloBotAdapter:
    name = NAME

    def __init__(self, config: ZaloBotConfig, client: ZaloBotClient | None = None) -> None:
        self.config = config
        self.client = client or ZaloBotClient(config)
        self.capabilities = Capabilities(max_text=config.max_text, buttons=False, location=False, typing=True)

    # -- inbound (channels.webhook) -----------------------------------------------------------
    refusal = "invalid secret token"
    credential = SECRET_HEADER

    def verify(self, request: WebhookRequest) -> bool:
        header = request.headers.get(SECRET_HEADER)
        if not header:
            return False
        return hmac.compare_digest(header.encode(), self.config.webhook_secret.encode())

    def parse(self, request: WebhookRequest) -> list[InboundEvent]:
        data = request.json_object()
        try:
            event = self.event(data)
        except (TypeError, ValueError, AttributeError) as exc:
            raise Unreadable("unreadable update", f"update unreadable: {exc!r}") from None
        return [event] if event is not None else []

    def event(self, data: Mapping[str, Any]) -> InboundEvent | None:
        update = as_object(data.get("result")) or dict(data)
        message = update.get("message")
        if not isinstance(message, dict):
            return None
        chat = as_object(message.get("chat"))
        sender = as_object(message.get("from"))
        if sender.get("is_bot"):
            return None
        chat_id = str(chat.get("id") or sender.get("id") or "")
        message_id = str(message.get("message_id") or "")
        if not chat_id or not message_id or len(chat_id) > MAX_ID or len(message_id) > MAX_ID:
            return None
        event = InboundEvent(
            channel=NAME,
            message_id=message_id,
            user_id=chat_id,
            display_name=str(sender.get("display_name") or "") or None,
        )
        name = str(update.get("event_name") or "")
        text = message.get("text")
        if name == "message.text.received" or (not name and isinstance(text, str)):
            event.text = str(text or "").strip()
            if not event.text:
                # Nothing readable left (only characters that cannot be stored): stored and
                # answered with "please write your question", like Telegram, never dropped.
                event.kind, event.text = "image", "[unreadable text]"
                event.reply, event.intent = _send_text, "unsupported_content"
                return event
            if event.text.split()[0].lower() in ("/start", "/help"):
                # The first tap on "Start": greeted.
                event.kind, event.reply, event.intent = "follow", compose.greeting, "greet"
        elif name.startswith("message.") and name.endswith(".received"):
            # A photo, sticker, voice...: asked to write instead.
            event.kind, event.text = "image", f"[{name.split('.')[1]}]"
            event.reply, event.intent = _send_text, "unsupported_content"
        else:
            return None
        return event

    def render(self, payload: Mapping[str, Any]) -> list[str]:
        text = str(payload.get("text") or "").strip()
        options = [str(o).strip() for o in payload.get("options") or [] if str(o).strip()]
        lines = [o if o[:1].isdigit() else f"{i}. {o}" for i, o in enumerate(options, start=1)]
        block = "\n".join(lines)
        combined = f"{text}\n\n{block}".strip() if block else text
        if len(combined) <= self.config.max_text:
            return [combined] if combined else []
        return split_text(text, self.config.max_text) + split_text(block, self.config.max_text)

    async def send(self, recipient: str, payload: dict[str, Any]) -> None:
        for part in self.render(payload):
            await self.client.call("sendMessage", {"chat_id": recipient, "text": part})

    async def typing(self, recipient: str) -> None:
        try:
            await self.client.call("sendChatAction", {"chat_id": recipient, "action": "typing"})
        except SendError as exc:  # a missing "typing…" must never block the answer
            log.debug("zalo_bot: typing indicator failed: %s", exc)

    async def set_webhook(self, url: str) -> None:
        await self.client.call("setWebhook", {"url": url, "secret_token": self.config.webhook_secret})
        log.info("zalo_bot: webhook set to %s", url)

    async def close(self) -> None:
        await self.client.aclose()


def build_adapter(
    settings: Settings,
    db: Database | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ZaloBotAdapter | None:
    """The Zalo Bot channel, or None (disabled) without its secrets.

    ``environ``: secrets by variable name instead of the settings' own (tests)."""
    config = ZaloBotConfig.from_settings(settings, None if environ is None else Secrets.from_environ(environ))
    if config is None:
        return None
    _install_redaction()
    return ZaloBotAdapter(config, ZaloBotClient(config, transport=transport))


async def on_startup(
    adapter: ZaloBotAdapter | None, settings: Settings | None = None, db: Any = None
) -> None:
    """Register the webhook (with the secret) when PUBLIC_BASE_URL is set, once per
    configuration for all the replicas sharing ``db`` (``channels.coordination``). A
    failure is logged, not fatal: the rest of the app serves, and the next start tries again."""
    if adapter is None or not adapter.config.public_base_url:
        return
    url = adapter.config.public_base_url + WEBHOOK_PATH

    async def register() -> bool:
        await adapter.set_webhook(url)
        return True

    fingerprint = digest(url, adapter.config.webhook_secret, adapter.config.token)
    try:
        await once_per_config(db, "zalo_bot.webhook", fingerprint, register)
    except SendError as exc:
        log.error("zalo_bot: setWebhook failed: %s", exc)


def make_router() -> APIRouter:
    return webhook_router(WEBHOOK_PATH, NAME)


def _send_text(lang: str) -> str:
    # The Bot platform delivers no locations: only "please type".
    return please_send_text(lang, location=False)
