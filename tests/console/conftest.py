"""Browser tests of the staff console: a real app on a real port, driven by real Chromium.

One server per test session (uvicorn on 127.0.0.1 in a background thread, SQLite in a
temporary directory, migrated by Alembic) and one browser per module; each test gets fresh
browser contexts, so cookies never leak from one test to the next. Chromium is Debian's
(Playwright's own download is not used); without it the tests are skipped with the reason.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SAMPLE_CATALOGUE = ROOT / "data" / "sample" / "catalogue.jsonl"
PASSWORD = "mat-khau-thu-nghiem-2025"
STAFF = {
    # username: (role, display name, teams)
    "lan": ("agent", "Trần Thị Lan", ["48"]),
    "minh": ("agent", "Lê Văn Minh", ["48"]),
    "hoa": ("supervisor", "Phạm Thị Hoa", ["48"]),
}


def chromium_path() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sample_lookup() -> Callable[[str], dict[str, Any] | None]:
    records = {}
    for line in SAMPLE_CATALOGUE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            records[record["code"]] = record
    return records.get


@dataclass
class ConsoleServer:
    base_url: str
    app: Any
    db: Any
    settings: Any
    staff_ids: dict[str, int] = field(default_factory=dict)
    password: str = PASSWORD
    artifacts: Path = ARTIFACTS

    @property
    def cases(self) -> Any:
        return self.app.state.cases

    def url(self, path: str) -> str:
        return self.base_url + path

    def open_case(
        self,
        *,
        name: str = "Nguyễn Thị Hoa",
        question: str = "Cho tôi hỏi đăng ký khai sinh cho con ở phường Hải Châu cần giấy tờ gì?",
        reason: str = "talk_to_human",
        channel: str = "telegram",
    ) -> tuple[str, str]:
        """A Vietnamese citizen's conversation as the bot leaves it, then the handoff.

        Returns (case id, conversation id)."""
        from bot.ports import HandoffPacket
        from handoff.models import Conversation, Message

        conversation_id = f"{channel}:{uuid.uuid4().hex[:12]}"
        user_id = str(uuid.uuid4().int)[:9]
        bot_answer = (
            "Thủ tục đăng ký khai sinh (mã 1.001193) thực hiện tại UBND phường, nộp tại Trung tâm "
            "Phục vụ hành chính công. Hồ sơ: tờ khai đăng ký khai sinh, giấy chứng sinh. Lệ phí: miễn phí. "
            "Nguồn: https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7"
        )
        follow_up = "Con tôi sinh ở nước ngoài thì có làm ở phường được không? Cho tôi gặp cán bộ."
        with self.db.session() as s:
            s.add(
                Conversation(
                    id=conversation_id,
                    channel=channel,
                    channel_user_id=user_id,
                    display_name=name,
                    language="vi",
                    state={"procedure": "1.001193", "place": "20242"},
                    turn_count=2,
                )
            )
            s.flush()
            for i, (direction, sender, text, intent) in enumerate(
                [
                    ("in", "citizen", question, None),
                    ("out", "bot", bot_answer, "procedure_info"),
                    ("in", "citizen", follow_up, None),
                    ("out", "bot", "Tôi đang chuyển câu hỏi của bạn tới cán bộ tổng đài.", "talk_to_human"),
                ]
            ):
                s.add(
                    Message(
                        conversation_id=conversation_id,
                        channel=channel,
                        channel_message_id=f"{conversation_id}-{i}" if direction == "in" else None,
                        direction=direction,
                        sender=sender,
                        text=text,
                        language="vi",
                        intent=intent,
                        confidence=0.91 if intent else None,
                    )
                )
        packet = HandoffPacket(
            conversation_id=conversation_id,
            channel=channel,
            language="vi",
            reason=reason,
            channel_user_id=user_id,
            display_name=name,
            intents=[
                {"intent": "talk_to_human", "confidence": 0.93},
                {"intent": "procedure_info", "confidence": 0.41},
            ],
            procedures=[
                {
                    "code": "1.001193",
                    "name": "Thủ tục đăng ký khai sinh",
                    "score": 0.87,
                    "url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7",
                },
                {
                    "code": "2.000986",
                    "name": "Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú",
                    "score": 0.64,
                    "url": "https://dichvucong.gov.vn/",
                },
            ],
            place={"code": "20242", "name": "Phường Hải Châu", "province": "Đà Nẵng"},
            centre={
                "name": "Trung tâm Phục vụ hành chính công phường Hải Châu",
                "address": "Số 15 đường Lê Hồng Phong, phường Hải Châu",
                "phone": "0903570134",
            },
            bot_told=[bot_answer, "Tôi đang chuyển câu hỏi của bạn tới cán bộ tổng đài."],
            last_message=follow_up,
        )
        ref = self.cases.open_case(packet)
        return ref.case_id, conversation_id

    def citizen_says(self, conversation_id: str, text: str) -> int:
        """A new inbound message stored by a channel, then announced to the handoff."""
        from handoff.models import Conversation, Message

        with self.db.session() as s:
            conv = s.get(Conversation, conversation_id)
            assert conv is not None
            msg = Message(
                conversation_id=conversation_id,
                channel=conv.channel,
                channel_message_id=uuid.uuid4().hex,
                direction="in",
                sender="citizen",
                text=text,
                language="vi",
            )
            s.add(msg)
            s.flush()
            message_id = msg.id
        self.cases.on_citizen_message(conversation_id, message_id)
        return message_id


@pytest.fixture(scope="session")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    web = pytest.importorskip("handoff.web", reason="handoff.web (the console backend) is not there")
    uvicorn = pytest.importorskip("uvicorn")
    from fastapi import FastAPI

    from handoff.config import HandoffSettings
    from handoff.db import Database

    tmp = tmp_path_factory.mktemp("console")
    db = Database(f"sqlite:///{tmp / 'db.sqlite'}")
    db.migrate()
    settings = HandoffSettings(
        cookie_secure=False,
        teams=["48", "tax"],
        login_max_failures=3,
        login_max_failures_per_ip=1000,
        events_poll_seconds=0.2,
        events_heartbeat_seconds=5,
        events_stream_seconds=60,
        # Open every day and hour, so the queue behaves the same whenever the tests run.
        hours={day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        holidays=[],
    )
    app = FastAPI(title="console under test")
    web.mount_console(app, db, settings, procedure_lookup=_sample_lookup(), environment="test")
    # Real argon2id, with cheap parameters: the default costs ~0.6 s per login on a small CI box.
    from argon2 import PasswordHasher

    from handoff.auth import StaffService

    app.state.staff = StaffService(
        db, settings, hasher=PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    )
    ids = {}
    for username, (role, display, teams) in STAFF.items():
        ids[username] = app.state.staff.create_staff(
            username, PASSWORD, role, display_name=display, teams=teams
        ).id

    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="console-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the console server did not start")
        time.sleep(0.05)
    try:
        yield ConsoleServer(f"http://127.0.0.1:{port}", app, db, settings, ids)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from tests.security.live_server import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture
def new_context(browser: Any, console_server: ConsoleServer) -> Iterator[Callable[..., Any]]:
    """Fresh, isolated browser contexts (own cookies), closed after the test.

    Script errors and CSP refusals on any page fail the test (HTTP error statuses the test
    provokes on purpose are not script errors)."""
    contexts: list[Any] = []
    problems: list[str] = []

    def watch(page: Any) -> None:
        page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
        page.on(
            "console",
            lambda msg: (
                problems.append(f"{page.url}: {msg.text}")
                if msg.type == "error" and not msg.text.startswith("Failed to load resource")
                else None
            ),
        )

    def make(**kwargs: Any) -> Any:
        context = browser.new_context(
            base_url=console_server.base_url,
            viewport={"width": 1440, "height": 900},
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            **kwargs,
        )
        context.set_default_timeout(10_000)
        context.on("page", watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


def login(page: Any, username: str, password: str = PASSWORD) -> Any:
    """Sign in through the real form; returns the response of the form's POST."""
    page.goto("/console/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    with page.expect_response(
        lambda r: r.url.endswith("/console/login") and r.request.method == "POST"
    ) as info:
        page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state("domcontentloaded")
    return info.value


@pytest.fixture
def sign_in() -> Callable[..., Any]:
    return login


@pytest.fixture
def staff_page(new_context: Callable[..., Any]) -> Callable[[str], Any]:
    """A page signed in as the given staff member, on the queue."""

    def make(username: str) -> Any:
        page = new_context().new_page()
        login(page, username)
        page.wait_for_url(re.compile(r"/console/$"))
        return page

    return make
