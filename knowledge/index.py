"""The persisted knowledge index: procedures, lexical and dense indices, places, centres.

``build`` does the heavy work once (parsing, glossing, embedding); ``save`` writes it to a
folder with a content hash; ``load`` brings it back in seconds. ``is_current`` tells
whether a folder still matches its inputs, so callers rebuild only when something changed.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.centres import CentreRegistry
from knowledge.dense import DenseIndex, Encoder
from knowledge.lexical import BM25Index, terms
from knowledge.marks import EVERYDAY_FILE, MARKS_FILE, MarkModel
from knowledge.models import Procedure
from knowledge.multilingual import VECTOR_FILE, DescriptionVectors, MultilingualEncoder, VectorCache
from knowledge.terminology import Terminology
from knowledge.units import UnitRegistry

log = logging.getLogger(__name__)

# Bump when the on-disk layout or the way texts are indexed changes.
INDEX_VERSION = 7  # 7: marks.npz (knowledge/marks.py)
META_FILE = "meta.json"


@dataclass(slots=True)
class IndexInputs:
    """Everything an index is built from; its hash decides whether to rebuild."""

    procedures: list[Procedure]
    units: UnitRegistry
    centres: CentreRegistry
    model_name: str
    terminology_hash: str
    sources: list[str] = field(default_factory=list)
    # The multilingual encoder and the languages of its description vectors ("" = none).
    multilingual: str = ""

    def content_hash(self) -> str:
        h = hashlib.sha256()
        h.update(f"v{INDEX_VERSION}|{self.model_name}|{self.terminology_hash}|{self.multilingual}|".encode())
        for proc in self.procedures:
            h.update(json.dumps(proc.to_dict(), ensure_ascii=False, sort_keys=True).encode())
        h.update(self.units.content_hash().encode())
        h.update(self.centres.content_hash().encode())
        if EVERYDAY_FILE.is_file():  # the mark model learns from it
            h.update(EVERYDAY_FILE.read_bytes())
        return h.hexdigest()


def name_text(proc: Procedure) -> str:
    return " . ".join([proc.name, *proc.aliases])


def body_text(proc: Procedure) -> str:
    # The Vietnamese description is also part of the body, whose weight is fitted on every
    # question: a catalogue that gains descriptions is searched by them at once, before
    # the fusion is refitted with their own field (desc_vi) weighed.
    parts = [proc.name, proc.field, proc.result, " ".join(proc.aliases), proc.descriptions.get("vi", "")]
    return " . ".join(p for p in parts if p)


def _join(parts: Iterable[str]) -> str:
    return " . ".join(p for p in parts if p)


# Every part of a record a citizen's words may meet, each in its own BM25 index so that the
# fusion (knowledge/fusion.py) can weigh them: a word of the name says more than a word of
# a step. Names are the keys of the fitted weights; renaming one needs a refit.
FIELD_TEXTS: dict[str, Callable[[Procedure], str]] = {
    "name": name_text,
    "body": body_text,
    "desc_vi": lambda p: p.descriptions.get("vi", ""),
    "desc_en": lambda p: p.descriptions.get("en", ""),
    "documents": lambda p: _join(d.name for d in p.documents),
    "conditions": lambda p: p.conditions,
    "steps": lambda p: _join(p.steps),
    "result": lambda p: p.result,
    "applicants": lambda p: _join(p.applicants),
    "agencies": lambda p: _join((p.implementing_agency, p.competent_agency)),
    "legal": lambda p: _join(b.title for b in p.legal_bases),
    "field": lambda p: p.field,
}
# The description in a foreign resident's own language (fr, es, zh, ko, ja), one BM25 index
# per language: a question is scored against its own language's (fusion feature
# ``desc_own``), so a resident's everyday words meet the procedure without going through the
# terminology. Chinese, Japanese and Korean are written without spaces between words: their
# characters are indexed one by one and in pairs (the usual unigram + bigram scheme).
OWN_LANGS: tuple[str, ...] = ("fr", "es", "zh", "ko", "ja")
OWN_FIELDS: dict[str, str] = {lang: f"desc_{lang}" for lang in OWN_LANGS}
_CJK_CHAR = re.compile(r"([\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff])")


def own_text(text: str, lang: str) -> str:
    """A text of ``lang`` made ready for the syllable tokenizer: CJK characters spaced; French
    and Spanish words stemmed (Snowball), so that "robaron" meets "robado" and "volée" "vol"."""
    if lang in ("zh", "ko", "ja"):
        return _CJK_CHAR.sub(r" \1 ", text)
    stemmer = _stemmer(lang)
    if stemmer is None:
        return text
    return " ".join(stemmer.stemWords(_WORD.findall(text.lower())))


_WORD = re.compile(r"[^\W_]+")
_SNOWBALL = {"fr": "french", "es": "spanish"}


@cache
def _stemmer(lang: str) -> Any:
    if lang not in _SNOWBALL:
        return None
    import snowballstemmer

    return snowballstemmer.stemmer(_SNOWBALL[lang])


def own_terms(text: str, lang: str) -> list[str]:
    return terms(own_text(text, lang), accented=False, folded=True)


# Fields scored only on the short list of each question (stored by document): they refine
# the ranking of candidates the name, body, descriptions, terminology and dense signals
# found, and their cost then does not grow with the catalogue.
SECONDARY_FIELDS = frozenset(
    {"documents", "conditions", "steps", "result", "applicants", "agencies", "legal", "field"}
)
# Long free-text fields repeat boilerplate ("Bước 1: ..."); their first characters carry
# what distinguishes the procedure and keep the index small.
FIELD_MAX_CHARS = 3000


def field_text(field_name: str, proc: Procedure) -> str:
    return FIELD_TEXTS[field_name](proc)[:FIELD_MAX_CHARS]


def marks_texts(procs: Sequence[Procedure], terminology: Terminology) -> Iterator[str]:
    """The Vietnamese the mark model learns from: every record's fields and aliases, the
    Vietnamese descriptions, and the terminology's Vietnamese terms."""
    for p in procs:
        for name, text_of in FIELD_TEXTS.items():
            if name != "desc_en":
                yield text_of(p)
        yield from p.aliases
    for concept in terminology.concepts:
        yield from concept.vi


def dense_text(proc: Procedure, terminology: Terminology) -> str:
    """The English pivot text of a procedure (the default model is English-only)."""
    gloss = terminology.gloss(proc.name)
    alias_gloss = "; ".join(g for g in (terminology.gloss(a) for a in proc.aliases[:3]) if g)
    field_gloss = terminology.gloss(proc.field) if proc.field else ""
    # The citizens' own English words, when a description exists, are the best pivot.
    desc = proc.descriptions.get("en", "")[:400]
    if desc:
        # A written description says what the procedure is in plain English; the word-by-word
        # glosses of the name beside it only blur the sentence the encoder sees.
        return desc
    text = " ; ".join(p for p in (gloss, alias_gloss, field_gloss) if p)
    return text or proc.name


class KnowledgeIndex:
    def __init__(
        self,
        procedures: list[Procedure],
        fields: dict[str, BM25Index],
        dense: DenseIndex,
        units: UnitRegistry,
        centres: CentreRegistry,
        meta: dict[str, Any],
        multilingual: DescriptionVectors | None = None,
        marks: MarkModel | None = None,
    ) -> None:
        self.procedures = procedures
        self.by_code = {p.code: i for i, p in enumerate(procedures)}
        self.fields = fields
        self.name_index = fields["name"]
        self.body_index = fields["body"]
        self.dense = dense
        self.units = units
        self.centres = centres
        self.meta = meta
        self.multilingual = multilingual
        # Restores the marks of Vietnamese typed without them (None in an index built
        # before marks.npz existed: such questions are then matched on folded terms only).
        self.marks = marks

    @property
    def content_hash(self) -> str:
        return str(self.meta.get("content_hash", ""))

    def procedure(self, code: str) -> Procedure | None:
        i = self.by_code.get(code)
        return self.procedures[i] if i is not None else None

    @classmethod
    def build(
        cls,
        inputs: IndexInputs,
        encoder: Encoder,
        terminology: Terminology,
        report: dict[str, Any] | None = None,
        multilingual: MultilingualEncoder | None = None,
        languages: Sequence[str] = (),
    ) -> KnowledgeIndex:
        started = time.perf_counter()
        procs = inputs.procedures
        fields = {f: BM25Index.build([terms(field_text(f, p)) for p in procs]) for f in FIELD_TEXTS}
        fields = {f: (b.row_major() if f in SECONDARY_FIELDS else b) for f, b in fields.items()}
        for lang, name in OWN_FIELDS.items():
            if any(p.descriptions.get(lang) for p in procs):
                fields[name] = BM25Index.build([own_terms(p.descriptions.get(lang, ""), lang) for p in procs])
        lexical_s = time.perf_counter() - started
        texts = [dense_text(p, terminology) for p in procs]
        t0 = time.perf_counter()
        vectors = encoder.encode_documents(texts) if texts else np.zeros((0, 1), np.float32)
        dense_s = time.perf_counter() - t0
        dense = DenseIndex.build(vectors)
        t0 = time.perf_counter()
        ml_vectors: DescriptionVectors | None = None
        ml_embedded: dict[str, int] = {}
        if multilingual is not None and languages:
            ml_vectors, ml_embedded = DescriptionVectors.build(
                [p.descriptions for p in procs], languages, multilingual, VectorCache(multilingual.name)
            )
        ml_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        marks = MarkModel.with_everyday(marks_texts(procs, terminology))
        marks_s = time.perf_counter() - t0
        total_s = round(time.perf_counter() - started, 3)
        meta: dict[str, Any] = {
            "version": INDEX_VERSION,
            "content_hash": inputs.content_hash(),
            "model": inputs.model_name,
            "terminology_hash": inputs.terminology_hash,
            "procedures": len(procs),
            "communes": len(inputs.units.communes),
            "old_units": len(inputs.units.old_units),
            "centres": len(inputs.centres),
            "described": {
                lang: sum(1 for p in procs if p.descriptions.get(lang)) for lang in ("vi", "en", *OWN_LANGS)
            },
            "sources": inputs.sources,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "timings_s": {
                "lexical": round(lexical_s, 3),
                "embedding": round(dense_s, 3),
                "multilingual": round(ml_s, 3),
                "marks": round(marks_s, 3),
                "total": total_s,
            },
            "multilingual": {
                "model": multilingual.name if ml_vectors is not None and multilingual is not None else None,
                "languages": sorted(ml_vectors.languages) if ml_vectors is not None else [],
                # Texts the shipped cache (knowledge/data/embeddings) did not have.
                "embedded": ml_embedded,
            },
            "import_report": report or {},
        }
        log.info("index built: %d procedures in %.1f s", len(procs), total_s)
        return cls(procs, fields, dense, inputs.units, inputs.centres, meta, ml_vectors, marks)

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        tmp = path / (META_FILE + ".tmp")
        with (path / "procedures.jsonl").open("w", encoding="utf-8") as fh:
            for proc in self.procedures:
                fh.write(json.dumps(proc.to_dict(), ensure_ascii=False) + "\n")
        for name, bm25 in self.fields.items():
            bm25.save(path, f"bm25_{name}")
        self.dense.save(path / "dense.faiss")
        if self.multilingual is not None:
            self.multilingual.save(path)
        else:
            (path / VECTOR_FILE).unlink(missing_ok=True)
        if self.marks is not None:
            self.marks.save(path)
        else:
            (path / MARKS_FILE).unlink(missing_ok=True)
        self.units.save(path / "units.json")
        self.centres.save(path / "centres.json")
        # meta.json is written last: a folder without it is an unfinished build.
        tmp.write_text(json.dumps(self.meta, ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(path / META_FILE)

    @classmethod
    def load(cls, path: Path) -> KnowledgeIndex:
        meta_path = path / META_FILE
        if not meta_path.is_file():
            raise FileNotFoundError(f"no index at {path} (run `hotline index --out {path}`)")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("version") != INDEX_VERSION:
            raise ValueError(
                f"index at {path} has format {meta.get('version')}, expected {INDEX_VERSION}; rebuild it"
            )
        key = _cache_key(meta_path)
        with _collector_paused():
            parts = _read_cache(path, key)
            if parts is None:
                parts = cls._load_parts(path)
                _write_cache(path, key, parts)
        procs, fields, units, centres = parts
        return cls(
            procs,
            fields,
            DenseIndex.load(path / "dense.faiss"),
            units,
            centres,
            meta,
            DescriptionVectors.load(path),
            MarkModel.load(path),
        )

    @staticmethod
    def _load_parts(path: Path) -> _Parts:
        procs = []
        with (path / "procedures.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                procs.append(Procedure.from_dict(json.loads(line)))
        fields = {f: BM25Index.load(path, f"bm25_{f}") for f in FIELD_TEXTS}
        for name in OWN_FIELDS.values():
            if (path / f"bm25_{name}.npz").is_file():  # absent when no description has the language
                fields[name] = BM25Index.load(path, f"bm25_{name}")
        return (
            procs,
            fields,
            UnitRegistry.load(path / "units.json"),
            CentreRegistry.load(path / "centres.json"),
        )


# The loaded form of an index, beside it: parsing the procedures and building the
# place-name indices and the vocabularies took about 1.5 s of CPU at every start and every
# `hotline ask`; unpickling them takes about 0.5 s. Keyed by meta.json (rewritten at every
# build) and by the code that builds these objects, so neither a rebuilt index nor an
# upgrade reads a stale cache. The index folder is trusted like its other files.
CACHE_FILE = "loaded.pickle"
_Parts = tuple[list[Procedure], dict[str, BM25Index], UnitRegistry, CentreRegistry]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The garbage collector off while a million objects are created, none of them garbage:
    it would walk the growing heap again and again (half the time of a load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cache_key(meta_path: Path) -> str:
    from knowledge import centres, lexical, models, text, units

    digest = hashlib.sha256()
    digest.update(meta_path.read_bytes())
    for module in (centres, lexical, models, text, units):
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def _read_cache(path: Path, key: str) -> _Parts | None:
    import pickle

    try:
        with (path / CACHE_FILE).open("rb") as handle:
            stored_key, parts = pickle.load(handle)
    except FileNotFoundError:
        return None
    except (
        OSError,
        EOFError,
        pickle.UnpicklingError,
        ValueError,
        TypeError,
        AttributeError,
        ImportError,
    ) as exc:
        log.info("index cache %s unreadable (%s); loading the index files", path / CACHE_FILE, exc)
        return None
    if stored_key != key or not isinstance(parts, tuple) or len(parts) != 4:
        return None
    return parts


def _write_cache(path: Path, key: str, parts: _Parts) -> None:
    import os
    import pickle

    tmp = path / f"{CACHE_FILE}.{os.getpid()}.tmp"
    try:
        with tmp.open("wb") as handle:
            pickle.dump((key, parts), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path / CACHE_FILE)
    except OSError as exc:  # a read-only index folder: loaded from its files at every start
        log.debug("index cache not written to %s: %s", path, exc)
        tmp.unlink(missing_ok=True)


def stored_hash(path: Path) -> str | None:
    try:
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("version") != INDEX_VERSION:
        return None
    return str(meta.get("content_hash"))


def files_hash(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()
