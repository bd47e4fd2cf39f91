"""The retention job: personal rows older than the period are deleted, their counts kept.

What goes, once older than ``privacy.retention_days`` (counted from local midnight, so a day
is always purged whole and its aggregate counted once): conversations idle for the period
with everything attached (messages, cases and their notes, events, dossier packets, outbox
rows); old messages of conversations still in use; resolved or closed cases whose last
change is that old; expired console sessions and rate counters.

What stays: a conversation with a case that is not resolved or closed, or whose case changed
within the period, is held whole (an officer may still need its transcript), however old.
The audit log stays (who did what, never the content). Before rows go, their counts are
added to ``daily_stats`` (messages by channel, language and intent, conversations, cases by
reason and outcome) so the supervisor's statistics outlive the transcripts.

Each batch is one short transaction: live turns wait at most one batch on a lock, and on
PostgreSQL conversations another transaction holds are skipped (``SKIP LOCKED``), left for
the next run. One process at a time runs the job, by a lease row (``job_leases``) renewed
at every batch.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Table,
    and_,
    any_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError

from handoff.auth import aware
from handoff.db import Database
from handoff.models import (
    AuditEntry,
    Case,
    CaseEvent,
    CaseNote,
    Conversation,
    DailyStat,
    IdempotentRequest,
    JobLease,
    Message,
    OutboxMessage,
    RateCounter,
    StaffSession,
    utcnow,
)

log = logging.getLogger(__name__)

FINAL_STATUSES = ("resolved", "closed")
JOB_NAME = "retention"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SENDER_METRICS = {"citizen": "citizen_messages", "bot": "replies", "agent": "agent_messages"}
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
FIRST_RUN_AFTER_SECONDS = 300.0

# PostgreSQL: delete a batch's messages and add their counts to daily_stats in one statement.
# The metric and label expressions mirror Rollup._metric (SQLite's path, in Python).
PG_DELETE_AND_COUNT = text(
    """
    WITH gone AS (
        DELETE FROM messages
        WHERE conversation_id = ANY(:ids) AND created_at < :before
        RETURNING created_at, channel, language, sender, intent, conversation_id
    ), rows AS (
        SELECT date(timezone(:tz, created_at)) AS day, coalesce(channel, '') AS channel,
               coalesce(left(language, 8), '') AS language, sender, intent, conversation_id
        FROM gone
    ), counted AS (
        SELECT day,
               CASE sender WHEN 'citizen' THEN 'citizen_messages' WHEN 'bot' THEN 'replies'
                           WHEN 'agent' THEN 'agent_messages' ELSE 'system_messages' END AS metric,
               channel, language,
               CASE WHEN sender = 'bot' THEN coalesce(left(intent, 48), '') ELSE '' END AS label,
               count(*) AS n
        FROM rows GROUP BY 1, 2, 3, 4, 5
        UNION ALL
        SELECT day, 'conversations', channel, '', '', count(DISTINCT conversation_id)
        FROM rows GROUP BY day, channel
    ), added AS (
        INSERT INTO daily_stats (day, metric, channel, language, label, count)
        SELECT day, metric, channel, language, label, n FROM counted
        ON CONFLICT (day, metric, channel, language, label)
        DO UPDATE SET count = daily_stats.count + EXCLUDED.count
    )
    SELECT count(*) FROM gone
    """
)


class LeaseLost(RuntimeError):
    """Another process took the job's lease (this one stalled past its expiry)."""


@dataclass
class PurgeReport:
    cutoff: str
    dry_run: bool = False
    conversations: int = 0
    messages: int = 0
    cases: int = 0
    notes: int = 0
    events: int = 0
    outbox: int = 0
    sessions: int = 0
    rate_counters: int = 0
    held_conversations: int = 0  # past the period, kept for a case not yet resolved
    batches: int = 0
    seconds: float = 0.0
    skipped: str | None = None  # why nothing ran (another process holds the lease)

    def counts(self) -> dict[str, Any]:
        return asdict(self)

    def add(self, other: PurgeReport) -> None:
        for name in ("conversations", "messages", "cases", "notes", "events", "outbox"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def insert_ignore(c: Connection, model: Any, **values: Any) -> Any:
    """INSERT .. ON CONFLICT DO NOTHING on either database."""
    maker = pg_insert if c.dialect.name == "postgresql" else sqlite_insert
    return maker(model).values(**values).on_conflict_do_nothing()


class Lease:
    """A row in ``job_leases`` taken by a conditional UPDATE: free, expired, or already ours."""

    def __init__(self, db: Database, name: str, holder: str, ttl: float = 300.0) -> None:
        self.db, self.name, self.holder, self.ttl = db, name, holder, ttl

    def acquire(self, now: datetime) -> bool:
        with self.db.engine.begin() as c:
            c.execute(insert_ignore(c, JobLease, name=self.name, holder="", expires_at=EPOCH))
            taken = c.execute(
                update(JobLease)
                .where(
                    JobLease.name == self.name,
                    or_(JobLease.holder == self.holder, JobLease.expires_at < now),
                )
                .values(holder=self.holder, expires_at=now + timedelta(seconds=self.ttl))
            ).rowcount
        return taken == 1

    def renew(self, c: Connection, now: datetime) -> None:
        """Inside a batch's transaction, as its first write: on SQLite it also takes the write
        lock at once, so the batch never fails half-way on a busy snapshot."""
        renewed = c.execute(
            update(JobLease)
            .where(JobLease.name == self.name, JobLease.holder == self.holder)
            .values(expires_at=now + timedelta(seconds=self.ttl))
        ).rowcount
        if renewed != 1:
            raise LeaseLost(f"the {self.name} job's lease was taken by another process")

    def release(self) -> None:
        with self.db.engine.begin() as c:
            c.execute(
                update(JobLease)
                .where(JobLease.name == self.name, JobLease.holder == self.holder)
                .values(expires_at=EPOCH)
            )


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Rollup:
    """Adds the counts of rows about to be deleted to ``daily_stats`` (local days)."""

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        self.timezone = timezone

    def delete_messages(self, c: Connection, conversation_ids: Sequence[str], before: datetime | None) -> int:
        """Deletes the messages of these conversations (those older than ``before`` only,
        when given) and adds their counts to ``daily_stats``; returns how many went."""
        if c.dialect.name == "postgresql":
            # One pass over the rows: DELETE .. RETURNING feeds the counts, grouped and added
            # by the server (a batch is thousands of rows; none need travel to this process).
            return int(
                c.execute(
                    PG_DELETE_AND_COUNT.bindparams(
                        ids=list(conversation_ids), before=before or FAR_FUTURE, tz=self.timezone
                    )
                ).scalar()
                or 0
            )
        where: ColumnElement[bool] = Message.conversation_id.in_(conversation_ids)
        if before is not None:
            where = and_(where, Message.created_at < before)
        counts: Counter[tuple[date, str, str, str, str]] = Counter()
        seen: set[tuple[date, str, str]] = set()
        rows = c.execute(
            select(
                Message.created_at,
                Message.channel,
                Message.language,
                Message.sender,
                Message.intent,
                Message.conversation_id,
            ).where(where)
        ).all()
        for at, ch, lang, sender, intent, conv in rows:
            d = self.day(at)
            counts[(d, *self._metric(ch, lang, sender, intent))] += 1
            seen.add((d, ch or "", conv))
        for d, ch, _conv in seen:
            counts[(d, "conversations", ch, "", "")] += 1
        self._add(c, counts)
        return c.execute(delete(Message).where(where)).rowcount

    def cases(self, c: Connection, where: Any) -> None:
        counts: Counter[tuple[date, str, str, str, str]] = Counter()
        rows = c.execute(
            select(
                Case.created_at, Case.resolved_at, Case.channel, Case.language, Case.reason, Case.outcome
            ).where(where)
        ).all()
        for created, resolved, channel, lang, reason, outcome in rows:
            counts[(self.day(created), "cases", channel or "", lang or "", (reason or "")[:48])] += 1
            if resolved is not None:
                counts[(self.day(resolved), "resolved", channel or "", lang or "", (outcome or "")[:48])] += 1
        self._add(c, counts)

    def day(self, at: datetime) -> date:
        return aware(at).astimezone(self.zone).date()

    @staticmethod
    def _metric(
        channel: str | None, lang: str | None, sender: str, label: str | None
    ) -> tuple[str, str, str, str]:
        metric = SENDER_METRICS.get(sender, "system_messages")
        return metric, channel or "", (lang or "")[:8], (label or "")[:48] if metric == "replies" else ""

    @staticmethod
    def _add(c: Connection, counts: Counter[tuple[date, str, str, str, str]]) -> None:
        if not counts:
            return
        rows = [
            {"day": d, "metric": m, "channel": ch, "language": lang, "label": label, "count": n}
            for (d, m, ch, lang, label), n in sorted(counts.items())
        ]
        maker = pg_insert if c.dialect.name == "postgresql" else sqlite_insert
        stmt = maker(DailyStat).values(rows)
        c.execute(
            stmt.on_conflict_do_update(
                index_elements=["day", "metric", "channel", "language", "label"],
                set_={"count": DailyStat.count + stmt.excluded.count},
            )
        )


def among(c: Connection, column: Any, ids: Sequence[Any]) -> Any:
    """``column IN ids``; on PostgreSQL ``= ANY(array)``, one parameter instead of hundreds
    to render and bind for every statement of every batch."""
    if c.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(column.type)))
    return column.in_(ids)


def held_by_case(cutoff: datetime) -> Any:
    """A condition on a conversation row: a case keeps it (not resolved, or changed recently)."""
    return exists().where(
        Case.conversation_id == Conversation.id,
        or_(Case.status.not_in(FINAL_STATUSES), Case.updated_at >= cutoff),
    )


def _held_by_a_case(conversation_id: Any, cutoff: datetime) -> Any:
    """A conversation whose case is still open, or closed within the period, is kept."""
    return exists().where(
        Case.conversation_id == conversation_id,
        or_(Case.status.not_in(FINAL_STATUSES), Case.updated_at >= cutoff),
    )


def delete_conversations(c: Connection, ids: Sequence[str], rollup: Rollup, report: PurgeReport) -> None:
    """Every row of these conversations, children first (set-based deletes, not one
    cascade trigger per row), after counting them into ``daily_stats``."""
    if not ids:
        return
    case_ids = list(c.scalars(select(Case.id).where(among(c, Case.conversation_id, ids))))
    if case_ids:
        rollup.cases(c, among(c, Case.id, case_ids))
        report.notes += c.execute(delete(CaseNote).where(among(c, CaseNote.case_id, case_ids))).rowcount
        report.events += c.execute(delete(CaseEvent).where(among(c, CaseEvent.case_id, case_ids))).rowcount
    report.outbox += c.execute(
        delete(OutboxMessage).where(among(c, OutboxMessage.conversation_id, ids))
    ).rowcount
    # An API retry's stored answer is a copy of the conversation's reply.
    c.execute(delete(IdempotentRequest).where(among(c, IdempotentRequest.conversation_id, ids)))
    report.messages += rollup.delete_messages(c, ids, None)
    if case_ids:
        report.cases += c.execute(delete(Case).where(among(c, Case.id, case_ids))).rowcount
    report.conversations += c.execute(delete(Conversation).where(among(c, Conversation.id, ids))).rowcount


@dataclass
class RetentionJob:
    db: Database
    retention_days: int = 180
    timezone: str = "Asia/Ho_Chi_Minh"
    batch_size: int = 500
    holder: str = field(default_factory=default_holder)
    clock: Callable[[], datetime] = utcnow
    lease_seconds: float = 300.0
    # Set by the server at shutdown: the job stops between two batches.
    stop: threading.Event = field(default_factory=threading.Event)

    def cutoff(self, now: datetime | None = None) -> datetime:
        """Local midnight ``retention_days`` ago: rows older than it go."""
        zone = ZoneInfo(self.timezone)
        local = aware(now or self.clock()).astimezone(zone)
        start = datetime.combine(
            local.date() - timedelta(days=self.retention_days), datetime.min.time(), zone
        )
        return start.astimezone(UTC)

    def run(self, *, dry_run: bool = False, who: str = "scheduler") -> PurgeReport:
        started = time.perf_counter()
        cutoff = self.cutoff()
        report = PurgeReport(cutoff=cutoff.isoformat(), dry_run=dry_run)
        if dry_run:
            self._count(cutoff, report)
            report.seconds = round(time.perf_counter() - started, 3)
            return report
        lease = Lease(self.db, JOB_NAME, self.holder, self.lease_seconds)
        if not lease.acquire(self.clock()):
            report.skipped = "another process is running the retention job"
            return report
        try:
            rollup = Rollup(self.timezone)
            self._batches(lambda c, r: self._conversations(c, cutoff, rollup, r), lease, report)
            self._batches(lambda c, r: self._old_messages(c, cutoff, rollup, r), lease, report)
            self._batches(lambda c, r: self._old_cases(c, cutoff, rollup, r), lease, report)
            self._batches(lambda c, r: self._old_outbox(c, cutoff, r), lease, report)
            with self.db.engine.begin() as c:
                lease.renew(c, self.clock())
                now = self.clock()
                report.sessions = c.execute(
                    delete(StaffSession).where(StaffSession.expires_at < now)
                ).rowcount
                report.rate_counters = c.execute(
                    delete(RateCounter).where(RateCounter.expires_at < now)
                ).rowcount
                report.held_conversations = int(
                    c.scalar(
                        select(func.count())
                        .select_from(Conversation)
                        .where(Conversation.updated_at < cutoff, held_by_case(cutoff))
                    )
                    or 0
                )
                report.seconds = round(time.perf_counter() - started, 3)
                c.execute(
                    cast(Table, AuditEntry.__table__)
                    .insert()
                    .values(
                        staff_id=None,
                        action="retention_purge",
                        case_id=None,
                        detail={"by": who, "holder": self.holder, **_summary(report)},
                        ip=None,
                        created_at=self.clock(),
                    )
                )
        finally:
            lease.release()
        log.info(
            "retention: %d conversations, %d messages, %d cases deleted (older than %s) in %.1f s",
            report.conversations,
            report.messages,
            report.cases,
            report.cutoff,
            report.seconds,
        )
        return report

    # -- one batch of each kind; each returns how many rows it selected -----------------
    def _batches(
        self, step: Callable[[Connection, PurgeReport], int], lease: Lease, report: PurgeReport
    ) -> None:
        while not self.stop.is_set():
            for attempt in range(3):
                # Counted apart and added once committed: a retried batch counts once.
                counted = PurgeReport(cutoff=report.cutoff)
                try:
                    with self.db.engine.begin() as c:
                        lease.renew(c, self.clock())
                        selected = step(c, counted)
                    report.add(counted)
                    break
                except OperationalError as exc:  # a deadlock or busy database: this batch again
                    if attempt == 2:
                        raise
                    log.warning("retention batch retried: %s", exc.orig)
                    time.sleep(0.2 * (attempt + 1))
            if not selected:
                return
            report.batches += 1
            if selected < self.batch_size:
                return

    def _conversations(self, c: Connection, cutoff: datetime, rollup: Rollup, report: PurgeReport) -> int:
        young = exists().where(Message.conversation_id == Conversation.id, Message.created_at >= cutoff)
        query = (
            select(Conversation.id)
            .where(Conversation.updated_at < cutoff, ~held_by_case(cutoff), ~young)
            .order_by(Conversation.updated_at)
            .limit(self.batch_size)
            .with_for_update(of=Conversation, skip_locked=True)
        )
        ids = list(c.scalars(query))
        delete_conversations(c, ids, rollup, report)
        return len(ids)

    def _old_messages(self, c: Connection, cutoff: datetime, rollup: Rollup, report: PurgeReport) -> int:
        """Old messages of conversations still in use, a batch of conversations at a time so
        that a conversation's day is counted once."""
        held = _held_by_a_case(Message.conversation_id, cutoff)
        conv_ids = list(
            c.scalars(
                select(Message.conversation_id)
                .where(Message.created_at < cutoff, ~held)
                .group_by(Message.conversation_id)
                .limit(self.batch_size)
            )
        )
        if not conv_ids:
            return 0
        old = select(Message.id).where(
            among(c, Message.conversation_id, conv_ids), Message.created_at < cutoff
        )
        report.outbox += c.execute(delete(OutboxMessage).where(OutboxMessage.message_id.in_(old))).rowcount
        report.messages += rollup.delete_messages(c, conv_ids, cutoff)
        return len(conv_ids)

    def _old_cases(self, c: Connection, cutoff: datetime, rollup: Rollup, report: PurgeReport) -> int:
        case_ids = list(
            c.scalars(
                select(Case.id)
                .where(Case.status.in_(FINAL_STATUSES), Case.updated_at < cutoff)
                .limit(self.batch_size)
            )
        )
        if case_ids:
            rollup.cases(c, Case.id.in_(case_ids))
            report.notes += c.execute(delete(CaseNote).where(CaseNote.case_id.in_(case_ids))).rowcount
            report.events += c.execute(delete(CaseEvent).where(CaseEvent.case_id.in_(case_ids))).rowcount
            report.cases += c.execute(delete(Case).where(Case.id.in_(case_ids))).rowcount
        return len(case_ids)

    def _old_outbox(self, c: Connection, cutoff: datetime, report: PurgeReport) -> int:
        held = _held_by_a_case(OutboxMessage.conversation_id, cutoff)
        ids = list(
            c.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.created_at < cutoff, ~held)
                .limit(self.batch_size)
            )
        )
        if ids:
            report.outbox += c.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids))).rowcount
        return len(ids)

    def _count(self, cutoff: datetime, report: PurgeReport) -> None:
        """What a run would delete now (conversations and messages; the rest is small)."""
        young = exists().where(Message.conversation_id == Conversation.id, Message.created_at >= cutoff)
        gone = and_(Conversation.updated_at < cutoff, ~held_by_case(cutoff), ~young)
        held = _held_by_a_case(Message.conversation_id, cutoff)
        with self.db.engine.connect() as c:
            report.conversations = int(
                c.scalar(select(func.count()).select_from(Conversation).where(gone)) or 0
            )
            report.messages = int(
                c.scalar(select(func.count()).select_from(Message).where(Message.created_at < cutoff, ~held))
                or 0
            )
            report.cases = int(
                c.scalar(
                    select(func.count())
                    .select_from(Case)
                    .where(Case.status.in_(FINAL_STATUSES), Case.updated_at < cutoff)
                )
                or 0
            )
            report.held_conversations = int(
                c.scalar(
                    select(func.count())
                    .select_from(Conversation)
                    .where(Conversation.updated_at < cutoff, held_by_case(cutoff))
                )
                or 0
            )


def _summary(report: PurgeReport) -> dict[str, Any]:
    return {k: v for k, v in report.counts().items() if k not in ("dry_run", "skipped")}


async def run_periodically(job: RetentionJob, every_minutes: float, stop: asyncio.Event) -> None:
    """``hotline serve``'s schedule: every process offers to run the job; the lease lets one
    run it at a time. The first run comes a few minutes after the start (never slowing it,
    yet not postponed forever by replicas restarted more often than the period), at a
    random moment so that replicas started together do not all try at once. At shutdown a
    run in progress stops between two batches."""
    period = every_minutes * 60.0
    wait = min(period, FIRST_RUN_AFTER_SECONDS) * random.uniform(0.5, 1.0)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while True:
            await asyncio.wait({stopping}, timeout=wait)
            wait = period
            if stop.is_set():
                return
            run = asyncio.ensure_future(asyncio.to_thread(job.run))
            await asyncio.wait({run, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not run.done():
                job.stop.set()
            try:
                report = await run
                if report.skipped:
                    log.debug("retention: %s", report.skipped)
            except Exception:  # a failed run is logged and retried next period, never fatal
                log.exception("the retention job failed")
    finally:
        stopping.cancel()
