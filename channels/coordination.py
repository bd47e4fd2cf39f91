"""What the replicas of one deployment do once, not each: registering a webhook.

A provider's webhook (Telegram ``setWebhook``, Zalo Bot ``setWebhook``) is one setting of
the bot, not of a replica: N replicas starting together need not register it N times
(Telegram rate-limits the call, and each call can drop the updates in flight). The digest
of the webhook's configuration is kept in ``shared_state``; a replica claims the work with
one atomic upsert that only changes a different digest (``INSERT .. ON CONFLICT DO UPDATE ..
WHERE .. RETURNING``: PostgreSQL and SQLite alike), so exactly one replica registers a new
configuration and the others, finding it registered, skip it. A failed registration gives
the claim back, so the next replica to start tries again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from handoff.db import Database
from handoff.models import SharedState, utcnow

log = logging.getLogger(__name__)


def digest(*parts: object) -> str:
    """A configuration's fingerprint (secrets go in hashed, never stored as they are)."""
    return hashlib.sha256("\0".join(str(p) for p in parts).encode()).hexdigest()


def claim(db: Database, key: str, value: str) -> bool:
    """True for the one caller that stores ``value`` under ``key`` where it was different."""
    insert = sqlite.insert if db.is_sqlite else postgresql.insert
    statement = (
        insert(SharedState)
        .values(key=key, value=value, updated_at=utcnow())
        .on_conflict_do_update(
            index_elements=["key"],
            set_={"value": value, "updated_at": utcnow()},
            where=SharedState.value != value,
        )
        .returning(SharedState.key)
    )
    with db.engine.begin() as c:
        return c.execute(statement).first() is not None


def forget(db: Database, key: str) -> None:
    """The next start registers again (a failed registration; polling deleted the webhook)."""
    with db.engine.begin() as c:
        c.execute(delete(SharedState).where(SharedState.key == key))


async def once_per_config(
    db: Database | None, key: str, config_digest: str, register: Callable[[], Awaitable[bool]]
) -> bool:
    """Run ``register`` unless this configuration is registered already (by any replica).
    Returns whether this replica registered it. Without a database: always registers."""
    if db is None:
        return await register()
    if not claim(db, key, config_digest):
        log.info("%s: registered already for this configuration; not registering again", key)
        return False
    try:
        done = await register()
    except BaseException:
        forget(db, key)
        raise
    if not done:
        forget(db, key)
    return done
