"""Staff accounts, console sessions and the login rate limit.

Passwords are argon2id hashes. A session is a random cookie token of which only the
SHA-256 is stored, with an expiry and its own CSRF token. Login attempts are rows of
``login_attempts`` so every server process counts the same failures.
"""

from __future__ import annotations

import hashlib
import logging
import math
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
from handoff.models import AuditEntry, LoginAttempt, Staff, StaffSession

log = logging.getLogger(__name__)

ROLES = ("agent", "supervisor", "admin")
MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.@-]{1,63}$")
# Sessions are "seen" at most this often, so that a busy console does not write every request.
_TOUCH_EVERY = timedelta(seconds=60)


class StaffError(ValueError):
    """A staff account could not be created or changed (the message says why)."""


class StaffExists(StaffError):
    pass


class LoginRateLimited(Exception):
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

        Raises ``LoginRateLimited`` (before checking the password) when this username or
        this address failed too often within the window.
        """
        name = normalise_username(username)[:64]
        now = self.now()
        keys = [f"user:{name}"] + ([f"ip:{ip}"] if ip else [])
        self._check_limit(f"user:{name}", self.settings.login_max_failures, now, "username")
        if ip:
            self._check_limit(f"ip:{ip}", self.settings.login_max_failures_per_ip, now, "address")
        with self.db.session() as s:
            staff = s.scalar(select(Staff).where(Staff.username == name))
            ok = False
            if staff is None or not staff.active:
                self._verify(self._dummy_hash, password)
            else:
                ok = self._verify(staff.password_hash, password)
                if ok and self.hasher.check_needs_rehash(staff.password_hash):
                    staff.password_hash = self.hasher.hash(password)
            for key in keys:
                s.add(LoginAttempt(key=key, success=ok, at=now))
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
            # Old attempts are of no use to the limit.
            s.execute(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(days=1)))
        return staff if ok else None

    def _verify(self, hashed: str, password: str) -> bool:
        try:
            return self.hasher.verify(hashed, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _check_limit(self, key: str, limit: int, now: datetime, scope: str) -> None:
        window = timedelta(minutes=self.settings.login_window_minutes)
        with self.db.session() as s:
            last_ok = s.scalar(
                select(func.max(LoginAttempt.at)).where(
                    LoginAttempt.key == key, LoginAttempt.success.is_(True)
                )
            )
            since = now - window
            if last_ok is not None and aware(last_ok) > since:
                since = aware(last_ok)
            failures = list(
                s.scalars(
                    select(LoginAttempt.at)
                    .where(LoginAttempt.key == key, LoginAttempt.success.is_(False), LoginAttempt.at > since)
                    .order_by(LoginAttempt.at)
                )
            )
        if len(failures) >= limit:
            # Free again when the oldest counted failure leaves the window.
            oldest = aware(failures[len(failures) - limit])
            retry = max(1, math.ceil((oldest + window - now).total_seconds()))
            log.warning("login refused for %s: %d failures", key, len(failures))
            raise LoginRateLimited(retry, scope)

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
