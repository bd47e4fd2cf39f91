import numpy as np

from knowledge.lexical import FOLD_PREFIX, BM25Index, query_terms, terms


def test_terms_have_accented_and_folded_unigrams_and_bigrams():
    t = terms("Làm căn cước")
    assert "căn" in t and "căn_cước" in t
    assert FOLD_PREFIX + "can_cuoc" in t and FOLD_PREFIX + "lam" in t


def test_query_without_marks_uses_only_folded_terms():
    q = query_terms("lam can cuoc", has_marks=False)
    assert all(k.startswith(FOLD_PREFIX) for k in q)
    q = query_terms("làm căn cước", has_marks=True)
    assert q["căn_cước"] > q[FOLD_PREFIX + "can_cuoc"]


def _index():
    docs = ["Cấp lại thẻ căn cước", "Đăng ký khai sinh", "Thuê đất", "Thuế đất phi nông nghiệp"]
    return BM25Index.build([terms(d) for d in docs])


def test_folded_query_finds_accented_document():
    idx = _index()
    scores, bound = idx.score(query_terms("lam lai can cuoc", has_marks=False))
    assert scores.argmax() == 0
    assert 0 < scores.max() <= bound


def test_marks_keep_thue_and_thue_apart():
    idx = _index()
    scores, _ = idx.score(query_terms("thuế đất", has_marks=True))
    assert scores.argmax() == 3
    scores, _ = idx.score(query_terms("thuê đất", has_marks=True))
    assert scores.argmax() == 2


def test_unknown_terms_score_nothing_and_round_trip(tmp_path):
    idx = _index()
    scores, bound = idx.score({"zzz": 1.0})
    assert bound == 0 and not scores.any()
    idx.save(tmp_path, "x")
    again = BM25Index.load(tmp_path, "x")
    q = query_terms("khai sinh", has_marks=True)
    assert (again.score(q)[0] == idx.score(q)[0]).all()


def test_row_major_index_scores_a_short_list_like_the_full_scan(tmp_path):
    idx = _index()
    rows_idx = idx.row_major()
    q = query_terms("thuế đất phi nông nghiệp", has_marks=True)
    full, bound = idx.score(q)
    some = np.asarray([3, 1], dtype=np.int64)
    part, bound_rows = rows_idx.score_rows(q, some)
    assert bound_rows == bound
    assert np.allclose(part, full[some])
    # Stored and loaded by document, it still scores the short list.
    rows_idx.save(tmp_path, "rows")
    again = BM25Index.load(tmp_path, "rows")
    assert again.matrix.format == "csr"
    assert np.allclose(again.score_rows(q, some)[0], part)
    assert again.score_rows({"zzz": 1.0}, some)[1] == 0.0
