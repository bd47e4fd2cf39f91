"""Multilingual domain terminology: carries a citizen's words to Vietnamese and English.

The catalogue is Vietnamese only and the only dense model is English, so a curated
terminology (``knowledge/data/terminology/*.yml``, format in ``FORMAT.md`` there) maps
concepts between Vietnamese, English, French, Spanish, Chinese, Korean and Japanese.

* :meth:`Terminology.expand` finds the concepts a question mentions (in any of those
  languages, Vietnamese with or without diacritics) and returns their Vietnamese terms (for
  BM25 over the catalogue) and English terms (for the English dense model).
* :meth:`Terminology.gloss` gives a Vietnamese procedure name an English gloss at index time.

Matching is dictionary based and precompiled at load time:

* Latin-script terms (vi, en, fr, es) are folded (case and diacritics, via
  :func:`knowledge.text.fold`), split into words, lightly stemmed (plural ``-s``/``-x``,
  ``-es``, ``-ies``, final ``-e``) and stored in a dict keyed by the joined n-gram; a
  question is scanned at word boundaries with a prefix set that stops as soon as no longer
  term can start with the words seen so far.
* CJK terms (zh, ja, ko) are matched as substrings of the question with spaces removed
  and NFKC applied, the same way, one character at a time.

The longest span wins; shorter matches overlapping it are dropped. Nothing is loaded at
import time.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.errors import ConfigError
from knowledge.text import fold, has_vietnamese_marks, is_cjk, normalize

log = logging.getLogger(__name__)

LANGS: tuple[str, ...] = ("vi", "en", "fr", "es", "zh", "ko", "ja")
LATIN_LANGS: frozenset[str] = frozenset({"vi", "en", "fr", "es"})
CJK_LANGS: frozenset[str] = frozenset({"zh", "ko", "ja"})
DEFAULT_DIR: Path = Path(__file__).resolve().parent / "data" / "terminology"

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_OPTIONAL_KEYS = frozenset({"note"})
# Question language codes accepted by expand(); "vi-x" is Vietnamese typed without marks.
_VI_CODES = frozenset({"vi", "vi-x"})

PathLike = str | Path


class TerminologyError(ConfigError):
    """A terminology file cannot be used (unreadable YAML, not a list, duplicated id)."""


@dataclass(frozen=True)
class Concept:
    """One meaning with its words per language. ``terms["vi"][0]`` is canonical."""

    id: str
    terms: Mapping[str, tuple[str, ...]]
    source: str = ""

    @property
    def vi(self) -> tuple[str, ...]:
        return self.terms.get("vi", ())

    @property
    def en(self) -> tuple[str, ...]:
        return self.terms.get("en", ())

    @property
    def canonical_vi(self) -> str:
        return self.vi[0]

    @property
    def gloss_en(self) -> str:
        return self.en[0]


@dataclass(frozen=True)
class ConceptMatch:
    """A concept found in a text: which term (in which language) matched, and where.

    ``start``/``end`` are character offsets into ``unicodedata.normalize("NFC", text)``
    (the same as the input for ordinary, already composed text).
    """

    concept_id: str
    lang: str
    term: str
    start: int
    end: int
    surface: str


@dataclass
class Expansion:
    """What :meth:`Terminology.expand` found.

    ``vi_terms``: for each matched concept in order of appearance, its canonical
    Vietnamese term and then up to ``synonyms`` further Vietnamese terms (deduplicated).
    ``en_terms``: likewise in English (the first is the gloss term).
    ``concepts``: every match, in order of position.
    """

    vi_terms: list[str] = field(default_factory=list)
    en_terms: list[str] = field(default_factory=list)
    concepts: list[ConceptMatch] = field(default_factory=list)

    @property
    def concept_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for m in self.concepts:
            seen.setdefault(m.concept_id, None)
        return list(seen)

    def __bool__(self) -> bool:
        return bool(self.concepts)


@dataclass(frozen=True)
class _Entry:
    concept: int  # index into Terminology._concepts
    lang: str
    term: str
    distinctive: bool
    # Vietnamese terms: the term's words with their marks. A question typed WITH marks
    # must match them ("đổi" is not "đối", "thẻ" is not "thế"); one typed without marks
    # matches on the folded words alone.
    marked: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    entry: _Entry


# ---------------------------------------------------------------------------------------
# Normalisation shared by the index and the questions


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """Light, symmetric inflection folding for already folded (ascii, lower) words.

    Vietnamese syllables never end in s/x and none of 5+ letters ends in e, so they pass
    through unchanged.
    """
    w = word
    if len(w) >= 5 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) >= 4 and w[-1] in "sx" and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) >= 5 and w.endswith("e"):
        w = w[:-1]
    return w


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    return fold(word)


def _latin_tokens(text: str) -> list[tuple[str, int, int]]:
    """(stemmed folded word, start, end) for each word; CJK characters act as separators."""
    out: list[tuple[str, int, int]] = []
    for m in _WORD_RE.finditer(text):
        word = m.group(0)
        if any(is_cjk(c) for c in word):
            # Split the run at CJK characters, keeping Latin/digit pieces ("VNeID账号").
            start = m.start()
            piece_start = -1
            for i, c in enumerate(word + " "):
                if c != " " and not is_cjk(c):
                    if piece_start < 0:
                        piece_start = i
                    continue
                if piece_start >= 0:
                    piece = word[piece_start:i]
                    out.append((_stem(_fold_word(piece)), start + piece_start, start + i))
                    piece_start = -1
            continue
        out.append((_stem(_fold_word(word)), m.start(), m.end()))
    return out


# Particles a Vietnamese speaker slips into a phrase without changing what it names
# (passive "bị", aspect "đã/đang/sẽ/vừa/mới", degree "rất/hơi", "cũng"). Typed without
# marks only the unambiguous ones count: "da" may be "đã" but also "da" (skin) or "đá".
_FILLERS_MARKED = frozenset("bị đã đang sẽ vừa mới rất hơi cũng lỡ".split())
_FILLERS_FOLDED = frozenset("bi dang vua".split())


def _is_filler(surface: str) -> bool:
    word = normalize(surface).lower()
    if word in _FILLERS_MARKED:
        return True
    return not has_vietnamese_marks(word) and word in _FILLERS_FOLDED


def _latin_key(term: str) -> str:
    return " ".join(t for t, _, _ in _latin_tokens(unicodedata.normalize("NFC", term)))


def _compact(text: str) -> tuple[str, list[int]]:
    """NFKC + lower-case with whitespace removed, and each output char's source offset."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, c in enumerate(text):
        if c.isspace():
            continue
        for d in unicodedata.normalize("NFKC", c).lower():
            if d.isspace():
                continue
            chars.append(d)
            offsets.append(i)
    return "".join(chars), offsets


def _has_cjk(text: str) -> bool:
    return any(is_cjk(c) for c in text)


def _is_distinctive(term: str, key: str) -> bool:
    """May this Latin term fire in a question written in another language?"""
    if " " in key:
        return True
    if any(c.isdigit() for c in term):
        return True
    if sum(1 for c in term if c.isupper()) >= 2:  # acronyms: CCCD, GPLX, VNeID
        return True
    return len(key) >= 6


def _marks_agree(
    marked: tuple[str, ...], text: str, toks: list[tuple[str, int, int]], i: int, j: int
) -> bool:
    """Every word of the span that was typed with Vietnamese marks carries the term's marks."""
    if len(marked) != j - i + 1:
        return True  # the term's words did not split like the question's; folded match stands
    for k, want in zip(range(i, j + 1), marked):
        got = text[toks[k][1] : toks[k][2]]
        if has_vietnamese_marks(got) and normalize(got).lower() != want:
            return False
    return True


def _as_list(value: Any) -> list[Any] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value
    return None


# ---------------------------------------------------------------------------------------


class Terminology:
    """A loaded, indexed terminology. Build with :meth:`load` or :meth:`from_records`."""

    def __init__(self, concepts: Sequence[Concept]) -> None:
        self._concepts: list[Concept] = list(concepts)
        self._by_id: dict[str, int] = {}
        for i, c in enumerate(self._concepts):
            if c.id in self._by_id:
                other = self._concepts[self._by_id[c.id]]
                raise TerminologyError(
                    f"duplicated concept id {c.id!r}: in {other.source or '?'} and in {c.source or '?'}"
                )
            self._by_id[c.id] = i
        self._latin: dict[str, list[_Entry]] = {}
        self._latin_prefixes: set[str] = set()
        self._cjk: dict[str, list[_Entry]] = {}
        self._cjk_prefixes: set[str] = set()
        self._build()

    # -- construction -------------------------------------------------------------------

    @classmethod
    def load(cls, paths: PathLike | Iterable[PathLike] | None = None) -> Terminology:
        """Load every ``*.yml``/``*.yaml`` of a directory, or the given files.

        Without argument the project's own directory (:data:`DEFAULT_DIR`) is loaded.
        Bad entries are logged and skipped; an unreadable file or a duplicated id raises
        :class:`TerminologyError`.
        """
        if paths is None:
            paths = DEFAULT_DIR
        if isinstance(paths, (str, Path)):
            paths = [paths]
        files: list[Path] = []
        for p in paths:
            path = Path(p)
            if path.is_dir():
                files.extend(sorted(q for q in path.iterdir() if q.suffix in (".yml", ".yaml")))
            elif path.is_file():
                files.append(path)
            else:
                raise TerminologyError(f"no such terminology file or directory: {path}")
        concepts: list[Concept] = []
        for f in files:
            concepts.extend(cls._read_file(f))
        return cls(concepts)

    @classmethod
    def read_concept(cls, path: PathLike, concept_id: str) -> Concept | None:
        """One concept of a file, validated as :meth:`load` does, without building the
        matching indices of the whole file."""
        for concept in cls._read_file(Path(path)):
            if concept.id == concept_id:
                return concept
        return None

    @classmethod
    def from_records(cls, records: Iterable[Any], source: str = "<records>") -> Terminology:
        """Build from already parsed records (same shape as a YAML file's entries)."""
        return cls(cls._validate(list(records), source))

    @classmethod
    def _read_file(cls, path: Path) -> list[Concept]:
        try:
            # libyaml when present: the terminology is read at every start, 7x faster so.
            data = yaml.load(
                path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            )
        except (OSError, yaml.YAMLError) as exc:
            raise TerminologyError(f"{path}: cannot read terminology: {exc}") from exc
        if data is None:
            return []
        if not isinstance(data, list):
            raise TerminologyError(f"{path}: expected a YAML list of concepts")
        return cls._validate(data, str(path))

    @staticmethod
    def _validate(records: list[Any], source: str) -> list[Concept]:
        out: list[Concept] = []
        seen: dict[str, int] = {}
        for n, rec in enumerate(records, 1):
            where = f"{source} entry {n}"
            if not isinstance(rec, dict):
                log.warning("%s: skipped, not a mapping", where)
                continue
            cid = rec.get("id")
            if not isinstance(cid, str) or not _ID_RE.match(cid):
                log.warning("%s: skipped, bad or missing id %r", where, cid)
                continue
            where = f"{source} entry {n} ({cid})"
            if cid in seen:
                raise TerminologyError(
                    f"duplicated concept id {cid!r} in {source} (entries {seen[cid]} and {n})"
                )
            unknown = set(rec) - set(LANGS) - _OPTIONAL_KEYS - {"id"}
            if unknown:
                log.warning("%s: unknown keys ignored: %s", where, ", ".join(sorted(unknown)))
            terms: dict[str, tuple[str, ...]] = {}
            ok = True
            for lang in LANGS:
                values = _as_list(rec.get(lang))
                if values is None or not all(isinstance(v, str) for v in values):
                    log.warning("%s: skipped, %s must be a list of strings", where, lang)
                    ok = False
                    break
                cleaned: list[str] = []
                for v in values:
                    v = unicodedata.normalize("NFC", v).strip()
                    if v and v not in cleaned:
                        cleaned.append(v)
                if len(cleaned) != len(values):
                    log.debug("%s: empty or repeated %s terms dropped", where, lang)
                if cleaned:
                    terms[lang] = tuple(cleaned)
            if not ok:
                continue
            if "vi" not in terms or "en" not in terms:
                log.warning("%s: skipped, vi and en terms are required", where)
                continue
            seen[cid] = n
            out.append(Concept(id=cid, terms=terms, source=source))
        return out

    def _build(self) -> None:
        for ci, concept in enumerate(self._concepts):
            for lang, terms in concept.terms.items():
                for term in terms:
                    if _has_cjk(term):
                        key, _ = _compact(term)
                        self._add(
                            self._cjk, self._cjk_prefixes, key, list(key), "", _Entry(ci, lang, term, True)
                        )
                    else:
                        key = _latin_key(term)
                        if not key:
                            log.warning("%s: term %r has no words, ignored", concept.id, term)
                            continue
                        marked = tuple(_WORD_RE.findall(normalize(term).lower())) if lang == "vi" else ()
                        self._add(
                            self._latin,
                            self._latin_prefixes,
                            key,
                            key.split(" "),
                            " ",
                            _Entry(ci, lang, term, _is_distinctive(term, key), marked),
                        )

    @staticmethod
    def _add(
        index: dict[str, list[_Entry]],
        prefixes: set[str],
        key: str,
        parts: list[str],
        sep: str,
        entry: _Entry,
    ) -> None:
        bucket = index.setdefault(key, [])
        for e in bucket:
            if e.concept == entry.concept and e.lang == entry.lang:
                return  # same concept, same language already reachable by this key
        bucket.append(entry)
        for i in range(1, len(parts) + 1):
            prefixes.add(sep.join(parts[:i]))

    # -- accessors ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._concepts)

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self._by_id

    @property
    def concepts(self) -> list[Concept]:
        return list(self._concepts)

    def get(self, concept_id: str) -> Concept | None:
        i = self._by_id.get(concept_id)
        return None if i is None else self._concepts[i]

    # -- matching -----------------------------------------------------------------------

    @staticmethod
    def _allowed(entry: _Entry, lang: str | None) -> bool:
        if lang is None:
            return True
        if lang in _VI_CODES:
            return entry.lang == "vi" or entry.distinctive
        if entry.lang == lang:
            return True
        if lang in CJK_LANGS and entry.lang in CJK_LANGS:
            return True  # zh/ja share characters; detection often confuses them
        return entry.lang in ("vi", "en") and entry.distinctive

    def _latin_pass(
        self,
        text: str,
        toks: list[tuple[str, int, int]],
        lang: str | None,
        only_lang: str | None,
        out: list[_Candidate],
    ) -> None:
        n = len(toks)
        prefixes, index = self._latin_prefixes, self._latin
        for i in range(n):
            key = ""
            for j in range(i, n):
                key = toks[j][0] if j == i else key + " " + toks[j][0]
                if key not in prefixes:
                    break
                for e in index.get(key, ()):
                    if e.marked and not _marks_agree(e.marked, text, toks, i, j):
                        continue
                    if only_lang is not None:
                        if e.lang != only_lang:
                            continue
                    elif not self._allowed(e, lang):
                        continue
                    out.append(_Candidate(toks[i][1], toks[j][2], e))

    def _candidates(self, text: str, lang: str | None, only_lang: str | None = None) -> list[_Candidate]:
        out: list[_Candidate] = []
        toks = _latin_tokens(text)
        passes = [toks]
        if lang in _VI_CODES and only_lang is None:
            # "tiền bị rách" is "tiền rách": an aspect or passive particle inside a phrase
            # does not change which thing the citizen names, so the words are read again
            # without them (spans still point into the original text).
            kept_toks = [t for t in toks if not _is_filler(text[t[1] : t[2]])]
            if len(kept_toks) != len(toks):
                passes.append(kept_toks)
        for tokens in passes:
            self._latin_pass(text, tokens, lang, only_lang, out)
        if self._cjk and only_lang is None and _has_cjk(text):
            compact, offsets = _compact(text)
            cp, cidx = self._cjk_prefixes, self._cjk
            for i in range(len(compact)):
                for j in range(i + 1, len(compact) + 1):
                    s = compact[i:j]
                    if s not in cp:
                        break
                    for e in cidx.get(s, ()):
                        if self._allowed(e, lang):
                            out.append(_Candidate(offsets[i], offsets[j - 1] + 1, e))
        return out

    @staticmethod
    def _select(cands: list[_Candidate]) -> list[_Candidate]:
        """Longest spans first; drop anything overlapping a kept span (equal spans kept)."""
        cands.sort(key=lambda c: (c.start - c.end, c.start))
        kept: list[_Candidate] = []
        spans: list[tuple[int, int]] = []
        for c in cands:
            clash = False
            for s, e in spans:
                if c.start < e and s < c.end and not (c.start == s and c.end == e):
                    clash = True
                    break
            if not clash:
                kept.append(c)
                spans.append((c.start, c.end))
        kept.sort(key=lambda c: (c.start, c.end))
        return kept

    def expand(
        self, text: str, lang: str | None = None, synonyms: int = 2, exclude: Collection[str] = ()
    ) -> Expansion:
        """Concepts mentioned in ``text`` and their Vietnamese and English terms.

        ``lang`` is the question's language (``vi``, ``vi-x``, ``en``, ``fr``, ``es``,
        ``zh``, ``ko``, ``ja``) or ``None`` when unknown (then every term may match).
        ``synonyms``: how many terms beyond the first to return per concept and language.
        ``exclude``: concept ids that still take their span (so their words are not read
        as other concepts) but contribute no terms.
        """
        if lang is not None and lang not in LANGS and lang not in _VI_CODES:
            lang = None
        text = unicodedata.normalize("NFC", text or "")
        kept = self._select(self._candidates(text, lang))
        result = Expansion()
        done: set[tuple[int, int, int]] = set()
        order: list[int] = []
        for c in kept:
            concept = self._concepts[c.entry.concept]
            if (c.entry.concept, c.start, c.end) not in done:
                done.add((c.entry.concept, c.start, c.end))
                result.concepts.append(
                    ConceptMatch(
                        concept_id=concept.id,
                        lang=c.entry.lang,
                        term=c.entry.term,
                        start=c.start,
                        end=c.end,
                        surface=text[c.start : c.end],
                    )
                )
            if c.entry.concept not in order:
                order.append(c.entry.concept)
        vi_seen: set[str] = set()
        en_seen: set[str] = set()
        for ci in order:
            concept = self._concepts[ci]
            if concept.id in exclude:
                continue
            for t in concept.vi[: 1 + max(0, synonyms)]:
                if t.lower() not in vi_seen:
                    vi_seen.add(t.lower())
                    result.vi_terms.append(t)
            for t in concept.en[: 1 + max(0, synonyms)]:
                if t.lower() not in en_seen:
                    en_seen.add(t.lower())
                    result.en_terms.append(t)
        return result

    def matches_vi(self, vi_text: str) -> list[ConceptMatch]:
        """Concepts found in a Vietnamese text through its Vietnamese terms only."""
        text = unicodedata.normalize("NFC", vi_text or "")
        kept = self._select(self._candidates(text, "vi", only_lang="vi"))
        out: list[ConceptMatch] = []
        done: set[tuple[int, int, int]] = set()
        for c in kept:
            if (c.entry.concept, c.start, c.end) in done:
                continue
            done.add((c.entry.concept, c.start, c.end))
            out.append(
                ConceptMatch(
                    self._concepts[c.entry.concept].id,
                    "vi",
                    c.entry.term,
                    c.start,
                    c.end,
                    text[c.start : c.end],
                )
            )
        return out

    def gloss(self, vi_text: str) -> str:
        """English gloss of a Vietnamese text (a procedure name): each Vietnamese term
        found (longest first) becomes its concept's first English term; unknown words are
        dropped; repeated glosses are given once."""
        words: list[str] = []
        seen: set[str] = set()
        for m in self.matches_vi(vi_text):
            concept = self._concepts[self._by_id[m.concept_id]]
            g = concept.gloss_en
            if g.lower() not in seen:
                seen.add(g.lower())
                words.append(g)
        return " ".join(words)

    def stats(self) -> dict[str, int]:
        """Numbers for reports: concepts, and terms per language."""
        out: dict[str, int] = {"concepts": len(self._concepts)}
        for lang in LANGS:
            out[lang] = sum(len(c.terms.get(lang, ())) for c in self._concepts)
        return out
