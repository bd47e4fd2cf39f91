"""What the assistant remembers of one conversation between turns.

The state is a plain dataclass serialised to JSON (stored with the conversation), so any
process can answer the next message. It keeps only what the next turn needs: language,
the procedure(s) and place being discussed, a pending question (numbered options, a
handoff offer, a callback number), counters, and the last things the bot said (for the
handoff packet).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

BOT_TOLD_KEPT = 6
BOT_TOLD_CHARS = 600


@dataclass(slots=True)
class Pending:
    """A question the bot asked and whose answer may be just a digit or "yes"."""

    kind: str  # choose_procedure | choose_place | choose_aspect | handoff_offer | callback_number | dossier_code
    options: list[str] = field(default_factory=list)  # procedure codes / places / aspect keys, in order
    focus: str | None = None  # the aspect the citizen asked about, kept for the choice
    reason: str | None = None  # handoff_offer: why staff was offered
    # choose_place: the question asked with the place, answered once the place is chosen
    question: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pending:
        return cls(
            kind=str(data.get("kind", "")),
            options=[str(o) for o in data.get("options", [])],
            focus=data.get("focus"),
            reason=data.get("reason"),
            question=data.get("question"),
        )


@dataclass(slots=True)
class DialogueState:
    language: str | None = None
    language_chosen: bool = False  # set explicitly by the citizen ("English please", /lang)
    procedures: list[dict[str, Any]] = field(default_factory=list)  # current first: code, name, score, url
    place: dict[str, Any] | None = None  # {"code", "name", "province"}
    pending: Pending | None = None
    turns: int = 0
    failures: int = 0  # consecutive turns the bot could not answer
    abuse: int = 0
    case_id: str | None = None
    dossier: dict[str, Any] | None = None
    intents: list[dict[str, Any]] = field(default_factory=list)  # last parse ranking
    bot_told: list[str] = field(default_factory=list)

    @property
    def procedure_code(self) -> str | None:
        return str(self.procedures[0]["code"]) if self.procedures else None

    def told(self, answer: str) -> None:
        if not answer:
            return
        self.bot_told.append(answer[:BOT_TOLD_CHARS])
        del self.bot_told[:-BOT_TOLD_KEPT]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> DialogueState:
        if not data:
            return cls()
        pending = data.get("pending")
        return cls(
            language=data.get("language"),
            language_chosen=bool(data.get("language_chosen", False)),
            procedures=list(data.get("procedures") or []),
            place=data.get("place"),
            pending=Pending.from_dict(pending) if isinstance(pending, dict) else None,
            turns=int(data.get("turns", 0)),
            failures=int(data.get("failures", 0)),
            abuse=int(data.get("abuse", 0)),
            case_id=data.get("case_id"),
            dossier=data.get("dossier"),
            intents=list(data.get("intents") or []),
            bot_told=[str(t) for t in data.get("bot_told") or []],
        )
