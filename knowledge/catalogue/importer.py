"""The one entry point: import any mix of catalogue files into procedures and a report."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from knowledge.catalogue.bqp import bqp_procedure
from knowledge.catalogue.checks import procedure_issues
from knowledge.catalogue.normalised import normalised_procedure
from knowledge.catalogue.portal import portal_procedure
from knowledge.catalogue.report import ImportReport, Quarantined, Skipped, SourceReport
from knowledge.catalogue.sources import (
    BQP,
    NORMALISED,
    PORTAL,
    BrokenRecord,
    Item,
    RecordQuarantined,
    RecordRejected,
    Warn,
    peek_layout,
    read_folder,
    read_json,
    read_jsonl,
)
from knowledge.models import Procedure

log = logging.getLogger(__name__)

Converter = Callable[[Mapping[str, Any], Warn, str], Procedure]


@dataclass(slots=True)
class ImportResult:
    procedures: dict[str, Procedure] = field(default_factory=dict)  # by code, first-seen order
    report: ImportReport = field(default_factory=ImportReport)


def import_catalogues(paths: Iterable[str | Path], imported_at: str | None = None) -> ImportResult:
    """Import catalogue files in order; a later record with the same code replaces the earlier.

    Each path is a ``.jsonl`` file (portal crawl or the normalised format, told apart by
    the keys of its first valid record), a folder of ``.json`` files (Ministry of Defence
    layout or portal records) or a single ``.json`` file (one record or a list).

    Broken records never stop the import: they are skipped and reported, like records
    whose page belongs to another procedure (quarantined). A path that does not exist
    raises ``FileNotFoundError``: that is a configuration mistake, not messy data.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]  # one path, not the characters of its name
    session = _Session(imported_at or date.today().isoformat())
    for path in paths:
        session.add(Path(path))
    log.info("catalogue import: %s", session.result.report.summary()[0])
    return session.result


class _Session:
    def __init__(self, imported_at: str) -> None:
        self.imported_at = imported_at
        self.result = ImportResult()

    def add(self, path: Path) -> None:
        if not path.exists():
            raise FileNotFoundError(f"catalogue not found: {path}")
        layout, items = peek_layout(_read(path))
        source = SourceReport(path=str(path), format=layout)
        self.result.report.sources.append(source)
        convert = _converter(layout, path)
        for item in items:
            source.records += 1
            self._add_item(item, convert, source)
        log.info(
            "%s [%s]: %d records, %d new, %d updated, %d skipped, %d quarantined",
            path, layout, source.records, source.imported, source.updated,
            source.skipped, source.quarantined,
        )  # fmt: skip

    def _add_item(self, item: Item, convert: Converter | None, source: SourceReport) -> None:
        report = self.result.report
        if isinstance(item, BrokenRecord):
            self._skip(source, Skipped(item.location, item.reason))
            return
        data = item.data
        if not isinstance(data, Mapping):
            self._skip(source, Skipped(item.location, f"record is {type(data).__name__}, not an object"))
            return
        if convert is None:
            keys = ", ".join(sorted(map(str, data))[:6])
            self._skip(source, Skipped(item.location, f"unrecognised record layout (keys: {keys})"))
            return
        issues: list[tuple[str, str]] = []
        try:
            proc = convert(data, lambda f, m: issues.append((f, m)), self.imported_at)
        except RecordRejected as exc:
            self._skip(source, Skipped(item.location, str(exc), _code_of(data)))
            return
        except RecordQuarantined as exc:
            source.quarantined += 1
            report.quarantined.append(Quarantined(exc.code, exc.reason, item.location))
            log.warning("quarantined %s (%s): %s", exc.code, item.location, exc.reason)
            return
        except Exception as exc:  # a parser bug on one odd record must not lose the rest
            log.exception("cannot convert %s", item.location)
            self._skip(source, Skipped(item.location, f"parser error: {exc!r}", _code_of(data)))
            return
        for field_name, message in dict.fromkeys(issues + procedure_issues(proc)):
            report.warn(field_name, message, proc.code)
        self._store(proc, source)

    def _store(self, proc: Procedure, source: SourceReport) -> None:
        procedures = self.result.procedures
        if proc.code in procedures:
            source.updated += 1
            self.result.report.updated += 1
            log.debug("%s replaced by %s", proc.code, proc.source)
        else:
            source.imported += 1
            self.result.report.imported += 1
        procedures[proc.code] = proc

    def _skip(self, source: SourceReport, skipped: Skipped) -> None:
        source.skipped += 1
        self.result.report.skipped.append(skipped)
        log.warning("skipped %s: %s", skipped.location, skipped.reason)


def _read(path: Path) -> Iterator[Item]:
    if path.is_dir():
        return read_folder(path)
    if path.suffix.lower() == ".jsonl":
        return read_jsonl(path)
    return read_json(path)


def _converter(layout: str, path: Path) -> Converter | None:
    if layout == PORTAL:
        return portal_procedure
    if layout == BQP:
        return bqp_procedure
    if layout == NORMALISED:
        name = path.name

        def convert(data: Mapping[str, Any], warn: Warn, imported_at: str) -> Procedure:
            return normalised_procedure(data, warn, imported_at, name)

        return convert
    return None


def _code_of(data: Mapping[str, Any]) -> str:
    """The code of a rejected record, when it has one worth showing."""
    for key in ("ma_thu_tuc", "code", "thu_tuc_id"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    meta = data.get("metadata")
    if isinstance(meta, Mapping) and isinstance(meta.get("mã_thủ_tục"), str):
        return str(meta["mã_thủ_tục"]).strip()
    return ""
