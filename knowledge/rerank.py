"""Second stage of the search: a learned reranker over the fusion's short list.

The fusion (knowledge/fusion.py) scores every candidate on its own: a linear model over
absolute signals. Among the twenty candidates it keeps, what separates the right one from
its neighbours is relative (this candidate matches the descriptions better than the
others do; it is the first stage's clear winner or one of five near-equals) and
non-linear (a strong name match matters less when the question is a long story). The
reranker sees each candidate's signals beside the best of the list, its rank and gap in
the first stage, what the catalogue says of it (how many levels publish the same name,
how long its name is) and the question's own signals, and gives a new ranking logit.

The model is a logistic regression over these features (standardised while fitting, the
scaling folded into the weights), fitted by ``hotline fit-fusion`` on the project's own
labelled sets after the fusion, and saved in ``knowledge/data/fusion.json`` beside it
(section ``rerank``). It decides the order only: the confidence at each rank stays the
fusion's calibrated probability, the scale the abstention thresholds and the dialogue's
margins between siblings are set on (a second calibration made the reranked top far more
confident than the first stage on place questions and split siblings the dialogue must
ask about). Gradient-
boosted trees over the same features were tried and ranked no better on dev2 while being
less stable from one fit to the next. Without the section the first stage's order stands.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from knowledge.fusion import FEATURES as FUSION_FEATURES
from knowledge.fusion import VECTOR_FEATURES
from knowledge.text import fold

log = logging.getLogger(__name__)

# How many of the fusion's candidates the reranker reorders: the right procedure is among
# the first stage's top 20 for nine questions in ten of the project's sets.
DEPTH = 20

# Signals whose value beside the list's best says more than the value itself.
RELATIVE: tuple[str, ...] = VECTOR_FEATURES + ("name_cover",)
FEATURES: tuple[str, ...] = (
    ("logit", "logit_gap", "rank")
    + tuple(VECTOR_FEATURES)
    + ("name_cover", "name_exact", "alias")
    + tuple(f"rel_{f}" for f in RELATIVE)
    + ("levels", "name_words", "same_name_rank")
    + ("contrast_name", "contrast_desc", "contrast_name_gap", "contrast_desc_gap")
    + ("coverage", "specific", "foreign", "length", "ml_best", "group_vi", "group_vix", "group_en")
)


_FUSED = {f: j for j, f in enumerate(FUSION_FEATURES)}


def catalogue_priors(names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per procedure: how many procedures share its name (the same procedure published at
    several levels is a common one) and the length of its name in syllables (a short name
    is the general case; "… trong trường hợp …" is a special one)."""
    folded = [fold(n) for n in names]
    counts = Counter(folded)
    levels = np.asarray([math.log1p(counts[f]) for f in folded], dtype=np.float32)
    lengths = np.asarray([min(len(f.split()), 60) / 60.0 for f in folded], dtype=np.float32)
    return levels, lengths


def feature_matrix(
    fused: np.ndarray,
    logits: np.ndarray,
    question: dict[str, float],
    group: str,
    levels: np.ndarray,
    lengths: np.ndarray,
    names: Sequence[str],
    contrast: np.ndarray | None = None,
) -> np.ndarray:
    """The reranker's features for one question's candidates (in the first stage's order).

    ``fused``: each candidate's fusion signals (a row of ``fusion.FEATURES``); ``logits``:
    its first-stage logit;
    ``levels``/``lengths``: its catalogue priors; ``names``: its folded name;
    ``contrast``: the share of the question only its name / its description says among the
    closest candidates (``Searcher._contrast``), one column each.
    """
    n = len(fused)
    x = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if not n:
        return x
    col = {f: i for i, f in enumerate(FEATURES)}
    best = float(np.max(logits))
    x[:, col["logit"]] = logits
    x[:, col["logit_gap"]] = logits - best
    x[:, col["rank"]] = np.arange(n, dtype=np.float32) / DEPTH
    for f in VECTOR_FEATURES + ("name_cover", "name_exact", "alias"):
        x[:, col[f]] = fused[:, _FUSED[f]]
    for f in RELATIVE:
        v = x[:, col[f]]
        top = float(v.max())
        x[:, col[f"rel_{f}"]] = v / top if top > 0 else 0.0
    x[:, col["levels"]] = levels
    x[:, col["name_words"]] = lengths
    # The first time a name appears in the list: its later copies are the same procedure
    # at other levels, which a question rarely decides.
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        seen.setdefault(name, i)
        x[i, col["same_name_rank"]] = float(seen[name] != i)
    if contrast is not None and len(contrast):
        for j, f in enumerate(("contrast_name", "contrast_desc")):
            x[:, col[f]] = contrast[:, j]
            x[:, col[f"{f}_gap"]] = contrast[:, j] - float(contrast[:, j].max())
    for k in ("coverage", "specific", "foreign", "length", "ml_best"):
        x[:, col[k]] = question.get(k, 0.0)
    x[:, col["group_vi"]] = group == "vi"
    x[:, col["group_vix"]] = group == "vi-x"
    x[:, col["group_en"]] = group == "en"
    return x


@dataclass(slots=True)
class RerankModel:
    weights: dict[str, float]
    bias: float
    info: dict[str, Any] = field(default_factory=dict)
    _w: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._w = np.asarray([self.weights.get(f, 0.0) for f in FEATURES], dtype=np.float64)

    def logits(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x @ self._w + self.bias, dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "weights": {k: round(float(self.weights.get(k, 0.0)), 5) for k in FEATURES},
            "bias": round(float(self.bias), 5),
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RerankModel:
        weights = {str(k): float(v) for k, v in (data.get("weights") or {}).items()}
        unknown = sorted(set(weights) - set(FEATURES))
        if unknown:
            raise ValueError(
                f"reranker weights name unknown features {unknown}; refit with `hotline fit-fusion`"
            )
        return cls(
            weights,
            float(data.get("bias", 0.0)),
            dict(data.get("info") or {}),
        )


@dataclass(slots=True)
class RerankExample:
    """One labelled question's candidates as the reranker sees them."""

    qid: str
    lang: str
    x: np.ndarray  # candidates x FEATURES
    labels: np.ndarray
    weight: float
    question: dict[str, float]
    answerable: bool


def fit_rerank(examples: Sequence[RerankExample], c: float = 1.0) -> RerankModel:
    """Logistic regression over the candidates of the questions whose right procedure is
    among them; each question weighs the same, its positives as much as its negatives."""
    from sklearn.linear_model import LogisticRegression

    xs, ys, ws = [], [], []
    for ex in examples:
        if not ex.answerable or not ex.labels.any() or ex.weight <= 0:
            continue
        n_pos = float(ex.labels.sum())
        n_neg = float(len(ex.labels) - n_pos) or 1.0
        xs.append(ex.x)
        ys.append(ex.labels)
        ws.append(ex.weight * np.where(ex.labels > 0, 1.0 / n_pos, 1.0 / n_neg))
    if not xs:
        raise ValueError("no labelled question has its procedure among the reranker's candidates")
    x = np.vstack(xs)
    y = np.concatenate(ys)
    w = np.concatenate(ws)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit((x - mean) / scale, y, sample_weight=w)
    coef = model.coef_[0] / scale
    bias = float(model.intercept_[0] - np.dot(coef, mean))
    weights = {name: float(v) for name, v in zip(FEATURES, coef)}
    return RerankModel(weights, bias, info={"fitted": True, "questions": len(xs), "depth": DEPTH})
