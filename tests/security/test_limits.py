"""Issue 9, item 5 (and the counter under items 3 and 4): the shared rate limiter.

The atomic counter on SQLite and a real PostgreSQL server, from parallel threads and from
separate processes; then the public API through the real app (TestClient with its
lifespan): 40 rapid complaints from one client, a conversation over its limit, a header
that rotates, and two server processes (two apps) sharing one database.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pg import postgres_fixture
from sqlalchemy import func, select

from channels.limits import TrustedProxies
from channels.settings import ApiSettings, DatabaseSettings, ServerSettings
from handoff.db import Database
from handoff.limits import Limiter
from handoff.models import Case, Message

pg_server = postgres_fixture(scope="module")
ROOT = Path(__file__).resolve().parents[2]
COMPLAINT = "Tôi muốn khiếu nại về thái độ của cán bộ tiếp nhận hồ sơ"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hotline.db'}"
    return str(request.getfixturevalue("pg_server").fresh_url("limits"))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.migrate()
    yield database
    database.dispose()


def test_parallel_hits_get_distinct_counts(db):
    limiter = Limiter(db)
    barrier = threading.Barrier(32)

    def hit(_: int) -> tuple[int, bool]:
        barrier.wait()
        result = limiter.hit("test", "k", 5, 60)
        return result.count, result.allowed

    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(hit, range(32)))
    assert sorted(count for count, _ in results) == list(range(1, 33))
    assert sum(allowed for _, allowed in results) == 5
    assert sum(limiter.hit("test", "k", 5, 60).first_refusal for _ in range(3)) == 0  # only count 6 is


SCRIPT = """
import sys, threading
from handoff.db import Database
from handoff.limits import Limiter
db = Database(sys.argv[1]); limiter = Limiter(db)
sys.stdin.readline()  # start together
allowed = sum(limiter.hit("test", "shared", 7, 3600).allowed for _ in range(10))
print(allowed)
"""


def test_a_sliding_limit_carries_the_previous_window(db):
    from datetime import UTC, datetime, timedelta

    sliding, fixed = Limiter(db, sliding=True), Limiter(db)
    end = datetime.fromtimestamp(6000 * 60, UTC)  # a window boundary for a 60 s span
    before = end - timedelta(seconds=2)
    assert all(sliding.hit("t", "burst", 5, 60, now=before).allowed for _ in range(5))
    assert all(fixed.hit("t", "fixed", 5, 60, now=before).allowed for _ in range(5))
    # Two seconds later, in the next window: the burst still counts (almost) whole...
    after = end + timedelta(seconds=1)
    refused = sliding.hit("t", "burst", 5, 60, now=after)
    assert not refused.allowed and refused.first_refusal and refused.carried > 4.9
    # ...where a fixed window would have allowed the limit twice over.
    assert fixed.hit("t", "fixed", 5, 60, now=after).allowed
    # Late in the next window the old burst weighs little: allowed again.
    assert sliding.hit("t", "burst", 5, 60, now=end + timedelta(seconds=55)).allowed


def test_separate_processes_share_the_count(db, db_url):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, db_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    outputs = []
    for proc in procs:
        proc.stdin.write("go\n")  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(int(out.strip()))
    assert sum(outputs) == 7, outputs  # 30 hits from three processes, exactly the limit allowed


# -- the public API ------------------------------------------------------------------------


def _app(sample_settings: Any, sample_runtime: Any, url: str, **server: Any) -> Any:
    from channels.api import create_app

    settings = sample_settings.model_copy(
        update={
            "database": DatabaseSettings(url=url),
            "api": ApiSettings(rate_limit_messages=3, rate_limit_per_address=5, rate_limit_seconds=60),
            "server": ServerSettings(**server),
        }
    )
    runtime = dataclasses.replace(sample_runtime, assistant=copy.copy(sample_runtime.assistant))
    return create_app(settings, runtime=runtime)


@pytest.fixture
def api_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return f"sqlite:///{tmp_path / 'api.db'}"


def _ids(body: dict[str, Any]) -> dict[str, Any]:
    """What a client sends back to continue its conversation (the token where issued)."""
    return {k: body[k] for k in ("conversation_id", "conversation_token") if k in body}


def test_forty_rapid_complaints_from_one_client(sample_settings, sample_runtime, api_url):
    with TestClient(_app(sample_settings, sample_runtime, api_url), client=("203.0.113.7", 5000)) as client:
        barrier = threading.Barrier(40)

        def ask(_: int) -> Any:
            barrier.wait()
            return client.post("/api/v1/ask", json={"text": COMPLAINT})

        with ThreadPoolExecutor(40) as pool:
            responses = list(pool.map(ask, range(40)))
        codes = Counter(r.status_code for r in responses)
        assert codes == {200: 5, 429: 35}, codes
        refused = next(r for r in responses if r.status_code == 429)
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        assert refused.json()["detail"].startswith("Bạn đang gửi quá nhiều tin nhắn")
        english = client.post("/api/v1/ask", json={"text": "hello", "lang": "en"})
        assert english.status_code == 429 and "too quickly" in english.json()["detail"]
        # A rotating X-Forwarded-For from a peer that is no configured proxy changes nothing.
        spoofed = client.post(
            "/api/v1/ask", json={"text": "xin chào"}, headers={"X-Forwarded-For": "192.0.2.44"}
        )
        assert spoofed.status_code == 429
    db = Database(api_url)
    with db.session() as s:
        cases = s.scalar(select(func.count()).select_from(Case))
        citizen = s.scalar(select(func.count()).select_from(Message).where(Message.sender == "citizen"))
    db.dispose()
    assert cases <= 5 and citizen == 5  # refused messages were never processed


def test_a_conversation_over_its_limit(sample_settings, sample_runtime, api_url):
    app = _app(sample_settings, sample_runtime, api_url)
    with TestClient(app, client=("198.51.100.1", 5000)) as first:
        body = first.post("/api/v1/ask", json={"text": "Đăng ký khai sinh cần gì?"}).json()
    ids = _ids(body)
    codes = []
    for n in range(2, 6):  # each from another address: only the conversation's own limit applies
        with TestClient(app, client=(f"198.51.100.{n}", 5000)) as other:
            codes.append(other.post("/api/v1/ask", json={"text": "còn lệ phí?", **ids}).status_code)
    # The first message had no id yet: the three that carry it are the conversation's three.
    assert codes == [200, 200, 200, 429]


def test_an_id_without_its_token_spends_no_count_of_the_citizen(sample_settings, sample_runtime, api_url):
    app = _app(sample_settings, sample_runtime, api_url)
    with TestClient(app, client=("198.51.100.1", 5000)) as citizen:
        ids = _ids(citizen.post("/api/v1/ask", json={"text": "Đăng ký khai sinh cần gì?"}).json())
    # Someone who learnt the id (not the secret) tries from many addresses: refused, and the
    # citizen's own counter is untouched.
    forged = {"conversation_id": ids["conversation_id"], "conversation_token": "x" * 43}
    for n in range(2, 8):
        with TestClient(app, client=(f"198.51.100.{n}", 5000)) as other:
            code = other.post("/api/v1/ask", json={"text": "còn lệ phí?", **forged}).status_code
            assert code in (404, 429)
    with TestClient(app, client=("198.51.100.1", 5000)) as citizen:
        codes = [
            citizen.post("/api/v1/ask", json={"text": "còn lệ phí?", **ids}).status_code for _ in range(4)
        ]
    assert codes == [200, 200, 200, 429]


def test_this_host_is_limited_per_conversation_only(sample_settings, sample_runtime, api_url):
    # An evaluation or an operator's tool on the server itself asks many questions, each in
    # its own conversation: the per-address limit (5 here) does not apply to loopback.
    with TestClient(_app(sample_settings, sample_runtime, api_url), client=("127.0.0.1", 5000)) as local:
        codes = [local.post("/api/v1/ask", json={"text": "xin chào"}).status_code for _ in range(8)]
        assert codes == [200] * 8
        ids = _ids(local.post("/api/v1/ask", json={"text": "Đăng ký khai sinh cần gì?"}).json())
        more = [local.post("/api/v1/ask", json={"text": "lệ phí?", **ids}).status_code for _ in range(4)]
    assert more == [200, 200, 200, 429]


def test_a_trusted_proxy_separates_its_clients(sample_settings, sample_runtime, api_url):
    app = _app(sample_settings, sample_runtime, api_url, trusted_proxies=["127.0.0.1"])
    with TestClient(app, client=("127.0.0.1", 5000)) as proxy:
        for citizen in ("192.0.2.10", "192.0.2.11"):
            codes = [
                proxy.post(
                    "/api/v1/ask", json={"text": "xin chào"}, headers={"X-Forwarded-For": citizen}
                ).status_code
                for _ in range(6)
            ]
            assert codes == [200] * 5 + [429], (citizen, codes)


def test_two_server_processes_share_the_limit(sample_settings, sample_runtime, api_url):
    one = _app(sample_settings, sample_runtime, api_url)
    two = _app(sample_settings, sample_runtime, api_url)
    with TestClient(one, client=("203.0.113.9", 1)) as a, TestClient(two, client=("203.0.113.9", 2)) as b:
        codes = [
            (a if i % 2 else b).post("/api/v1/ask", json={"text": "xin chào"}).status_code for i in range(8)
        ]
    assert codes.count(200) == 5 and codes[-3:] == [429, 429, 429]


@pytest.mark.parametrize(
    ("peer", "header", "client"),
    [
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.5", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a hop the citizen wrote is not believed
        ("10.0.0.5", "198.51.100.7, 10.0.0.9", "198.51.100.7"),  # two trusted proxies in a row
        ("10.0.0.5", "198.51.100.7:4711", "198.51.100.7"),
        ("10.0.0.5", "[2001:db8::7]:443", "2001:db8::7"),
        ("10.0.0.5", "<script>, 198.51.100.7", "198.51.100.7"),
        ("10.0.0.5", "198.51.100.7, not-an-address", "10.0.0.5"),  # malformed last hop: the proxy
        ("10.0.0.5", "", "10.0.0.5"),
        ("203.0.113.1", "198.51.100.7", "203.0.113.1"),  # not a trusted proxy
    ],
)
def test_trusted_proxies_pick_the_client(peer, header, client):
    app = FastAPI()

    @app.get("/who")
    def who(request: Request) -> dict[str, Any]:
        return {"client": request.client.host if request.client else None, "scheme": request.url.scheme}

    app.add_middleware(TrustedProxies, trusted=["10.0.0.0/8"])
    headers = {"X-Forwarded-Proto": "https", **({"X-Forwarded-For": header} if header else {})}
    body = TestClient(app, client=(peer, 1)).get("/who", headers=headers).json()
    assert body["client"] == client
    assert body["scheme"] == ("https" if peer.startswith("10.") else "http")
