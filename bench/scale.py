"""Replicas on PostgreSQL behind nginx, on this machine (`make bench-scale`):

1. throughput: one replica, then three, behind the same deploy/nginx.conf; API questions from
   ``--concurrency`` clients for ``--seconds``: answers/s and p95 of each, and their ratio
   (about 1 is expected on a small machine: the work is CPU-bound; the point is that nothing
   breaks);
2. the kill test: mixed traffic (API, signed Telegram and Zalo webhooks, handoffs read by a
   console live feed) with one of three replicas killed by SIGKILL: lost, duplicated, 5xx
   against the requests the killed replica held, console events missed;
3. a peak-province simulation: ``--rate`` messages/s of mixed channels for ``--peak-seconds``
   (5 minutes by default) with one replica killed and restarted: lost, duplicated, p95
   acknowledgement.

    PYTHONPATH=. .venv/bin/python -m bench.scale [--seconds 20] [--peak-seconds 300] [--rate 50]

Needs PostgreSQL's binaries and nginx on PATH. Figures go to stdout and ``--out`` (JSON).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.cluster.harness import Cluster, build_index, missing_binaries, postgres
from tests.cluster.load import LiveFeed, Traffic, _run_events, check, last_event, percentile, settle

ROOT = Path(__file__).resolve().parents[1]


def throughput(
    folder: Path, url: str, index: Path, replicas: int, seconds: float, concurrency: int
) -> dict[str, Any]:
    with Cluster(folder, url, index, replicas=replicas) as cluster:
        traffic = Traffic(cluster.base_url, weights={"api": 1.0}, follow_up=0.3)
        # A short warm-up: first queries fill each replica's caches.
        asyncio.run(traffic.closed_loop(3, concurrency))
        traffic.sent.clear()
        duration = asyncio.run(traffic.closed_loop(seconds, concurrency))
        ok = [r.elapsed for r in traffic.sent if r.status == 200]
        return {
            "replicas": replicas,
            "answers": len(ok),
            "answers_per_s": round(len(ok) / duration, 1),
            "p50_ms": round(percentile(ok, 0.5) * 1000, 1),
            "p95_ms": round(percentile(ok, 0.95) * 1000, 1),
            "errors": len(traffic.sent) - len(ok),
        }


def with_kill(
    folder: Path,
    url: str,
    index: Path,
    *,
    seconds: float,
    kill_at: float,
    restart_after: float | None,
    rate: float | None,
    concurrency: int,
    nice: int = 0,
) -> dict[str, Any]:
    """Mixed traffic with replica 1 killed at ``kill_at`` s (and restarted ``restart_after`` s
    later when given); open loop at ``rate`` msg/s, else closed loop."""
    with Cluster(folder, url, index, replicas=3, nice=nice) as cluster:
        traffic = Traffic(cluster.base_url)
        feed = LiveFeed(cluster.base_url)
        after = last_event(url)
        killed: dict[str, float] = {}
        victim = cluster.replicas[0]

        def kill() -> None:
            killed["in_flight"] = traffic.in_flight
            killed["at"] = time.monotonic()
            victim.kill()

        async def restart() -> None:
            def start() -> None:
                victim.start()
                victim.wait_ready()

            began = time.monotonic()
            await asyncio.to_thread(start)
            killed["restart_s"] = round(time.monotonic() - began, 1)

        events: dict[float, Any] = {kill_at: kill}
        if restart_after is not None:
            events[kill_at + restart_after] = restart

        lags: list[float] = []

        async def scenario() -> float:
            follower = asyncio.create_task(feed.follow(after))
            if rate:
                duration = await open_loop_apart(traffic, seconds, rate, events, lags)
            else:
                duration = await traffic.closed_loop(seconds, concurrency, events)
            began = time.monotonic()
            await asyncio.to_thread(settle, cluster, traffic, 120)
            killed["settle_s"] = round(time.monotonic() - began, 1)
            last = await asyncio.to_thread(last_event, url)
            deadline = time.monotonic() + 15
            while feed.last < last and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
            return duration

        duration = asyncio.run(scenario())
        outcome = check(cluster, traffic, feed, after)
        acks = [r.elapsed for r in traffic.sent if r.status == 200]
        # A webhook's acknowledgement (Telegram, Zalo: stored, answered later) apart from the
        # API's, which is its answer and so waits for the backlog when the replicas fall behind.
        hooks = [r.elapsed for r in traffic.sent if r.status == 200 and r.kind != "api"]
        inline = [r.elapsed for r in traffic.sent if r.status == 200 and r.kind == "api"]
        result = outcome.summary() | {
            "messages": len(traffic.sent),
            # Offered: the schedule's rate; answered: what the replicas kept up with (the
            # acknowledgement times include waiting for a connection when they fall behind).
            "offered_per_s": round(len(traffic.sent) / seconds, 1),
            "acknowledged_per_s": round(outcome.acknowledged / duration, 1),
            "p95_ack_ms": round(percentile(acks, 0.95) * 1000, 1),
            "p99_ack_ms": round(percentile(acks, 0.99) * 1000, 1),
            "p95_webhook_ack_ms": round(percentile(hooks, 0.95) * 1000, 1),
            "p99_webhook_ack_ms": round(percentile(hooks, 0.99) * 1000, 1),
            "max_webhook_ack_ms": round(max(hooks, default=0.0) * 1000, 1),
            "p95_api_answer_ms": round(percentile(inline, 0.95) * 1000, 1),
            # The same acknowledgements timed by nginx (from its first byte read to its last
            # byte sent): the load generator shares these cores, and its own lag is not the
            # replicas'.
            "p95_load_loop_lag_ms": round(percentile(lags, 0.95) * 1000, 1),
            "p95_webhook_ack_nginx_ms": round(percentile(nginx_times(cluster.nginx_dir), 0.95) * 1000, 1),
            # (The peak's load runs in another process: its requests in flight are not seen here.)
            "killed_in_flight": int(killed["in_flight"]) if not rate else None,
            "feed_reconnects": feed.reconnects,
            "settle_s": killed.get("settle_s"),
        }
        if "restart_s" in killed:
            result["restart_s"] = killed["restart_s"]
        if outcome.lost or outcome.duplicated:
            result["examples"] = (outcome.lost + outcome.duplicated)[:8]
        return result


async def open_loop_apart(
    traffic: Traffic, seconds: float, rate: float, events: dict[float, Any], lags: list[float]
) -> float:
    """``traffic.open_loop`` in a process of its own, the way providers send from their own
    machines: in this one the loopback clouds (receiving every answer) and the live feed
    share its interpreter lock, and their work would be timed as the replicas'
    acknowledgements. The kill and the restart happen here, on the load's clock."""
    context = multiprocessing.get_context("spawn")
    here, there = context.Pipe()
    child = context.Process(target=_send, args=(there, traffic.base_url, traffic.seed, seconds, rate))
    child.start()
    try:
        start = await asyncio.to_thread(here.recv)
        runner = asyncio.create_task(_run_events(start, events))
        duration, sent, chats, lagged = await asyncio.to_thread(here.recv)
        await runner
    finally:
        child.join(30)
    traffic.sent[:], traffic.chats[:], lags[:] = sent, chats, lagged
    return float(duration)


def _send(pipe: Any, base_url: str, seed: int, seconds: float, rate: float) -> None:
    traffic = Traffic(base_url, seed=seed)
    lags: list[float] = []

    async def probe(every: float = 0.05) -> None:
        # How late this process's own event loop runs (it still shares the cores): its
        # lateness is in every acknowledgement it times.
        while True:
            due = time.monotonic() + every
            await asyncio.sleep(every)
            lags.append(time.monotonic() - due)

    async def run() -> float:
        prober = asyncio.create_task(probe())
        pipe.send(time.monotonic())  # the load's clock starts (CLOCK_MONOTONIC: system-wide)
        duration = await traffic.open_loop(seconds, rate)
        prober.cancel()
        return duration

    duration = asyncio.run(run())
    pipe.send((duration, traffic.sent, traffic.chats, lags))


_LOGGED = re.compile(r'"POST /webhooks/\S+ [^"]*" \d{3} .* rt=([\d.]+) ')


def nginx_times(folder: Path) -> list[float]:
    """Request times of the webhooks in nginx's access log (deploy/nginx.conf's format)."""
    log = folder / "access.log"
    if not log.exists():
        return []
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [float(m[1]) for line in lines if (m := _LOGGED.search(line))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20, help="each throughput run (default 20)")
    parser.add_argument("--concurrency", type=int, default=8, help="clients of the throughput runs")
    parser.add_argument("--kill-seconds", type=float, default=30, help="the kill test's load (default 30)")
    parser.add_argument("--peak-seconds", type=float, default=300, help="the peak simulation (default 300)")
    parser.add_argument(
        "--rate", type=float, default=50, help="the peak simulation's messages/s (default 50)"
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="the peak's replicas run this much nicer than the load, which stands for providers "
        "sending from their own machines (default 0: the same priority)",
    )
    parser.add_argument("--skip", action="append", default=[], choices=["throughput", "kill", "peak"])
    parser.add_argument("--work", help="working folder (default: a temporary one)")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench-scale.json"))
    args = parser.parse_args(argv)
    missing = missing_binaries()
    if missing:
        print(f"bench-scale needs {', '.join(missing)} on PATH", file=sys.stderr)
        return 2
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="hotline-scale-"))
    index = build_index(ROOT / "var" / "bench-scale")
    results: dict[str, Any] = {}
    with postgres() as pg:
        if "throughput" not in args.skip:
            one = throughput(work / "one", pg.fresh_url("one"), index, 1, args.seconds, args.concurrency)
            print(f"1 replica : {one}", flush=True)
            three = throughput(
                work / "three", pg.fresh_url("three"), index, 3, args.seconds, args.concurrency
            )
            print(f"3 replicas: {three}", flush=True)
            results["throughput"] = {
                "one": one,
                "three": three,
                "answers_per_s_ratio": round(three["answers_per_s"] / max(one["answers_per_s"], 0.1), 2),
                "p95_ratio": round(three["p95_ms"] / max(one["p95_ms"], 0.1), 2),
            }
            print(
                f"ratio 3/1: answers/s ×{results['throughput']['answers_per_s_ratio']}, "
                f"p95 ×{results['throughput']['p95_ratio']}",
                flush=True,
            )
        if "kill" not in args.skip:
            results["kill"] = with_kill(
                work / "kill",
                pg.fresh_url("kill"),
                index,
                seconds=args.kill_seconds,
                kill_at=args.kill_seconds / 3,
                restart_after=None,
                rate=None,
                concurrency=6,
            )
            print(f"kill test: {results['kill']}", flush=True)
        if "peak" not in args.skip:
            results["peak"] = with_kill(
                work / "peak",
                pg.fresh_url("peak"),
                index,
                seconds=args.peak_seconds,
                kill_at=args.peak_seconds / 3,
                restart_after=min(30.0, args.peak_seconds / 6),
                rate=args.rate,
                concurrency=0,
                nice=args.nice,
            )
            print(f"peak {args.rate:g} msg/s for {args.peak_seconds:g} s: {results['peak']}", flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
