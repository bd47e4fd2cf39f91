"""The glossary of the catalogue's recurring phrases, and its coverage of answer lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.catalogue import import_catalogues
from knowledge.glossary import (
    LANGS,
    Glossary,
    GlossaryError,
    answer_lines,
    coverage,
    default_glossary,
    procedure_coverage,
)
from knowledge.models import Document, Procedure, SubmissionChannel

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "catalogue.jsonl"
SHARED = next(
    (
        p / "shared" / "data" / "catalogue"
        for p in (ROOT.parent, ROOT.parent.parent)
        if (p / "shared").is_dir()
    ),
    ROOT.parent / "shared" / "data" / "catalogue",
)
PORTAL = SHARED / "national-portal-2026-07.jsonl"


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return default_glossary()


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Tờ khai đăng ký khai sinh", "en", "Birth registration declaration"),
        ("Tờ khai đăng ký khai sinh theo mẫu quy định", "en", "Birth registration declaration"),
        ("Tờ khai đăng ký khai sinh", "fr", "Déclaration de naissance"),
        ("Tờ khai đăng ký khai sinh", "ja", "出生届"),
        ("Bản sao Giấy khai sinh", "en", "Copy of birth certificate"),
        ("Bản sao Giấy khai sinh", "zh", "出生证明复印件"),
        ("Bản sao có chứng thực Hộ chiếu", "es", "Copia certificada de pasaporte"),
        ("(1) Bản chính Giấy chứng nhận quyền sử dụng đất", "ko", "토지사용권 증명서 원본"),
        ("- Chứng minh nhân dân", "en", "People's identity card – old ID"),
        ("Căn cước công dân", "fr", "Carte d'identité de citoyen"),
        ("02 ảnh màu", "ko", "컬러 사진 02장"),
        ("5 Ngày làm việc", "en", "5 working days"),
        ("15 ngày làm việc", "zh", "15个工作日"),
        ("Trực tuyến", "es", "En línea"),
        ("Dịch vụ bưu chính", "fr", "Par la poste"),
        ("Miễn phí", "ja", "無料"),
        ("Phí : 0 Đồng", "en", "Charge: 0 VND"),
        ("500,000 Việt Nam Đồng", "en", "500,000 VND"),
        # Tone marks placed the old way and upper case still match.
        ("TỜ KHAI ĐĂNG KÝ KHAI SINH", "en", "Birth registration declaration"),
    ],
)
def test_known_phrases_are_translated(glossary: Glossary, text: str, lang: str, expected: str) -> None:
    assert glossary.translate(text, lang) == expected


def test_a_name_that_only_starts_with_a_known_phrase_is_marked_partial(glossary: Glossary) -> None:
    assert glossary.translate("Bản sao Giấy khai sinh của người con", "en") == "Copy of birth certificate…"
    assert (
        glossary.translate("Đơn đề nghị cấp giấy phép vận chuyển thuốc nổ", "en")
        == "Application for a licence…"
    )
    # A copy of something unknown is still a copy.
    assert glossary.translate("Bản sao sổ nhật ký hàng hải", "en") == "Copy of…"
    assert glossary.translate("Bản sao sổ nhật ký hàng hải", "ko") == "사본…"


# A condition ("Trường hợp …") is not a document: "In case…" would only inflate the coverage.
@pytest.mark.parametrize("text", ["Xin chào", "", "Trường hợp người yêu cầu ủy quyền", "Bản sao"])
def test_unknown_text_gets_no_translation(glossary: Glossary, text: str) -> None:
    assert glossary.translate(text, "en") is None


def test_vietnamese_and_unsupported_languages_get_none(glossary: Glossary) -> None:
    assert glossary.translate("Hộ chiếu", "vi") is None
    assert glossary.translate("Hộ chiếu", "de") is None
    assert glossary.annotate("Hộ chiếu", "en") == "Hộ chiếu (Passport)"
    assert glossary.annotate("Xin chào", "en") == "Xin chào"


def test_every_entry_has_every_language(glossary: Glossary) -> None:
    assert len(glossary) >= 200
    for lang in LANGS:
        assert glossary.translate("Giấy phép lái xe", lang)


def test_coverage_is_the_share_of_lines_translated(glossary: Glossary) -> None:
    lines = ["Hộ chiếu", "Xin chào", "5 Ngày làm việc", "Bản sao Hộ chiếu của con"]
    assert coverage(lines, "en", glossary) == 0.75
    assert coverage(lines, "en", glossary, complete=True) == 0.5
    assert coverage(lines, "vi", glossary) == 1.0
    assert coverage([], "en", glossary) == 1.0


def test_answer_lines_are_what_an_answer_quotes() -> None:
    proc = Procedure(
        code="1",
        name="x",
        documents=[Document("Tờ khai", group="Trường hợp A"), Document("Hộ chiếu", group="Trường hợp A")],
        channels=[SubmissionChannel("online", "5 Ngày làm việc", fee="Miễn phí")],
    )
    assert answer_lines(proc) == [
        "Tờ khai",
        "Hộ chiếu",
        "Trường hợp A",
        "Trực tuyến",
        "5 Ngày làm việc",
        "Miễn phí",
    ]


def test_sample_catalogue_coverage_per_language() -> None:
    procs = list(import_catalogues([SAMPLE]).procedures.values())
    shares = procedure_coverage(procs)
    assert set(shares) == set(LANGS)
    # Every language has the same entries, so the same share; the floor catches a regression.
    assert len(set(shares.values())) == 1 and shares["en"] >= 0.8
    assert procedure_coverage(procs, complete=True)["en"] >= 0.45


@pytest.mark.shared_data
@pytest.mark.skipif(not PORTAL.exists(), reason=f"national portal crawl not found at {PORTAL}")
def test_full_catalogue_coverage_floor() -> None:
    procs = list(import_catalogues([PORTAL]).procedures.values())
    shares = procedure_coverage(procs)
    assert min(shares.values()) >= 0.85, shares
    assert min(procedure_coverage(procs, complete=True).values()) >= 0.5


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"vi": "Hộ chiếu", "en": "Passport"}, "missing the `fr` translation"),
        ({"en": "Passport"}, "expected a mapping with a `vi` phrase"),
        ({"vi": "Bản sao {x}", **dict.fromkeys(LANGS, "Copy")}, "must use {x} as often as `vi`"),
        ({"vi": "{x} bản sao", **dict.fromkeys(LANGS, "{x}")}, "{x} may only end a phrase"),
        ({"vi": "Hộ chiếu", "de": "Pass", **dict.fromkeys(LANGS, "P")}, "unknown keys ['de']"),
    ],
)
def test_malformed_entries_are_rejected(tmp_path: Path, entry: dict[str, str], message: str) -> None:
    import yaml

    (tmp_path / "x.yml").write_text(yaml.safe_dump([entry], allow_unicode=True), encoding="utf-8")
    with pytest.raises(GlossaryError) as err:
        Glossary.load(tmp_path)
    assert message in str(err.value) and "x.yml" in str(err.value)


def test_a_phrase_listed_twice_is_an_error(tmp_path: Path) -> None:
    line = '- {vi: "Hộ chiếu", ' + ", ".join(f'{lang}: "P"' for lang in LANGS) + "}\n"
    (tmp_path / "a.yml").write_text(line, encoding="utf-8")
    (tmp_path / "b.yml").write_text(line.replace("Hộ chiếu", "HỘ CHIẾU"), encoding="utf-8")
    with pytest.raises(GlossaryError, match="already in a.yml"):
        Glossary.load(tmp_path)


def test_the_coverage_command_prints_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from knowledge.glossary import main

    assert main(["--catalogue", str(SAMPLE)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["procedures"] == 44 and out["answer_lines"] > 400
    assert set(out["translated"]) == set(LANGS)
    assert out["translated_whole"]["en"] <= out["translated"]["en"]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # A fee in dollars with its note: the note's known head in brackets, marked partial.
        (
            "145 USD(Thẻ tạm trú có thời hạn không quá 02 năm: 145 USD/thẻ.)",
            "en",
            "145 USD (temporary residence card)…",
        ),
        (
            "145 USD(Thẻ tạm trú có thời hạn không quá 02 năm: 145 USD/thẻ.)",
            "ja",
            "145米ドル（一時滞在カード）…",
        ),
        ("10 USD", "zh", "10美元"),
        # An unknown note leaves no empty brackets.
        ("10 USD(/bản)", "fr", "10 USD…"),
    ],
)
def test_fees_in_dollars_are_translated_with_the_head_of_their_note(
    glossary: Glossary, text: str, lang: str, expected: str
) -> None:
    assert glossary.translate(text, lang) == expected
