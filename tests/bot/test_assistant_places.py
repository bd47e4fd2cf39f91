"""Place questions through the real runtime on the bundled sample: old units, old districts
as context, and "where do I hand in papers now?" about a unit that no longer exists."""

from __future__ import annotations

import pytest

from bot.assistant import Turn
from knowledge.text import fold


def _ask(runtime, text: str):  # type: ignore[no-untyped-def]
    return runtime.assistant.handle(Turn(text))


def _has(answer: str, *parts: str) -> bool:
    folded = fold(answer).lower()
    return all(fold(p).lower() in folded for p in parts)


@pytest.mark.parametrize(
    ("text", "new_unit"),
    [
        ("xa kim lu soc son ha noi sap nhap vao xa nao", "Xã Đa Phúc"),
        ("phuong le loi thanh pho vinh nghe an gio la phuong gi", "Phường Thành Vinh"),
        ("phường An Hải Bắc cũ giờ thuộc phường nào?", "Phường An Hải"),
    ],
)
def test_old_unit_with_its_old_district_gets_the_new_unit(sample_runtime, text: str, new_unit: str) -> None:  # type: ignore[no-untyped-def]
    reply = _ask(sample_runtime, text)
    assert reply.intent == "ask_place_change" and not reply.needs_clarification, reply.answer
    assert _has(reply.answer, new_unit)
    assert reply.place is not None and reply.place.name == new_unit


def test_shared_old_name_without_district_asks_which(sample_runtime) -> None:  # type: ignore[no-untyped-def]
    reply = _ask(sample_runtime, "Phường Lê Lợi cũ giờ thuộc phường nào?")
    assert reply.needs_clarification and len(reply.options) >= 2
    assert any("Vinh" in o for o in reply.options) and any("Quy Nhơn" in o for o in reply.options)


@pytest.mark.parametrize(
    "text",
    [
        "nha toi o phuong an hai bac cu, gio nop ho so o dau",
        "Tôi ở phường An Hải Bắc cũ, giờ nộp hồ sơ ở trụ sở nào?",
        "Where do I hand in papers now for the old An Hai Bac ward?",
    ],
)
def test_old_unit_and_where_gives_the_new_units_office(sample_runtime, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = _ask(sample_runtime, text)
    assert reply.intent == "ask_where" and not reply.needs_clarification
    # what the old ward became, then the office of the new one
    assert _has(reply.answer, "An Hải Bắc", "Phường An Hải", "289", "Nguyễn Công Trứ")
    assert reply.place is not None and reply.place.name == "Phường An Hải"
    assert reply.centre is not None and "289" in reply.centre.address


def test_old_unit_and_where_without_an_office_on_record(sample_runtime) -> None:  # type: ignore[no-untyped-def]
    # Khuê Trung went wholly into Cẩm Lệ; the sample lists no office for Cẩm Lệ: say so,
    # never invent an address.
    reply = _ask(sample_runtime, "Tôi ở phường Khuê Trung cũ (Đà Nẵng), giờ nộp hồ sơ ở trụ sở nào?")
    assert reply.intent == "ask_where"
    assert _has(reply.answer, "Khuê Trung", "Phường Cẩm Lệ", "dichvucong.gov.vn")
    assert reply.centre is None
    assert reply.place is not None and reply.place.name == "Phường Cẩm Lệ"


def test_split_old_unit_and_where_lists_the_offices_on_record(sample_runtime) -> None:  # type: ignore[no-untyped-def]
    # Xã Hòa Liên was divided between Liên Chiểu and Hải Vân; only Hải Vân's office is in
    # the sample. Both parts are named, the known office is given, none is made up.
    reply = _ask(sample_runtime, "xã Hòa Liên cũ giờ nộp hồ sơ ở đâu?")
    assert reply.intent == "ask_where" and not reply.needs_clarification
    assert _has(reply.answer, "Hòa Liên", "Phường Liên Chiểu", "Phường Hải Vân", "Nguyễn Tất Thành")
    assert reply.centre is None  # no single office for a split unit
    assert reply.answer.count("Nguyễn Tất Thành") == 1
    assert "Lạc Long Quân" not in reply.answer  # Liên Chiểu's office is not in the sample


def test_old_unit_without_where_gets_no_office(sample_runtime) -> None:  # type: ignore[no-untyped-def]
    reply = _ask(sample_runtime, "phuong an hai bac cu gio la phuong gi")
    assert reply.intent == "ask_place_change"
    assert _has(reply.answer, "Phường An Hải") and "289" not in reply.answer


@pytest.mark.parametrize(
    "text",
    [
        "My papers still say Thach Thang ward. What is it called after the reorganisation?",
        "다낭 옛 Thạch Thang 동에 살아요. 행정구역 개편 후 새 동 이름이 뭐예요?",
        "Tôi ở phường Thạch Thang, Hải Châu. Giờ ghi là phường gì?",
    ],
)
def test_new_name_asked_in_other_words_and_languages(sample_runtime, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = _ask(sample_runtime, text)
    assert reply.intent == "ask_place_change" and not reply.needs_clarification, reply.answer
    assert _has(reply.answer, "Thạch Thang", "Phường Hải Châu")


def test_which_street_is_the_new_office_on(sample_runtime) -> None:  # type: ignore[no-untyped-def]
    reply = _ask(
        sample_runtime, "phuong an hai bac cu, gio trung tam hanh chinh phuong moi o so may duong nao"
    )
    assert reply.intent == "ask_where" and not reply.needs_clarification
    assert reply.centre is not None and "289" in reply.centre.address
    assert _has(reply.answer, "Phường An Hải", "289", "Nguyễn Công Trứ")


def test_everyday_name_in_a_french_sentence_asks_which(sample_runtime) -> None:  # type: ignore[no-untyped-def]
    reply = _ask(
        sample_runtime, "Mon ancien quartier s'appelait Lê Lợi. Comment s'appelle le nouveau quartier ?"
    )
    assert reply.needs_clarification and len(reply.options) >= 2
    assert any("Vinh" in o for o in reply.options) and any("Quy Nhơn" in o for o in reply.options)


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("I need to register my baby's birth", "We live in Hai Chau ward, where do we submit the papers?"),
        (
            "Je dois déclarer la naissance de mon bébé",
            "Nous habitons dans le quartier de Hai Chau, où faut-il déposer le dossier ?",
        ),
    ],
)
def test_a_ward_named_in_a_long_where_question_acts_on_the_procedure(
    sample_runtime, first: str, then: str
) -> None:  # type: ignore[no-untyped-def]
    from bot.dialogue import DialogueState

    state = DialogueState()
    opened = sample_runtime.assistant.handle(Turn(first), state)
    assert [p.code for p in opened.procedures][:1] == ["1.001193"]
    reply = sample_runtime.assistant.handle(Turn(then, opened.conversation_id), state)
    assert reply.intent == "ask_where" and [p.code for p in reply.procedures] == ["1.001193"], reply.answer
    assert reply.centre is not None and "Hải Châu" in reply.answer
