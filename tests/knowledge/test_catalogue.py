"""Catalogue importers: layouts, broken records, the report, the normalised round trip.

Small files written by the tests cover every behaviour; the full published catalogue
(``../shared/data/catalogue``) checks the counts, the coverage and the speed, and is
skipped with a reason when it is absent.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest

from knowledge.catalogue import ImportReport, import_catalogues, write_normalised
from knowledge.models import Document, LegalBasis, Procedure, SubmissionChannel

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
PORTAL = SHARED / "catalogue" / "national-portal-2026-07.jsonl"
BQP_DIR = SHARED / "catalogue" / "bqp-2025"

needs_portal = pytest.mark.skipif(
    not PORTAL.exists(), reason=f"national portal crawl not found at {PORTAL} (../shared/data is absent)"
)
needs_bqp = pytest.mark.skipif(
    not BQP_DIR.is_dir(),
    reason=f"Ministry of Defence files not found at {BQP_DIR} (../shared/data is absent)",
)

# The 17 portal records whose page text shows another procedure (found by reading raw_text).
WRONG_PAGES = {
    "1.002544", "1.014208", "2.001428", "2.001709", "3.000224", "3.000226", "3.000243", "3.000244",
    "3.000246", "3.000272", "3.000274", "3.000283", "3.000284", "3.000285", "3.000286", "3.000331",
    "3.000332",
}  # fmt: skip


def portal_record(code: str = "1.000771", **overrides: Any) -> dict[str, Any]:
    """A portal record shaped like the crawl (cells copied from 1.000771, shortened)."""
    record: dict[str, Any] = {
        "ma_thu_tuc": code,
        "detail_url": f"https://dichvucong.gov.vn/thu-tuc-hanh-chinh/{code}",
        "ten_thu_tuc": "Gia hạn tạm trú cho người đã được cấp giấy miễn thị thực",
        "cap_thuc_hien": "Cấp bộ",
        "linh_vuc": "Quản lý xuất nhập cảnh",
        "doi_tuong_thuc_hien": "Công dân Việt Nam, Cán bộ, công chức, viên chức, Người nước ngoài",
        "co_quan_co_tham_quyen": "Cục quản lý xuất nhập cảnh",
        "co_quan_thuc_hien": "Cục quản lý xuất nhập cảnh",
        "dia_chi_tiep_nhan": "",
        "trinh_tu_thuc_hien": "Bước 1: Chuẩn bị hồ sơ.\nBước 2: Nộp hồ sơ.\nBước 3: Trả kết quả.",
        "cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến5 Ngày làm việc10 USD(/lần)"
        "Trực tiếp5 Ngày làm việc10 USD(/lần)",
        "thanh_phan_ho_so": "--Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai đề nghị cấp thị thực, gia hạn "
        "tạm trú (mẫu NA5).NA5.doc1 bản chínhGiấy miễn thị thực.1 bản chính",
        "can_cu_phap_ly": "Tên văn bản pháp lýMã văn bảnLuật 51/2019/QH1451/2019/QH14",
        "yeu_cau_dieu_kien": "Không có thông tin",
        "ket_qua_xu_ly": "Gia hạn tạm trú (không quá 06 tháng)Mã: KQ.G01.000074Từ khóaKhông có thông tin",
        "raw_text": f"Gia hạn tạm trúTên thủ tụcGia hạn tạm trúMã thủ tục{code}Số quyết định5568/QĐ-BCA",
        "_source_folder": "bo-cong-an",
    }
    record.update(overrides)
    return record


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    """Objects are written as JSON, strings as they are (to write broken lines)."""
    text = "\n".join(
        line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines
    )
    path.write_text(text + "\n", encoding="utf-8")
    return path


def bqp_record(code: str = "1.013124") -> dict[str, Any]:
    """A Ministry of Defence file (1.013124, shortened)."""
    return {
        "thu_tuc_id": code,
        "source_file": f"ChiTietTTHC_{code}.doc",
        "metadata": {
            "mã_thủ_tục": code,
            "tên_thủ_tục": "Thủ tục thẩm định và phê duyệt kế hoạch ứng phó sự cố tràn dầu",
            "cấp_thực_hiện": "Cấp Bộ, Cấp Tỉnh",
            "lĩnh_vực": "Ứng phó sự cố tràn dầu",
        },
        "content": {
            "trình_tự_thực_hiện": "Bước 1: Gửi hồ sơ. Bước 2: Trong thời hạn 30 ngày làm việc, phê duyệt.",
            "đối_tượng_thực_hiện": "Doanh nghiệp, Tổ chức (không bao gồm doanh nghiệp, HTX)",
            "cơ_quan_thực_hiện": "Văn phòng Ủy ban Quốc gia Ứng phó sự cố",
            "cơ_quan_có_thẩm_quyền": "Ủy ban Quốc gia Ứng phó sự cố",
            "địa_chỉ_tiếp_nhận_hs": "Không có thông tin",
            "kết_quả_thực_hiện": "Quyết định phê duyệt kế hoạch ứng phó sự cố tràn dầu.",
            "yêu_cầu_điều_kiện_thực_hiện": "Không",
        },
        "tables": {
            "hinh_thuc_nop": [
                {"hinh_thuc": "Trực tiếp", "thoi_han_giai_quyet": "30 Ngày làm việc", "phi_le_phi": "Phí : 0 Đồng", "mo_ta": ""},
                {"hinh_thuc": "Trực tuyến", "thoi_han_giai_quyet": "30 Ngày làm việc", "phi_le_phi": "Phí : 0 Đồng", "mo_ta": ""},
                {"hinh_thuc": "Fax", "thoi_han_giai_quyet": "", "phi_le_phi": "", "mo_ta": ""},
            ],
            "thanh_phan_ho_so": [
                {"ten_giay_to": "Trường hợp 1: Hồ sơ đề nghị phê duyệt lần đầu", "so_luong": "", "ghi_chu": "Bản chính: 0\nBản sao: 0"},
                {"ten_giay_to": "Văn bản đề nghị phê duyệt.", "so_luong": "", "ghi_chu": "Bản chính: 1\nBản sao: 0"},
                {"ten_giay_to": "Kế hoạch ứng phó sự cố tràn dầu", "so_luong": "Mu3B-phlc1.docx\nMu3A-phlc1.docx", "ghi_chu": "Bản chính: 0\nBản sao: 1"},
            ],
            "can_cu_phap_ly": [
                {"so_ky_hieu": "12", "trich_yeu": "Quyết định số 12/2021/QĐ-TTg ngày 24/3/2021 ban hành Quy chế", "ngay_ban_hanh": "24-03-2021"},
                {"so_ky_hieu": "Thông tư số 104/2024/TT-BQP", "trich_yeu": "Thông tư thay thế một số mẫu biểu", "ngay_ban_hanh": ""},
            ],
        },
    }  # fmt: skip


# --------------------------------------------------------------------------- portal


def test_portal_record_becomes_a_procedure(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "portal.jsonl", [portal_record()])
    result = import_catalogues([path], imported_at="2026-07-25")
    proc = result.procedures["1.000771"]
    assert proc.name == "Gia hạn tạm trú cho người đã được cấp giấy miễn thị thực"
    assert proc.levels == ["ministry"]
    assert proc.field == "Quản lý xuất nhập cảnh"
    assert proc.applicants == ["Công dân Việt Nam", "Cán bộ, công chức, viên chức", "Người nước ngoài"]
    assert [(c.kind, c.time_days, c.fee) for c in proc.channels] == [
        ("online", 5.0, "10 USD(/lần)"),
        ("in_person", 5.0, "10 USD(/lần)"),
    ]
    assert [(d.name, d.form, d.originals) for d in proc.documents] == [
        ("Tờ khai đề nghị cấp thị thực, gia hạn tạm trú (mẫu NA5)", "NA5.doc", 1),
        ("Giấy miễn thị thực", "", 1),
    ]
    assert proc.legal_bases == [LegalBasis("Luật 51/2019/QH14", "51/2019/QH14")]
    assert proc.steps == ["Bước 1: Chuẩn bị hồ sơ.", "Bước 2: Nộp hồ sơ.", "Bước 3: Trả kết quả."]
    assert proc.conditions == ""  # "Không có thông tin"
    assert proc.result == "Gia hạn tạm trú (không quá 06 tháng)"
    assert proc.url == "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/1.000771"
    assert proc.source == "national-portal:bo-cong-an"
    assert proc.ministry == "bo-cong-an"
    assert proc.imported_at == "2026-07-25"
    report = result.report
    assert (report.imported, report.updated, report.skipped, report.quarantined) == (1, 0, [], [])
    assert report.warning_count("channels", "fee unparsed (not in đồng, several amounts or doubtful)") == 1


def test_text_fields_are_normalised(tmp_path: Path) -> None:
    record = portal_record(
        ten_thu_tuc="Thủ tục  hoà giải\u00ad viên thuỷ sản ",
        linh_vuc="Thu\u0309y sa\u0309n",  # combining marks
    )
    result = import_catalogues([write_jsonl(tmp_path / "p.jsonl", [record])])
    proc = result.procedures["1.000771"]
    assert proc.name == "Thủ tục hòa giải viên thủy sản"
    assert proc.field == "Thủy sản"


def test_broken_records_are_skipped_and_the_import_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines: list[Any] = [
        portal_record("1.000001"),
        '{"ma_thu_tuc": "1.000002", "ten_thu_tuc": ',  # cut JSON line
        "",  # blank lines are not records
        portal_record("", ten_thu_tuc="Không mã"),  # empty code
        {k: v for k, v in portal_record("1.000004").items() if k != "ma_thu_tuc"},  # no code
        portal_record("1.000005", ten_thu_tuc=12345),  # name of the wrong type
        portal_record("1.000006", ten_thu_tuc="Không có thông tin"),  # no name at all
        ["not", "an", "object"],
        portal_record("1.000008", cach_thuc_thuc_hien=["Trực tuyến"], can_cu_phap_ly=None),  # wrong types
        portal_record("1.000009"),
    ]
    path = write_jsonl(tmp_path / "broken.jsonl", lines)
    with caplog.at_level(logging.WARNING, logger="knowledge.catalogue"):
        result = import_catalogues([path])
    assert list(result.procedures) == ["1.000001", "1.000008", "1.000009"]
    report = result.report
    assert report.imported == 3
    reasons = {s.location: s.reason for s in report.skipped}
    assert sorted(reasons) == [f"broken.jsonl:{n}" for n in (2, 4, 5, 6, 7, 8)]
    assert reasons["broken.jsonl:2"].startswith("invalid JSON")
    assert reasons["broken.jsonl:4"] == "empty procedure code (ma_thu_tuc)"
    assert reasons["broken.jsonl:5"] == "missing procedure code (ma_thu_tuc)"
    assert reasons["broken.jsonl:6"] == "procedure name (ten_thu_tuc) is int, not text"
    assert reasons["broken.jsonl:7"] == "empty procedure name (ten_thu_tuc)"
    assert reasons["broken.jsonl:8"] == "record is list, not an object"
    assert [s.code for s in report.skipped if s.location == "broken.jsonl:6"] == ["1.000005"]
    assert result.procedures["1.000008"].channels == []
    assert report.warnings["channels"]["wrong type (list), ignored"].examples == ["1.000008"]
    assert report.warnings["channels"]["no channels parsed"].count == 1
    assert report.sources[0].records == 9
    assert any("skipped broken.jsonl:2" in r.getMessage() for r in caplog.records)


def test_records_showing_another_procedure_are_quarantined(tmp_path: Path) -> None:
    wrong = portal_record(
        "2.001428", raw_text="Công bốTên thủ tụcCông bố Danh mụcMã thủ tục3.000579Số quyết định"
    )
    path = write_jsonl(tmp_path / "p.jsonl", [wrong, portal_record("1.000771")])
    result = import_catalogues([path])
    assert list(result.procedures) == ["1.000771"]
    (q,) = result.report.quarantined
    assert (q.code, q.location) == ("2.001428", "p.jsonl:1")
    assert "3.000579" in q.reason
    assert any("quarantined 2.001428" in line for line in result.report.summary())


def test_a_later_source_replaces_a_code(tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", [portal_record("1.000001"), portal_record("1.000002")])
    second = write_jsonl(tmp_path / "b.jsonl", [portal_record("1.000002", ten_thu_tuc="Tên mới")])
    result = import_catalogues([first, second])
    assert list(result.procedures) == ["1.000001", "1.000002"]
    assert result.procedures["1.000002"].name == "Tên mới"
    assert (result.report.imported, result.report.updated) == (2, 1)
    assert [(s.imported, s.updated) for s in result.report.sources] == [(2, 0), (0, 1)]


def test_portal_json_folder_and_single_files(tmp_path: Path) -> None:
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(portal_record("1.000001")), encoding="utf-8")
    (folder / "b.json").write_text(
        json.dumps([portal_record("1.000002"), portal_record("1.000003")]), encoding="utf-8"
    )
    (folder / "c.json").write_text("{not json", encoding="utf-8")
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    result = import_catalogues([folder])
    assert list(result.procedures) == ["1.000001", "1.000002", "1.000003"]
    assert result.report.sources[0].format == "national-portal"
    (skipped,) = result.report.skipped
    assert skipped.location == "crawl/c.json"
    assert skipped.reason.startswith("invalid JSON file")
    single = import_catalogues([folder / "a.json"])
    assert list(single.procedures) == ["1.000001"]


def test_unknown_layouts_are_reported_not_guessed(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "other.jsonl", [{"id": 1, "title": "x"}, {"id": 2}])
    result = import_catalogues([path])
    assert result.procedures == {}
    assert result.report.sources[0].format == "unknown"
    assert [s.reason for s in result.report.skipped] == [
        "unrecognised record layout (keys: id, title)",
        "unrecognised record layout (keys: id)",
    ]
    empty = import_catalogues([write_jsonl(tmp_path / "empty.jsonl", [])])
    assert empty.procedures == {} and empty.report.skipped == []


def test_a_missing_path_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        import_catalogues([tmp_path / "nowhere.jsonl"])


def test_a_single_path_is_not_iterated_character_by_character(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [portal_record()])
    assert list(import_catalogues(str(path)).procedures) == ["1.000771"]


# --------------------------------------------------------------------------- Ministry of Defence


def test_bqp_layout(tmp_path: Path) -> None:
    folder = tmp_path / "bqp-2025"
    folder.mkdir()
    (folder / "1.013124.json").write_text(json.dumps(bqp_record(), ensure_ascii=False), encoding="utf-8")
    broken = bqp_record("1.013125")
    del broken["metadata"]["tên_thủ_tục"]
    (folder / "1.013125.json").write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    result = import_catalogues([folder], imported_at="2026-07-25")
    assert result.report.sources[0].format == "bqp"
    proc = result.procedures["1.013124"]
    assert proc.levels == ["ministry", "province"]
    assert proc.applicants == ["Doanh nghiệp", "Tổ chức (không bao gồm doanh nghiệp, HTX)"]
    assert [(c.kind, c.time_days, c.working_days, c.fee_vnd) for c in proc.channels] == [
        ("in_person", 30.0, True, 0),
        ("online", 30.0, True, 0),
    ]
    assert proc.documents == [
        Document("Văn bản đề nghị phê duyệt.", "", 1, 0, "Trường hợp 1: Hồ sơ đề nghị phê duyệt lần đầu"),
        Document("Kế hoạch ứng phó sự cố tràn dầu", "Mu3B-phlc1.docx; Mu3A-phlc1.docx", 0, 1,
                 "Trường hợp 1: Hồ sơ đề nghị phê duyệt lần đầu"),
    ]  # fmt: skip
    assert [(b.number, b.title[:22]) for b in proc.legal_bases] == [
        ("12/2021/QĐ-TTg", "Quyết định số 12/2021/"),
        ("104/2024/TT-BQP", "Thông tư thay thế một "),
    ]
    assert proc.steps == ["Bước 1: Gửi hồ sơ.", "Bước 2: Trong thời hạn 30 ngày làm việc, phê duyệt."]
    assert proc.receiving_address == ""
    assert proc.conditions == "Không"
    assert (proc.source, proc.ministry, proc.url) == ("bqp", "bo-quoc-phong", "")
    assert result.report.warning_count("channels", "unknown channel name, row ignored") == 1
    (skipped,) = result.report.skipped
    assert (skipped.code, skipped.reason) == ("1.013125", "missing procedure name (tên_thủ_tục)")


# --------------------------------------------------------------------------- normalised


def sample_procedures() -> list[Procedure]:
    return [
        Procedure(
            code="1.001193",
            name="Thủ tục đăng ký khai sinh",
            levels=["commune"],
            field="Hộ tịch",
            applicants=["Công dân Việt Nam"],
            channels=[SubmissionChannel("online", "1 Ngày làm việc", 1.0, True, "Miễn phí", 0, "")],
            documents=[Document("Tờ khai đăng ký khai sinh", "Mẫu 01.docx", 1, None, "")],
            steps=["Bước 1: Nộp hồ sơ."],
            legal_bases=[LegalBasis("Luật Hộ tịch", "60/2014/QH13")],
            url="https://dichvucong.gov.vn/p/1.001193",
            source="national-portal:bo-tu-phap",
            imported_at="2026-07-01",
            aliases=["làm giấy khai sinh"],
            ministry="bo-tu-phap",
        ),
        Procedure(code="9.000001", name="Thủ tục không rõ nguồn"),
    ]


def test_normalised_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.jsonl"
    assert write_normalised(sample_procedures(), path) == 2
    result = import_catalogues([path], imported_at="2026-07-25")
    assert result.report.sources[0].format == "normalised"
    first, second = result.procedures.values()
    assert first.to_dict() == sample_procedures()[0].to_dict()  # provenance is kept
    assert second.source == "normalised:catalogue.jsonl"  # and filled in when absent
    assert second.imported_at == "2026-07-25"


def test_normalised_records_are_validated(tmp_path: Path) -> None:
    good = sample_procedures()[0].to_dict()
    bad_types = dict(
        good,
        code="1.000002",
        channels=[
            {"kind": "fax"},
            {"kind": "online", "fee_vnd": "free"},
            "x",
            {"kind": "post", "time_days": 3},
        ],
        documents=[{"form": "no name"}],
        levels=["commune", "district"],
        aliases="not a list",
        field=7,
    )
    path = write_jsonl(tmp_path / "n.jsonl", [good, bad_types, {"code": "1.000003", "name": None}])
    result = import_catalogues([path])
    proc = result.procedures["1.000002"]
    assert [c.kind for c in proc.channels] == ["post"]
    assert proc.channels[0].time_days == 3.0
    assert proc.documents == []
    assert proc.levels == ["commune"]
    assert proc.aliases == []
    assert proc.field == ""
    warnings = result.report.warnings
    assert warnings["channels"]["invalid item, ignored"].count == 1  # counted once per record
    assert "wrong type (str), ignored" in warnings["aliases"]
    assert "wrong type (int), ignored" in warnings["field"]
    assert [s.reason for s in result.report.skipped] == ["missing procedure name (name)"]


def test_report_is_plain_data_and_readable(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [portal_record(), "{broken"])
    report = import_catalogues([path]).report
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["imported"] == 1
    assert data["skipped"][0]["location"] == "p.jsonl:2"
    assert data["sources"][0]["format"] == "national-portal"
    assert data["warnings"]["channels"]["fee unparsed (not in đồng, several amounts or doubtful)"] == {
        "count": 1,
        "examples": ["1.000771"],
    }
    lines = report.summary()
    assert lines[0].startswith("imported 1 procedures")
    assert all(isinstance(line, str) for line in lines)
    assert ImportReport().summary()[0].startswith("imported 0 procedures")


# --------------------------------------------------------------------------- the real catalogue


@pytest.fixture(scope="module")
def portal_import() -> tuple[Any, float]:
    if not PORTAL.exists():
        pytest.skip(f"national portal crawl not found at {PORTAL} (../shared/data is absent)")
    started = time.perf_counter()
    result = import_catalogues([PORTAL], imported_at="2026-07-25")
    return result, time.perf_counter() - started


@pytest.mark.shared_data
@needs_portal
def test_full_portal_import(portal_import: tuple[Any, float]) -> None:
    result, seconds = portal_import
    report = result.report
    assert report.sources[0].records == 2642
    assert {q.code for q in report.quarantined} == WRONG_PAGES
    assert len(result.procedures) == report.imported == 2642 - 17
    assert report.skipped == []
    assert not WRONG_PAGES & set(result.procedures)
    assert seconds < 10, f"full catalogue import took {seconds:.1f}s"


@pytest.mark.shared_data
@needs_portal
def test_full_portal_parse_coverage(portal_import: tuple[Any, float]) -> None:
    """Floors a little under what the parsers reach today, so a regression shows."""
    procs = list(portal_import[0].procedures.values())
    channels = [ch for p in procs for ch in p.channels]
    documents = [d for p in procs for d in p.documents]
    bases = [b for p in procs for b in p.legal_bases]
    assert sum(bool(p.channels) for p in procs) == len(procs)
    assert sum(bool(p.documents) for p in procs) >= 2570
    assert sum(bool(p.legal_bases) for p in procs) >= 2540
    assert sum(bool(p.steps) for p in procs) == len(procs)
    assert sum(bool(p.result) for p in procs) >= 2600
    assert sum(ch.time_days is not None for ch in channels) / len(channels) > 0.80
    assert sum(bool(ch.fee) for ch in channels) / len(channels) > 0.83
    assert sum(d.originals is not None or d.copies is not None for d in documents) / len(documents) > 0.99
    assert sum(bool(b.number) for b in bases) / len(bases) > 0.99
    assert all(p.levels for p in procs)


@pytest.mark.shared_data
@needs_portal
def test_full_portal_spot_checks(portal_import: tuple[Any, float]) -> None:
    procs = portal_import[0].procedures
    visa = procs["1.000771"]
    assert [c.kind for c in visa.channels] == ["online", "post", "in_person"]
    assert all(c.time_days == 5 and c.working_days and c.fee.startswith("10 USD") for c in visa.channels)
    assert all(c.fee_vnd is None for c in visa.channels)
    assert [b.number for b in visa.legal_bases][:3] == ["23/2023/QH15", "51/2019/QH14", "47/2014/QH13"]
    assert [d.form for d in visa.documents if d.form] == ["NA5.doc"]
    assert visa.result == "Gia hạn tạm trú (không quá 06 tháng)"
    free = procs["6.003636"]
    assert [(c.fee, c.fee_vnd, c.time_days) for c in free.channels] == [("Miễn phí", 0, 15.0)] * 3
    paid = procs["1.011325"]
    assert {c.fee_vnd for c in paid.channels} == {2_000_000}
    id_card = procs["1.000889"]
    assert id_card.channels[0].fee_vnd == 50_000
    assert procs["1.007996"].documents[0].group == "Cấp Quyết định lưu hành giống cây trồng"


@pytest.mark.shared_data
@needs_portal
def test_full_portal_normalised_round_trip(portal_import: tuple[Any, float], tmp_path: Path) -> None:
    result = portal_import[0]
    path = tmp_path / "catalogue.jsonl"
    write_normalised(result.procedures.values(), path)
    again = import_catalogues([path])
    assert again.report.skipped == [] and again.report.quarantined == []
    assert [p.to_dict() for p in again.procedures.values()] == [
        p.to_dict() for p in result.procedures.values()
    ]


@pytest.mark.shared_data
@needs_bqp
def test_full_bqp_import() -> None:
    result = import_catalogues([BQP_DIR], imported_at="2026-07-25")
    assert len(result.procedures) == result.report.imported == 207
    assert result.report.skipped == [] and result.report.quarantined == []
    proc = result.procedures["1.013124"]
    assert [(c.kind, c.time_days, c.fee_vnd) for c in proc.channels] == [
        ("in_person", 30.0, 0),
        ("online", 30.0, 0),
        ("post", 30.0, 0),
    ]
    assert [d.form for d in proc.documents] == ["", "5-PHLCII.doc"]
    assert proc.legal_bases[0].number == "12/2021/QĐ-TTg"
    assert len(proc.steps) == 3
    assert sum(bool(p.channels) for p in result.procedures.values()) == 207


@pytest.mark.shared_data
@needs_portal
@needs_bqp
def test_portal_then_bqp_in_one_import(portal_import: tuple[Any, float]) -> None:
    result = import_catalogues([PORTAL, BQP_DIR])
    sources = {p.source.split(":")[0] for p in result.procedures.values()}
    assert sources == {"national-portal", "bqp"}
    assert len(result.procedures) == result.report.imported
    assert result.report.imported + result.report.updated == 2625 + 207
