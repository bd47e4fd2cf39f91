import numpy as np
import pytest

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


def test_a_short_list_is_scored_as_scipy_scores_it() -> None:
    """The short list's postings are gathered straight from the CSR arrays: the same scores
    as scipy's row and column slicing, for repeated rows, empty documents and unknown terms."""
    import random

    rng = random.Random(5)
    docs = [[f"t{rng.randint(0, 200)}" for _ in range(rng.randint(0, 60))] for _ in range(300)]
    idx = BM25Index.build(docs).row_major()
    for _ in range(100):
        query = {f"t{rng.randint(0, 230)}": rng.random() for _ in range(rng.randint(1, 25))}
        rows = np.asarray([rng.randint(0, 299) for _ in range(rng.randint(1, 40))], dtype=np.int64)
        got, bound = idx.score_rows(query, rows)
        known = [t for t in query if t in idx.vocab]
        if not known:
            assert bound == 0.0 and not got.any()
            continue
        q = np.asarray([query[t] for t in known], dtype=np.float32)
        want = np.asarray(idx.matrix[rows][:, [idx.vocab[t] for t in known]] @ q).ravel()
        assert got.shape == (len(rows),)
        assert np.allclose(got, want, atol=1e-5)
        assert bound == pytest.approx(float(np.dot(idx.col_max[[idx.vocab[t] for t in known]], q)))


def test_the_dense_index_searches_on_one_thread_and_finds_the_nearest() -> None:
    """One query at a time on one thread (FAISS's OpenMP team only contended with the encoder
    and the other requests); exact inner-product search still ranks the nearest first."""
    import faiss
    import numpy as np

    from knowledge.dense import DenseIndex

    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((500, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    faiss.omp_set_num_threads(2)
    index = DenseIndex.build(vectors)
    assert faiss.omp_get_max_threads() == 1
    scores, ids = index.search(vectors[42], 5)
    assert ids[0] == 42 and abs(float(scores[0]) - 1.0) < 1e-5
    assert list(scores) == sorted(scores, reverse=True)
