"""What the replicas of one deployment do once, not each: registering a webhook.

A provider's webhook (Telegram ``setWebhook``, Zalo Bot ``setWebhook``) is one setting of
the bot, not of a replica: N replicas starting together need not register it N times
(Telegram rate-limits the call, and each call can drop the updates in flight). The digest
of the webhook's configuration is kept in ``shared_state``; a replica claims the work with
one atomic upsert that only changes a different digest (``INSERT .. ON CONFLICT DO UPDATE ..
WHERE .. RETURNING``: PostgreSQL and SQLite alike), so exactly one replica registers a new
configuration and the others, finding it registered, skip it. A failed registration gives
the claim back, so the next replica to start tries again.

``SharedDocument`` keeps what replicas on several hosts refresh one at a time (the Zalo OA
token pair).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from sqlalchemy import delete, select, text
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


class SharedDocument:
    """A small JSON document in ``shared_state`` that replicas on several hosts update one at
    a time: the Zalo OA token pair, whose refresh token is single use (a second replica
    refreshing with it would be refused and lock the channel out). The same interface as
    ``channels.zalo.TokenStore`` (read, write, an async ``locked()`` held across the refresh
    call); the lock is a PostgreSQL advisory lock, so it spans hosts, where the token file's
    ``flock`` only spans the processes of one host. ``legacy``: a store read once while the
    database holds nothing yet (the file a single-host deployment kept)."""

    def __init__(self, db: Database, key: str, *, legacy: Any = None, lock_timeout: float = 30.0) -> None:
        self.db = db
        self.key = key
        self.legacy = legacy
        self.lock_timeout = lock_timeout
        self.path = f"the database (shared_state {key})"  # where log lines say it is kept
        self._lock_key = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)

    def read(self) -> dict[str, Any] | None:
        with self.db.engine.connect() as c:
            value = c.execute(select(SharedState.value).where(SharedState.key == self.key)).scalar()
        if value is None:
            return self.legacy.read() if self.legacy is not None else None
        try:
            data = json.loads(value)
        except ValueError:
            log.error("shared_state %s unreadable; ignoring it", self.key)
            return None
        return data if isinstance(data, dict) else None

    def write(self, data: dict[str, Any]) -> None:
        insert = sqlite.insert if self.db.is_sqlite else postgresql.insert
        value = json.dumps(data)
        with self.db.engine.begin() as c:
            c.execute(
                insert(SharedState)
                .values(key=self.key, value=value, updated_at=utcnow())
                .on_conflict_do_update(index_elements=["key"], set_={"value": value, "updated_at": utcnow()})
            )

    @contextlib.asynccontextmanager
    async def locked(self) -> AsyncIterator[None]:
        """Exclusive across replicas and hosts. Polls ``pg_try_advisory_lock`` so that a
        cancelled task never leaves a thread blocked on the lock."""
        from channels.outbox import SendError

        connection = self.db.engine.connect()
        try:
            deadline = time.monotonic() + self.lock_timeout
            while not connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._lock_key}
            ).scalar():
                connection.rollback()
                if time.monotonic() > deadline:
                    raise SendError(f"{self.key}: shared lock not acquired in time", retryable=True)
                await asyncio.sleep(0.02)
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._lock_key})
                connection.commit()
        finally:
            connection.close()
