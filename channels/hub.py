"""Where every channel's messages meet the conversation: receive, answer, send.

A channel adapter verifies and normalises its provider's webhook into an ``InboundEvent``
and calls ``Hub.receive``: the message is stored (deduplicated on the channel's message
id) before the webhook answers, and answered in the background; the reply goes to the
outbox of that channel, which the ``OutboxWorker`` delivers with retries. The phone IVR,
whose HTTP response is the answer, uses ``Hub.answer_now``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select

from bot import compose
from bot.assistant import Turn
from bot.reply import CentreRef, Reply
from channels.conversation import ConversationService, Stored, TurnLocks
from channels.outbox import Outbox, OutboxWorker
from handoff.models import Conversation, Message

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Capabilities:
    max_text: int
    buttons: bool = False
    location: bool = False
    typing: bool = False


@dataclass(slots=True)
class InboundEvent:
    channel: str
    message_id: str
    user_id: str
    text: str = ""
    display_name: str | None = None
    kind: str = "text"  # text | location | image | command | follow | option
    location: tuple[float, float] | None = None
    lang: str | None = None
    speech_confidence: float | None = None

    @property
    def conversation_id(self) -> str:
        return f"{self.channel}:{self.user_id}"


class ChannelAdapter(Protocol):
    name: str
    capabilities: Capabilities

    async def send(self, recipient: str, payload: dict[str, Any]) -> None: ...


_RATE_LIMITED = {
    "vi": "Bạn đang gửi quá nhiều tin nhắn. Vui lòng chờ một chút rồi hỏi tiếp.",
    "en": "You are sending messages too quickly. Please wait a moment before asking again.",
}


class Hub:
    def __init__(
        self,
        conversations: ConversationService,
        outbox: Outbox,
        *,
        compute: Executor,
        worker: OutboxWorker | None = None,
        rate_limit: tuple[int, float] = (20, 60.0),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.conversations = conversations
        self.outbox = outbox
        self.compute = compute
        self.worker = worker
        self.adapters: dict[str, ChannelAdapter] = {}
        self.rate_limit = rate_limit
        self.clock = clock
        self._recent: dict[str, deque[float]] = defaultdict(deque)
        self._warned: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._turns = TurnLocks()
        # The last answer task of each conversation: the next one waits for it, so a
        # citizen's messages are answered in the order they were stored.
        self._tails: dict[str, asyncio.Task[None]] = {}
        self.io = ThreadPoolExecutor(max_workers=4, thread_name_prefix="hub-io")
        self.stats = {"received": 0, "duplicates": 0, "rate_limited": 0, "answered": 0, "errors": 0}

    def register(self, adapter: ChannelAdapter) -> None:
        self.adapters[adapter.name] = adapter
        if self.worker is not None:
            self.worker.senders[adapter.name] = adapter
            self.worker.limits[adapter.name] = adapter.capabilities.max_text

    # -- inbound ---------------------------------------------------------------------
    def _turn(self, event: InboundEvent) -> Turn:
        return Turn(
            event.text,
            event.conversation_id,
            event.lang,
            channel=event.channel,
            channel_user_id=event.user_id,
            display_name=event.display_name,
            speech_confidence=event.speech_confidence,
        )

    def _limited(self, key: str) -> bool:
        count, window = self.rate_limit
        now = self.clock()
        recent = self._recent[key]
        while recent and now - recent[0] > window:
            recent.popleft()
        recent.append(now)
        if len(recent) <= count:
            self._warned.discard(key)
            return False
        return True

    async def _store(self, event: InboundEvent, turn: Turn) -> Stored | None:
        """The inbound message stored (deduplicated); None when it was seen before."""
        loop = asyncio.get_running_loop()
        stored = await loop.run_in_executor(
            self.io, lambda: self.conversations.receive(turn, channel_message_id=event.message_id)
        )
        if stored.duplicate:
            self.stats["duplicates"] += 1
            log.info("%s: duplicate message %s ignored", event.channel, event.message_id)
            return None
        self.stats["received"] += 1
        return stored

    async def receive(self, event: InboundEvent) -> bool:
        """Store the message now and answer it in the background. False: a duplicate."""
        turn = self._turn(event)
        key = event.conversation_id
        async with self._turns.hold(key):
            stored = await self._store(event, turn)
            if stored is None:
                return False
            if self._limited(key):
                self.stats["rate_limited"] += 1
                if key not in self._warned:
                    self._warned.add(key)
                    log.warning("%s: rate limit reached for %s", event.channel, key)
                    await self._enqueue(event, Reply(key, "vi", "rate_limited", _polite_limit()))
                return True
            task = asyncio.create_task(
                self._answer_after(self._tails.get(key), event, turn, stored.inbound_id)
            )
            self._tails[key] = task
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            task.add_done_callback(lambda done: self._forget_tail(key, done))
        return True

    async def _answer_after(
        self, previous: asyncio.Task[None] | None, event: InboundEvent, turn: Turn, inbound_id: int
    ) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait({previous})
        await self._answer(event, turn, inbound_id)

    def _forget_tail(self, key: str, task: asyncio.Task[None]) -> None:
        if self._tails.get(key) is task:
            del self._tails[key]

    async def say(
        self,
        event: InboundEvent,
        text: str | Callable[[str], str],
        *,
        intent: str,
        lang: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> bool:
        """Store the citizen's event and a reply the channel writes itself (a greeting, a
        language keyboard, "please send text"), and queue it in the outbox like any answer.
        ``text`` may depend on the conversation's language. Quiet while a person holds the
        case. False for a duplicate."""
        turn = self._turn(event)
        adapter = self.adapters.get(event.channel)
        limit = adapter.capabilities.max_text if adapter is not None else 4000

        def store() -> bool:
            received = self.conversations.receive(turn, channel_message_id=event.message_id)
            if received.duplicate:
                return False
            cases = self.conversations.cases
            if received.held is not None and cases is not None:
                cases.on_citizen_message(event.conversation_id, received.inbound_id)
                return True
            default = self.conversations.assistant.config.default_language
            language = lang or (received.state or {}).get("language") or event.lang or default
            body = text(language) if callable(text) else text
            reply_id = self.conversations.record_text(
                event.conversation_id, event.channel, body, language=language, intent=intent
            )
            self.outbox.enqueue(
                conversation_id=event.conversation_id,
                channel=event.channel,
                recipient=event.user_id,
                text=body,
                limit=limit,
                language=language,
                message_id=reply_id,
                extra=extra,
            )
            return True

        loop = asyncio.get_running_loop()
        async with self._turns.hold(event.conversation_id):
            queued = await loop.run_in_executor(self.io, store)
        if queued and self.worker is not None:
            self.worker.wake()
        return queued

    async def _answer(self, event: InboundEvent, turn: Turn, inbound_id: int) -> None:
        loop = asyncio.get_running_loop()
        adapter = self.adapters.get(event.channel)
        typing = getattr(adapter, "typing", None)
        if typing is not None:
            try:
                await typing(event.user_id)
            except Exception as exc:  # a typing indicator is a nicety, never a failure
                log.debug("%s: typing action failed: %s", event.channel, exc)
        try:
            if event.kind == "location" and event.location is not None:
                reply = await self._centre_reply(event)
            else:
                stored: Stored = await loop.run_in_executor(
                    # Read the state afresh: an earlier message of this citizen may have
                    # been answered since this one was stored.
                    self.compute,
                    self.conversations.respond,
                    turn,
                    inbound_id,
                )
                reply = stored.reply
            self.stats["answered"] += 1
            if reply.answer:
                await self._enqueue(event, reply)
        except Exception:
            # Stored already; recover_unanswered() picks it up again after a restart.
            self.stats["errors"] += 1
            log.exception("%s: could not answer message %s", event.channel, event.message_id)

    async def _enqueue(self, event: InboundEvent, reply: Reply) -> None:
        adapter = self.adapters.get(event.channel)
        limit = adapter.capabilities.max_text if adapter is not None else 4000
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(
            self.io,
            lambda: self.outbox.enqueue(
                conversation_id=event.conversation_id,
                channel=event.channel,
                recipient=event.user_id,
                text=reply.answer,
                limit=limit,
                options=reply.options or None,
                language=reply.language,
            ),
        )
        if self.worker is not None:
            self.worker.wake()

    async def answer_now(self, event: InboundEvent) -> Reply | None:
        """Store and answer synchronously (the phone: the HTTP response is the answer).
        None for a message id already answered."""
        loop = asyncio.get_running_loop()
        turn = self._turn(event)
        stored = await self._store(event, turn)
        if stored is None:
            return None
        answered: Stored = await loop.run_in_executor(
            self.compute, self.conversations.respond, turn, stored.inbound_id
        )
        self.stats["answered"] += 1
        return answered.reply

    async def nearest_centre(self, event: InboundEvent) -> Reply:
        """A shared location: store it, then answer with the nearest known centre."""
        loop = asyncio.get_running_loop()
        lat, lon = event.location or (0.0, 0.0)
        event.text = event.text or f"[location {lat:.5f},{lon:.5f}]"
        turn = self._turn(event)
        await loop.run_in_executor(
            self.io, lambda: self.conversations.receive(turn, channel_message_id=event.message_id)
        )
        return await self._centre_reply(event)

    async def _centre_reply(self, event: InboundEvent) -> Reply:
        lat, lon = event.location or (0.0, 0.0)
        assistant = self.conversations.assistant
        loop = asyncio.get_running_loop()
        lang = await loop.run_in_executor(self.io, self._language_of, event.conversation_id)
        centre = assistant.centres.nearest(lat, lon, max_km=50.0)
        if centre is None:
            answer = compose.centre_answer(
                lang, commune="", province="", name=None, address=None, phone=None, hours=None
            )
            return Reply(event.conversation_id, lang, "ask_where", answer)
        commune = (
            assistant.units.commune(centre.commune_code) if getattr(centre, "commune_code", None) else None
        )
        province = assistant.units.province(commune.province_code) if commune is not None else None
        answer = compose.centre_answer(
            lang,
            commune=commune.full_name if commune else centre.commune_name,
            province=province.full_name if province else centre.province,
            name=centre.name,
            address=centre.address,
            phone=centre.phone,
            hours=centre.hours,
        )
        reply = Reply(event.conversation_id, lang, "ask_where", answer)
        reply.centre = CentreRef(centre.name, centre.address, centre.phone)
        return reply

    def _language_of(self, conversation_id: str) -> str:
        default = self.conversations.assistant.config.default_language
        with self.conversations.db.session() as session:
            conv = session.get(Conversation, conversation_id)
            return conv.language if conv is not None and conv.language else default

    # -- lifecycle ---------------------------------------------------------------------
    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for the answers in progress (tests; graceful shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    def unanswered(
        self, channels: list[str], within_seconds: float = 3600
    ) -> list[tuple[Message, Conversation]]:
        """Citizen messages of push channels stored but never answered (a restart between
        storing and answering): answered at start-up, so nothing is lost."""
        from datetime import timedelta

        from handoff.models import utcnow

        since = utcnow() - timedelta(seconds=within_seconds)
        out: list[tuple[Message, Conversation]] = []
        with self.conversations.db.session() as session:
            rows = session.scalars(
                select(Message)
                .where(
                    Message.channel.in_(channels), Message.sender == "citizen", Message.created_at >= since
                )
                .order_by(Message.id)
            ).all()
            for message in rows:
                later = session.scalar(
                    select(Message.id)
                    .where(Message.conversation_id == message.conversation_id, Message.id > message.id)
                    .limit(1)
                )
                if later is None:
                    conv = session.get(Conversation, message.conversation_id)
                    if conv is not None:
                        session.expunge(message)
                        session.expunge(conv)
                        out.append((message, conv))
        return out

    async def recover_unanswered(self) -> int:
        loop = asyncio.get_running_loop()
        # A phone turn is answered in its HTTP response or not at all (the caller has gone).
        push = [name for name, a in self.adapters.items() if not getattr(a, "synchronous", False)]
        pending = await loop.run_in_executor(self.io, self.unanswered, push)
        for message, conv in pending:
            event = InboundEvent(
                channel=message.channel,
                message_id=message.channel_message_id or str(message.id),
                user_id=conv.channel_user_id or "",
                text=message.text,
                display_name=conv.display_name,
            )
            log.warning("answering message %d stored before a restart", message.id)
            await self._answer(event, self._turn(event), message.id)
        return len(pending)

    def close(self) -> None:
        self.io.shutdown(wait=False)


def _polite_limit() -> str:
    return f"{_RATE_LIMITED['vi']}\n{_RATE_LIMITED['en']}"
