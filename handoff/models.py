"""The tables shared by the conversation (every turn stored) and the handoff console.

SQLAlchemy 2 declarative models; the schema is created and upgraded by Alembic
(``handoff/migrations``), never by ``create_all`` outside tests of the migrations.
Timestamps are timezone-aware UTC. JSON columns hold the dossier packet and dialogue state.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Conversation(Base):
    """One citizen on one channel. ``state`` is the dialogue state the bot keeps."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), default="api")
    channel_user_id: Mapped[str | None] = mapped_column(String(128), index=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    turn_count: Mapped[int] = mapped_column(Integer, default=0)
    # SHA-256 of the secret the public API issued with the conversation's first reply; NULL
    # for channel conversations (Telegram, Zalo, phone), which the public API never reaches.
    access_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Indexed: the retention job looks for conversations idle for longer than the period.
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, index=True
    )


class Message(Base):
    """Every inbound and outbound message of a conversation (the transcript).

    ``sender`` is citizen | bot | agent | system. Bot replies keep the intent, the scores
    of the candidates and the time taken, for analytics and the dossier packet.
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "channel_message_id", name="uq_messages_channel_message"),
        Index("ix_messages_conversation", "conversation_id", "id"),
        Index("ix_messages_sender_intent", "sender", "intent", "created_at"),
        Index("ix_messages_answer_due", "answer_due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(32), default="api")
    channel_message_id: Mapped[str | None] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(8))  # in | out
    sender: Mapped[str] = mapped_column(String(16))  # citizen | bot | agent | system
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(8))
    intent: Mapped[str | None] = mapped_column(String(48))
    confidence: Mapped[float | None] = mapped_column(Float)
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # intents + procedures with scores
    latency_ms: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # A push channel's citizen message still to be answered: until ``answer_due`` it is
    # leased to the replica ``answer_owner`` (the one answering it); past it, any running
    # replica may claim it. NULL once answered (or when nothing is owed: API, staff, bot).
    answer_due: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answer_owner: Mapped[str | None] = mapped_column(String(40))


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # agent | supervisor | admin
    teams: Mapped[list[Any]] = mapped_column(JSON, default=list)  # e.g. ["48", "tax"]
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StaffSession(Base):
    """A console login. Only the SHA-256 of the cookie token is stored."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_agent: Mapped[str | None] = mapped_column(String(300))


class RateCounter(Base):
    """How many hits a key had in one fixed time window (login attempts, API messages).

    Incremented by one INSERT .. ON CONFLICT DO UPDATE .. RETURNING, so that every server
    process and replica sharing the database counts the same hits, and two parallel requests
    never read the same count.
    """

    __tablename__ = "rate_counters"
    __table_args__ = (Index("ix_rate_counters_expires", "expires_at"),)

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)  # "login", "ask", ...
    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "user:<name>", "ip:<addr>", ...
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # epoch s
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RateLock(Base):
    """A key locked until a time (a staff account after too many failed logins); ``level``
    counts consecutive locks, each twice as long as the one before."""

    __tablename__ = "rate_locks"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, default=1)
    locked_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Case(Base):
    """A handoff case with its dossier packet.

    status: waiting → assigned → waiting_citizen → resolved | closed. ``version`` is bumped
    on every change; claims are a conditional UPDATE so two agents cannot both win.
    """

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_created", "status", "created_at"),
        Index("ix_cases_status_queued", "status", "priority", "queued_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(32))
    channel_user_id: Mapped[str | None] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(24), default="waiting")
    reason: Mapped[str] = mapped_column(
        String(48)
    )  # talk_to_human | complaint | failures | abuse | dossier | api
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher first
    team: Mapped[str | None] = mapped_column(String(64))
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    packet: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outcome: Mapped[str | None] = mapped_column(String(48))
    callback: Mapped[bool] = mapped_column(Boolean, default=False)
    callback_number: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    # When the case last entered the queue (opened or reopened): waiting time and queue order.
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseNote(Base):
    """An internal note by staff; never sent to the citizen."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CaseEvent(Base):
    """An append-only feed of case changes; the console's live updates read it, so a case
    opened by one server process appears on a console served by another."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_seq", "seq", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # created | assigned | message | resolved | ...
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The feed's cursor, in commit order (``handoff.events``): ids are handed out at insert,
    # so on PostgreSQL a lower id can commit after a higher one; ``seq`` is given to
    # committed events only, under a lock, so readers never skip one.
    seq: Mapped[int | None] = mapped_column(BigInteger)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(48))
    case_id: Mapped[str | None] = mapped_column(String(32), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class OutboxMessage(Base):
    """Every outbound message is stored here first, then delivered by the channel's sender.

    status: pending → sent | failed. Rows of the web chat, API and terminal become sent when
    the citizen's client acknowledges it has shown them (reading alone changes nothing).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
        Index("ix_outbox_created", "created_at"),  # the retention job's sweep
        Index("ix_outbox_message", "message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str | None] = mapped_column(String(128))
    # The stored message this row delivers. No foreign key: its ON DELETE action was a
    # trigger per deleted message (half the retention job's time); the only code that
    # deletes messages (handoff/privacy) deletes their outbox rows first.
    message_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DailyStat(Base):
    """Aggregate counts kept when the retention job deletes the rows they were counted from:
    ``metric`` is citizen_messages | replies (label: intent) | agent_messages |
    conversations | cases (label: reason) | resolved (label: outcome); ``day`` is the local
    day (handoff.timezone). No conversation or citizen can be told apart in them."""

    __tablename__ = "daily_stats"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    label: Mapped[str] = mapped_column(String(48), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


class JobLease(Base):
    """Which process runs a scheduled job now (the retention job): one row per job, taken by
    a conditional UPDATE when free or expired, so one replica at a time runs it."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(48), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128), default="")
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SharedState(Base):
    """Small facts the replicas of one deployment agree on (the webhook registered with a
    provider, and for which configuration), written with one atomic upsert."""

    __tablename__ = "shared_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IdempotentRequest(Base):
    """A ``POST /api/v1/ask`` sent with an ``Idempotency-Key``: the same key gives back the
    stored answer instead of asking again. Only hashes of the key are stored; the secret of
    a conversation the request created is kept masked with the key (``channels.idempotency``)."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (Index("ix_idempotent_requests_expires", "expires_at"),)

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # the request body's digest
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    inbound_id: Mapped[int | None] = mapped_column(Integer)  # the question, once stored
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # NULL while in progress
    masked_token: Mapped[str | None] = mapped_column(String(128))
    locked_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
