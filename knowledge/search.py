"""Hybrid procedure search: BM25 (+ terminology expansion) fused with dense similarity.

Scores are put on one 0..1 scale so a single threshold means the same thing for every
question: the lexical part is the share of the question's (expanded) terms matched by
the procedure, the dense part is cosine similarity rescaled from its useful range.
Below ``threshold`` the searcher abstains: the assistant then asks or hands off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from knowledge.dense import Encoder
from knowledge.index import KnowledgeIndex
from knowledge.lexical import query_terms
from knowledge.models import Procedure
from knowledge.terminology import Terminology
from knowledge.text import fold, has_vietnamese_marks, words

log = logging.getLogger(__name__)

# Words of the question that carry no procedure meaning in the catalogue's own language.
_VI_QUESTION_WORDS = {
    "thu tuc", "thủ tục", "như thế nào", "the nao", "thế nào", "ở đâu", "o dau", "bao nhiêu",
    "bao nhieu", "làm sao", "lam sao", "gì", "gi", "tôi", "toi", "muốn", "muon", "cần", "can",
}


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

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits and not self.abstained else None


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

    def _query(self, text: str, lang: str) -> tuple[dict[str, float], list[str], str]:
        marks = has_vietnamese_marks(text)
        expansion = self.terminology.expand(text, lang)
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
        return q, expansion.concepts, pivot

    def search(self, text: str, lang: str = "vi", k: int = 5) -> SearchResult:
        cfg = self.config
        n = len(self.index.procedures)
        if n == 0 or not text.strip():
            return SearchResult([], True)
        q, concepts, pivot = self._query(text, lang)
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
        top = np.argsort(-fused)[: max(k * 4, 20)]
        qfold = " " + fold(text) + " "
        hits = []
        for i in top:
            score = float(fused[i])
            if score <= 0:
                continue
            name = self._folded_names[i].removeprefix("thu tuc ").strip()
            if len(name) >= 8 and f" {name} " in qfold:
                score += cfg.name_bonus
            hits.append(Hit(self.index.procedures[i], min(score, 1.0), float(lexical[i]), float(dense[i])))
        hits.sort(key=lambda h: -h.score)
        hits = hits[:k]
        abstained = not hits or hits[0].score < cfg.threshold
        return SearchResult(hits, abstained, concepts, pivot)
