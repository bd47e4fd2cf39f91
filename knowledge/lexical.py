"""BM25 over Vietnamese syllables and syllable bigrams, accented and accent-folded.

Vietnamese words are mostly one or two syllables, so syllable bigrams stand in for a
word segmenter ("khai sinh", "căn cước"). Each text is indexed twice: with its marks
("thuế" and "thuê" stay apart) and folded ("lam can cuoc" still finds "làm căn cước").
A query typed with marks is scored mainly on the accented terms; one typed without marks
can only use the folded ones.

BM25 weights are precomputed into a sparse document x term matrix, so a query costs a
column slice and a sparse mat-vec: time grows with the postings of the query's terms.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from knowledge.text import _fold_word, words

FOLD_PREFIX = "~"


def terms(text: str, *, accented: bool = True, folded: bool = True) -> list[str]:
    """Index terms of a text: unigrams and bigrams, accented and/or folded."""
    ws = words(text)
    out: list[str] = []
    if accented:
        out.extend(ws)
        out.extend(f"{a}_{b}" for a, b in zip(ws, ws[1:]))
    if folded:
        fw = [_fold_word(w) for w in ws]
        out.extend(FOLD_PREFIX + w for w in fw)
        out.extend(f"{FOLD_PREFIX}{a}_{b}" for a, b in zip(fw, fw[1:]))
    return out


def query_terms(text: str, has_marks: bool, folded_weight: float = 0.35) -> dict[str, float]:
    """Weighted query terms. Bigrams count double: a matched phrase beats two stray syllables."""
    weights: dict[str, float] = {}

    def add(term: str, w: float) -> None:
        weights[term] = max(weights.get(term, 0.0), w)

    ws = words(text)
    fw = [_fold_word(w) for w in ws]
    fold_w = folded_weight if has_marks else 1.0
    if has_marks:
        for w in ws:
            add(w, 1.0)
        for a, b in zip(ws, ws[1:]):
            add(f"{a}_{b}", 2.0)
    for w in fw:
        add(FOLD_PREFIX + w, fold_w)
    for a, b in zip(fw, fw[1:]):
        add(f"{FOLD_PREFIX}{a}_{b}", 2.0 * fold_w)
    return weights


class BM25Index:
    """A precomputed BM25 weight matrix (documents x terms)."""

    def __init__(self, matrix: sp.csc_matrix, vocab: dict[str, int], col_max: np.ndarray) -> None:
        self.matrix = matrix
        self.vocab = vocab
        self.col_max = col_max

    @classmethod
    def build(cls, docs: Sequence[Iterable[str]], k1: float = 1.2, b: float = 0.6) -> BM25Index:
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[float] = []
        lengths = np.zeros(len(docs), dtype=np.float64)
        for i, doc in enumerate(docs):
            counts = Counter(doc)
            lengths[i] = sum(counts.values())
            for term, tf in counts.items():
                j = vocab.setdefault(term, len(vocab))
                rows.append(i)
                cols.append(j)
                tfs.append(tf)
        n = max(len(docs), 1)
        avgdl = float(lengths.mean()) if len(docs) else 1.0
        tf_arr = np.asarray(tfs, dtype=np.float64)
        row_arr = np.asarray(rows, dtype=np.int64)
        col_arr = np.asarray(cols, dtype=np.int64)
        df = np.bincount(col_arr, minlength=len(vocab)).astype(np.float64)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        norm = k1 * (1.0 - b + b * lengths[row_arr] / max(avgdl, 1e-9))
        weights = idf[col_arr] * tf_arr * (k1 + 1.0) / (tf_arr + norm)
        matrix = sp.csc_matrix(
            (weights.astype(np.float32), (row_arr, col_arr)), shape=(len(docs), len(vocab))
        )
        col_max = np.zeros(len(vocab), dtype=np.float32)
        if matrix.nnz:
            col_max = np.asarray(matrix.max(axis=0).todense()).ravel().astype(np.float32)
        return cls(matrix, vocab, col_max)

    @property
    def n_docs(self) -> int:
        return int(self.matrix.shape[0])

    def score(self, query: dict[str, float]) -> tuple[np.ndarray, float]:
        """Scores of every document and the best score the query could reach.

        The bound (each query term at its best weight anywhere) turns raw BM25 into a
        0..1 "share of the question matched", which is comparable across queries.
        """
        idx = []
        qw = []
        for term, w in query.items():
            j = self.vocab.get(term)
            if j is not None:
                idx.append(j)
                qw.append(w)
        if not idx:
            return np.zeros(self.n_docs, dtype=np.float32), 0.0
        # Gather the postings of the query's columns straight from the CSC arrays: much
        # cheaper than scipy's fancy column indexing for a few dozen terms.
        m = self.matrix
        starts = m.indptr[idx]
        ends = m.indptr[np.asarray(idx) + 1]
        rows = np.concatenate([m.indices[a:b] for a, b in zip(starts, ends)])
        q = np.asarray(qw, dtype=np.float32)
        weights = np.concatenate([m.data[a:b] * w for a, b, w in zip(starts, ends, q)])
        scores = np.bincount(rows, weights=weights, minlength=self.n_docs).astype(np.float32)
        bound = float(np.dot(self.col_max[idx], q))
        return scores, bound

    def row_major(self) -> BM25Index:
        """The same index stored by document (CSR), for ``score_rows``."""
        return type(self)(self.matrix.tocsr(), self.vocab, self.col_max)

    def score_rows(self, query: dict[str, float], rows: np.ndarray) -> tuple[np.ndarray, float]:
        """Scores of some documents only, and the bound (as ``score``).

        On a row-major index the cost grows with the listed documents' lengths, not with
        the catalogue: long fields (steps, documents) are scored on the short list only.
        """
        idx = [self.vocab[t] for t in query if t in self.vocab]
        if not idx or not len(rows):
            return np.zeros(len(rows), dtype=np.float32), 0.0
        q = np.asarray([query[t] for t in query if t in self.vocab], dtype=np.float32)
        m = self.matrix if sp.issparse(self.matrix) and self.matrix.format == "csr" else self.matrix.tocsr()
        sub = m[rows][:, idx]
        scores = np.asarray(sub @ q, dtype=np.float32).ravel()
        return scores, float(np.dot(self.col_max[idx], q))

    def save(self, path: Path, name: str) -> None:
        fmt = self.matrix.format
        sp.save_npz(
            path / f"{name}.npz",
            self.matrix if fmt in ("csr", "csc") else self.matrix.tocsc(),
            compressed=False,
        )
        terms_list = [""] * len(self.vocab)
        for term, j in self.vocab.items():
            terms_list[j] = term
        (path / f"{name}.vocab").write_text("\n".join(terms_list), encoding="utf-8")
        np.save(path / f"{name}.colmax.npy", self.col_max)

    @classmethod
    def load(cls, path: Path, name: str) -> BM25Index:
        matrix = sp.load_npz(path / f"{name}.npz")
        if matrix.format not in ("csr", "csc"):
            matrix = matrix.tocsc()
        text = (path / f"{name}.vocab").read_text(encoding="utf-8")
        # Interned: the fields share most of their terms, and a worker holds them all once.
        vocab = {sys.intern(t): i for i, t in enumerate(text.split("\n"))} if text else {}
        col_max = np.load(path / f"{name}.colmax.npy")
        return cls(matrix, vocab, col_max)
