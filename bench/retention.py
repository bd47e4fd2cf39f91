"""`make bench-retention`: the retention job over a million synthetic turns on PostgreSQL,
and what it does to live traffic meanwhile.

Starts a throwaway PostgreSQL server (the real binaries, as the tests do) unless
``--database-url`` names one, loads ``--turns`` turns past the retention period (a turn: the
citizen's message, the bot's reply and its outbox row; a share of the conversations with a
resolved handoff case, its note and events) and a tenth as many recent ones, then measures
live traffic (turns: lock the conversation, store both messages and the outbox row; reads:
the last 20 messages) at a steady rate, first without the job, then while the job runs.

Prints the job's time and rows, and the live p50/p95/p99 latency without and during the job
with their ratio. Targets (issue 13): the job in at most 60 s for 1 million turns, and live
traffic not locked out (p95 ratio reported; no request waits for the whole job).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handoff.db import Database  # noqa: E402
from handoff.privacy.retention import RetentionJob  # noqa: E402

TARGET_SECONDS_PER_MILLION = 60.0
INTENTS = ["procedure_info", "fees", "documents", "where", "dossier_status", "out_of_scope", "greeting"]
CHANNELS = ["telegram", "zalo", "api", "voice"]
LANGUAGES = ["vi", "vi", "vi", "en", "ko", "zh", "fr"]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Postgres:
    """A throwaway server in a temporary folder (as ``postgres`` when run as root)."""

    def __init__(self) -> None:
        missing = [b for b in ("initdb", "pg_ctl", "postgres") if shutil.which(b) is None]
        if missing:
            raise SystemExit(
                f"PostgreSQL binaries not on PATH: {', '.join(missing)} (or pass --database-url)"
            )
        self.folder = Path(tempfile.mkdtemp(prefix="hotline-bench-pg-"))
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.folder, user="postgres")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        # Durable settings as in production, except fsync (a benchmark, not a store).
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c shared_buffers=256MB -c max_wal_size=4GB -c checkpoint_timeout=30min"
        )
        self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, *args], capture_output=True, text=True, cwd=self.folder, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"{args[0]} failed: {done.stderr or done.stdout}")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def load(
    db: Database, *, turns: int, per_conversation: int, recent_share: float, case_share: float
) -> dict[str, int]:
    """Synthetic conversations, set-based in the server (a million turns in seconds)."""
    old_convs = max(1, turns // per_conversation)
    recent_convs = max(1, int(old_convs * recent_share))
    total = old_convs + recent_convs
    t = per_conversation
    with db.engine.begin() as c:
        c.execute(
            text(
                """
                INSERT INTO conversations (id, channel, channel_user_id, display_name, language, state,
                                           turn_count, access_hash, created_at, updated_at)
                SELECT 'bench:' || g, (CAST(:channels AS text[]))[1 + g % 4], g::text, NULL, (CAST(:langs AS text[]))[1 + g % 7], '{}',
                       :t, NULL,
                       ts - make_interval(mins => :t * 2), ts
                FROM generate_series(1, :total) AS g,
                     LATERAL (SELECT CASE WHEN g <= :old
                                 THEN now() - make_interval(days => 200 + g % 400, secs => g % 86400)
                                 ELSE now() - make_interval(days => g % 60, secs => g % 86400) END AS ts) AS x
                """
            ),
            {"channels": CHANNELS, "langs": LANGUAGES, "t": t, "total": total, "old": old_convs},
        )
        c.execute(
            text(
                """
                INSERT INTO messages (conversation_id, channel, channel_message_id, direction, sender, staff_id,
                                      text, language, intent, confidence, scores, latency_ms, created_at)
                SELECT cv.id, cv.channel, NULL,
                       CASE WHEN k = 0 THEN 'in' ELSE 'out' END,
                       CASE WHEN k = 0 THEN 'citizen' ELSE 'bot' END, NULL,
                       CASE WHEN k = 0 THEN 'Thủ tục đăng ký khai sinh cần giấy tờ gì? số tôi 0912 345 '
                                            || lpad((n % 1000)::text, 3, '0')
                            ELSE 'Thủ tục Đăng ký khai sinh (1.001193) cần: tờ khai, giấy chứng sinh…' END,
                       cv.language,
                       CASE WHEN k = 0 THEN NULL ELSE (CAST(:intents AS text[]))[1 + (n + length(cv.id)) % 7] END,
                       CASE WHEN k = 0 THEN NULL ELSE 0.8 END, NULL,
                       CASE WHEN k = 0 THEN NULL ELSE 4.2 END,
                       cv.updated_at - make_interval(mins => (:t - n) * 2 - k)
                FROM conversations cv, generate_series(1, :t) AS n, generate_series(0, 1) AS k
                WHERE cv.id LIKE 'bench:%'
                ORDER BY cv.updated_at, n, k
                """
            ),
            {"t": t, "intents": INTENTS},
        )
        c.execute(
            text(
                """
                INSERT INTO outbox (conversation_id, channel, recipient, message_id, payload, status, attempts,
                                    next_attempt_at, last_error, created_at, sent_at)
                SELECT m.conversation_id, m.channel, m.conversation_id, m.id,
                       json_build_object('text', m.text), 'sent', 1, m.created_at, NULL, m.created_at, m.created_at
                FROM messages m WHERE m.sender = 'bot'
                """
            )
        )
        every = max(1, int(1 / case_share)) if case_share > 0 else 0
        if every:
            c.execute(
                text(
                    """
                    INSERT INTO cases (id, conversation_id, channel, channel_user_id, display_name, language,
                                       status, reason, priority, team, assigned_to, packet, outcome, callback,
                                       callback_number, version, created_at, assigned_at, first_response_at,
                                       resolved_at, updated_at, reopened, queued_at, closed_at)
                    SELECT 'B' || substr(cv.id, 7), cv.id, cv.channel, cv.channel_user_id, NULL, cv.language,
                           'resolved', 'talk_to_human', 0, NULL, NULL,
                           json_build_object('last_message', 'cho gặp cán bộ, số 0912 345 678'),
                           'answered', false, NULL, 3, cv.updated_at - interval '10 minutes',
                           cv.updated_at - interval '8 minutes', cv.updated_at - interval '7 minutes',
                           cv.updated_at, cv.updated_at, 0, cv.updated_at - interval '10 minutes', NULL
                    FROM conversations cv
                    WHERE cv.id LIKE 'bench:%' AND substr(cv.id, 7)::bigint % :every = 0
                    """
                ),
                {"every": every},
            )
            c.execute(
                text(
                    """
                    INSERT INTO case_notes (case_id, staff_id, text, created_at)
                    SELECT id, NULL, 'gọi lại số 0912 345 678', updated_at FROM cases WHERE id LIKE 'B%'
                    """
                )
            )
            c.execute(
                text(
                    """
                    INSERT INTO case_events (case_id, kind, data, created_at)
                    SELECT id, kind, '{}', updated_at FROM cases, unnest(ARRAY['created', 'assigned', 'resolved']) AS kind
                    WHERE id LIKE 'B%'
                    """
                )
            )
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE"))
        counts = {
            name: int(c.execute(text(f"SELECT count(*) FROM {name}")).scalar() or 0)
            for name in ("conversations", "messages", "outbox", "cases", "case_notes", "case_events")
        }
    counts["old_conversations"] = old_convs
    counts["recent_conversations"] = recent_convs
    return counts


class Traffic:
    """Live turns and transcript reads at a steady rate from several threads, each op timed."""

    def __init__(self, db: Database, *, rate: float, threads: int, recent: int, old: int) -> None:
        self.db, self.rate, self.threads = db, rate, threads
        self.recent_ids = [f"bench:{g}" for g in range(old + 1, old + recent + 1)]
        self.old_ids = [f"bench:{g}" for g in range(1, old + 1)]
        self.samples: list[tuple[float, float, str]] = []  # (start, seconds, kind)
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []
        self._serial = 0

    def start(self) -> None:
        for i in range(self.threads):
            worker = threading.Thread(target=self._run, args=(i,), daemon=True)
            worker.start()
            self._workers.append(worker)

    def stop(self) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)

    def _run(self, seed: int) -> None:
        rng = random.Random(seed)
        interval = self.threads / self.rate
        next_at = time.perf_counter() + rng.random() * interval
        while not self._stop.is_set():
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            next_at += interval
            roll = rng.random()
            started = time.perf_counter()
            try:
                if roll < 0.3:
                    kind = "read"
                    self._read(rng.choice(self.recent_ids))
                else:
                    kind = "turn"
                    # Mostly ongoing conversations; some new; a few citizens come back to a
                    # conversation the job is deleting at that moment.
                    if roll < 0.85:
                        conv = rng.choice(self.recent_ids)
                    elif roll < 0.95:
                        with self._lock:
                            self._serial += 1
                            conv = f"live:{seed}:{self._serial}"
                    else:
                        conv = rng.choice(self.old_ids)
                    self._turn(conv)
            except Exception as exc:  # counted, never fatal: the figure is what failed
                self.errors.append(f"{type(exc).__name__}: {exc}"[:200])
                continue
            with self._lock:
                self.samples.append((started, time.perf_counter() - started, kind))

    def _turn(self, conv: str) -> None:
        now = datetime.now(UTC)
        with self.db.engine.begin() as c:
            # The pipeline's order (channels/conversation.py): lock the conversation's row; a
            # missing one is inserted idempotently, then locked. A conversation the job is
            # deleting at that moment is waited for, then started afresh.
            locked = text("SELECT state FROM conversations WHERE id = :id FOR UPDATE")
            if c.execute(locked, {"id": conv}).first() is None:
                c.execute(
                    text(
                        "INSERT INTO conversations (id, channel, channel_user_id, language, state, turn_count,"
                        " created_at, updated_at) VALUES (:id, 'telegram', :id, 'vi', '{}', 0, :now, :now)"
                        " ON CONFLICT (id) DO NOTHING"
                    ),
                    {"id": conv, "now": now},
                )
                c.execute(locked, {"id": conv})
            c.execute(
                text(
                    "INSERT INTO messages (conversation_id, channel, direction, sender, text, language, created_at)"
                    " VALUES (:id, 'telegram', 'in', 'citizen', 'hộ chiếu làm ở đâu', 'vi', :now)"
                ),
                {"id": conv, "now": now},
            )
            reply = c.execute(
                text(
                    "INSERT INTO messages (conversation_id, channel, direction, sender, text, language, intent,"
                    " created_at) VALUES (:id, 'telegram', 'out', 'bot', 'Phòng Quản lý xuất nhập cảnh…', 'vi',"
                    " 'where', :now) RETURNING id"
                ),
                {"id": conv, "now": now},
            ).scalar()
            c.execute(
                text(
                    "INSERT INTO outbox (conversation_id, channel, recipient, message_id, payload, status,"
                    " attempts, next_attempt_at, created_at) VALUES (:id, 'telegram', :id, :mid, '{}',"
                    " 'pending', 0, :now, :now)"
                ),
                {"id": conv, "mid": reply, "now": now},
            )
            c.execute(
                text(
                    "UPDATE conversations SET turn_count = turn_count + 1, updated_at = :now WHERE id = :id"
                ),
                {"id": conv, "now": now},
            )

    def _read(self, conv: str) -> None:
        with self.db.engine.connect() as c:
            c.execute(
                text(
                    "SELECT id, sender, text, created_at FROM messages WHERE conversation_id = :id"
                    " ORDER BY id DESC LIMIT 20"
                ),
                {"id": conv},
            ).all()

    def window(self, start: float, end: float) -> list[float]:
        with self._lock:
            return [s for at, s, _ in self.samples if start <= at < end]


class BackendCpu:
    """CPU seconds used by the PostgreSQL server processes behind one engine's connections
    (read from /proc: the server runs on this machine)."""

    def __init__(self, db: Database) -> None:
        self.pids: list[int] = []
        from sqlalchemy import event

        @event.listens_for(db.engine, "connect")
        def _remember(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pids.append(int(cursor.fetchone()[0]))

    def seconds(self) -> float:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        return total


def summary(latencies: list[float]) -> dict[str, float]:
    return {
        "ops": len(latencies),
        "p50_ms": round(pct(latencies, 0.5) * 1000, 2),
        "p95_ms": round(pct(latencies, 0.95) * 1000, 2),
        "p99_ms": round(pct(latencies, 0.99) * 1000, 2),
        "max_ms": round(max(latencies, default=float("nan")) * 1000, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a throwaway server)")
    parser.add_argument("--turns", type=int, default=1_000_000, help="turns past the retention period")
    parser.add_argument("--per-conversation", type=int, default=10, help="turns per conversation")
    parser.add_argument("--recent-share", type=float, default=0.1, help="recent conversations, per old one")
    parser.add_argument("--case-share", type=float, default=0.05, help="conversations with a handoff case")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50.0, help="live operations per second")
    parser.add_argument("--threads", type=int, default=4, help="live traffic threads")
    parser.add_argument("--baseline-seconds", type=float, default=15.0)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)

    server = None if args.database_url else Postgres()
    db = Database(args.database_url or server.url)  # type: ignore[union-attr]
    try:
        db.migrate()
        t0 = time.perf_counter()
        counts = load(
            db,
            turns=args.turns,
            per_conversation=args.per_conversation,
            recent_share=args.recent_share,
            case_share=args.case_share,
        )
        load_s = time.perf_counter() - t0
        print(
            f"loaded {args.turns:,} old turns ({counts['messages']:,} messages, {counts['outbox']:,} outbox rows, "
            f"{counts['cases']:,} cases) in {load_s:.1f} s",
            file=sys.stderr,
        )
        traffic = Traffic(
            db,
            rate=args.rate,
            threads=args.threads,
            recent=counts["recent_conversations"],
            old=counts["old_conversations"],
        )
        traffic.start()
        time.sleep(2.0)  # connections warm
        base_start = time.perf_counter()
        time.sleep(args.baseline_seconds)
        base_end = time.perf_counter()
        # The job on its own engine, so that its server processes' CPU time can be read: on a
        # shared machine the wall time depends on the neighbours, the CPU time does not.
        job_db = Database(db.url)
        backends = BackendCpu(job_db)
        job = RetentionJob(
            job_db, retention_days=180, timezone="Asia/Ho_Chi_Minh", batch_size=args.batch_size
        )
        client_cpu: list[float] = []

        def run_job() -> Any:
            started = time.thread_time()
            try:
                return job.run()
            finally:
                client_cpu.append(time.thread_time() - started)

        report = run_job()
        job_end = time.perf_counter()
        server_cpu = backends.seconds()
        job_db.dispose()
        traffic.stop()
        baseline = summary(traffic.window(base_start, base_end))
        during = summary(traffic.window(base_end, job_end))
        with db.engine.connect() as c:
            cutoff = job.cutoff()
            left_old = int(
                c.execute(
                    text("SELECT count(*) FROM messages WHERE created_at < :cutoff"), {"cutoff": cutoff}
                ).scalar()
                or 0
            )
            archived = int(
                c.execute(
                    text("SELECT coalesce(sum(count), 0) FROM daily_stats WHERE metric = 'replies'")
                ).scalar()
                or 0
            )
        figures: dict[str, Any] = {
            "turns": args.turns,
            "job_s": report.seconds,
            "target_s": TARGET_SECONDS_PER_MILLION * args.turns / 1_000_000,
            "turns_per_s": round(args.turns / report.seconds) if report.seconds else None,
            "deleted": {
                "conversations": report.conversations,
                "messages": report.messages,
                "outbox": report.outbox,
                "cases": report.cases,
                "notes": report.notes,
                "events": report.events,
            },
            "batches": report.batches,
            "job_cpu_s": {"postgres": round(server_cpu, 1), "python": round(sum(client_cpu), 1)},
            "load_average": round(os.getloadavg()[0], 1),
            "cpus": os.cpu_count(),
            "old_messages_left": left_old,
            "replies_counted_in_daily_stats": archived,
            "live_baseline": baseline,
            "live_during_job": during,
            "p95_ratio": round(during["p95_ms"] / baseline["p95_ms"], 2) if baseline["p95_ms"] else None,
            "live_errors": len(traffic.errors),
        }
        if args.json:
            print(json.dumps(figures))
        else:
            print(
                f"retention job: {args.turns:,} turns in {report.seconds:.1f} s "
                f"(target ≤ {figures['target_s']:.0f} s), {figures['turns_per_s']:,} turns/s, "
                f"{report.batches} batches of {args.batch_size} conversations"
            )
            print(
                f"  CPU time of the job: PostgreSQL {server_cpu:.1f} s + Python {sum(client_cpu):.1f} s "
                f"(load average {figures['load_average']} on {figures['cpus']} CPUs: the rest of the "
                f"wall time was spent waiting for a CPU)"
            )
            print(
                f"  deleted: {figures['deleted']}; old messages left: {left_old}; "
                f"replies kept as daily counts: {archived:,}"
            )
            print(
                f"live traffic ({args.rate:.0f} ops/s, {args.threads} threads), without the job: "
                f"p50 {baseline['p50_ms']} ms, p95 {baseline['p95_ms']} ms, p99 {baseline['p99_ms']} ms "
                f"({baseline['ops']} ops)"
            )
            print(
                f"  during the job: p50 {during['p50_ms']} ms, p95 {during['p95_ms']} ms, "
                f"p99 {during['p99_ms']} ms, max {during['max_ms']} ms ({during['ops']} ops)"
            )
            print(f"  p95 ratio during/without: {figures['p95_ratio']}x; errors: {len(traffic.errors)}")
        if traffic.errors:
            print("first live errors: " + "; ".join(traffic.errors[:3]), file=sys.stderr)
        return 0
    finally:
        db.dispose()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
