"""The dialogue policy's rules, one behaviour each, without HTTP or the embedding model.

The searcher is a small fake over the bundled sample catalogue (it answers what a test tells
it to, and records what it was asked); places and centres are the real registries of the
bundled sample; cases go to a recording ``CaseOpener``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import compose
from bot.assistant import Assistant, Turn
from bot.dialogue import DialogueState
from bot.ports import HandoffPacket, QueueInfo
from bot.reply import HandoffRef
from knowledge.centres import CentreRegistry
from knowledge.models import Procedure
from knowledge.search import Hit, SearchResult
from knowledge.text import fold
from knowledge.units import UnitRegistry

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"


class _Index:
    def __init__(self, procedures: dict[str, Procedure]) -> None:
        self.procedures = procedures

    def procedure(self, code: str) -> Procedure | None:
        return self.procedures.get(code)


class FakeSearcher:
    """Answers by keywords ("khai sinh" → birth registration); anything else gets
    ``default`` (a confident, unrelated procedure unless a test says otherwise)."""

    def __init__(self, procedures: dict[str, Procedure]) -> None:
        self.index = _Index(procedures)
        self.keywords: dict[str, tuple[str, float]] = {
            "khai sinh": ("1.001193", 0.9),
            "birth": ("1.001193", 0.9),
            "ho chieu": ("1.001456", 0.9),
            "passport": ("1.001456", 0.9),
            "ket hon": ("1.000894", 0.9),
            "khai tu": ("1.000656", 0.9),
            "thuong tru": ("1.004222", 0.9),
            "tam tru": ("1.004194", 0.9),
            "giay phep lai xe": ("3.000347", 0.9),
        }
        # Keywords answered with a family of siblings, best first (none unless a test says).
        self.families: dict[str, list[str]] = {}
        self.default: tuple[str, float] | None = ("1.013978", 0.6)
        self.queries: list[str] = []

    def search(self, text: str, lang: str, k: int = 3, multilingual: bool = True) -> SearchResult:
        self.queries.append(text)
        folded = fold(text)
        for word, codes in self.families.items():
            if word in folded:
                procs = [self.index.procedures[c] for c in codes]
                return SearchResult([Hit(p, 0.9 - i * 0.01, 0.9, 0.9) for i, p in enumerate(procs)], False)
        for word, (code, score) in self.keywords.items():
            if word in folded:
                return SearchResult([Hit(self.index.procedures[code], score, score, score)], False)
        if self.default is None:
            return SearchResult([], True)
        code, score = self.default
        return SearchResult([Hit(self.index.procedures[code], score, score, score)], False)


class RecordingCases:
    def __init__(self) -> None:
        self.packets: list[HandoffPacket] = []

    def open_case(self, packet: HandoffPacket) -> HandoffRef:
        self.packets.append(packet)
        return HandoffRef(f"C{len(self.packets)}", "waiting")

    def queue_info(self, case_id: str) -> QueueInfo | None:
        return QueueInfo(position=1, estimated_wait_minutes=3, open_now=True)

    def set_callback(self, case_id: str, number: str) -> None:
        pass


@pytest.fixture(scope="module")
def registries() -> tuple[dict[str, Procedure], UnitRegistry, CentreRegistry]:
    procedures = {}
    for line in (SAMPLE / "catalogue.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            proc = Procedure.from_dict(json.loads(line))
            procedures[proc.code] = proc
    units = UnitRegistry.from_file(SAMPLE / "units.json")
    centres = CentreRegistry.from_yaml(SAMPLE / "centres.yml", units)
    return procedures, units, centres


@pytest.fixture()
def bot(registries):  # type: ignore[no-untyped-def]
    procedures, units, centres = registries
    searcher = FakeSearcher(procedures)
    cases = RecordingCases()
    assistant = Assistant(searcher, units, centres, cases=cases)  # type: ignore[arg-type]
    return assistant, searcher, cases


def _talk(assistant: Assistant, *texts: str, state: DialogueState | None = None):  # type: ignore[no-untyped-def]
    state = state if state is not None else DialogueState()
    replies = [assistant.handle(Turn(text), state) for text in texts]
    return replies, state


# ------------------------------------------------------------------ follow-ups
@pytest.mark.parametrize(
    ("followup", "intent"),
    [
        ("Cho tôi hỏi thêm: lệ phí bao nhiêu?", "ask_fee"),
        ("À còn nữa, bao lâu thì xong?", "ask_duration"),
        ("thế nộp hồ sơ ở đâu?", "ask_where"),
        ("mang di dau nop vay", "ask_where"),
        ("Làm online được không?", "ask_online"),
    ],
)
def test_a_followup_with_a_lead_in_acts_on_the_current_procedure(bot, followup: str, intent: str) -> None:  # type: ignore[no-untyped-def]
    assistant, searcher, _ = bot
    (first, reply), _ = _talk(assistant, "Tôi muốn đăng ký khai sinh cho con", followup)
    assert first.procedures[0].code == "1.001193"
    # The fake searcher would answer land registration (0.6) to the follow-up on its own.
    assert reply.intent == intent, reply.answer[:200]
    assert [p.code for p in reply.procedures] == ["1.001193"]


@pytest.mark.parametrize(
    ("first", "followup", "intent", "lang"),
    [
        ("How do I register a birth?", "And how long does it take?", "ask_duration", "en"),
        ("How do I register a birth?", "What's the fee for that?", "ask_fee", "en"),
        ("¿Cómo registro un nacimiento (birth)?", "¿Y cuánto demora?", "ask_duration", "es"),
        ("Comment déclarer une naissance (birth) ?", "Et où déposer le dossier ?", "ask_where", "fr"),
        ("出生登记 birth 怎么办？", "大概要几天？", "ask_duration", "zh"),
        ("출생 신고 birth 어떻게 해요?", "얼마나 걸려요?", "ask_duration", "ko"),
        ("出生届 birth の手続きは？", "費用はかかりますか？", "ask_fee", "ja"),
    ],
)
def test_short_followups_in_every_language(bot, first: str, followup: str, intent: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    (_, reply), state = _talk(assistant, first, followup)
    assert reply.intent == intent, reply.answer[:200]
    assert reply.procedures[0].code == "1.001193"
    assert reply.language == lang


def test_a_followup_naming_another_subject_is_a_new_question(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    (_, reply), _ = _talk(assistant, "Tôi muốn đăng ký khai sinh cho con", "lệ phí hộ chiếu bao nhiêu?")
    assert reply.procedures[0].code == "1.001456"


def test_out_of_scope_in_the_middle_keeps_the_subject(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, searcher, _ = bot
    replies, _ = _talk(
        assistant,
        "Tôi muốn đăng ký khai sinh cho con",
        "À mà tỷ giá đô la hôm nay bao nhiêu vậy?",
        "Quay lại chuyện khai sinh: lệ phí bao nhiêu?",
    )
    assert replies[1].intent == "out_of_scope"
    assert replies[2].intent == "ask_fee"
    assert replies[2].procedures[0].code == "1.001193"


def test_a_correction_replaces_the_subject(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    (_, reply), state = _talk(assistant, "thủ tục đăng ký tạm trú", "không phải, ý tôi là thường trú")
    assert reply.procedures[0].code == "1.004222"
    assert state.procedure_code == "1.004222"


# ------------------------------------------------------------------ where, with the commune
def test_where_uses_the_remembered_commune_for_a_commune_level_procedure(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    (_, reply), _ = _talk(
        assistant, "Tôi ở phường Hải Châu", "Đăng ký khai sinh cho con thì nộp hồ sơ ở đâu?"
    )
    assert reply.intent == "ask_where"
    assert reply.centre is not None and "Lê Hồng Phong" in reply.centre.address
    assert "Lê Hồng Phong" in reply.answer
    assert compose.say("vi", "where_level_commune", commune="Phường Hải Châu") in reply.answer


def test_a_commune_named_during_a_procedure_gets_where_to_submit_it_there(bot) -> None:  # type: ignore[no-untyped-def]
    """ "I live in Hải Châu ward" after a birth question: the office for that procedure in
    that ward, before the citation and with the menu last, not the whole answer again."""
    assistant, searcher, _ = bot
    searcher.default = None  # a place names no procedure
    (first, reply), state = _talk(
        assistant, "How do I register the birth of my baby?", "I live in Hai Chau ward"
    )
    assert reply.intent == "ask_where" and reply.language == "en"
    assert reply.procedures[0].code == "1.001193"
    assert reply.centre is not None and "Lê Hồng Phong" in reply.centre.address
    kinds = [b.kind for b in reply.structured() if b.primary]
    assert kinds[-2:] == ["citation", "options"] and "text" in kinds
    assert reply.answer.index("Lê Hồng Phong") < reply.answer.index("Source:")
    assert state.place is not None and state.place["name"] == "Phường Hải Châu"


def test_where_for_a_province_level_procedure_names_the_province_not_the_ward(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    (_, reply), _ = _talk(assistant, "Tôi ở phường Hải Châu", "Làm hộ chiếu thì nộp ở đâu?")
    assert reply.procedures[0].code == "1.001456"
    assert reply.centre is None
    assert "Lê Hồng Phong" not in reply.answer
    assert "cấp tỉnh" in reply.answer and "Đà Nẵng" in reply.answer


def test_where_for_a_ministry_level_procedure_says_so(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    (_, reply), _ = _talk(
        assistant, "I live in Hai Chau ward", "Where do I exchange my driving licence (giấy phép lái xe)?"
    )
    assert reply.procedures[0].code == "3.000347"
    assert reply.centre is None
    assert "central ministry" in reply.answer


def test_a_digit_chooses_among_communes_of_the_same_name_and_is_remembered(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, searcher, _ = bot
    searcher.default = None  # a place alone matches no procedure
    (ask, chosen, where), state = _talk(
        assistant, "Tôi sống ở Hải Châu.", "1", "Đăng ký khai tử thì nộp ở đâu?"
    )
    assert ask.needs_clarification and len(ask.options) == 2
    assert chosen.intent == "choose_option"
    assert chosen.place is not None and chosen.place.name == "Phường Hải Châu"
    assert where.procedures[0].code == "1.000656"
    assert where.centre is not None and "Lê Hồng Phong" in where.centre.address


# ------------------------------------------------------------------ people
@pytest.mark.parametrize(
    "text",
    [
        "bot vô dụng quá, cho gặp người thật đi",
        "Trả lời vòng vo mãi, đúng là vô dụng",
        "this bot is useless",
        "tu ne sers à rien",
        "no sirves para nada",
        "你真没用",
        "정말 쓸모없네요",
        "全然役に立たない",
    ],
)
def test_frustration_opens_a_case_and_is_never_scolded(bot, text: str) -> None:  # type: ignore[no-untyped-def]
    assistant, _, cases = bot
    (reply,), _ = _talk(assistant, text)
    assert reply.handoff is not None, reply.answer
    assert reply.intent in ("talk_to_human", "complaint")
    assert compose.say(reply.language, "abuse_warning") not in reply.answer


def test_a_complaint_that_asks_for_an_officer_keeps_its_priority(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, _, cases = bot
    (reply,), _ = _talk(assistant, "Tôi muốn khiếu nại thái độ cán bộ, cho tôi gặp lãnh đạo")
    assert reply.handoff is not None
    assert cases.packets[-1].reason == "complaint"


# ------------------------------------------------------------------ language
@pytest.mark.parametrize("small", ["cảm ơn", "ok", "1", "0905 123 456", "👍", "gracias", "merci"])
def test_short_messages_never_change_the_language(bot, small: str) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    (_, reply), state = _talk(assistant, "How do I register a birth?", small)
    assert reply.language == "en"
    assert state.language == "en"


def test_a_place_name_does_not_change_the_language(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    (_, reply), _ = _talk(assistant, "How do I register a birth?", "I live in Hai Chau ward")
    assert reply.language == "en"


def test_ok_as_a_first_message_is_answered_in_the_default_language(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    (reply,), _ = _talk(assistant, "ok")
    assert reply.language == "vi"


def test_an_explicit_request_with_a_question_switches_and_answers(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    (_, reply, after), _ = _talk(
        assistant,
        "Tôi muốn đăng ký khai sinh cho con",
        "Can you answer in English, please? How much is the fee?",
        "cảm ơn",
    )
    assert reply.language == "en" and reply.intent == "ask_fee"
    assert reply.procedures[0].code == "1.001193"
    assert after.language == "en"


def test_a_long_enough_message_in_another_language_switches(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    (_, reply), _ = _talk(
        assistant, "How do I register a birth?", "Tôi muốn hỏi về đăng ký khai sinh cho con"
    )
    assert reply.language == "vi"


# ------------------------------------------------------------------ long messages
def test_a_long_message_is_answered_from_its_question(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, searcher, _ = bot
    story = (
        "Dạ em chào anh chị. Em ở phường Hải Châu, năm ngoái em đã làm hộ chiếu và đăng ký kết hôn ở đây. "
        "Vợ em quê ở xa, gia đình hai bên đều đông anh em, mọi người hay góp ý đủ thứ chuyện. "
        "Công việc của em bận rộn, tuần nào cũng đi công tác, chỉ có cuối tuần là ở nhà với vợ con. "
        "Tháng trước vợ em sinh bé đầu lòng ở bệnh viện, mẹ tròn con vuông, cả nhà ai cũng mừng. "
        "Ông bà nội ngoại thay nhau lên chăm cháu, nhà cửa lúc nào cũng đông vui. "
        "Họ hàng mỗi người khuyên một kiểu, người bảo phải đợi đủ tháng, người bảo làm ngay mới kịp. "
        "Em đi làm cả tuần, chỉ rảnh sáng thứ Bảy, mà cũng không biết sáng thứ Bảy phường có làm việc không. "
        "Vợ em thì còn yếu, chưa đi lại được nhiều, nên mọi việc giấy tờ trong nhà bây giờ em phải lo hết. "
        "Vậy cho em hỏi: làm giấy khai sinh cho bé thì cần những giấy tờ gì ạ? Em cảm ơn."
    )
    (reply,), _ = _talk(assistant, story)
    assert reply.procedures[0].code == "1.001193", searcher.queries
    assert "khai sinh" in searcher.queries[-1] and "hộ chiếu" not in searcher.queries[-1]


# ------------------------------------------------------------------ aspect menu
def test_a_digit_after_a_procedure_answer_picks_an_aspect(bot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    options = [("documents", "giấy tờ"), ("fee", "lệ phí"), ("where", "nơi nộp"), ("online", "trực tuyến")]
    monkeypatch.setattr(compose, "aspect_options", lambda lang, focus: options, raising=False)
    assistant, _, cases = bot
    (_, fee, staff), state = _talk(assistant, "Tôi muốn đăng ký khai sinh cho con", "2", "0")
    assert fee.intent == "ask_fee" and fee.procedures[0].code == "1.001193"
    assert staff.handoff is not None


def test_an_aspect_picked_from_the_menu_comes_in_full(bot) -> None:  # type: ignore[no-untyped-def]
    """The first answer is short; the aspect the citizen picks from its menu comes whole."""
    assistant, searcher, _ = bot
    keys = [key for key, _ in compose.aspect_options("vi", "overview")]
    digit = str(keys.index("documents") + 1)
    (first, documents), state = _talk(assistant, "Tôi muốn đăng ký khai sinh cho con", digit)
    proc = searcher.index.procedure("1.001193")
    assert first.intent == "ask_procedure" and documents.intent == "ask_documents"
    assert documents.answer == str(compose.procedure_answer(proc, "vi", "documents", [], full=True))
    assert len(documents.answer) > len(str(compose.procedure_answer(proc, "vi", "documents", [])))
    assert state.pending is not None and state.pending.kind == "choose_aspect"


@pytest.mark.parametrize(("text", "lang"), [("ok", "en"), ("👍", "en"), ("vâng ạ", "vi"), ("好的", "zh")])
def test_an_acknowledgement_is_answered_politely_not_as_a_failed_search(bot, text: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    assistant, searcher, _ = bot
    first = {"en": "How do I register a birth?", "vi": "đăng ký khai sinh", "zh": "出生登记 birth 怎么办？"}[
        lang
    ]
    (_, reply), state = _talk(assistant, first, text)
    assert reply.intent == "acknowledge"
    assert reply.answer == compose.say(lang, "acknowledged")
    assert state.failures == 0


def test_a_return_to_an_earlier_subject_that_is_not_the_current_one_searches_it(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    replies, _ = _talk(
        assistant,
        "Tôi muốn làm hộ chiếu",
        "Còn đăng ký kết hôn thì sao?",
        "Quay lại chuyện hộ chiếu: lệ phí bao nhiêu?",
    )
    assert replies[1].procedures[0].code == "1.000894"
    assert replies[2].procedures[0].code == "1.001456"
    assert replies[2].intent == "ask_fee"


def test_a_price_question_stays_out_of_scope_even_when_a_procedure_matches_strongly(bot) -> None:  # type: ignore[no-untyped-def]
    """ "Giá vàng hôm nay" shares words with the gold-trading licence; only asking for the
    licence gets it."""
    assistant, searcher, _ = bot
    searcher.default = ("1.013978", 0.9)
    (price,), _ = _talk(assistant, "giá vàng hôm nay bao nhiêu")
    assert price.intent == "out_of_scope" and price.procedures == []
    (licence,), _ = _talk(assistant, "xin giấy phép kinh doanh mua bán vàng cần gì")
    assert licence.procedures and licence.procedures[0].code == "1.013978"


@pytest.mark.parametrize(
    "lang_question", [("vi", "Tôi muốn đăng ký khai sinh cho con"), ("en", "How do I register a birth?")]
)
def test_every_aspect_of_the_menu_can_be_picked(bot, lang_question) -> None:  # type: ignore[no-untyped-def]
    """Each digit of the menu answers its aspect (the menu's "time" is the composer's
    "duration"): none fails."""
    lang, question = lang_question
    assistant, _, _ = bot
    expected = {
        "documents": "ask_documents",
        "fee": "ask_fee",
        "time": "ask_duration",
        "where": "ask_where",
        "online": "ask_online",
    }
    for number, (key, _) in enumerate(compose.aspect_options(lang, "overview"), 1):
        (_, picked), _ = _talk(assistant, question, str(number))
        assert picked.intent == expected[key], key
        assert picked.procedures[0].code == "1.001193"


@pytest.mark.parametrize(
    ("text", "lang", "intent"),
    [("Mất bao lâu?", "vi", "ask_duration"), ("¿Y cuánto cuesta?", "es", "ask_fee")],
)
def test_an_aspect_asked_before_choosing_is_answered_for_every_option(bot, text, lang, intent) -> None:  # type: ignore[no-untyped-def]
    """Options open, "how long?" asked instead of a digit: one line per option, the question
    stays open, and the digit then gives that option's answer on that aspect."""
    from bot.dialogue import Pending

    assistant, searcher, _ = bot
    state = DialogueState(language=lang)
    state.pending = Pending("choose_procedure", ["1.001193", "1.000656"], reason="siblings")
    (compared, chosen), state = _talk(assistant, text, "2", state=state)
    assert compared.intent == intent and compared.needs_clarification
    assert [p.code for p in compared.procedures] == ["1.001193", "1.000656"]
    assert compared.answer.startswith(compose.say(lang, "depends_on_case"))
    assert "1. " in compared.answer and "2. " in compared.answer and len(compared.options) == 2
    assert chosen.procedures[0].code == "1.000656" and chosen.intent == intent


# ------------------------------------------------------------------ seams between turns
@pytest.mark.parametrize(
    ("where", "choice", "lang"),
    [
        ("Nộp ở đâu? Tôi ở Hải Châu.", "1", "vi"),
        ("I live in Hai Chau. Where do I go?", "the first one", "en"),
        ("Où déposer le dossier ? J'habite à Hải Châu.", "le premier", "fr"),
        ("¿Dónde lo presento? Vivo en Hải Châu.", "el primero", "es"),
        ("我住在Hải Châu，去哪里办？", "第一个", "zh"),
        ("Hải Châu에 살아요. 어디에 제출해요?", "첫 번째", "ko"),
        ("Hải Châuに住んでいます。どこに出せばいいですか？", "1番目", "ja"),
    ],
)
def test_a_place_chosen_for_a_where_question_answers_the_procedure_there(bot, where, choice, lang) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    first = {"vi": "Tôi cần đăng ký khai tử cho bố.", "en": "How do I register a death (khai tử)?"}
    replies, state = _talk(assistant, first.get(lang, "khai tử"), where, choice)
    asked, chosen = replies[1], replies[2]
    assert asked.needs_clarification and len(asked.options) >= 2
    assert [p.code for p in chosen.procedures] == ["1.000656"]
    assert chosen.centre is not None and "Lê Hồng Phong" in chosen.centre.address
    assert chosen.language == lang
    # The commune is the conversation's now: the next "where" needs no question.
    assert state.place is not None and state.place["name"].endswith("Hải Châu")


@pytest.mark.parametrize(
    ("followup", "intent"),
    [
        ("Có mất đồng nào không?", "ask_fee"),
        ("Nộp hồ sơ trực tuyến được không?", "ask_online"),
        ("C'est combien ?", "ask_fee"),
        ("Quels papiers ?", "ask_documents"),
        ("¿Cuánto es?", "ask_fee"),
        ("免费吗？", "ask_fee"),
        ("얼마예요?", "ask_fee"),
        ("뭐가 필요해요?", "ask_documents"),
        ("無料ですか？", "ask_fee"),
    ],
)
def test_short_aspect_questions_in_every_language_follow_the_subject(bot, followup, intent) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    replies, _ = _talk(assistant, "Tôi muốn làm hộ chiếu", followup)
    assert replies[1].intent == intent
    assert [p.code for p in replies[1].procedures] == ["1.001456"]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("the first one", 1),
        ("the second option please", 2),
        ("option one", 1),
        ("la deuxième option", 2),
        ("el número 2", 2),
        ("cái thứ hai ạ", 2),
        ("cái đầu tiên", 1),
        ("2nd", 2),
        ("第2个", 2),
        ("두 번째요", 2),
        ("1番目", 1),
        ("二つ目です", 2),
        ("Bon.", None),
        ("tôi muốn hỏi về hộ chiếu", None),
        ("one more question please", None),
    ],
)
def test_an_option_is_read_from_its_ordinal_in_every_language(text: str, number: int | None) -> None:
    from bot.assistant import _option_number

    assert _option_number(text, None) == number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我住在Hòa Khánh，去哪里办？", "我住在 Hòa Khánh，去哪里办？"),
        ("Hòa Khánhに住んでいます。", "Hòa Khánh に住んでいます。"),
        ("I live in Hoa Khanh", "I live in Hoa Khanh"),
    ],
)
def test_a_latin_place_name_inside_cjk_stands_apart(text: str, expected: str) -> None:
    from bot.policy import spaced

    assert spaced(text) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("the foreign one", "en"),
        ("et pour un étranger ?", "fr"),
        ("el extranjero, soy mexicano", "es"),
        ("có yếu tố nước ngoài thì sao", "vi"),
        ("co yeu to nuoc ngoai thi sao", "vi"),
        ("外国人的那个", "zh"),
        ("외국인은요?", "ko"),
        ("外国人の場合は？", "ja"),
    ],
)
def test_a_variant_named_after_an_answer_moves_to_the_sibling(bot, text, lang) -> None:  # type: ignore[no-untyped-def]
    assistant, searcher, _ = bot
    searcher.families = {"ket hon": ["1.000894", "2.000806", "1.000094"]}
    searcher.default = ("1.013978", 0.3)  # the variant's words alone find nothing confident
    state = DialogueState()
    first = assistant.handle(Turn("How do I register a marriage (đăng ký kết hôn)?"), state)
    state.pending = None  # the answer stands (no clarification left open)
    state.procedures = [{"code": "1.000894", "name": first.procedures[0].name, "score": 0.9, "url": ""}]
    reply = assistant.handle(Turn(text), state)
    assert [p.code for p in reply.procedures] == ["2.000806"]


def test_a_new_subject_with_a_party_word_is_not_a_variant(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, searcher, _ = bot
    searcher.families = {"ket hon": ["2.000806", "1.000894"]}
    replies, _ = _talk(assistant, "đăng ký khai sinh cho con", "kết hôn với người nước ngoài thì sao")
    assert replies[1].procedures[0].code == "2.000806"


class _SaysComplaint:
    """An NLU model that reads every message as a complaint, as a model can read a plain
    request in a language it saw little of ("여권을 만들고 싶어요")."""

    name = "recorded"

    def parse(self, text: str):  # type: ignore[no-untyped-def]
        from bot.nlu import Parse

        return Parse("complaint", 0.9)


def test_the_model_alone_does_not_turn_a_clear_procedure_request_into_a_complaint(registries) -> None:  # type: ignore[no-untyped-def]
    procedures, units, centres = registries
    searcher, cases = FakeSearcher(procedures), RecordingCases()
    searcher.default = None
    assistant = Assistant(searcher, units, centres, cases=cases, nlu=_SaysComplaint())  # type: ignore[arg-type]
    reply = assistant.handle(Turn("여권을 만들고 싶어요 (passport)"), DialogueState())
    assert reply.handoff is None and not cases.packets
    assert reply.procedures[0].code == "1.001456"
    # With no procedure to ground it, the model's complaint still reaches staff.
    reply = assistant.handle(Turn("담당자가 너무 불친절했어요"), DialogueState())
    assert reply.intent == "complaint" and cases.packets


def test_a_short_story_is_answered_from_its_closing_question(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, searcher, _ = bot
    # The story's words drown the procedure (a weak match); its question finds it clearly.
    searcher.keywords = {"paperwork": ("1.000656", 0.3), **searcher.keywords}
    story = (
        "My father passed away last week and relatives say there is a lot of paperwork. "
        "I live abroad and only have a few days here. My mother cannot travel much. "
        "What do we need to do to register his death (khai tử)?"
    )
    replies, _ = _talk(assistant, story)
    assert replies[0].procedures[0].code == "1.000656"
    assert replies[0].procedures[0].score == pytest.approx(0.9)


def test_a_story_keeps_its_reading_when_the_question_alone_reads_otherwise(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, searcher, _ = bot
    searcher.keywords = {"paperwork": ("1.000656", 0.3), **searcher.keywords}
    story = (
        "My father passed away last week and relatives say there is a lot of paperwork. "
        "I live abroad and only have a few days here. My mother cannot travel much. "
        "How do I get a passport?"
    )
    replies, _ = _talk(assistant, story)
    assert replies[0].procedures[0].code != "1.001456"


def test_a_procedure_asked_with_an_ambiguous_place_is_answered_once_the_place_is_chosen(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    story = (
        "Mon père est décédé la semaine dernière à Hải Châu. Je vis en France et je ne reste "
        "que quelques jours. Comment déclarer son décès (khai tử) et où faut-il aller ?"
    )
    replies, _ = _talk(assistant, story, "1")
    assert replies[0].needs_clarification and len(replies[0].options) >= 2
    # The place is asked for the procedure understood, which the question names with its code.
    assert [p.code for p in replies[0].procedures] == ["1.000656"]
    assert replies[0].answer.startswith("• 1.000656 – ")
    assert [p.code for p in replies[1].procedures] == ["1.000656"]
    assert replies[1].centre is not None and "Lê Hồng Phong" in replies[1].centre.address


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Hello, I have a question about a procedure.", "greet"),
        ("Bonjour, j'ai une question.", "greet"),
        ("Hola, tengo una pregunta sobre un trámite.", "greet"),
        ("Xin chào, cho tôi hỏi một chút", "greet"),
        ("你好，我想问一下", "greet"),
        ("안녕하세요, 질문이 있어요", "greet"),
    ],
)
def test_a_greeting_that_asks_to_ask_is_a_greeting(bot, text, intent) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    replies, _ = _talk(assistant, text)
    assert replies[0].intent == intent and not replies[0].procedures


@pytest.mark.parametrize(
    ("thanks", "intent"),
    [("Merci ! C'est gratuit ?", "ask_fee"), ("Thanks! And how long does it take?", "ask_duration")],
)
def test_thanks_with_a_question_answers_the_question(bot, thanks, intent) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    replies, _ = _talk(assistant, "Tôi muốn làm hộ chiếu", thanks)
    assert replies[1].intent == intent and replies[1].procedures[0].code == "1.001456"


@pytest.mark.parametrize(
    ("asked", "lang"),
    [
        ("Can you reply in Korean?", "ko"),
        ("¿Puede responder en español?", "es"),
        ("Vous parlez français ?", "fr"),
        ("能用中文回答吗？", "zh"),
        ("한국어로 답해 주실 수 있나요?", "ko"),
        ("日本語で話せますか？", "ja"),
    ],
)
def test_a_language_asked_for_as_a_question_is_used(bot, asked, lang) -> None:  # type: ignore[no-untyped-def]
    assistant, _, _ = bot
    replies, _ = _talk(assistant, "Tôi muốn làm hộ chiếu", asked, "2")
    assert replies[1].intent == "language_set" and replies[1].language == lang
    assert replies[2].language == lang


def test_a_question_about_a_papers_language_is_not_a_language_request() -> None:
    from bot.language import requested_language

    assert requested_language("cần bằng tiếng Anh không?") is None
    assert requested_language("Is the certificate in English?") is None


def test_a_city_spelt_in_chinese_is_searched_by_its_vietnamese_name(bot) -> None:  # type: ignore[no-untyped-def]
    # "岘港" (Đà Nẵng) holds "港", a port: searched as written it finds port procedures.
    assistant, searcher, _ = bot
    assistant.handle(Turn("我想在岘港办护照"), DialogueState())
    assert searcher.queries and all("岘港" not in q and "Đà Nẵng" in q for q in searcher.queries)


def test_a_weak_procedure_asked_with_an_ambiguous_place_is_answered_once_the_place_is_chosen(bot) -> None:  # type: ignore[no-untyped-def]
    # Not clear enough to be kept as the subject before the place is known: the question is
    # kept with the place question and answered, for that place, once the place is chosen.
    assistant, searcher, _ = bot
    searcher.keywords["khai tu"] = ("1.000656", 0.5)
    searcher.default = None
    story = "Mon père est décédé à Hải Châu. Comment déclarer son décès (khai tử) et où faut-il aller ?"
    replies, state = _talk(assistant, story, "1")
    assert replies[0].needs_clarification and not replies[0].procedures
    assert [p.code for p in replies[1].procedures] == ["1.000656"]
    assert replies[1].centre is not None and "Lê Hồng Phong" in replies[1].centre.address
    assert replies[1].language == "fr"
    assert state.pending is None or state.pending.kind == "choose_aspect"


@pytest.mark.parametrize(
    ("question", "intent"),
    [("¿Qué documentos necesito?", "ask_documents"), ("Cần giấy tờ gì?", "ask_documents")],
)
def test_documents_asked_before_a_variant_is_chosen_keep_the_question_open(bot, question, intent) -> None:  # type: ignore[no-untyped-def]
    # Not the first option's documents (it may not be the citizen's case): the question
    # comes back, and the number chosen answers the documents of that variant.
    assistant, searcher, _ = bot
    searcher.families = {"ket hon": ["1.000894", "2.000806"]}
    replies, state = _talk(assistant, "đăng ký kết hôn", question, "2")
    assert replies[0].needs_clarification
    assert replies[1].needs_clarification and replies[1].intent == intent and len(replies[1].options) == 2
    assert [p.code for p in replies[2].procedures] == ["2.000806"] and replies[2].intent == intent


def test_variants_handled_by_the_commune_answer_where_before_asking_which(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, searcher, _ = bot
    searcher.families = {"ket hon": ["1.000894", "2.000806"]}  # both handled by the commune
    searcher.default = None
    replies, state = _talk(
        assistant, "Tôi ở Hải Châu, trung tâm hành chính ở đâu?", "1", "Đăng ký kết hôn nộp ở đâu?"
    )
    assert state.place is not None and state.place["name"].endswith("Hải Châu")
    asked = replies[2]
    assert asked.needs_clarification and len(asked.options) == 2
    assert asked.centre is not None and "Lê Hồng Phong" in asked.centre.address
    # The office first, then the question its numbered options answer.
    assert asked.answer.index("Lê Hồng Phong") < asked.answer.index(
        compose.clarify_siblings("vi", [("1", "x")])[0][:20]
    )


def test_a_vietnamese_term_in_a_foreign_conversation_is_searched_as_vietnamese(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, searcher, _ = bot
    langs: list[str] = []
    search = searcher.search

    def recording(text: str, lang: str, k: int = 3) -> SearchResult:
        langs.append(lang)
        return search(text, lang, k)

    searcher.search = recording
    state = DialogueState()
    assistant.handle(Turn("How do I get a passport?"), state)
    langs.clear()
    reply = assistant.handle(Turn("tam tru"), state)
    assert reply.language == "en"  # answered in the conversation's language
    assert langs and set(langs) == {"vi-x"}, langs  # searched as the Vietnamese term it is


def test_a_phone_number_sent_while_the_case_waits_is_kept_as_the_callback_number(bot) -> None:  # type: ignore[no-untyped-def]
    assistant, _, cases = bot
    kept: list[tuple[str, str]] = []
    cases.set_callback = lambda case_id, number: kept.append((case_id, number))
    replies, state = _talk(assistant, "Necesito un pasaporte", "0", "0905 123 456")
    assert replies[1].handoff is not None
    assert kept == [(replies[1].handoff.case_id, "0905123456")]
    assert replies[2].intent == "callback" and replies[2].language == "es"


@pytest.mark.parametrize(
    ("where", "answer"),
    [
        ("Tôi ở Hải Châu, trung tâm hành chính ở đâu?", "ở Đà Nẵng"),
        ("I live in Hai Chau, where is the office?", "Da Nang"),
        ("我住在Hải Châu，办事处在哪里？", "岘港的"),
    ],
)
def test_a_place_question_is_answered_by_naming_the_province(bot, where, answer) -> None:  # type: ignore[no-untyped-def]
    assistant, searcher, _ = bot
    searcher.default = None
    replies, state = _talk(assistant, where, answer)
    assert replies[0].needs_clarification and len(replies[0].options) >= 2
    assert state.place is not None and state.place["name"].endswith("Hải Châu")
    assert "Đà Nẵng" in state.place["province"]
    assert replies[1].centre is not None and "Lê Hồng Phong" in replies[1].centre.address


def test_a_place_whose_name_matches_a_procedure_is_still_where_the_citizen_lives(bot) -> None:  # type: ignore[no-untyped-def]
    # "Tôi ở Tam Kỳ" matched temporary residence ("tạm") strongly: without the place's name
    # the message matches nothing, so it says where the citizen lives.
    assistant, searcher, _ = bot
    searcher.default = None
    searcher.keywords["son tra"] = ("1.004194", 0.9)
    replies, state = _talk(assistant, "Tôi ở Sơn Trà")
    assert not replies[0].procedures and replies[0].centre is not None
    assert "Nguyễn Phan Vinh" in replies[0].centre.address
    # A procedure asked there is still the procedure.
    searcher.keywords["ho chieu"] = ("1.001456", 0.9)
    asked, _ = _talk(assistant, "Làm hộ chiếu ở Sơn Trà")
    assert [p.code for p in asked[0].procedures][:1] == ["1.001456"]


@pytest.mark.parametrize(
    "old",
    [
        "Tôi ở phường Hòa Cường Bắc cũ",
        "I live in the former Hoa Cuong Bac ward",
        "我住在原来的Hòa Cường Bắc坊",
    ],
)
def test_an_old_ward_named_during_a_procedure_answers_where_it_is_submitted_now(bot, old) -> None:  # type: ignore[no-untyped-def]
    assistant, searcher, _ = bot
    searcher.default = None
    replies, state = _talk(assistant, "Tôi muốn đăng ký khai sinh cho con", old)
    reply = replies[1]
    assert [p.code for p in reply.procedures] == ["1.001193"] and reply.intent == "ask_where"
    assert reply.centre is not None and "Núi Thành" in reply.centre.address  # Hòa Cường's centre
    assert "Hòa Cường Bắc" in reply.answer  # what the old ward became comes first
    assert state.place is not None and state.place["name"].endswith("Hòa Cường")
