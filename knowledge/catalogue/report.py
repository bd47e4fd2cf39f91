"""What an import did: counts, rejected and quarantined records, and per-field warnings.

Real catalogue data is messy; an import never stops on a bad record, so this report is
where the IT team sees what was lost or doubtful, and why.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MAX_EXAMPLES = 5


@dataclass(slots=True)
class Skipped:
    """A record that could not be used at all (unparseable, no code, no name)."""

    location: str  # "file.jsonl:12", "folder/x.json[3]"
    reason: str
    code: str = ""


@dataclass(slots=True)
class Quarantined:
    """A readable record that must not be indexed as it is (e.g. it shows another page)."""

    code: str
    reason: str
    location: str = ""


@dataclass(slots=True)
class FieldWarning:
    """How many records had one problem in one field, with a few codes to look at."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, code: str) -> None:
        self.count += 1
        if len(self.examples) < MAX_EXAMPLES and code not in self.examples:
            self.examples.append(code)


@dataclass(slots=True)
class SourceReport:
    """Counts for one path given to the import."""

    path: str
    format: str  # "national-portal", "bqp", "normalised" or "unknown"
    records: int = 0
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    quarantined: int = 0


@dataclass(slots=True)
class ImportReport:
    """The whole import: totals over every source, in the order they were imported.

    ``imported`` counts codes seen for the first time, ``updated`` records that replaced
    an earlier record with the same code (the later source wins), so the number of
    procedures returned equals ``imported``.
    """

    imported: int = 0
    updated: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    warnings: dict[str, dict[str, FieldWarning]] = field(default_factory=dict)
    sources: list[SourceReport] = field(default_factory=list)

    def warn(self, field_name: str, message: str, code: str) -> None:
        """Count one record with ``message`` about ``field_name``."""
        per_field = self.warnings.setdefault(field_name, {})
        per_field.setdefault(message, FieldWarning()).add(code)

    def warning_count(self, field_name: str, message: str) -> int:
        stat = self.warnings.get(field_name, {}).get(message)
        return stat.count if stat else 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (for ``hotline index`` output and the console)."""
        return {
            "imported": self.imported,
            "updated": self.updated,
            "skipped": [_plain(s) for s in self.skipped],
            "quarantined": [_plain(q) for q in self.quarantined],
            "warnings": {
                name: {msg: {"count": w.count, "examples": list(w.examples)} for msg, w in msgs.items()}
                for name, msgs in self.warnings.items()
            },
            "sources": [_plain(s) for s in self.sources],
        }

    def summary(self) -> list[str]:
        """Human-readable lines, most important first."""
        lines = [
            f"imported {self.imported} procedures ({self.updated} updated by a later source), "
            f"skipped {len(self.skipped)} broken records, quarantined {len(self.quarantined)}"
        ]
        for src in self.sources:
            lines.append(
                f"  {src.path} [{src.format}]: {src.records} records, {src.imported} new, "
                f"{src.updated} updated, {src.skipped} skipped, {src.quarantined} quarantined"
            )
        for q in self.quarantined:
            lines.append(f"  quarantined {q.code}: {q.reason}")
        for s in self.skipped:
            lines.append(f"  skipped {s.location}{' (' + s.code + ')' if s.code else ''}: {s.reason}")
        for name in sorted(self.warnings):
            for message, stat in sorted(self.warnings[name].items(), key=lambda kv: -kv[1].count):
                examples = ", ".join(stat.examples)
                lines.append(f"  warning {name}: {message}: {stat.count} records (e.g. {examples})")
        return lines


def _plain(obj: Skipped | Quarantined | SourceReport) -> dict[str, Any]:
    return asdict(obj)
