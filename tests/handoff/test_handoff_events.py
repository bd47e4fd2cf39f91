"""The console's live feed: server-sent events read from case_events, served by a real
uvicorn server on a loopback port (TestClient buffers whole responses, so it cannot read an
endless stream)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from handoff_helpers import PASSWORD, build_app, packet

from handoff.service import CaseService


@contextmanager
def serve(app) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def _events(response: httpx.Response, want: int, seconds: float = 10.0) -> list[dict]:
    """Read `event: case` messages until `want` arrived; fail after `seconds`."""
    found: list[dict] = []
    current: dict = {}
    deadline = time.monotonic() + seconds
    for line in response.iter_lines():
        if time.monotonic() > deadline:
            break
        if line.startswith("id: "):
            current["id"] = int(line[4:])
        elif line.startswith("event: "):
            current["event"] = line[7:]
        elif line.startswith("data: "):
            current["data"] = json.loads(line[6:])
        elif line == "" and current:
            if current.get("event") == "case":
                found.append(current)
                if len(found) >= want:
                    return found
            current = {}
    pytest.fail(f"only {len(found)} of {want} events within {seconds} s: {found}")


@pytest.fixture
def fast_settings(settings):
    return settings.model_copy(update={"events_poll_seconds": 0.05, "events_heartbeat_seconds": 0.5})


def test_a_new_case_reaches_an_open_stream(db, fast_settings, clock, people):
    app = build_app(db, fast_settings, clock)
    with serve(app) as base, httpx.Client(base_url=base, timeout=httpx.Timeout(10.0)) as client:
        login = client.post("/console/api/login", json={"username": "lan", "password": PASSWORD})
        assert login.status_code == 200
        cookie = {"Cookie": f"hotline_session={login.cookies['hotline_session']}"}
        with client.stream("GET", "/console/api/events", headers=cookie) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            # Opened by "another server process": its own service object on the same database.
            ref = CaseService(db, fast_settings, clock=clock).open_case(packet())
            (event,) = _events(response, 1)
        assert event["data"]["kind"] == "created" and event["data"]["case_id"] == ref.case_id
        assert event["data"]["case"]["status"] == "waiting"
        assert event["data"]["case"]["summary"] == "Đăng ký khai sinh"

        # Reconnecting with Last-Event-ID replays what came after it.
        lan = login.json()
        claim = client.post(
            f"/console/api/cases/{ref.case_id}/claim", headers={**cookie, "X-CSRF-Token": lan["csrf_token"]}
        )
        assert claim.status_code == 200
        with client.stream(
            "GET", "/console/api/events", headers={**cookie, "Last-Event-ID": str(event["id"])}
        ) as again:
            (next_event,) = _events(again, 1)
        assert next_event["data"]["kind"] == "assigned" and next_event["id"] > event["id"]
        assert next_event["data"]["case"]["assigned_to"]["username"] == "lan"


def test_stream_ends_after_its_lifetime_and_replays_with_after(db, settings, clock, people, cases):
    """A bounded stream (EventSource reconnects) is readable through TestClient too."""
    short = settings.model_copy(update={"events_poll_seconds": 0.05, "events_stream_seconds": 0.3})
    first = cases.open_case(packet("tg-1"))
    second = cases.open_case(packet("tg-2"))
    with TestClient(build_app(db, short, clock)) as client:
        client.post("/console/api/login", json={"username": "lan", "password": PASSWORD})
        body = client.get("/console/api/events?after=0").text
    assert body.startswith("retry: 3000")
    payloads = [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]
    assert [(p["kind"], p["case_id"]) for p in payloads] == [
        ("created", first.case_id),
        ("created", second.case_id),
    ]
