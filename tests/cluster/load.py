"""Load through nginx and what came of it: mixed traffic (API questions, signed Telegram and
Zalo OA webhooks, handoffs), an agent's live feed, and the checks (stored once, answered once,
delivered once, every console event received, 5xx only from a killed replica). Used by the
kill test and `make bench-scale`; the processes are in ``harness``."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import random
import re
import secrets
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.cluster.harness import AGENT, HANDOFF, QUESTIONS, TELEGRAM_SECRET, Cluster
from tests.fakes.telegram_api import text_update
from tests.fakes.zalo_api import APP_ID, OA_SECRET_KEY, oa_text_event

# -- traffic -----------------------------------------------------------------------------------


@dataclass
class Sent:
    kind: str  # api | telegram | zalo | handoff
    chat: str  # conversation id (api) or the channel's user id
    message_id: str  # the channel's id ("" for the API)
    status: int  # 0: no HTTP answer at all
    started: float
    elapsed: float


@dataclass
class Chat:
    kind: str
    user: str
    token: str = ""  # the API's conversation token
    busy: bool = False


@dataclass
class Traffic:
    """Mixed messages through nginx: API questions (follow-ups included), signed Telegram and
    Zalo OA webhooks, Telegram chats that ask for a person (a case, hence console events)."""

    base_url: str
    seed: int = 13
    weights: dict[str, float] = field(
        default_factory=lambda: {"api": 0.4, "telegram": 0.3, "zalo": 0.22, "handoff": 0.08}
    )
    follow_up: float = 0.3
    sent: list[Sent] = field(default_factory=list)
    chats: list[Chat] = field(default_factory=list)
    in_flight: int = 0

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)
        self.ids = itertools.count(int(time.time()) % 1_000_000 * 1000)

    def _chat(self) -> Chat:
        kind = self.random.choices(list(self.weights), weights=list(self.weights.values()))[0]
        if kind != "handoff" and self.random.random() < self.follow_up:
            idle = [c for c in self.chats if c.kind == kind and not c.busy and (kind != "api" or c.token)]
            if idle:
                return self.random.choice(idle)
        user = str(6_000_000_000 + next(self.ids)) if kind != "api" else ""
        chat = Chat(kind, user)
        self.chats.append(chat)
        return chat

    async def one(self, client: httpx.AsyncClient) -> Sent:
        chat = self._chat()
        chat.busy = True
        self.in_flight += 1
        started = time.monotonic()
        message_id, status = "", 0
        try:
            text = HANDOFF if chat.kind == "handoff" else self.random.choice(QUESTIONS)
            if chat.kind == "api":
                body: dict[str, Any] = {"text": text}
                if chat.user:
                    body |= {"conversation_id": chat.user, "conversation_token": chat.token}
                response = await client.post("/api/v1/ask", json=body)
                status = response.status_code
                if status == 200 and not chat.user:
                    data = response.json()
                    chat.user, chat.token = data["conversation_id"], data["conversation_token"]
            elif chat.kind in ("telegram", "handoff"):
                update_id = next(self.ids)
                message_id = str(update_id)
                content = json.dumps(text_update(update_id, int(chat.user), text)).encode()
                headers = {
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
                }
                status = (
                    await client.post("/webhooks/telegram", content=content, headers=headers)
                ).status_code
            else:
                message_id = secrets.token_hex(10)
                event = oa_text_event(chat.user, text, msg_id=message_id)
                content = json.dumps(event, ensure_ascii=False).encode()
                mac = zalo_signature(content, event["timestamp"])
                headers = {"Content-Type": "application/json", "X-ZEvent-Signature": "mac=" + mac}
                status = (await client.post("/webhooks/zalo", content=content, headers=headers)).status_code
        except httpx.HTTPError:
            status = 0
        finally:
            self.in_flight -= 1
            chat.busy = False
        record = Sent(chat.kind, chat.user, message_id, status, started, time.monotonic() - started)
        if chat.kind == "api" and not chat.user:
            record.chat = ""
        self.sent.append(record)
        return record

    async def closed_loop(
        self, seconds: float, concurrency: int, events: dict[float, Any] | None = None
    ) -> float:
        """``concurrency`` senders back to back for ``seconds``; ``events``: {second: callable}
        run once at that second of the run (a kill, a restart). Returns the run's duration."""
        async with httpx.AsyncClient(base_url=self.base_url, timeout=40) as client:
            start = time.monotonic()
            end = start + seconds

            async def sender() -> None:
                while time.monotonic() < end:
                    await self.one(client)

            tasks = [asyncio.create_task(sender()) for _ in range(concurrency)]
            runner = asyncio.create_task(_run_events(start, events or {}))
            await asyncio.gather(*tasks)
            duration = time.monotonic() - start
            await runner  # a restart still waiting for its replica
            return duration

    async def open_loop(self, seconds: float, rate: float, events: dict[float, Any] | None = None) -> float:
        """``rate`` messages a second on a fixed schedule, whatever the answers' speed (the way
        a province's citizens send them)."""
        async with httpx.AsyncClient(
            base_url=self.base_url, timeout=40, limits=httpx.Limits(max_connections=400)
        ) as client:
            start = time.monotonic()
            tasks: list[asyncio.Task[Sent]] = []
            runner = asyncio.create_task(_run_events(start, events or {}))
            for n in itertools.count():
                due = start + n / rate
                if due >= start + seconds:
                    break
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                tasks.append(asyncio.create_task(self.one(client)))
            await asyncio.gather(*tasks)
            duration = time.monotonic() - start
            await runner
            return duration


async def _run_events(start: float, events: dict[float, Any]) -> None:
    for at, action in sorted(events.items()):
        await asyncio.sleep(max(0.0, start + at - time.monotonic()))
        result = action()
        if asyncio.iscoroutine(result):
            # A restart waits for its replica in a thread: the load goes on meanwhile.
            await result


def zalo_signature(body: bytes, timestamp: str) -> str:
    stamp = timestamp.encode("utf-8", "surrogatepass")
    return hashlib.sha256(APP_ID.encode() + body + stamp + OA_SECRET_KEY.encode()).hexdigest()


# -- the console's live feed ---------------------------------------------------------------------


@dataclass
class LiveFeed:
    """An agent logged in through nginx, reading /console/api/events as the browser does:
    when the stream ends (its replica died) it reconnects with Last-Event-ID."""

    base_url: str
    received: list[int] = field(default_factory=list)
    reconnects: int = 0
    last: int = 0

    async def login(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/console/api/login", json={"username": AGENT[0], "password": AGENT[1]})
        response.raise_for_status()

    async def follow(self, start_after: int) -> None:
        """Until cancelled (the test cancels it once every event is in)."""
        self.last = start_after
        async with httpx.AsyncClient(base_url=self.base_url, timeout=httpx.Timeout(10, read=40)) as client:
            await self.login(client)
            while True:
                try:
                    await self._stream(client)
                except httpx.HTTPError:
                    pass
                self.reconnects += 1
                await asyncio.sleep(0.3)

    async def _stream(self, client: httpx.AsyncClient) -> None:
        headers = {"Last-Event-ID": str(self.last)}
        async with client.stream("GET", "/console/api/events", headers=headers) as response:
            if response.status_code != 200:
                return
            async for line in response.aiter_lines():
                if line.startswith("id:"):
                    event_id = int(line[3:].strip())
                    self.received.append(event_id)
                    self.last = max(self.last, event_id)


# -- what happened -------------------------------------------------------------------------------


@dataclass
class Outcome:
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged, never stored or never answered
    duplicated: list[str] = field(default_factory=list)  # stored or answered twice
    unanswered_stored: list[str] = field(default_factory=list)  # stored (not acknowledged), no answer
    server_errors: int = 0
    no_answer: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    events_missed: list[int] = field(default_factory=list)
    events_total: int = 0
    outbox_open: int = 0
    outbox_open_rows: list[str] = field(default_factory=list)  # "conversation status attempts"
    # 5xx in nginx's access log whose attempts never touched a killed replica.
    server_errors_elsewhere: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "acknowledged": self.acknowledged,
            "lost": len(self.lost),
            "duplicated": len(self.duplicated),
            "stored_unacknowledged_unanswered": len(self.unanswered_stored),
            "5xx": self.server_errors,
            "no_http_answer": self.no_answer,
            "statuses": dict(sorted(self.by_status.items())),
            "console_events": self.events_total,
            "console_events_missed": len(self.events_missed),
            "outbox_not_sent": self.outbox_open,
            "5xx_not_from_a_killed_replica": len(self.server_errors_elsewhere),
        }


def settle(cluster: Cluster, traffic: Traffic, timeout: float = 60) -> None:
    """Wait until every stored inbound message of the channels has its answer delivered (or
    the timeout): answering and the outbox carry on after the webhooks' acknowledgements."""
    from sqlalchemy import create_engine, text

    engine = create_engine(cluster.database_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                pending = conn.execute(
                    text("SELECT count(*) FROM outbox WHERE status NOT IN ('sent', 'failed')")
                ).scalar_one()
                inbound = conn.execute(
                    text(
                        "SELECT count(*) FROM messages WHERE direction = 'in' AND channel IN ('telegram', 'zalo')"
                    )
                ).scalar_one()
                answers = conn.execute(
                    text(
                        "SELECT count(*) FROM messages WHERE direction = 'out' AND sender = 'bot' "
                        "AND channel IN ('telegram', 'zalo')"
                    )
                ).scalar_one()
            if pending == 0 and answers >= inbound:
                return
            time.sleep(0.5)
    finally:
        engine.dispose()


def _event_cursor(conn: Any) -> str:
    """The column the live feed numbers its events by (its SSE ids): ``seq``, given in commit
    order, where the schema has it, else the row id."""
    from sqlalchemy import inspect

    columns = {c["name"] for c in inspect(conn).get_columns("case_events")}
    return "seq" if "seq" in columns else "id"


def last_event(url: str) -> int:
    """The live feed's cursor now: where the agent's feed starts."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            column = _event_cursor(conn)
            return int(conn.execute(text(f"SELECT coalesce(max({column}), 0) FROM case_events")).scalar_one())
    finally:
        engine.dispose()


ACCESS = re.compile(r'"(?P<request>[^"]*)" (?P<status>\d{3}) .*? upstream=(?P<upstream>.*?) us=')


def check(cluster: Cluster, traffic: Traffic, feed: LiveFeed | None, events_after: int) -> Outcome:
    """Every acknowledged message stored once and answered once; every delivery seen by the
    fake clouds once; every case event of the run received by the live feed; no 5xx from
    nginx but for requests that went to a replica that was killed."""
    from sqlalchemy import create_engine, text

    outcome = Outcome()
    killed = {f"127.0.0.1:{r.port}" for r in cluster.replicas if r.killed}
    for line in cluster.access_log():
        match = ACCESS.search(line)
        if match is None or not match["status"].startswith("5"):
            continue
        if not killed & {part.strip() for part in match["upstream"].split(",")}:
            outcome.server_errors_elsewhere.append(line)
    for record in traffic.sent:
        outcome.by_status[record.status] += 1
        outcome.server_errors += record.status >= 500
        outcome.no_answer += record.status == 0
    engine = create_engine(cluster.database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.id, c.channel, c.channel_user_id, m.direction, m.sender, m.channel_message_id "
                "FROM messages m JOIN conversations c ON c.id = m.conversation_id"
            )
        ).all()
        outbox = conn.execute(text("SELECT conversation_id, status, attempts FROM outbox")).all()
        column = _event_cursor(conn)
        # An event without its number yet counts as undelivered (-1): the feed never saw it.
        event_ids = [
            r[0] if r[0] is not None else -1
            for r in conn.execute(
                text(f"SELECT {column} FROM case_events WHERE {column} > :a OR {column} IS NULL"),
                {"a": events_after},
            )
        ]
        cases = Counter(r[0] for r in conn.execute(text("SELECT conversation_id FROM cases")))
    engine.dispose()

    stored: dict[str, Counter[str]] = defaultdict(Counter)  # conversation → channel message id → count
    inbound: Counter[str] = Counter()
    answers: Counter[str] = Counter()
    owner: dict[tuple[str, str], str] = {}
    for conversation, channel, user, direction, sender, message_id in rows:
        owner[(channel, user or conversation)] = conversation
        if direction == "in" and sender == "citizen":
            inbound[conversation] += 1
            stored[conversation][message_id or ""] += 1
        elif direction == "out" and sender == "bot":
            answers[conversation] += 1
    outbox_rows: Counter[str] = Counter()
    for conversation, status, attempts in outbox:
        outbox_rows[conversation] += 1
        if status != "sent":
            outcome.outbox_open += 1
            outcome.outbox_open_rows.append(f"{conversation} {status} attempts={attempts}")
    deliveries: Counter[str] = Counter()
    for call in cluster.telegram.calls_of("sendMessage"):
        deliveries[f"telegram:{call.params.get('chat_id')}"] += 1
    for call in cluster.zalo.calls_of("message/cs"):
        recipient = call.params.get("recipient") or {}
        deliveries[f"zalo:{recipient.get('user_id')}"] += 1

    per_chat: dict[tuple[str, str], list[Sent]] = defaultdict(list)
    for record in traffic.sent:
        per_chat[(record.kind, record.chat)].append(record)
    for (kind, chat), records in per_chat.items():
        acked = [r for r in records if r.status == 200]
        outcome.acknowledged += len(acked)
        if kind == "api":
            if not chat:
                continue  # first questions that got no answer: no conversation to look at
            conversation = chat
            # Inline answers: an acknowledged question is an answered one; a question stored
            # twice shows as more citizen messages than questions sent.
            if inbound[conversation] > len(records):
                outcome.duplicated.append(
                    f"api {conversation}: {inbound[conversation]} stored of {len(records)}"
                )
            if inbound[conversation] < len(acked) or answers[conversation] < len(acked):
                outcome.lost.append(
                    f"api {conversation}: {len(acked)} acknowledged, {inbound[conversation]} stored"
                )
            if answers[conversation] > inbound[conversation]:
                outcome.duplicated.append(f"api {conversation}: {answers[conversation]} answers")
            continue
        channel = "zalo" if kind == "zalo" else "telegram"
        conversation = owner.get((channel, chat), "")
        label = f"{kind} {chat}"
        for record in acked:
            count = stored[conversation][record.message_id] if conversation else 0
            if count == 0:
                outcome.lost.append(f"{label}: message {record.message_id} acknowledged, not stored")
        if conversation and any(n > 1 for n in stored[conversation].values()):
            outcome.duplicated.append(f"{label}: stored twice {dict(stored[conversation])}")
        if not conversation:
            continue
        # Each stored message answered once, each answer delivered once.
        if answers[conversation] < inbound[conversation]:
            (outcome.lost if len(acked) > answers[conversation] else outcome.unanswered_stored).append(
                f"{label}: {inbound[conversation]} stored, {answers[conversation]} answered"
            )
        if answers[conversation] > inbound[conversation]:
            outcome.duplicated.append(
                f"{label}: {inbound[conversation]} stored, {answers[conversation]} answered"
            )
        delivered = deliveries[f"{channel}:{chat}"]
        if delivered > outbox_rows[conversation]:
            outcome.duplicated.append(f"{label}: {outbox_rows[conversation]} queued, {delivered} delivered")
        elif delivered < outbox_rows[conversation]:
            outcome.lost.append(f"{label}: {outbox_rows[conversation]} queued, {delivered} delivered")
        if kind == "handoff" and cases[conversation] > 1:
            outcome.duplicated.append(f"{label}: {cases[conversation]} cases")
    outcome.events_total = len(event_ids)
    if feed is not None:
        seen = set(feed.received)
        outcome.events_missed = [i for i in event_ids if i not in seen]
    return outcome


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]
