"""Hybrid procedure search: BM25 (+ terminology expansion) fused with dense similarity.

Scores are put on one 0..1 scale so a single threshold means the same thing for every
question: the lexical part is the share of the question's (expanded) terms matched by
the procedure, the dense part is cosine similarity rescaled from its useful range.
Below ``threshold`` the searcher abstains: the assistant then asks or hands off.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from knowledge.dense import Encoder
from knowledge.index import KnowledgeIndex
from knowledge.lexical import query_terms
from knowledge.models import Procedure
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
    lexical_weight: float = 0.62
    dense_weight: float = 0.38
    body_weight: float = 0.3
    expansion_weight: float = 0.8
    dense_floor: float = 0.25
    dense_ceiling: float = 0.8
    candidates: int = 100
    threshold: float = 0.32
    name_bonus: float = 0.12
    coverage_weight: float = 0.12
    coverage_floor: float = 0.5
    alias_prior: float = 0.03
    generic_factor_foreign: float = 0.6
    generic_factor_vi: float = 0.85


@dataclass(slots=True)
class Hit:
    procedure: Procedure
    score: float
    lexical: float
    dense: float


@dataclass(slots=True)
class SearchResult:
    hits: list[Hit]
    abstained: bool
    concepts: list[str] = field(default_factory=list)
    pivot: str = ""
    coverage: float = 1.0

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits and not self.abstained else None


# Concepts of this file are general vocabulary (actions, persons, documents), not fields.
GENERIC_FILE = "core.yml"
_TOKEN = re.compile(r"[^\W_]+")
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


def _name_words(name: str) -> frozenset[str]:
    """Folded syllables that distinguish a procedure name (qualifiers in brackets and
    function words removed)."""
    return frozenset(w for w in fold(_PAREN.sub(" ", name)).split() if w.isalnum() and w not in _NAME_STOP)


class Searcher:
    def __init__(
        self,
        index: KnowledgeIndex,
        encoder: Encoder | None,
        terminology: Terminology,
        config: SearchConfig | None = None,
    ) -> None:
        self.index = index
        self.encoder = encoder
        self.terminology = terminology
        self.config = config or SearchConfig()
        self._folded_names = [fold(p.name) for p in index.procedures]
        self._name_words = [_name_words(p.name) for p in index.procedures]
        self._record_cache: dict[str, frozenset[str]] = {}

    def _query(self, text: str, lang: str) -> tuple[dict[str, float], Expansion, str]:
        marks = has_vietnamese_marks(text)
        expansion = self.terminology.expand(text, lang, exclude=ASPECT_CONCEPTS)
        if lang in ("vi", "vi-x"):
            q = query_terms(text, has_marks=marks)
        else:
            # In a foreign question only the Vietnamese words the citizen typed (with
            # their marks) can meet the catalogue; ASCII words like "an" or "con" would
            # match Vietnamese syllables by accident.
            viet = " ".join(w for w in words(text) if has_vietnamese_marks(w))
            q = query_terms(viet, has_marks=True) if viet else {}
        w_exp = self.config.expansion_weight if lang in ("vi", "vi-x") else 1.0
        for term in expansion.vi_terms:
            for t, w in query_terms(term, has_marks=True).items():
                q[t] = max(q.get(t, 0.0), w * w_exp)
        if lang == "en":
            pivot = text
        else:
            pivot = " ; ".join(expansion.en_terms)
        return q, expansion, pivot

    def search(self, text: str, lang: str = "vi", k: int = 5) -> SearchResult:
        cfg = self.config
        n = len(self.index.procedures)
        if n == 0 or not text.strip():
            return SearchResult([], True)
        q, expansion, pivot = self._query(text, lang)
        qwords = {t[1:] for t in q if t.startswith("~") and "_" not in t}
        name_s, name_b = self.index.name_index.score(q)
        body_s, body_b = self.index.body_index.score(q)
        bound = name_b + cfg.body_weight * body_b
        lexical = (name_s + cfg.body_weight * body_s) / bound if bound > 0 else np.zeros(n, np.float32)
        dense = np.zeros(n, dtype=np.float32)
        if self.encoder is not None and pivot.strip():
            qv = self.encoder.encode_query(pivot)
            sims, ids = self.index.dense.search(qv, cfg.candidates)
            span = cfg.dense_ceiling - cfg.dense_floor
            dense[ids] = np.clip((sims - cfg.dense_floor) / span, 0.0, 1.0)
        fused = cfg.lexical_weight * lexical + cfg.dense_weight * dense
        want = min(max(k * 4, 20), n)
        # argpartition is linear in the catalogue size; a full sort would not be.
        top = np.argpartition(-fused, want - 1)[:want] if want < n else np.arange(n)
        qfold = " " + fold(text) + " "
        hits = []
        for i in top:
            score = float(fused[i])
            if score <= 0:
                continue
            # How much of the procedure's name the question covers: among "đăng ký khai
            # sinh" and "đăng ký khai sinh lưu động", a question that says nothing of
            # "lưu động" wants the first.
            words_i = self._name_words[i]
            if words_i:
                score += cfg.coverage_weight * len(words_i & qwords) / len(words_i)
            if self.index.procedures[i].aliases:
                score += cfg.alias_prior  # a procedure citizens commonly ask about
            name = self._folded_names[i].removeprefix("thu tuc ").strip()
            if len(name) >= 8 and f" {name} " in qfold:
                score += cfg.name_bonus
            hits.append(Hit(self.index.procedures[i], min(score, 1.0), float(lexical[i]), float(dense[i])))
        hits.sort(key=lambda h: -h.score)
        hits = hits[:k]
        coverage = self._coverage(text, lang, expansion, hits[0].procedure if hits else None)
        # Confidence falls with the share of the question nobody understood: "renew my
        # Netflix subscription" matches "renew" well and "Netflix subscription" not at all.
        factor = cfg.coverage_floor + (1.0 - cfg.coverage_floor) * coverage
        # A question whose only recognised words are general ones ("register", "abroad",
        # "renew") names no procedure: "register for the marathon" is not civil status.
        if not self._specific(expansion):
            factor *= cfg.generic_factor_vi if lang in ("vi", "vi-x") else cfg.generic_factor_foreign
        for h in hits:
            h.score = round(h.score * factor, 4)
        abstained = not hits or hits[0].score < cfg.threshold
        return SearchResult(hits, abstained, expansion.concept_ids, pivot, coverage)

    def _specific(self, expansion: Expansion) -> bool:
        for cid in expansion.concept_ids:
            if cid in ASPECT_CONCEPTS:
                continue
            concept = self.terminology.get(cid)
            if concept is not None and not concept.source.endswith(GENERIC_FILE):
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
