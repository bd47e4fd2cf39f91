"""Foreign-language answers carry the glossary's translation beside the official Vietnamese name."""

from __future__ import annotations

import pytest

from bot import compose
from knowledge.glossary import default_glossary
from knowledge.models import Document, Procedure, SubmissionChannel

DECLARATION = {
    "en": "Birth registration declaration",
    "fr": "Déclaration de naissance",
    "es": "Declaración de inscripción de nacimiento",
    "zh": "出生登记申报表",
    "ko": "출생 신고서",
    "ja": "出生届",
}


def birth() -> Procedure:
    return Procedure(
        code="1.001193",
        name="Đăng ký khai sinh",
        field="Hộ tịch",
        implementing_agency="Ủy ban nhân dân cấp xã",
        channels=[SubmissionChannel("in_person", "Trong ngày", fee="Lệ phí theo quy định")],
        documents=[
            Document("Tờ khai đăng ký khai sinh theo mẫu", originals=1),
            Document("Bản sao Giấy chứng nhận kết hôn của cha mẹ", copies=1),
            Document("Sổ theo dõi sức khỏe bà mẹ và trẻ em"),
        ],
        url="https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193",
    )


@pytest.mark.parametrize("lang", sorted(DECLARATION))
def test_document_lines_show_the_translation_after_the_official_name(lang: str) -> None:
    text = compose.procedure_answer(birth(), lang, "documents")
    line = next(line for line in text.splitlines() if "Tờ khai đăng ký khai sinh" in line)
    assert line.index("Tờ khai đăng ký khai sinh") < line.index(DECLARATION[lang])
    # A name the glossary knows only the head of says so with "…".
    copy = next(line for line in text.splitlines() if "Bản sao Giấy chứng nhận kết hôn" in line)
    assert default_glossary().translate("Bản sao Giấy chứng nhận kết hôn của cha mẹ", lang) in copy
    assert copy.count("…") == 1


def test_vietnamese_answers_stay_as_published() -> None:
    text = compose.procedure_answer(birth(), "vi", "documents", full=True)
    assert "• Tờ khai đăng ký khai sinh theo mẫu (1 bản chính)" in text
    assert "Birth" not in text


def test_published_time_and_fee_texts_are_translated_too() -> None:
    duration = compose.procedure_answer(birth(), "en", "duration")
    assert "“Trong ngày” (The same day)" in duration
    fee = compose.procedure_answer(birth(), "fr", "fee")
    assert "Taxe administrative…" in fee


def test_unknown_document_names_are_left_as_they_were() -> None:
    text = compose.procedure_answer(birth(), "en", "documents")
    assert "• Sổ theo dõi sức khỏe bà mẹ và trẻ em\n" in text + "\n"


def test_translation_stats_count_the_values_an_answer_quotes() -> None:
    # Documents: three names, two with a glossary translation (one of them partial).
    assert compose.translation_stats(birth(), "en", "documents") == (2, 3)
    # Overview: the field, the agency, the published time and fee texts join the documents.
    assert compose.translation_stats(birth(), "ja", "overview") == (6, 7)
    assert compose.translation_stats(birth(), "vi", "overview") == (0, 0)
    # Counting leaves the composer as it was: a plain answer counts nothing afterwards.
    text = compose.procedure_answer(birth(), "en", "documents")
    assert "(Birth registration declaration)" in text
