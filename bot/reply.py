"""What the assistant returns for one turn. Channels render it; the API serialises it.

``answer`` is the plain text of the reply (what the API returns as ``answer`` and a text
channel sends); ``blocks`` the same reply as structured data (``bot.blocks``) for the media
that render more than text. A reply composed as text alone has no blocks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.blocks import Block, reconcile, render_text


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
    blocks: list[Block] = field(default_factory=list)

    def __post_init__(self) -> None:
        # The composer returns its text with the blocks attached (``bot.blocks.Answer``):
        # a reply built from it carries them without its caller knowing about blocks.
        carried = getattr(self.answer, "blocks", None)
        if carried is not None:
            if not self.blocks:
                self.blocks = list(carried)
            self.answer = str.__str__(self.answer)

    def insert_text(self, text: str, before: tuple[str, ...] = ("citation", "options")) -> None:
        """Add text that belongs to the answer itself (the office of the citizen's commune)
        before its citation and menu, so that the menu stays the last thing read; a reply
        without blocks gets it at the end."""
        structured = self.structured()
        at = next((i for i, b in enumerate(structured) if b.primary and b.kind in before), None)
        if at is None:
            self.answer = f"{self.answer}\n\n{text}" if self.answer else text
            return
        self.blocks = [*structured[:at], Block("text", lines=text.split("\n")), *structured[at:]]
        self.answer = render_text(self.blocks)

    def structured(self) -> list[Block]:
        """The blocks describing ``answer`` as it is now (text added after composing
        becomes a text block); empty for a reply composed as text alone."""
        return reconcile(self.blocks, self.answer)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["blocks"] = [asdict(b) for b in self.structured()]
        return data
