"""Fitting the fusion (knowledge/fusion.py) on labelled questions of the project's own.

``hotline fit-fusion`` runs this over ``eval/*.jsonl`` (never ``../shared/eval``, which is
how the method is judged). The steps: every question's signals over the whole catalogue;
a candidate list per question (the current fusion's short list, widened by the best
candidates of single signals so a badly weighted signal can still prove itself); a
logistic regression; a second round with the fitted weights' short lists; then the
per-language thresholds from out-of-fold probabilities, so they are not set on the very
scores the weights were fitted to.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.fusion import FEATURES, GROUPS, Example, FusionModel, fit, fit_threshold, group_of
from knowledge.search import Searcher, Signals

log = logging.getLogger(__name__)

# Single signals whose own best candidates widen the list the fitter sees.
_WIDEN = ("name", "body", "dense", "term_name", "desc_vi", "desc_en", "documents", "result")


@dataclass(slots=True)
class Labelled:
    qid: str
    lang: str
    text: str
    codes: frozenset[str]  # empty for a question the catalogue must not answer


def read_labelled(paths: Iterable[Path]) -> list[Labelled]:
    """Procedure and out-of-scope questions of eval-format JSONL files."""
    out: list[Labelled] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            kind = rec.get("kind")
            if kind == "procedure" and rec.get("expect_codes"):
                out.append(Labelled(str(rec["id"]), rec["lang"], rec["text"], frozenset(rec["expect_codes"])))
            elif kind == "out_of_scope":
                out.append(Labelled(str(rec["id"]), rec["lang"], rec["text"], frozenset()))
    return out


def _candidates(searcher: Searcher, sig: Signals, want: int, widen: int) -> list[int]:
    ids = [int(i) for i in searcher.shortlist(sig, want)]
    seen = set(ids)
    for name in _WIDEN:
        row = sig.vectors[FEATURES.index(name)]
        if not row.any():
            continue
        for i in np.argsort(-row)[:widen]:
            if row[i] > 0 and int(i) not in seen:
                seen.add(int(i))
                ids.append(int(i))
    return ids


def collect(
    searcher: Searcher, items: Sequence[Labelled], signals: dict[str, Signals], want: int = 40, widen: int = 10
) -> list[tuple[Labelled, Example]]:
    procs = searcher.index.procedures
    out = []
    for item in items:
        sig = signals[item.qid]
        ids = _candidates(searcher, sig, want, widen)
        best = procs[ids[0]] if ids else None
        coverage = searcher._coverage(item.text, item.lang, sig.expansion, best)
        rows = [searcher.candidate_features(sig, i, coverage) for i in ids]
        x = np.asarray([[r[f] for f in FEATURES] for r in rows], dtype=np.float64).reshape(len(rows), len(FEATURES))
        y = np.asarray([1.0 if procs[i].code in item.codes else 0.0 for i in ids])
        out.append((item, Example(item.qid, item.lang, x, y, [procs[i].code for i in ids])))
    return out


def _top(model: FusionModel, ex: Example) -> tuple[float, bool]:
    if not len(ex.labels):
        return 0.0, False
    w = np.asarray([model.weights.get(f, 0.0) for f in FEATURES])
    z = ex.features @ w + model.bias
    j = int(np.argmax(z))
    return float(1.0 / (1.0 + np.exp(-z[j]))), bool(ex.labels[j] > 0)


def fit_fusion(
    searcher: Searcher, items: Sequence[Labelled], folds: int = 5, c: float = 1.0, rounds: int = 2
) -> tuple[FusionModel, dict[str, Any]]:
    """Fit weights and thresholds; the searcher keeps the fitted model afterwards."""
    started = time.perf_counter()
    signals = {it.qid: searcher.signals(it.text, it.lang) for it in items}
    model = searcher.fusion
    data: list[tuple[Labelled, Example]] = []
    for _ in range(rounds):
        data = collect(searcher, items, signals)
        model = fit([ex for it, ex in data if it.codes], c=c)
        searcher.fusion = model
        searcher._set_weights()
    # Out-of-fold top probabilities for the thresholds.
    rng = np.random.default_rng(0)
    fold_of = {it.qid: int(rng.integers(folds)) for it, _ in data}
    per_group: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for f in range(folds):
        train = [ex for it, ex in data if it.codes and fold_of[it.qid] != f]
        fold_model = fit(train, c=c)
        for it, ex in data:
            if fold_of[it.qid] == f:
                score, ok = _top(fold_model, ex)
                per_group[group_of(it.lang)].append((score, ok and bool(it.codes)))
    everything = [p for g in per_group.values() for p in g]
    default = fit_threshold([s for s, _ in everything], [ok for _, ok in everything])
    thresholds = {}
    for g in GROUPS:
        pairs = per_group.get(g, [])
        # A group with too few questions takes the overall threshold rather than noise.
        thresholds[g] = (
            fit_threshold([s for s, _ in pairs], [ok for _, ok in pairs]) if len(pairs) >= 15 else default
        )
    model.thresholds = thresholds
    reachable = sum(1 for it, ex in data if it.codes and ex.labels.any())
    report = {
        "questions": len(items),
        "procedure_questions": sum(1 for it in items if it.codes),
        "reachable": reachable,
        "per_group": {g: len(v) for g, v in per_group.items()},
        "seconds": round(time.perf_counter() - started, 1),
    }
    model.info.update(report)
    return model, report
