"""Procedure search: signals from every field of a record, fused by a fitted model.

For one question the searcher computes, for every procedure, the share of the question's
terms matched in each field's BM25 index (name, body, descriptions, documents, conditions,
steps, result, applicants, agencies, legal bases, field), the same for the terminology's
terms alone, and dense similarity of the English pivot. The fitted fusion
(knowledge/fusion.py) ranks a short list by these, adds candidate signals (how much of
the name the question covers, the name said in full, alias) and turns the result into a
calibrated probability with the question's own signals (share understood, specific,
foreign, length). Below the threshold of the question's language group the searcher
abstains: the assistant then offers options or hands off.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge.dense import Encoder
from knowledge.fusion import FEATURES, VECTOR_FEATURES, FusionModel, group_of
from knowledge.index import OWN_FIELDS, SECONDARY_FIELDS, KnowledgeIndex, own_text
from knowledge.lexical import FOLD_PREFIX, query_terms
from knowledge.models import Procedure
from knowledge.multilingual import MultilingualEncoder
from knowledge.rerank import DEPTH, catalogue_priors, feature_matrix
from knowledge.terminology import Expansion, Terminology
from knowledge.text import fold, has_vietnamese_marks, is_cjk, words

log = logging.getLogger(__name__)

# Concepts that say which ASPECT of a procedure is asked (papers, fee, time, where, how
# to submit), not WHICH procedure: the assistant uses them to pick the focus of the
# answer; as search terms they would favour names that happen to contain "hồ sơ" or
# "trực tuyến".
ASPECT_CONCEPTS = frozenset(
    {
        "dossier",
        "papers",
        "application_form",
        "submit",
        "receive_application",
        "fee",
        "free_of_charge",
        "cost",
        "payment",
        "processing_time",
        "working_day",
        "online",
        "fully_online",
        "partially_online",
        "in_person",
        "by_post",
        "where_to_apply",
        "public_service_portal",
        "procedure",
        "legal_basis",
        "conditions",
        "address",
        "vietnam",
        "in_country",
        "result",
        "information",
        "receipt_appointment",
        "one_stop_shop",
    }
)


@dataclass(slots=True)
class SearchConfig:
    # The fallback abstention threshold, for a language group the fitted fusion has none for.
    threshold: float = 0.32
    dense_floor: float = 0.25
    dense_ceiling: float = 0.8
    candidates: int = 100
    expansion_weight: float = 0.8
    # Per language, the fewest words a question needs for the multilingual encoder to read it.
    multilingual_min_words: dict[str, int] = field(default_factory=dict)
    # The weight of the terms of an unmarked Vietnamese question read with its marks
    # restored (knowledge/marks.py), relative to its folded terms'.
    restored_marks_weight: float = 0.6
    # Signals switched off (their value forced to 0): the bench's ablation, never production.
    ablate: frozenset[str] = frozenset()


@dataclass(slots=True)
class Hit:
    procedure: Procedure
    score: float  # calibrated probability (0..1) that this is the procedure asked for
    lexical: float
    dense: float
    signals: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class SearchResult:
    hits: list[Hit]
    abstained: bool
    concepts: list[str] = field(default_factory=list)
    pivot: str = ""
    coverage: float = 1.0
    threshold: float = 0.0  # the abstention threshold applied (fitted per language group)
    vi_terms: tuple[str, ...] = ()  # the terminology's Vietnamese for the question's words

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits and not self.abstained else None


@dataclass(slots=True)
class Candidates:
    """One question's short list in the first stage's order, with what both stages need."""

    sig: Signals
    ids: list[int]
    x: np.ndarray  # candidates x fusion FEATURES
    logits: np.ndarray  # the fusion's ranking logit of each candidate
    question: dict[str, float]
    coverage: float

    def row(self, j: int) -> dict[str, float]:
        return {name: float(v) for name, v in zip(FEATURES, self.x[j])}


@dataclass(slots=True)
class Signals:
    """Everything the fusion needs about one question, for every procedure."""

    vectors: np.ndarray  # len(VECTOR_FEATURES) x n
    expansion: Expansion
    pivot: str
    qwords: frozenset[str]
    qfold: str
    foreign: bool
    specific: bool
    length: float = 0.0  # 0..1, how long the question is (stories leave many words unexplained)
    query: dict[str, float] = field(default_factory=dict)  # for the fields scored on the short list
    filled: np.ndarray | None = None  # procedures whose short-list fields are scored
    english: bool = False  # the encoder is English: for an English question it reads the question itself
    ml_best: float = 0.0  # the multilingual encoder's best similarity, on its scale (0 when not used)
    desc_field: str = ""  # the descriptions in the question's language, and its terms for them
    desc_query: dict[str, float] = field(default_factory=dict)


# Concepts of these files are general vocabulary (actions, persons, documents, kinds of
# activity), not fields.
GENERIC_FILES = ("core.yml", "core_catalogue.yml")
_TOKEN = re.compile(r"[^\W_]+")
# The close candidates a distinguishing word is looked for against (rerank_features).
CONTRAST_TOP = 5
_CJK_FUNCTION = frozenset(
    "的了吗呢吧我你他她它们是在有和与及或请问怎么样如何什么哪里要想需可以能该应这那个一些？。，、！은는이가을를에의도요다까나고서"
)
# Words that carry no subject in a question (folded; per language of the question).
_STOP: dict[str, frozenset[str]] = {
    "vi-x": frozenset(
        "toi minh em anh chi ban co khong the nao lam sao o dau bao nhieu gi la cua va cho "
        "voi thi ma nhu neu can muon phai duoc di den tu ve tai khi nao roi nay do ai hoi "
        "xin vui long giup a a nhe nha oi vay sao hay nhung cac mot nhieu it rat qua "
        "dang se da moi cu gio bay ngay".split()
    ),
    "en": frozenset(
        "i me my we our you your he she his her it its they their a an the of to for in on at "
        "by with from and or is are was were be been do does did how what where when which who "
        "can could would should will shall may might must need needed want get got have has "
        "please tell about this that these those there here any some much many long much "
        "if so not no yes just now new also".split()
    ),
    "fr": frozenset(
        "je me mon ma mes nous notre vous votre il elle ils le la les un une des du de d l au "
        "aux et ou est sont pour avec dans sur par comment quoi quel quelle quels quelles "
        "ou faut il faire peux puis dois veux voudrais que qui ce cette ces en y a pas ne "
        "plus tres bien svp s".split()
    ),
    "es": frozenset(
        "yo me mi mis nosotros nuestro nuestra usted su sus el la los las un una unos unas del "
        "de al y o es son para con en por como que cual cuales donde cuando quien necesito "
        "quiero puedo tengo hacer debo se lo le muy mas ya si no".split()
    ),
}
_STOP["vi"] = _STOP["vi-x"]


_NAME_STOP = frozenset(
    "thu tuc cua va cho cac doi voi tai theo trong hoac thuc hien nhung la co khong "
    "duoc nguoi truong hop".split()
)
_PAREN = re.compile(r"\([^)]*\)")
_DENSE = VECTOR_FEATURES.index("dense")
_LONG_WORDS = 40.0
# Procedures the first signals pass on to the short-list fields. 60, 150 and 40 give the
# same hit@1/hit@3 on dev, dev2 and the project's sets (the short-list fields reorder
# candidates, they do not rescue one from far down); 60 scores the long fields of 2.5x
# fewer records than 150 did.
PRIMARY_SHORTLIST = 60
_NAME = VECTOR_FEATURES.index("name")
_ML_TOP = VECTOR_FEATURES.index("ml_top")
_ML_SHORT = VECTOR_FEATURES.index("ml_short")
ML_SHORT_WORDS = 20.0


def _words(text: str) -> float:
    """Words of a question; Chinese, Japanese and Korean characters count two to a word."""
    cjk = sum(1 for ch in text if is_cjk(ch))
    latin = len(_TOKEN.findall("".join(" " if is_cjk(ch) else ch for ch in text)))
    return latin + cjk / 2.0


# The multilingual signal's scale (knowledge/multilingual.py), measured on the project's sets:
# the best description's cosine is 0.88–0.93 for most procedure questions, 0.81–0.87 for
# out-of-scope, place and office questions; the right one is within 0.03 of the best in nine
# questions of ten.
ML_FLOOR, ML_SPAN, ML_GAP = 0.80, 0.12, 0.03

_DESC_EN = VECTOR_FEATURES.index("desc_en")
_COL = {name: j for j, name in enumerate(FEATURES)}


def _name_words(name: str) -> frozenset[str]:
    """Folded syllables that distinguish a procedure name (qualifiers in brackets and
    function words removed)."""
    return frozenset(w for w in fold(_PAREN.sub(" ", name)).split() if w.isalnum() and w not in _NAME_STOP)


# What the searcher derives from every procedure's name, kept beside the index
# (`search.pickle`): folding 2,800 names took a one-shot `hotline ask` 0.2 s of its start,
# reading them back takes 0.01 s. Keyed by the names and the code that derives the tables,
# so a rebuilt index or an upgrade never reads stale ones.
NAME_CACHE = "search.pickle"
_NameTables = tuple[list[str], list[frozenset[str]], np.ndarray, np.ndarray]


def _name_tables(names: list[str], folder: Path | None) -> _NameTables:
    import contextlib
    import hashlib
    import os
    import pickle
    import sys

    digest = hashlib.sha256()
    for module in (__name__, fold.__module__, catalogue_priors.__module__):
        digest.update(Path(sys.modules[module].__file__ or "").read_bytes())
    digest.update("\n".join(names).encode("utf-8"))
    key = digest.hexdigest()
    path = folder / NAME_CACHE if folder is not None else None
    if path is not None:
        try:
            with path.open("rb") as handle:
                stored_key, tables = pickle.load(handle)
            if stored_key == key:
                return tables  # type: ignore[no-any-return]
        except FileNotFoundError:
            pass
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError) as exc:
            log.info("search cache %s unreadable (%s); folding the names", path, exc)
    levels, lengths = catalogue_priors(names)
    tables = ([fold(n) for n in names], [_name_words(n) for n in names], levels, lengths)
    if path is not None:
        tmp = path.with_name(f"{NAME_CACHE}.{os.getpid()}.tmp")
        try:
            with tmp.open("wb") as handle:
                pickle.dump((key, tables), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError as exc:  # a read-only index folder: folded at every start
            log.debug("search cache not written to %s: %s", folder, exc)
            with contextlib.suppress(OSError):
                tmp.unlink()
    return tables


class Searcher:
    def __init__(
        self,
        index: KnowledgeIndex,
        encoder: Encoder | None,
        terminology: Terminology,
        config: SearchConfig | None = None,
        fusion: FusionModel | None = None,
        cache_dir: Path | None = None,
        multilingual: MultilingualEncoder | None = None,
    ) -> None:
        """``cache_dir``: the index folder, where the name tables are kept between starts;
        ``multilingual``: the encoder of the index's description vectors (knowledge/multilingual.py)."""
        self.index = index
        self.encoder = encoder
        self.multilingual = multilingual if index.multilingual is not None else None
        self.terminology = terminology
        self.config = config or SearchConfig()
        self.fusion = fusion or FusionModel.load()
        tables = _name_tables([p.name for p in index.procedures], cache_dir)
        self._folded_names, self._name_words, self._levels, self._name_lengths = tables
        self._has_aliases = np.asarray([bool(p.aliases) for p in index.procedures], dtype=np.float32)
        self._record_cache: dict[str, frozenset[str]] = {}
        self._fields = [f for f in VECTOR_FEATURES if f in index.fields]
        self._set_weights()

    def _set_weights(self) -> None:
        fusion = self.fusion
        self._w_vec = fusion.vector(VECTOR_FEATURES)
        self._w_all = fusion.vector(FEATURES).astype(np.float64)
        self._w_foreign = np.asarray(
            [fusion.weights.get("foreign_dense", 0.0), fusion.weights.get("foreign_name", 0.0)], np.float32
        )
        self._w_english = np.asarray(
            [fusion.weights.get("english_dense", 0.0), fusion.weights.get("english_desc", 0.0)], np.float32
        )

    def _query(
        self, text: str, lang: str
    ) -> tuple[dict[str, float], dict[str, float], dict[str, float], Expansion, str]:
        """Query terms: Vietnamese (as typed + the terminology's), the terminology's
        alone, and English (for the English descriptions)."""
        marks = has_vietnamese_marks(text)
        if "terminology" in self.config.ablate:
            expansion = Expansion()
        else:
            expansion = self.terminology.expand(text, lang, exclude=ASPECT_CONCEPTS)
        if lang in ("vi", "vi-x"):
            q = query_terms(text, has_marks=marks)
            if not marks:
                self._add_restored(text, q)
        else:
            # In a foreign question only the Vietnamese words the citizen typed (with
            # their marks) can meet the catalogue; ASCII words like "an" or "con" would
            # match Vietnamese syllables by accident.
            viet = " ".join(w for w in words(text) if has_vietnamese_marks(w))
            q = query_terms(viet, has_marks=True) if viet else {}
        w_exp = self.config.expansion_weight if lang in ("vi", "vi-x") else 1.0
        q_exp: dict[str, float] = {}
        for term in expansion.vi_terms:
            for t, w in query_terms(term, has_marks=True).items():
                q[t] = max(q.get(t, 0.0), w * w_exp)
                q_exp[t] = max(q_exp.get(t, 0.0), w)
        q_en: dict[str, float] = {}
        if lang == "en":
            plain = " ".join(w for w in words(text) if w not in _STOP["en"])
            q_en.update(query_terms(plain, has_marks=False))
        for term in expansion.en_terms:
            for t, w in query_terms(term, has_marks=False).items():
                q_en[t] = max(q_en.get(t, 0.0), w)
        pivot = text if lang == "en" else " ; ".join(expansion.en_terms)
        return q, q_exp, q_en, expansion, pivot

    def _add_restored(self, text: str, q: dict[str, float]) -> None:
        """An unmarked Vietnamese question's marked terms, from its restored reading, beside
        its folded ones (at ``restored_marks_weight``)."""
        weight = self.config.restored_marks_weight
        model = self.index.marks
        if model is None or weight <= 0 or "marks" in self.config.ablate:
            return
        for t, w in query_terms(model.restore(text), has_marks=True).items():
            if not t.startswith(FOLD_PREFIX):
                q[t] = max(q.get(t, 0.0), w * weight)

    def signals(self, text: str, lang: str, multilingual: bool = True) -> Signals:
        cfg = self.config
        n = len(self.index.procedures)
        ml_best = 0.0
        q, q_exp, q_en, expansion, pivot = self._query(text, lang)
        # The descriptions in the question's language and the question's terms for them: a
        # signal (desc_own) here, the reranker's contrast later.
        if lang in ("vi", "vi-x"):
            desc_field, desc_query = "desc_vi", q
        elif lang == "en":
            desc_field, desc_query = "desc_en", q_en
        else:
            desc_field = OWN_FIELDS.get(lang, "")
            desc_query = query_terms(own_text(text, lang), has_marks=False) if desc_field else {}
        vectors = np.zeros((len(VECTOR_FEATURES), n), dtype=np.float32)
        for row, name in enumerate(VECTOR_FEATURES):
            if name in cfg.ablate:
                continue
            if name == "dense":
                if self.encoder is not None and pivot.strip():
                    qv = self.encoder.encode_query(pivot)
                    sims, ids = self.index.dense.search(qv, cfg.candidates)
                    span = cfg.dense_ceiling - cfg.dense_floor
                    vectors[row, ids] = np.clip((sims - cfg.dense_floor) / span, 0.0, 1.0)
                continue
            if name in SECONDARY_FIELDS or name in ("ml_top", "ml_short"):
                continue  # scored on the short list only (fill_secondary); ml_top with ml_dense
            if name == "ml_dense":
                if multilingual:
                    ml_best = self._multilingual(text, lang, vectors, row)
                continue
            if name == "desc_own":
                own = self.index.fields.get(OWN_FIELDS.get(lang, ""))
                if own is not None and desc_query:
                    scores, bound = own.score(desc_query)
                    if bound > 0:
                        vectors[row] = scores / bound
                continue
            if name.startswith("term_"):
                bm25, query = self.index.fields.get(name[5:]), q_exp
            else:
                bm25, query = self.index.fields.get(name), (q_en if name == "desc_en" else q)
            if bm25 is None or not query:
                continue
            scores, bound = bm25.score(query)
            if bound > 0:
                vectors[row] = scores / bound
        qwords = frozenset(t[1:] for t in q if t.startswith("~") and "_" not in t)
        return Signals(
            vectors,
            expansion,
            pivot,
            qwords,
            " " + fold(text) + " ",
            lang not in ("vi", "vi-x"),
            self._specific(expansion),
            min(1.0, len(_TOKEN.findall(text)) / _LONG_WORDS),
            q,
            np.zeros(n, dtype=bool),
            english=lang == "en",
            ml_best=ml_best,
            desc_field=desc_field,
            desc_query=desc_query,
        )

    def _multilingual(self, text: str, lang: str, vectors: np.ndarray, row: int) -> float:
        """The question against the descriptions in its own language. ml_dense: the
        similarity on the encoder's scale; ml_top: how close it is to the best one, times how
        strong the best one is. Returns the best one's strength (a question-level signal:
        the encoder's cosines are compressed, 0.80–0.95, but a question no procedure answers
        rarely reaches 0.87 and a procedure question usually does)."""
        vecs = self.index.multilingual
        if self.multilingual is None or vecs is None or lang not in vecs.languages:
            return 0.0
        if _words(text) < self.config.multilingual_min_words.get(lang, 0):
            return 0.0
        sims = vecs.similarities(lang, self.multilingual.encode_query(text))
        if sims is None or not sims.any():
            return 0.0
        strength = np.clip((sims - ML_FLOOR) / ML_SPAN, 0.0, 1.0)
        best = float(strength.max())
        vectors[row] = strength
        gap = float(sims.max()) - sims
        vectors[_ML_TOP] = np.clip(1.0 - gap / ML_GAP, 0.0, 1.0) * best
        # The same for a short question ("registrar el matrimonio"), where the encoder tells
        # siblings apart less well than the words do: the fit weighs it on its own.
        vectors[_ML_SHORT] = vectors[_ML_TOP] * (1.0 - min(1.0, _words(text) / ML_SHORT_WORDS))
        return best

    def fill_secondary(self, sig: Signals, ids: np.ndarray) -> None:
        """Score the short-list fields (documents, steps, …) of these procedures."""
        assert sig.filled is not None
        ids = np.asarray(ids, dtype=np.int64)
        todo = ids[~sig.filled[ids]]
        if not len(todo):
            return
        sig.filled[todo] = True
        for row, name in enumerate(VECTOR_FEATURES):
            if name not in SECONDARY_FIELDS or name in self.config.ablate:
                continue
            bm25 = self.index.fields.get(name)
            if bm25 is None or not sig.query:
                continue
            scores, bound = bm25.score_rows(sig.query, todo)
            if bound > 0:
                sig.vectors[row, todo] = scores / bound

    def prescore(self, sig: Signals, ids: np.ndarray | None = None) -> np.ndarray:
        """The linear part of the fusion over the catalogue (or over ``ids``)."""
        vectors = sig.vectors if ids is None else sig.vectors[:, ids]
        pre = self._w_vec @ vectors
        if sig.foreign:
            pre = pre + self._w_foreign[0] * vectors[_DENSE] + self._w_foreign[1] * vectors[_NAME]
        if sig.english:
            pre = pre + self._w_english[0] * vectors[_DENSE] + self._w_english[1] * vectors[_DESC_EN]
        return np.asarray(pre, dtype=np.float32)

    def question_features(self, sig: Signals, coverage: float) -> dict[str, float]:
        q = {
            "coverage": coverage,
            "specific": 1.0 if sig.specific else 0.0,
            "foreign": float(sig.foreign),
            "length": sig.length,
            "ml_best": sig.ml_best,
        }
        for name in self.config.ablate:
            if name in q:
                q[name] = 0.0 if name != "coverage" else 1.0
        return q

    def candidate_features(self, sig: Signals, i: int) -> dict[str, float]:
        return {name: float(v) for name, v in zip(FEATURES, self.candidate_matrix(sig, [i])[0])}

    def candidate_matrix(self, sig: Signals, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """The fusion's FEATURES of these candidates, one row each."""
        ids_arr = np.asarray(ids, dtype=np.int64)
        x = np.zeros((len(ids_arr), len(FEATURES)), dtype=np.float64)
        x[:, : len(VECTOR_FEATURES)] = sig.vectors[:, ids_arr].T
        for j, i in enumerate(ids_arr.tolist()):
            # How much of the procedure's name the question covers: among "đăng ký khai
            # sinh" and "đăng ký khai sinh lưu động", a question that says nothing of
            # "lưu động" wants the first.
            words_i = self._name_words[i]
            x[j, _COL["name_cover"]] = len(words_i & sig.qwords) / len(words_i) if words_i else 0.0
            name = self._folded_names[i].removeprefix("thu tuc ").strip()
            x[j, _COL["name_exact"]] = 1.0 if len(name) >= 8 and f" {name} " in sig.qfold else 0.0
        x[:, _COL["alias"]] = self._has_aliases[ids_arr]  # a procedure citizens commonly ask about
        if sig.foreign:
            x[:, _COL["foreign_dense"]] = x[:, _COL["dense"]]
            x[:, _COL["foreign_name"]] = x[:, _COL["name"]]
        if sig.english:
            x[:, _COL["english_dense"]] = x[:, _COL["dense"]]
            x[:, _COL["english_desc"]] = x[:, _COL["desc_en"]]
        for name in self.config.ablate:
            if name in _COL:
                x[:, _COL[name]] = 0.0
        return x

    def shortlist(self, sig: Signals, want: int) -> np.ndarray:
        """The ``want`` best procedures: the first signals over the whole catalogue pick
        ``PRIMARY_SHORTLIST`` of them, the short-list fields then refine their order."""
        pre = self.prescore(sig)
        n = len(pre)
        first = min(max(want, PRIMARY_SHORTLIST), n)
        # argpartition is linear in the catalogue size; a full sort would not be.
        top = np.argpartition(-pre, first - 1)[:first] if first < n else np.arange(n)
        self.fill_secondary(sig, top)
        pre_top = self.prescore(sig, top)
        order = top[np.argsort(-pre_top)]
        return order[: min(want, n)]

    def candidates(self, text: str, lang: str, want: int, multilingual: bool = True) -> Candidates:
        """The first stage: the short list ordered by the fusion's logit."""
        sig = self.signals(text, lang, multilingual)
        top = self.shortlist(sig, want)
        best = self.index.procedures[int(top[0])] if len(top) else None
        # Confidence falls with the share of the question nobody understood: "renew my
        # Netflix subscription" matches "renew" well and "Netflix subscription" not at all.
        coverage = self._coverage(text, lang, sig.expansion, best)
        question = self.question_features(sig, coverage)
        x = self.candidate_matrix(sig, top)
        logits = x @ self._w_all + self.fusion.bias
        order = np.argsort(-logits, kind="stable")
        return Candidates(sig, [int(top[i]) for i in order], x[order], logits[order], question, coverage)

    def rerank_features(self, cand: Candidates, lang: str) -> np.ndarray:
        """The second stage's features of the first ``DEPTH`` candidates."""
        ids = cand.ids[:DEPTH]
        contrast = np.zeros((len(ids), 2), dtype=np.float64)
        if "contrast" not in self.config.ablate:
            contrast[:, 0] = self._contrast("name", cand.sig.query, ids)
            contrast[:, 1] = self._contrast(cand.sig.desc_field, cand.sig.desc_query, ids)
        return feature_matrix(
            cand.x[:DEPTH],
            cand.logits[: len(ids)],
            cand.question,
            group_of(lang),
            self._levels[ids],
            self._name_lengths[ids],
            [self._folded_names[i] for i in ids],
            contrast,
        )

    def _contrast(self, field_name: str, query: dict[str, float], ids: Sequence[int]) -> np.ndarray:
        """How much of the question only this candidate's ``field_name`` says among the first
        stage's best ``CONTRAST_TOP``: the words that tell siblings apart ("xóa đăng ký" from
        "đăng ký", "volver a certificar" from "certificar"), as a share of what the question
        could match. A word every close candidate has decides nothing between them."""
        out = np.zeros(len(ids), dtype=np.float64)
        bm25 = self.index.fields.get(field_name) if field_name else None
        if bm25 is None or not query or not len(ids):
            return out
        found = [(bm25.vocab[t], w) for t, w in query.items() if t in bm25.vocab]
        if not found:
            return out
        cols = [j for j, _ in found]
        qw = np.asarray([w for _, w in found], dtype=np.float64)
        bound = float(np.dot(bm25.col_max[cols], qw))
        if bound <= 0:
            return out
        m = bm25.matrix
        rows = np.asarray(ids, dtype=np.int64)
        sub = (m[rows][:, cols] if m.format == "csr" else m[:, cols][rows]).toarray()
        present = sub > 0
        top = min(CONTRAST_TOP, len(rows))
        in_top = present[:top].sum(axis=0)
        others = np.broadcast_to(in_top, present.shape).copy()
        others[:top] -= present[:top]
        out[:] = (sub * qw * (others == 0)).sum(axis=1) / bound
        return out

    def reranking(self) -> bool:
        return self.fusion.rerank is not None and "rerank" not in self.config.ablate

    def threshold(self, lang: str) -> float:
        return self.fusion.threshold(lang, self.config.threshold)

    def search(self, text: str, lang: str = "vi", k: int = 5, multilingual: bool = True) -> SearchResult:
        """``multilingual=False``: without the multilingual encoder, which finds a nearest
        description for any sentence ("I live in Da Nang" is near residence registration);
        the words alone say whether anything but a place was asked."""
        n = len(self.index.procedures)
        if n == 0 or not text.strip():
            return SearchResult([], True, threshold=self.threshold(lang))
        cand = self.candidates(text, lang, max(k * 4, 30), multilingual)
        question = cand.question
        procs = self.index.procedures
        hits = []
        # The first stage's calibrated probability at each rank (its logits are sorted).
        probs = [self.fusion.calibrated(float(z), question) for z in cand.logits[:k]]
        order = list(range(len(probs)))
        rr = self.fusion.rerank
        if rr is not None and self.reranking():
            # The reranker decides the order of its candidates; the confidence at each rank
            # stays the first stage's (abstention thresholds and the dialogue's margins
            # between siblings are set on that scale). Past its depth the order stands.
            z = rr.logits(self.rerank_features(cand, lang))
            order = [int(j) for j in np.argsort(-z, kind="stable")] + list(range(len(z), len(cand.ids)))
        scored = list(zip(order, probs))
        for j, score in scored[:k]:
            x = cand.row(j)
            hits.append(Hit(procs[cand.ids[j]], round(score, 4), x["name"], x["dense"], x))
        threshold = self.threshold(lang)
        # "lệ phí bao nhiêu?" asks an aspect (fee, time, where) of no procedure in
        # particular: whatever matches "lệ phí" is not what the citizen means (the
        # assistant reads it as a follow-up, or asks).
        abstained = (
            not hits or hits[0].score < threshold or not self._has_subject(text, lang, cand.sig.expansion)
        )
        return SearchResult(
            hits,
            abstained,
            cand.sig.expansion.concept_ids,
            cand.sig.pivot,
            cand.coverage,
            threshold,
            tuple(cand.sig.expansion.vi_terms),
        )

    def _specific(self, expansion: Expansion) -> bool:
        for cid in expansion.concept_ids:
            if cid in ASPECT_CONCEPTS:
                continue
            concept = self.terminology.get(cid)
            if concept is not None and not concept.source.endswith(GENERIC_FILES):
                return True
        return False

    def _has_subject(self, text: str, lang: str, expansion: Expansion) -> bool:
        """Does the question say anything beyond function words and aspect words?"""
        text = unicodedata.normalize("NFC", text)
        aspect = [(m.start, m.end) for m in expansion.concepts if m.concept_id in ASPECT_CONCEPTS]

        def in_aspect(a: int, b: int) -> bool:
            return any(s <= a and b <= e for s, e in aspect)

        stop = _STOP.get(lang, _STOP["vi-x"])
        for m in _TOKEN.finditer(text):
            tok = m.group(0)
            if is_cjk(tok[0]):
                if any(
                    ch not in _CJK_FUNCTION and not in_aspect(m.start() + i, m.start() + i + 1)
                    for i, ch in enumerate(tok)
                ):
                    return True
                continue
            folded = fold(tok)
            if folded in stop or folded.isdigit() or len(folded) < 2:
                continue
            if not in_aspect(m.start(), m.end()):
                return True
        return False

    def _coverage(self, text: str, lang: str, expansion: Expansion, top: Procedure | None) -> float:
        """Share of the question's content that the terminology or the top record explains."""
        text = unicodedata.normalize("NFC", text)
        spans = [(m.start, m.end) for m in expansion.concepts]

        def spanned(a: int, b: int) -> bool:
            return any(s <= a and b <= e for s, e in spans)

        top_words: frozenset[str] = frozenset()
        if top is not None:
            top_words = self._record_words(top)
        total = covered = 0.0
        for m in _TOKEN.finditer(text):
            tok = m.group(0)
            if is_cjk(tok[0]):
                for i, ch in enumerate(tok):
                    if ch in _CJK_FUNCTION:
                        continue
                    total += 1
                    covered += spanned(m.start() + i, m.start() + i + 1)
                continue
            folded = fold(tok)
            if (
                folded in _STOP.get(lang, _STOP["vi-x"])
                or folded.isdigit()
                or len(folded) < 2
                and lang not in ("vi", "vi-x")
            ):
                continue
            total += 1
            if spanned(m.start(), m.end()) or folded in top_words:
                covered += 1
        return 1.0 if total == 0 else covered / total

    def _record_words(self, proc: Procedure) -> frozenset[str]:
        words_ = self._record_cache.get(proc.code)
        if words_ is None:
            words_ = frozenset(fold(" ".join((proc.name, proc.field, " ".join(proc.aliases)))).split())
            self._record_cache[proc.code] = words_
        return words_
