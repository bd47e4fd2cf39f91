"""Rate limits shared by every server process: one atomic counter row per (scope, key, window).

A hit is a single ``INSERT .. ON CONFLICT DO UPDATE SET count = count + 1 .. RETURNING
count`` (SQLite >= 3.35 and PostgreSQL): the database hands each of N parallel requests a
different count, so exactly ``limit`` of them are allowed whatever the number of processes
or replicas. Counters live in fixed windows aligned on the epoch, and the previous window's
count is carried (``sliding=True``, the public API's limits) into the current one in proportion to the part of it still inside the
sliding span (the usual sliding-window estimate): a burst astride a window boundary is not
allowed twice the limit, and a test never sees its counts reset mid-way. A request that
learns it is over the limit is refused before any costly work (argon2, answering). Locks (``RateLock``) keep a key
refused until a time, each consecutive lock twice as long as the one before.

The console's login limit (``handoff.auth``) and the public API's limit
(``channels.limits``) both use it.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from handoff.db import Database
from handoff.models import RateCounter, RateLock

log = logging.getLogger(__name__)

# Expired rows are deleted at most this often per process: a purge per hit would double the writes.
_PURGE_EVERY_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Hit:
    """The outcome of one hit: allowed or not, the count it got, and when its window ends."""

    scope: str
    key: str
    window_start: int
    count: int
    limit: int
    retry_after: int  # seconds until the window ends
    carried: float = 0.0  # the previous window's count, weighted by its part still in the span

    @property
    def allowed(self) -> bool:
        return self.count + self.carried <= self.limit

    @property
    def first_refusal(self) -> bool:
        """True for exactly one hit per window: the first over the limit (it sets locks)."""
        return self.count + self.carried > self.limit >= self.count - 1 + self.carried


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Limiter:
    def __init__(
        self, db: Database, clock: Callable[[], datetime] | None = None, *, sliding: bool = False
    ) -> None:
        """``sliding``: carry the previous window's count (the public API's message limits);
        fixed windows where a lock takes over past the limit (logins)."""
        self.db = db
        self.sliding = sliding
        self._clock = clock or (lambda: datetime.now(UTC))
        self._last_purge = 0.0
        # Both dialects spell INSERT .. ON CONFLICT the same way in SQLAlchemy.
        insert: Any = sqlite.insert if db.is_sqlite else postgresql.insert
        # Built once with bound parameters: a hit is on every API message, and building and
        # compiling the statement each time costs more than the database's work.
        self._upsert = (
            insert(RateCounter)
            .values(
                scope=bindparam("scope"),
                key=bindparam("key"),
                window_start=bindparam("start"),
                count=1,
                expires_at=bindparam("end"),
            )
            .on_conflict_do_update(
                index_elements=["scope", "key", "window_start"], set_={"count": RateCounter.count + 1}
            )
            .returning(RateCounter.count)
        )
        self._previous = select(RateCounter.count).where(
            RateCounter.scope == bindparam("scope"),
            RateCounter.key == bindparam("key"),
            RateCounter.window_start == bindparam("start"),
        )

    def now(self) -> datetime:
        return _utc(self._clock())

    def hit(
        self, scope: str, key: str, limit: int, window_seconds: float, *, now: datetime | None = None
    ) -> Hit:
        """Count one hit of ``key`` in the current window and say whether it is allowed."""
        return self.hits([(scope, key, limit, window_seconds)], now=now)[0]

    def hits(self, items: list[tuple[str, str, int, float]], *, now: datetime | None = None) -> list[Hit]:
        """Count one hit of each (scope, key, limit, window seconds), in one transaction."""
        now = now or self.now()
        out = []
        with self.db.engine.begin() as connection:
            for scope, key, limit, window_seconds in items:
                span = max(1, int(window_seconds))
                epoch = int(now.timestamp())
                start = epoch - epoch % span
                end = datetime.fromtimestamp(start + span, UTC)
                # Kept one span past its end: the next window carries part of it.
                keep = datetime.fromtimestamp(start + 2 * span, UTC)
                params = {"scope": scope, "key": key[:200], "start": start, "end": keep}
                count = int(connection.execute(self._upsert, params).scalar_one())
                carried = 0.0
                if self.sliding:
                    previous = connection.execute(
                        self._previous, {"scope": scope, "key": key[:200], "start": start - span}
                    ).scalar()
                    weight = 1.0 - (now.timestamp() - start) / span
                    carried = float(previous or 0) * max(0.0, weight)
                retry = max(1, math.ceil((end - now).total_seconds()))
                out.append(Hit(scope, key[:200], start, count, limit, retry, carried))
        self._maybe_purge(now)
        return out

    def refund(self, hit: Hit) -> None:
        """Give a hit back (a login that succeeded is not a failure to count)."""
        with self.db.session() as s:
            s.execute(
                update(RateCounter)
                .where(
                    RateCounter.scope == hit.scope,
                    RateCounter.key == hit.key,
                    RateCounter.window_start == hit.window_start,
                    RateCounter.count > 0,
                )
                .values(count=RateCounter.count - 1)
            )

    def clear(self, scope: str, key: str) -> int:
        """Forget every counter and the lock of ``key`` (an administrator's unlock)."""
        with self.db.session() as s:
            counters = s.execute(
                delete(RateCounter).where(RateCounter.scope == scope, RateCounter.key == key)
            )
            locks = s.execute(delete(RateLock).where(RateLock.scope == scope, RateLock.key == key))
            return int(getattr(counters, "rowcount", 0) or 0) + int(getattr(locks, "rowcount", 0) or 0)

    # -- locks ----------------------------------------------------------------------------

    def locked_for(self, scope: str, key: str, *, now: datetime | None = None) -> int:
        """Seconds the key stays locked; 0 when it is not locked."""
        now = now or self.now()
        with self.db.session() as s:
            until = s.scalar(
                select(RateLock.locked_until).where(RateLock.scope == scope, RateLock.key == key)
            )
        if until is None or _utc(until) <= now:
            return 0
        return max(1, math.ceil((_utc(until) - now).total_seconds()))

    def lock(
        self,
        scope: str,
        key: str,
        base_seconds: float,
        max_seconds: float,
        *,
        now: datetime | None = None,
    ) -> tuple[int, int]:
        """Lock ``key``: ``base_seconds`` the first time, doubled for each consecutive lock
        (a lock within ``max_seconds`` of the end of the previous one), at most ``max_seconds``.

        Returns (seconds locked, level).
        """
        now = now or self.now()
        with self.db.session() as s:
            row = s.get(RateLock, (scope, key), with_for_update=not self.db.is_sqlite)
            level = 1
            if row is not None and _utc(row.locked_until) + timedelta(seconds=max_seconds) > now:
                level = row.level + 1
            seconds = min(max_seconds, base_seconds * 2 ** min(level - 1, 30))
            until = now + timedelta(seconds=seconds)
            if row is None:
                s.add(RateLock(scope=scope, key=key, level=level, locked_until=until, updated_at=now))
            else:
                row.level, row.locked_until, row.updated_at = level, until, now
        return max(1, math.ceil(seconds)), level

    def release(self, scope: str, key: str) -> None:
        """End the key's lock and its back-off (the owner logged in)."""
        with self.db.session() as s:
            s.execute(delete(RateLock).where(RateLock.scope == scope, RateLock.key == key))

    def _maybe_purge(self, now: datetime) -> None:
        tick = time.monotonic()
        if tick - self._last_purge < _PURGE_EVERY_SECONDS:
            return
        self._last_purge = tick
        try:
            with self.db.session() as s:
                s.execute(delete(RateCounter).where(RateCounter.expires_at < now))
        except Exception as exc:  # housekeeping: the next purge retries
            log.warning("purging expired rate counters failed: %s", exc)
