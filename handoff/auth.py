"""Staff accounts, console sessions and the login rate limit.

Passwords are argon2id hashes. A session is a random cookie token of which only the
SHA-256 is stored, with an expiry and its own CSRF token. Login attempts are counted by the
database's atomic counters (``handoff.limits``), so every server process and replica
counts the same attempts.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from handoff.config import HandoffSettings
from handoff.db import Database
from handoff.limits import Hit, Limiter
from handoff.models import AuditEntry, Staff, StaffSession
from knowledge.errors import BadInput, Conflict, RateLimited

log = logging.getLogger(__name__)

ROLES = ("agent", "supervisor", "admin")
MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.@-]{1,63}$")
# Sessions are "seen" at most this often, so that a busy console does not write every request.
_TOUCH_EVERY = timedelta(seconds=60)
LOGIN_SCOPE = "login"


class StaffError(BadInput):
    """A staff account could not be created or changed (the message says why)."""


class StaffExists(StaffError, Conflict):
    status = 409


class LoginRateLimited(RateLimited):
    """Too many failed logins for this username or address; retry after ``retry_after`` s."""

    def __init__(self, retry_after: int, scope: str) -> None:
        super().__init__(f"too many failed logins ({scope}); try again in {retry_after} s")
        self.retry_after = retry_after
        self.scope = scope


def staff_dict(staff: Staff) -> dict[str, Any]:
    return {
        "id": staff.id,
        "username": staff.username,
        "display_name": staff.display_name or staff.username,
        "role": staff.role,
        "teams": list(staff.teams or []),
        "languages": list(staff.languages or []),
        "active": bool(staff.active),
    }


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def aware(value: datetime) -> datetime:
    """SQLite hands datetimes back naive; every stored time is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password or "\n" in password:
        raise StaffError("the password must not start or end with spaces or contain line breaks")


class StaffService:
    def __init__(
        self,
        db: Database,
        settings: HandoffSettings,
        clock: Callable[[], datetime] | None = None,
        *,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self._clock = clock or (lambda: datetime.now(UTC))
        self.hasher = hasher or PasswordHasher()
        self.limits = Limiter(db, self._clock)
        self._dummy: str | None = None

    @property
    def _dummy_hash(self) -> str:
        """Verified against for unknown usernames, so that the answer takes as long either way."""
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_hex(16))
        return self._dummy

    def now(self) -> datetime:
        return aware(self._clock())

    # -- accounts --------------------------------------------------------------------------

    def create_staff(
        self,
        username: str,
        password: str,
        role: str,
        *,
        display_name: str | None = None,
        teams: Iterable[str] = (),
        languages: Iterable[str] = (),
        created_by: int | None = None,
        ip: str | None = None,
    ) -> Staff:
        name = normalise_username(username)
        if not _USERNAME.match(name):
            raise StaffError(
                "the username must be 2-64 characters: letters, digits and . _ @ - (starting with a letter or digit)"
            )
        if role not in ROLES:
            raise StaffError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        check_password(password)
        clean_teams = [t.strip() for t in teams if t and t.strip()]
        now = self.now()
        staff = Staff(
            username=name,
            display_name=(display_name or "").strip() or name,
            password_hash=self.hasher.hash(password),
            role=role,
            teams=clean_teams,
            languages=[lang.strip() for lang in languages if lang and lang.strip()],
            active=True,
            created_at=now,
        )
        try:
            with self.db.session() as s:
                s.add(staff)
                s.flush()
                s.add(
                    AuditEntry(
                        staff_id=created_by,
                        action="staff_created",
                        detail={"staff_id": staff.id, "username": name, "role": role, "teams": clean_teams},
                        ip=ip,
                        created_at=now,
                    )
                )
        except IntegrityError as exc:
            raise StaffExists(f"a staff account named {name!r} already exists") from exc
        log.info("staff account %s created with role %s", name, role)
        return staff

    def set_password(self, username: str, password: str, *, by: int | None = None) -> None:
        check_password(password)
        with self.db.session() as s:
            staff = s.scalar(select(Staff).where(Staff.username == normalise_username(username)))
            if staff is None:
                raise StaffError(f"no staff account named {username!r}")
            staff.password_hash = self.hasher.hash(password)
            # A new password ends every open session of that account.
            s.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))
            s.add(
                AuditEntry(
                    staff_id=by,
                    action="password_changed",
                    detail={"staff_id": staff.id, "username": staff.username},
                    created_at=self.now(),
                )
            )

    def list_staff(self, *, include_inactive: bool = False) -> list[Staff]:
        with self.db.session() as s:
            query = select(Staff).order_by(Staff.username)
            if not include_inactive:
                query = query.where(Staff.active.is_(True))
            return list(s.scalars(query))

    def get(self, staff_id: int) -> Staff | None:
        with self.db.session() as s:
            return s.get(Staff, staff_id)

    def count(self) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(Staff)) or 0)

    # -- login -----------------------------------------------------------------------------

    def authenticate(self, username: str, password: str, ip: str | None = None) -> Staff | None:
        """The staff member when the password is right; None when not.

        Raises ``LoginRateLimited`` before the password is checked when the account is
        locked, or when this username or this address used up its attempts in the window.
        Each attempt takes a slot of an atomic counter in the database, so that N parallel
        guesses get N different counts and only ``limit`` of them reach argon2. A right
        password gives its own slots back (it was no failure) but resets nothing else.
        """
        name = normalise_username(username)[:64]
        now = self.now()
        window = self.settings.login_window_minutes * 60
        user_key = f"user:{name}"
        locked = self.limits.locked_for(LOGIN_SCOPE, user_key, now=now)
        if locked:
            log.warning("login refused for %s: account locked for %d s", user_key, locked)
            raise LoginRateLimited(locked, "username")
        user_hit = self.limits.hit(LOGIN_SCOPE, user_key, self.settings.login_max_failures, window, now=now)
        if not user_hit.allowed:
            raise LoginRateLimited(self._lock_account(user_hit, name, ip, now), "username")
        ip_hit = None
        if ip:
            ip_hit = self.limits.hit(
                LOGIN_SCOPE, f"ip:{ip}", self.settings.login_max_failures_per_ip, window, now=now
            )
            if not ip_hit.allowed:
                # The username had no try: its slot goes back.
                self.limits.refund(user_hit)
                log.warning("login refused for address %s: %d attempts", ip, ip_hit.count)
                raise LoginRateLimited(ip_hit.retry_after, "address")
        with self.db.session() as s:
            staff = s.scalar(select(Staff).where(Staff.username == name))
            ok = False
            if staff is None or not staff.active:
                self._verify(self._dummy_hash, password)
            else:
                ok = self._verify(staff.password_hash, password)
                if ok and self.hasher.check_needs_rehash(staff.password_hash):
                    staff.password_hash = self.hasher.hash(password)
            if not ok:
                s.add(
                    AuditEntry(
                        staff_id=staff.id if staff else None,
                        action="login_failed",
                        detail={"username": name},
                        ip=ip,
                        created_at=now,
                    )
                )
        if ok:
            for hit in (user_hit, ip_hit):
                if hit is not None:
                    self.limits.refund(hit)
            self.limits.release(LOGIN_SCOPE, user_key)
        return staff if ok else None

    def _lock_account(self, hit: Hit, name: str, ip: str | None, now: datetime) -> int:
        """Seconds to wait. The first refusal of a window locks the account, with back-off."""
        if not hit.first_refusal:
            return max(hit.retry_after, self.limits.locked_for(LOGIN_SCOPE, hit.key, now=now))
        seconds, level = self.limits.lock(
            LOGIN_SCOPE,
            hit.key,
            self.settings.login_window_minutes * 60,
            self.settings.login_lock_max_minutes * 60,
            now=now,
        )
        log.warning("staff account %s locked for %d s (lock %d in a row)", name, seconds, level)
        with self.db.session() as s:
            staff_id = s.scalar(select(Staff.id).where(Staff.username == name))
            s.add(
                AuditEntry(
                    staff_id=staff_id,
                    action="account_locked",
                    detail={"username": name, "seconds": seconds, "level": level},
                    ip=ip,
                    created_at=now,
                )
            )
        return seconds

    def unlock(self, username: str, *, by: int | None = None, ip: str | None = None) -> bool:
        """End an account's login lock and forget its failed attempts (audited).

        False when there was nothing to unlock; raises ``StaffError`` for an unknown account.
        """
        name = normalise_username(username)
        with self.db.session() as s:
            staff_id = s.scalar(select(Staff.id).where(Staff.username == name))
        if staff_id is None:
            raise StaffError(f"no staff account named {username!r}")
        cleared = self.limits.clear(LOGIN_SCOPE, f"user:{name}")
        with self.db.session() as s:
            s.add(
                AuditEntry(
                    staff_id=by,
                    action="account_unlocked",
                    detail={"staff_id": staff_id, "username": name},
                    ip=ip,
                    created_at=self.now(),
                )
            )
        log.info("staff account %s unlocked", name)
        return cleared > 0

    def _verify(self, hashed: str, password: str) -> bool:
        try:
            return self.hasher.verify(hashed, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    # -- sessions --------------------------------------------------------------------------

    def start_session(
        self, staff: Staff, user_agent: str | None = None, *, ip: str | None = None
    ) -> tuple[str, str]:
        """A new session: (cookie token, CSRF token). Only the token's hash is stored."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self.now()
        with self.db.session() as s:
            s.add(
                StaffSession(
                    token_hash=hash_token(token),
                    staff_id=staff.id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=now + timedelta(hours=self.settings.session_hours),
                    last_seen_at=now,
                    user_agent=(user_agent or "")[:300] or None,
                )
            )
            s.add(AuditEntry(staff_id=staff.id, action="login", detail={}, ip=ip, created_at=now))
            s.execute(delete(StaffSession).where(StaffSession.expires_at < now))
        return token, csrf

    def session(self, token: str | None) -> tuple[Staff, StaffSession] | None:
        """The live session of this cookie token, or None (unknown, expired, inactive staff)."""
        if not token:
            return None
        now = self.now()
        with self.db.session() as s:
            row = s.get(StaffSession, hash_token(token))
            if row is None:
                return None
            if aware(row.expires_at) <= now:
                s.delete(row)
                return None
            staff = s.get(Staff, row.staff_id)
            if staff is None or not staff.active:
                return None
            if now - aware(row.last_seen_at) >= _TOUCH_EVERY:
                row.last_seen_at = now
            return staff, row

    def end_session(self, token: str | None, *, ip: str | None = None) -> bool:
        if not token:
            return False
        with self.db.session() as s:
            row = s.get(StaffSession, hash_token(token))
            if row is None:
                return False
            s.add(AuditEntry(staff_id=row.staff_id, action="logout", detail={}, ip=ip, created_at=self.now()))
            s.delete(row)
        return True
