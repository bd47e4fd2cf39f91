"""Public administrative service centres: where a citizen hands in a dossier.

The assistant must never invent an address, so this registry only holds what a published
source says, attached to a commune in force (``UnitRegistry``). A commune without a known
centre gives ``None`` and the answer says so.

Sources:

* ``from_danang_json``: Đà Nẵng's list of its 94 communes with the office address, phone
  and coordinates (``centres/danang-2025-07.json``);
* ``from_csv`` / ``from_yaml``: the simple format any province can fill in. Columns (CSV
  header, or keys of each YAML mapping, optionally under a top-level ``centres:``)::

      province   required  "Đà Nẵng", "Thành phố Đà Nẵng", "48", or a pre-reform name
      commune    required  "Hải Châu" or "Phường Hải Châu" (the unit word settles a
                           name shared by a xã and a phường of the same province)
      address    required  as published; a row without one is skipped, never guessed
      name       optional  defaults to "Trung tâm Phục vụ hành chính công <commune>"
      phone      optional  quote it in YAML ("0236..."), or the leading zero is lost
      hours      optional  opening hours as published
      latitude, longitude  optional, both or neither, decimal degrees inside Vietnam

Rows that cannot be used (unknown or ambiguous commune, no address, bad coordinates) are
skipped and reported in ``ImportReport`` and the log; the import itself does not fail.
``save`` / ``load`` persist the registry as JSON for the serving index.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from knowledge.errors import BadInput
from knowledge.models import Centre, Commune
from knowledge.units import PlaceResolution, UnitRegistry, split_unit_name

log = logging.getLogger(__name__)

FORMAT = "hotline-centres"
VERSION = 1
COLUMNS = ("province", "commune", "name", "address", "phone", "hours", "latitude", "longitude")
REQUIRED_COLUMNS = ("province", "commune", "address")
# Generous box around Vietnam's land and islands (Hoàng Sa, Trường Sa): coordinates
# outside it are typos (swapped or missing sign), not places we serve.
_LAT_RANGE = (7.0, 24.0)
_LON_RANGE = (101.0, 118.0)
_LOGGED_ROWS = 20  # per import; the rest are only counted, so a broken file cannot flood logs
_EARTH_KM = 6371.0088


@dataclass(slots=True)
class ImportReport:
    """What one import loaded and what it had to skip (row label, reason)."""

    source: str
    loaded: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.skipped

    def summary(self) -> str:
        return (
            f"{self.source}: {self.loaded} centres loaded, {len(self.skipped)} rows skipped, "
            f"{len(self.warnings)} warnings"
        )


class _RowError(BadInput):
    """A row that cannot become a centre; the message is the reason reported."""


class CentreRegistry:
    """Centres by commune code, with a nearest-office lookup.

    Several centres may serve one commune (a main office and a branch); ``for_commune``
    gives the first one imported, ``centres_for`` all of them.
    """

    def __init__(self, centres: Iterable[Centre] = ()) -> None:
        self._by_commune: dict[str, list[Centre]] = {}
        self._all: list[Centre] = []
        self.reports: list[ImportReport] = []
        for c in centres:
            self.add(c)

    # ----------------------------------------------------------------- building
    def add(self, centre: Centre) -> None:
        self._all.append(centre)
        if centre.commune_code:
            self._by_commune.setdefault(centre.commune_code, []).append(centre)

    @classmethod
    def from_danang_json(cls, path: str | Path, units: UnitRegistry) -> CentreRegistry:
        registry = cls()
        registry.import_danang_json(path, units)
        return registry

    @classmethod
    def from_csv(cls, path: str | Path, units: UnitRegistry) -> CentreRegistry:
        registry = cls()
        registry.import_csv(path, units)
        return registry

    @classmethod
    def from_yaml(cls, path: str | Path, units: UnitRegistry) -> CentreRegistry:
        registry = cls()
        registry.import_yaml(path, units)
        return registry

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path], units: UnitRegistry) -> CentreRegistry:
        """Import several files, each by its kind (``.csv``, ``.yml``/``.yaml``, Đà Nẵng
        ``.json``), into one registry."""
        registry = cls()
        for p in paths:
            registry.import_path(p, units)
        return registry

    def import_path(self, path: str | Path, units: UnitRegistry) -> ImportReport:
        """Import one file by its kind; ``load_path`` is the same."""
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix == ".csv":
            return self.import_csv(p, units)
        if suffix in (".yml", ".yaml"):
            return self.import_yaml(p, units)
        if suffix == ".json":
            return self.import_danang_json(p, units)
        raise ValueError(f"{p}: unknown centre file type (expected .csv, .yml, .yaml, .json)")

    load_path = import_path

    def import_danang_json(self, path: str | Path, units: UnitRegistry) -> ImportReport:
        """Đà Nẵng's published list: ``commune_ward_list[*]`` with ``new_commune_ward`` and
        ``location`` (address, phone, latitude, longitude)."""
        p = Path(path)
        with p.open(encoding="utf-8") as fh:
            data = json.load(fh)
        items = data.get("commune_ward_list") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ValueError(f"{p}: no commune_ward_list; not the Đà Nẵng centres file")
        rows: list[Mapping[str, Any]] = []
        for item in items:
            if not isinstance(item, dict):
                rows.append({})  # reported as a bad row, keeps the row numbers right
                continue
            loc = item.get("location") or {}
            rows.append(
                {
                    "province": "Đà Nẵng",
                    "commune": item.get("new_commune_ward", ""),
                    "address": loc.get("address", ""),
                    "phone": loc.get("phone", ""),
                    "latitude": loc.get("latitude"),
                    "longitude": loc.get("longitude"),
                }
            )
        return self.import_rows(rows, units, source=p.name, first_row=1)

    def import_csv(self, path: str | Path, units: UnitRegistry) -> ImportReport:
        p = Path(path)
        # utf-8-sig: spreadsheets save a byte-order mark that would corrupt the first header.
        with p.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise ValueError(f"{p}: missing column(s) {', '.join(missing)}; expected {COLUMNS}")
            reader.fieldnames = header
            rows = list(reader)
        return self.import_rows(rows, units, source=p.name, first_row=2)

    def import_yaml(self, path: str | Path, units: UnitRegistry) -> ImportReport:
        p = Path(path)
        with p.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        if isinstance(data, dict):
            data = data.get("centres")
        if not isinstance(data, list):
            raise ValueError(f"{p}: expected a list of centres (or a 'centres:' list)")
        return self.import_rows(data, units, source=p.name, first_row=1)

    def import_rows(
        self,
        rows: Iterable[Any],
        units: UnitRegistry,
        *,
        source: str = "rows",
        first_row: int = 1,
    ) -> ImportReport:
        """Add every usable row; report the others instead of failing the whole import."""
        report = ImportReport(source=source)
        for number, row in enumerate(rows, start=first_row):
            label = f"{source}:{number}"
            try:
                centre = self._centre_from_row(row, units, label, report)
            except _RowError as exc:
                report.skipped.append((label, str(exc)))
                if len(report.skipped) <= _LOGGED_ROWS:
                    log.warning("centre row skipped: %s: %s", label, exc)
                continue
            centre.source = source
            self.add(centre)
            report.loaded += 1
        if len(report.skipped) > _LOGGED_ROWS:
            log.warning("%s: %d more rows skipped", source, len(report.skipped) - _LOGGED_ROWS)
        log.info(report.summary())
        self.reports.append(report)
        return report

    @staticmethod
    def _centre_from_row(row: Any, units: UnitRegistry, label: str, report: ImportReport) -> Centre:
        if not isinstance(row, Mapping):
            raise _RowError("not a mapping of column -> value")
        values = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
        province_name = _text(values.get("province"))
        commune_name = _text(values.get("commune"))
        address = _text(values.get("address"))
        if not province_name or not commune_name:
            raise _RowError("province and commune are required")
        if not address:
            raise _RowError(f"no address for {commune_name}")
        province = units.find_province(province_name)
        if province is None:
            raise _RowError(f"unknown province {province_name!r}")
        found = units.search_communes(commune_name, province)
        if not found:
            raise _RowError(f"no commune {commune_name!r} in {province.name}")
        if len(found) > 1:
            names = ", ".join(c.full_name for c in found)
            raise _RowError(f"{commune_name!r} is ambiguous in {province.name} ({names})")
        commune = found[0]
        latitude, longitude = _coordinates(values.get("latitude"), values.get("longitude"))
        phone_raw = values.get("phone")
        phone = _text(phone_raw)
        if phone_raw is not None and not isinstance(phone_raw, str):
            # YAML read 0236... as a number: the leading zero is gone, so the number is wrong.
            report.warnings.append((label, f"phone {phone_raw!r} is not text; quote it"))
            phone = ""
        return Centre(
            name=_text(values.get("name")) or default_centre_name(commune),
            address=address,
            phone=phone,
            commune_code=commune.code,
            commune_name=commune.full_name,
            province=province.name,
            latitude=latitude,
            longitude=longitude,
            hours=_text(values.get("hours")),
        )

    # ----------------------------------------------------------------- lookups
    def for_commune(self, commune_code: str) -> Centre | None:
        found = self._by_commune.get(commune_code)
        return found[0] if found else None

    def centres_for(self, commune_code: str) -> list[Centre]:
        return list(self._by_commune.get(commune_code, []))

    def for_resolution(self, place: PlaceResolution) -> Centre | None:
        """The centre for a resolved place, when it designates exactly one commune."""
        return self.for_commune(place.commune.code) if place.commune else None

    def nearest(self, lat: float, lon: float, max_km: float | None = None) -> Centre | None:
        """The centre closest to a point (great-circle distance), within ``max_km``."""
        best: Centre | None = None
        best_km = math.inf
        for c in self._all:
            if c.latitude is None or c.longitude is None:
                continue
            km = distance_km(lat, lon, c.latitude, c.longitude)
            if km < best_km:
                best, best_km = c, km
        if best is not None and max_km is not None and best_km > max_km:
            return None
        return best

    @property
    def centres(self) -> list[Centre]:
        return list(self._all)

    def __len__(self) -> int:
        return len(self._all)

    def __iter__(self) -> Iterator[Centre]:
        return iter(self._all)

    # ----------------------------------------------------------------- persistence
    def save(self, path: str | Path) -> None:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": FORMAT, "version": VERSION, "centres": [asdict(c) for c in self._all]}
        tmp = p.with_suffix(p.suffix + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
        tmp.replace(p)

    def content_hash(self) -> str:
        """SHA-256 of the centres in import order: equal data, equal hash."""
        blob = json.dumps([asdict(c) for c in self._all], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    @classmethod
    def load(cls, path: str | Path) -> CentreRegistry:
        p = Path(path)
        with p.open(encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"{p}: not a {FORMAT} file")
        if int(data.get("version", VERSION)) > VERSION:
            raise ValueError(f"{p}: version {data['version']} is newer than {VERSION}")
        known = {f.name for f in fields(Centre)}
        return cls(
            Centre(**{k: v for k, v in item.items() if k in known}) for item in data.get("centres") or []
        )


def default_centre_name(commune: Commune) -> str:
    """Every commune has had its own centre since 1 July 2025; sources that list only the
    address are named after the commune ("Trung tâm Phục vụ hành chính công phường Hải Châu")."""
    unit_type, bare = split_unit_name(commune.full_name)
    unit = f"{unit_type.lower()} {bare}" if unit_type else commune.full_name
    return f"Trung tâm Phục vụ hành chính công {unit}"


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def _coordinates(lat_raw: Any, lon_raw: Any) -> tuple[float | None, float | None]:
    lat_text, lon_text = _text(lat_raw), _text(lon_raw)
    if not lat_text and not lon_text:
        return None, None
    if not lat_text or not lon_text:
        raise _RowError("latitude and longitude go together")
    try:
        lat, lon = float(lat_text.replace(",", ".")), float(lon_text.replace(",", "."))
    except ValueError:
        raise _RowError(f"coordinates {lat_text!r}, {lon_text!r} are not numbers") from None
    if not (_LAT_RANGE[0] <= lat <= _LAT_RANGE[1] and _LON_RANGE[0] <= lon <= _LON_RANGE[1]):
        raise _RowError(f"coordinates {lat}, {lon} are outside Vietnam")
    return lat, lon
