"""The bot's only doors to the rest of the system (``bot → handoff`` through these).

``handoff`` implements ``CaseOpener``; tests and tools may pass any object with the same
method. The packet is everything staff need so that nobody asks the citizen twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from bot.reply import HandoffRef


@dataclass(slots=True)
class HandoffPacket:
    conversation_id: str
    channel: str
    language: str
    reason: str  # talk_to_human | complaint | failures | abuse | dossier | low_confidence
    channel_user_id: str | None = None
    display_name: str | None = None
    # [{"intent": str, "confidence": float}] best first
    intents: list[dict[str, Any]] = field(default_factory=list)
    # [{"code", "name", "score", "url"}] best first
    procedures: list[dict[str, Any]] = field(default_factory=list)
    place: dict[str, Any] | None = None  # {"code", "name", "province"}
    centre: dict[str, Any] | None = None  # {"name", "address", "phone"}
    dossier: dict[str, Any] | None = None  # {"code", "status", "office", "due_date", ...}
    bot_told: list[str] = field(default_factory=list)  # the bot's replies so far, newest last
    last_message: str = ""  # the citizen's message that triggered the handoff
    speech_confidence: float | None = None  # phone calls
    callback_number: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class QueueInfo:
    position: int  # 1 = next to be served; 0 = a person already holds the case
    estimated_wait_minutes: int | None
    open_now: bool  # within staff working hours
    next_open: str | None = None  # ISO 8601 local time staff are next at work, when closed


class CaseOpener(Protocol):
    def open_case(self, packet: HandoffPacket) -> HandoffRef:
        """Create (or reopen) the case for this conversation and return its id and status."""
        ...

    def queue_info(self, case_id: str) -> QueueInfo | None: ...

    def set_callback(self, case_id: str, number: str) -> None:
        """Keep the number staff should call back (outside working hours)."""
        ...
