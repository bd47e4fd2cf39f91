"""The outbox: every outbound message is stored first, then delivered with retries.

A reply (or a staff answer from the console) becomes one or more ``outbox`` rows, split at
the channel's length limit. ``OutboxWorker`` delivers due rows through the channel's
sender: a row is claimed with a conditional UPDATE (pending → sending) so it is sent once
even with several server processes; network errors, 5xx and 429 are retried with
exponential backoff (honouring Retry-After); other errors mark the row failed. A row left
``sending`` by a process that died is due again once its lease expires: any running
replica claims it, continuously (not only at a start), so nothing is lost or late.

Scheduling is fair per conversation: each pass takes the due rows fresh ones first (fewest
attempts), and delivers several conversations at once, each conversation's rows one after
the other in id order (the parts of an answer stay in order). A provider that hangs or
fails for one conversation does not hold back new replies to the others.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from sqlalchemy import Connection, and_, insert, or_, select, update

from handoff.db import Database
from handoff.models import OutboxMessage, utcnow
from knowledge.errors import ProviderUnavailable

log = logging.getLogger(__name__)

# Channels whose messages are read by the citizen's client (web chat polling, terminal)
# rather than pushed: their rows are marked sent when the client acknowledges them.
PULL_CHANNELS = frozenset({"web", "api", "terminal", "cli"})
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` characters, at paragraph, line,
    sentence, then word boundaries (a word longer than the limit is cut hard)."""
    text = text.strip()
    if limit <= 0 or len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for pattern in ("\n\n", "\n"):
            cut = window.rfind(pattern, 0, limit)
            if cut > limit // 3:
                break
            cut = -1
        if cut < 0:
            ends = [m.start() for m in _SENTENCE_END.finditer(window) if m.start() <= limit]
            cut = ends[-1] if ends and ends[-1] > limit // 3 else -1
        if cut < 0:
            cut = window.rfind(" ", 0, limit)
            if cut <= 0:
                cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return [p for p in parts if p]


class SendError(ProviderUnavailable):
    """A delivery failed. ``retryable``: network, 5xx, 429; ``retry_after``: seconds the
    provider asked us to wait."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class Sender(Protocol):
    async def send(self, recipient: str, payload: dict[str, Any]) -> None: ...


class Outbox:
    def __init__(self, db: Database) -> None:
        self.db = db

    def enqueue(
        self,
        *,
        conversation_id: str,
        channel: str,
        recipient: str | None,
        text: str,
        limit: int,
        options: list[str] | None = None,
        language: str | None = None,
        message_id: int | None = None,
        extra: dict[str, Any] | None = None,
        connection: Connection | None = None,
    ) -> list[int]:
        """Queue a reply (in parts at ``limit``). ``connection``: inside that transaction
        (the one recording the reply), else in one of its own."""
        parts = split_text(text, limit) or [""]
        rows: list[dict[str, Any]] = []
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            payload: dict[str, Any] = {"text": part, "kind": "text", "language": language}
            if last and options:
                payload["options"] = list(options)
            if extra:
                payload.update(extra)
            rows.append(
                {
                    "conversation_id": conversation_id,
                    "channel": channel,
                    "recipient": recipient,
                    "message_id": message_id,
                    "payload": payload,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": utcnow(),
                    "created_at": utcnow(),
                }
            )
        if connection is not None:
            return [self._insert(connection, row) for row in rows]
        with self.db.engine.begin() as c:
            return [self._insert(c, row) for row in rows]

    @staticmethod
    def _insert(connection: Connection, row: dict[str, Any]) -> int:
        return int(connection.execute(insert(OutboxMessage).values(**row)).inserted_primary_key[0])


class OutboxWorker:
    """Delivers due outbox rows through the senders, one row at a time in id order (so the
    parts of an answer arrive in order)."""

    LEASE = timedelta(seconds=60)

    def __init__(
        self,
        db: Database,
        senders: Mapping[str, Sender],
        *,
        limits: Mapping[str, int] | None = None,
        max_attempts: int = 8,
        base_delay: float = 0.5,
        max_delay: float = 300.0,
        poll_interval: float = 0.5,
        clock: Callable[[], datetime] = utcnow,
        concurrency: int = 8,
    ) -> None:
        self.db = db
        self.senders = dict(senders)
        self.limits = dict(limits or {})
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.poll_interval = poll_interval
        self.clock = clock
        self.concurrency = max(1, concurrency)  # conversations delivered to at once
        self._wake = asyncio.Event()
        self.stats = {"sent": 0, "retried": 0, "failed": 0}

    def wake(self) -> None:
        self._wake.set()

    def recover(self) -> int:
        """Rows left ``sending`` by a process that stopped: back to ``pending``."""
        with self.db.session() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at < self.clock())
                .values(status="pending")
            )
            count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            log.warning("outbox: %d message(s) left in flight by a previous process re-queued", count)
        return count

    def _claimable(self, now: datetime) -> Any:
        """Due rows: pending ones whose time has come, and those a replica left ``sending``
        past their lease (it died mid-send)."""
        return or_(
            and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
            and_(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at < now),
        )

    def _due(self, limit: int = 200) -> list[list[int]]:
        """Due rows grouped by conversation: each group in id order, the groups in the order
        of their freshest row (fewest attempts first, then oldest)."""
        channels = list(self.senders)
        if not channels:
            return []
        with self.db.session() as session:
            rows = session.execute(
                select(OutboxMessage.id, OutboxMessage.conversation_id)
                .where(OutboxMessage.channel.in_(channels), self._claimable(self.clock()))
                .order_by(OutboxMessage.attempts, OutboxMessage.id)
                .limit(limit)
            ).all()
        groups: dict[str, list[int]] = {}
        for row_id, conversation in rows:
            groups.setdefault(conversation, []).append(row_id)
        return [sorted(ids) for ids in groups.values()]

    def _claim(self, row_id: int) -> OutboxMessage | None:
        with self.db.session() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row_id, self._claimable(self.clock()))
                .values(
                    status="sending",
                    attempts=OutboxMessage.attempts + 1,
                    next_attempt_at=self.clock() + self.LEASE,
                )
            )
            if getattr(result, "rowcount", 0) != 1:
                return None  # another process took it
            row = session.get(OutboxMessage, row_id)
            if row is None:
                return None
            limit = self.limits.get(row.channel)
            text = str(row.payload.get("text", ""))
            if limit and len(text) > limit:
                # A staff answer longer than the channel allows: the row becomes its parts.
                parts = split_text(text, limit)
                for i, part in enumerate(parts[1:], 1):
                    payload = dict(row.payload) | {"text": part}
                    if i < len(parts) - 1:
                        payload.pop("options", None)
                    session.add(
                        OutboxMessage(
                            conversation_id=row.conversation_id,
                            channel=row.channel,
                            recipient=row.recipient,
                            message_id=row.message_id,
                            payload=payload,
                        )
                    )
                first = dict(row.payload) | {"text": parts[0]}
                first.pop("options", None)
                row.payload = first
            session.expunge(row)
            return row

    def _finish(
        self, row_id: int, *, sent: bool, error: str | None = None, delay: float | None = None
    ) -> None:
        with self.db.session() as session:
            row = session.get(OutboxMessage, row_id)
            if row is None:
                return
            if sent:
                row.status = "sent"
                row.sent_at = self.clock()
                row.last_error = None
            elif delay is not None:
                row.status = "pending"
                row.next_attempt_at = self.clock() + timedelta(seconds=delay)
                row.last_error = error
            else:
                row.status = "failed"
                row.last_error = error

    def _delay(self, attempts: int, retry_after: float | None) -> float:
        delay = min(self.max_delay, self.base_delay * (2 ** max(attempts - 1, 0)))
        delay *= random.uniform(0.8, 1.2)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return delay

    async def deliver(self, row_id: int) -> bool:
        loop = asyncio.get_running_loop()
        row = await loop.run_in_executor(None, self._claim, row_id)
        if row is None:
            return False
        sender = self.senders.get(row.channel)
        if sender is None:
            await loop.run_in_executor(None, partial(self._finish, row_id, sent=False, error="no sender"))
            return False
        error: str | None = None
        delay: float | None = None
        try:
            await sender.send(row.recipient or "", dict(row.payload))
        except SendError as exc:
            error = str(exc)
            if exc.retryable and row.attempts < self.max_attempts:
                delay = self._delay(row.attempts, exc.retry_after)
                log.info("outbox %d to %s: %s; retry in %.1f s", row_id, row.channel, exc, delay)
            else:
                log.error(
                    "outbox %d to %s failed after %d attempt(s): %s", row_id, row.channel, row.attempts, exc
                )
        except Exception as exc:  # a bug in a sender must not stop the worker: retried, logged
            error = repr(exc)
            log.exception("outbox %d: unexpected error from the %s sender", row_id, row.channel)
            if row.attempts < self.max_attempts:
                delay = self._delay(row.attempts, None)
        if error is None:
            self.stats["sent"] += 1
            await loop.run_in_executor(None, partial(self._finish, row_id, sent=True))
            return True
        self.stats["retried" if delay is not None else "failed"] += 1
        await loop.run_in_executor(None, partial(self._finish, row_id, sent=False, error=error, delay=delay))
        return False

    async def run_once(self) -> int:
        loop = asyncio.get_running_loop()
        groups = await loop.run_in_executor(None, self._due)
        gate = asyncio.Semaphore(self.concurrency)

        async def conversation(ids: list[int]) -> int:
            sent = 0
            async with gate:
                for row_id in ids:
                    if not await self.deliver(row_id):
                        break  # its next parts wait: they must not overtake it
                    sent += 1
            return sent

        return sum(await asyncio.gather(*(conversation(ids) for ids in groups)))

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.recover)
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # the database may be briefly unavailable: keep going
                log.exception("outbox worker pass failed")
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
            except TimeoutError:
                pass
