"""Helpers of the handoff tests (importable from the test modules, unlike conftest)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.ports import HandoffPacket
from handoff.auth import StaffService
from handoff.config import HandoffSettings
from handoff.db import Database
from handoff.models import Conversation, Message

# Tuesday 10 March 2026, 09:00 in Hà Nội: within office hours.
WORKING_TIME = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
# Real argon2id, with cheap parameters so that the suite stays fast.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass
class Clock:
    now: datetime = WORKING_TIME

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now = self.now + timedelta(**kwargs)
        return self.now

    def set_local(self, value: str) -> datetime:
        """Set from a Hà Nội local time, e.g. "2026-02-17 10:00"."""
        from zoneinfo import ZoneInfo

        local = datetime.fromisoformat(value).replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
        self.now = local.astimezone(UTC)
        return self.now


def packet(conversation_id: str = "tg-1001", **overrides: Any) -> HandoffPacket:
    base: dict[str, Any] = {
        "conversation_id": conversation_id,
        "channel": "telegram",
        "language": "vi",
        "reason": "talk_to_human",
        "channel_user_id": "1001",
        "display_name": "Lê Văn An",
        "intents": [{"intent": "talk_to_human", "confidence": 0.93}],
        "procedures": [
            {
                "code": "1.001234",
                "name": "Đăng ký khai sinh",
                "score": 0.71,
                "url": "https://dichvucong.gov.vn/p/1",
            }
        ],
        "place": {"code": "20194", "name": "Phường Hải Châu", "province": "Đà Nẵng"},
        "centre": {"name": "Trung tâm PVHCC Đà Nẵng", "address": "24 Trần Phú", "phone": "0236 3822 222"},
        "dossier": None,
        "bot_told": ["Thủ tục Đăng ký khai sinh cần tờ khai và giấy chứng sinh."],
        "last_message": "cho tôi gặp người thật, số tôi 0912 345 678",
    }
    base.update(overrides)
    return HandoffPacket(**base)


def add_conversation(
    db: Database, conversation_id: str, *turns: tuple[str, str, str | None], at: datetime
) -> None:
    """A conversation with (sender, text, intent) turns, stored as the channels store them."""
    with db.session() as s:
        if s.get(Conversation, conversation_id) is None:
            s.add(
                Conversation(
                    id=conversation_id,
                    channel="telegram",
                    channel_user_id=conversation_id,
                    language="vi",
                    state={},
                    created_at=at,
                    updated_at=at,
                )
            )
            s.flush()
        for i, (sender, text, intent) in enumerate(turns):
            s.add(
                Message(
                    conversation_id=conversation_id,
                    channel="telegram",
                    direction="in" if sender == "citizen" else "out",
                    sender=sender,
                    text=text,
                    language="vi",
                    intent=intent,
                    created_at=at + timedelta(seconds=i),
                )
            )


def build_app(db: Database, settings: HandoffSettings, clock: Clock, **kwargs: Any) -> FastAPI:
    """The FastAPI app with the console mounted, as the main app mounts it."""
    from handoff.web import attach_services, mount_console

    app = FastAPI()
    try:
        mount_console(app, db, settings, environment="test", clock=clock, **kwargs)
    except ImportError:  # the console pages are built in parallel; the API does not need them
        from handoff import api

        attach_services(app, db, settings, environment="test", clock=clock, **kwargs)
        app.include_router(api.router)
    app.state.staff = StaffService(db, settings, clock=clock, hasher=FAST_HASHER)
    return app


class Console:
    """One staff member's browser: its own cookie jar and CSRF token."""

    def __init__(self, client: TestClient, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, json: Any = None, *, csrf: str | None = "session", **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}) or {})
        if csrf == "session":
            headers["X-CSRF-Token"] = self.csrf
        elif csrf is not None:
            headers["X-CSRF-Token"] = csrf
        return self.client.post(path, json=json, headers=headers, **kwargs)
