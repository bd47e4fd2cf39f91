"""``Idempotency-Key`` for ``POST /api/v1/ask``: a retried question is not asked twice.

A client whose request failed on the way back (a 502 from the load balancer when a replica
died, a dropped connection) cannot know whether its question was stored. Sent again with the
same ``Idempotency-Key``, it gets the answer stored for the first request, or, when the
first is still being answered by a live replica, that answer once it is ready. When the
replica answering it died, another takes over the stored question (never storing it a
second time) after the request's lease (``LOCK_SECONDS``) has run out.

What is stored: hashes only. The row is found by a hash of the key together with the whole
request (conversation, its secret, the text, language, channel), so a key alone, guessed or
reused, reaches nothing. A conversation the request created gives its secret to the
client once: it is kept XOR-masked with a keystream derived from the key and the request
(recovered only by a client that sends both again), never as it is.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from handoff.db import Database
from handoff.models import IdempotentRequest, utcnow

log = logging.getLogger(__name__)

# How long a replica may take to answer before another may take the request over.
LOCK_SECONDS = 30.0
MIN_KEY = 16  # characters: a key must be unguessable (a UUID is 36)
MAX_KEY = 200
_PURGE_EVERY_SECONDS = 60.0


@dataclass(slots=True)
class Claim:
    """What the request found: ``owner`` (answer it: ``inbound_id`` and ``conversation_id``
    say what a replica that died had already stored), or a stored ``response``."""

    key_hash: str
    owner: bool
    response: dict[str, Any] | None = None
    conversation_id: str | None = None
    token: str | None = None  # the created conversation's secret, unmasked
    inbound_id: int | None = None


def valid_key(key: str) -> bool:
    return MIN_KEY <= len(key) <= MAX_KEY and key.isascii() and key.isprintable()


class IdempotentAsks:
    def __init__(self, db: Database, *, hours: float = 24.0, lock_seconds: float = LOCK_SECONDS) -> None:
        self.db = db
        self.ttl = timedelta(hours=hours)
        self.lock = timedelta(seconds=lock_seconds)
        self._last_purge = 0.0

    @staticmethod
    def _material(key: str, request: dict[str, Any]) -> bytes:
        fields = ("conversation_id", "conversation_token", "text", "lang", "channel")
        return "\0".join([key, *(str(request.get(f) or "") for f in fields)]).encode("utf-8", "surrogatepass")

    def _hashes(self, key: str, request: dict[str, Any]) -> tuple[str, str]:
        material = self._material(key, request)
        lookup = hashlib.sha256(b"idempotency-lookup\0" + material).hexdigest()
        fingerprint = hashlib.sha256(b"idempotency-body\0" + material[len(key) + 1 :]).hexdigest()
        return lookup, fingerprint

    def _xor(self, key: str, request: dict[str, Any], data: bytes) -> bytes:
        material = self._material(key, request)
        stream = b""
        counter = 0
        while len(stream) < len(data):
            stream += hashlib.sha256(b"idempotency-mask\0" + counter.to_bytes(4, "big") + material).digest()
            counter += 1
        return bytes(a ^ b for a, b in zip(data, stream, strict=False))

    def _mask(self, key: str, request: dict[str, Any], token: str) -> str:
        return self._xor(key, request, token.encode()).hex()

    def _unmask(self, key: str, request: dict[str, Any], masked: str | None) -> str | None:
        if not masked:
            return None
        try:
            return self._xor(key, request, bytes.fromhex(masked)).decode()
        except ValueError:
            return None

    def claim(self, key: str, request: dict[str, Any]) -> Claim:
        """(On an I/O thread.) Own the request, or find what it became."""
        self._maybe_purge()
        key_hash, fingerprint = self._hashes(key, request)
        now = utcnow()
        insert = sqlite.insert if self.db.is_sqlite else postgresql.insert
        with self.db.engine.begin() as c:
            created = c.execute(
                insert(IdempotentRequest)
                .values(
                    key_hash=key_hash,
                    fingerprint=fingerprint,
                    locked_until=now + self.lock,
                    expires_at=now + self.ttl,
                )
                .on_conflict_do_nothing(index_elements=["key_hash"])
                .returning(IdempotentRequest.key_hash)
            ).first()
        if created is not None:
            return Claim(key_hash, owner=True)
        with self.db.engine.begin() as c:
            # A replica that died while answering: its lease ran out, this one takes over.
            took = c.execute(
                update(IdempotentRequest)
                .where(
                    IdempotentRequest.key_hash == key_hash,
                    IdempotentRequest.response.is_(None),
                    IdempotentRequest.locked_until < now,
                )
                .values(locked_until=now + self.lock)
                .returning(IdempotentRequest.key_hash)
            ).first()
            stored = c.execute(
                select(IdempotentRequest.__table__).where(IdempotentRequest.key_hash == key_hash)
            ).first()
        if stored is None:  # purged meanwhile: a new request
            return self.claim(key, request)
        token = self._unmask(key, request, stored.masked_token)
        return Claim(
            key_hash,
            owner=took is not None,
            response=stored.response,
            conversation_id=stored.conversation_id,
            token=token,
            inbound_id=stored.inbound_id,
        )

    def started(
        self, claim: Claim, key: str, request: dict[str, Any], conversation_id: str, token: str | None
    ) -> None:
        """(On an I/O thread.) The conversation a new request created, before it is used."""
        masked = self._mask(key, request, token) if token else None
        with self.db.engine.begin() as c:
            c.execute(
                update(IdempotentRequest)
                .where(IdempotentRequest.key_hash == claim.key_hash)
                .values(conversation_id=conversation_id, masked_token=masked)
            )

    def stored(self, claim: Claim, inbound_id: int) -> None:
        """(On an I/O thread.) The question is stored: a take-over answers this one."""
        with self.db.engine.begin() as c:
            c.execute(
                update(IdempotentRequest)
                .where(IdempotentRequest.key_hash == claim.key_hash)
                .values(inbound_id=inbound_id)
            )

    def answered(self, claim: Claim, response: dict[str, Any], connection: Connection | None = None) -> None:
        """The answer, kept for the retries (in the reply's own transaction when given)."""
        statement = (
            update(IdempotentRequest)
            .where(IdempotentRequest.key_hash == claim.key_hash, IdempotentRequest.response.is_(None))
            .values(response=response)
        )
        if connection is not None:
            connection.execute(statement)
            return
        with self.db.engine.begin() as c:
            c.execute(statement)

    def _maybe_purge(self) -> None:
        tick = time.monotonic()
        if tick - self._last_purge < _PURGE_EVERY_SECONDS:
            return
        self._last_purge = tick
        try:
            with self.db.engine.begin() as c:
                c.execute(delete(IdempotentRequest).where(IdempotentRequest.expires_at < utcnow()))
        except Exception as exc:  # housekeeping: the next purge retries
            log.warning("purging expired idempotency keys failed: %s", exc)
