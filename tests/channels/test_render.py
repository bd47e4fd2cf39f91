"""Structured replies rendered per medium (channels/render.py): Telegram HTML, Zalo quick replies."""

from __future__ import annotations

import json
from dataclasses import asdict
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot import compose
from bot.blocks import Block, Option
from channels import render
from knowledge.models import Document, Procedure, SubmissionChannel

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "catalogue.jsonl"


def sample(code: str) -> Procedure:
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and json.loads(line)["code"] == code:
            return Procedure.from_dict(json.loads(line))
    raise KeyError(code)


class _Text(HTMLParser):
    """What a client parsing the HTML shows: the text, and the tags it met."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def payload(blocks: list[Block]) -> dict[str, object]:
    """What the hub queues: the blocks as JSON, read back as the outbox stores them."""
    return json.loads(json.dumps({"text": "x", "blocks": [asdict(b) for b in blocks]}, ensure_ascii=False))


def test_telegram_html_escapes_catalogue_text_and_links_the_source_once() -> None:
    proc = Procedure(
        "9.000001",
        "Thủ tục <b>thử</b> & kiểm tra",
        implementing_agency="Sở <Nội vụ> & Ủy ban",
        channels=[SubmissionChannel("in_person", "5 Ngày làm việc", 5, True, "10.000 đồng <mỗi lần>", 10000)],
        documents=[Document("Tờ khai <mẫu 01> & bản sao")],
        url="https://dichvucong.gov.vn/p?ma=1&x=<2>",
    )
    answer = compose.procedure_answer(proc, "vi", "documents")
    blocks = render.payload_blocks(payload(list(answer.blocks)))
    html = render.telegram_html(blocks)
    assert html.startswith("<b>Thủ tục &lt;b&gt;thử&lt;/b&gt; &amp; kiểm tra</b>")
    assert "Tờ khai &lt;mẫu 01&gt; &amp; bản sao" in html
    assert "<mẫu" not in html and "& " not in html
    # Parsed as HTML, it reads back as the chat text without its menu line (that is the
    # keyboard); the only tags are the title's bold and the source's link.
    parsed = _Text()
    parsed.feed(html)
    menu_free = str(answer).rsplit("\n\n", 1)[0]
    assert "".join(parsed.text) == menu_free
    assert set(parsed.tags) == {"b", "a"} and parsed.tags.count("a") == 1
    assert 'href="https://dichvucong.gov.vn/p?ma=1&amp;x=&lt;2&gt;"' in html
    assert "Phí, lệ phí" not in html  # the other aspects are not in the message


def test_telegram_buttons_send_the_digits() -> None:
    answer = compose.procedure_answer(sample("1.014064"), "vi", "fee")
    buttons = render.telegram_buttons(list(answer.blocks), "opt:")
    assert buttons[0] == {"text": "1 giấy tờ", "data": "opt:1"}
    assert buttons[-1] == {"text": "0 gặp tổng đài viên", "data": "opt:0"}
    assert len(buttons) == 5


def test_a_link_that_is_not_http_is_never_a_link() -> None:
    block = Block("citation", lines=["Nguồn: javascript:alert(1)"], url="javascript:alert(1)", code="1")
    assert "<a" not in render.telegram_html([block])


def test_zalo_keeps_at_most_five_buttons_and_always_the_person() -> None:
    overview = compose.procedure_answer(sample("1.001193"), "vi")  # five aspects + staff
    buttons = render.zalo_buttons(list(overview.blocks))
    assert len(buttons) == 5
    assert [b["payload"] for b in buttons] == ["1", "2", "3", "4", "0"]
    assert all(b["type"] == "oa.query.show" and len(b["title"]) <= 100 for b in buttons)
    # The text keeps the whole menu, so "5" typed still works.
    assert "5 nộp trực tuyến" in overview


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        "blocks",
        [{"kind": "picture"}],
        [{"lines": ["no kind"]}],
        [{"kind": "text", "options": [{}]}],
    ],
)
def test_unreadable_blocks_fall_back_to_text(raw: object) -> None:
    assert render.payload_blocks({"text": "Xin chào", "blocks": raw}) == []


def test_a_menu_without_options_block_gives_no_buttons() -> None:
    text_only = [Block("text", lines=["Xin chào"])]
    assert render.telegram_buttons(text_only, "opt:") == [] and render.zalo_buttons(text_only) == []
    menu = Block("options", options=[Option("fee", "lệ phí", "1")])
    assert render.telegram_html([*text_only, menu]) == "Xin chào"
