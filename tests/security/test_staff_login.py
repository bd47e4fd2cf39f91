"""Issue 9, items 3 and 4: the console's login limit is atomic in the database, believes
X-Forwarded-For only from configured proxies, is not reset by a success, and locks with
back-off that an admin can lift (`hotline staff unlock`).

On SQLite and a real PostgreSQL server, through the real console app (TestClient), with
real argon2id (cheap parameters) counted at the hasher.
"""

from __future__ import annotations

import argparse
import io
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pg import postgres_fixture
from sqlalchemy import select, text

from channels.limits import TrustedProxies
from handoff.auth import LoginRateLimited, StaffService
from handoff.cli import add_staff_parser, run_staff
from handoff.config import HandoffSettings
from handoff.db import Database
from handoff.models import AuditEntry
from handoff.web import mount_console

pg_server = postgres_fixture(scope="module")

PASSWORD = "correct horse battery"
WRONG = "not the password!"


class CountingHasher(PasswordHasher):
    """Real argon2id; counts how many passwords were actually checked."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
        with self._lock:
            self.verified += 1
        return super().verify(hash, password)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'hotline.db'}")
    else:
        database = Database(request.getfixturevalue("pg_server").fresh_url("login"))
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def accounts(db: Database, clock: Clock, hasher: CountingHasher) -> StaffService:
    service = StaffService(db, HandoffSettings(), clock=clock, hasher=hasher)
    service.create_staff("lan", PASSWORD, "agent")
    service.create_staff("admin", PASSWORD, "admin")
    hasher.verified = 0
    return service


def console_app(
    db: Database, accounts: StaffService, clock: Clock, trusted: list[str] | None = None
) -> FastAPI:
    app = FastAPI()
    mount_console(app, db, HandoffSettings(), environment="test", clock=clock)
    app.state.staff = accounts
    if trusted is not None:
        app.add_middleware(TrustedProxies, trusted=trusted)
    return app


def login(client: TestClient, username: str, password: str, **headers: str) -> Any:
    return client.post(
        "/console/api/login", json={"username": username, "password": password}, headers=headers or None
    )


def test_parallel_wrong_passwords_only_the_limit_reaches_argon2(db, accounts, clock, hasher):
    app = console_app(db, accounts, clock)
    client = TestClient(app)
    barrier = threading.Barrier(16)

    def attempt(_: int) -> int:
        barrier.wait()
        return login(client, "lan", WRONG).status_code

    with ThreadPoolExecutor(16) as pool:
        codes = Counter(pool.map(attempt, range(16)))
    assert codes == {401: 5, 429: 11}, codes
    assert hasher.verified == 5  # the 11 refused never ran argon2
    # A second "server process" sharing the database sees the same count.
    other = StaffService(db, HandoffSettings(), clock=clock, hasher=hasher)
    with pytest.raises(LoginRateLimited):
        other.authenticate("lan", PASSWORD)
    assert hasher.verified == 5


def test_forwarded_for_is_ignored_from_untrusted_peers(db, accounts, clock):
    app = console_app(db, accounts, clock, trusted=[])
    with TestClient(app, client=("203.0.113.50", 40000)) as client:
        codes = [
            login(client, f"nobody{i}", WRONG, **{"X-Forwarded-For": f"198.51.100.{i}"}).status_code
            for i in range(21)
        ]
    assert codes == [401] * 20 + [429]  # one address, whatever the header says
    with db.session() as s:
        ips = set(s.scalars(select(AuditEntry.ip).where(AuditEntry.action == "login_failed")))
    assert ips == {"203.0.113.50"}  # the audit log is not forged either


def test_forwarded_for_is_believed_from_a_configured_proxy(db, accounts, clock):
    app = console_app(db, accounts, clock, trusted=["10.0.0.0/8"])
    with TestClient(app, client=("10.1.2.3", 40000)) as client:
        for i in range(20):
            assert (
                login(client, f"nobody{i}", WRONG, **{"X-Forwarded-For": "198.51.100.7"}).status_code == 401
            )
        refused = login(client, "nobody", WRONG, **{"X-Forwarded-For": "198.51.100.7"})
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        # Another citizen behind the same proxy (a spoofed hop before it is not believed).
        other = login(client, "lan", PASSWORD, **{"X-Forwarded-For": "1.2.3.4, 198.51.100.8"})
        assert other.status_code == 200
    with db.session() as s:
        assert s.scalar(select(AuditEntry.ip).where(AuditEntry.action == "login")) == "198.51.100.8"


def test_a_success_does_not_reset_the_address_counter(accounts):
    ip = "198.51.100.9"
    for i in range(19):
        assert accounts.authenticate(f"user{i}", WRONG, ip) is None
    assert accounts.authenticate("lan", PASSWORD, ip) is not None  # gives back only its own slot
    assert accounts.authenticate("user19", WRONG, ip) is None  # the 20th failure
    with pytest.raises(LoginRateLimited) as refused:
        accounts.authenticate("lan", PASSWORD, ip)
    assert refused.value.scope == "address"
    assert accounts.authenticate("lan", PASSWORD, "198.51.100.10") is not None


def test_successful_logins_never_lock_their_owner(accounts):
    for _ in range(12):
        assert accounts.authenticate("lan", PASSWORD, "198.51.100.11") is not None


def _fail_until_locked(accounts: StaffService) -> int:
    for _ in range(5):
        assert accounts.authenticate("lan", WRONG) is None
    with pytest.raises(LoginRateLimited) as refused:
        accounts.authenticate("lan", PASSWORD)
    return refused.value.retry_after


def test_lock_backs_off_and_an_admin_unlocks(db, accounts, clock):
    first = _fail_until_locked(accounts)
    assert 14 * 60 < first <= 15 * 60
    clock.advance(minutes=15, seconds=1)
    second = _fail_until_locked(accounts)  # a consecutive lock: twice as long
    assert 29 * 60 < second <= 30 * 60
    clock.advance(minutes=20)
    with pytest.raises(LoginRateLimited):
        accounts.authenticate("lan", PASSWORD)  # still locked: the right password does not help

    args = argparse.ArgumentParser(prog="hotline")
    add_staff_parser(args.add_subparsers(dest="command", required=True))
    out, err = io.StringIO(), io.StringIO()
    code = run_staff(
        args.parse_args(["staff", "unlock", "--username", "LAN"]), db.url, stdout=out, stderr=err
    )
    assert code == 0 and "'lan' unlocked" in out.getvalue(), err.getvalue()
    assert accounts.authenticate("lan", PASSWORD) is not None
    with db.session() as s:
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("account_locked") == 2 and actions[-1] == "account_unlocked"
    # After a success the back-off starts again from the shortest lock.
    assert 14 * 60 < _fail_until_locked(accounts) <= 15 * 60

    code = run_staff(
        args.parse_args(["staff", "unlock", "--username", "nobody"]), db.url, stdout=out, stderr=err
    )
    assert code == 2 and "no staff account named 'nobody'" in err.getvalue()


def test_lock_is_capped(db, clock, hasher):
    accounts = StaffService(db, HandoffSettings(login_lock_max_minutes=40), clock=clock, hasher=hasher)
    accounts.create_staff("lan", PASSWORD, "agent")
    waits = []
    for _ in range(4):
        waits.append(_fail_until_locked(accounts))
        clock.advance(seconds=waits[-1] + 1)
    assert [round(w / 60) for w in waits] == [15, 30, 40, 40]


def test_counters_are_one_row_per_window(db, accounts):
    for _ in range(3):
        accounts.authenticate("lan", WRONG, "198.51.100.12")
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT key, count FROM rate_counters ORDER BY key")).all()
    assert [tuple(r) for r in rows] == [("ip:198.51.100.12", 3), ("user:lan", 3)]


def test_an_admin_unlocks_from_the_console(db, accounts, clock):
    _fail_until_locked(accounts)
    app = console_app(db, accounts, clock)
    with TestClient(app) as admin, TestClient(app) as lan:
        me = login(admin, "admin", PASSWORD)
        assert me.status_code == 200
        csrf = {"X-CSRF-Token": me.json()["csrf_token"]}
        assert login(lan, "lan", PASSWORD).status_code == 429
        done = admin.post("/console/api/staff/LAN/unlock", headers=csrf)
        assert done.status_code == 200 and done.json() == {"username": "lan", "unlocked": True}
        assert admin.post("/console/api/staff/nobody/unlock", headers=csrf).status_code == 404
        assert admin.post("/console/api/staff/lan/unlock").status_code == 403  # no CSRF token
        signed_in = login(lan, "lan", PASSWORD)
        assert signed_in.status_code == 200
        agent = lan.post(
            "/console/api/staff/lan/unlock", headers={"X-CSRF-Token": signed_in.json()["csrf_token"]}
        )
        assert agent.status_code == 403  # an agent is no admin
    with db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "account_unlocked")).one()
    assert entry.detail["username"] == "lan" and entry.staff_id is not None
