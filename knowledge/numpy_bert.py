"""The query side of a BERT sentence encoder (MiniLM) in NumPy, without torch.

A one-shot command (`hotline ask`) spent more time importing torch and loading the
TorchScript trace (about 2 s) than answering. For one short question the forward pass of
a 6-layer, 384-wide BERT is a few small matrix products that NumPy does as fast, so the
weights are exported into the index folder at `hotline index` time (``export_bert_weights``)
and run here.

The documents were encoded by the same model after dynamic int8 quantization (torch's
``quantize_dynamic``), whose linear layers round their weights to int8 once and their
inputs to 7-bit unsigned integers at every call (fbgemm's ``reduce_range``). Those roundings
are done here as the kernel does them, so most questions get the torch encoder's vector to
float precision. Not all: NumPy's layer norms and softmax round differently from torch's in
the last bit, and when that puts an input on the other side of an int8 rounding boundary the
vector moves (cosine ≥ 0.975 on 250 questions, 82 % ≥ 0.999; the full search's top answer
unchanged on all of them). A float model would be further off (cosine 0.93 at the median):
int8 rounding is part of the model the documents were encoded with.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

FORMAT = 1
# fbgemm quantizes a dynamic linear layer's input to 0..127 (reduce_range) on x86.
_QMAX = 127.0


def export_bert_weights(model: Any, path: Path) -> bool:
    """Write the weights of a sentence-transformers BERT with mean pooling to ``path`` (.npz).

    Quantized linear layers are written as their int8 values and scale; float ones as they
    are. False (and no file) for anything else: the torch encoder then serves the queries.
    """
    path.unlink(missing_ok=True)
    try:
        first, pooling = model[0], model[1]
        backbone = first.auto_model
        config = backbone.config
    except (AttributeError, IndexError, KeyError, TypeError):
        return False
    mean = getattr(pooling, "pooling_mode", None) == "mean" or getattr(
        pooling, "pooling_mode_mean_tokens", False
    )
    if (
        getattr(config, "model_type", "") != "bert"
        or getattr(config, "position_embedding_type", "absolute") != "absolute"
        or getattr(config, "hidden_act", "") != "gelu"
        or not mean
    ):
        return False
    arrays: dict[str, np.ndarray] = {
        "format": np.asarray(FORMAT),
        "heads": np.asarray(config.num_attention_heads),
        "eps": np.asarray(config.layer_norm_eps, dtype=np.float64),
    }
    emb = backbone.embeddings
    arrays["word"] = _tensor(emb.word_embeddings.weight)
    arrays["position"] = _tensor(emb.position_embeddings.weight)
    arrays["token_type"] = _tensor(emb.token_type_embeddings.weight)[0]
    arrays["emb_ln_w"], arrays["emb_ln_b"] = _tensor(emb.LayerNorm.weight), _tensor(emb.LayerNorm.bias)
    for i, layer in enumerate(backbone.encoder.layer):
        att = layer.attention
        parts = {
            "q": att.self.query,
            "k": att.self.key,
            "v": att.self.value,
            "o": att.output.dense,
            "up": layer.intermediate.dense,
            "down": layer.output.dense,
        }
        for name, linear in parts.items():
            _linear(arrays, f"l{i}_{name}", linear)
        arrays[f"l{i}_ln1_w"] = _tensor(att.output.LayerNorm.weight)
        arrays[f"l{i}_ln1_b"] = _tensor(att.output.LayerNorm.bias)
        arrays[f"l{i}_ln2_w"] = _tensor(layer.output.LayerNorm.weight)
        arrays[f"l{i}_ln2_b"] = _tensor(layer.output.LayerNorm.bias)
    arrays["layers"] = np.asarray(len(backbone.encoder.layer))
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        # Uncompressed: read in a few milliseconds, and the int8 weights barely compress.
        np.savez(handle, **arrays)  # type: ignore[arg-type]
    tmp.replace(path)
    return True


def _tensor(t: Any) -> np.ndarray:
    return np.ascontiguousarray(t.detach().float().numpy(), dtype=np.float32)


def _linear(arrays: dict[str, np.ndarray], key: str, linear: Any) -> None:
    import torch

    weight = linear.weight
    if callable(weight):  # torch.ao dynamic quantized Linear: weight() is a quantized tensor
        qweight = weight()
        if qweight.qscheme() not in (torch.per_tensor_affine, torch.per_tensor_symmetric):
            raise ValueError(f"{key}: unsupported weight quantization {qweight.qscheme()}")
        arrays[f"{key}_wq"] = qweight.int_repr().numpy().astype(np.int8)
        arrays[f"{key}_ws"] = np.asarray(qweight.q_scale(), dtype=np.float64)
        arrays[f"{key}_wz"] = np.asarray(qweight.q_zero_point(), dtype=np.int64)
        bias, rows = linear.bias(), qweight.shape[0]
    else:
        arrays[f"{key}_w"] = _tensor(weight)
        bias, rows = linear.bias, weight.shape[0]
    arrays[f"{key}_b"] = _tensor(bias) if bias is not None else np.zeros(rows, np.float32)


class _Linear:
    """y = x W^T + b, with the int8 rounding of torch's dynamic quantization when quantized."""

    __slots__ = ("weight_t", "bias", "scale", "quantized")

    def __init__(self, data: Any, key: str) -> None:
        if f"{key}_wq" in data:
            wq = data[f"{key}_wq"].astype(np.float32) - float(data[f"{key}_wz"])
            # Integer values in float32: the products are exact and the sums round only past
            # 2^24, far beyond what a 384- or 1536-long row of 7-bit by 8-bit values reaches
            # in practice; the kernel's int32 sum is matched to float rounding.
            self.weight_t = np.ascontiguousarray(wq.T)
            self.scale = float(data[f"{key}_ws"])
            self.quantized = True
        else:
            self.weight_t = np.ascontiguousarray(data[f"{key}_w"].T)
            self.scale = 1.0
            self.quantized = False
        self.bias = np.asarray(data[f"{key}_b"], dtype=np.float32)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if not self.quantized:
            plain: np.ndarray = x @ self.weight_t + self.bias
            return plain
        xq, x_scale = _quantize_input(x)
        out: np.ndarray = xq @ self.weight_t
        out *= np.float32(x_scale * self.scale)
        out += self.bias
        return out


def _quantize_input(x: np.ndarray) -> tuple[np.ndarray, float]:
    """The input as fbgemm rounds it for a dynamic int8 linear layer: per tensor, affine,
    0..127, its range widened to include 0 (``ChooseQuantizationParams``); returned as the
    integers less their zero point, and the scale."""
    lo = min(float(x.min()), 0.0)
    hi = max(float(x.max()), 0.0)
    scale = float(np.float32((hi - lo) / _QMAX))
    if scale == 0.0 or np.isinf(1.0 / scale):
        scale = 0.1
    from_min = 0.0 - lo / scale
    from_max = _QMAX - hi / scale
    error_min = abs(0.0) - abs(lo / scale)
    error_max = _QMAX - abs(hi / scale)
    initial = from_min if error_min < error_max else from_max
    zero = float(np.clip(np.rint(initial), 0.0, _QMAX))
    inverse = np.float32(1.0 / np.float32(scale))
    # fbgemm rounds zero + x * inverse computed in one fused multiply-add: the exact product
    # (float64 holds it), one rounding to float32, then to the nearest integer (half to even).
    q = np.rint((x.astype(np.float64) * float(inverse) + zero).astype(np.float32))
    np.clip(q, 0.0, _QMAX, out=q)
    q -= np.float32(zero)
    return q, scale


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdims=True)
    normed: np.ndarray = centred / np.sqrt(var + np.float32(eps)) * weight + bias
    return normed


def _erf(x: np.ndarray) -> np.ndarray:
    """erf within 1.5e-7 (Abramowitz & Stegun 7.1.26), about float32's precision: the
    exact GELU BERT uses, without importing SciPy for one function."""
    a = np.abs(x)
    t = np.float32(1.0) / (np.float32(1.0) + np.float32(0.3275911) * a)
    poly = t * (
        np.float32(0.254829592)
        + t
        * (
            np.float32(-0.284496736)
            + t * (np.float32(1.421413741) + t * (np.float32(-1.453152027) + t * np.float32(1.061405429)))
        )
    )
    y = np.float32(1.0) - poly * np.exp(-a * a)
    signed: np.ndarray = np.copysign(y, x)
    return signed


def _gelu(x: np.ndarray) -> np.ndarray:
    return x * np.float32(0.5) * (np.float32(1.0) + _erf(x * np.float32(0.7071067811865476)))


class NumpyBert:
    """The forward pass of the exported BERT for one unpadded sequence, mean-pooled."""

    def __init__(self, path: Path) -> None:
        with np.load(path) as data:
            if int(data["format"]) != FORMAT:
                raise ValueError(f"{path}: weights format {int(data['format'])}, expected {FORMAT}")
            self.heads = int(data["heads"])
            self.eps = float(data["eps"])
            self.word = data["word"]
            self.position = data["position"]
            self.token_type = data["token_type"]
            self.emb_ln = (data["emb_ln_w"], data["emb_ln_b"])
            self.layers = []
            for i in range(int(data["layers"])):
                linears = {n: _Linear(data, f"l{i}_{n}") for n in ("q", "k", "v", "o", "up", "down")}
                norms = (
                    (data[f"l{i}_ln1_w"], data[f"l{i}_ln1_b"]),
                    (data[f"l{i}_ln2_w"], data[f"l{i}_ln2_b"]),
                )
                self.layers.append((linears, norms))
        self.dim = int(self.word.shape[1])
        try:
            from threadpoolctl import ThreadpoolController  # scikit-learn's dependency

            self._threads: Any = ThreadpoolController()
        except ImportError:  # pragma: no cover - installed with scikit-learn
            self._threads = None

    def encode(self, ids: list[int]) -> np.ndarray:
        """The normalised mean of the last hidden states of ``ids`` (one sequence, no padding)."""
        if self._threads is None:
            return self._forward(ids)
        # One BLAS thread: OpenBLAS splits even these small products across every core,
        # and on a busy host its threads wait for each other (5x slower at load 3 on 2 cores).
        with self._threads.limit(limits=1, user_api="blas"):
            return self._forward(ids)

    def _forward(self, ids: list[int]) -> np.ndarray:
        n = len(ids)
        # In BERT's order: float sums are not associative, and an input that lands on the
        # other side of an int8 rounding boundary moves the whole vector.
        x = self.word[ids] + self.token_type
        x += self.position[:n]
        x = _layer_norm(x, *self.emb_ln, self.eps)
        heads, width = self.heads, self.dim // self.heads
        scale = np.float32(1.0 / np.sqrt(width))
        for linears, (ln1, ln2) in self.layers:
            q = linears["q"](x).reshape(n, heads, width).transpose(1, 0, 2)
            k = linears["k"](x).reshape(n, heads, width).transpose(1, 2, 0)
            v = linears["v"](x).reshape(n, heads, width).transpose(1, 0, 2)
            scores = (q @ k) * scale
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, self.dim)
            x = _layer_norm(linears["o"](context) + x, *ln1, self.eps)
            x = _layer_norm(linears["down"](_gelu(linears["up"](x))) + x, *ln2, self.eps)
        pooled = x.mean(0)
        norm = float(np.linalg.norm(pooled))
        vec: np.ndarray = (pooled / max(norm, 1e-12)).astype(np.float32)
        return vec
