"""Structured replies (``bot.blocks``) rendered for the media that show more than plain text.

Each channel's send takes the payload the hub queued: ``text`` (the plain rendering, what
every medium can show) and, for a composed answer, ``blocks`` (``dataclasses.asdict`` of
``bot.blocks.Block``). A renderer here turns the blocks into that medium's message; a payload
without blocks is sent as text, as before. The web chat renders the same blocks in the
browser (``static/chat.js``, ``renderCard``); the phone keeps its own speech rendering.

- Telegram: HTML parse mode (every catalogue text escaped), the title in bold, the citation
  as a link, and the aspect menu as an inline keyboard whose buttons send the option's digit.
- Zalo Official Account: the plain text (menu line included, so a digit typed works) plus
  up to ``ZALO_MAX_BUTTONS`` "oa.query.show" buttons, which send the digit as the citizen's
  message.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from bot.blocks import Block, Option, from_dict, render_text

TELEGRAM_MAX_TEXT = 4096
ZALO_MAX_BUTTONS = 5  # a consultation message carries at most five buttons
ZALO_BUTTON_TITLE = 100  # characters of a button's title


def payload_blocks(payload: Mapping[str, Any]) -> list[Block]:
    """The blocks a queued payload carries; [] when it has none or they are unreadable
    (an older row, a hand-made payload): the text is then sent as it is."""
    raw = payload.get("blocks")
    if not isinstance(raw, list) or not raw:
        return []
    try:
        return [from_dict(item) for item in raw if isinstance(item, Mapping)]
    except (KeyError, TypeError, ValueError):
        return []


def menu_options(blocks: Sequence[Block]) -> list[Option]:
    return [option for block in blocks if block.kind == "options" for option in block.options]


# -- Telegram -------------------------------------------------------------------------------------
def telegram_html(blocks: Sequence[Block]) -> str:
    """The primary blocks as Telegram HTML; the options are left to the keyboard."""
    parts = []
    for block in blocks:
        if not block.primary or block.kind == "options":
            continue
        rendered = _telegram_block(block)
        if rendered:
            parts.append(rendered)
    text = "\n\n".join(parts)
    if len(text) > TELEGRAM_MAX_TEXT:
        # Never cut inside a tag: the plain rendering, escaped, always parses.
        text = html.escape(render_text(blocks))[:TELEGRAM_MAX_TEXT]
    return text


def _telegram_block(block: Block) -> str:
    lines = []
    if block.title:
        lines.append(f"<b>{html.escape(block.title)}</b>")
    for line in block.lines:
        escaped = html.escape(line)
        if block.kind == "citation" and block.url and _safe_url(block.url):
            link = f'<a href="{html.escape(block.url, quote=True)}">{html.escape(block.url)}</a>'
            escaped = escaped.replace(html.escape(block.url), link)
        lines.append(escaped)
    return "\n".join(lines)


def telegram_buttons(blocks: Sequence[Block], prefix: str) -> list[dict[str, str]]:
    """Inline keyboard buttons ({"text", "data"}) for the options: "1 giấy tờ" → "opt:1"."""
    return [{"text": f"{o.send} {o.label}", "data": f"{prefix}{o.send}"} for o in menu_options(blocks)]


# -- Zalo Official Account ------------------------------------------------------------------------
def zalo_buttons(blocks: Sequence[Block]) -> list[dict[str, str]]:
    """ "oa.query.show" buttons for the options; with more options than Zalo takes, the
    staff choice stays (it must always be one tap away) and the last aspects go — the menu
    line of the text still lists every option."""
    options = menu_options(blocks)
    if len(options) > ZALO_MAX_BUTTONS:
        staff = [o for o in options if o.key == "staff"]
        others = [o for o in options if o.key != "staff"]
        options = others[: ZALO_MAX_BUTTONS - len(staff)] + staff
    return [
        {"title": f"{o.send} {o.label}"[:ZALO_BUTTON_TITLE], "type": "oa.query.show", "payload": o.send}
        for o in options
    ]


def _safe_url(url: str) -> bool:
    return url.startswith(("https://", "http://")) and not any(c.isspace() for c in url)
