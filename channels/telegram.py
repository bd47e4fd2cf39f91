"""Telegram channel (aiogram 3): webhook in, Bot API out, the same routers for polling.

In: Telegram posts each ``Update`` to ``POST /webhooks/telegram`` with the secret given to
``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token`` (checked in constant time; without a
configured secret the webhook refuses everything). The common webhook route
(``channels.webhook``) verifies it; ``parse`` feeds the update to an aiogram ``Dispatcher``
whose routers (one per feature: commands, callbacks, messages) turn it into an
``InboundEvent``; the pipeline stores it (deduplicated on ``update_id``), answers and puts
the reply in the outbox.

Out: the outbox worker calls ``TelegramAdapter.send`` → ``sendMessage``: a composed answer
(a payload with ``blocks``) in HTML parse mode, every catalogue text escaped
(``channels.render``), its aspect menu as an inline keyboard; any other reply as plain text
without parse mode. Numbered options become an inline keyboard whose ``callback_data`` is
``opt:N``. aiogram's exceptions become ``SendError``: 429 (with
``retry_after``), network errors and 5xx are retried, the rest (blocked by the user, chat
not found...) are not.

Development without a public URL: ``hotline telegram --polling`` deletes the webhook and
polls ``getUpdates`` with the same dispatcher, whose events go into the same pipeline.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import hmac
import logging
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.enums import ChatAction, ChatType, ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, ErrorEvent, InlineKeyboardMarkup, Update
from aiogram.types import Message as TgMessage
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram.utils.token import TokenValidationError, validate_token
from fastapi import APIRouter
from pydantic import ValidationError

from bot import compose, texts
from channels import render
from channels.coordination import digest, forget, once_per_config
from channels.hub import Capabilities, Hub, InboundEvent, please_send_text
from channels.outbox import SendError
from channels.settings import Secrets, Settings, reveal
from channels.telegram_cli import add_telegram_parser as add_telegram_parser  # the command line, kept light
from channels.webhook import Unreadable, WebhookRequest, webhook_router
from knowledge.errors import ConfigError

log = logging.getLogger(__name__)

NAME = "telegram"
WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT = 4096
ALLOWED_UPDATES = ["message", "callback_query"]
OPTION_PREFIX = "opt:"
LANG_PREFIX = "lang:"


class _LanguageNames(Mapping[str, str]):
    """The language keyboard: each served language (``locales/LINGUAS`` order) by its own name."""

    def __getitem__(self, code: str) -> str:
        if code not in texts.languages():
            raise KeyError(code)
        return texts.t(code, "language_name", "channels")

    def __iter__(self) -> Iterator[str]:
        return iter(texts.languages())

    def __len__(self) -> int:
        return len(texts.languages())


LANGUAGES: Mapping[str, str] = _LanguageNames()


def choose_language() -> str:
    # Shown before the citizen has chosen: in Vietnamese and English, the two most read.
    return (
        f"🌐 {texts.t('vi', 'choose_language', 'channels')} · {texts.t('en', 'choose_language', 'channels')}"
    )


def lang_usage() -> str:
    return "/lang " + " | ".join(texts.languages())


# Telegram allows these characters in a webhook secret token, 1 to 256 of them.
_SECRET_CHARS = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_BUTTON_CHARS = 60
_FAILED = object()
# shared_state key of the registered webhook's configuration (channels.coordination).
WEBHOOK_STATE = "telegram.webhook"  # what the error router returns: the webhook then asks for a redelivery

# Set by ``hotline telegram --polling`` around the app's lifespan, so that on_startup does
# not register a webhook that polling would have to delete again.
_polling: contextvars.ContextVar[bool] = contextvars.ContextVar("telegram_polling", default=False)


class TelegramChannelError(ConfigError):
    """Root of this channel's own errors (configuration problems found at start)."""


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    token: str
    webhook_secret: str | None = None
    api_base: str | None = None  # a local Bot API server or a test fake; None: api.telegram.org
    public_base_url: str | None = None
    default_language: str = "vi"
    timeout: float = 10.0

    @property
    def webhook_url(self) -> str | None:
        return f"{self.public_base_url}{WEBHOOK_PATH}" if self.public_base_url else None

    @classmethod
    def from_settings(cls, settings: Settings, secrets: Secrets | None = None) -> TelegramConfig | None:
        """None unless TELEGRAM_BOT_TOKEN is set; a malformed token stops the start.

        ``secrets``: instead of the settings' own (tests, an embedding host)."""
        secrets = settings.secrets if secrets is None else secrets
        token = reveal(secrets.telegram_bot_token)
        if not token:
            return None
        try:
            validate_token(token)
        except TokenValidationError:
            raise TelegramChannelError(
                "TELEGRAM_BOT_TOKEN is not a bot token (expected <digits>:<secret> from @BotFather)"
            ) from None
        secret = reveal(secrets.telegram_webhook_secret) or None
        if secret is not None and not _SECRET_CHARS.match(secret):
            raise TelegramChannelError(
                "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and - "
                "(Telegram refuses other secrets)"
            )
        api_base = settings.channels.telegram_api_base
        return cls(
            token=token,
            webhook_secret=secret,
            api_base=api_base.rstrip("/") if api_base else None,
            public_base_url=reveal(secrets.public_base_url).rstrip("/") or None,
            default_language=settings.default_language or "vi",
        )


class TelegramAdapter:
    """The channel: an aiogram ``Bot`` for the Bot API and a ``Dispatcher`` for updates.

    Created in the app's lifespan (``build_adapter``), closed with ``close()``.
    """

    name = NAME
    capabilities = Capabilities(max_text=MAX_TEXT, buttons=True, location=True, typing=True)

    def __init__(self, config: TelegramConfig) -> None:
        self.config = config
        session = AiohttpSession(
            api=TelegramAPIServer.from_base(config.api_base) if config.api_base else PRODUCTION,
            timeout=config.timeout,
        )
        self.bot = Bot(
            config.token,
            session=session,
            default=DefaultBotProperties(parse_mode=None, link_preview_is_disabled=True),
        )
        self.dispatcher = build_dispatcher(self)

    def bind(self, hub: Hub) -> None:
        """The hub whose pipeline gets this channel's events (its handlers read the
        conversation's language from it)."""
        self.dispatcher["hub"] = hub

    # -- the webhook side (channels.webhook) ---------------------------------------------------
    refusal = "invalid secret token"
    credential = SECRET_HEADER

    def verify(self, request: WebhookRequest) -> bool:
        return self.check_secret(request.headers.get(SECRET_HEADER))

    def check_secret(self, header: str | None) -> bool:
        """Constant-time check of the webhook secret; no secret configured: always False."""
        expected = self.config.webhook_secret
        if not expected or not header:
            return False
        return hmac.compare_digest(header.encode(), expected.encode())

    async def parse(self, request: WebhookRequest) -> list[InboundEvent]:
        """The update run through the routers: its event for the pipeline, if any."""
        try:
            update = Update.model_validate(request.json(), context={"bot": self.bot})
        except ValidationError as exc:
            fields = sorted({".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()})[:5]
            raise Unreadable(
                "not a Telegram Update", f"not an Update ({', '.join(fields)})", fields=fields
            ) from None
        result = await self.dispatcher.feed_update(self.bot, update)
        if result is _FAILED:  # the error router has logged it; Telegram delivers it again
            raise RuntimeError(f"telegram: update {update.update_id} could not be processed")
        return [result] if isinstance(result, InboundEvent) else []

    # -- the Bot API side ------------------------------------------------------------------
    async def send(self, recipient: str, payload: dict[str, Any]) -> None:
        """sendMessage; ``SendError`` (retryable or not) when Telegram does not take it."""
        try:
            chat_id = int(recipient)
        except (TypeError, ValueError):
            raise SendError(f"telegram: bad chat id {recipient!r}", retryable=False) from None
        text = str(payload.get("text") or "")
        blocks = render.payload_blocks(payload)
        if blocks:
            # A composed answer: HTML (escaped) with the aspect menu as buttons.
            html_text = render.telegram_html(blocks)
            buttons = render.telegram_buttons(blocks, OPTION_PREFIX)
            markup = keyboard({"buttons": buttons}) if buttons else None
            try:
                await self.bot.send_message(
                    chat_id=chat_id, text=html_text or text, reply_markup=markup, parse_mode=ParseMode.HTML
                )
            except TelegramAPIError as exc:
                raise send_error(exc, self.config.token) from None
            return
        markup = keyboard(payload)
        labels = [str(o) for o in payload.get("options") or []]
        if any(len(label) > _BUTTON_CHARS for label in labels):
            # A button shows a shortened label: the full options are written out too.
            listed = "\n".join(labels)
            if len(text) + len(listed) + 2 <= MAX_TEXT:
                text = f"{text}\n\n{listed}" if text.strip() else listed
        if not text.strip():
            if markup is None:
                log.info("telegram: empty message to %s not sent", chat_id)
                return
            text = "…"
        try:
            await self.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
        except TelegramAPIError as exc:
            raise send_error(exc, self.config.token) from None

    async def typing(self, recipient: str) -> None:
        try:
            await self.bot.send_chat_action(chat_id=int(recipient), action=ChatAction.TYPING)
        except (TelegramAPIError, ValueError) as exc:  # a nicety: never fails an answer
            log.debug("telegram: typing action for %s failed: %s", recipient, exc)

    async def set_webhook(self) -> bool:
        url = self.config.webhook_url
        if url is None:
            return False
        if not self.config.webhook_secret:
            log.error(
                "telegram: PUBLIC_BASE_URL is set but TELEGRAM_WEBHOOK_SECRET is not; the webhook "
                "would refuse every update, so it is not registered"
            )
            return False
        try:
            await self.bot.set_webhook(
                url=url,
                secret_token=self.config.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
        except TelegramAPIError as exc:
            log.error("telegram: setWebhook %s failed: %s", url, _redact(str(exc), self.config.token))
            return False
        log.info("telegram: webhook registered at %s", url)
        return True

    async def close(self) -> None:
        await self.bot.session.close()


def send_error(exc: TelegramAPIError, token: str = "") -> SendError:
    """aiogram's exception → the outbox's: 429, network and 5xx are worth retrying."""
    message = f"telegram: {type(exc).__name__}: {_redact(exc.message, token)}"
    if isinstance(exc, TelegramRetryAfter):
        return SendError(message, retryable=True, retry_after=float(exc.retry_after))
    if isinstance(exc, TelegramNetworkError | TelegramServerError | ClientDecodeError):
        return SendError(message, retryable=True)
    # Forbidden (blocked by the user), BadRequest (chat not found, text too long),
    # Unauthorized (token revoked), NotFound, Conflict...: retrying cannot help.
    return SendError(message, retryable=False)


def _redact(text: str, token: str) -> str:
    return text.replace(token, "***") if token else text


def keyboard(payload: Mapping[str, Any]) -> InlineKeyboardMarkup | None:
    """``buttons`` ([{"text", "data"}], this channel's own) or the numbered ``options``
    as an inline keyboard, one button per row; None without either."""
    builder = InlineKeyboardBuilder()
    buttons = payload.get("buttons") or []
    options = payload.get("options") or []
    if buttons:
        for button in buttons:
            builder.button(text=_label(str(button["text"])), callback_data=str(button["data"])[:64])
        builder.adjust(2)
    elif options:
        for number, option in enumerate(options, 1):
            text = str(option)
            label = text if text.lstrip().startswith(str(number)) else f"{number}. {text}"
            builder.button(text=_label(label), callback_data=f"{OPTION_PREFIX}{number}")
        builder.adjust(1)
    else:
        return None
    return builder.as_markup()


def _label(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _BUTTON_CHARS else text[: _BUTTON_CHARS - 1].rstrip() + "…"


def language_buttons() -> list[dict[str, str]]:
    return [{"text": label, "data": f"{LANG_PREFIX}{code}"} for code, label in LANGUAGES.items()]


# -- the routers: one per feature; each handler returns the event for the pipeline ---------------
def build_dispatcher(adapter: TelegramAdapter) -> Dispatcher:
    """A dispatcher per adapter (per app): handlers get ``adapter`` and ``hub`` from its
    workflow data, by parameter name, and return the update's ``InboundEvent`` (or None)."""
    dispatcher = Dispatcher(adapter=adapter)
    dispatcher.include_routers(commands_router(), callbacks_router(), messages_router())

    @dispatcher.update.outer_middleware()
    async def into_the_pipeline(
        handler: Callable[[Update, dict[str, Any]], Awaitable[Any]], update: Update, data: dict[str, Any]
    ) -> Any:
        # Polling has no webhook route: the event goes into the pipeline from here.
        result = await handler(update, data)
        if data.get("polling") and isinstance(result, InboundEvent):
            await data["hub"].receive(result)
        return result

    @dispatcher.errors()
    async def on_error(event: ErrorEvent) -> object:
        update_id = event.update.update_id if event.update else "?"
        log.error("telegram: update %s failed", update_id, exc_info=event.exception)
        return _FAILED

    return dispatcher


_private = F.chat.type == ChatType.PRIVATE


def _event(message: TgMessage, update_id: str, **fields: Any) -> InboundEvent:
    user = message.from_user
    return InboundEvent(
        channel=NAME,
        message_id=update_id,
        user_id=str(message.chat.id),
        display_name=user.full_name if user is not None else None,
        **fields,
    )


def _own_reply(
    event: InboundEvent,
    message: TgMessage,
    text: Callable[[str], str],
    *,
    intent: str = "channel",
    buttons: list[dict[str, str]] | None = None,
) -> InboundEvent:
    """A reply the channel writes itself (greeting, language keyboard, "please send text"),
    in the conversation's language, or the Telegram client's for a new conversation."""
    event.reply, event.intent = text, intent
    event.lang = event.lang or client_language(message)
    event.extra = {"buttons": buttons} if buttons else None
    return event


def commands_router() -> Router:
    router = Router(name="telegram-commands")
    router.message.filter(_private)

    @router.message(CommandStart())
    async def start(message: TgMessage, event_update: Update) -> InboundEvent:
        event = _event(message, str(event_update.update_id), text="/start", kind="command")
        greet = lambda lang: f"{compose.greeting(lang)}\n\n{choose_language()}"  # noqa: E731
        return _own_reply(event, message, greet, intent="greet", buttons=language_buttons())

    @router.message(Command("lang", "language"))
    async def lang(message: TgMessage, command: CommandObject, event_update: Update) -> InboundEvent:
        code = (command.args or "").strip().lower()
        event = _event(message, str(event_update.update_id), text=message.text or "/lang", kind="command")
        if code in LANGUAGES:
            event.text, event.lang = f"/lang {code}", code
            return event
        usage = f"{choose_language()}\n{lang_usage()}"
        return _own_reply(event, message, lambda _: usage, buttons=language_buttons())

    @router.message(Command("human", "staff", "operator"))
    async def human(
        message: TgMessage, event_update: Update, hub: Hub, adapter: TelegramAdapter
    ) -> InboundEvent:
        event = _event(message, str(event_update.update_id), kind="command")
        lang = await conversation_language(hub, event, message, adapter.config.default_language)
        # The citizen's own request, in their language, so that the transcript staff read says
        # what happened and the assistant opens the case.
        event.text, event.lang = texts.t(lang, "human_request", "channels"), lang
        return event

    return router


def callbacks_router() -> Router:
    router = Router(name="telegram-callbacks")

    @router.callback_query(F.data.startswith(OPTION_PREFIX))
    async def option(query: CallbackQuery, event_update: Update) -> InboundEvent | None:
        await _answer_query(query)
        number = (query.data or "")[len(OPTION_PREFIX) :]
        if not number.isdigit() or query.message is None:
            return None
        return _callback_event(query, event_update, text=number, kind="option")

    @router.callback_query(F.data.startswith(LANG_PREFIX))
    async def language(query: CallbackQuery, event_update: Update) -> InboundEvent | None:
        await _answer_query(query)
        code = (query.data or "")[len(LANG_PREFIX) :]
        if code not in LANGUAGES or query.message is None:
            return None
        return _callback_event(query, event_update, text=f"/lang {code}", kind="command", lang=code)

    @router.callback_query()
    async def stale(query: CallbackQuery) -> None:
        # Buttons of an older version of the bot: stop the client's spinner, nothing else.
        await _answer_query(query)

    return router


async def _answer_query(query: CallbackQuery) -> None:
    try:
        await query.answer()
    except TelegramAPIError as exc:  # too late (over 15 s) or already answered: harmless
        log.debug("telegram: answerCallbackQuery failed: %s", exc)


def _callback_event(query: CallbackQuery, update: Update, **fields: Any) -> InboundEvent:
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    return InboundEvent(
        channel=NAME,
        message_id=str(update.update_id),
        user_id=str(chat_id),
        display_name=query.from_user.full_name,
        **fields,
    )


def messages_router() -> Router:
    router = Router(name="telegram-messages")
    router.message.filter(_private)

    @router.message(F.text)
    async def text(message: TgMessage, event_update: Update) -> InboundEvent:
        return _event(message, str(event_update.update_id), text=message.text or "")

    @router.message(F.location)
    async def location(message: TgMessage, event_update: Update) -> InboundEvent:
        assert message.location is not None
        lat, lon = message.location.latitude, message.location.longitude
        return _event(
            message,
            str(event_update.update_id),
            text=f"[location {lat:.5f},{lon:.5f}]",
            kind="location",
            location=(lat, lon),
        )

    @router.message()
    async def other(message: TgMessage, event_update: Update) -> InboundEvent:
        kind = str(message.content_type)
        event = _event(message, str(event_update.update_id), text=f"[{kind}]", kind="image")
        send_text = lambda lang: please_send_text(lang, location=True)  # noqa: E731
        return _own_reply(event, message, send_text, intent="unsupported_content")

    return router


def client_language(message: TgMessage) -> str | None:
    """The Telegram client's language, when it is one of ours."""
    client = (message.from_user.language_code or "") if message.from_user else ""
    client = client.split("-")[0].lower()
    return client if client in LANGUAGES else None


async def conversation_language(hub: Hub, event: InboundEvent, message: TgMessage, default: str) -> str:
    """The conversation's language once it has one, else the Telegram client's language."""
    loop = asyncio.get_running_loop()
    lang = await loop.run_in_executor(hub.io, hub.language_of, event.conversation_id)
    if lang in LANGUAGES:
        return str(lang)
    return client_language(message) or default


# -- composition: what create_app calls --------------------------------------------------------------
def build_adapter(
    settings: Settings, db: Any = None, *, environ: Mapping[str, str] | None = None
) -> TelegramAdapter | None:
    """The channel, or None (disabled: its route answers 404) without TELEGRAM_BOT_TOKEN.

    ``environ``: secrets by variable name instead of the settings' own (tests)."""
    config = TelegramConfig.from_settings(
        settings, None if environ is None else Secrets.from_environ(environ)
    )
    if config is None:
        return None
    if not config.webhook_secret:
        log.warning(
            "telegram: TELEGRAM_WEBHOOK_SECRET is not set: %s refuses every update "
            "(polling with `hotline telegram --polling` still works)",
            WEBHOOK_PATH,
        )
    return TelegramAdapter(config)


async def on_startup(adapter: TelegramAdapter, settings: Settings, db: Any = None) -> None:
    """Register the webhook when PUBLIC_BASE_URL is set (not in polling mode), once per
    configuration for all the replicas sharing ``db`` (``channels.coordination``). A
    failure is logged, not fatal: the rest of the app serves, and the next start tries again."""
    if _polling.get():
        return
    config = adapter.config
    fingerprint = digest(config.webhook_url, config.webhook_secret, ALLOWED_UPDATES, config.token)
    try:
        await once_per_config(db, WEBHOOK_STATE, fingerprint, adapter.set_webhook)
    except Exception:
        log.exception("telegram: webhook registration failed")


def make_router() -> APIRouter:
    return webhook_router(WEBHOOK_PATH, NAME, says_duplicate=False)


# -- `hotline telegram --polling` ------------------------------------------------------------------
def run_telegram(args: argparse.Namespace, settings: Settings) -> int:
    if not getattr(args, "polling", False):
        log.error(
            "hotline telegram: give --polling (in production Telegram posts to %s; set "
            "TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET and PUBLIC_BASE_URL and run `hotline serve`)",
            WEBHOOK_PATH,
        )
        return 2
    from pathlib import Path

    index = getattr(args, "index", None)
    index_dir = Path(index).resolve() if index else None
    return asyncio.run(
        poll(
            settings,
            index_dir=index_dir,
            drop_pending_updates=bool(getattr(args, "drop_pending_updates", False)),
        )
    )


async def poll(
    settings: Settings,
    *,
    index_dir: Any = None,
    drop_pending_updates: bool = False,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
    app: Any = None,
) -> int:
    """The app's lifespan (database, assistant, hub, outbox worker, this adapter) without
    the HTTP server, and long polling instead of the webhook."""
    from channels.api import create_app

    if app is None:
        app = create_app(settings, index_dir=index_dir, rebuild=False if index_dir else None)
    token = _polling.set(True)
    try:
        async with app.router.lifespan_context(app):
            adapter: TelegramAdapter | None = app.state.adapters.get(NAME)
            if adapter is None:
                log.error("telegram: TELEGRAM_BOT_TOKEN is not set; nothing to poll")
                return 2
            bot = adapter.bot
            try:
                await bot.delete_webhook(drop_pending_updates=drop_pending_updates)
                # Deleted: the next `hotline serve` registers it again.
                forget(app.state.cases.db, WEBHOOK_STATE)
                me = await bot.get_me()
            except TelegramAPIError as exc:
                log.error("telegram: cannot reach the Bot API: %s", _redact(str(exc), adapter.config.token))
                return 1
            log.info("telegram: polling as @%s (Ctrl-C to stop)", me.username)
            polling = asyncio.create_task(
                adapter.dispatcher.start_polling(
                    bot,
                    hub=app.state.hub,
                    polling=True,
                    allowed_updates=ALLOWED_UPDATES,
                    handle_signals=handle_signals,
                    close_bot_session=False,
                    polling_timeout=10,
                )
            )
            if stop is None:
                await polling
            else:
                stopper = asyncio.create_task(stop.wait())
                await asyncio.wait({polling, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if not polling.done():
                    await adapter.dispatcher.stop_polling()
                    await polling
                stopper.cancel()
    finally:
        _polling.reset(token)
    return 0
