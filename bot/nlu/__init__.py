"""Natural-language understanding: one Rasa-format training set (``bot/data``), two engines.

``builtin`` (default) is trained from the same files at index time; ``rasa`` calls a real
Rasa Open Source server and falls back to ``builtin`` when that server is down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

INTENTS = (
    "greet",
    "goodbye",
    "thanks",
    "ask_procedure",
    "ask_documents",
    "ask_fee",
    "ask_duration",
    "ask_where",
    "ask_online",
    "ask_place_change",
    "dossier_status",
    "talk_to_human",
    "complaint",
    "affirm",
    "deny",
    "choose_option",
    "out_of_scope",
    "abuse",
)


@dataclass(slots=True)
class Entity:
    entity: str  # procedure | place | dossier_code | option | language
    value: str
    start: int = 0
    end: int = 0


@dataclass(slots=True)
class Parse:
    intent: str
    confidence: float
    ranking: list[tuple[str, float]] = field(default_factory=list)  # best first
    entities: list[Entity] = field(default_factory=list)
    engine: str = "builtin"  # which engine produced this parse (rasa falls back visibly)


class NLUEngine(Protocol):
    name: str

    def parse(self, text: str) -> Parse: ...
