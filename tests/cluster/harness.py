"""Replicas of `hotline serve` on one PostgreSQL behind Debian's nginx, with the loopback
Telegram and Zalo clouds: the harness of the kill test (tests/cluster) and of
`make bench-scale` (bench/scale.py).

Everything is a real process: PostgreSQL (initdb/pg_ctl, as in tests/pg.py), each replica a
`hotline serve --workers 1` of its own (so that SIGKILL takes exactly one replica down), and
nginx started with deploy/nginx.conf, only its upstream list, port and writable paths
rewritten. Traffic goes through nginx only; the checks read the database and the fakes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.fakes.telegram_api import FakeTelegramAPI, text_update
from tests.fakes.zalo_api import APP_ID, APP_SECRET_KEY, BOT_TOKEN, OA_SECRET_KEY, FakeZaloAPI, oa_text_event
from tests.pg import BINARIES, PgServer

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
TELEGRAM_TOKEN = "123456789:AAH-cluster-test-token_for_fake"
TELEGRAM_SECRET = "cluster-Webhook_secret"
ZALO_BOT_SECRET = "zbot-cluster-secret-123"
AGENT = ("agent1", "cluster-agent-password")

# Questions the sample catalogue answers, in several languages: each gets one answer.
QUESTIONS = (
    "Làm lại căn cước bị mất cần giấy tờ gì?",
    "lam giay khai sinh cho con can gi",
    "Đăng ký kết hôn cần những giấy tờ gì?",
    "Lệ phí cấp lại căn cước là bao nhiêu?",
    "How do I register a birth?",
    "Comment faire une déclaration de naissance ?",
    "¿Cómo registrar el matrimonio?",
    "出生登记需要什么材料？",
    "출생신고는 어떻게 하나요?",
    "婚姻届はどうすればいいですか",
)
HANDOFF = "/human"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def missing_binaries() -> list[str]:
    """What this harness needs and the machine lacks (the test skips with this list)."""
    missing = [b for b in BINARIES if shutil.which(b) is None]
    if nginx_binary() is None:
        missing.append("nginx")
    return missing


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


@contextlib.contextmanager
def postgres() -> Iterator[PgServer]:
    """A throwaway PostgreSQL server (the bench's; the test uses tests/pg.py's fixture)."""
    as_user: list[str] = []
    # Its own top-level folder: as root the cluster belongs to `postgres`, who must reach it.
    folder = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, user="postgres")
    server = PgServer(folder, free_port(), as_user)
    init = server.run("initdb", "-D", str(server.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
    if init.returncode != 0:
        raise RuntimeError(f"initdb failed: {init.stderr or init.stdout}")
    options = (
        f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    start = server.run(
        "pg_ctl", "-D", str(server.data), "-o", options, "-l", str(folder / "log"), "-w", "start"
    )
    if start.returncode != 0:
        raise RuntimeError(f"pg_ctl start failed: {start.stderr or start.stdout}")
    try:
        yield server
    finally:
        server.run("pg_ctl", "-D", str(server.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def hotline_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "channels.cli", *args]


def build_index(folder: Path) -> Path:
    """The bundled sample's index (44 procedures): three replicas of it fit in memory and
    start in seconds. ``hotline index`` skips the build when the folder is current."""
    config = write_config(
        folder / "index-config.yml", folder / "index", "sqlite:///" + str(folder / "idx.db")
    )
    subprocess.run(
        hotline_command("--config", str(config), "index", "--out", str(folder / "index")),
        check=True,
        env=_env({}),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return folder / "index"


def write_config(
    path: Path, index: Path, database_url: str, telegram: str = "", zalo: str = "", extra: str = ""
) -> Path:
    lines = [
        "environment: test",
        "data:",
        f"  catalogues: [{ROOT / 'data/sample/catalogue.jsonl'}]",
        f"  units: {ROOT / 'data/sample/units.json'}",
        f"  centres: [{ROOT / 'data/sample/centres.yml'}]",
        "index:",
        f"  path: {index}",
        "  rebuild_on_start: false",
        "database:",
        f"  url: {database_url}",
        "server:",
        "  trusted_proxies: [127.0.0.1]",
        # Load from one address and a few conversations: the limits have their own tests.
        "api:",
        "  rate_limit_messages: 1000000",
        "  rate_limit_per_address: 1000000",
        "channels:",
        "  rate_limit_messages: 1000000",
    ]
    if telegram:
        lines.append(f"  telegram_api_base: {telegram}")
    if zalo:
        lines += [f"  zalo_oa_api_base: {zalo}", f"  zalo_oauth_base: {zalo}", f"  zalo_bot_api_base: {zalo}"]
    lines += [
        "handoff:",
        "  holidays: []",
        "  events_poll_seconds: 0.2",
        # The feed reconnects every few seconds, to a replica chosen by nginx: resuming by
        # Last-Event-ID across replicas is exercised whichever replica dies.
        "  events_stream_seconds: 4",
        "  hours: {"
        + ", ".join(f"{d}: ['00:00-24:00']" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
        + "}",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "TELEGRAM_", "ZALO_", "TWILIO_"))
    }
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "HOTLINE_ENVIRONMENT": "test",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "PYTHONPATH": str(ROOT),
            "MALLOC_ARENA_MAX": "2",
            "OMP_NUM_THREADS": "1",
        }
    )
    env.update(extra)
    return env


@dataclass
class Replica:
    name: str
    port: int
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    killed: bool = False

    def start(self) -> None:
        self.starts += 1
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()

    def ready(self) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} not ready after {timeout} s:\n{self.tail()}")
            time.sleep(0.25)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.killed = True
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class Cluster:
    """``replicas`` × `hotline serve` on ``database_url`` behind nginx, all in ``folder``."""

    def __init__(self, folder: Path, database_url: str, index: Path, replicas: int = 3) -> None:
        self.folder = folder
        self.database_url = database_url
        self.index = index
        self.telegram = FakeTelegramAPI(token=TELEGRAM_TOKEN)
        self.zalo = FakeZaloAPI()
        self.replicas: list[Replica] = []
        self.count = replicas
        self.nginx: subprocess.Popen[bytes] | None = None
        self.port = free_port()
        self.nginx_dir = folder / "nginx"
        self.base_url = f"http://127.0.0.1:{self.port}"

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.telegram.start()
        self.zalo.start()
        access, refresh = self.zalo.issue_pair()
        self.config = write_config(
            self.folder / "config.yml",
            self.index,
            self.database_url,
            self.telegram.base_url,
            self.zalo.base_url,
        )
        secrets_env = {
            "DATABASE_URL": self.database_url,
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "ZALO_APP_ID": APP_ID,
            "ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
            "ZALO_APP_SECRET_KEY": APP_SECRET_KEY,
            "ZALO_OA_ACCESS_TOKEN": access,
            "ZALO_OA_REFRESH_TOKEN": refresh,
            "ZALO_BOT_TOKEN": BOT_TOKEN,
            "ZALO_BOT_WEBHOOK_SECRET": ZALO_BOT_SECRET,
        }
        self.migrate(secrets_env)
        for n in range(1, self.count + 1):
            folder = self.folder / f"replica-{n}"
            folder.mkdir(parents=True, exist_ok=True)
            port = free_port()
            env = _env(
                {
                    **secrets_env,
                    "HOTLINE_DOSSIERS__PATH": str(folder / "dossiers.db"),
                    "HOTLINE_CHANNELS__ZALO_TOKEN_FILE": str(folder / "zalo-oa-tokens.json"),
                }
            )
            command = hotline_command(
                "--config", str(self.config), "serve", "--index", str(self.index),
                "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            )  # fmt: skip
            self.replicas.append(Replica(f"replica-{n}", port, command, env, folder / "serve.log"))
        for replica in self.replicas:
            replica.start()
        for replica in self.replicas:
            replica.wait_ready()
        self.start_nginx()

    def migrate(self, env: dict[str, str]) -> None:
        """Once, before the replicas (the one-shot migration job of compose.yaml), and the
        agent's account, through the CLI as a deployer would."""
        subprocess.run(
            hotline_command(
                "--config", str(self.config), "staff", "add", "--username", AGENT[0], "--role", "agent"
            ),
            input=(AGENT[1] + "\n").encode(),
            env=_env(env),
            cwd=ROOT,
            check=True,
            capture_output=True,
        )

    def start_nginx(self) -> None:
        self.nginx_dir.mkdir(parents=True, exist_ok=True)
        # As root nginx's workers run as nobody: they must reach their temp folders.
        self.nginx_dir.chmod(0o755)
        for parent in self.nginx_dir.parents:
            if parent == Path(tempfile.gettempdir()) or parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o011)
        conf = self.nginx_dir / "nginx.conf"
        conf.write_text(
            render_nginx(NGINX_CONF.read_text(), self.port, [r.port for r in self.replicas], self.nginx_dir)
        )
        binary = nginx_binary()
        assert binary is not None
        check = subprocess.run(
            [binary, "-t", "-p", str(self.nginx_dir), "-c", str(conf), "-e", "stderr"],
            capture_output=True,
            text=True,
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t refused deploy/nginx.conf:\n{check.stderr}")
        log = (self.nginx_dir / "error.log").open("ab")
        self.nginx = subprocess.Popen(
            [binary, "-p", str(self.nginx_dir), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(self.base_url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.nginx.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("nginx did not start: " + (self.nginx_dir / "error.log").read_text())
            time.sleep(0.1)

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.nginx.wait(10)
        for replica in self.replicas:
            replica.stop()
        self.telegram.stop()
        self.zalo.stop()

    def access_log(self) -> list[str]:
        path = self.nginx_dir / "access.log"
        return path.read_text(errors="replace").splitlines() if path.exists() else []


def render_nginx(text: str, port: int, upstreams: list[int], folder: Path) -> str:
    """deploy/nginx.conf for loopback: the replicas' ports (with the parameters of the file's
    own first `server` line), nginx's port, writable paths."""
    block = re.search(r"(# BEGIN upstream servers[^\n]*\n)(.*?)(\s*# END upstream servers)", text, re.S)
    first = re.search(r"server \S+((?: [^;\s]+)*);", block.group(2)) if block else None
    if block is None or first is None:
        raise ValueError("deploy/nginx.conf lost its BEGIN/END upstream servers markers")
    servers = "\n".join(f"        server 127.0.0.1:{p}{first.group(1)};" for p in upstreams)
    text = text[: block.start(2)] + servers + text[block.end(2) :]
    text = text.replace("listen 8080 default_server;", f"listen 127.0.0.1:{port} default_server;")
    text = text.replace("/tmp/nginx", str(folder))
    if os.geteuid() == 0:
        text = "user nobody nogroup;\n" + text
    return text


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
