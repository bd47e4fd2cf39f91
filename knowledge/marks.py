"""Restoring the marks of Vietnamese typed without them.

Many citizens type Vietnamese without diacritics ("lam lai can cuoc bi mat o dau"). The
search already matches such a question on folded terms, but folding throws away what tells
syllables apart: "can" is "cần", "căn", "cán" or "cấn", and "mat" is "mất", "mặt" or "mật".
A bigram model of the catalogue's own Vietnamese (procedure records, descriptions,
terminology, and a short list of everyday phrasing in ``data/everyday_vi.txt``) picks the
likeliest marked reading of each run of words (Viterbi). The searcher adds the restored
words' terms to the question's at a reduced weight (``search.restored_marks_weight``), beside
the folded ones: a right reading lets marked phrases ("căn cước", "bị mất") meet the records,
and a wrong one costs little because the folded terms are still there.

The model is built with the index (``marks.npz`` in the index folder: about 15,000 words and
150,000 word pairs, 2 MB) and looked up with numpy, one vectorised step per word.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from knowledge.text import _fold_word, has_vietnamese_marks, words

log = logging.getLogger(__name__)

MARKS_FILE = "marks.npz"
EVERYDAY_FILE = Path(__file__).parent / "data" / "everyday_vi.txt"
# Everyday phrasing is rare in the catalogue's prose; its lines count this many times.
EVERYDAY_WEIGHT = 3
# Marked readings kept per folded word (the most frequent ones).
MAX_READINGS = 10
# Interpolation of the bigram and unigram probabilities, and the unigram's smoothing.
LAMBDA = 0.8
SMOOTH = 0.1
_START, _UNKNOWN = 0, 1
_SEGMENT = re.compile(r"[^\w\s]+")


class MarkModel:
    """A bigram language model of marked Vietnamese words and a Viterbi decoder."""

    def __init__(
        self,
        vocab: list[str],
        unigrams: np.ndarray,
        pair_keys: np.ndarray,
        pair_counts: np.ndarray,
    ) -> None:
        self.vocab = vocab
        self.ids = {w: i for i, w in enumerate(vocab)}
        self.unigrams = unigrams.astype(np.float64)
        self.pair_keys = pair_keys
        self.pair_counts = pair_counts.astype(np.float64)
        total = float(self.unigrams.sum()) + 1.0
        self._p_uni = (self.unigrams + SMOOTH) / total
        readings: dict[str, list[int]] = {}
        for i, w in enumerate(vocab[2:], start=2):
            readings.setdefault(_fold_word(w), []).append(i)
        self.readings = {
            f: np.asarray(sorted(ids, key=lambda i: -self.unigrams[i])[:MAX_READINGS], np.int64)
            for f, ids in readings.items()
        }

    # -- building -------------------------------------------------------------------------

    @classmethod
    def build(cls, texts: Iterable[str], everyday: Iterable[str] = ()) -> MarkModel:
        uni: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()

        def count(text: str, weight: int) -> None:
            if not has_vietnamese_marks(text):
                return  # a text without marks teaches nothing about them
            for segment in _SEGMENT.split(text):
                prev = ""
                for w in words(segment):
                    uni[w] += weight
                    pairs[(prev, w)] += weight
                    prev = w

        for text in texts:
            count(text, 1)
        for text in everyday:
            count(text, EVERYDAY_WEIGHT)
        vocab = ["<s>", "<unk>"] + sorted(uni)  # never words: words() keeps letters only
        ids = {w: i for i, w in enumerate(vocab)}
        ids[""] = _START  # the "previous word" of a run's first
        unigrams = np.zeros(len(vocab), np.int64)
        for w, c in uni.items():
            unigrams[ids[w]] = c
        unigrams[_START] = sum(c for (a, _), c in pairs.items() if a == "")
        size = len(vocab)
        keys = np.fromiter((ids[a] * size + ids[b] for a, b in pairs), np.int64, len(pairs))
        counts = np.fromiter(pairs.values(), np.int64, len(pairs))
        order = np.argsort(keys)
        return cls(vocab, unigrams, keys[order], counts[order])

    @classmethod
    def with_everyday(cls, texts: Iterable[str]) -> MarkModel:
        """The model of ``texts`` (the catalogue's) and of ``EVERYDAY_FILE``."""
        everyday = EVERYDAY_FILE.read_text(encoding="utf-8").splitlines() if EVERYDAY_FILE.is_file() else []
        return cls.build(texts, (line for line in everyday if line.strip() and not line.startswith("#")))

    def save(self, folder: Path) -> None:
        np.savez_compressed(
            folder / MARKS_FILE,
            vocab=np.asarray(self.vocab, dtype=object).astype(str),
            unigrams=self.unigrams.astype(np.int64),
            pair_keys=self.pair_keys,
            pair_counts=self.pair_counts.astype(np.int64),
        )

    @classmethod
    def load(cls, folder: Path) -> MarkModel | None:
        path = folder / MARKS_FILE
        if not path.is_file():
            return None
        with np.load(path) as data:
            return cls(
                [str(w) for w in data["vocab"]], data["unigrams"], data["pair_keys"], data["pair_counts"]
            )

    # -- decoding -------------------------------------------------------------------------

    def _log_p(self, prev: np.ndarray, cur: np.ndarray) -> np.ndarray:
        """log P(cur | prev) for every pair: a matrix of len(prev) x len(cur)."""
        size = len(self.vocab)
        keys = prev[:, None] * size + cur[None, :]
        at = np.searchsorted(self.pair_keys, keys)
        at = np.minimum(at, len(self.pair_keys) - 1)
        found = self.pair_keys[at] == keys
        seen = self.unigrams[prev][:, None]
        p_pair = np.where(found, self.pair_counts[at], 0.0) / np.maximum(seen, 1.0)
        result: np.ndarray = np.log(LAMBDA * p_pair + (1 - LAMBDA) * self._p_uni[cur][None, :])
        return result

    def _decode(self, tokens: list[str]) -> list[str]:
        options: list[np.ndarray] = []
        for w in tokens:
            if w.isascii():
                found = self.readings.get(w)
                if found is not None and len(found):
                    options.append(found)
                    continue
            options.append(np.asarray([self.ids.get(w, _UNKNOWN)], np.int64))
        states = np.asarray([_START], np.int64)
        scores = np.zeros(1)
        back: list[np.ndarray] = []
        for cur in options:
            total = scores[:, None] + self._log_p(states, cur)
            best = total.argmax(axis=0)
            back.append(best)
            scores = total[best, np.arange(len(cur))]
            states = cur
        path = [int(scores.argmax())]
        for pointers in reversed(back[1:]):
            path.append(int(pointers[path[-1]]))
        path.reverse()
        out = []
        for w, cur, choice in zip(tokens, options, path):
            i = int(cur[choice])
            out.append(self.vocab[i] if i > _UNKNOWN and w.isascii() else w)
        return out

    def restore(self, text: str) -> str:
        """``text``'s words with their likeliest marks, lower-cased; punctuation kept as
        breaks between runs (a comma ends one context and starts another)."""
        runs = []
        for segment in _SEGMENT.split(text):
            tokens = words(segment)
            if tokens:
                runs.append(" ".join(self._decode(tokens)))
        return " , ".join(runs)
