"""Restoring the marks of Vietnamese typed without them: the model, its file, the search."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from knowledge.index import KnowledgeIndex
from knowledge.marks import MARKS_FILE, MarkModel
from knowledge.search import Searcher

TEXTS = [
    "Cấp lại thẻ căn cước khi bị mất",
    "Cấp đổi thẻ căn cước; căn cước công dân",
    "Đăng ký khai sinh cho trẻ em",
    "tôi cần hỏi thủ tục cấp lại",
    "bạn cần nộp hồ sơ ở đâu",
    "mua bán căn hộ chung cư",
    "Xe bị mất biển số",
]


@pytest.fixture(scope="module")
def model() -> MarkModel:
    return MarkModel.build(TEXTS, everyday=["tôi cần làm lại, bị mất"])


def test_the_likeliest_reading_of_each_word_in_its_context(model: MarkModel) -> None:
    assert model.restore("lam lai can cuoc bi mat") == "làm lại căn cước bị mất"
    # The same folded word, two readings: the neighbours decide.
    assert model.restore("toi can hoi") == "tôi cần hỏi"
    assert model.restore("mua can ho") == "mua căn hộ"


def test_words_it_does_not_know_or_already_marked_stay_as_typed(model: MarkModel) -> None:
    assert model.restore("xin chào Netflix can cuoc") == "xin chào netflix căn cước"
    assert model.restore("") == ""


def test_punctuation_starts_a_new_context(model: MarkModel) -> None:
    assert model.restore("bi mat, can cuoc?") == "bị mất , căn cước"


def test_a_text_without_marks_teaches_nothing() -> None:
    m = MarkModel.build(["can cuoc cong dan", "Căn cước"])
    assert "can" not in m.vocab and "căn" in m.vocab


def test_saved_and_loaded_unchanged(model: MarkModel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert MarkModel.load(tmp_path) is None  # an index built before the model existed
    model.save(tmp_path)
    again = MarkModel.load(tmp_path)
    assert again is not None
    assert again.vocab == model.vocab
    assert np.array_equal(again.pair_keys, model.pair_keys)
    assert again.restore("lam lai can cuoc bi mat") == model.restore("lam lai can cuoc bi mat")


def test_the_index_is_built_and_loaded_with_its_mark_model(sample_runtime, sample_settings) -> None:  # type: ignore[no-untyped-def]
    folder = sample_settings.index.path
    assert (folder / MARKS_FILE).is_file()
    index = KnowledgeIndex.load(folder)
    assert index.marks is not None
    assert "marks" in index.meta["timings_s"]
    # It learned the catalogue's words, and reads an unmarked question with them.
    assert index.marks.restore("dang ky khai sinh") == "đăng ký khai sinh"


def test_an_unmarked_question_is_searched_with_its_marks_restored_too(sample_runtime) -> None:  # type: ignore[no-untyped-def]
    base: Searcher = sample_runtime.searcher
    off = Searcher(
        base.index, base.encoder, base.terminology, replace(base.config, restored_marks_weight=0.0)
    )
    text = "dang ky khai sinh cho con"
    with_marks, without = base._query(text, "vi-x")[0], off._query(text, "vi-x")[0]
    added = {t: w for t, w in with_marks.items() if without.get(t) != w}
    # The restored reading adds marked terms at 0.6 of the folded terms' weight (a word
    # pair counts double); the folded terms are unchanged.
    weight = base.config.restored_marks_weight
    assert added.get("cho_con") == pytest.approx(2.0 * weight)
    assert added and all(not t.startswith("~") and w <= 2.0 * weight + 1e-9 for t, w in added.items())
    assert {t: w for t, w in with_marks.items() if t.startswith("~")} == {
        t: w for t, w in without.items() if t.startswith("~")
    }
    # A question typed with its marks is read as typed.
    marked = "đăng ký khai sinh cho con"
    assert base._query(marked, "vi")[0] == off._query(marked, "vi")[0]
