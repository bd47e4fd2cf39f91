"""Multilingual word and cue lists kept as reviewed YAML data, one loader for every package.

A lexicon file (``<package>/data/lexicons/<name>.yml``) uses the terminology's schema
(``knowledge/data/terminology/FORMAT.md``): a YAML list of entries, each an ``id`` and its
words per language (``vi``, ``en``, ``fr``, ``es``, ``zh``, ``ko``, ``ja``), with an optional
``note`` for reviewers. How the words are matched (folded, accented, substrings, prefixes
with a trailing ``*``) is the using module's business; the file only says which words.

The module that uses a file declares what it needs with :func:`lexicon` (the languages every
entry must have, whether a word may stand in two entries, which ids the code expects). The
declaration is recorded in :data:`DECLARED` so that the review test checks every file against
what its code expects, and a file no code declares is reported. Bad data raises
:class:`LexiconError` naming the file and the entry: a broken word list must stop the start,
not quietly change what the assistant understands.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.terminology import _ID_RE, LANGS

__all__ = ["CJK", "DECLARED", "LANGS", "LATIN", "Entry", "Lexicon", "LexiconError", "Spec", "lexicon", "load"]

LATIN: tuple[str, ...] = ("vi", "en", "fr", "es")
CJK: tuple[str, ...] = ("zh", "ko", "ja")
LEXICON_DIR = Path("data") / "lexicons"
_KEYS = frozenset(LANGS) | {"id", "note"}
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LexiconError(Exception):
    """A lexicon file cannot be used: unreadable, not in the schema, or not what its code needs."""


@dataclass(frozen=True)
class Entry:
    """One meaning (an intent, "yes", the ordinal 2…) and its words per language."""

    id: str
    terms: Mapping[str, tuple[str, ...]]
    note: str = ""

    def words(self, langs: Iterable[str] = LANGS) -> tuple[str, ...]:
        """The words of ``langs``, language after language in the order given."""
        return tuple(w for lang in dict.fromkeys(langs) for w in self.terms.get(lang, ()))


@dataclass(frozen=True)
class Lexicon(Mapping[str, Entry]):
    """A loaded lexicon file: its entries by id, in file order."""

    path: Path
    entries: tuple[Entry, ...]
    _by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})

    def __getitem__(self, key: str) -> Entry:
        return self._by_id[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def words(self, entry_id: str, langs: Iterable[str] = LANGS) -> tuple[str, ...]:
        return self[entry_id].words(langs)

    def all_words(self, langs: Iterable[str] = LANGS) -> tuple[str, ...]:
        """Every word of every entry, entry after entry."""
        langs = tuple(langs)
        return tuple(w for e in self.entries for w in e.words(langs))

    def by_word(self, langs: Iterable[str] = LANGS) -> dict[str, str]:
        """word → entry id (for exclusive lexicons, where a word names one entry)."""
        langs = tuple(langs)
        return {w: e.id for e in self.entries for w in e.words(langs)}

    def tokens(self, entry_id: str, langs: Iterable[str] = LANGS) -> frozenset[str]:
        """Every single word of an entry's words and phrases ("dong y" gives "dong" and "y")."""
        return frozenset(t for w in self.words(entry_id, langs) for t in w.split())


@dataclass(frozen=True)
class Spec:
    """What a module needs from one lexicon file."""

    path: Path
    required: tuple[str, ...] = ("vi", "en")  # languages every entry must have
    exclusive: bool = False  # a word may name only one entry (yes or no, never both)
    ids: tuple[str, ...] | None = None  # the entries the code uses; None: any
    needs: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (entry id, languages) the code reads


# Every lexicon declared by the code so far, by resolved path (filled by lexicon()); two modules
# may use one file, each with its own needs.
DECLARED: dict[Path, list[Spec]] = {}


def lexicon(
    module_file: str | Path,
    name: str,
    *,
    required: Sequence[str] = ("vi", "en"),
    exclusive: bool = False,
    ids: Sequence[str] | None = None,
    needs: Mapping[str, Sequence[str]] | None = None,
) -> Lexicon:
    """Load ``data/lexicons/<name>.yml`` of the package folder that holds ``module_file`` (pass
    ``__file__``, or a subpackage's folder), checked against what the module needs. Loaded once
    per process."""
    path = (Path(module_file).resolve().parent / LEXICON_DIR / f"{name}.yml").resolve()
    spec = Spec(
        path,
        tuple(required),
        exclusive,
        None if ids is None else tuple(ids),
        tuple(sorted((eid, tuple(langs)) for eid, langs in (needs or {}).items())),
    )
    if spec not in DECLARED.setdefault(path, []):
        DECLARED[path].append(spec)
    return load(spec)


@cache
def load(spec: Spec) -> Lexicon:
    path = spec.path
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe loader
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"{path}: cannot read the lexicon: {exc}") from exc
    if not isinstance(data, list) or not data:
        raise LexiconError(f"{path}: expected a non-empty YAML list of entries")
    entries = [_entry(rec, n, spec) for n, rec in enumerate(data, 1)]
    seen: dict[str, int] = {}
    owner: dict[str, str] = {}
    for n, entry in enumerate(entries, 1):
        if entry.id in seen:
            raise LexiconError(f"{path}: duplicated id {entry.id!r} (entries {seen[entry.id]} and {n})")
        seen[entry.id] = n
        if spec.exclusive:
            for word in set(entry.words()):
                if word in owner:
                    raise LexiconError(
                        f"{path} entry {n} ({entry.id}): {word!r} is already a word of {owner[word]!r}"
                    )
                owner[word] = entry.id
    if spec.ids is not None and set(seen) != set(spec.ids):
        missing = sorted(set(spec.ids) - set(seen))
        unknown = sorted(set(seen) - set(spec.ids))
        raise LexiconError(f"{path}: the code needs the ids {missing or '-'}; unknown ids {unknown or '-'}")
    for eid, langs in spec.needs:
        if eid not in seen:
            raise LexiconError(f"{path}: the code needs the id {eid!r}")
        missing = [lang for lang in langs if lang not in entries[seen[eid] - 1].terms]
        if missing:
            raise LexiconError(
                f"{path} entry {seen[eid]} ({eid}): no {', '.join(missing)} words (the code reads them)"
            )
    return Lexicon(path, tuple(entries))


def _entry(rec: Any, n: int, spec: Spec) -> Entry:
    where = f"{spec.path} entry {n}"
    if not isinstance(rec, dict):
        raise LexiconError(f"{where}: not a mapping of id and languages")
    eid = rec.get("id")
    if isinstance(eid, int) and not isinstance(eid, bool):
        eid = str(eid)  # ordinals are named by their number: `id: 2`
    if not isinstance(eid, str) or not _ID_RE.match(eid):
        raise LexiconError(f"{where}: bad or missing id {eid!r} (lower-case letters, digits, _)")
    where = f"{where} ({eid})"
    unknown = set(rec) - _KEYS
    if unknown:
        raise LexiconError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    terms: dict[str, tuple[str, ...]] = {}
    for lang in LANGS:
        values = rec.get(lang)
        if values is None:
            values = []
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            hint = ""
            if isinstance(values, list) and any(isinstance(v, bool) for v in values):
                # YAML reads a bare yes, no, on, off as true/false.
                hint = " (put yes, no, on, off in quotes: 'no')"
            raise LexiconError(f"{where}: {lang} must be a list of non-empty strings{hint}")
        words = [unicodedata.normalize("NFC", v) for v in values]
        repeated = sorted({w for w in words if words.count(w) > 1})
        if repeated:
            raise LexiconError(f"{where}: {lang} repeats {', '.join(map(repr, repeated))}")
        if words:
            terms[lang] = tuple(words)
    missing = [lang for lang in spec.required if lang not in terms]
    if missing:
        raise LexiconError(f"{where}: no {', '.join(missing)} words (required in this lexicon)")
    note = rec.get("note") or ""
    return Entry(eid, terms, str(note))
