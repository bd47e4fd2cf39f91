"""The project's own catalogue format: JSONL, one ``Procedure.to_dict()`` per line.

It is what the index is built from and what a deployer may edit by hand (aliases, a
fixed fee), so reading it validates types field by field instead of trusting it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from knowledge.catalogue.cells import clean
from knowledge.catalogue.sources import NORMALISED, RecordRejected, Warn, required_text
from knowledge.models import (
    CHANNEL_KINDS,
    LEVELS,
    Document,
    LegalBasis,
    Procedure,
    SubmissionChannel,
)

_NESTED: dict[str, type[Any]] = {
    "channels": SubmissionChannel,
    "documents": Document,
    "legal_bases": LegalBasis,
}


def write_normalised(procedures: Iterable[Procedure], path: str | Path) -> int:
    """Write procedures atomically (a reader never sees half a file); returns the count."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            for proc in procedures:
                handle.write(json.dumps(proc.to_dict(), ensure_ascii=False))
                handle.write("\n")
                count += 1
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def normalised_procedure(data: Mapping[str, Any], warn: Warn, imported_at: str, file_name: str) -> Procedure:
    """Validate and normalise one line; keeps the record's own provenance.

    ``source`` and ``imported_at`` already say where the record came from (e.g.
    ``national-portal:bo-cong-an``); only when they are empty does the file name fill in.
    """
    values: dict[str, Any] = {
        "code": required_text(data, "code", "procedure code"),
        "name": required_text(data, "name", "procedure name"),
    }
    for f in fields(Procedure):
        if f.name in values or f.name not in data:
            continue
        values[f.name] = _value(f.name, str(f.type), data[f.name], warn)
    values["source"] = values.get("source") or f"{NORMALISED}:{file_name}"
    values["imported_at"] = values.get("imported_at") or imported_at
    try:
        return Procedure(**values)
    except TypeError as exc:  # pragma: no cover - _value only passes known fields
        raise RecordRejected(f"invalid record: {exc}") from exc


def _value(name: str, type_name: str, value: Any, warn: Warn) -> Any:
    if name in _NESTED:
        return _nested_list(name, _NESTED[name], value, warn)
    if type_name == "str":
        return _text(name, value, warn)
    if name == "levels":
        levels = _text_list(name, value, warn)
        if any(level not in LEVELS for level in levels):
            warn(name, "unknown level, ignored")
        return [level for level in levels if level in LEVELS]
    if type_name == "list[str]":
        return _text_list(name, value, warn)
    return value  # pragma: no cover - every Procedure field is covered above


def _text(name: str, value: Any, warn: Warn) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        warn(name, f"wrong type ({type(value).__name__}), ignored")
        return ""
    return clean(value)


def _text_list(name: str, value: Any, warn: Warn) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        warn(name, f"wrong type ({type(value).__name__}), ignored")
        return []
    items = [clean(v) for v in value if isinstance(v, str)]
    if len(items) < len(value):
        warn(name, "items that are not text, ignored")
    return [item for item in items if item]


def _nested_list(name: str, cls: type[Any], value: Any, warn: Warn) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        warn(name, f"wrong type ({type(value).__name__}), ignored")
        return []
    out = []
    for item in value:
        built = _nested(cls, item) if isinstance(item, Mapping) else None
        if isinstance(built, SubmissionChannel) and built.kind not in CHANNEL_KINDS:
            built = None
        if built is None:
            warn(name, "invalid item, ignored")
        else:
            out.append(built)
    return out


def _nested(cls: type[Any], item: Mapping[str, Any]) -> Any:
    """One channel, document or legal basis; None when a value has the wrong type."""
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in item:
            continue
        value = item[f.name]
        checked = _check_scalar(str(f.type), value)
        if checked is _INVALID:
            return None
        kwargs[f.name] = checked
    try:
        return cls(**kwargs)
    except TypeError:
        return None  # a required field (name, kind, title) is missing


_INVALID = object()


def _check_scalar(type_name: str, value: Any) -> Any:
    if type_name == "str":
        return clean(value) if isinstance(value, str) else _INVALID
    if type_name == "bool":
        return value if isinstance(value, bool) else _INVALID
    nullable = type_name.endswith("| None")
    if value is None:
        return None if nullable else _INVALID
    if type_name.startswith("int"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return value if ok else _INVALID
    if type_name.startswith("float"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return float(value) if ok else _INVALID
    return _INVALID
