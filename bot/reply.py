"""What the assistant returns for one turn. Channels render it; the API serialises it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class ProcedureRef:
    code: str
    name: str
    score: float
    url: str


@dataclass(slots=True)
class PlaceRef:
    code: str
    name: str
    province: str


@dataclass(slots=True)
class CentreRef:
    name: str
    address: str
    phone: str


@dataclass(slots=True)
class HandoffRef:
    case_id: str
    status: str


@dataclass(slots=True)
class Reply:
    conversation_id: str
    language: str
    intent: str
    answer: str
    procedures: list[ProcedureRef] = field(default_factory=list)
    place: PlaceRef | None = None
    centre: CentreRef | None = None
    needs_clarification: bool = False
    options: list[str] = field(default_factory=list)
    handoff: HandoffRef | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
