"""The one turn pipeline every channel goes through.

A channel is a thin adapter (``channels.webhook.Channel``): it verifies a provider's request,
parses it into ``InboundEvent``s and sends what the outbox gives it. Every turn of every channel (the public
API and web chat, Telegram, Zalo OA, Zalo Bot, the phone, the terminal) then takes the same
steps, in ``Hub``:

    receive (store, dedupe) → held by staff? → think (understand → decide → compose, in the
    assistant; or the channel's own text; or the nearest centre for a shared location) →
    record → deliver (the outbox for push channels, inline for the API, the phone, the CLI)

``Hub.receive`` is the entry of push channels: the message is stored (deduplicated on the
channel's message id) before the webhook answers, and answered in the background, in the
order the conversation's messages were stored. ``Hub.answer_inline`` is the entry of channels
whose response is the answer. ``Hub.observers`` see each step (tests, tracing).
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection

from bot import compose, texts
from bot.assistant import Turn
from bot.reply import CentreRef, Reply
from channels.conversation import ConversationService, Stored, Thought, TurnLocks
from channels.leases import AnswerLeases, LeaseLost, Owed
from channels.outbox import Outbox, OutboxWorker
from handoff.limits import Limiter
from handoff.models import Conversation
from knowledge.text import clean_text

log = logging.getLogger(__name__)
T = TypeVar("T")

# The steps of a turn, in order, as ``Hub.observers`` see them.
STAGES = ("receive", "held", "think", "record", "deliver")


@dataclass(slots=True)
class Capabilities:
    max_text: int
    buttons: bool = False
    location: bool = False
    typing: bool = False


@dataclass(slots=True)
class InboundEvent:
    channel: str
    message_id: str  # the channel's id, deduplicated on; "" where the channel has none (the API)
    user_id: str
    text: str = ""
    display_name: str | None = None
    kind: str = "text"  # text | location | image | command | follow | option
    location: tuple[float, float] | None = None
    lang: str | None = None
    speech_confidence: float | None = None
    # A reply the channel writes itself (a greeting, a language keyboard, "please send text"),
    # given the conversation's language: the pipeline stores and delivers it like an answer.
    reply: Callable[[str], str] | None = None
    intent: str = "channel"  # the intent recorded with that reply
    extra: dict[str, Any] | None = None  # channel-specific payload for the outbox (buttons)
    conversation: str | None = None  # the public API's conversation: the id the server issued

    @property
    def conversation_id(self) -> str:
        return self.conversation or f"{self.channel}:{self.user_id}"


@dataclass(slots=True)
class InlineHooks:
    """Work a caller of ``answer_inline`` adds to the turn (the API's idempotency keys)."""

    stored: Callable[[int], None] | None = None  # (I/O thread) the question is committed: its id
    recorded: Callable[[Connection, Reply], None] | None = None  # in the reply's own transaction


class Sender(Protocol):
    """What the pipeline and the outbox need of a channel."""

    name: str
    capabilities: Capabilities

    async def send(self, recipient: str, payload: dict[str, Any]) -> None: ...


# How a shared location is stored ("[location 16.04010,108.22250]", or "[location]" when
# unreadable), so that one stored before a restart is answered as a location again.
_LOCATION_TEXT = re.compile(r"^\[location(?: ([^,\]]*),([^\]]*))?\]$")


class Hub:
    def __init__(
        self,
        conversations: ConversationService,
        outbox: Outbox,
        *,
        compute: Executor,
        worker: OutboxWorker | None = None,
        rate_limit: tuple[int, float] = (20, 60.0),
        leases: AnswerLeases | None = None,
        answers_at_once: int = 4,
        backlog_claim_limit: int = 200,
    ) -> None:
        self.conversations = conversations
        self.outbox = outbox
        self.compute = compute
        self.worker = worker
        self.adapters: dict[str, Sender] = {}
        self.rate_limit = rate_limit
        # Counted in the database: every replica sees the same count of a citizen's messages.
        self.limiter = Limiter(conversations.db)
        # This replica's leases on the messages it owes an answer (channels.leases).
        self.leases = leases or AnswerLeases(conversations.db)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._turns = TurnLocks()
        # The last answer task of each conversation: the next one waits for it, so a
        # citizen's messages are answered in the order they were stored.
        self._tails: dict[str, asyncio.Task[None]] = {}
        self.io = ThreadPoolExecutor(max_workers=4, thread_name_prefix="hub-io")
        # A push message is stored on threads of its own: its webhook's acknowledgement never
        # queues behind the backlog's answering work (renewals, reloads, records) in ``io``.
        self.ingress = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hub-receive")
        # Push answers in progress at once (enough to keep the compute thread busy while
        # another records): the others wait their turn in order, without a place in the
        # executors' queues, their leases kept alive meanwhile (``keep_leases``).
        self.answers_at_once = answers_at_once
        self._slots: asyncio.Semaphore | None = None
        # The stored messages this replica owes an answer and has queued (their leases).
        self._owed: set[int] = set()
        self._kept = 0.0  # when their leases were last renewed together (monotonic)
        self._moved = time.monotonic()  # when the queue last moved (an answer finished, or it began)
        # Expired leases are claimed only while this replica's queue is shorter: when every
        # replica is behind, the backlog waits in the database for the first with room.
        self.backlog_claim_limit = backlog_claim_limit
        # Called with (stage, event) at each step of a turn (see STAGES).
        self.observers: list[Callable[[str, InboundEvent], None]] = []
        self.stats = {"received": 0, "duplicates": 0, "rate_limited": 0, "answered": 0, "errors": 0}
        self.stats["rejected"] = 0  # provider webhooks acknowledged but unreadable (reject())

    def register(self, adapter: Sender) -> None:
        self.adapters[adapter.name] = adapter
        bind = getattr(adapter, "bind", None)
        if bind is not None:
            bind(self)
        if self.worker is not None:
            self.worker.senders[adapter.name] = adapter
            self.worker.limits[adapter.name] = adapter.capabilities.max_text

    def reject(self, channel: str, why: str) -> None:
        """A provider's webhook that can never be processed: the channel acknowledges it (a
        refusal would only bring it back, again and again), so it is logged and counted
        here, where operators see it (``/readyz``)."""
        self.stats["rejected"] += 1
        log.warning("%s webhook: acknowledged but not processed: %s", channel, why)

    def spawn(self, coro: Awaitable[T]) -> asyncio.Task[T]:
        """Background work the hub waits for on shutdown (``drain``)."""
        task: asyncio.Task[T] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- entries ------------------------------------------------------------------------
    async def receive(self, event: InboundEvent) -> bool:
        """A push channel's event: stored now, answered in the background and delivered
        through the outbox. False: a duplicate."""
        turn = self._turn(event)
        key = event.conversation_id
        async with self._turns.hold(key):
            stored = await self._store(event, turn, lease=True)
            if stored is None:
                return False
            if stored.duplicate:
                # Delivered again, and its first delivery was stored but never answered (the
                # replica that took it died): answered now, unless a live replica holds it.
                if stored.owed and await self._in(self.leases.renew, stored.inbound_id, True):
                    log.info("%s: redelivered message %s answered", event.channel, event.message_id)
                    self._queue_answer(event, turn, stored.inbound_id)
                return False
            limited, first = await self._in(self._limited, key)
            if limited:
                # Stored, not answered (owed nothing); told once per window.
                self.stats["rate_limited"] += 1
                await self._in(self.leases.release, stored.inbound_id)
                if first:
                    log.warning("%s: rate limit reached for %s", event.channel, key)
                    await self._enqueue(
                        event, Reply(key, "vi", "rate_limited", _polite_limit()), ingress=True
                    )
                return True
            self._queue_answer(event, turn, stored.inbound_id)
        return True

    def _queue_answer(self, event: InboundEvent, turn: Turn, inbound_id: int) -> None:
        """Answer in the background, after the conversation's earlier messages."""
        key = event.conversation_id
        if not self._owed:
            self._moved = time.monotonic()
        self._owed.add(inbound_id)
        task = self.spawn(self._answer_after(self._tails.get(key), event, turn, inbound_id))
        self._tails[key] = task
        task.add_done_callback(lambda done: self._forget_tail(key, done))

    async def answer_inline(
        self,
        event: InboundEvent,
        *,
        access_hash: str | None = None,
        hooks: InlineHooks | None = None,
        inbound_id: int | None = None,
    ) -> Stored | None:
        """A channel whose response is the answer (the API, the phone, the terminal): the
        same steps, one turn of the conversation at a time, the reply returned instead of
        queued. None for a message id already answered. ``access_hash``: the secret of a
        public conversation this turn creates. ``inbound_id``: the question was stored
        already (by a replica that died before answering it): it is answered, not stored
        again."""
        turn = self._turn(event)
        async with self._turns.hold(event.conversation_id):
            if inbound_id is not None:
                stored = await self._io(self.conversations.reload, turn, inbound_id)
            else:
                stored = await self._store(event, turn, access_hash)
                if stored.duplicate:
                    return None
                if hooks is not None and hooks.stored is not None:
                    await self._io(hooks.stored, stored.inbound_id)
            return await self._respond(event, turn, stored, push=False, hooks=hooks)

    async def answer_now(self, event: InboundEvent) -> Reply | None:
        """``answer_inline``'s reply (the phone). None for a message id already answered."""
        stored = await self.answer_inline(event)
        return stored.reply if stored is not None else None

    # -- the steps -----------------------------------------------------------------------
    def _turn(self, event: InboundEvent) -> Turn:
        name = clean_text(event.display_name)[:200] if event.display_name else None
        return Turn(
            clean_text(event.text),
            event.conversation_id,
            event.lang,
            channel=event.channel,
            channel_user_id=event.user_id or None,
            display_name=name or None,
            speech_confidence=event.speech_confidence,
        )

    def _saw(self, stage: str, event: InboundEvent) -> None:
        for observer in self.observers:
            try:
                observer(stage, event)
            except Exception:  # an observer never breaks a turn
                log.exception("pipeline observer failed at %s", stage)

    async def _io(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.io, fn, *args)

    async def _in(self, fn: Callable[..., T], *args: Any) -> T:
        """On the receiving threads (a push message before its acknowledgement)."""
        return await asyncio.get_running_loop().run_in_executor(self.ingress, fn, *args)

    def _limited(self, key: str) -> tuple[bool, bool]:
        """(On an I/O thread.) (over the limit, first refusal of the window)."""
        count, window = self.rate_limit
        hit = self.limiter.hit("push", key, count, window)
        return not hit.allowed, hit.first_refusal

    async def _store(
        self, event: InboundEvent, turn: Turn, access_hash: str | None = None, *, lease: bool = False
    ) -> Stored:
        """receive: the inbound message stored (deduplicated: ``duplicate`` when seen
        before). ``lease``: a push channel's message, owed an answer by this replica."""
        held_by = (self.leases.owner, self.leases.until()) if lease else None
        stored = await (self._in if lease else self._io)(
            lambda: self.conversations.receive(
                turn, channel_message_id=event.message_id or None, access_hash=access_hash, lease=held_by
            )
        )
        self._saw("receive", event)
        if stored.duplicate:
            self.stats["duplicates"] += 1
            log.info("%s: duplicate message %s ignored", event.channel, event.message_id)
            return stored
        self.stats["received"] += 1
        return stored

    async def _answer_after(
        self, previous: asyncio.Task[None] | None, event: InboundEvent, turn: Turn, inbound_id: int
    ) -> None:
        try:
            if previous is not None and not previous.done():
                await asyncio.wait({previous})
            if self._slots is None:
                self._slots = asyncio.Semaphore(self.answers_at_once)
            async with self._slots:  # first come, first served
                await self._answer(event, turn, inbound_id)
        finally:
            self._owed.discard(inbound_id)
            self._moved = time.monotonic()

    def _forget_tail(self, key: str, task: asyncio.Task[None]) -> None:
        if self._tails.get(key) is task:
            del self._tails[key]

    async def _answer(self, event: InboundEvent, turn: Turn, inbound_id: int) -> None:
        """A push channel's stored message answered (in the background), if its lease is
        still this replica's."""
        try:
            ours = await self._io(self.leases.renew, inbound_id)
        except Exception:
            self.stats["errors"] += 1
            log.exception("%s: could not renew the lease of message %s", event.channel, inbound_id)
            return
        if not ours:
            log.info("%s: message %s answered by another replica", event.channel, inbound_id)
            return
        adapter = self.adapters.get(event.channel)
        typing = getattr(adapter, "typing", None)
        if typing is not None and event.reply is None and event.kind != "location":
            try:
                await typing(event.user_id)
            except Exception as exc:  # a typing indicator is a nicety, never a failure
                log.debug("%s: typing action failed: %s", event.channel, exc)
        try:
            # Read the state afresh: an earlier message of this citizen may have been
            # answered since this one was stored.
            received = await self._io(self.conversations.reload, turn, inbound_id)
            await self._respond(event, turn, received, push=True)
        except LeaseLost:
            log.info("%s: message %s was answered by another replica meanwhile", event.channel, inbound_id)
        except Exception:
            # Stored and still leased: when the lease expires a replica claims it again.
            self.stats["errors"] += 1
            log.exception("%s: could not answer message %s", event.channel, event.message_id)

    async def _respond(
        self,
        event: InboundEvent,
        turn: Turn,
        received: Stored,
        *,
        push: bool,
        hooks: InlineHooks | None = None,
    ) -> Stored:
        """held? → think → record → deliver, for a stored message."""
        if received.held is not None:
            # A person holds the case: the bot stays quiet (staff see the message live); what
            # the conversation says meanwhile, if anything, is delivered like any reply.
            stored = await self._io(self.conversations.quiet, turn, received.inbound_id, received)
            if push:
                await self._io(self.leases.release, received.inbound_id)
                if self.worker is not None:
                    self.worker.wake()  # the case's notice to the citizen, if one was queued
            self._saw("held", event)
            if stored.reply.answer:
                if push:
                    await self._enqueue(event, stored.reply, message_id=stored.reply_id)
                self._saw("deliver", event)
            return stored
        if event.reply is None and event.kind != "location":
            loop = asyncio.get_running_loop()
            thought = await loop.run_in_executor(self.compute, self.conversations.think, turn, received)
        else:
            thought = await self._io(self._channel_thought, event, received)
        self._saw("think", event)
        stored = await self._io(self._record, event, turn, received.inbound_id, thought, push, hooks)
        self._saw("record", event)
        self.stats["answered"] += 1
        if push and stored.reply.answer and self.worker is not None:
            self.worker.wake()  # queued with the reply, in its transaction
        self._saw("deliver", event)
        return stored

    def _channel_thought(self, event: InboundEvent, received: Stored) -> Thought:
        """think, without the assistant: the channel's own text, or the nearest centre to a
        shared location (a lookup, not a thought), in the conversation's language."""
        started = time.perf_counter()
        default = self.conversations.assistant.config.default_language
        lang = (received.state or {}).get("language") or received.language or event.lang or default
        if event.reply is not None:
            reply = Reply(event.conversation_id, lang, event.intent, event.reply(lang))
        else:
            reply = self._centre_reply(event, lang)
        return Thought(reply, None, (time.perf_counter() - started) * 1000)

    def _record(
        self,
        event: InboundEvent,
        turn: Turn,
        inbound_id: int,
        thought: Thought,
        push: bool = False,
        hooks: InlineHooks | None = None,
    ) -> Stored:
        reply = thought.reply

        def within(connection: Connection, reply_id: int) -> None:
            # A push channel's reply: its message's lease settled and the reply queued, in
            # the transaction that records it (LeaseLost rolls all three back).
            self.leases.settle(connection, inbound_id)
            if reply.answer:
                self._queue(event, reply, message_id=reply_id, connection=connection)

        def inline(connection: Connection, reply_id: int) -> None:
            assert hooks is not None and hooks.recorded is not None
            hooks.recorded(connection, reply)

        hook = within if push else inline if hooks is not None and hooks.recorded is not None else None
        if thought.state is not None:
            return self.conversations.record(turn, inbound_id, thought, within=hook)
        reply_id = self.conversations.record_text(
            event.conversation_id,
            event.channel,
            reply.answer,
            language=reply.language,
            intent=reply.intent,
            within=hook,
        )
        return Stored(reply, inbound_id, reply_id)

    def _queue(
        self,
        event: InboundEvent,
        reply: Reply,
        *,
        message_id: int | None = None,
        connection: Connection | None = None,
    ) -> None:
        adapter = self.adapters.get(event.channel)
        limit = adapter.capabilities.max_text if adapter is not None else 4000
        self.outbox.enqueue(
            conversation_id=event.conversation_id,
            channel=event.channel,
            recipient=event.user_id,
            text=reply.answer,
            limit=limit,
            options=reply.options or None,
            language=reply.language,
            message_id=message_id,
            # A composed answer's blocks, for channels that render more than text (one
            # message only: a text split in parts is sent as text).
            extra=(event.extra or {}) | {"blocks": [b.to_dict() for b in reply.structured()]}
            if reply.blocks and len(reply.answer) <= limit
            else event.extra,
            connection=connection,
        )

    async def _enqueue(
        self, event: InboundEvent, reply: Reply, *, message_id: int | None = None, ingress: bool = False
    ) -> None:
        """deliver, for push channels: through the outbox, which retries."""
        await (self._in if ingress else self._io)(lambda: self._queue(event, reply, message_id=message_id))
        if self.worker is not None:
            self.worker.wake()

    def language_of(self, conversation_id: str) -> str | None:
        """(On an I/O thread.) The stored language of a conversation, None before its first
        message."""
        with self.conversations.db.session() as session:
            conv = session.get(Conversation, conversation_id)
            return conv.language if conv is not None else None

    def _centre_reply(self, event: InboundEvent, lang: str) -> Reply:
        """The nearest known centre; a polite word when the point is no place on Earth or
        no centre is known near it (never a reply with blank place names)."""
        conv = event.conversation_id
        point = event.location
        if point is None or not _on_earth(*point):
            return Reply(conv, lang, "invalid_location", texts.t(lang, "invalid_location", "channels"))
        assistant = self.conversations.assistant
        centre = assistant.centres.nearest(point[0], point[1], max_km=50.0)
        if centre is None:
            return Reply(conv, lang, "no_centre_near", texts.t(lang, "no_centre_near", "channels"))
        code = getattr(centre, "commune_code", None)
        commune = assistant.units.commune(code) if code else None
        province = assistant.units.province(commune.province_code) if commune is not None else None
        answer = compose.centre_answer(
            lang,
            commune=(commune.full_name if commune else centre.commune_name) or centre.name,
            province=(province.full_name if province else centre.province) or "",
            name=centre.name,
            address=centre.address,
            phone=centre.phone,
            hours=centre.hours,
        )
        reply = Reply(conv, lang, "ask_where", answer)
        reply.centre = CentreRef(centre.name, centre.address, centre.phone)
        return reply

    # -- lifecycle ---------------------------------------------------------------------
    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for the work in progress (tests; graceful shutdown), including the answers
        that webhook requests in progress start meanwhile."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._tasks and (left := deadline - loop.time()) > 0:
            await asyncio.wait(set(self._tasks), timeout=left)

    def push_channels(self) -> list[str]:
        # A phone turn is answered in its HTTP response or not at all (the caller has gone).
        return [name for name, a in self.adapters.items() if not getattr(a, "synchronous", False)]

    async def answer_expired(self) -> int:
        """Claim the messages whose lease expired (stored by a replica that died before
        answering, or that failed to answer) and answer them, each chat's in order."""
        room = self.backlog_claim_limit - len(self._owed)
        if room <= 0:
            return 0
        owed = await self._io(self.leases.claim_expired, self.push_channels(), min(50, room))
        for item in owed:
            event = _owed_event(item)
            log.warning("answering message %d left unanswered by %s", item.message_id, "a replica")
            self._queue_answer(event, self._turn(event), item.message_id)
        return len(owed)

    async def run_leases(self, stop: asyncio.Event, interval: float = 2.0) -> None:
        """Claim expired leases continuously, from the start (the port is open meanwhile)."""
        while not stop.is_set():
            try:
                await self.keep_leases()
                await self.answer_expired()
            except Exception:  # the database may be briefly unavailable: keep going
                log.exception("claiming unanswered messages failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                pass

    async def keep_leases(self) -> int:
        """Renew, together, the leases of the messages this replica has queued, a third of a
        lease's length after the last renewal: a backlog waiting its turn here is not taken
        by another replica as if this one had died (and answered twice over, in a race)."""
        now = time.monotonic()
        if not self._owed or now - self._kept < self.leases.seconds / 3:
            return 0
        if now - self._moved > 2 * self.leases.seconds:
            # Nothing answered for two leases' length: this replica is stuck, not just behind;
            # its leases run out and the running replicas take its queue.
            log.warning(
                "no answer finished for %.0f s: %d queued leases left to expire",
                now - self._moved,
                len(self._owed),
            )
            return 0
        self._kept = now
        return await self._io(self.leases.keep, sorted(self._owed))

    def close(self) -> None:
        self.io.shutdown(wait=False)
        self.ingress.shutdown(wait=False)


def _owed_event(item: Owed) -> InboundEvent:
    event = InboundEvent(
        channel=item.channel,
        message_id=item.channel_message_id or str(item.message_id),
        user_id=item.channel_user_id or "",
        text=item.text,
        display_name=item.display_name,
        conversation=item.conversation_id,
    )
    shared = _LOCATION_TEXT.match(item.text or "")
    if shared is not None:
        event.kind, event.location = "location", _point(shared[1], shared[2])
    return event


def _point(lat: str | None, lon: str | None) -> tuple[float, float] | None:
    try:
        return (float(lat), float(lon)) if lat is not None and lon is not None else None
    except ValueError:
        return None


def _on_earth(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def please_send_text(lang: str, location: bool) -> str:
    """The one reply to a photo, sticker or voice note: type the question (or, where the
    channel receives locations, share one)."""
    return texts.t(lang, "send_text_or_location" if location else "send_text", "channels")


def _polite_limit() -> str:
    # Before the conversation is read its language is unknown: Vietnamese, then English.
    return f"{texts.t('vi', 'rate_limited', 'channels')}\n{texts.t('en', 'rate_limited', 'channels')}"
