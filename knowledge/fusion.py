"""Learned fusion of the search signals, and the per-language abstention thresholds.

Every candidate procedure of a question is described by a few signals (the share of the
question matched in each field of the record, the same for the terminology's terms alone,
dense similarity, how much of the name the question covers, ...). A logistic regression,
fitted on labelled questions of the project's own (``eval/``), turns them into one
probability that the candidate is what the citizen asked for. That probability is
``Hit.score``: the same number ranks candidates, decides abstention (a threshold fitted
per language group) and tells the dialogue how sure the search is.

The weights live in ``knowledge/data/fusion.json`` (data, reviewable, refitted by
``hotline fit-fusion``); nothing here is hand-set except the fallback used when the
file is missing, which only keeps a bare checkout working.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from knowledge.rerank import RerankModel

log = logging.getLogger(__name__)

FUSION_FILE = Path(__file__).resolve().parent / "data" / "fusion.json"

# Signals computed for every procedure of the catalogue at once (one vector each).
VECTOR_FEATURES: tuple[str, ...] = (
    "name",
    "body",
    "desc_vi",
    "desc_en",
    "desc_own",  # the description in the question's own language, when it is fr/es/zh/ko/ja
    "documents",
    "conditions",
    "steps",
    "result",
    "applicants",
    "agencies",
    "legal",
    "field",
    "term_name",
    "term_body",
    "dense",
    # The multilingual encoder: the question against the description in its own language
    # (knowledge/multilingual.py; en, fr, es, zh, ko, ja questions).
    "ml_dense",
    "ml_top",
    "ml_short",
)
# Signals computed for the short list only (they look at the candidate's words).
CANDIDATE_FEATURES: tuple[str, ...] = ("name_cover", "name_exact", "alias")
# A foreign question reaches the catalogue only through the terminology and the encoder:
# its signals deserve their own weights. The encoder is English, and so is the description
# field desc_en: for an English question they read the citizen's own words, not a pivot of
# translated terms, and deserve more than for the other languages.
INTERACTIONS: tuple[str, ...] = ("foreign_dense", "foreign_name", "english_dense", "english_desc")
FEATURES: tuple[str, ...] = VECTOR_FEATURES + CANDIDATE_FEATURES + INTERACTIONS
# The calibration turns a candidate's ranking logit into a probability with signals of the
# question as a whole: they do not reorder candidates, they move the confidence (a question
# half made of words nobody knows, or naming nothing specific, is less likely answered).
CALIBRATION: tuple[str, ...] = ("logit", "coverage", "specific", "foreign", "length", "ml_best")

# Language groups of the thresholds: the targets are per group, and the signals a
# foreign question has (terminology + dense only) are weaker than a Vietnamese one's.
GROUPS = ("vi", "vi-x", "en", "other")


def group_of(lang: str) -> str:
    return lang if lang in ("vi", "vi-x", "en") else "other"


@dataclass(slots=True)
class FusionModel:
    weights: dict[str, float]
    bias: float
    thresholds: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    calibration: dict[str, float] = field(default_factory=lambda: {"logit": 1.0})
    calibration_bias: float = 0.0
    # The second stage (knowledge/rerank.py): when present, its logit orders the short list.
    rerank: RerankModel | None = None

    def vector(self, names: Sequence[str]) -> np.ndarray:
        return np.asarray([self.weights.get(n, 0.0) for n in names], dtype=np.float32)

    def logit(self, x: dict[str, float]) -> float:
        return self.bias + sum(self.weights.get(k, 0.0) * v for k, v in x.items())

    def probability(self, x: dict[str, float], question: dict[str, float]) -> float:
        """``x``: the candidate's signals; ``question``: coverage, specific, foreign."""
        return self.calibrated(self.logit(x), question)

    def calibrated(self, logit: float, question: dict[str, float]) -> float:
        """The probability of a candidate of ranking logit ``logit``."""
        c = self.calibration
        z = self.calibration_bias + c.get("logit", 1.0) * logit
        z += sum(c.get(k, 0.0) * v for k, v in question.items())
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def threshold(self, lang: str, default: float) -> float:
        return float(self.thresholds.get(group_of(lang), default))

    def to_dict(self) -> dict[str, Any]:
        out = {
            "features": list(FEATURES),
            "weights": {k: round(float(self.weights.get(k, 0.0)), 5) for k in FEATURES},
            "bias": round(float(self.bias), 5),
            "calibration": {k: round(float(self.calibration.get(k, 0.0)), 5) for k in CALIBRATION},
            "calibration_bias": round(float(self.calibration_bias), 5),
            "thresholds": {k: round(float(v), 4) for k, v in self.thresholds.items()},
            "info": self.info,
        }
        if self.rerank is not None:
            out["rerank"] = self.rerank.to_dict()
        return out

    def save(self, path: Path = FUSION_FILE) -> None:
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FusionModel:
        weights = {str(k): float(v) for k, v in (data.get("weights") or {}).items()}
        unknown = sorted(set(weights) - set(FEATURES))
        if unknown:
            raise ValueError(
                f"fusion weights name unknown signals {unknown}; refit with `hotline fit-fusion`"
            )
        thresholds = {str(k): float(v) for k, v in (data.get("thresholds") or {}).items()}
        calibration = {str(k): float(v) for k, v in (data.get("calibration") or {"logit": 1.0}).items()}
        rerank = None
        if data.get("rerank"):
            from knowledge.rerank import RerankModel

            rerank = RerankModel.from_dict(data["rerank"])
        return cls(
            weights,
            float(data.get("bias", 0.0)),
            thresholds,
            dict(data.get("info") or {}),
            calibration,
            float(data.get("calibration_bias", 0.0)),
            rerank,
        )

    @classmethod
    def load(cls, path: Path = FUSION_FILE) -> FusionModel:
        if not path.is_file():
            log.warning("no fitted fusion weights at %s; using the unfitted fallback", path)
            return cls.fallback()
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def fallback(cls) -> FusionModel:
        """Equal-ish weights so a checkout without the data file still ranks sensibly."""
        weights = {f: 1.0 for f in VECTOR_FEATURES}
        weights.update(name=4.0, dense=2.0, name_cover=1.0)
        return cls(weights, -4.0, {}, {"fitted": False}, {"logit": 1.0, "coverage": 2.0}, -1.0)


@dataclass(slots=True)
class Example:
    """One labelled question, as the fitter sees it: its candidates' signals."""

    qid: str
    lang: str
    features: np.ndarray  # candidates x FEATURES
    labels: np.ndarray  # 1 where the candidate is an expected procedure
    codes: list[str]
    weight: float = 1.0  # generated questions count less than hand-written ones
    question: dict[str, float] = field(default_factory=dict)  # coverage, specific, foreign


def fit(examples: Sequence[Example], c: float = 1.0, seed: int = 0) -> FusionModel:
    """Logistic regression over every candidate of every question.

    Each question weighs the same whatever its number of candidates (sample weights), so
    questions with long candidate lists do not dominate; positives are up-weighted to the
    negatives' total per question, so the model learns to rank, not to say "no" always.
    """
    from sklearn.linear_model import LogisticRegression

    xs, ys, ws = [], [], []
    for ex in examples:
        if not ex.labels.any():
            continue  # the right procedure is not among the candidates: nothing to learn
        n_pos = float(ex.labels.sum())
        n_neg = float(len(ex.labels) - n_pos) or 1.0
        xs.append(ex.features)
        ys.append(ex.labels)
        ws.append(ex.weight * np.where(ex.labels > 0, 1.0 / n_pos, 1.0 / n_neg))
    if not xs:
        raise ValueError("no labelled question has its procedure among the candidates")
    x = np.vstack(xs)
    y = np.concatenate(ys)
    w = np.concatenate(ws)
    model = LogisticRegression(C=c, max_iter=2000, random_state=seed)
    model.fit(x, y, sample_weight=w)
    weights = {name: float(v) for name, v in zip(FEATURES, model.coef_[0])}
    return FusionModel(weights, float(model.intercept_[0]), {}, {"fitted": True, "questions": len(xs)})


def fit_calibration(
    rows: Sequence[tuple[float, dict[str, float], bool]], c: float = 1.0
) -> tuple[dict[str, float], float]:
    """Platt scaling of the top candidate's logit, with the question's own signals.

    ``rows``: (ranking logit of the question's top candidate, its question signals, whether
    that candidate is right). Out-of-scope questions are rows whose answer is never right.
    """
    from sklearn.linear_model import LogisticRegression

    x = np.asarray([[z, *(q.get(k, 0.0) for k in CALIBRATION[1:])] for z, q, _ in rows], dtype=np.float64)
    y = np.asarray([1 if ok else 0 for _, _, ok in rows])
    if len(set(y.tolist())) < 2:
        return {"logit": 1.0}, 0.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(x, y)
    coef = model.coef_[0]
    # The logit's coefficient must stay positive or the calibration would reverse the ranking.
    cal = {"logit": max(float(coef[0]), 1e-3)}
    cal.update({k: float(v) for k, v in zip(CALIBRATION[1:], coef[1:])})
    return cal, float(model.intercept_[0])


def fit_threshold(top_scores: Sequence[float], gains: Sequence[float], floor: float = 0.05) -> float:
    """The abstention threshold that maximises the summed gain of the answers given.

    ``gains``: what answering each question is worth: 1 when the top procedure is right,
    less when the right one is only among the others listed, −1 when none is (or the
    question has no procedure at all). Below the threshold the assistant offers its
    candidates as options and staff, which is never a dead end, so abstaining is worth 0.
    """
    pairs = sorted(zip(top_scores, gains), key=lambda p: -p[0])
    best_t, best_u, u = 1.0, 0.0, 0.0
    for i, (score, gain) in enumerate(pairs):
        u += float(gain)
        nxt = pairs[i + 1][0] if i + 1 < len(pairs) else 0.0
        if u > best_u and score > nxt:
            best_u, best_t = u, (score + nxt) / 2
    return max(floor, round(best_t, 4))
