"""The learned fusion: field signals, fitting, calibration, thresholds, and the data file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from knowledge.fusion import (
    CALIBRATION,
    FEATURES,
    FUSION_FILE,
    Example,
    FusionModel,
    fit,
    fit_calibration,
    fit_threshold,
    group_of,
)
from knowledge.index import FIELD_TEXTS, field_text
from knowledge.models import Document, LegalBasis, Procedure


def _example(qid: str, good: dict[str, float], bad: list[dict[str, float]]) -> Example:
    rows = [good, *bad]
    x = np.asarray([[r.get(f, 0.0) for f in FEATURES] for r in rows])
    y = np.asarray([1.0] + [0.0] * len(bad))
    return Example(qid, "vi", x, y, [f"c{i}" for i in range(len(rows))])


def test_fit_learns_which_signal_tells_the_right_candidate():
    rng = np.random.default_rng(1)
    examples = []
    for q in range(60):
        # "documents" decides; "steps" is noise the model must not trust.
        good = {"documents": 0.6 + 0.4 * rng.random(), "steps": rng.random()}
        bad = [{"documents": 0.5 * rng.random(), "steps": rng.random()} for _ in range(8)]
        examples.append(_example(f"q{q}", good, bad))
    model = fit(examples)
    assert model.weights["documents"] > 2.0
    assert abs(model.weights["steps"]) < model.weights["documents"] / 4
    # The fitted model ranks held-out candidates by the deciding signal.
    assert model.logit({"documents": 0.9}) > model.logit({"documents": 0.1, "steps": 1.0})


def test_fit_refuses_when_no_question_has_its_answer_among_candidates():
    x = np.zeros((3, len(FEATURES)))
    with pytest.raises(ValueError, match="candidates"):
        fit([Example("q", "vi", x, np.zeros(3), ["a", "b", "c"])])


def test_threshold_balances_right_and_wrong_answers():
    scores = [0.9, 0.8, 0.7, 0.4, 0.3, 0.2]
    correct = [1.0, 1.0, 1.0, -1.0, -1.0, 1.0]
    t = fit_threshold(scores, correct)
    assert 0.4 < t < 0.7  # answer the three sure ones, abstain below
    assert fit_threshold([0.5, 0.4], [-1.0, -1.0]) == 1.0  # never right: always abstain


def test_calibration_lowers_confidence_of_questions_nobody_understood():
    rows = []
    for i in range(40):
        z = 2.0 + (i % 5) * 0.1
        # Same ranking logit; only the share of words understood tells right from wrong.
        rows.append((z, {"coverage": 1.0, "specific": 1.0, "foreign": 0.0}, True))
        rows.append((z, {"coverage": 0.2, "specific": 1.0, "foreign": 0.0}, False))
    cal, bias = fit_calibration(rows)
    assert set(cal) <= set(CALIBRATION) and cal["logit"] > 0
    model = FusionModel({"name": 1.0}, 0.0, calibration=cal, calibration_bias=bias)
    sure = model.probability({"name": 2.0}, {"coverage": 1.0, "specific": 1.0, "foreign": 0.0})
    unsure = model.probability({"name": 2.0}, {"coverage": 0.2, "specific": 1.0, "foreign": 0.0})
    assert sure > 0.7 > 0.3 > unsure


def test_model_round_trips_and_rejects_unknown_signals(tmp_path):
    model = FusionModel({"name": 2.0, "dense": 1.5}, -3.0, {"vi": 0.4, "other": 0.5}, {"fitted": True})
    path = tmp_path / "fusion.json"
    model.save(path)
    again = FusionModel.load(path)
    assert again.weights["name"] == 2.0 and again.threshold("fr", 0.3) == 0.5
    assert again.threshold("vi-x", 0.3) == 0.3  # a group without its own threshold takes the fallback
    data = json.loads(path.read_text(encoding="utf-8"))
    data["weights"]["popularity"] = 1.0
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="popularity"):
        FusionModel.load(path)
    assert FusionModel.load(tmp_path / "missing.json").info == {"fitted": False}


def test_shipped_weights_are_fitted_and_use_every_field():
    model = FusionModel.load(FUSION_FILE)
    assert model.info.get("fitted") is True and model.info["procedure_questions"] >= 200
    assert set(model.thresholds) == {"vi", "vi-x", "en", "other"}
    assert all(0.0 < t <= 1.0 for t in model.thresholds.values())
    # Name and dense are the strongest evidence; the other fields were given a weight too.
    assert model.weights["name"] > 0 and model.weights["dense"] > 0
    assert sum(1 for f in ("documents", "conditions", "steps", "result", "agencies") if model.weights[f]) >= 3


def test_group_of_languages():
    assert [group_of(x) for x in ("vi", "vi-x", "en", "fr", "zh", "ja")] == [
        "vi",
        "vi-x",
        "en",
        "other",
        "other",
        "other",
    ]


def test_every_field_of_a_record_has_its_own_text():
    proc = Procedure(
        code="9.999999",
        name="Cấp giấy phép kinh doanh karaoke",
        field="Văn hóa",
        implementing_agency="Ủy ban nhân dân xã",
        applicants=["Hộ kinh doanh"],
        documents=[Document("Đơn đề nghị cấp giấy phép")],
        steps=["Nộp hồ sơ tại bộ phận một cửa"],
        conditions="Phòng hát có diện tích từ 20 m2",
        result="Giấy phép đủ điều kiện kinh doanh",
        legal_bases=[LegalBasis("Nghị định 54/2019/NĐ-CP", "54/2019/NĐ-CP")],
        descriptions={"vi": "mở quán hát karaoke", "en": "open a karaoke bar"},
    )
    texts = {f: field_text(f, proc) for f in FIELD_TEXTS}
    assert texts["desc_vi"] == "mở quán hát karaoke" and texts["desc_en"] == "open a karaoke bar"
    assert "Đơn đề nghị" in texts["documents"] and "20 m2" in texts["conditions"]
    assert "54/2019" in texts["legal"] and texts["agencies"].startswith("Ủy ban")
    assert texts["applicants"] == "Hộ kinh doanh" and texts["field"] == "Văn hóa"
    # A record without descriptions still indexes (empty text, no error).
    assert field_text("desc_en", Procedure(code="1", name="x")) == ""


def test_search_reports_each_signal_and_the_threshold_of_its_language(sample_runtime):
    searcher = sample_runtime.searcher
    result = searcher.search("Thủ tục đăng ký kết hôn", "vi")
    top = result.top
    assert top is not None and "kết hôn" in top.procedure.name.lower()
    assert set(FEATURES) <= set(top.signals) and top.signals["name"] > 0.5
    assert result.threshold == searcher.fusion.threshold("vi", searcher.config.threshold)
    en = searcher.search("How do I register my marriage?", "en")
    assert en.threshold == searcher.fusion.threshold("en", searcher.config.threshold)


def test_ablation_switches_a_signal_off(sample_runtime):
    from dataclasses import replace

    from knowledge.search import Searcher

    base = sample_runtime.searcher
    cfg = replace(base.config, ablate=frozenset({"name", "dense"}))
    ablated = Searcher(base.index, base.encoder, base.terminology, cfg, base.fusion)
    hits = ablated.search("Thủ tục đăng ký kết hôn", "vi").hits
    assert hits and all(h.signals["name"] == 0.0 and h.signals["dense"] == 0.0 for h in hits)
    assert hits[0].score < base.search("Thủ tục đăng ký kết hôn", "vi").hits[0].score


def test_a_question_about_an_aspect_only_names_no_procedure(sample_runtime):
    searcher = sample_runtime.searcher
    for text, lang in (("lệ phí bao nhiêu?", "vi"), ("mat bao lau", "vi-x"), ("how much is the fee?", "en")):
        assert searcher.search(text, lang).top is None, text
    assert searcher.search("Đăng ký kết hôn cần giấy tờ gì?", "vi").top is not None
