"""Where every channel's messages meet the conversation: receive, answer, send.

A channel adapter verifies and normalises its provider's webhook into an ``InboundEvent``
and calls ``Hub.receive``: the message is stored (deduplicated on the channel's message
id) before the webhook answers, and answered in the background; the reply goes to the
outbox of that channel, which the ``OutboxWorker`` delivers with retries. The phone IVR,
whose HTTP response is the answer, uses ``Hub.answer_now``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
import re
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
from knowledge.text import clean_text

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


# A webhook body deeper than this is no provider's: real updates nest five or six levels.
MAX_JSON_DEPTH = 64
# How a shared location is stored ("[location 16.04010,108.22250]", or "[location]" when
# unreadable), so that one stored before a restart is answered as a location again.
_LOCATION_TEXT = re.compile(r"^\[location(?: ([^,\]]*),([^\]]*))?\]$")

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
        self.stats["rejected"] = 0  # provider webhooks acknowledged but unreadable (reject())

    def register(self, adapter: ChannelAdapter) -> None:
        self.adapters[adapter.name] = adapter
        if self.worker is not None:
            self.worker.senders[adapter.name] = adapter
            self.worker.limits[adapter.name] = adapter.capabilities.max_text

    def reject(self, channel: str, why: str) -> None:
        """A provider's webhook that can never be processed: the channel acknowledges it (a
        refusal would only bring it back, again and again), so it is logged and counted
        here, where operators see it (``/readyz``)."""
        self.stats["rejected"] += 1
        log.warning("%s webhook: acknowledged but not processed: %s", channel, why)

    # -- inbound ---------------------------------------------------------------------
    def _turn(self, event: InboundEvent) -> Turn:
        name = clean_text(event.display_name)[:200] if event.display_name else None
        return Turn(
            clean_text(event.text),
            event.conversation_id,
            event.lang,
            channel=event.channel,
            channel_user_id=event.user_id,
            display_name=name or None,
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

        def write(language: str) -> Reply:
            body = text(language) if callable(text) else text
            return Reply(event.conversation_id, language, intent, body)

        def store() -> bool:
            return self._store_reply(event, turn, write, lang=lang, extra=extra)

        loop = asyncio.get_running_loop()
        async with self._turns.hold(event.conversation_id):
            queued = await loop.run_in_executor(self.io, store)
        if queued and self.worker is not None:
            self.worker.wake()
        return queued

    def _store_reply(
        self,
        event: InboundEvent,
        turn: Turn,
        write: Callable[[str], Reply],
        *,
        lang: str | None = None,
        extra: dict[str, Any] | None = None,
        inbound_id: int | None = None,
    ) -> bool:
        """(On an I/O thread.) Store the citizen's event (unless ``inbound_id`` says it is
        stored already), then the reply ``write`` composes in the conversation's language,
        and queue that reply in the outbox, tied to the stored message. Quiet while a
        person holds the case. False for a duplicate."""
        if inbound_id is None:
            received = self.conversations.receive(turn, channel_message_id=event.message_id)
            if received.duplicate:
                return False
        else:
            received = self.conversations.reload(turn, inbound_id)
        cases = self.conversations.cases
        if received.held is not None and cases is not None:
            cases.on_citizen_message(event.conversation_id, received.inbound_id)
            return True
        default = self.conversations.assistant.config.default_language
        language = lang or (received.state or {}).get("language") or event.lang or default
        reply = write(language)
        reply_id = self.conversations.record_text(
            event.conversation_id, event.channel, reply.answer, language=reply.language, intent=reply.intent
        )
        adapter = self.adapters.get(event.channel)
        self.outbox.enqueue(
            conversation_id=event.conversation_id,
            channel=event.channel,
            recipient=event.user_id,
            text=reply.answer,
            limit=adapter.capabilities.max_text if adapter is not None else 4000,
            options=reply.options or None,
            language=reply.language,
            message_id=reply_id,
            extra=extra,
        )
        return True

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
            stored: Stored = await loop.run_in_executor(
                # Read the state afresh: an earlier message of this citizen may have been
                # answered since this one was stored.
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
                # A composed answer's blocks, for channels that render more than text (one
                # message only: a text split in parts is sent as text).
                extra={"blocks": [b.to_dict() for b in reply.structured()]}
                if reply.blocks and len(reply.answer) <= limit
                else None,
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

    async def locate(self, event: InboundEvent) -> bool:
        """A shared location, answered with the nearest centre. The centre is a lookup, not
        a thought: the reply is stored with the citizen's message, like any bot answer (so
        staff see it and a restart does not send it again), and queued in the outbox once.
        Past the rate limit the location is stored, not answered. False for a duplicate."""
        turn = self._turn(event)
        # In line with the conversation's other messages, like receive() and say().
        async with self._turns.hold(event.conversation_id):
            if self._limited(event.conversation_id):
                self.stats["rate_limited"] += 1
                return await self._store(event, turn) is not None
            write = functools.partial(self._centre_reply, event)
            loop = asyncio.get_running_loop()
            queued = await loop.run_in_executor(self.io, lambda: self._store_reply(event, turn, write))
        if queued and self.worker is not None:
            self.worker.wake()
        return queued

    def _centre_reply(self, event: InboundEvent, lang: str) -> Reply:
        """The nearest known centre; a polite word when the point is no place on Earth or
        no centre is known near it (never a reply with blank place names)."""
        conv = event.conversation_id
        point = event.location
        if point is None or not _on_earth(*point):
            return Reply(conv, lang, "invalid_location", _in(_INVALID_LOCATION, lang))
        assistant = self.conversations.assistant
        centre = assistant.centres.nearest(point[0], point[1], max_km=50.0)
        if centre is None:
            return Reply(conv, lang, "no_centre_near", _in(_NO_CENTRE_NEAR, lang))
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
            shared = _LOCATION_TEXT.match(message.text or "")
            if shared is not None:
                event.kind, event.location = "location", _point(shared[1], shared[2])
                write = functools.partial(self._centre_reply, event)
                store = functools.partial(
                    self._store_reply, event, self._turn(event), write, inbound_id=message.id
                )
                await loop.run_in_executor(self.io, store)
                continue
            await self._answer(event, self._turn(event), message.id)
        return len(pending)

    def close(self) -> None:
        self.io.shutdown(wait=False)


def read_json(body: bytes) -> Any:
    """A webhook body as JSON, with every string cleaned of what cannot be stored (lone
    surrogates, control characters). ``ValueError`` for a body that is not JSON, nests
    deeper than any provider's, or uses NaN/Infinity."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    try:
        data = json.loads(body, parse_constant=refuse)
    except RecursionError:
        raise ValueError("JSON nested too deep") from None
    return _cleaned(data, 0)


def _cleaned(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if depth >= MAX_JSON_DEPTH and isinstance(value, list | dict):
        raise ValueError("JSON nested too deep")
    if isinstance(value, list):
        return [_cleaned(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _cleaned(v, depth + 1) for k, v in value.items()}
    return value


def _point(lat: str | None, lon: str | None) -> tuple[float, float] | None:
    try:
        return (float(lat), float(lon)) if lat is not None and lon is not None else None
    except ValueError:
        return None


def _on_earth(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def _in(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts["vi"]


_INVALID_LOCATION = {
    "vi": "Xin lỗi, vị trí bạn gửi không hợp lệ. Vui lòng gửi lại vị trí, "
    "hoặc cho tôi biết tên xã/phường của bạn.",
    "en": "Sorry, the location you sent is not valid. Please share it again, "
    "or tell me the name of your commune or ward.",
    "fr": "Désolé, la position envoyée n'est pas valide. Partagez-la de nouveau, "
    "ou indiquez-moi le nom de votre commune ou quartier.",
    "es": "Lo siento, la ubicación enviada no es válida. Compártala de nuevo "
    "o dígame el nombre de su comuna o barrio.",
    "zh": "抱歉，您发送的位置无效。请重新发送位置，或告诉我您所在的社/坊名称。",
    "ko": "죄송합니다. 보내주신 위치가 올바르지 않습니다. 위치를 다시 보내시거나 사/방(읍·면·동) 이름을 알려 주세요.",
    "ja": "申し訳ありませんが、送信された位置情報が正しくありません。もう一度送信するか、"
    "お住まいの社・坊の名前を教えてください。",
}
_NO_CENTRE_NEAR = {
    "vi": "Xin lỗi, tôi không tìm thấy trung tâm hành chính công nào trong vòng 50 km "
    "quanh vị trí này. Vui lòng cho tôi biết tên xã/phường của bạn.",
    "en": "Sorry, I know no public service centre within 50 km of this location. "
    "Please tell me the name of your commune or ward.",
    "fr": "Désolé, je ne connais aucun centre de services publics à moins de 50 km de "
    "cette position. Indiquez-moi le nom de votre commune ou quartier.",
    "es": "Lo siento, no conozco ningún centro de servicios públicos a menos de 50 km "
    "de esta ubicación. Dígame el nombre de su comuna o barrio.",
    "zh": "抱歉，此位置50公里范围内没有已知的公共行政服务中心。请告诉我您所在的社/坊名称。",
    "ko": "죄송합니다. 이 위치에서 50km 이내에 알려진 행정서비스센터가 없습니다. 사/방(읍·면·동) 이름을 알려 주세요.",
    "ja": "申し訳ありませんが、この位置から50km以内に行政サービスセンターが見つかりません。"
    "お住まいの社・坊の名前を教えてください。",
}


def _polite_limit() -> str:
    return f"{_RATE_LIMITED['vi']}\n{_RATE_LIMITED['en']}"
