"""Translations of the catalogue's recurring phrases, for answers to foreign residents.

Answers quote the catalogue in Vietnamese (the official name is what an office recognises);
a foreign resident also needs to know what it is. ``knowledge/data/glossary/*.yml`` hold the
phrases that recur in the catalogue's document names, fees, channels and time limits, with
their English, French, Spanish, Chinese, Korean and Japanese translations, one entry a line::

    - {vi: "Tờ khai đăng ký khai sinh", en: "Birth registration declaration", fr: …}
    - {vi: "Bản sao {x}", en: "Copy of {x}", …}      # {x}: the rest, translated in turn
    - {vi: "{n} Ngày làm việc", en: "{n} working days", …}   # {n}: a number

:meth:`Glossary.translate` matches the longest phrase at the start of a text (after list
markers such as "(1)", "a)", "-"), case-free, after tone-mark normalisation. When the phrase
covers the whole text (or only a form reference such as "theo mẫu số 01" follows) the
translation is complete; otherwise it ends with "…", so a reader knows it names only the
head of the document ("Đơn đề nghị cấp giấy phép vận chuyển …" → "Application for a
licence…"). :func:`coverage` gives the share of answer lines that get a translation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.errors import ConfigError
from knowledge.models import Procedure
from knowledge.text import normalize

log = logging.getLogger(__name__)

DEFAULT_DIR: Path = Path(__file__).resolve().parent / "data" / "glossary"
LANGS: tuple[str, ...] = ("en", "fr", "es", "zh", "ko", "ja")
PARTIAL_MARK = "…"
_SCAN_CHARS = 160  # longer than any phrase with the start of its {x} rest
_CHANNEL_WORDS = {"in_person": "Trực tiếp", "online": "Trực tuyến", "post": "Dịch vụ bưu chính"}
_TOKEN_RE = re.compile(r"\{[xn]\}|\d+(?:[.,]\d+)*|[^\W\d_]+|[,:/;()]")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*$")
_EMPTY_BRACKETS = re.compile(r"\s*[(（]\s*[)）]")
_MARKER_RE = re.compile(r"^\s*(?:\(?(?:\d{1,2}|[a-zđ]|[ivx]{1,4})[).]|[-+•*–])\s*", re.IGNORECASE)
# What may follow a phrase without making the translation partial: a reference to the form.
# libyaml's loader: 0.2 s less for the first foreign answer of a one-shot `hotline ask`.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_QUALIFIERS = (("theo", "mẫu"), ("mẫu", "số"), ("mẫu",), ("(",), (";",), ("ban", "hành", "kèm"))


# A ValueError, so that `hotline` reports it in one line (exit 2) like any other bad input file.
class GlossaryError(ConfigError):
    """A glossary file cannot be used (unreadable YAML, bad entry, duplicated phrase)."""


@dataclass(frozen=True, slots=True)
class Entry:
    vi: str
    translations: dict[str, str]
    template: bool  # ends with {x}
    source: str = ""


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(normalize(text).casefold())


def _key(tokens: Sequence[str]) -> tuple[str, ...]:
    return tuple("{n}" if _NUMBER_RE.match(t) else t for t in tokens)


class Glossary:
    def __init__(self, entries: Iterable[Entry]) -> None:
        self._phrases: dict[tuple[str, ...], Entry] = {}
        self._templates: dict[tuple[str, ...], Entry] = {}
        for entry in entries:
            tokens = _tokens(entry.vi)
            table = self._templates if entry.template else self._phrases
            key = tuple(tokens[:-1]) if entry.template else tuple(tokens)
            if key in table:
                raise GlossaryError(f"{entry.source}: phrase {entry.vi!r} is already in {table[key].source}")
            table[key] = entry
        self._longest = max((len(k) for k in [*self._phrases, *self._templates]), default=0)
        # Answers about popular procedures repeat the same document names.
        self._cached = lru_cache(maxsize=16384)(self._translate)

    def __len__(self) -> int:
        return len(self._phrases) + len(self._templates)

    @classmethod
    def load(cls, folder: Path = DEFAULT_DIR) -> Glossary:
        entries: list[Entry] = []
        for path in sorted(folder.glob("*.yml")):
            try:
                data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or []
            except yaml.YAMLError as exc:
                raise GlossaryError(f"{path.name}: not valid YAML: {exc}") from exc
            if not isinstance(data, list):
                raise GlossaryError(f"{path.name}: expected a list of entries")
            for i, item in enumerate(data, 1):
                entries.append(_entry(item, f"{path.name} entry {i}"))
        return cls(entries)

    def translate(self, text: str, lang: str) -> str | None:
        """The translation of a catalogue phrase into ``lang``; "…" ends a partial one; None if unknown."""
        if lang not in LANGS or not text:
            return None
        return self._cached(text, lang)

    def _translate(self, text: str, lang: str) -> str | None:
        stripped = text
        while True:
            shorter = _MARKER_RE.sub("", stripped, count=1)
            if shorter == stripped:
                break
            stripped = shorter
        # Phrases are short: the head of a long paragraph decides, and a cut text is never complete.
        tokens = _tokens(stripped[:_SCAN_CHARS])
        if len(stripped) > _SCAN_CHARS:
            tokens.append(PARTIAL_MARK)
        found = self._match(tokens, lang)
        if found is None:
            return None
        translation, complete = found
        return translation if complete else translation.rstrip(" ,.;:") + PARTIAL_MARK

    def _match(self, tokens: list[str], lang: str) -> tuple[str, bool] | None:
        if not tokens:
            return None
        key = _key(tokens[: self._longest + 3])
        numbers = _numbers(tokens[: self._longest + 3])
        for size in range(min(self._longest, len(tokens)), 0, -1):
            head = key[:size]
            template = self._templates.get(head)
            if template is not None and size < len(tokens):
                inner = self._match(tokens[size:], lang)
                # An unknown rest still says what kind of paper it is: "Copy of…".
                filled = _fill(
                    template.translations[lang],
                    _numbers(tokens[:size]) or numbers,
                    inner[0] if inner else "",
                    lang,
                )
                return filled.strip(), inner[1] if inner else False
            entry = self._phrases.get(head)
            if entry is not None:
                complete = size == len(tokens) or _is_qualifier(key[size:])
                return _fill(entry.translations[lang], _numbers(tokens[:size]), "", lang), complete
        return None

    def annotate(self, text: str, lang: str) -> str:
        """``text (translation)`` when the glossary knows it, else ``text``."""
        translation = self.translate(text, lang)
        return f"{text} ({translation})" if translation else text

    def coverage(self, lines: Iterable[str], lang: str, *, complete: bool = False) -> float:
        """The share of these catalogue lines that get a translation into ``lang`` (1.0 for none);
        with ``complete``, only translations of the whole line count (no "…")."""
        items = [line for line in lines if line and line.strip()]
        if not items or lang == "vi":
            return 1.0
        found = (self.translate(line, lang) for line in items)
        return sum(1 for t in found if t and not (complete and t.endswith(PARTIAL_MARK))) / len(items)


def _numbers(tokens: Sequence[str]) -> list[str]:
    return [t for t in tokens if _NUMBER_RE.match(t)]


def _fill(template: str, numbers: Sequence[str], inner: str, lang: str) -> str:
    text = template
    for number in numbers:
        text = text.replace("{n}", number, 1)
    if "{x}" in text:
        # Inside a phrase a Latin-script translation starts lower case ("Copy of birth certificate").
        if (
            lang in ("en", "fr", "es")
            and len(inner) > 1
            and inner[1].islower()
            and not text.startswith("{x}")
        ):
            inner = inner[0].lower() + inner[1:]
        text = text.replace("{x}", inner.rstrip(PARTIAL_MARK))
        # An unknown rest in brackets ("10 USD(/bản)") leaves no empty brackets behind.
        text = _EMPTY_BRACKETS.sub("", text)
    return text


def _is_qualifier(rest: tuple[str, ...]) -> bool:
    return any(rest[: len(q)] == q for q in _QUALIFIERS)


def _entry(item: object, where: str) -> Entry:
    if not isinstance(item, dict) or not isinstance(item.get("vi"), str) or not item["vi"].strip():
        raise GlossaryError(f"{where}: expected a mapping with a `vi` phrase and its translations")
    extra = set(item) - {"vi", "note", *LANGS}
    if extra:
        raise GlossaryError(f"{where}: unknown keys {sorted(extra)}")
    vi = normalize(item["vi"]).strip()
    template = vi.endswith("{x}")
    translations: dict[str, str] = {}
    for lang in LANGS:
        value = item.get(lang)
        if not isinstance(value, str) or not value.strip():
            raise GlossaryError(f"{where} ({vi}): missing the `{lang}` translation")
        for slot in ("{x}", "{n}"):
            if vi.count(slot) != value.count(slot):
                raise GlossaryError(f"{where} ({vi}): `{lang}` must use {slot} as often as `vi`")
        translations[lang] = value.strip()
    if "{x}" in vi and not template:
        raise GlossaryError(f"{where} ({vi}): {{x}} may only end a phrase")
    return Entry(vi, translations, template, where.split(" ", 1)[0])


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    """The bundled glossary, loaded on first use (not at import)."""
    return Glossary.load(DEFAULT_DIR)


def translate(text: str, lang: str) -> str | None:
    return default_glossary().translate(text, lang)


def answer_lines(proc: Procedure) -> list[str]:
    """The Vietnamese catalogue values an answer about ``proc`` quotes: documents, their cases,
    the channels with their time limits and fees. What :func:`coverage` is measured on."""
    lines: list[str] = [d.name for d in proc.documents]
    lines += list(dict.fromkeys(d.group for d in proc.documents if d.group))
    for ch in proc.channels:
        lines += [_CHANNEL_WORDS.get(ch.kind, ch.kind), ch.time_limit, ch.fee]
    return [" ".join(line.split()) for line in lines if line and line.strip()]


def coverage(
    lines: Iterable[str], lang: str, glossary: Glossary | None = None, *, complete: bool = False
) -> float:
    """The share of answer lines (Vietnamese catalogue values) with a translation into ``lang``;
    ``complete`` counts only translations of the whole line."""
    return (glossary or default_glossary()).coverage(lines, lang, complete=complete)


def procedure_coverage(
    procedures: Iterable[Procedure],
    langs: Sequence[str] = LANGS,
    glossary: Glossary | None = None,
    *,
    complete: bool = False,
) -> dict[str, float]:
    """Coverage per language over every answer line of these procedures (for reports and the eval)."""
    lines = [line for proc in procedures for line in answer_lines(proc)]
    g = glossary or default_glossary()
    return {lang: round(g.coverage(lines, lang, complete=complete), 4) for lang in langs}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m knowledge.glossary --catalogue PATH ...``: the coverage figures of the README."""
    import argparse
    import json

    from knowledge.catalogue import import_catalogues

    parser = argparse.ArgumentParser(prog="python -m knowledge.glossary", description=main.__doc__)
    parser.add_argument("--catalogue", action="append", required=True, help="catalogue file or folder")
    args = parser.parse_args(argv)
    procs = list(import_catalogues([Path(p) for p in args.catalogue]).procedures.values())
    shares = {
        "procedures": len(procs),
        "answer_lines": sum(len(answer_lines(p)) for p in procs),
        "translated": procedure_coverage(procs),
        "translated_whole": procedure_coverage(procs, complete=True),
    }
    print(json.dumps(shares, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
