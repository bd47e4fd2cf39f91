"""The storage side of a turn (the pipeline in ``channels.hub`` calls these steps): store
the inbound message, read whether a person holds the case, let the bot think, store the
reply and the dialogue state.

The inbound message is committed before the bot answers, so nothing the citizen said is
lost even if answering fails; the bot's work runs outside any open transaction (opening a
handoff case writes in its own transaction).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from bot.assistant import Assistant, Turn
from bot.dialogue import DialogueState
from bot.reply import HandoffRef, Reply
from channels.outbox import PULL_CHANNELS
from handoff.db import Database
from handoff.masking import mask_text
from handoff.models import Case, Conversation, Message, OutboxMessage, utcnow
from handoff.service import HELD

log = logging.getLogger(__name__)

# The channels of the public API and web chat: the only conversations it may reach, and
# only with the secret issued with their first reply.
PUBLIC_CHANNELS = ("api", "web")


# Work done in the transaction that records a reply: (connection, reply id).
Within = Callable[[Connection, int], None]


class HeldCases(Protocol):
    """What the conversation needs from the case service (``handoff.service.CaseService``)."""

    def active_case(self, conversation_id: str) -> Any: ...

    def on_citizen_message(self, conversation_id: str, message_id: int) -> None: ...

    def after_reply(self, conversation_id: str) -> None: ...


@dataclass(slots=True)
class Stored:
    reply: Reply
    inbound_id: int
    reply_id: int | None
    duplicate: bool = False
    # What receive() read in the same transaction, so respond() need not read it again.
    state: dict[str, Any] | None = None
    held: tuple[str, str] | None = None  # (case id, status) of a case a person holds
    language: str | None = None  # the conversation's stored language
    # A duplicate whose first delivery is still owed an answer (stored, never answered).
    owed: bool = False


@dataclass(slots=True)
class Thought:
    reply: Reply
    state: DialogueState | None  # None: a reply the channel wrote (no dialogue state changes)
    latency_ms: float


class _Duplicate(Exception):
    def __init__(self, message_id: int) -> None:
        self.message_id = message_id


class ConversationService:
    def __init__(self, assistant: Assistant, db: Database, cases: HeldCases | None = None) -> None:
        self.assistant = assistant
        self.db = db
        self.cases = cases

    def receive(
        self,
        turn: Turn,
        *,
        channel_message_id: str | None = None,
        access_hash: str | None = None,
        lease: tuple[str, datetime] | None = None,
    ) -> Stored:
        """Store the inbound message (committed before anything else happens). A message
        id the channel already delivered gives ``duplicate=True`` and what was answered.

        Concurrent messages of one conversation, new or not, are each stored once and in
        order: a new conversation's row is inserted idempotently, every receive holds the
        conversation's row lock until its message is committed (PostgreSQL), and SQLite's
        single write lock orders the inserts. ``access_hash`` is kept on a conversation this
        call creates (the public API's secret). ``lease`` (owner, until): the message is owed
        an answer, leased to that replica (``channels.leases``)."""
        conv_id = turn.conversation_id or uuid.uuid4().hex
        turn.conversation_id = conv_id
        text = turn.text if isinstance(turn.text, str) else ""
        held: tuple[str, str] | None = None
        state: dict[str, Any] = {}
        language = turn.lang or self.assistant.config.default_language
        try:
            # Core statements on the hot path: a turn costs two short transactions.
            with self.db.engine.begin() as c:
                if channel_message_id is not None:
                    seen_id = c.execute(
                        select(Message.id).where(
                            Message.channel == turn.channel, Message.channel_message_id == channel_message_id
                        )
                    ).scalar()
                    if seen_id is not None:
                        raise _Duplicate(seen_id)
                # The common case first: the conversation exists (its row locked until the
                # commit on PostgreSQL). A new one is inserted idempotently, since its first
                # messages may arrive several at once.
                locked = (
                    select(Conversation.state, Conversation.display_name, Conversation.language)
                    .where(Conversation.id == conv_id)
                    .with_for_update(key_share=True)  # NO KEY UPDATE: messages' keys may still refer to it
                )
                row = c.execute(locked).first()
                if row is None:
                    created = c.execute(
                        self._insert_ignore(
                            id=conv_id,
                            channel=turn.channel,
                            channel_user_id=turn.channel_user_id,
                            display_name=turn.display_name,
                            language=turn.lang or self.assistant.config.default_language,
                            state={},
                            turn_count=0,
                            access_hash=access_hash,
                        )
                    ).rowcount
                    if created != 1:
                        row = c.execute(locked).first()
                if row is not None:
                    state = dict(row.state or {})
                    language = row.language or language
                    if turn.display_name and not row.display_name:
                        c.execute(
                            update(Conversation)
                            .where(Conversation.id == conv_id)
                            .values(display_name=turn.display_name)
                        )
                    # Only a conversation seen before can have a case.
                    latest = c.execute(
                        select(Case.id, Case.status)
                        .where(Case.conversation_id == conv_id)
                        .order_by(Case.created_at.desc(), Case.id.desc())
                        .limit(1)
                    ).first()
                    if latest is not None and latest.status in HELD:
                        held = (latest.id, latest.status)
                result = c.execute(
                    insert(Message).values(
                        conversation_id=conv_id,
                        channel=turn.channel,
                        channel_message_id=channel_message_id,
                        direction="in",
                        sender="citizen",
                        text=text[: self.assistant.config.max_text_chars * 2],
                        answer_owner=lease[0] if lease else None,
                        answer_due=lease[1] if lease else None,
                    )
                )
                inbound_id = int(result.inserted_primary_key[0])
        except _Duplicate as dup:
            with self.db.session() as session:
                seen = session.get(Message, dup.message_id)
                assert seen is not None
                return self._replay(session, seen, conv_id)
        except IntegrityError:
            # Only a channel's own message id can be delivered twice at the same moment (one
            # insert wins); a message without one is never a duplicate of anything.
            if channel_message_id is None:
                raise
            with self.db.session() as session:
                seen = session.scalar(
                    select(Message).where(
                        Message.channel == turn.channel, Message.channel_message_id == channel_message_id
                    )
                )
                if seen is None:
                    raise
                return self._replay(session, seen, conv_id)
        lang = turn.lang or self.assistant.config.default_language
        return Stored(
            Reply(conv_id, lang, "received", ""), inbound_id, None, state=state, held=held, language=language
        )

    def _insert_ignore(self, **values: Any) -> Any:
        """INSERT .. ON CONFLICT DO NOTHING for the conversation row: the first message of a
        new conversation may arrive several times at once."""
        if self.db.engine.dialect.name == "postgresql":
            return pg_insert(Conversation).values(**values).on_conflict_do_nothing(index_elements=["id"])
        return sqlite_insert(Conversation).values(**values).on_conflict_do_nothing(index_elements=["id"])

    # -- the public API's access to its own conversations ------------------------------
    def authorize(self, conversation_id: str, token: str | None) -> bool:
        """True when ``token`` is the secret of this public-API conversation. The same work
        and the same answer whether the id exists, belongs to a channel or the token is
        wrong, so a caller learns nothing about other conversations."""
        with self.db.engine.connect() as c:
            stored = c.execute(
                select(Conversation.access_hash).where(
                    Conversation.id == conversation_id, Conversation.channel.in_(PUBLIC_CHANNELS)
                )
            ).scalar()
        expected = stored if isinstance(stored, str) and len(stored) == 64 else _NO_HASH
        offered = token_hash(token) if isinstance(token, str) and token else _NO_MATCH
        return hmac.compare_digest(expected, offered)

    def reload(self, turn: Turn, inbound_id: int) -> Stored:
        """The conversation's state and held case, read afresh."""
        conv_id = turn.conversation_id or ""
        with self.db.session() as session:
            conv = session.get(Conversation, conv_id)
            state = dict(conv.state or {}) if conv is not None else {}
            language = conv.language if conv is not None else None
        case = self.cases.active_case(conv_id) if self.cases is not None else None
        held = (case.id, case.status) if case is not None else None
        lang = turn.lang or self.assistant.config.default_language
        return Stored(
            Reply(conv_id, lang, "received", ""), inbound_id, None, state=state, held=held, language=language
        )

    def quiet(self, turn: Turn, inbound_id: int, received: Stored) -> Stored:
        """A person holds the case: the bot stays quiet; staff see the message live."""
        conv_id = turn.conversation_id or ""
        assert received.held is not None
        if self.cases is not None:
            self.cases.on_citizen_message(conv_id, inbound_id)
        state = DialogueState.from_dict(received.state)
        lang = state.language or self.assistant.config.default_language
        reply = Reply(conv_id, lang, "handoff_active", "", handoff=HandoffRef(*received.held))
        return Stored(reply, inbound_id, None)

    def think(self, turn: Turn, received: Stored) -> Thought:
        """The bot's answer (CPU work; no database unless a case is opened)."""
        state = DialogueState.from_dict(received.state)
        started = time.perf_counter()
        reply = self.assistant.handle(turn, state)
        return Thought(reply, state, (time.perf_counter() - started) * 1000)

    def record_text(
        self,
        conversation_id: str,
        channel: str,
        text: str,
        *,
        language: str,
        intent: str,
        within: Within | None = None,
    ) -> int:
        """Store a reply the channel wrote itself (a greeting, "please send text").
        ``within(connection, reply_id)`` runs in the same transaction (see ``record``)."""
        with self.db.engine.begin() as c:
            result = c.execute(
                insert(Message).values(
                    conversation_id=conversation_id,
                    channel=channel,
                    direction="out",
                    sender="bot",
                    text=text,
                    language=language,
                    intent=intent,
                )
            )
            reply_id = int(result.inserted_primary_key[0])
            if within is not None:
                within(c, reply_id)
            return reply_id

    def record(
        self, turn: Turn, inbound_id: int, thought: Thought, *, within: Within | None = None
    ) -> Stored:
        """Store the reply with its intent, scores and time taken, and the dialogue state.
        ``within(connection, reply_id)`` runs in the same transaction: the inbound message's
        lease settled and the reply queued in the outbox commit with the reply or not at all
        (a replica killed in between neither loses the reply nor sends it twice)."""
        conv_id = turn.conversation_id or ""
        reply, state = thought.reply, thought.state
        assert state is not None, "a reply the channel wrote is stored with record_text"
        with self.db.engine.begin() as c:
            # The conversation's row first (PostgreSQL): every writer of a conversation takes
            # it before anything else, so two replicas recording turns of one chat (or opening
            # its case) queue up instead of deadlocking.
            c.execute(
                select(Conversation.id).where(Conversation.id == conv_id).with_for_update(key_share=True)
            )
            result = c.execute(
                insert(Message).values(
                    conversation_id=conv_id,
                    channel=turn.channel,
                    direction="out",
                    sender="bot",
                    text=reply.answer,
                    language=reply.language,
                    intent=reply.intent,
                    confidence=state.intents[0]["confidence"] if state.intents else None,
                    scores={
                        "intents": state.intents,
                        "procedures": [{"code": p.code, "score": p.score} for p in reply.procedures],
                        "options": reply.options,
                    },
                    latency_ms=round(thought.latency_ms, 3),
                )
            )
            reply_id = int(result.inserted_primary_key[0])
            c.execute(
                update(Conversation)
                .where(Conversation.id == conv_id)
                .values(
                    state=state.to_dict(),
                    language=reply.language,
                    turn_count=Conversation.turn_count + 1,
                    updated_at=utcnow(),
                )
            )
            if within is not None:
                within(c, reply_id)
        if reply.handoff is not None and self.cases is not None:
            # Notices the (re)opened case owes come after the reply, in the transcript as in the chat.
            self.cases.after_reply(conv_id)
        return Stored(reply, inbound_id, reply_id)

    def _replay(self, session: Any, seen: Message, conversation_id: str) -> Stored:
        """A channel delivered the same message twice: answer with what was said then.
        Never with another conversation's words, should a channel reuse a message id."""
        if seen.conversation_id != conversation_id:
            log.warning("%s: message id %s reused by another conversation; ignored", seen.channel, seen.id)
            lang = self.assistant.config.default_language
            return Stored(Reply(conversation_id, lang, "duplicate", ""), seen.id, None, duplicate=True)
        answer = session.scalar(
            select(Message)
            .where(
                Message.conversation_id == seen.conversation_id, Message.id > seen.id, Message.sender == "bot"
            )
            .order_by(Message.id)
            .limit(1)
        )
        conv = session.get(Conversation, seen.conversation_id)
        lang = conv.language if conv is not None else self.assistant.config.default_language
        reply = Reply(
            seen.conversation_id,
            answer.language if answer is not None and answer.language else lang,
            answer.intent if answer is not None and answer.intent else "duplicate",
            answer.text if answer is not None else "",
        )
        return Stored(
            reply,
            seen.id,
            answer.id if answer is not None else None,
            duplicate=True,
            owed=seen.answer_due is not None,
        )

    def messages(self, conversation_id: str, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """The transcript after a message id, personal numbers masked (what the citizen's
        client shows). Reading changes nothing: delivery is acknowledged by ``acknowledge``."""
        with self.db.session() as session:
            rows = session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.id > after)
                .order_by(Message.id)
                .limit(limit)
            ).all()
            return [
                {
                    "id": m.id,
                    "sender": m.sender,
                    "text": mask_text(m.text),
                    "intent": m.intent,
                    "created_at": m.created_at.isoformat() if m.created_at else None,
                }
                for m in rows
            ]

    def acknowledge(self, conversation_id: str, through: int) -> int:
        """The citizen's client has shown every message up to ``through``: the staff replies
        queued for a pull channel (web chat, API, terminal) among them count as delivered.
        Returns how many outbox rows changed."""
        with self.db.engine.begin() as c:
            result = c.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.conversation_id == conversation_id,
                    OutboxMessage.status == "pending",
                    OutboxMessage.channel.in_(PULL_CHANNELS),
                    OutboxMessage.message_id <= through,
                )
                .values(status="sent", sent_at=utcnow(), attempts=OutboxMessage.attempts + 1)
            )
            return int(result.rowcount or 0)


class TurnLocks:
    """One asyncio lock per conversation, so the turns of one conversation in this process
    are stored and answered one after the other, in arrival order (asyncio locks are FIFO).
    A lock is dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


def token_hash(token: str) -> str:
    """What is stored of a conversation's secret: its SHA-256 (the secret has 256 random
    bits, so a slow hash adds nothing)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_access(channel: str) -> tuple[str, str]:
    """A fresh public conversation: an unguessable id and its secret."""
    return f"{channel}_{secrets.token_urlsafe(18)}", secrets.token_urlsafe(32)


# Compared against when the conversation is unknown, so that both paths cost the same.
_NO_HASH = "0" * 64
_NO_MATCH = "x" * 64
