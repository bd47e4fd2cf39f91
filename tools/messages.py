"""``make messages``: extract, update and compile the message catalogues under ``locales/``.

1. **extract** (pybabel's extractors: Python and the console's Jinja templates): every key the
   code names literally (``texts.t(lang, "greeting")``, ``_t(lang, "fee_header")``,
   ``{{ t("queue_title") }}``), for the templates' references. A key the code names that no
   Vietnamese catalogue defines is reported: Vietnamese is the source language, so a new
   sentence starts in ``locales/vi``.
2. **templates**: ``locales/<domain>.pot`` from the Vietnamese catalogue (its order, its
   translator notes, the Vietnamese text as a note, the places the code uses the key).
3. **update** every other language's ``.po`` from its template (pybabel's update, no fuzzy
   matching: a key is an identifier, not a sentence): new keys appear untranslated (the
   catalogue tests then fail until a translator fills them), removed keys become obsolete
   (``#~``) so that no translation is lost.
4. **compile** every ``.po`` into its ``.mo``.

``python -m tools.messages [--check] [--locales DIR]``; ``--check`` changes nothing and fails
when a template or catalogue is out of date.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot import texts

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("bot", "channels", "handoff")
# The translating callables and the position of their key argument.
PYTHON_KEYWORDS = {"t": (2,), "_t": (2,), "say": (2,), "plural": (2,), "_plural": (2,)}
JINJA_KEYWORDS = {"t": (1,)}
# Which catalogue (and key prefix) a file's literal keys belong to, for the templates'
# references; the first matching path wins.
FILE_DOMAINS: tuple[tuple[str, str, str], ...] = (
    ("bot/dossier_text.py", "dossier", ""),
    ("channels/spoken.py", "voice", "spoken."),
    ("channels/voice.py", "voice", ""),
    ("channels/", "channels", ""),
    ("handoff/", "console", ""),
    ("bot/", "bot", ""),
)


def _where(domain: str, key: str, used: dict[str, list[tuple[str, int]]]) -> list[tuple[str, int]]:
    found = []
    for path, owner, prefix in FILE_DOMAINS:
        if owner == domain and key.startswith(prefix):
            found += [loc for loc in used.get(key[len(prefix) :], []) if loc[0].startswith(path)]
    # A file listed earlier under another domain does not count for this one.
    return sorted(
        {loc for loc in found if next(o for p, o, _ in FILE_DOMAINS if loc[0].startswith(p)) == domain}
    )


def extract(root: Path = ROOT) -> dict[str, list[tuple[str, int]]]:
    """Literal keys the code and templates use, with where they are used."""
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    runs = [
        (package, [("**.py", "python")], PYTHON_KEYWORDS) for package in SOURCES if (root / package).is_dir()
    ]
    runs.append(("handoff/templates", [("**.html", "jinja2.ext:babel_extract")], JINJA_KEYWORDS))
    for folder, method_map, keywords in runs:
        base = root / folder
        if not base.is_dir():
            continue
        with contextlib.redirect_stderr(io.StringIO()):  # its notes on f-strings are not ours
            extracted = list(
                extract_from_dir(
                    str(base), method_map, keywords=keywords, comment_tags=(), strip_comment_tags=True
                )
            )
        for filename, lineno, message, _comments, _context in extracted:
            if isinstance(message, str) and message:
                found[message].append((f"{folder}/{filename}", lineno))
    return found


def _read(path: Path, lang: str | None, domain: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=domain)


def _dump(catalog: Catalog, **options: object) -> bytes:
    buffer = io.BytesIO()
    # File names without line numbers: a translator learns where a key is used, and an
    # unrelated edit that moves lines does not make every catalogue out of date.
    write_po(buffer, catalog, width=0, include_lineno=False, **options)  # type: ignore[arg-type]
    return buffer.getvalue()


def _stable(data: bytes) -> bytes:
    # The creation and revision dates change on every run; comparing without them tells
    # whether anything a translator sees changed.
    return b"\n".join(
        line
        for line in data.splitlines()
        if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date'))
    )


def template(locales: Path, domain: str, used: dict[str, list[tuple[str, int]]]) -> Catalog:
    source = _read(
        locales / texts.SOURCE_LANGUAGE / "LC_MESSAGES" / f"{domain}.po", texts.SOURCE_LANGUAGE, domain
    )
    pot = Catalog(
        domain=domain,
        project="Citizen hotline assistant",
        fuzzy=False,
        header_comment=(
            f"# Template of the {domain!r} message catalogue of the citizen hotline assistant.\n"
            "# Written by `make messages` from locales/vi (the source language): edit a language's\n"
            f"# locales/<lang>/LC_MESSAGES/{domain}.po, never this file. Each msgid is a key; the\n"
            "# `#. vi:` note is the Vietnamese text; keep its {placeholders}."
        ),
    )
    for message in source:
        if not message.id:
            continue
        notes = [c for c in message.auto_comments if not c.startswith("vi: ")]
        vietnamese = str(message.string).replace("\n", "\\n")
        pot.add(
            message.id,
            "",
            locations=[] if message.context else _where(domain, str(message.id), used),
            flags=message.flags,
            auto_comments=[*notes, f"vi: {vietnamese}"],
            context=message.context,
        )
    return pot


def run(locales: Path, check: bool = False) -> int:
    used = extract()
    defined = {
        str(m.id)
        for po in (locales / texts.SOURCE_LANGUAGE / "LC_MESSAGES").glob("*.po")
        for m in _read(po, texts.SOURCE_LANGUAGE, po.stem)
        if m.id
    }
    # A family of keys ("spoken.fee") is named without its prefix by the module that owns it;
    # keys built at run time are not seen here at all: the catalogue tests are the gate.
    defined |= {key.split(".", 1)[1] for key in defined if "." in key}
    defined |= {key.rsplit("_", 1)[0] for key in defined if key.endswith("_other")}  # plural families
    problems = 0
    for key, where in sorted(used.items()):
        # pybabel joins the two literals of `"a" if x else "b"` into one: not a key of its own.
        joined = any(key.startswith(k) and key[len(k) :] in defined for k in defined)
        if key not in defined and "\n" not in key and not joined:
            file, line = where[0]
            print(f"warning: {file}:{line} names {key!r}, which no locales/vi catalogue defines")
    stale: list[Path] = []
    for source_po in sorted((locales / texts.SOURCE_LANGUAGE / "LC_MESSAGES").glob("*.po")):
        domain = source_po.stem
        pot = template(locales, domain, used)
        pot_path = locales / f"{domain}.pot"
        data = _dump(pot, omit_header=False)
        if not pot_path.exists() or _stable(pot_path.read_bytes()) != _stable(data):
            stale.append(pot_path)
            if not check:
                pot_path.write_bytes(data)
        for lang in texts.languages():
            po = locales / lang / "LC_MESSAGES" / f"{domain}.po"
            if lang == texts.SOURCE_LANGUAGE or not po.exists():
                continue
            catalog = _read(po, lang, domain)
            catalog.update(pot, no_fuzzy_matching=True, update_header_comment=False)
            data = _dump(catalog, ignore_obsolete=False)
            if _stable(po.read_bytes()) != _stable(data):
                stale.append(po)
                if not check:
                    po.write_bytes(data)
    for path in stale:
        print(("out of date: " if check else "updated: ") + str(path.relative_to(locales.parent)))
    if not check:
        print(f"compiled {texts.compile_all(locales)} catalogue(s)")
        texts.reload()
    return 1 if problems or (check and stale) else 0


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--locales", type=Path, default=texts.locales_dir())
    parser.add_argument("--check", action="store_true", help="change nothing; fail when out of date")
    args = parser.parse_args(list(argv) if argv is not None else None)
    return run(args.locales, args.check)


if __name__ == "__main__":
    sys.exit(main())
