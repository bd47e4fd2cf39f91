"""Leases on the citizen messages a push channel owes an answer, shared by every replica.

A push channel's message (Telegram, Zalo) is stored before its webhook is acknowledged and
answered afterwards, in the background. Between the two, the replica that stored it holds
a lease on it (``messages.answer_due``, ``messages.answer_owner``). The reply is recorded
only while the lease is still this replica's (``settle``, in the reply's own transaction),
so a message is answered once, whoever answers it. A replica that dies leaves leases that
expire; every running replica claims expired ones continuously (``claim_expired``: ``FOR
UPDATE SKIP LOCKED`` on PostgreSQL, SQLite's single writer elsewhere) and answers them, all
of a chat's messages in order, not only its last. Nothing waits for a restart, and a
starting replica answers nothing that another is still answering.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, select, update

from handoff.db import Database
from handoff.models import Conversation, Message, utcnow

log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another replica took this message's expired lease and answers it: this reply is
    dropped (its transaction rolled back)."""


@dataclass(frozen=True, slots=True)
class Owed:
    """A claimed message, with what its conversation needs to answer it."""

    message_id: int
    conversation_id: str
    channel: str
    channel_message_id: str | None
    text: str
    channel_user_id: str | None
    display_name: str | None


def replica_name() -> str:
    """Who holds a lease: this host and process, plus a random part (pids are reused)."""
    host = socket.gethostname()[:20]
    return f"{host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:40]


class AnswerLeases:
    def __init__(self, db: Database, *, owner: str | None = None, seconds: float = 30.0) -> None:
        self.db = db
        self.owner = owner or replica_name()
        self.seconds = seconds

    def until(self, now: datetime | None = None) -> datetime:
        return (now or utcnow()) + timedelta(seconds=self.seconds)

    def renew(self, message_id: int, only_expired: bool = False) -> bool:
        """Take (or keep) the lease of a message still owed an answer: True when it is ours
        now, False when it was answered already or another replica holds a live lease.
        ``only_expired``: not even one of ours that is live (it is being answered here)."""
        now = utcnow()
        free = Message.answer_due < now
        with self.db.engine.begin() as c:
            result = c.execute(
                update(Message)
                .where(
                    Message.id == message_id,
                    Message.answer_due.is_not(None),
                    free if only_expired else (Message.answer_owner == self.owner) | free,
                )
                .values(answer_due=self.until(now), answer_owner=self.owner)
            )
            return result.rowcount == 1

    def keep(self, message_ids: list[int], chunk: int = 500) -> int:
        """Renew the live leases this replica holds among ``message_ids`` (its queue): how
        many were still its own. An expired one that another replica took stays theirs."""
        kept = 0
        until = self.until()
        for start in range(0, len(message_ids), chunk):
            with self.db.engine.begin() as c:
                kept += c.execute(
                    update(Message)
                    .where(
                        Message.id.in_(message_ids[start : start + chunk]),
                        Message.answer_due.is_not(None),
                        Message.answer_owner == self.owner,
                    )
                    .values(answer_due=until)
                ).rowcount
        return kept

    def settle(self, connection: Connection, message_id: int) -> None:
        """In the transaction that records the reply: the message is answered. ``LeaseLost``
        when another replica took it meanwhile (the caller's transaction then rolls back)."""
        result = connection.execute(
            update(Message)
            .where(
                Message.id == message_id,
                Message.answer_due.is_not(None),
                Message.answer_owner == self.owner,
            )
            .values(answer_due=None, answer_owner=None)
        )
        if result.rowcount != 1:
            raise LeaseLost(message_id)

    def release(self, message_id: int) -> bool:
        """Nothing will be answered (rate limited; a person holds the case): owed no more."""
        try:
            with self.db.engine.begin() as c:
                self.settle(c, message_id)
            return True
        except LeaseLost:
            return False

    def claim_expired(self, channels: list[str], limit: int = 50) -> list[Owed]:
        """Claim messages whose lease expired (their replica died or gave up), oldest first."""
        if not channels:
            return []
        now = utcnow()
        expired = (
            select(Message.id)
            .where(Message.answer_due < now, Message.channel.in_(channels))
            .order_by(Message.id)
            .limit(limit)
            # Two replicas sweeping at once take different rows (ignored by SQLite, whose
            # single writer runs the UPDATE below alone anyway).
            .with_for_update(skip_locked=True)
        )
        with self.db.engine.begin() as c:
            claimed = c.execute(
                update(Message)
                .where(Message.id.in_(expired.scalar_subquery()), Message.answer_due < now)
                .values(answer_due=self.until(now), answer_owner=self.owner)
                .returning(Message.id)
            ).scalars()
            ids = sorted(claimed)
            if not ids:
                return []
            rows = c.execute(
                select(
                    Message.id,
                    Message.conversation_id,
                    Message.channel,
                    Message.channel_message_id,
                    Message.text,
                    Conversation.channel_user_id,
                    Conversation.display_name,
                )
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Message.id.in_(ids))
                .order_by(Message.id)
            ).all()
        log.warning("claimed %d unanswered message(s) whose lease expired", len(rows))
        return [Owed(*row) for row in rows]
