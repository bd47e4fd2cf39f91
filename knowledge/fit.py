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

from knowledge.fusion import (
    FEATURES,
    GROUPS,
    Example,
    FusionModel,
    fit,
    fit_calibration,
    fit_threshold,
    group_of,
)
from knowledge.rerank import DEPTH, RerankExample, RerankModel, fit_rerank
from knowledge.search import Searcher, Signals

log = logging.getLogger(__name__)

# Single signals whose own best candidates widen the list the fitter sees.
_WIDEN = ("name", "body", "dense", "term_name", "desc_vi", "desc_en", "ml_dense")


@dataclass(slots=True)
class Labelled:
    qid: str
    lang: str
    text: str
    codes: frozenset[str]  # empty for a question the catalogue must not answer
    weight: float = 1.0
    hand: bool = True  # written by a person (generated ones are easier: not used for thresholds)


# Questions that must not be answered with a procedure: out of scope, and questions about
# a place or an office (the assistant answers those itself when the search abstains).
NO_PROCEDURE_KINDS = frozenset({"out_of_scope", "place", "ambiguous_place", "centre"})
# Questions generated from names (generated.jsonl) teach less than hand-written ones.
GENERATED_WEIGHT = 0.3


def read_labelled(paths: Iterable[Path]) -> list[Labelled]:
    """Procedure questions, and those that must get none, of eval-format JSONL files."""
    out: list[Labelled] = []
    for path in paths:
        hand = not path.name.startswith("generated")
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            kind = rec.get("kind")
            # A record may say how much it counts ("weight", default 1): a set written about the
            # long tail is down-weighted so the many questions about popular procedures keep
            # their share, as among citizens' questions.
            weight = float(rec.get("weight", 1.0)) if hand else GENERATED_WEIGHT
            codes = frozenset(rec.get("expect_codes") or ())
            if kind == "procedure" and codes:
                out.append(Labelled(str(rec["id"]), rec["lang"], rec["text"], codes, weight, hand))
            elif kind in NO_PROCEDURE_KINDS:
                out.append(Labelled(str(rec["id"]), rec["lang"], rec["text"], frozenset(), weight, hand))
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
    searcher: Searcher,
    items: Sequence[Labelled],
    signals: dict[str, Signals],
    want: int = 40,
    widen: int = 10,
) -> list[tuple[Labelled, Example]]:
    procs = searcher.index.procedures
    out = []
    for item in items:
        sig = signals[item.qid]
        ids = _candidates(searcher, sig, want, widen)
        searcher.fill_secondary(sig, np.asarray(ids, dtype=np.int64))
        best = procs[ids[0]] if ids else None
        coverage = searcher._coverage(item.text, item.lang, sig.expansion, best)
        question = searcher.question_features(sig, coverage)
        rows = [searcher.candidate_features(sig, i) for i in ids]
        x = np.asarray([[r[f] for f in FEATURES] for r in rows], dtype=np.float64).reshape(
            len(rows), len(FEATURES)
        )
        y = np.asarray([1.0 if procs[i].code in item.codes else 0.0 for i in ids])
        out.append(
            (item, Example(item.qid, item.lang, x, y, [procs[i].code for i in ids], item.weight, question))
        )
    return out


# What an answer is worth for the thresholds: the right procedure first (+1), among the
# three listed (+0.5), none of them right (−0.5: the citizen still sees the list and the
# offer of staff), or any procedure asserted on a question that has none (−1: the
# worst answer, "Netflix" answered with a civil-status procedure).
GAIN_TOP, GAIN_LISTED, GAIN_WRONG, GAIN_OUT_OF_SCOPE = 1.0, 0.5, -0.5, -1.0
# How many questions a language group needs before its own threshold counts as much as
# the overall one.
THRESHOLD_SHRINK = 50.0


def _top_logit(model: FusionModel, ex: Example) -> tuple[float, bool, float]:
    """The top candidate's logit, whether it is right, and the gain of answering."""
    if not len(ex.labels):
        return -40.0, False, GAIN_WRONG
    w = np.asarray([model.weights.get(f, 0.0) for f in FEATURES])
    z = ex.features @ w + model.bias
    order = np.argsort(-z)[:3]
    ok = bool(ex.labels[order[0]] > 0)
    gain = GAIN_TOP if ok else GAIN_LISTED if any(ex.labels[j] > 0 for j in order) else GAIN_WRONG
    return float(z[order[0]]), ok, gain


def _calibrated(model: FusionModel, z: float, question: dict[str, float]) -> float:
    c = model.calibration
    v = model.calibration_bias + c.get("logit", 1.0) * z + sum(c.get(k, 0.0) * x for k, x in question.items())
    return float(1.0 / (1.0 + np.exp(-np.clip(v, -40, 40))))


def fit_fusion(
    searcher: Searcher,
    items: Sequence[Labelled],
    folds: int = 5,
    c: float = 1.0,
    rounds: int = 2,
    rerank: bool = True,
) -> tuple[FusionModel, dict[str, Any]]:
    """Fit weights, calibration and thresholds, then the reranker over the fitted fusion's
    short lists; the searcher keeps the fitted model."""
    started = time.perf_counter()
    signals = {it.qid: searcher.signals(it.text, it.lang) for it in items}
    model = searcher.fusion
    data: list[tuple[Labelled, Example]] = []
    for _ in range(rounds):
        data = collect(searcher, items, signals)
        model = fit([ex for it, ex in data if it.codes], c=c)
        searcher.fusion = model
        searcher._set_weights()
    # Out-of-fold ranking logits of the hand-written questions (generated ones are easier
    # and would make the model overconfident) feed the calibration and the thresholds.
    rng = np.random.default_rng(0)
    fold_of = {it.qid: int(rng.integers(folds)) for it, _ in data}
    oof: list[tuple[str, float, dict[str, float], bool, float]] = []
    for f in range(folds):
        fold_model = fit([ex for it, ex in data if it.codes and fold_of[it.qid] != f], c=c)
        for it, ex in data:
            if fold_of[it.qid] == f and it.hand:
                z, ok, gain = _top_logit(fold_model, ex)
                ok = ok and bool(it.codes)
                oof.append((group_of(it.lang), z, ex.question, ok, gain if it.codes else GAIN_OUT_OF_SCOPE))
    model.calibration, model.calibration_bias = fit_calibration([(z, q, ok) for _, z, q, ok, _ in oof])
    per_group: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for g, z, q, _, gain in oof:
        per_group[g].append((_calibrated(model, z, q), gain))
    model.thresholds, overall = _thresholds(per_group)
    reachable = sum(1 for it, ex in data if it.codes and ex.labels.any())
    report = {
        "thresholds_own_and_overall": {"overall": overall},
        "questions": len(items),
        "procedure_questions": sum(1 for it in items if it.codes),
        "reachable": reachable,
        "per_group": {g: len(v) for g, v in per_group.items()},
        "seconds": round(time.perf_counter() - started, 1),
    }
    model.info.update(report)
    if rerank:
        model.rerank = fit_reranker(searcher, items, folds)
        report["rerank"] = model.rerank.info
    return model, report


def _thresholds(per_group: dict[str, list[tuple[float, float]]]) -> tuple[dict[str, float], float]:
    """Per language group: the threshold that maximises the gain of the answers given."""
    everything = [p for g in per_group.values() for p in g]
    overall = fit_threshold([s for s, _ in everything], [ok for _, ok in everything])
    thresholds = {}
    for g in GROUPS:
        pairs = per_group.get(g, [])
        own = fit_threshold([s for s, _ in pairs], [ok for _, ok in pairs]) if pairs else overall
        # A group's own optimum over a few dozen questions is noisy: it is pulled towards
        # the overall one in proportion to how few questions the group has.
        share = len(pairs) / (len(pairs) + THRESHOLD_SHRINK)
        thresholds[g] = round(share * own + (1.0 - share) * overall, 4)
    return thresholds, overall


# Generated questions teach the reranker little that the hand-written ones do not (they
# match names word for word): a light prior only.
RERANK_GENERATED_WEIGHT = 0.1


def rerank_examples(searcher: Searcher, items: Sequence[Labelled]) -> list[RerankExample]:
    """Every question's first-stage candidates (as ``Searcher.search`` sees them) with the
    reranker's features and labels."""
    procs = searcher.index.procedures
    out = []
    for it in items:
        cand = searcher.candidates(it.text, it.lang, max(DEPTH, 30))
        x = searcher.rerank_features(cand, it.lang)
        y = np.asarray([1.0 if procs[i].code in it.codes else 0.0 for i in cand.ids[: len(x)]])
        weight = it.weight if it.hand else RERANK_GENERATED_WEIGHT
        out.append(RerankExample(it.qid, it.lang, x, y, weight, cand.question, bool(it.codes)))
    return out


def fit_reranker(
    searcher: Searcher, items: Sequence[Labelled], folds: int = 5, c: float = 1.0
) -> RerankModel:
    """The second stage over the fitted fusion's short lists. Its info reports the
    out-of-fold hit@1 of the hand-written questions against the first stage's order."""
    started = time.perf_counter()
    saved, searcher.fusion.rerank = searcher.fusion.rerank, None
    try:
        examples = rerank_examples(searcher, items)
    finally:
        searcher.fusion.rerank = saved
    model = fit_rerank(examples, c=c)
    rng = np.random.default_rng(0)
    fold_of = {ex.qid: int(rng.integers(folds)) for ex in examples}
    hits = np.zeros((2, 2))  # (first stage, reranked) x (hit@1, hit@3)
    answerable = [ex for ex in examples if ex.answerable and ex.weight > RERANK_GENERATED_WEIGHT]
    for f in range(folds):
        fold_model = fit_rerank([ex for ex in examples if fold_of[ex.qid] != f], c=c)
        for ex in answerable:
            if fold_of[ex.qid] == f and len(ex.labels):
                reranked = np.argsort(-fold_model.logits(ex.x), kind="stable")
                for row, order in enumerate((np.arange(len(ex.labels)), reranked)):
                    hits[row] += [ex.labels[order[0]] > 0, ex.labels[order[:3]].any()]
    hits /= max(len(answerable), 1)
    model.info.update(
        {
            "reachable": sum(1 for ex in answerable if ex.labels.any()),
            "hand_written": len(answerable),
            "oof_first_stage_hit1_hit3": [round(float(v), 4) for v in hits[0]],
            "oof_reranked_hit1_hit3": [round(float(v), 4) for v in hits[1]],
            "seconds": round(time.perf_counter() - started, 1),
        }
    )
    return model


def _windows(words_: list[str], rng: np.random.Generator) -> str:
    if len(words_) <= 5:
        return " ".join(words_)
    size = int(rng.integers(4, min(9, len(words_)) + 1))
    start = int(rng.integers(0, len(words_) - size + 1))
    return " ".join(words_[start : start + size])


def generate(
    procedures: Sequence[Any], terminology: Any, frames: dict[str, list[str]], n: int, seed: int = 1
) -> list[dict[str, Any]]:
    """Eval-format questions from catalogue names: a window of the name (vi), the same
    without marks (vi-x) and the English gloss (en), in question frames. Every procedure
    of the same name counts as right (the same procedure published at several levels)."""
    import re

    from knowledge.text import fold

    rng = np.random.default_rng(seed)
    by_name: dict[str, list[str]] = defaultdict(list)
    for p in procedures:
        by_name[fold(p.name)].append(p.code)
    order = rng.permutation(len(procedures))[:n]
    out: list[dict[str, Any]] = []
    paren = re.compile(r"\([^)]*\)")
    for k, i in enumerate(order):
        proc = procedures[int(i)]
        codes = sorted(by_name[fold(proc.name)])
        name = paren.sub(" ", proc.name)
        name = re.sub(r"^\s*thủ tục\s+", "", name, flags=re.IGNORECASE)
        window = _windows(name.split(), rng)
        frame = frames["vi"][int(rng.integers(len(frames["vi"])))]
        text = frame.format(x=window.lower())
        out.append(
            {"id": f"g{k:04d}v", "kind": "procedure", "lang": "vi", "text": text, "expect_codes": codes}
        )
        frame = frames["vi"][int(rng.integers(len(frames["vi"])))]
        text = fold(frame.format(x=_windows(name.split(), rng).lower()))
        out.append(
            {"id": f"g{k:04d}x", "kind": "procedure", "lang": "vi-x", "text": text, "expect_codes": codes}
        )
        gloss = terminology.gloss(proc.name)
        if len(gloss.split()) >= 3:
            frame = frames["en"][int(rng.integers(len(frames["en"])))]
            out.append(
                {
                    "id": f"g{k:04d}e",
                    "kind": "procedure",
                    "lang": "en",
                    "text": frame.format(x=gloss),
                    "expect_codes": codes,
                }
            )
    return out
