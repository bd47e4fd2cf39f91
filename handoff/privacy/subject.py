"""A data subject's requests: everything stored about them (export), or all of it erased.

A subject is one conversation (``--conversation ID``) or every conversation of one channel
user (``--user telegram:123``: the channel and the user's id on it, as the channels store
it). The export is unmasked: it answers the subject's own request, checked by the officer
who runs it. Both write an audit entry that says who asked, when, what was done and how
many rows, with the subject only as a hash: the audit log must not keep what was erased.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, or_, select

from handoff.auth import aware
from handoff.db import Database
from handoff.models import (
    AuditEntry,
    Case,
    CaseEvent,
    CaseNote,
    Conversation,
    Message,
    OutboxMessage,
    Staff,
    utcnow,
)
from handoff.privacy.retention import PurgeReport, Rollup, delete_conversations


class SubjectNotFound(LookupError):
    """No conversation matches the subject."""


@dataclass(frozen=True)
class Subject:
    conversation: str | None = None
    user: str | None = None  # "channel:user_id"

    def __post_init__(self) -> None:
        if bool(self.conversation) == bool(self.user):
            raise ValueError("name one subject: a conversation id or a channel user (channel:id)")
        if self.user is not None:
            channel, _, user_id = self.user.partition(":")
            if not channel or not user_id:
                raise ValueError(f"{self.user!r}: a channel user is written channel:id, e.g. telegram:123")

    @property
    def fingerprint(self) -> str:
        """What the audit log keeps of the subject: enough to match a later request, not
        enough to read who it was."""
        raw = f"conversation:{self.conversation}" if self.conversation else f"user:{self.user}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]

    def conversation_ids(self, c: Connection) -> list[str]:
        if self.conversation:
            query = select(Conversation.id).where(Conversation.id == self.conversation)
        else:
            channel, _, user_id = (self.user or "").partition(":")
            # Channel conversations are keyed "channel:user"; older rows may only carry
            # the user id in its own column.
            query = select(Conversation.id).where(
                or_(
                    Conversation.id == self.user,
                    (Conversation.channel == channel) & (Conversation.channel_user_id == user_id),
                )
            )
        return sorted(c.scalars(query.order_by(Conversation.created_at)))


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return aware(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {col.key: _value(getattr(obj, col.key)) for col in obj.__table__.columns if col.key not in skip}


class SubjectRequests:
    def __init__(self, db: Database, *, timezone: str = "Asia/Ho_Chi_Minh") -> None:
        self.db = db
        self.timezone = timezone

    def export(
        self, subject: Subject, *, by: str, staff: Staff | None = None, ip: str | None = None
    ) -> dict[str, Any]:
        """Everything stored about the subject, as JSON-ready data. The conversation's access
        secret is left out: it is only a hash, and useless to the subject."""
        with self.db.sessions() as s, s.begin():
            ids = subject.conversation_ids(s.connection())
            if not ids:
                raise SubjectNotFound("no conversation matches")
            conversations = []
            counts = {"conversations": 0, "messages": 0, "cases": 0, "notes": 0, "outbox": 0}
            for conv in s.scalars(
                select(Conversation).where(Conversation.id.in_(ids)).order_by(Conversation.created_at)
            ):
                messages = list(
                    s.scalars(select(Message).where(Message.conversation_id == conv.id).order_by(Message.id))
                )
                cases = list(
                    s.scalars(select(Case).where(Case.conversation_id == conv.id).order_by(Case.created_at))
                )
                outbox = list(
                    s.scalars(
                        select(OutboxMessage)
                        .where(OutboxMessage.conversation_id == conv.id)
                        .order_by(OutboxMessage.id)
                    )
                )
                case_rows = []
                for case in cases:
                    notes = list(
                        s.scalars(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id))
                    )
                    events = list(
                        s.scalars(
                            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
                        )
                    )
                    counts["notes"] += len(notes)
                    case_rows.append(
                        {**_row(case), "notes": [_row(n) for n in notes], "events": [_row(e) for e in events]}
                    )
                counts["conversations"] += 1
                counts["messages"] += len(messages)
                counts["cases"] += len(cases)
                counts["outbox"] += len(outbox)
                conversations.append(
                    {
                        **_row(conv, skip=("access_hash",)),
                        "messages": [_row(m) for m in messages],
                        "cases": case_rows,
                        "outbox": [_row(o) for o in outbox],
                    }
                )
            now = utcnow()
            s.add(self._audit("privacy_export", subject, by, staff, ip, counts, now))
        return {
            "subject": {"conversation": subject.conversation, "user": subject.user},
            "exported_at": now.isoformat(),
            "conversations": conversations,
        }

    def erase(
        self, subject: Subject, *, by: str, staff: Staff | None = None, ip: str | None = None
    ) -> dict[str, int]:
        """Deletes every row of the subject's conversations, open cases included (the request
        wins over the queue), after adding them to the anonymous daily counts."""
        report = PurgeReport(cutoff="")
        with self.db.engine.begin() as c:
            ids = subject.conversation_ids(c)
            if not ids:
                raise SubjectNotFound("no conversation matches")
            delete_conversations(c, ids, Rollup(self.timezone), report)
            counts = {
                "conversations": report.conversations,
                "messages": report.messages,
                "cases": report.cases,
                "notes": report.notes,
                "events": report.events,
                "outbox": report.outbox,
            }
            entry = self._audit("privacy_erase", subject, by, staff, ip, counts, utcnow())
            c.execute(
                cast(Table, AuditEntry.__table__)
                .insert()
                .values(
                    staff_id=entry.staff_id,
                    action=entry.action,
                    case_id=None,
                    detail=entry.detail,
                    ip=entry.ip,
                    created_at=entry.created_at,
                )
            )
        return counts

    @staticmethod
    def _audit(
        action: str,
        subject: Subject,
        by: str,
        staff: Staff | None,
        ip: str | None,
        counts: dict[str, int],
        now: datetime,
    ) -> AuditEntry:
        kind = "conversation" if subject.conversation else "user"
        return AuditEntry(
            staff_id=staff.id if staff is not None else None,
            action=action,
            case_id=None,
            detail={"by": by, "subject": kind, "subject_hash": subject.fingerprint, **counts},
            ip=ip,
            created_at=now,
        )
