"""Curated aliases: what citizens call the procedures they ask about most.

The published names are administrative ("Cấp Phiếu Lý lịch tư pháp cho công dân Việt
Nam, người nước ngoài đang cư trú tại Việt Nam, ..."); citizens say "làm lý lịch tư
pháp". Aliases are indexed with the name, and a procedure that has them gets a small
prior: among near-identical variants, it is the one citizens usually mean.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import yaml

from knowledge.models import Procedure
from knowledge.text import normalize

log = logging.getLogger(__name__)

ALIASES_FILE = Path(__file__).resolve().parent / "data" / "aliases.yml"


def load_aliases(path: Path = ALIASES_FILE) -> dict[str, list[str]]:
    """code → aliases; malformed entries are logged and skipped."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of procedure code to a list of aliases")
    out: dict[str, list[str]] = {}
    for code, aliases in data.items():
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            log.warning("%s: aliases of %r must be a list of strings; skipped", path.name, code)
            continue
        out[str(code)] = [normalize(a) for a in aliases]
    return out


def apply_aliases(procedures: Iterable[Procedure], aliases: dict[str, list[str]]) -> tuple[int, list[str]]:
    """Add the curated aliases to the records; returns (records changed, unknown codes)."""
    by_code = {p.code: p for p in procedures}
    changed = 0
    for code, extra in aliases.items():
        proc = by_code.get(code)
        if proc is None:
            continue
        merged = list(dict.fromkeys([*proc.aliases, *extra]))
        if merged != proc.aliases:
            proc.aliases = merged
            changed += 1
    unknown = [code for code in aliases if code not in by_code]
    return changed, unknown
