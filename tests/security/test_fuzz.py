"""Fuzzing every door of the running app: no input may give a 5xx, a stack trace or a file
path, and nothing that reaches the assistant may fail in the background.

A seeded generator (reproducible: ``HOTLINE_FUZZ_SEED``) sends ``HOTLINE_FUZZ_CASES``
requests per endpoint (2,000 by default, bounded for CI; raise it for a longer local run):
random JSON shapes and types, mutated real payloads, huge, Unicode, lone-surrogate and
control-character texts, bodies that are not JSON at all or nest thousands of levels,
random conversation ids and tokens, webhooks signed and unsigned, phone turns with real
Twilio signatures and random form fields, and console logins with random form fields.

A failing case is reported with its seed and number; rerun one endpoint with
``HOTLINE_FUZZ_SEED=<seed> pytest tests/security/test_fuzz.py -k <endpoint>``.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import string
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest

from tests.fakes.telegram_api import callback_update, location_update, photo_update, text_update
from tests.fakes.zalo_api import (
    bot_image_update,
    bot_text_update,
    oa_follow_event,
    oa_location_event,
    oa_text_event,
)
from tests.security.channels_app import TELEGRAM_SECRET, ZALO_BOT_SECRET, Channels, all_channels

CASES = int(os.environ.get("HOTLINE_FUZZ_CASES", "2000"))
SEED = int(os.environ.get("HOTLINE_FUZZ_SEED", "20250701"))
log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
# What a body may never show: a Python stack trace or where the server's files are.
LEAKS = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|site-packages|"
    + re.escape(str(ROOT))
    + r"|/usr/lib/python|\.py\", line"
)

QUESTIONS = [
    "Đăng ký khai sinh cần gì?",
    "Làm lại căn cước bị mất",
    "How do I register a marriage?",
    "trung tâm hành chính công phường Hải Châu ở đâu",
    "tôi muốn gặp cán bộ",
    "1",
    "0",
    "/start",
    "/lang en",
    "/human",
    "đăng ký thường trú",
]
NASTY = [
    "",
    " ",
    "\ud800",
    "\udfff",
    "\ud83d",
    "a\ud800b\udc00c",
    "\x00",
    "\x00\x01\x02\x1b[31m\x7f",
    "\u202e\u200b\u200d\ufeff",
    "\U0001f600\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "<script>alert(1)</script>",
    "'; DROP TABLE messages; --",
    "{0}{1}%s%n%x{__class__}",
    "../../../../etc/passwd",
    "０９１２３４５６７８",
    "²³¹①٣",
    "\r\n\r\nHTTP/1.1 200 OK",
    "null",
    "NaN",
    "telegram:1",
    "zalo:1",
    "voice:CA0",
    "日本語のテキスト",
    "한국어",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
]
BIG_INTS = [0, -1, 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1, 2**64, 10**30]


class Fuzz:
    """Random inputs from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def text(self) -> str:
        r = self.r
        pick = r.random()
        if pick < 0.3:
            return r.choice(QUESTIONS)
        if pick < 0.55:
            return r.choice(NASTY)
        if pick < 0.8:
            return "".join(self._char() for _ in range(r.randint(0, 40)))
        if pick < 0.95:
            return r.choice(QUESTIONS) + r.choice(NASTY) + r.choice(QUESTIONS)
        return r.choice(["x", "khai sinh ", "\ud800", "😀"]) * r.randint(1000, 15000)

    def _char(self) -> str:
        r = self.r
        pick = r.random()
        if pick < 0.5:
            return r.choice(string.printable)
        if pick < 0.65:
            return chr(r.randint(0xD800, 0xDFFF))  # lone surrogates
        if pick < 0.75:
            return chr(r.randint(0, 0x1F))
        if pick < 0.9:
            return chr(r.randint(0xA0, 0x2FFF))
        return chr(r.randint(0x10000, 0x10FFFF))

    def number(self) -> int | float:
        r = self.r
        pick = r.random()
        if pick < 0.5:
            return r.choice(BIG_INTS)
        if pick < 0.8:
            return r.randint(-1000, 10**6)
        return r.choice([0.5, -0.0, 1e308, -1e-308, 3.14159, 16.0401, 108.2225, 999.0])

    def scalar(self) -> Any:
        pick = self.r.random()
        if pick < 0.45:
            return self.text()
        if pick < 0.75:
            return self.number()
        if pick < 0.88:
            return self.r.choice([True, False])
        return None

    def value(self, depth: int = 0) -> Any:
        pick = self.r.random()
        if depth > 3 or pick < 0.6:
            return self.scalar()
        if pick < 0.8:
            return [self.value(depth + 1) for _ in range(self.r.randint(0, 4))]
        return {self.key(): self.value(depth + 1) for _ in range(self.r.randint(0, 4))}

    def key(self) -> str:
        keys = ["text", "message", "id", "chat", "from", "result", "event_name", "data", "timestamp"]
        return self.r.choice(keys) if self.chance(0.6) else self.text()[:20]

    def mutate(self, payload: Any, depth: int = 0) -> Any:
        """A real payload with some of its values replaced, removed or added."""
        if isinstance(payload, dict):
            out = {}
            for key, value in payload.items():
                roll = self.r.random()
                if roll < 0.08:
                    continue
                out[key] = self.value() if roll < 0.25 else self.mutate(value, depth + 1)
            if self.chance(0.1):
                out[self.key()] = self.value()
            return out
        if isinstance(payload, list):
            return [self.mutate(v, depth + 1) for v in payload if not self.chance(0.1)]
        return self.scalar() if self.chance(0.2) else payload

    def body(self, payload: Any) -> bytes:
        """Bytes on the wire: mostly the JSON of ``payload``, sometimes something broken."""
        r = self.r
        pick = r.random()
        encoded = json.dumps(payload, ensure_ascii=True).encode()
        if pick < 0.8:
            return encoded
        if pick < 0.85:
            return encoded[: r.randint(0, len(encoded))]
        if pick < 0.9:
            return bytes(r.getrandbits(8) for _ in range(r.randint(0, 200)))
        if pick < 0.94:
            return r.choice([b"[", b'{"a":', b"[{"]) * r.randint(500, 12000)
        if pick < 0.97:
            return encoded.replace(b"0", b"NaN", 1).replace(b"1", b"-Infinity", 1)
        return encoded.replace(b'"', b"\xff", 1)

    def form(self, base: dict[str, str]) -> dict[str, str]:
        out = {k: v for k, v in base.items() if not self.chance(0.05)}
        for _ in range(self.r.randint(0, 3)):
            out[self.key()] = self.text()[:300]
        for key in list(out):
            if self.chance(0.25):
                out[key] = self.text()[:500]
        return out


@pytest.fixture(scope="module")
def app(
    sample_settings: Any, sample_runtime: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Channels]:
    # One client address sends every case: its limit would refuse all but the first few
    # dozen, and the fuzz would never reach the assistant (the per-conversation limit stays).
    db_path = tmp_path_factory.mktemp("fuzz") / "hotline.db"
    with all_channels(sample_settings, sample_runtime, db_path, per_address=1_000_000) as app:
        yield app


@pytest.fixture(autouse=True)
def nothing_fails_in_the_background(app: Channels) -> Iterator[None]:
    """A message that reached the hub and failed there would never show as a 5xx."""
    errors = app.hub.stats["errors"]
    yield
    portal = app.client.portal
    assert portal is not None
    portal.call(app.hub.drain, 30.0)
    assert app.hub.stats["errors"] == errors


def check(case: int, endpoint: str, response: Any) -> None:
    where = f"{endpoint} case {case} (HOTLINE_FUZZ_SEED={SEED})"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    text = response.content.decode("utf-8", "replace")
    leak = LEAKS.search(text)
    assert leak is None, f"{where}: body shows {leak.group(0)!r}"


Send = Callable[[httpx.AsyncClient, Fuzz, int], Awaitable[httpx.Response]]


def run(app: Channels, endpoint: str, send: Send) -> dict[int, int]:
    """CASES requests from the app's own event loop (a TestClient request costs a thread
    hop each), checked one by one; the count of each status code."""
    fuzz = Fuzz(SEED + sum(map(ord, endpoint)))
    statuses: dict[int, int] = {}

    async def go() -> None:
        # A crash comes back as the 500 a client would get, so that check() names the case.
        transport = httpx.ASGITransport(app=app.client.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            for case in range(CASES):
                response = await send(client, fuzz, case)
                check(case, endpoint, response)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    portal = app.client.portal
    assert portal is not None
    started = time.perf_counter()
    portal.call(go)
    log.info("fuzz %s: %d cases in %.1f s: %s", endpoint, CASES, time.perf_counter() - started, statuses)
    return statuses


def _ask_payload(fuzz: Fuzz, known: list[tuple[str, str]]) -> Any:
    if fuzz.chance(0.1):
        return fuzz.value()
    payload: dict[str, Any] = {}
    if not fuzz.chance(0.05):
        payload["text"] = fuzz.text() if fuzz.chance(0.85) else fuzz.value()
    if known and fuzz.chance(0.3):
        conversation_id, token = fuzz.r.choice(known)
        payload["conversation_id"] = conversation_id if fuzz.chance(0.8) else conversation_id + "x"
        if fuzz.chance(0.8):
            payload["conversation_token"] = token if fuzz.chance(0.7) else fuzz.text()[:64]
    elif fuzz.chance(0.3):
        payload["conversation_id"] = fuzz.scalar() if fuzz.chance(0.5) else fuzz.text()[:80]
        if fuzz.chance(0.5):
            payload["conversation_token"] = fuzz.scalar()
    if fuzz.chance(0.3):
        payload["lang"] = (
            fuzz.r.choice(["vi", "en", "ja", "xx", "", "\ud800"]) if fuzz.chance(0.7) else fuzz.scalar()
        )
    if fuzz.chance(0.1):
        payload["channel"] = fuzz.r.choice(["web", "api", "telegram", "zalo", 1, None])
    if fuzz.chance(0.1):
        payload[fuzz.key()] = fuzz.value()
    return payload


def test_fuzz_ask(app: Channels) -> None:
    known: list[tuple[str, str]] = []

    async def send(client: httpx.AsyncClient, fuzz: Fuzz, case: int) -> httpx.Response:
        body = fuzz.body(_ask_payload(fuzz, known))
        kind = fuzz.r.choice(["application/json"] * 8 + ["text/plain", "application/x-www-form-urlencoded"])
        r = await client.post("/api/v1/ask", content=body, headers={"Content-Type": kind})
        if r.status_code == 200 and len(known) < 50:
            data = r.json()
            known.append((str(data.get("conversation_id")), str(data.get("conversation_token", ""))))
        return r

    statuses = run(app, "ask", send)
    assert statuses.get(200, 0) > CASES // 10, statuses  # the fuzz also reaches the assistant


def test_fuzz_transcript(app: Channels) -> None:
    overflow = app.client.get("/api/v1/conversations/x/messages?after=9223372036854775808")
    if overflow.status_code == 500:
        # Issue 9 item 8, fixed where the transcript endpoint is rewritten (with its
        # conversation token): until that lands here, every other case of this fuzz would
        # be hidden behind this one.
        pytest.xfail("?after= beyond 64 bits gives 500 (fixed by the transcript endpoint rewrite)")
    started = app.client.post("/api/v1/ask", json={"text": "Đăng ký khai sinh cần gì?"}).json()
    own = str(started["conversation_id"])
    token = str(started.get("conversation_token", ""))

    async def send(client: httpx.AsyncClient, fuzz: Fuzz, case: int) -> httpx.Response:
        roll = fuzz.r.random()
        if roll < 0.4:
            conversation = own
        elif roll < 0.6:
            conversation = fuzz.r.choice(["telegram:1", "zalo:1", "zalo_bot:1", "voice:CA1", own + "0"])
        else:
            conversation = fuzz.text()[:200] or "x"
        params: dict[str, Any] = {}
        for name in ("after", "limit", "offset"):
            if fuzz.chance(0.5):
                params[name] = fuzz.number() if fuzz.chance(0.7) else fuzz.text()[:40]
        headers = {}
        if fuzz.chance(0.5):
            value = token if fuzz.chance(0.5) else fuzz.text()[:64]
            params["conversation_token"] = value
            if fuzz.chance(0.5):
                headers["X-Conversation-Token"] = quote(value.encode("utf-8", "surrogatepass"))
        query = urlencode(
            {k: str(v).encode("utf-8", "surrogatepass") for k, v in params.items()}, quote_via=quote
        )
        path = quote(conversation.encode("utf-8", "surrogatepass"), safe="")
        return await client.get(f"/api/v1/conversations/{path}/messages?{query}", headers=headers)

    run(app, "transcript", send)


def _telegram_payload(fuzz: Fuzz, case: int) -> Any:
    # A few citizens: their rate limit is reached, as a flood's would be.
    user = 9_000_000 + fuzz.r.randint(0, 7)
    update_id = 700_000_000 + case * 7 + fuzz.r.randint(0, 6)
    pick = fuzz.r.random()
    if pick < 0.15:
        return fuzz.value()
    if pick < 0.45:
        base = text_update(update_id, user, fuzz.text()[:500])
    elif pick < 0.6:
        base = location_update(update_id, user, float(fuzz.number()), float(fuzz.number()))
    elif pick < 0.75:
        base = callback_update(
            update_id, user, fuzz.r.choice(["opt:1", "opt:²", "lang:en", "lang:xx", fuzz.text()[:64]])
        )
    else:
        base = photo_update(update_id, user)
    return fuzz.mutate(base) if fuzz.chance(0.5) else base


def test_fuzz_telegram_webhook(app: Channels) -> None:
    async def send(client: httpx.AsyncClient, fuzz: Fuzz, case: int) -> httpx.Response:
        body = fuzz.body(_telegram_payload(fuzz, case))
        secret = (
            TELEGRAM_SECRET if fuzz.chance(0.8) else fuzz.r.choice([None, "wrong", TELEGRAM_SECRET + "x"])
        )
        return await app.telegram_post(body, secret=secret, client=client)  # type: ignore[no-any-return]

    statuses = run(app, "telegram", send)
    assert statuses.get(403, 0) > 0 and statuses.get(200, 0) > CASES // 2, statuses


def _zalo_payload(fuzz: Fuzz) -> Any:
    user = f"zf{fuzz.r.randint(0, 7)}"
    pick = fuzz.r.random()
    if pick < 0.15:
        return fuzz.value()
    if pick < 0.5:
        base = oa_text_event(user, fuzz.text()[:500])
    elif pick < 0.7:
        base = oa_location_event(user, float(fuzz.number()), float(fuzz.number()))
    else:
        base = oa_follow_event(user)
    return fuzz.mutate(base) if fuzz.chance(0.5) else base


def test_fuzz_zalo_webhook(app: Channels) -> None:
    async def send(client: httpx.AsyncClient, fuzz: Fuzz, case: int) -> httpx.Response:
        payload = _zalo_payload(fuzz)
        body = fuzz.body(payload)
        timestamp = str(payload.get("timestamp", "")) if isinstance(payload, dict) else ""
        if fuzz.chance(0.2):
            timestamp = fuzz.text()[:20]
        signed = fuzz.chance(0.8)
        return await app.zalo_post(body, signed=signed, timestamp=timestamp, client=client)  # type: ignore[no-any-return]

    statuses = run(app, "zalo", send)
    assert statuses.get(200, 0) > CASES // 4, statuses


def test_fuzz_zalo_bot_webhook(app: Channels) -> None:
    async def send(client: httpx.AsyncClient, fuzz: Fuzz, case: int) -> httpx.Response:
        chat = f"zb{fuzz.r.randint(0, 7)}"
        pick = fuzz.r.random()
        if pick < 0.15:
            payload = fuzz.value()
        elif pick < 0.75:
            payload = bot_text_update(chat, fuzz.text()[:500], wrapped=fuzz.chance(0.7))
        else:
            payload = bot_image_update(chat)
        if fuzz.chance(0.5):
            payload = fuzz.mutate(payload)
        secret = ZALO_BOT_SECRET if fuzz.chance(0.8) else fuzz.r.choice([None, "wrong-secret-123"])
        return await app.zalo_bot_post(fuzz.body(payload), secret=secret, client=client)  # type: ignore[no-any-return]

    statuses = run(app, "zalo_bot", send)
    assert statuses.get(403, 0) > 0 and statuses.get(200, 0) > CASES // 2, statuses


def _call_form(fuzz: Fuzz) -> dict[str, str]:
    base = {
        # Calls of a few turns each: a turn Twilio sends again is answered from the database.
        "CallSid": f"CA{fuzz.r.randint(0, 40):032x}",
        "From": fuzz.r.choice(["+84912345678", "+84905123456", "anonymous", ""]),
        "To": "+842363822222",
        "AccountSid": "AC1",
    }
    roll = fuzz.r.random()
    if roll < 0.4:
        base["Digits"] = fuzz.r.choice(["0", "1", "2", "9", "²", "٣", "12", "#", "*", "-1", "99999"])
    elif roll < 0.8:
        base["SpeechResult"] = fuzz.text()[:300]
        base["Confidence"] = fuzz.r.choice(["0.9", "0.1", "nan", "inf", "-1", "", "1e999", "x"])
    return fuzz.form(base)


def _voice(app: Channels, path: str) -> Send:
    async def send(client: httpx.AsyncClient, fuzz: Fuzz, case: int) -> httpx.Response:
        query: dict[str, Any] = {}
        if path == "/voice/turn":
            query = {"lang": "vi", "n": fuzz.r.randint(1, 5)}
            if fuzz.chance(0.5):
                query["menu"] = "topics"
            for name in ("lang", "n", "retry", "menu", "proc"):
                if fuzz.chance(0.2):
                    query[name] = fuzz.text()[:30] if fuzz.chance(0.5) else fuzz.number()
        encoded = urlencode({k: str(v).encode("utf-8", "replace") for k, v in query.items()}, quote_via=quote)
        target = f"{path}?{encoded}" if encoded else path
        form = {_sendable(k): _sendable(v) for k, v in _call_form(fuzz).items()}
        signed = fuzz.chance(0.85)
        return await app.voice_post(target, form, signed=signed, client=client)  # type: ignore[no-any-return]

    return send


def test_fuzz_voice_incoming(app: Channels) -> None:
    statuses = run(app, "voice_incoming", _voice(app, "/voice/incoming"))
    assert statuses.get(200, 0) > CASES // 2, statuses


def test_fuzz_voice_turn(app: Channels) -> None:
    statuses = run(app, "voice_turn", _voice(app, "/voice/turn"))
    assert statuses.get(200, 0) > CASES // 2, statuses


def test_fuzz_console_login(app: Channels) -> None:
    csrf = ""

    async def send(client: httpx.AsyncClient, fuzz: Fuzz, case: int) -> httpx.Response:
        nonlocal csrf
        if case == 0:  # the form's double-submit token: its cookie stays in the client
            page = await client.get("/console/login")
            match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            csrf = match.group(1) if match else ""
        base = {"username": fuzz.text()[:80], "password": fuzz.text()[:300], "next": fuzz.text()[:100]}
        if fuzz.chance(0.5):
            base["csrf_token"] = csrf
        form = {_sendable(k): _sendable(v) for k, v in fuzz.form(base).items()}
        if fuzz.chance(0.1):
            body = fuzz.body(fuzz.value())
            return await client.post(
                "/console/login", content=body, headers={"Content-Type": "application/json"}
            )
        return await client.post("/console/login", data=form, follow_redirects=False)

    statuses = run(app, "console_login", send)
    assert csrf and not set(statuses) - {200, 303, 400, 401, 403, 413, 422, 429}, statuses


def _sendable(text: str) -> str:
    """A form field as a browser can send it (an HTML form has no lone surrogates)."""
    return text.encode("utf-8", "replace").decode("utf-8")
