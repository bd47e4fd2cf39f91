"""Turn message tables written as Python dicts into gettext catalogues under ``locales/``.

The texts used to live in Python (``MESSAGES[lang][key]``, ``FIELDS[vi_value][lang]``…). A
branch written before the move may still add keys in that form: take the old module (for
example ``git show OTHER:bot/i18n.py > /tmp/old_i18n.py``) and run

    python -m tools.dicts_to_po --domain bot --source /tmp/old_i18n.py:MESSAGES

New keys are added to every language's ``.po``; existing translations are kept unless
``--overwrite`` is given. Then run ``make messages`` (or ``hotline messages``) to refresh the
templates and compile. Layouts understood:

- ``{lang: {key: text}}`` (the usual table),
- ``{key: {lang: text}}`` (``--layout key-lang``; for a glossary with ``--vi-key``, the key is
  the Vietnamese text itself),
- ``{lang: (text, ...)}`` (a list per language: one message, one line per item),
- ``({lang: text}, ...)`` (numbered keys ``<prefix>0``, ``<prefix>1``…),
- ``text`` (one Vietnamese text: ``--key`` names it).
"""

from __future__ import annotations

import argparse
import importlib
import runpy
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
HEADER = "Citizen hotline assistant"


def load(source: str) -> Any:
    """``path/to/file.py:NAME`` or ``package.module:NAME``."""
    where, _, name = source.rpartition(":")
    if where.endswith(".py"):
        namespace = runpy.run_path(where)
        return namespace[name]
    return getattr(importlib.import_module(where), name)


def flatten(
    table: Any, layout: str = "auto", prefix: str = "", key: str | None = None, vi_key: bool = False
) -> dict[str, dict[str, str]]:
    """``{lang: {msgid: text}}`` from any of the layouts above."""
    out: dict[str, dict[str, str]] = {}

    def put(lang: str, msgid: str, value: Any) -> None:
        if isinstance(value, (tuple, list)):
            value = "\n".join(str(v) for v in value)
        # gettext reads "" as untranslated: a text left out on purpose is written {empty}.
        out.setdefault(lang, {})[prefix + msgid] = str(value) or "{empty}"

    if isinstance(table, str):
        put("vi", key or "text", table)
        return out
    if isinstance(table, (tuple, list)):
        for i, item in enumerate(table):
            for lang, value in item.items():
                put(lang, str(i), value)
        return out
    if layout == "auto":
        first = next(iter(table.values()))
        layout = "lang-key" if isinstance(first, Mapping) and all(len(k) <= 3 for k in table) else "key-lang"
        if not isinstance(first, Mapping):
            layout = "lang-list" if isinstance(first, (tuple, list)) else "key-lang"
    if layout == "lang-key":
        for lang, entries in table.items():
            for msgid, value in entries.items():
                put(lang, msgid, value)
    elif layout == "lang-list":
        for lang, value in table.items():
            put(lang, key or "items", value)
    else:  # key-lang
        for msgid, per_lang in table.items():
            if isinstance(per_lang, Mapping):
                if vi_key:
                    put("vi", msgid, msgid)
                for lang, value in per_lang.items():
                    put(lang, msgid, value)
            else:  # {lang: text}: one message
                put(msgid, key or "text", per_lang)
    return out


def po_path(locales: Path, lang: str, domain: str) -> Path:
    return locales / lang / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(path: Path, lang: str, domain: str) -> Catalog:
    if path.exists():
        with path.open("rb") as handle:
            return read_po(handle, locale=lang, domain=domain)
    return Catalog(locale=lang, domain=domain, project=HEADER, fuzzy=False)


def write_catalog(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, ignore_obsolete=True)


def merge(
    locales: Path,
    domain: str,
    texts: Mapping[str, Mapping[str, str]],
    overwrite: bool = False,
    context: str | None = None,
) -> dict[str, int]:
    """Add ``texts`` to the domain's catalogues; returns the count of new messages per language."""
    added: dict[str, int] = {}
    for lang, entries in texts.items():
        path = po_path(locales, lang, domain)
        catalog = read_catalog(path, lang, domain)
        count = 0
        for msgid, value in entries.items():
            existing = catalog.get(msgid, context)
            if existing is None:
                flags = ("python-brace-format",) if "{" in value else ()
                catalog.add(msgid, value, flags=flags, context=context)
                count += 1
            elif overwrite or not existing.string:
                existing.string = value
        write_catalog(path, catalog)
        added[lang] = count
    return added


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--domain", required=True)
    parser.add_argument("--source", required=True, action="append", help="FILE.py:NAME or module:NAME")
    parser.add_argument("--layout", default="auto", choices=("auto", "lang-key", "key-lang", "lang-list"))
    parser.add_argument("--prefix", default="", help="prepended to every key (a family: 'status.')")
    parser.add_argument("--key", help="the key of a single text or of a list per language")
    parser.add_argument("--vi-key", action="store_true", help="glossary: the key is the Vietnamese text")
    parser.add_argument("--context", help="msgctxt of every message (a glossary: field, agency)")
    parser.add_argument("--locales", type=Path, default=ROOT / "locales")
    parser.add_argument("--overwrite", action="store_true", help="replace existing translations")
    args = parser.parse_args(list(argv) if argv is not None else None)
    for source in args.source:
        texts = flatten(load(source), args.layout, args.prefix, args.key, args.vi_key)
        added = merge(args.locales, args.domain, texts, args.overwrite, args.context)
        print(f"{source} → {args.domain}: " + ", ".join(f"{k} +{v}" for k, v in added.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
