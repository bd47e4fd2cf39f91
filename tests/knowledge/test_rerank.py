"""The second stage: features over the short list, fitting, the shipped model, search with it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from knowledge.fusion import FEATURES as FUSION_FEATURES
from knowledge.fusion import FUSION_FILE, FusionModel
from knowledge.rerank import (
    DEPTH,
    FEATURES,
    RerankExample,
    RerankModel,
    catalogue_priors,
    feature_matrix,
    fit_rerank,
)
from knowledge.search import Searcher

COL = {f: i for i, f in enumerate(FEATURES)}


def _features(rows, logits, names=None, group="vi"):  # type: ignore[no-untyped-def]
    n = len(rows)
    names = names or [f"thu tuc {i}" for i in range(n)]
    fused = np.asarray([[r.get(f, 0.0) for f in FUSION_FEATURES] for r in rows], dtype=np.float64)
    return feature_matrix(
        fused,
        np.asarray(logits, dtype=np.float64),
        {"coverage": 0.8, "specific": 1.0, "foreign": 0.0, "length": 0.3},
        group,
        np.zeros(n, np.float32),
        np.zeros(n, np.float32),
        names,
    )


def test_features_put_each_candidate_beside_the_best_of_its_list():
    rows = [{"desc_vi": 0.2, "name": 0.9}, {"desc_vi": 0.4, "name": 0.3}, {"desc_vi": 0.0, "name": 0.0}]
    x = _features(rows, [3.0, 2.5, 1.0], names=["a", "b", "a"], group="vi-x")
    assert x[:, COL["rel_desc_vi"]].tolist() == pytest.approx([0.5, 1.0, 0.0])
    assert x[:, COL["rel_name"]].tolist() == pytest.approx([1.0, 1 / 3, 0.0])
    assert x[:, COL["logit_gap"]].tolist() == pytest.approx([0.0, -0.5, -2.0])
    assert x[:, COL["rank"]].tolist() == pytest.approx([0.0, 1 / DEPTH, 2 / DEPTH])
    # The third repeats the first one's name: the same procedure published at another level.
    assert x[:, COL["same_name_rank"]].tolist() == [0.0, 0.0, 1.0]
    assert x[0, COL["group_vix"]] == 1.0 and x[0, COL["group_vi"]] == 0.0 and x[0, COL["coverage"]] == 0.8


def test_catalogue_priors_count_levels_and_name_length():
    levels, lengths = catalogue_priors(["Cấp lại hộ chiếu", "Cấp lại hộ chiếu", "Đăng ký khai sinh lưu động"])
    assert levels[0] == levels[1] > levels[2]
    assert lengths[2] > lengths[0]


def _synthetic(n_questions: int, seed: int) -> list[RerankExample]:
    """The right candidate has the best description match of its list, but the lists'
    levels differ so much that the absolute value alone does not tell it."""
    rng = np.random.default_rng(seed)
    out = []
    for q in range(n_questions):
        level = rng.uniform(0.1, 1.0)
        k = 10
        desc = rng.uniform(0.0, 0.7, k) * level
        right = int(rng.integers(k))
        desc[right] = level
        logits = rng.normal(0.0, 1.0, k)  # the first stage does not know
        order = np.argsort(-logits)
        rows = [{"desc_vi": float(desc[i])} for i in order]
        x = _features(rows, logits[order])
        y = np.asarray([1.0 if i == right else 0.0 for i in order])
        out.append(RerankExample(f"q{q}", "vi", x, y, 1.0, {}, True))
    return out


def test_fit_learns_the_relative_signal_and_ranks_held_out_questions():
    model = fit_rerank(_synthetic(80, 1))
    assert model.weights["rel_desc_vi"] > 0
    held_out = _synthetic(40, 2)
    hits = sum(int(ex.labels[int(np.argmax(model.logits(ex.x)))] > 0) for ex in held_out)
    assert hits >= 36  # the first stage's order alone would find about 4 of 40


def test_fit_refuses_without_any_reachable_question():
    x = np.zeros((3, len(FEATURES)))
    with pytest.raises(ValueError, match="candidates"):
        fit_rerank([RerankExample("q", "vi", x, np.zeros(3), 1.0, {}, True)])


def test_reranker_round_trips_inside_the_fusion_file_and_rejects_unknown_features(tmp_path):
    rr = RerankModel({"rel_desc_vi": 2.0, "rank": -1.0}, 0.5, {"fitted": True})
    model = FusionModel({"name": 1.0}, 0.0, {"vi": 0.3}, rerank=rr)
    path = tmp_path / "fusion.json"
    model.save(path)
    again = FusionModel.load(path)
    assert again.rerank is not None and again.rerank.weights["rel_desc_vi"] == 2.0
    # The fusion's thresholds still decide abstention.
    assert again.threshold("vi", 0.1) == 0.3 and again.threshold("ja", 0.1) == 0.1
    x = np.zeros((2, len(FEATURES)))
    x[0, COL["rel_desc_vi"]] = 1.0
    assert again.rerank.logits(x)[0] > again.rerank.logits(x)[1]
    data = model.to_dict()
    data["rerank"]["weights"]["popularity"] = 1.0
    with pytest.raises(ValueError, match="popularity"):
        FusionModel.from_dict(data)


def test_shipped_fusion_carries_a_fitted_reranker():
    rr = FusionModel.load(FUSION_FILE).rerank
    assert rr is not None and rr.info.get("fitted") is True and rr.info["hand_written"] >= 200
    # Out of fold, on the project's hand-written questions (mostly the popular procedures,
    # which the fusion already ranks well), it orders about as well as the fusion.
    first, reranked = rr.info["oof_first_stage_hit1_hit3"], rr.info["oof_reranked_hit1_hit3"]
    assert reranked[1] >= first[1] - 0.01 and reranked[0] >= first[0] - 0.02
    # The first stage's rank and the relative match of the descriptions both carry weight.
    assert rr.weights["rank"] < 0 and rr.weights["rel_desc_vi"] > 0


@pytest.mark.parametrize(
    ("text", "lang", "words"),
    [
        ("Thủ tục đăng ký kết hôn", "vi", "kết hôn"),
        ("làm lại căn cước bị mất", "vi", "căn cước"),
        ("I lost my citizen ID card, how do I get it reissued?", "en", "căn cước"),
    ],
)
def test_search_ranks_known_questions_with_the_reranker(sample_runtime, text, lang, words):
    searcher = sample_runtime.searcher
    assert searcher.reranking()
    result = searcher.search(text, lang, k=5)
    assert result.top is not None and words in result.top.procedure.name.lower()
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)
    assert result.threshold == searcher.fusion.thresholds[lang]


def test_switching_the_reranker_off_gives_the_first_stage(sample_runtime):
    base = sample_runtime.searcher
    cfg = replace(base.config, ablate=frozenset({"rerank"}))
    first = Searcher(base.index, base.encoder, base.terminology, cfg, base.fusion)
    assert not first.reranking()
    result = first.search("Thủ tục đăng ký kết hôn", "vi")
    assert result.threshold == base.fusion.thresholds["vi"]
    cand = first.candidates("Thủ tục đăng ký kết hôn", "vi", 30)
    assert [h.procedure.code for h in result.hits] == [base.index.procedures[i].code for i in cand.ids[:5]]


@pytest.mark.parametrize(
    ("text", "lang"),
    [("đăng ký kết hôn", "vi"), ("phuong an hai bac cu, gio trung tam hanh chinh o dau", "vi-x")],
)
def test_the_reranker_orders_and_the_first_stage_gives_the_confidence(sample_runtime, text, lang):
    """The dialogue's thresholds (a procedure clear enough to beat a place's office) and its
    margins between siblings are set on the fusion's calibrated scale: the reranker must
    not make a place question or a silent sibling choice look surer."""
    base = sample_runtime.searcher
    first = Searcher(
        base.index,
        base.encoder,
        base.terminology,
        replace(base.config, ablate=frozenset({"rerank"})),
        base.fusion,
    )
    reranked, plain = base.search(text, lang, k=5), first.search(text, lang, k=5)
    assert [h.score for h in reranked.hits] == [h.score for h in plain.hits]
    assert reranked.abstained == plain.abstained
    assert {h.procedure.code for h in reranked.hits} <= {
        base.index.procedures[i].code for i in first.candidates(text, lang, 30).ids[:DEPTH]
    }


def test_contrast_features_sit_beside_the_best_contrast_of_the_list():
    rows = [{"name": 0.9}, {"name": 0.8}, {"name": 0.1}]
    fused = np.asarray([[r.get(f, 0.0) for f in FUSION_FEATURES] for r in rows], dtype=np.float64)
    contrast = np.asarray([[0.0, 0.1], [0.3, 0.4], [0.0, 0.0]])
    x = feature_matrix(
        fused,
        np.asarray([2.0, 1.9, 0.5]),
        {"coverage": 1.0},
        "vi",
        np.zeros(3, np.float32),
        np.zeros(3, np.float32),
        ["a", "b", "c"],
        contrast,
    )
    assert x[:, COL["contrast_name"]].tolist() == pytest.approx([0.0, 0.3, 0.0])
    assert x[:, COL["contrast_desc_gap"]].tolist() == pytest.approx([-0.3, 0.0, -0.4])
    # Without contrast (an older caller) the columns stay 0: a reranker fitted without them
    # ranks as before.
    assert not _features(rows, [2.0, 1.9, 0.5])[:, COL["contrast_name"]].any()


def test_contrast_counts_only_the_words_that_tell_close_candidates_apart(sample_runtime):
    """Against "kết hôn", "kết hôn có yếu tố nước ngoài": the words both names share decide
    nothing; "yếu tố nước ngoài" belongs to the foreign variant alone (and to its border
    sibling too, so among all three it is "biên giới" that singles that one out)."""
    from knowledge.lexical import query_terms

    searcher = sample_runtime.searcher
    ids = {p.code: i for i, p in enumerate(searcher.index.procedures)}
    plain, foreign, border = ids["1.000894"], ids["2.000806"], ids["1.000094"]
    q = query_terms("đăng ký kết hôn có yếu tố nước ngoài", has_marks=True)
    pair = searcher._contrast("name", q, [plain, foreign])
    assert pair[0] == 0.0 and pair[1] > 0.1
    three = searcher._contrast("name", q, [plain, foreign, border])
    assert three[0] == 0.0 and three[1] < pair[1]
    q_border = query_terms("kết hôn với người nước ngoài ở khu vực biên giới", has_marks=True)
    assert searcher._contrast("name", q_border, [plain, foreign, border]).argmax() == 2
    # A question none of the field's words meet, or an unknown field: nothing to contrast.
    assert not searcher._contrast("name", {"~netflix": 1.0}, [plain, foreign]).any()
    assert not searcher._contrast("desc_xx", q, [plain, foreign]).any()
