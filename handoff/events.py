"""The console's live feed cursor: case events numbered in commit order.

Event ids are handed out when a row is inserted, but on PostgreSQL transactions commit in
any order: a reader that polled "ids above the last one seen" could pass over a lower id
committed a moment later, and a console would never show that change. So readers follow
``case_events.seq`` instead, which ``sequence`` gives to committed events only, in id order,
under an advisory lock: every numbering commits after the one before it, so the numbered
events a reader sees are always a prefix, and an event committed late is numbered late,
never skipped. On SQLite a single writer commits ids in order: its seq is its id.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, text, update

from handoff.db import Database
from handoff.models import CaseEvent

# pg_advisory_xact_lock key of the numbering (any fixed 64-bit number, the same in every replica).
EVENTS_LOCK = 0x686F746C696E6502


def sequence(db: Database) -> int:
    """Number the committed events that have no seq yet; returns how many were numbered."""
    with db.engine.connect() as c:
        # Most polls find nothing to number: no lock taken (nothing written) for them.
        if c.execute(select(CaseEvent.id).where(CaseEvent.seq.is_(None)).limit(1)).first() is None:
            return 0
    if db.is_sqlite:
        with db.engine.begin() as c:
            result = c.execute(update(CaseEvent).where(CaseEvent.seq.is_(None)).values(seq=CaseEvent.id))
            return int(result.rowcount or 0)
    with db.engine.begin() as c:
        c.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENTS_LOCK})
        # Read after the lock: the numbering before this one is committed and visible.
        pending = (
            c.execute(select(CaseEvent.id).where(CaseEvent.seq.is_(None)).order_by(CaseEvent.id))
            .scalars()
            .all()
        )
        if not pending:
            return 0
        top = int(c.execute(select(func.max(CaseEvent.seq))).scalar() or 0)
        c.execute(
            update(CaseEvent).where(CaseEvent.id == bindparam("b_id")).values(seq=bindparam("b_seq")),
            [{"b_id": event_id, "b_seq": top + n} for n, event_id in enumerate(pending, 1)],
        )
        return len(pending)
