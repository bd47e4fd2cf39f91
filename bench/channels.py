"""Channel figures: outbox throughput against a loopback provider that fails 20 % of sends
(every message must be delivered exactly once), against one that never fails (the
baseline of the same run), and the webhook acknowledgement latency of the app.

    .venv/bin/python -m bench.channels [--messages 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from channels.outbox import Outbox, OutboxWorker, SendError
from handoff.db import Database
from handoff.models import Conversation, OutboxMessage


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Provider:
    """A loopback messaging API: fails ``failure_rate`` of the calls (half 500, half 429
    with Retry-After) before accepting them, and counts what it accepted."""

    def __init__(self, failure_rate: float, seed: int = 7) -> None:
        self.failure_rate = failure_rate
        self.random = random.Random(seed)
        self.accepted: Counter[str] = Counter()
        self.failed = 0
        self.lock = threading.Lock()
        self.port = free_port()
        app = Starlette(routes=[Route("/send", self.send, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    async def send(self, request: Request) -> JSONResponse:
        body = await request.json()
        with self.lock:
            roll = self.random.random()
            if roll < self.failure_rate:
                self.failed += 1
                if roll < self.failure_rate / 2:
                    return JSONResponse({"ok": False}, status_code=500)
                return JSONResponse({"ok": False}, status_code=429, headers={"Retry-After": "0"})
            self.accepted[str(body["text"])] += 1
        return JSONResponse({"ok": True})

    def __enter__(self) -> Provider:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(5)


class HttpSender:
    def __init__(self, port: int) -> None:
        self.client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5)

    async def send(self, recipient: str, payload: dict[str, Any]) -> None:
        try:
            r = await self.client.post("/send", json={"to": recipient, "text": payload["text"]})
        except httpx.HTTPError as exc:
            raise SendError(str(exc), retryable=True) from exc
        if r.status_code == 429:
            raise SendError("429", retryable=True, retry_after=float(r.headers.get("retry-after", "1")))
        if r.status_code >= 500:
            raise SendError(str(r.status_code), retryable=True)
        if r.status_code >= 400:
            raise SendError(str(r.status_code), retryable=False)


def outbox_run(messages: int, failure_rate: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, Provider(failure_rate) as provider:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.migrate()
        with db.session() as session:
            session.add(
                Conversation(id="bench", channel="bench", channel_user_id="u", language="vi", state={})
            )
        outbox = Outbox(db)
        for i in range(messages):
            outbox.enqueue(
                conversation_id="bench", channel="bench", recipient="u", text=f"message {i}", limit=2000
            )

        async def drive() -> float:
            sender = HttpSender(provider.port)
            worker = OutboxWorker(db, {"bench": sender}, base_delay=0.005, max_attempts=30)
            started = time.perf_counter()
            while True:
                await worker.run_once()
                with db.session() as session:
                    left = session.scalar(
                        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
                    )
                if not left:
                    break
                await asyncio.sleep(0.005)
            elapsed = time.perf_counter() - started
            await sender.client.aclose()
            return elapsed

        elapsed = asyncio.run(drive())
        with db.session() as session:
            sent = session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent")
            )
        db.dispose()
        expected = {f"message {i}" for i in range(messages)}
        return {
            "messages": messages,
            "seconds": elapsed,
            "per_second": messages / elapsed,
            "provider_failures": provider.failed,
            "delivered": len(provider.accepted),
            "lost": len(expected - set(provider.accepted)),
            "duplicated": sum(1 for c in provider.accepted.values() if c > 1),
            "marked_sent": sent,
        }


def webhook_ack(index_dir: Path, requests: int = 300) -> dict[str, Any] | None:
    """Acknowledgement latency of a channel webhook (the Zalo Bot route: secret check,
    parse, store, 200; the answer follows in the background) under a steady stream of
    distinct messages, on the real server with one worker."""
    import os
    import subprocess

    from bench.run import pct, start_server

    port = free_port()
    with tempfile.TemporaryDirectory() as tmp, Provider(0.0) as provider:
        env = dict(
            os.environ,
            HF_HUB_OFFLINE="1",
            TOKENIZERS_PARALLELISM="false",
            ZALO_BOT_TOKEN="123456:bench-token",
            ZALO_BOT_WEBHOOK_SECRET="bench-secret-0123456789",
            HOTLINE_CHANNELS__ZALO_BOT_API_BASE=f"http://127.0.0.1:{provider.port}",
            DATABASE_URL=f"sqlite:///{Path(tmp) / 'ack.db'}",
        )
        env.pop("PUBLIC_BASE_URL", None)
        cmd = [
            sys.executable,
            "-m",
            "channels.cli",
            "serve",
            "--index",
            str(index_dir),
            "--port",
            str(port),
            "--workers",
            "1",
        ]
        server = start_server(cmd, port, env)
        try:
            times: list[float] = []
            statuses: Counter[int] = Counter()
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                for i in range(requests):
                    update = {
                        "ok": True,
                        "result": {
                            "event_name": "message.text.received",
                            "message": {
                                "message_id": f"bench-{i}",
                                "text": f"Đăng ký khai sinh cần giấy tờ gì? (câu {i})",
                                "chat": {"id": f"user-{i % 50}"},
                                "from": {"id": f"user-{i % 50}", "display_name": "Bench"},
                                "date": 1763800000 + i,
                            },
                        },
                    }
                    started = time.perf_counter()
                    r = client.post(
                        "/webhooks/zalo-bot",
                        json=update,
                        headers={"X-Bot-Api-Secret-Token": "bench-secret-0123456789"},
                    )
                    times.append((time.perf_counter() - started) * 1000)
                    statuses[r.status_code] += 1
                    time.sleep(0.02)  # a steady stream, not a flood: ~50 messages/s
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
    return {
        "requests": requests,
        "ack_p50_ms": pct(times, 0.50),
        "ack_p95_ms": pct(times, 0.95),
        "ack_max_ms": max(times),
        "status": dict(statuses),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--index", help="index folder for the webhook latency run (skipped without it)")
    args = ap.parse_args(argv)
    base = outbox_run(args.messages, 0.0)
    flaky = outbox_run(args.messages, 0.2)
    print("\noutbox (loopback provider, SQLite)        clean     20 % failing   ratio")
    print(
        f"  throughput (messages/s)              {base['per_second']:8.0f}   {flaky['per_second']:8.0f}"
        f"        {flaky['per_second'] / base['per_second']:.2f}"
    )
    print(
        f"  provider failures                    {base['provider_failures']:8d}   {flaky['provider_failures']:8d}"
    )
    print(
        f"  delivered / lost / duplicated        {base['delivered']}/{base['lost']}/{base['duplicated']}"
        f"   {flaky['delivered']}/{flaky['lost']}/{flaky['duplicated']}   (of {args.messages}; target: all/0/0)"
    )
    ok = flaky["lost"] == 0 and flaky["duplicated"] == 0 and flaky["delivered"] == args.messages
    print(f"  every message delivered exactly once: {'yes' if ok else 'NO'}")
    result: dict[str, Any] = {"outbox_clean": base, "outbox_flaky": flaky, "outbox_exactly_once": ok}
    if args.index:
        ack = webhook_ack(Path(args.index))
        if ack is not None:
            print(
                f"\nwebhook acknowledgement (POST /webhooks/zalo-bot, {ack['requests']} messages, 1 worker)"
            )
            print(
                f"  p50 {ack['ack_p50_ms']:.1f} ms   p95 {ack['ack_p95_ms']:.1f} ms   max {ack['ack_max_ms']:.1f} ms"
                f"   (target p95 < 2000 ms)   statuses {ack['status']}"
            )
            result["webhook_ack"] = ack
    return result


if __name__ == "__main__":
    result = main()
    sys.exit(0 if result["outbox_exactly_once"] else 1)
