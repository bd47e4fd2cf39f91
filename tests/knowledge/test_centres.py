"""CentreRegistry: published addresses only, matched to communes in force, bad rows reported."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from knowledge.centres import CentreRegistry, ImportReport, default_centre_name, distance_km
from knowledge.models import Centre
from knowledge.units import UnitRegistry

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_UNITS = ROOT / "data" / "sample" / "units.json"
SAMPLE_CENTRES = ROOT / "data" / "sample" / "centres.yml"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
DANANG = SHARED / "centres" / "danang-2025-07.json"
SHARED_UNITS = SHARED / "units"

needs_shared = pytest.mark.skipif(
    not (DANANG.exists() and (SHARED_UNITS / "units-2026-07-25.json").exists()),
    reason=f"Đà Nẵng centres or unit tables not found under {SHARED} (../shared/data is absent)",
)

HAI_CHAU_ADDRESS = "Số 15 đường Lê Hồng Phong"
HAI_CHAU = (16.06372834024789, 108.22247219553093)


@pytest.fixture(scope="module")
def units() -> UnitRegistry:
    return UnitRegistry.from_file(SAMPLE_UNITS)


@pytest.fixture(scope="module")
def centres(units: UnitRegistry) -> CentreRegistry:
    return CentreRegistry.from_yaml(SAMPLE_CENTRES, units)


@pytest.fixture(scope="module")
def full_units() -> UnitRegistry:
    return UnitRegistry.from_shared_dir(SHARED_UNITS)


def _code(units: UnitRegistry, name: str, province: str = "Đà Nẵng") -> str:
    found = units.search_communes(name, province)
    assert len(found) == 1, (name, found)
    return found[0].code


# --------------------------------------------------------------------------- sample
def test_sample_centres_load_cleanly(centres: CentreRegistry) -> None:
    assert len(centres) == 7
    assert [r.ok for r in centres.reports] == [True]
    assert centres.reports[0].loaded == 7 and not centres.reports[0].warnings


def test_lookup_by_commune(units: UnitRegistry, centres: CentreRegistry) -> None:
    centre = centres.for_commune(_code(units, "Hải Châu"))
    assert centre is not None
    assert centre.address.startswith(HAI_CHAU_ADDRESS)
    assert centre.phone == "0903570134"  # quoted in YAML: the leading zero survives
    assert centre.commune_name == "Phường Hải Châu" and centre.province == "Đà Nẵng"
    assert centre.name == "Trung tâm Phục vụ hành chính công phường Hải Châu"
    assert centre.source == "centres.yml"
    assert centres.centres_for(_code(units, "Hải Châu")) == [centre]


def test_unknown_centre_is_none_never_invented(units: UnitRegistry, centres: CentreRegistry) -> None:
    # Cẩm Lệ and Liên Chiểu are communes in force, but the sample lists no office for them.
    assert centres.for_commune(_code(units, "Cẩm Lệ")) is None
    assert centres.for_commune(_code(units, "Liên Chiểu")) is None
    assert centres.for_commune(_code(units, "Ba Đình", "Hà Nội")) is None
    assert centres.for_commune("no-such-code") is None


def test_centre_for_a_resolved_question(units: UnitRegistry, centres: CentreRegistry) -> None:
    place = units.resolve("Địa chỉ trung tâm hành chính công phường Hải Châu, Đà Nẵng")
    centre = centres.for_resolution(place)
    assert centre is not None and "15" in centre.address and "Lê Hồng Phong" in centre.address
    # An old ward that went wholly into Hải Châu leads to the same office.
    old = units.resolve("phuong thach thang hai chau gio la phuong gi")
    assert centres.for_resolution(old) is centre
    # A split old ward designates no single office: the caller must ask first.
    split = units.resolve("phường Cát Linh cũ")
    assert split.status == "old" and centres.for_resolution(split) is None


def test_nearest(centres: CentreRegistry) -> None:
    near = centres.nearest(HAI_CHAU[0] + 0.001, HAI_CHAU[1] - 0.001)
    assert near is not None and near.commune_name == "Phường Hải Châu"
    near = centres.nearest(16.10, 108.25)
    assert near is not None and near.commune_name == "Phường Sơn Trà"
    assert centres.nearest(21.0285, 105.8542, max_km=50) is None  # Hà Nội: nothing near
    assert CentreRegistry().nearest(16.0, 108.0) is None
    assert distance_km(*HAI_CHAU, *HAI_CHAU) == pytest.approx(0.0)
    # Đà Nẵng - Hà Nội is about 600 km as the crow flies.
    assert 550 < distance_km(*HAI_CHAU, 21.0285, 105.8542) < 700


def test_save_load_roundtrip(centres: CentreRegistry, units: UnitRegistry, tmp_path: Path) -> None:
    path = tmp_path / "centres.json"
    centres.save(path)
    again = CentreRegistry.load(path)
    assert len(again) == len(centres)
    code = _code(units, "Hải Châu")
    assert again.for_commune(code) == centres.for_commune(code)
    assert list(again) == list(centres)
    assert again.content_hash() == centres.content_hash()
    assert CentreRegistry().content_hash() != centres.content_hash()


def test_load_rejects_other_files(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"format": "hotline-units"}', encoding="utf-8")
    with pytest.raises(ValueError):
        CentreRegistry.load(path)


# --------------------------------------------------------------------------- imports
CSV_TEXT = """\ufeffprovince,commune,name,address,phone,hours,latitude,longitude
Đà Nẵng,Cẩm Lệ,,"40 Ông Ích Đường, phường Cẩm Lệ",02363674174,"7:30-17:00 T2-T6",16.0178,108.2040
Đà Nẵng,Phường Không Có,,Số 1 đường Nào Đó,,,,
Thành phố Đà Nẵng,Liên Chiểu,,,0905537609,,,
da nang,lien chieu,,"Số 68 đường Lạc Long Quân, phường Liên Chiểu",0905537609,,108.14,16.07
Tỉnh Không Có,Hải Châu,,Số 2,,,,
48,Hải Vân,UBND phường Hải Vân,Số 3 đường X,,,16.1,
"""


def test_csv_import_reports_and_skips_bad_rows(
    units: UnitRegistry, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "centres.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="knowledge.centres"):
        registry = CentreRegistry.from_csv(path, units)
    report = registry.reports[0]
    assert isinstance(report, ImportReport)
    assert report.loaded == 1 and len(registry) == 1
    reasons = dict(report.skipped)
    assert set(reasons) == {
        "centres.csv:3",
        "centres.csv:4",
        "centres.csv:5",
        "centres.csv:6",
        "centres.csv:7",
    }
    assert "no commune" in reasons["centres.csv:3"]
    assert "no address" in reasons["centres.csv:4"]
    assert "outside Vietnam" in reasons["centres.csv:5"]  # latitude/longitude swapped
    assert "unknown province" in reasons["centres.csv:6"]
    assert "go together" in reasons["centres.csv:7"]
    assert "centres.csv:3" in caplog.text  # each skipped row is logged
    centre = registry.for_commune(_code(units, "Cẩm Lệ"))
    assert centre is not None
    assert centre.phone == "02363674174" and centre.hours == "7:30-17:00 T2-T6"
    assert (centre.latitude, centre.longitude) == (16.0178, 108.2040)
    assert centre.name == default_centre_name(units.commune(_code(units, "Cẩm Lệ")))  # type: ignore[arg-type]
    assert registry.for_commune(_code(units, "Liên Chiểu")) is None  # its rows were bad


def test_csv_without_required_columns_fails_fast(units: UnitRegistry, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("province,commune,phone\nĐà Nẵng,Hải Châu,0903570134\n", encoding="utf-8")
    with pytest.raises(ValueError, match="address"):
        CentreRegistry.from_csv(path, units)


YAML_TEXT = """
- province: Đà Nẵng
  commune: Phường Cẩm Lệ
  address: 40 Ông Ích Đường, phường Cẩm Lệ
  phone: 02363674174
- province: Đà Nẵng
  commune: Hòa Quý
  address: Số 1
- just a string
- province: Hà Nội
  commune: Ô Chợ Dừa
  name: Trung tâm Phục vụ hành chính công phường Ô Chợ Dừa
  address: Số 2 đường Y, phường Ô Chợ Dừa
  hours: "8:00-17:00"
"""


def test_yaml_import_reports_bad_rows_and_unquoted_phones(units: UnitRegistry, tmp_path: Path) -> None:
    path = tmp_path / "centres.yaml"
    path.write_text(YAML_TEXT, encoding="utf-8")
    registry = CentreRegistry.from_yaml(path, units)
    report = registry.reports[0]
    assert report.loaded == 2
    assert [label for label, _ in report.skipped] == ["centres.yaml:2", "centres.yaml:3"]
    # YAML read the unquoted phone as an octal number: dropped with a warning, not garbled.
    assert [label for label, _ in report.warnings] == ["centres.yaml:1"]
    cam_le = registry.for_commune(_code(units, "Cẩm Lệ"))
    assert cam_le is not None and cam_le.phone == ""
    o_cho_dua = registry.for_commune(_code(units, "Ô Chợ Dừa", "Hà Nội"))
    assert o_cho_dua is not None and o_cho_dua.hours == "8:00-17:00"


def test_import_path_dispatch_and_unknown_type(units: UnitRegistry, tmp_path: Path) -> None:
    registry = CentreRegistry.from_paths([SAMPLE_CENTRES], units)
    assert len(registry) == 7
    report = registry.load_path(SAMPLE_CENTRES, units)  # the same file again: a second copy
    assert report.loaded == 7 and len(registry) == 14
    with pytest.raises(ValueError):
        registry.import_path(tmp_path / "centres.txt", units)


def test_registry_from_centres() -> None:
    c = Centre(name="X", address="Số 1", commune_code="1", latitude=16.0, longitude=108.0)
    registry = CentreRegistry([c])
    assert registry.for_commune("1") is c and registry.nearest(16.0, 108.0) is c


# --------------------------------------------------------------------------- full data
@needs_shared
@pytest.mark.shared_data
def test_danang_json_matches_every_commune(full_units: UnitRegistry) -> None:
    registry = CentreRegistry.from_danang_json(DANANG, full_units)
    report = registry.reports[0]
    assert report.loaded == 94 and report.skipped == []
    centre = registry.for_commune(_code(full_units, "Hải Châu"))
    assert centre is not None and centre.address.startswith(HAI_CHAU_ADDRESS)
    assert centre.latitude == pytest.approx(HAI_CHAU[0])
    hoi_an = registry.nearest(15.8801, 108.3380)  # the old town of Hội An
    assert hoi_an is not None and "Hội An" in hoi_an.commune_name
    # Outside Đà Nẵng no office is known: None, never a guess.
    assert registry.for_commune(_code(full_units, "Ba Đình", "Hà Nội")) is None


@needs_shared
@pytest.mark.shared_data
def test_danang_json_against_a_smaller_unit_list_reports_unmatched(units: UnitRegistry) -> None:
    registry = CentreRegistry.from_danang_json(DANANG, units)
    report = registry.reports[0]
    assert report.loaded + len(report.skipped) == 94
    assert report.loaded >= 10 and len(report.skipped) > 50
    assert all("no commune" in reason for _, reason in report.skipped)
