"""Structured replies: the aspect menu, the blocks of a procedure answer and their renderings."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from bot import compose, i18n
from bot.blocks import Answer, Block, Option, block_text, render_text
from bot.reply import Reply
from knowledge.glossary import default_glossary
from knowledge.models import Document, Procedure, SubmissionChannel

LANGS = ("vi", "en", "fr", "es", "zh", "ko", "ja")


@pytest.mark.parametrize("lang", LANGS)
def test_aspect_options_every_language_leaves_out_the_aspect_answered(lang: str) -> None:
    full = compose.aspect_options(lang)
    assert [key for key, _ in full] == ["documents", "fee", "time", "where", "online"]
    assert all(label and "{" not in label for _, label in full)
    assert len({label for _, label in full}) == 5
    assert [key for key, _ in compose.aspect_options(lang, "fee")] == ["documents", "time", "where", "online"]
    # The composer's "duration" focus is the menu's "time".
    assert "time" not in dict(compose.aspect_options(lang, "duration"))
    assert "time" not in dict(compose.aspect_options(lang, "time"))


def test_aspect_labels_in_vietnamese() -> None:
    assert dict(compose.aspect_options("vi")) == {
        "documents": "giấy tờ",
        "fee": "lệ phí",
        "time": "thời hạn",
        "where": "nơi nộp",
        "online": "nộp trực tuyến",
    }
    assert compose.aspect_options("en-US", "overview") == compose.aspect_options("en")


# --------------------------------------------------------------- on real catalogue records

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "catalogue.jsonl"
FOCUSES = compose.FOCUSES


@pytest.fixture(scope="module")
def records() -> dict[str, Procedure]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    procs = [Procedure.from_dict(json.loads(line)) for line in lines if line.strip()]
    return {p.code: p for p in procs}


def test_every_first_message_fits_and_cites_once(records: dict[str, Procedure]) -> None:
    for proc in records.values():
        for lang in LANGS:
            for focus in FOCUSES:
                answer = compose.procedure_answer(proc, lang, focus)
                assert len(answer) <= compose.FIRST_MESSAGE_CHARS, (proc.code, lang, focus, answer)
                assert answer.count(proc.url) == 1, (proc.code, lang, focus)
                assert answer.count(proc.code) == 1  # the code once, in the citation
                # The numbered menu closes the message; it offers staff as 0.
                last = answer.split("\n\n")[-1]
                assert last.endswith(f"0 {i18n.MESSAGES[lang]['aspect_staff']}")
                assert "1 " in last


def test_the_plain_text_is_the_primary_blocks(records: dict[str, Procedure]) -> None:
    answer = compose.procedure_answer(records["1.001193"], "vi", "fee")
    assert isinstance(answer, str) and isinstance(answer, Answer)
    assert str(answer) == render_text(answer.blocks)
    kinds = [b.kind for b in answer.blocks if b.primary]
    assert kinds == ["summary", "fees", "citation", "options"]
    # The other aspects travel with it, for the media that show them on request.
    assert {b.kind for b in answer.blocks if not b.primary} >= {"documents", "time", "where", "online"}
    json.dumps([asdict(b) for b in answer.blocks], ensure_ascii=False)  # JSON as it is


def test_main_documents_come_before_special_cases(records: dict[str, Procedure]) -> None:
    proc = records["1.001193"]
    first = compose.procedure_answer(proc, "vi", "documents")
    assert "Tờ khai đăng ký khai sinh" in first and "Giấy chứng sinh" in first
    assert "bỏ rơi" not in first  # a particular case waits for the full list...
    assert "giấy tờ cho" in first and "trang chính thức" in first  # ...which the message announces
    full = compose.procedure_answer(proc, "vi", "documents", full=True)
    assert full.index("Tờ khai đăng ký khai sinh") < full.index("Giấy chứng sinh") < full.index("bỏ rơi")
    # Never dropped: the documents section on request lists every document.
    section = next(b for b in first.blocks if b.kind == "documents" and not b.primary)
    assert not section.primary
    assert len([line for line in section.lines if line.startswith("•")]) == len(proc.documents)


def test_document_order_as_the_national_portal_publishes_it() -> None:
    # The portal's list puts edge cases first under "Giấy tờ phải nộp", the form under a long
    # heading at the end, and notes in between.
    docs = [
        Document("Trường hợp trẻ em bị bỏ rơi thì phải có biên bản", group="Giấy tờ phải nộp"),
        Document("Văn bản ủy quyền trong trường hợp ủy quyền", group="Giấy tờ phải nộp"),
        Document("Giấy chứng sinh; nếu không có thì văn bản của người làm chứng", group="Giấy tờ phải nộp"),
        Document("Hộ chiếu/Thẻ căn cước", group="Giấy tờ phải xuất trình"),
        Document("Cá nhân có quyền lựa chọn nơi đăng ký", group="Lưu ý"),
        Document(
            "Tờ khai đăng ký khai sinh theo mẫu", group="Người có yêu cầu thực hiện việc nộp/xuất trình"
        ),
    ]
    ordered = [d.name.split()[0] for d in compose.ordered_documents(Procedure("1", "x", documents=docs))]
    assert ordered == ["Tờ", "Giấy", "Hộ", "Trường", "Văn", "Cá"]
    # Among particular cases, the one with fewer qualifiers first; a case keeps its documents.
    cases = [
        Document("A1", group="Đăng ký tại cơ sở tín ngưỡng, cơ sở tôn giáo có công trình phụ trợ"),
        Document("B1", group="Đăng ký vào chỗ ở hợp pháp do thuê"),
        Document("A2", group="Đăng ký tại cơ sở tín ngưỡng, cơ sở tôn giáo có công trình phụ trợ"),
    ]
    ordered = [d.name for d in compose.ordered_documents(Procedure("1", "x", documents=cases))]
    assert ordered == ["B1", "A1", "A2"]


@pytest.mark.parametrize(
    ("code", "figures"),
    [
        ("3.000347", ["135.000 đồng", "115.000 đồng"]),  # the online rate is in the note
        ("1.014064", ["35.000 đồng", "70.000 đồng"]),
        ("1.001456", ["160.000 đồng", "200.000 đồng", "400.000 đồng"]),
        ("1.001612", ["150.000 đồng", "50.000 đồng"]),  # no parsed amount: the published words
        ("2.000635", ["8.000 đồng/bản sao"]),
    ],
)
def test_fee_amounts_are_shown_in_figures(
    records: dict[str, Procedure], code: str, figures: list[str]
) -> None:
    text = compose.procedure_answer(records[code], "vi", "fee")
    for figure in figures:
        assert figure in text
    assert "Việt Nam Đồng(" not in text


def test_every_catalogue_amount_reaches_the_fee_answer(records: dict[str, Procedure]) -> None:
    """The dialogue judge looks for the figures ("50.000", "135.000"): each amount in đồng a
    channel's published fee states (two per channel at most) is in the first message."""
    for proc in records.values():
        text = compose.procedure_answer(proc, "vi", "fee")
        for ch in proc.channels:
            amounts = [m.group(1) for m in compose._AMOUNT_RE.finditer(ch.fee)][:2]
            for amount in amounts:
                assert amount in text, (proc.code, amount, text)


def test_time_limits_are_said_with_their_unit(records: dict[str, Procedure]) -> None:
    text = compose.procedure_answer(records["1.001456"], "vi", "duration")
    assert "8 ngày làm việc" in text
    en = compose.procedure_answer(records["1.001456"], "en", "duration")
    assert "8 working days" in en


@pytest.mark.parametrize("lang", LANGS[1:])
def test_foreign_first_messages_keep_the_official_name_and_glossary(
    records: dict[str, Procedure], lang: str
) -> None:
    proc = records["1.001193"]
    text = compose.procedure_answer(proc, lang, "documents")
    assert proc.name in text.splitlines()[0]
    line = next(line for line in text.splitlines() if "Tờ khai đăng ký khai sinh" in line)
    assert default_glossary().translate(proc.documents[0].name, lang) in line


def test_overview_is_a_short_summary(records: dict[str, Procedure]) -> None:
    text = compose.procedure_answer(records["1.014064"], "vi")
    assert "Phí, lệ phí: 35.000 đồng" in text
    assert "Thời hạn giải quyết:" in text and "Nộp trực tuyến: có" in text
    assert "Giấy tờ chính:" in text
    assert text.count("https://") == 1


def test_reply_serialises_blocks_and_keeps_text_added_after_composing(records: dict[str, Procedure]) -> None:
    answer = compose.procedure_answer(records["1.001193"], "vi", "where")
    reply = Reply("c1", "vi", "ask_where", answer)
    assert type(reply.answer) is str and reply.blocks
    reply.answer += "\n\nNơi tiếp nhận hồ sơ của Phường Hải Châu:\n• Địa chỉ: 270 Trưng Nữ Vương"
    data = json.loads(json.dumps(reply.to_dict(), ensure_ascii=False))
    assert data["answer"] == reply.answer
    kinds = [b["kind"] for b in data["blocks"]]
    assert kinds[-1] == "text" and "270 Trưng Nữ Vương" in data["blocks"][-1]["lines"][-1]
    assert render_text(reply.structured()) == reply.answer
    # A reply composed as text alone has no blocks.
    assert Reply("c1", "vi", "greet", "Xin chào").to_dict()["blocks"] == []


def test_block_kinds_are_checked() -> None:
    with pytest.raises(ValueError):
        Block("picture")
    menu = Block(
        "options", title="Xem thêm:", options=[Option("fee", "lệ phí", "1"), Option("staff", "x", "0")]
    )
    assert block_text(menu) == "Xem thêm: 1 lệ phí · 0 x"


def test_a_free_fee_whose_note_states_the_licence_fee_shows_that_figure_first() -> None:
    # As the national portal publishes the driving licence (3.000346): "free", then a note
    # listing the test fees and, further on, the licence fee itself.
    note = (
        "Miễn phí(- Phí sát hạch lái xe: + Đối với thi sát hạch lái xe các hạng xe A1, A, B1: Sát hạch "
        "lý thuyết: 60.000 đồng/lần, Sát hạch thực hành: 60.000 đồng/lần; + Đối với thi sát hạch lái xe "
        "ô tô (hạng xe B, C1, C, D1, D2, D, BE, CE, C1E, D1E, D2E, DE): Sát hạch lý thuyết: 100.000 "
        "đồng/lần, Sát hạch thực hành trong hình: 350.000 đồng/lần. - Lệ phí cấp giấy phép lái xe: "
        "135.000 đồng/lần. Trường hợp tổ chức, cá nhân nộp hồ sơ theo hình thức trực tuyến: Kể từ ngày "
        "01/12/2023 đến hết ngày 31/12/2025, áp dụng mức thu lệ phí là 115.000 đồng/lần cấp.)"
    )
    proc = Procedure("3.000346", "Cấp giấy phép lái xe", channels=[SubmissionChannel("online", fee=note)])
    text = compose.procedure_answer(proc, "vi", "fee")
    fee = text.split("\n\n")[1]
    assert fee.startswith(
        "Phí, lệ phí: miễn phí (danh mục ghi: Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần;"
    )
    assert "115.000 đồng/lần cấp" in fee and "60.000 đồng/lần" in fee
    assert len(text) <= compose.FIRST_MESSAGE_CHARS


def test_a_published_fee_in_another_currency_keeps_its_figure_whole() -> None:
    note = "145 USD(Thẻ tạm trú có thời hạn không quá 02 năm: 145 USD/thẻ; " + "ghi chú dài " * 20 + ")"
    channels = [SubmissionChannel(kind, fee=note) for kind in ("online", "post", "in_person")]
    proc = Procedure("1.003460", "Cấp thẻ tạm trú cho người nước ngoài tại Việt Nam", channels=channels)
    for focus in ("fee", "overview"):
        for lang in ("vi", "en"):
            text = compose.procedure_answer(proc, lang, focus)
            # The figure, then the note shortened inside its own parenthesis.
            assert "145 USD(Thẻ tạm trú" in text and "…)" in text, text
