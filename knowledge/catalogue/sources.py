"""Reading raw records from catalogue files and telling their layouts apart.

Reading is separate from parsing so that one unreadable line or file becomes one
``BrokenRecord`` in the stream, never an exception that stops the import.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from knowledge.catalogue.cells import clean
from knowledge.errors import HotlineError

log = logging.getLogger(__name__)

PORTAL = "national-portal"
BQP = "bqp"
NORMALISED = "normalised"
UNKNOWN = "unknown"

Warn = Callable[[str, str], None]
"""Report a problem with one field of the current record: ``warn(field, message)``."""


class RecordRejected(HotlineError):
    """The record cannot become a procedure; it is skipped with this reason."""


class RecordQuarantined(HotlineError):
    """The record is readable but must not be indexed (it describes another procedure)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(slots=True)
class RawRecord:
    location: str
    data: Any


@dataclass(slots=True)
class BrokenRecord:
    location: str
    reason: str


Item = RawRecord | BrokenRecord


def read_jsonl(path: Path) -> Iterator[Item]:
    """One record per line; blank lines are ignored, undecodable ones reported."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            location = f"{path.name}:{number}"
            try:
                yield RawRecord(location, json.loads(raw))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                yield BrokenRecord(location, f"invalid JSON: {exc}")


def read_json(path: Path, label: str | None = None) -> Iterator[Item]:
    """A file holding one record, or a list of records."""
    label = label or path.name
    try:
        data = json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield BrokenRecord(label, f"invalid JSON file: {exc}")
        return
    if isinstance(data, list):
        for index, item in enumerate(data):
            yield RawRecord(f"{label}[{index}]", item)
    else:
        yield RawRecord(label, data)


def read_folder(path: Path) -> Iterator[Item]:
    """Every ``*.json`` file of a folder, in name order (so imports are reproducible)."""
    for file in sorted(path.glob("*.json")):
        yield from read_json(file, f"{path.name}/{file.name}")


def detect_layout(data: Any) -> str:
    """Which importer understands a record, from its keys."""
    if not isinstance(data, Mapping):
        return UNKNOWN
    if "metadata" in data or "tables" in data:
        return BQP
    if "ma_thu_tuc" in data or "ten_thu_tuc" in data:
        return PORTAL
    if "code" in data and "name" in data:
        return NORMALISED
    return UNKNOWN


def peek_layout(items: Iterable[Item]) -> tuple[str, Iterator[Item]]:
    """The layout of the first usable record, and the whole stream (nothing consumed)."""
    iterator = iter(items)
    seen: list[Item] = []
    for item in iterator:
        seen.append(item)
        if isinstance(item, RawRecord) and isinstance(item.data, Mapping):
            return detect_layout(item.data), chain(seen, iterator)
    return UNKNOWN, iter(seen)


# --------------------------------------------------------------------------- field access


def required_text(data: Mapping[str, Any], key: str, what: str) -> str:
    """A field the record cannot do without; rejects the record when absent or not text."""
    value = data.get(key)
    if value is None:
        raise RecordRejected(f"missing {what} ({key})")
    if not isinstance(value, str):
        raise RecordRejected(f"{what} ({key}) is {type(value).__name__}, not text")
    text = clean(value)
    if not text:
        raise RecordRejected(f"empty {what} ({key})")
    return text


def raw_text(data: Mapping[str, Any], key: str, warn: Warn, field: str | None = None) -> str:
    """An optional text field as published (not normalised); wrong types count as empty."""
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    warn(field or key, f"wrong type ({type(value).__name__}), ignored")
    return ""


def text(data: Mapping[str, Any], key: str, warn: Warn, field: str | None = None) -> str:
    """An optional text field, normalised; "Không có thông tin" becomes ""."""
    return clean(raw_text(data, key, warn, field))


def mapping(data: Mapping[str, Any], key: str, warn: Warn) -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return value
    warn(key, f"wrong type ({type(value).__name__}), ignored")
    return {}


def rows(data: Mapping[str, Any], key: str, warn: Warn) -> list[Mapping[str, Any]]:
    """A table: a list of objects; other rows are dropped with a warning."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        warn(key, f"wrong type ({type(value).__name__}), ignored")
        return []
    good = [row for row in value if isinstance(row, Mapping)]
    if len(good) < len(value):
        warn(key, "rows that are not objects, ignored")
    return good
