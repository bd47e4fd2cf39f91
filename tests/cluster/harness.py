"""Replicas of `hotline serve` on one PostgreSQL behind Debian's nginx, with the loopback
Telegram and Zalo clouds: the harness of the kill test (tests/cluster) and of
`make bench-scale` (bench/scale.py).

Everything is a real process: PostgreSQL (initdb/pg_ctl, as in tests/pg.py), each replica a
`hotline serve --workers 1` of its own (so that SIGKILL takes exactly one replica down), and
nginx started with deploy/nginx.conf, only its upstream list, port and writable paths
rewritten. Traffic (tests/cluster/load.py) goes through nginx only; the checks read the
database and the fakes.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.zalo_api import APP_ID, APP_SECRET_KEY, BOT_TOKEN, OA_SECRET_KEY, FakeZaloAPI
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
    nice: int = 0  # added to the replica's niceness (see Cluster)

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
            preexec_fn=(lambda: os.nice(self.nice)) if self.nice else None,  # noqa: PLW1509
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

    def __init__(
        self, folder: Path, database_url: str, index: Path, replicas: int = 3, *, nice: int = 0
    ) -> None:
        """``nice``: the replicas yield the cores to the load (a benchmark's stand-in for
        providers that send from their own machines, not from the replicas' cores)."""
        self.nice = nice
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
            self.replicas.append(
                Replica(f"replica-{n}", port, command, env, folder / "serve.log", nice=self.nice)
            )
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
