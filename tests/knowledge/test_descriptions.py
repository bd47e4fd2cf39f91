"""Descriptions in citizens' words: the bundled data, its validation, the generator, the index hash."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.catalogue import import_catalogues
from knowledge.centres import CentreRegistry
from knowledge.describe import Situations, describe, generate, list_file
from knowledge.descriptions import (
    DEFAULT_DIR,
    DescriptionError,
    attach,
    attach_descriptions,
    describe_coverage,
    load_descriptions,
    read_entries,
)
from knowledge.index import IndexInputs
from knowledge.models import Procedure
from knowledge.units import UnitRegistry

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "catalogue.jsonl"
# ../shared beside the project; a git worktree of it sits one level deeper.
SHARED = next(
    (
        p / "shared" / "data" / "catalogue"
        for p in (ROOT.parent, ROOT.parent.parent)
        if (p / "shared").is_dir()
    ),
    ROOT.parent / "shared" / "data" / "catalogue",
)
PORTAL = SHARED / "national-portal-2026-07.jsonl"
BQP = SHARED / "bqp-2025"

needs_catalogue = pytest.mark.skipif(
    not (PORTAL.exists() and BQP.exists()),
    reason=f"full catalogue not found under {SHARED} (../shared/data is absent)",
)


def sample_procedures() -> list[Procedure]:
    return list(import_catalogues([SAMPLE]).procedures.values())


def write(folder: Path, name: str, entries: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return path


def proc(name: str, field: str = "", **kw: object) -> Procedure:
    return Procedure(code=str(kw.pop("code", "9.999999")), name=name, field=field, **kw)  # type: ignore[arg-type]


# ------------------------------------------------------------------ the bundled data


def test_every_sample_procedure_is_described_in_both_languages() -> None:
    procs = sample_procedures()
    assert attach_descriptions(procs) == len(procs) == 44
    report = describe_coverage(procs)
    assert report.described == {"vi": 44, "en": 44, "fr": 44, "es": 44, "zh": 44, "ko": 44, "ja": 44}
    assert report.line() == (
        "descriptions: 44 of 44 procedures (vi), 44 (en), 44 (fr), 44 (es), 44 (zh), 44 (ko), 44 (ja)"
    )
    # Given the folder, the report also says how many texts people wrote or reviewed.
    checked = describe_coverage(procs, DEFAULT_DIR)
    assert checked.reviewed == 44
    assert checked.line().endswith("44 written or reviewed by people, the rest generated from templates")
    birth = next(p for p in procs if p.code == "1.001193")
    assert "khai sinh" in birth.descriptions["vi"] and "birth" in birth.descriptions["en"].lower()


@pytest.mark.shared_data
@needs_catalogue
def test_the_whole_catalogue_is_described_and_every_code_is_known() -> None:
    procs = list(import_catalogues([PORTAL, BQP]).procedures.values())
    report = attach(procs)
    assert report.procedures == len(procs) > 2800
    assert report.described == {lang: len(procs) for lang in ("vi", "en", "fr", "es", "zh", "ko", "ja")}
    assert report.unknown_codes == []
    # One file per ministry list, each entry in the file of its list.
    entries = read_entries()
    by_code = {p.code: p for p in procs}
    assert {e.source for e in entries.values()} == {list_file(p) for p in procs}
    assert all(e.source == list_file(by_code[code]) for code, e in entries.items())
    # Every field of the catalogue has hand-written situations.
    situations = Situations.load()
    assert sorted({p.field for p in procs if p.field and situations.field(p.field) is None}) == []


def test_no_description_says_what_it_is_not() -> None:
    # "Không phải khi bị mất" would make a question about a lost card match the exchange.
    for code, entry in read_entries().items():
        assert "không phải cấp" not in entry.texts["vi"].lower(), code
        assert "not a re-issue" not in entry.texts["en"] and "not for" not in entry.texts["en"].lower(), code


def test_bundled_entries_follow_the_schema() -> None:
    entries = read_entries()
    assert entries, f"no descriptions under {DEFAULT_DIR}"
    for code, entry in entries.items():
        assert code == entry.code and entry.field
        assert set(entry.texts) == {"vi", "en", "fr", "es", "zh", "ko", "ja"}
        assert 40 <= len(entry.texts["vi"]) <= 1200, code


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"code": "1"}, "expected a list"),
        (["text"], "expected a mapping"),
        ([{"code": "1.001193", "vi": "x", "colour": "red"}], "unknown keys ['colour']"),
        ([{"vi": "x"}], "`code` must be a non-empty string"),
        ([{"code": 1.001193, "vi": "x"}], "`code` must be a non-empty string"),
        ([{"code": "1.001193", "vi": ["a"]}], "`vi` must be a string"),
        ([{"code": "1.001193", "reviewed": False}], "needs a `vi` or `en` text"),
        ([{"code": "1.001193", "vi": "x", "reviewed": "yes"}], "`reviewed` must be true or false"),
        ([{"code": "1.001193", "vi": "x" * 1300}], "max 1200"),
    ],
)
def test_malformed_files_are_rejected_with_the_file_and_entry(
    tmp_path: Path, entries: object, message: str
) -> None:
    write(tmp_path, "bo-tu-phap.yml", entries)
    with pytest.raises(DescriptionError) as err:
        load_descriptions(tmp_path)
    assert message in str(err.value) and "bo-tu-phap.yml" in str(err.value)


def test_a_code_described_twice_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", [{"code": "1.001193", "vi": "một"}])
    write(tmp_path, "b.yml", [{"code": "1.001193", "vi": "hai"}])
    with pytest.raises(DescriptionError, match="already described in a.yml"):
        read_entries(tmp_path)


def test_invalid_yaml_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "x.yml").write_text("- code: [unclosed\n", encoding="utf-8")
    with pytest.raises(DescriptionError, match="x.yml: not valid YAML"):
        read_entries(tmp_path)
    # The CLI reports ValueErrors in one line with exit code 2.
    with pytest.raises(ValueError):
        attach_descriptions(sample_procedures(), tmp_path)


def test_unknown_codes_are_reported_and_texts_normalised(tmp_path: Path) -> None:
    decomposed = "lam giay khai sinh cho con  moi   sinh".replace("a", "a\u0300", 1)
    write(
        tmp_path,
        "x.yml",
        [{"code": "1.001193", "vi": decomposed, "en": "birth"}, {"code": "0.000000", "en": "gone"}],
    )
    procs = sample_procedures()
    report = attach(procs, tmp_path)
    assert report.unknown_codes == ["0.000000"]
    assert report.described == {"vi": 1, "en": 1, "fr": 0, "es": 0, "zh": 0, "ko": 0, "ja": 0}
    birth = next(p for p in procs if p.code == "1.001193")
    assert birth.descriptions == {"vi": "làm giay khai sinh cho con moi sinh", "en": "birth"}


def test_editing_a_description_changes_the_index_content_hash(tmp_path: Path) -> None:
    folder = tmp_path / "descriptions"

    def digest(text: str) -> str:
        write(folder, "x.yml", [{"code": "1.001193", "vi": text, "en": "birth"}])
        procs = sample_procedures()
        attach_descriptions(procs, folder)
        inputs = IndexInputs(procs, UnitRegistry.empty(), CentreRegistry(), "m", "t")
        return inputs.content_hash()

    first = digest("làm giấy khai sinh")
    assert digest("làm giấy khai sinh") == first
    assert digest("làm giấy khai sinh cho bé mới sinh") != first


# ------------------------------------------------------------------ the generator


@pytest.fixture(scope="module")
def situations() -> Situations:
    return Situations.load()


def test_siblings_are_told_apart_by_their_situations(situations: Situations) -> None:
    reissue = describe(proc("Cấp lại Giấy phép lái xe", "Sát hạch, cấp giấy phép lái xe"), situations)
    exchange = describe(proc("Cấp đổi Giấy phép lái xe", "Sát hạch, cấp giấy phép lái xe"), situations)
    extend = describe(proc("Gia hạn thẻ tạm trú", "Quản lý xuất nhập cảnh"), situations)
    first = describe(proc("Cấp Giấy phép lái xe quốc tế", "Sát hạch, cấp giấy phép lái xe"), situations)
    assert "bị mất" in reissue["vi"] and "cháy" in reissue["vi"] and "lost" in reissue["en"]
    action = next(s for s in exchange["vi"].split(". ") if s.startswith("Cấp đổi"))
    assert "hết hạn" in action and "bị mất" not in action
    assert "gia hạn" in extend["vi"].lower() and "extension" in extend["en"].lower()
    assert "lần đầu" in first["vi"] and "first issue" in first["en"].lower()
    # A description never names its sibling: a search would match the sibling's words there.
    first_action = next(s for s in first["vi"].split(". ") if s.startswith("Xin cấp"))
    reissue_action = next(s for s in reissue["vi"].split(". ") if s.startswith("Cấp lại"))
    assert "cấp lại" not in first_action and "lần đầu" not in reissue_action
    assert "re-issue" not in first["en"] and "first issue" not in reissue["en"]
    # Everyday names of the object and the field's situations.
    assert "bằng lái" in reissue["vi"] and "driving licence" in reissue["en"]
    assert "thẻ tạm trú cho người nước ngoài" in extend["vi"] and "ở trọ" not in extend["vi"]


def test_foreign_element_and_domestic_variants(situations: Situations) -> None:
    foreign = describe(
        proc("Đăng ký kết hôn có yếu tố nước ngoài", "Hộ tịch", levels=["commune"]), situations
    )
    domestic = describe(proc("Đăng ký kết hôn", "Hộ tịch", levels=["commune"]), situations)
    assert "có yếu tố nước ngoài" in foreign["vi"] and "foreign element" in foreign["en"]
    assert "trong nước" in domestic["vi"].lower() and "domestic" in domestic["en"].lower()
    assert "trong nước" not in foreign["vi"].lower()
    assert "UBND xã" in domestic["vi"] and "commune" in domestic["en"]


def test_direction_and_carriage_tell_quarantine_siblings_apart(situations: Situations) -> None:
    name = "Cấp giấy chứng nhận kiểm dịch động vật, sản phẩm động vật trên cạn "
    domestic = describe(proc(name + "vận chuyển ra khỏi địa bàn cấp tỉnh", "Thú y"), situations)
    carried = describe(proc(name + "nhập khẩu mang theo người", "Thú y"), situations)
    export = describe(proc(name + "xuất khẩu", "Thú y"), situations)
    assert "tỉnh khác" in domestic["vi"] and "domestic flight" in domestic["en"]
    assert "từ nước ngoài vào Việt Nam" in carried["vi"] and "carried with you" in carried["en"].lower()
    assert "ra nước ngoài" in export["vi"] and "taking out of Vietnam" in export["en"]
    assert "tỉnh khác" not in export["vi"] and "import" not in export["en"]
    assert "chó, mèo" in domestic["vi"] and "pets" in domestic["en"]


def test_marks_decide_the_action(situations: Situations) -> None:
    # Without marks "hoãn" (postpone) and "hoàn" (refund) would be one word.
    postpone = describe(proc("Hoãn gọi nhập ngũ", "Nghĩa vụ quân sự"), situations)
    refund = describe(proc("Hoàn thuế giá trị gia tăng", "Thuế"), situations)
    assert "hoàn" not in postpone["vi"].split(":")[0] and "refund" not in postpone["en"]
    assert "refund" in refund["en"]


def test_only_a_joiner_leads_to_a_second_action(situations: Situations) -> None:
    notary = describe(proc("Bổ nhiệm công chứng viên", "Công chứng"), situations)
    assert "Bổ nhiệm, miễn nhiệm: công chứng viên." in notary["vi"]
    several = describe(proc("Cấp, điều chỉnh, cấp lại Giấy phép nhập khẩu thuốc thú y", "Thú y"), situations)
    head = several["vi"].split(": Giấy phép")[0]
    assert "Xin cấp" in head and "điều chỉnh" in head and "làm lại khi bị mất" in head


def test_applicants_in_citizens_words(situations: Situations) -> None:
    few = describe(proc("Đăng ký khai sinh", "Hộ tịch", applicants=["Công dân Việt Nam"]), situations)
    everyone = describe(
        proc(
            "Bồi thường",
            "Bồi thường nhà nước",
            applicants=["Công dân Việt Nam", "Doanh nghiệp", "Hợp tác xã", "Người nước ngoài", "Tổ chức"],
        ),
        situations,
    )
    assert "Dành cho người dân." in few["vi"] and "For Vietnamese citizens." in few["en"]
    assert "mọi người" in everyone["vi"] and "anyone" in everyone["en"]


def test_every_field_of_the_sample_has_situations(situations: Situations) -> None:
    assert all(situations.field(p.field) is not None for p in sample_procedures())


def test_generate_keeps_reviewed_entries_and_marks_the_rest(tmp_path: Path, situations: Situations) -> None:
    procs = sample_procedures()
    birth = next(p for p in procs if p.code == "1.001193")
    write(
        tmp_path,
        list_file(birth),
        [
            {
                "code": "1.001193",
                "field": "Hộ tịch",
                "vi": "viết tay",
                "en": "by hand",
                "reviewed": True,
                "note": "checked by the province",
            },
            {"code": "1.001022", "field": "Hộ tịch", "vi": "cũ", "en": "old", "reviewed": False},
            {"code": "7.777777", "field": "Hộ tịch", "vi": "đã xem", "en": "seen", "reviewed": True},
        ],
    )
    write(tmp_path, "stale-list.yml", [{"code": "8.888888", "vi": "bỏ", "reviewed": False}])
    counts = generate(procs, tmp_path, situations, None)
    assert counts["generated"] == 43 and counts["kept_reviewed"] == 1 and counts["kept_unknown"] == 1
    entries = read_entries(tmp_path)
    assert entries["1.001193"].texts == {"vi": "viết tay", "en": "by hand"} and entries["1.001193"].reviewed
    # Who wrote or checked a text is part of the review: regenerating keeps it.
    assert entries["1.001193"].note == "checked by the province"
    assert entries["1.001022"].texts["vi"] != "cũ" and not entries["1.001022"].reviewed
    assert "7.777777" in entries and "8.888888" not in entries
    assert not (tmp_path / "stale-list.yml").exists()
    text = (tmp_path / list_file(birth)).read_text(encoding="utf-8")
    assert text.startswith("# Descriptions in citizens' words") and "reviewed: false" in text


# ------------------------------------------------------------ long tail (issue 10): the data


class _DuplicateKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys silently; the aliases file must not rely on it."""


def _no_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[object, object]:
    keys = [loader.construct_object(k) for k, _ in node.value]
    dupes = sorted({str(k) for k in keys if keys.count(k) > 1})
    assert not dupes, f"aliases.yml lists these codes twice (the first list would be lost): {dupes}"
    return loader.construct_mapping(node)


_DuplicateKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def test_bundled_aliases_list_each_code_once() -> None:
    path = ROOT / "knowledge" / "data" / "aliases.yml"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_DuplicateKeyLoader)  # noqa: S506
    assert isinstance(data, dict) and len(data) > 300


def test_the_duplicate_check_catches_a_code_listed_twice() -> None:
    with pytest.raises(AssertionError, match="1.000001"):
        yaml.load('"1.000001": [a]\n"1.000001": [b]\n', Loader=_DuplicateKeyLoader)  # noqa: S506


@pytest.mark.shared_data
@needs_catalogue
def test_every_alias_names_a_procedure_of_the_catalogue() -> None:
    from knowledge.aliases import load_aliases

    codes = set(import_catalogues([PORTAL, BQP]).procedures)
    unknown = sorted(set(load_aliases()) - codes)
    assert not unknown, f"aliases for codes the catalogue does not have: {unknown}"


def test_police_recruitment_is_its_own_field_group(situations: Situations) -> None:
    # "Tổ chức, cán bộ" lists police admissions and recruitment only; grouped with defence it
    # was described with military vehicles and the press.
    admission = describe(
        proc("Tuyển sinh vào các trường Công an nhân dân tại Công an cấp tỉnh", "Tổ chức, cán bộ"), situations
    )
    assert "trường công an" in admission["vi"] and "xe quân sự" not in admission["vi"]
    assert "police" in admission["en"] and "military vehicles" not in admission["en"]


def test_long_tail_objects_get_everyday_names(situations: Situations) -> None:
    cases = {
        ("Khôi phục mã số thuế", "Thuế"): ("dùng lại mã số thuế", "inactive"),
        ("Thủ tục đề nghị sao, chụp hình ảnh tiền Việt Nam", "Hoạt động kho quỹ"): ("bao lì xì", "banknotes"),
        ("Đăng ký bảo hộ giống cây trồng", "Trồng trọt và Bảo vệ thực vật"): ("lai tạo", "breeder"),
        ("Cấp Giấy chứng nhận tên định danh (Brandname)", "Đảm bảo an toàn thông tin, an ninh mạng"): (
            "SMS",
            "brand",
        ),
        ("Gia hạn thời gian lưu hành tại Việt Nam cho phương tiện của Lào", "Đường bộ"): ("xe Lào", "Laos"),
    }
    for (name, field), (vi, en) in cases.items():
        d = describe(proc(name, field), situations)
        assert vi in d["vi"] and en in d["en"], (name, d)
