"""Structured replies: an answer as blocks of data that each medium renders its own way.

The composer (``bot.compose``) builds a procedure answer as blocks (summary, documents, fees,
time, channels, where, online link, citation, options, notice); the plain text of the
*primary* blocks is the chat message (the API's ``answer``, the CLI, SMS-like channels),
while richer media also show the other blocks on request: the web chat as expandable
sections, Telegram as HTML with an inline keyboard of the options, Zalo as text with quick
replies. Nothing here knows a channel: renderers for a medium live with the channels.

Blocks are plain dataclasses of strings and lists, so ``dataclasses.asdict`` gives JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS: tuple[str, ...] = (
    "summary",  # the procedure's title (``title``) and, for an overview, its key facts
    "documents",
    "fees",
    "time",
    "channels",
    "where",
    "online",
    "citation",  # ``code`` and ``url`` of the catalogue record; ``lines`` the sentence citing it
    "options",  # ``options`` to choose from; ``title`` the sentence leading the menu
    "notice",  # what the citizen must know besides the answer ("check the official page")
    "related",  # other procedures the search found
    "text",  # text without structure (a reply composed as text, a centre's address)
)
MENU_SEP = " · "


@dataclass(slots=True)
class Option:
    """One choice: ``send`` is what a button sends back as the citizen's message (its digit)."""

    key: str
    label: str
    send: str


@dataclass(slots=True)
class Block:
    kind: str
    title: str = ""
    lines: list[str] = field(default_factory=list)
    url: str = ""
    code: str = ""
    options: list[Option] = field(default_factory=list)
    # True: part of the first message (the chat text); False: shown on request (an
    # expandable section, a button), never dropped.
    primary: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}; expected one of {KINDS}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def menu_line(options: Sequence[Option]) -> str:
    """ "1 giấy tờ · 2 lệ phí · 0 gặp tổng đài viên": a menu a caller can answer with a digit."""
    return MENU_SEP.join(f"{o.send} {o.label}" for o in options)


def block_text(block: Block) -> str:
    """One block as plain text: its title line, its lines, a menu on one line."""
    lines = [block.title] if block.title else []
    lines += block.lines
    if block.kind == "options" and block.options:
        menu = menu_line(block.options)
        if lines:
            lines[-1] = f"{lines[-1]} {menu}"
        else:
            lines.append(menu)
    return "\n".join(line for line in lines if line)


def render_text(blocks: Iterable[Block], *, primary_only: bool = True) -> str:
    """The chat text: primary blocks separated by a blank line (all blocks when asked)."""
    parts = [block_text(b) for b in blocks if b.primary or not primary_only]
    return "\n\n".join(p for p in parts if p)


class Answer(str):
    """A composed answer: the plain text (a ``str``, so every caller of the composer keeps
    working) that also carries the blocks it was rendered from. ``bot.reply.Reply`` takes
    the blocks from it; any string operation gives a plain ``str`` again."""

    blocks: tuple[Block, ...]

    def __new__(cls, blocks: Sequence[Block]) -> Answer:
        self = super().__new__(cls, render_text(blocks))
        self.blocks = tuple(blocks)
        return self


def from_dict(data: Mapping[str, Any]) -> Block:
    options = [Option(str(o["key"]), str(o["label"]), str(o["send"])) for o in data.get("options") or []]
    return Block(
        kind=str(data["kind"]),
        title=str(data.get("title") or ""),
        lines=[str(line) for line in data.get("lines") or []],
        url=str(data.get("url") or ""),
        code=str(data.get("code") or ""),
        options=options,
        primary=bool(data.get("primary", True)),
    )


def reconcile(blocks: Sequence[Block], answer: str) -> list[Block]:
    """The blocks of a reply whose text was extended after composing (a centre's address
    appended, a place change put before): the extra text becomes a ``text`` block at the
    same place, so that a medium rendering the blocks shows what the plain text says."""
    if not blocks:
        return []
    composed = render_text(blocks)
    if answer == composed:
        return list(blocks)
    if answer.startswith(composed):
        extra = answer[len(composed) :].strip("\n")
        return [*blocks, Block("text", lines=extra.split("\n"))] if extra else list(blocks)
    if answer.endswith(composed):
        extra = answer[: len(answer) - len(composed)].strip("\n")
        return [Block("text", lines=extra.split("\n")), *blocks] if extra else list(blocks)
    # Rewritten: the text is what the citizen must see; the blocks no longer describe it.
    return [Block("text", lines=answer.split("\n"))]
