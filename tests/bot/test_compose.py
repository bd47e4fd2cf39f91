"""Answer composition: grounded, cited, never invented, in every supported language."""

from __future__ import annotations

import json
import logging
import os
import re
import string
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from bot import compose, i18n
from knowledge.models import Document, Procedure, SubmissionChannel

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "catalogue.jsonl"
LANGS = ("vi", "en", "fr", "es", "zh", "ko", "ja")
FOREIGN = LANGS[1:]
URL = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193"

# Written out here, not read from i18n, so that a wrong catalogue entry fails a test.
FREE = {"vi": "miễn phí", "en": "free", "fr": "gratuit", "es": "gratuito", "zh": "免费",
        "ko": "무료", "ja": "無料"}  # fmt: skip
NOT_STATED = {"vi": "danh mục không nêu", "en": "not stated in the catalogue",
              "fr": "non précisé", "es": "no consta", "zh": "目录中未注明",
              "ko": "목록에 명시되", "ja": "目録に記載"}  # fmt: skip
ONE_HUNDRED_THOUSAND = {"vi": "100.000 đồng", "en": "100,000 VND", "fr": "100\u00a0000 VND",
                        "es": "100.000 VND", "zh": "100,000越南盾", "ko": "100,000동",
                        "ja": "100,000ドン"}  # fmt: skip
FIVE_WORKING_DAYS = {"vi": "5 ngày làm việc", "en": "5 working days",
                     "fr": "5 jours ouvrables", "es": "5 días hábiles", "zh": "5个工作日",
                     "ko": "5영업일", "ja": "5営業日"}  # fmt: skip
CIVIL_STATUS = {"en": "Civil status", "fr": "État civil", "es": "Registro civil",
                "zh": "民事身份登记", "ko": "가족관계 등록", "ja": "身分登録"}  # fmt: skip
SINCE_REFORM = {"vi": "1/7/2025", "en": "1 July 2025", "fr": "1er juillet 2025",
                "es": "1 de julio de 2025", "zh": "2025年7月1日", "ko": "2025년 7월 1일",
                "ja": "2025年7月1日"}  # fmt: skip
ONLINE_UNKNOWN = {"vi": "không nêu thủ tục này có nộp trực tuyến", "en": "does not state whether",
                  "fr": "ne précise pas si", "es": "no indica si", "zh": "未注明该手续能否网上办理",
                  "ko": "온라인으로 신청할 수 있는지", "ja": "オンラインで申請できるかどうか"}  # fmt: skip
TRANSLATION = {"en": "Birth registration", "fr": "Déclaration de naissance",
               "es": "Registro de nacimiento", "zh": "出生登记", "ko": "출생신고",
               "ja": "出生届"}  # fmt: skip


def birth_registration(**changes: object) -> Procedure:
    proc = Procedure(
        code="1.001193",
        name="Đăng ký khai sinh",
        levels=["commune"],
        field="Hộ tịch",
        implementing_agency="Ủy ban nhân dân cấp xã",
        channels=[
            SubmissionChannel("in_person", "5 Ngày làm việc", 5, True, "Miễn phí", 0),
            SubmissionChannel("online", "5 Ngày làm việc", 5, True, "Miễn phí", 0),
            SubmissionChannel("post", "5 Ngày làm việc", 5, True, "100.000 Đồng", 100000),
        ],
        documents=[
            Document("Tờ khai đăng ký khai sinh", form="Mẫu tờ khai.docx", originals=1),
            Document("Giấy chứng sinh", originals=1),
            Document("Giấy tờ tùy thân của người đi đăng ký", copies=1),
        ],
        url=URL,
    )
    for key, value in changes.items():
        setattr(proc, key, value)
    return proc


def bare(code: str = "9.999999", **changes: object) -> Procedure:
    """A record with nothing but a code and a name (and whatever ``changes`` set)."""
    proc = Procedure(code=code, name="Thủ tục thử nghiệm")
    for key, value in changes.items():
        setattr(proc, key, value)
    return proc


def blocks(text: str) -> list[str]:
    return text.split("\n\n")


def without_menu(text: str) -> str:
    """The answer without its last block, the aspect menu (whose digits are not facts)."""
    assert blocks(text)[-1].startswith(tuple(m["menu_lead"] for m in i18n.MESSAGES.values())), text
    return "\n\n".join(blocks(text)[:-1])


def citation_of(text: str, code: str) -> str:
    lines = [line for line in text.splitlines() if code in line and "https://" in line]
    assert lines, f"no citation line with {code} and a URL in:\n{text}"
    return lines[0]


# ------------------------------------------------------------------------ overview


@pytest.mark.parametrize("lang", LANGS)
def test_overview_full_record(lang: str) -> None:
    proc = birth_registration()
    text = compose.procedure_answer(proc, lang, name_translation=TRANSLATION.get(lang))
    assert "Đăng ký khai sinh" in text  # the official name is always kept
    if lang != "vi":
        assert TRANSLATION[lang] in text.splitlines()[0]
    assert FREE[lang] in text
    assert ONE_HUNDRED_THOUSAND[lang] in text
    assert FIVE_WORKING_DAYS[lang] in text
    assert proc.documents[0].name in text  # the form, first of the main documents
    assert text.count(URL) == 1  # cited once; the online link is the portal's
    assert URL in blocks(text)[-2]  # the citation, then the aspect menu
    assert NOT_STATED[lang] not in text
    assert "{" not in text and "}" not in text and "<" not in text
    # On request, the full overview lists every document and the field.
    full = compose.procedure_answer(proc, lang, name_translation=TRANSLATION.get(lang), full=True)
    for doc in proc.documents:
        assert doc.name in full
    if lang != "vi":
        assert CIVIL_STATUS[lang] in full and "Hộ tịch" in full
    assert full.count(URL) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_overview_without_fee_documents_or_online(lang: str) -> None:
    proc = birth_registration(
        documents=[],
        channels=[SubmissionChannel("in_person", "5 Ngày làm việc", 5, True)],
    )
    text = compose.procedure_answer(proc, lang)
    assert NOT_STATED[lang] in text
    assert FREE[lang] not in text
    assert ONE_HUNDRED_THOUSAND[lang] not in text
    assert not re.search(r"VND|đồng|越南盾|\d동|ドン", text)  # no amount appears from nowhere
    assert text.count(URL) == 1  # no online link: only the citation
    assert citation_of(text, "1.001193")


@pytest.mark.parametrize("lang", LANGS)
def test_overview_of_an_empty_record_invents_nothing(lang: str) -> None:
    text = compose.procedure_answer(bare(), lang)
    assert text.count(NOT_STATED[lang]) >= 2  # channels and documents (and the agency)
    assert compose.i18n.MESSAGES[lang]["check_official"] in text
    assert FREE[lang] not in text
    assert not re.search(r"\d", without_menu(text).replace("9.999999", ""))  # the code is the only number
    citation = citation_of(text, "9.999999")
    assert compose.PORTAL_URL in citation


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("focus", compose.FOCUSES)
def test_citation_always_present(lang: str, focus: str) -> None:
    for proc in (birth_registration(), bare(), birth_registration(url="")):
        text = compose.procedure_answer(proc, lang, focus)
        citation = citation_of(text, proc.code)
        assert (proc.url or compose.PORTAL_URL) in citation
        assert citation in blocks(text)[-1] or citation in blocks(text)[-2]


def test_foreign_overview_without_translation_says_the_name_is_vietnamese() -> None:
    first = compose.procedure_answer(birth_registration(), "en").splitlines()[0]
    assert first == "Procedure: “Đăng ký khai sinh” (official Vietnamese name)"


def test_field_glossary_and_unknown_field() -> None:
    known = compose.procedure_answer(birth_registration(), "en", full=True)
    assert "Field: Civil status (“Hộ tịch”)" in known
    unknown = compose.procedure_answer(birth_registration(field="Nghề làm muối thủ công"), "fr", full=True)
    assert "Domaine : « Nghề làm muối thủ công » (en vietnamien)" in unknown
    vi = compose.procedure_answer(birth_registration(field="Khí tượng, thủy văn"), "vi", full=True)
    assert "Lĩnh vực: Khí tượng, thủy văn" in vi


def test_glossary_lookup_ignores_unicode_form_and_case() -> None:
    decomposed = unicodedata.normalize("NFD", "hộ tịch")
    assert compose.translate_field(decomposed, "en") == "Civil status"
    assert compose.translate_field("Thành lập và hoạt động của hộ kinh doanh", "ko")
    assert compose.translate_field("Thủy sản", "ja") == compose.translate_field("Thuỷ sản", "ja")
    assert compose.translate_field("Hộ tịch", "vi") is None
    assert compose.translate_field("Không có trong bảng", "en") is None
    assert compose.translate_agency("Ủy ban nhân dân cấp xã", "es") == "Comité Popular de la comuna"


def test_documents_are_capped_in_an_overview() -> None:
    docs = [Document(f"Giấy tờ số {i}") for i in range(1, 10)]
    text = compose.procedure_answer(birth_registration(documents=docs), "en", full=True)
    assert "Giấy tờ số 6" in text and "Giấy tờ số 7" not in text
    assert "and 3 more documents" in text
    one_more = compose.procedure_answer(birth_registration(documents=docs[:7]), "en", full=True)
    assert "and 1 more document (" in one_more


def test_document_details_and_groups() -> None:
    docs = [
        Document("Tờ khai", form="Mẫu 01", originals=1, group="Trường hợp trẻ sinh ra tại Việt Nam"),
        Document("Giấy chứng sinh", originals=1, copies=2, group="Trường hợp trẻ sinh ra tại Việt Nam"),
        Document("Giấy tờ chứng minh nơi cư trú", copies=1, group="Trường hợp trẻ bị bỏ rơi"),
    ]  # fmt: skip
    text = compose.procedure_answer(birth_registration(documents=docs), "en", "documents", full=True)
    # The official name first, the glossary's translation beside it, then the details.
    assert "• Tờ khai (Declaration form) (form: Mẫu 01, 1 original)" in text
    assert "• Giấy chứng sinh (Hospital birth attestation) (1 original, 2 copies)" in text
    assert "• Giấy tờ chứng minh nơi cư trú (Proof of residence) (1 copy)" in text
    assert text.count("Case (in Vietnamese): Trường hợp trẻ sinh ra tại Việt Nam") == 1
    assert "Case (in Vietnamese): Trường hợp trẻ bị bỏ rơi" in text
    vi = compose.procedure_answer(birth_registration(documents=docs), "vi", "documents", full=True)
    assert "• Giấy chứng sinh (1 bản chính, 2 bản sao)" in vi


def test_placeholder_values_count_as_empty() -> None:
    proc = birth_registration(implementing_agency="Không có thông tin", documents=[])
    text = compose.procedure_answer(proc, "en")
    assert "Không có thông tin" not in text
    assert "Handled by: not stated in the catalogue." in text


def test_related_procedures_at_most_two_and_never_itself() -> None:
    others = [birth_registration(), bare("2.000986"), bare("1.000894"), bare("1.004873")]
    answer = compose.procedure_answer(birth_registration(), "en", others=others)
    # Related procedures are a section on request (the API lists them in "procedures"): the
    # chat text does not repeat them.
    assert "2.000986" not in answer
    related = [b for b in answer.blocks if b.kind == "related"]
    assert len(related) == 1 and not related[0].primary
    assert related[0].title == "Related:"
    assert related[0].lines == ["• 2.000986 – Thủ tục thử nghiệm", "• 1.000894 – Thủ tục thử nghiệm"]


def test_unknown_focus_is_an_error() -> None:
    with pytest.raises(ValueError):
        compose.procedure_answer(birth_registration(), "en", "price")


# ---------------------------------------------------------------- focused answers


@pytest.mark.parametrize("lang", LANGS)
def test_focus_fee(lang: str) -> None:
    text = compose.procedure_answer(birth_registration(), lang, "fee", full=True)
    lead = blocks(text)[1]
    assert FREE[lang] in lead and ONE_HUNDRED_THOUSAND[lang] in lead
    assert len(lead.splitlines()) == 4  # header + one line per channel
    # The first message names the channels sharing a fee together.
    short = blocks(compose.procedure_answer(birth_registration(), lang, "fee"))[1]
    assert FREE[lang] in short and ONE_HUNDRED_THOUSAND[lang] in short
    assert len(short.splitlines()) == 3
    assert FIVE_WORKING_DAYS[lang] not in text


@pytest.mark.parametrize("lang", LANGS)
def test_focus_fee_not_stated(lang: str) -> None:
    proc = birth_registration(channels=[SubmissionChannel("in_person", "5 Ngày làm việc")])
    text = compose.procedure_answer(proc, lang, "fee")
    assert NOT_STATED[lang] in blocks(text)[1]
    assert FREE[lang] not in text and not re.search(r"\d+[.,]?\d* ?(VND|đồng)", text)


@pytest.mark.parametrize("lang", LANGS)
def test_focus_duration(lang: str) -> None:
    text = compose.procedure_answer(birth_registration(), lang, "duration", full=True)
    assert blocks(text)[1].count(FIVE_WORKING_DAYS[lang]) == 3
    # One time limit for every channel is said once in the first message.
    assert (
        blocks(compose.procedure_answer(birth_registration(), lang, "duration"))[1].count(
            FIVE_WORKING_DAYS[lang]
        )
        == 1
    )
    assert ONE_HUNDRED_THOUSAND[lang] not in text
    empty = compose.procedure_answer(bare(channels=[SubmissionChannel("post")]), lang, "duration")
    assert NOT_STATED[lang] in empty


@pytest.mark.parametrize("lang", LANGS)
def test_focus_documents(lang: str) -> None:
    docs = [Document(f"Giấy tờ số {i}") for i in range(1, 13)]
    text = compose.procedure_answer(birth_registration(documents=docs), lang, "documents", full=True)
    assert all(f"Giấy tờ số {i}" in text for i in range(1, 13))
    first = compose.procedure_answer(birth_registration(documents=docs), lang, "documents")
    assert "Giấy tờ số 1" in first and "Giấy tờ số 12" not in first and len(first) <= 600
    empty = compose.procedure_answer(bare(), lang, "documents")
    assert NOT_STATED[lang] in blocks(empty)[1]


def test_focus_where() -> None:
    proc = birth_registration(
        receiving_address="Bộ phận Một cửa, 119 Nguyễn Sơn, phường Bồ Đề, thành phố Hà Nội",
        competent_agency="Chủ tịch Ủy ban nhân dân cấp xã",
    )
    text = compose.procedure_answer(proc, "en", "where", full=True)
    lead = blocks(text)[1]
    assert "Commune People's Committee" in lead
    assert (
        "Competent authority: Chairperson of the commune-level People's Committee (“Chủ tịch Ủy ban nhân dân cấp xã”)"
        in lead
    )
    assert "Level: commune level" in lead
    assert "Receiving address: Bộ phận Một cửa, 119 Nguyễn Sơn" in lead
    no_address = compose.procedure_answer(birth_registration(), "vi", "where", full=True)
    assert "Địa chỉ tiếp nhận: danh mục không nêu" in no_address
    assert not re.search(r"\d", without_menu(no_address).replace("1.001193", "").replace(URL, ""))


@pytest.mark.parametrize("lang", LANGS)
def test_focus_online(lang: str) -> None:
    yes = compose.procedure_answer(birth_registration(), lang, "online")
    # Where to apply (the portal), the record's page cited once.
    assert compose.PORTAL_URL in blocks(yes)[1] and URL not in blocks(yes)[1]
    assert yes.count(URL) == 1
    offline = birth_registration(channels=[SubmissionChannel("in_person", "5 Ngày làm việc")])
    no = compose.procedure_answer(offline, lang, "online")
    assert URL not in blocks(no)[1] and URL in no  # only in the citation
    assert blocks(no)[1] != blocks(yes)[1]
    unknown = compose.procedure_answer(bare(), lang, "online")
    assert ONLINE_UNKNOWN[lang] in blocks(unknown)[1]


# ------------------------------------------------------------------ fees and times


def test_free_fee_is_said_free_not_zero() -> None:
    for lang in LANGS:
        text = compose.procedure_answer(birth_registration(), lang, "fee")
        assert not re.search(r"\b0 (VND|đồng)", without_menu(text))
        assert FREE[lang] in text


def test_published_fee_text_is_kept_verbatim() -> None:
    usd = SubmissionChannel("in_person", fee="10 USD(/lần)")
    for lang in LANGS:
        text = compose.procedure_answer(bare(channels=[usd]), lang, "fee")
        assert "10 USD(/lần)" in text
        assert "VND" not in text.replace("10 USD", "")


def test_fee_with_conditions_keeps_the_published_note() -> None:
    note = "Miễn phí(Miễn lệ phí cho người thuộc hộ nghèo; người khuyết tật.)"
    ch = SubmissionChannel("online", fee=note, fee_vnd=0)
    en = compose.procedure_answer(bare(channels=[ch]), "en", "fee", full=True)
    assert "free — catalogue note (in Vietnamese): “Miễn phí(Miễn lệ phí" in en
    vi = compose.procedure_answer(bare(channels=[ch]), "vi", "fee", full=True)
    assert note in vi


def test_long_published_text_is_shortened_not_rewritten() -> None:
    long_note = "Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định. " * 20
    ch = SubmissionChannel("in_person", fee=long_note.strip())
    text = compose.procedure_answer(bare(channels=[ch]), "vi", "fee", full=True)
    line = next(line for line in text.splitlines() if line.startswith("• Trực tiếp"))
    assert line.endswith("…") and len(line) < 260
    assert long_note[:100] in line


@pytest.mark.parametrize(
    ("channel", "lang", "expected"),
    [
        (SubmissionChannel("in_person", "24 Giờ"), "en", "24 hours"),
        (SubmissionChannel("in_person", "1 Ngày"), "en", "1 day"),
        (SubmissionChannel("in_person", "1 Ngày làm việc"), "en", "1 working day"),
        (SubmissionChannel("in_person", "3 Tháng"), "es", "3 meses"),
        (SubmissionChannel("in_person", "1 Tháng"), "fr", "1 mois"),
        (SubmissionChannel("in_person", "2 Năm"), "ko", "2년"),
        (SubmissionChannel("in_person", "0,5 Ngày làm việc"), "en", "0.5 working days"),
        (SubmissionChannel("in_person", "0,5 Ngày làm việc"), "fr", "0,5 jour ouvrable"),
        (SubmissionChannel("in_person", "", 7, True), "ja", "7営業日"),
        (SubmissionChannel("in_person", "", 10, False), "zh", "10天"),
        (SubmissionChannel("in_person", "1"), "en", "1 (unit not stated in the catalogue)"),
        (SubmissionChannel("in_person", "Trong ngày"), "en", "“Trong ngày” (The same day) (as published)"),
        (SubmissionChannel("in_person", "Trong ngày"), "vi", "Trong ngày"),
    ],
)
def test_time_limits(channel: SubmissionChannel, lang: str, expected: str) -> None:
    text = compose.procedure_answer(bare(channels=[channel]), lang, "duration")
    assert expected in blocks(text)[1]


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (100000, "vi", "100.000"),
        (100000, "en", "100,000"),
        (1250000, "fr", "1\u00a0250\u00a0000"),
        (1250000, "es", "1.250.000"),
        (1.5, "vi", "1,5"),
        (1.5, "ja", "1.5"),
        (20, "en", "20"),
    ],
)
def test_format_number(value: float, lang: str, expected: str) -> None:
    assert compose.format_number(value, lang) == expected


def test_format_money_per_language() -> None:
    assert {lang: compose.format_money(100000, lang) for lang in LANGS} == ONE_HUNDRED_THOUSAND


# ------------------------------------------------------------------------ places


def test_place_merged() -> None:
    text = compose.place_answer(
        "en",
        old_name="Phường Thạch Thang",
        old_district="Quận Hải Châu",
        old_province="Đà Nẵng",
        new_units=[("Phường Hải Châu", "Thành phố Đà Nẵng")],
        partial=False,
    )
    assert text == (
        "Phường Thạch Thang (Quận Hải Châu, Đà Nẵng) has been part of Phường Hải Châu, "
        "Thành phố Đà Nẵng since 1 July 2025."
    )


@pytest.mark.parametrize("lang", LANGS)
def test_place_merged_every_language(lang: str) -> None:
    text = compose.place_answer(
        lang,
        old_name="Phường Thạch Thang",
        old_district="Quận Hải Châu",
        old_province="Đà Nẵng",
        new_units=[("Phường Hải Châu", "Thành phố Đà Nẵng")],
        partial=False,
    )
    for part in ("Phường Thạch Thang", "Quận Hải Châu", "Phường Hải Châu", "Thành phố Đà Nẵng"):
        assert part in text
    assert SINCE_REFORM[lang] in text


@pytest.mark.parametrize("lang", LANGS)
def test_place_split(lang: str) -> None:
    new = [("Xã Hòa Vang", "Thành phố Đà Nẵng"), ("Xã Bà Nà", "Thành phố Đà Nẵng")]
    text = compose.place_answer(
        lang,
        old_name="Xã Hòa Ninh",
        old_district="Huyện Hòa Vang",
        old_province="Thành phố Đà Nẵng",
        new_units=new,
        partial=True,
    )
    assert "Xã Hòa Ninh" in text and SINCE_REFORM[lang] in text
    unit_lines = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(unit_lines) == 2
    assert "Xã Hòa Vang" in unit_lines[0] and "Xã Bà Nà" in unit_lines[1]


def test_place_split_says_divided() -> None:
    new = [("Xã A", "Tỉnh B"), ("Xã C", "Tỉnh B")]
    text = compose.place_answer(
        "en", old_name="Xã X", old_district=None, old_province=None, new_units=new, partial=True
    )
    assert text.startswith("On 1 July 2025, Xã X was divided")
    one = compose.place_answer(
        "vi", old_name="Xã X", old_district="", old_province="Tỉnh B",
        new_units=new[:1], partial=True,
    )  # fmt: skip
    assert "Xã X (Tỉnh B)" in one and "chia tách" in one and "Xã A, Tỉnh B" in one


@pytest.mark.parametrize("lang", LANGS)
def test_place_current_unit(lang: str) -> None:
    text = compose.place_answer(
        lang,
        old_name=None,
        old_district=None,
        old_province=None,
        new_units=[("Phường Hải Châu", "Thành phố Đà Nẵng")],
        partial=False,
    )
    assert "Phường Hải Châu" in text and "Thành phố Đà Nẵng" in text
    assert SINCE_REFORM[lang] not in text


def test_place_without_new_unit_invents_none() -> None:
    text = compose.place_answer(
        "en",
        old_name="Xã Không Rõ",
        old_district="Huyện Y",
        old_province="Tỉnh Z",
        new_units=[],
        partial=False,
    )
    assert "Xã Không Rõ" in text and "no record" in text
    with pytest.raises(ValueError):
        compose.place_answer(
            "en", old_name=None, old_district=None, old_province=None, new_units=[], partial=False
        )


# ----------------------------------------------------------------------- centres


@pytest.mark.parametrize("lang", LANGS)
def test_centre_with_address(lang: str) -> None:
    text = compose.centre_answer(
        lang,
        commune="Phường Hải Châu",
        province="Thành phố Đà Nẵng",
        name="Trung tâm hành chính phường Hải Châu",
        address="270 Trưng Nữ Vương, phường Hải Châu",
        phone="0236 3822 125",
        hours="Thứ Hai – Thứ Sáu, 7h30–17h00",
    )
    for part in (
        "Phường Hải Châu",
        "Trung tâm hành chính phường Hải Châu",
        "270 Trưng Nữ Vương, phường Hải Châu",
        "0236 3822 125",
        "7h30–17h00",
    ):
        assert part in text


@pytest.mark.parametrize("lang", LANGS)
def test_centre_without_address_is_honest(lang: str) -> None:
    text = compose.centre_answer(
        lang,
        commune="Xã Tân Phú",
        province="Tỉnh Đồng Nai",
        name=None,
        address=None,
        phone=None,
        hours=None,
    )
    assert "Xã Tân Phú" in text and "Tỉnh Đồng Nai" in text
    assert "dichvucong.gov.vn" in text
    assert not re.search(r"\d", text)  # no street number, no phone number


def test_centre_without_name_uses_a_generic_label() -> None:
    text = compose.centre_answer(
        "en",
        commune="Phường Hải Châu",
        province="Thành phố Đà Nẵng",
        name=None,
        address="270 Trưng Nữ Vương",
        phone=None,
        hours=None,
    )
    assert "• Public administrative service point of Phường Hải Châu" in text
    assert "Phone" not in text and "hours" not in text


# ------------------------------------------------------------------ clarification


@pytest.mark.parametrize("lang", LANGS)
def test_clarify_procedures(lang: str) -> None:
    options = [("1.001193", "Đăng ký khai sinh"), ("2.000986", "Liên thông khai sinh")]
    question, labels = compose.clarify_procedures(lang, options)
    assert question and len(question) < 80
    assert labels[0].startswith("1. Đăng ký khai sinh") and "1.001193" in labels[0]
    assert labels[1].startswith("2. Liên thông khai sinh") and "2.000986" in labels[1]


def test_clarify_procedures_label_and_limit() -> None:
    _, labels = compose.clarify_procedures("vi", [("1.001193", "Đăng ký khai sinh")])
    assert labels == ["1. Đăng ký khai sinh (1.001193)"]
    many = [(f"1.{i:06d}", f"Thủ tục {i}") for i in range(12)]
    _, labels = compose.clarify_procedures("en", many)
    assert len(labels) == compose.MAX_OPTIONS and labels[-1].startswith("9. ")
    with pytest.raises(ValueError):
        compose.clarify_procedures("en", [])


@pytest.mark.parametrize("lang", LANGS)
def test_clarify_place(lang: str) -> None:
    cands = [
        ("Phường 1", "Quận 3", "Thành phố Hồ Chí Minh"),
        ("Phường 1", "Quận 5", "Thành phố Hồ Chí Minh"),
        ("Phường 1", "", "Tỉnh Vĩnh Long"),
    ]
    question, labels = compose.clarify_place(lang, cands)
    assert "Phường 1" in question
    assert [label.split(".")[0] for label in labels] == ["1", "2", "3"]
    assert "Quận 3" in labels[0] and "Thành phố Hồ Chí Minh" in labels[0]
    assert "Quận 5" in labels[1]
    assert labels[2].endswith("Tỉnh Vĩnh Long")


def test_clarify_place_with_different_names() -> None:
    question, labels = compose.clarify_place("en", [("Xã A", "Huyện B", "Tỉnh C"), ("Xã D", "", "")])
    assert question == "Which place do you mean? Reply with its number:"
    assert labels == ["1. Xã A – Huyện B, Tỉnh C", "2. Xã D"]


# ---------------------------------------------------------------- short messages

SHORT = (
    compose.no_match,
    compose.out_of_scope,
    compose.empty_input,
    compose.unreadable_input,
    compose.too_long,
    compose.handoff_offer,
    compose.handoff_started,
    compose.greeting,
    compose.thanks,
    compose.goodbye,
)


@pytest.mark.parametrize("message", SHORT, ids=lambda f: f.__name__)
def test_short_messages_exist_and_differ_per_language(message: object) -> None:
    assert callable(message)
    texts = {lang: message(lang) for lang in LANGS}
    assert all(texts.values())
    assert len(set(texts.values())) == len(LANGS)  # no language silently shows another's text
    assert all(len(text) < 300 for text in texts.values())


def test_handoff_started_names_the_case() -> None:
    for lang in LANGS:
        assert "C-2025-0042" in compose.handoff_started(lang, "C-2025-0042")
        assert "C-2025" not in compose.handoff_started(lang, None)


def test_no_match_offers_rephrasing_and_staff() -> None:
    text = compose.no_match("en")
    assert "name of the procedure" in text and "staff" in text


# ---------------------------------------------------------------------- languages


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("en-US", "en"), ("EN", "en"), ("vi-x", "vi"), ("zh_Hans", "zh"), ("ja", "ja"), ("", "vi")],
)
def test_normalize_lang(tag: str, expected: str) -> None:
    assert compose.normalize_lang(tag) == expected


def test_unknown_language_falls_back_to_vietnamese_and_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="bot.compose"):
        assert compose.greeting("de") == compose.greeting("vi")
    assert any("'de'" in record.getMessage() for record in caplog.records)
    assert compose.normalize_lang(None) == "vi"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_exists_in_every_language_with_the_same_placeholders() -> None:
    assert tuple(i18n.MESSAGES) == LANGS == i18n.LANGUAGES
    reference = i18n.MESSAGES["vi"]
    for lang in LANGS:
        messages = i18n.MESSAGES[lang]
        assert set(messages) == set(reference), lang
        assert set(i18n.NUMBER_FORMAT) >= {lang}
        for key, template in messages.items():
            assert template.strip(), (lang, key)
            if key in {"title_translated", "title_plain", "term_vietnamese", "as_published",
                       "fee_note"}:  # fmt: skip
                continue  # vi shows the Vietnamese value itself, not a quoted/translated one
            assert _fields(template) == _fields(reference[key]), (lang, key)


def test_plural_keys_come_in_pairs() -> None:
    for key in i18n.MESSAGES["en"]:
        if key.endswith("_one"):
            assert key[: -len("_one")] + "_other" in i18n.MESSAGES["en"]


def test_glossaries_cover_every_foreign_language() -> None:
    for table in (i18n.FIELDS, i18n.AGENCIES):
        for vi, translations in table.items():
            assert set(translations) == set(FOREIGN), vi
            assert all(translations.values()), vi
    for field in ("Hộ tịch", "Cư trú", "Cấp, quản lý căn cước", "Quản lý xuất nhập cảnh",
                  "Đường bộ", "Thuế", "Bảo hiểm xã hội", "Đất đai", "Hoạt động xây dựng",
                  "Chứng thực", "Lý lịch tư pháp", "Thành lập và hoạt động của hộ kinh doanh",
                  "Thành lập và hoạt động doanh nghiệp"):  # fmt: skip
        assert compose.translate_field(field, "en"), field


# -------------------------------------------------------------------- determinism


def _render_everything() -> str:
    proc = birth_registration()
    parts = []
    for lang in LANGS:
        for focus in compose.FOCUSES:
            parts.append(compose.procedure_answer(proc, lang, focus, [bare("2.000986"), bare()]))
        parts.append(
            compose.place_answer(
                lang,
                old_name="Xã X",
                old_district="Huyện Y",
                old_province="Tỉnh Z",
                new_units=[("Xã A", "Tỉnh Z"), ("Xã B", "Tỉnh Z")],
                partial=True,
            )
        )
        parts.extend(compose.clarify_place(lang, [("Xã X", "Huyện Y", "Tỉnh Z")])[1])
    return "\n".join(parts)


def test_deterministic_within_a_process() -> None:
    assert _render_everything() == _render_everything()


def test_deterministic_across_hash_seeds() -> None:
    code = "import sys; from tests.bot.test_compose import _render_everything as r; " \
           "sys.stdout.write(r())"  # fmt: skip
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONIOENCODING": "utf-8"}
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert outputs.pop().decode() == _render_everything()


# ------------------------------------------------------------------ sample catalogue


@pytest.mark.skipif(not SAMPLE.exists(), reason=f"{SAMPLE} is not there yet")
def test_sample_catalogue_renders_in_every_language_and_focus() -> None:
    procs = [
        Procedure.from_dict(json.loads(line))
        for line in SAMPLE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert procs
    for proc in procs:
        for lang in LANGS:
            for focus in compose.FOCUSES:
                text = compose.procedure_answer(proc, lang, focus)
                citation = citation_of(text, proc.code)
                assert (proc.url or compose.PORTAL_URL) in citation
                assert "{" not in text.replace(proc.name, "")


def test_agency_lists_are_translated_agency_by_agency() -> None:
    t = compose.translate_agency
    # "A - B": a department and its ministry; the ministry's abbreviation is read.
    assert t("Cục Chăn nuôi và Thú y - Bộ NN và MT", "fr") == (
        f"{t('Cục Chăn nuôi và Thú y', 'fr')} – {t('Bộ Nông nghiệp và Môi trường', 'fr')}"
    )
    assert t("Ủy ban nhân dân tỉnh Quảng Ninh", "en") == f"{t('Ủy ban nhân dân', 'en')} (tỉnh Quảng Ninh)"
    # A name that holds a comma is one agency; the list after it is still split.
    police = "Cục cảnh sát quản lý hành chính về trật tự, xã hội"
    assert t(police, "en") and t(police, "en") != t("Cục cảnh sát quản lý hành chính về trật tự", "en")
    assert t(f"{police}, Công an cấp tỉnh", "en") == f"{t(police, 'en')}, {t('Công an cấp tỉnh', 'en')}"
    assert t(f"{police}, Công an cấp tỉnh", "zh") == f"{t(police, 'zh')}、{t('Công an cấp tỉnh', 'zh')}"
    assert t("Ủy ban nhân dân cấp xã hoặc Ủy ban nhân dân cấp tỉnh", "es") == (
        f"{t('Ủy ban nhân dân cấp xã', 'es')} / {t('Ủy ban nhân dân cấp tỉnh', 'es')}"
    )
    # A known office followed by its province keeps the place as published.
    assert t("Sở Tư pháp tỉnh Quảng Ninh", "en") == f"{t('Sở Tư pháp', 'en')} (tỉnh Quảng Ninh)"


def test_agency_with_a_qualifier_is_translated_and_a_list_only_when_all_of_it_is_known() -> None:
    qualified = "Ủy ban nhân dân cấp xã nơi cư trú cuối cùng của người chết"
    assert compose.translate_agency(qualified, "en") == "Commune People's Committee"
    assert compose.translate_agency("Ủy ban nhân dân cấp xã (tiếp nhận tại Trung tâm)", "fr")
    # A list with one agency the glossary does not know is not translated: it would leave it out.
    listed = "Ủy ban nhân dân cấp xã; Hội đồng quản lý quỹ bảo tồn di sản làng nghề"
    assert compose.translate_agency(listed, "en") is None
    assert compose.translate_agency("Ủy ban nhân dân cấp xã khu vực biên giới", "en") is None
    # A qualifier does not swallow the rest of a list.
    assert (
        compose.translate_agency("Ủy ban nhân dân cấp xã (tiếp nhận, trả kết quả), Bộ Tư pháp", "en")
        == "Commune People's Committee, Ministry of Justice"
    )
    text = compose.procedure_answer(birth_registration(implementing_agency=qualified), "en", full=True)
    assert f"Handled by: Commune People's Committee (“{qualified}”)" in text


def test_a_long_fee_note_repeated_for_every_channel_is_given_once() -> None:
    note = "Miễn lệ phí khi đăng ký đúng hạn; trường hợp khác theo mức Hội đồng nhân dân quyết định"
    channels = [SubmissionChannel(kind, "1 Ngày làm việc", fee=note, fee_vnd=0)
                for kind in ("online", "post", "in_person")]  # fmt: skip
    for focus in ("overview", "fee"):
        text = compose.procedure_answer(bare(channels=channels), "en", focus, full=True)
        assert text.count(note) == 1
        assert text.count("same as above") == 2
        # The first message names the three channels once, with their one fee.
        first = compose.procedure_answer(bare(channels=channels), "en", focus)
        assert first.count("free") == 1 and "same as above" not in first
    short = [SubmissionChannel(kind, fee="Miễn phí", fee_vnd=0) for kind in ("online", "post")]
    assert compose.procedure_answer(bare(channels=short), "en", "fee", full=True).count("free") == 2
    assert compose.procedure_answer(bare(channels=short), "en", "fee").count("free") == 1
