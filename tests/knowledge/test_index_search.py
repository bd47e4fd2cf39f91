"""The persisted index and hybrid search on the bundled sample, with the real model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from channels.runtime import build_index
from knowledge.dense import SentenceTransformerEncoder, TracedQueryEncoder
from knowledge.index import KnowledgeIndex, stored_hash

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def encoder():  # type: ignore[no-untyped-def]
    enc = SentenceTransformerEncoder()
    enc.warm_up()
    return enc


def test_index_persists_with_hash_and_rebuilds_on_change(sample_settings, encoder, tmp_path):
    catalogue = tmp_path / "catalogue.jsonl"
    shutil.copy(ROOT / "data/sample/catalogue.jsonl", catalogue)
    out = tmp_path / "idx"
    index, built = build_index(sample_settings, out, catalogues=[catalogue], encoder=encoder)
    assert built and stored_hash(out) == index.content_hash
    assert TracedQueryEncoder.available(out)
    again, built = build_index(sample_settings, out, catalogues=[catalogue], encoder=encoder)
    assert not built and again.content_hash == index.content_hash
    # One changed record changes the hash and triggers a rebuild.
    lines = catalogue.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["name"] += " (sửa đổi)"
    lines[0] = json.dumps(record, ensure_ascii=False)
    catalogue.write_text("\n".join(lines) + "\n", encoding="utf-8")
    changed, built = build_index(sample_settings, out, catalogues=[catalogue], encoder=encoder)
    assert built and changed.content_hash != index.content_hash
    loaded = KnowledgeIndex.load(out)
    assert loaded.procedure(record["code"]).name.endswith("(sửa đổi)")


def test_traced_query_encoder_matches_the_model(sample_runtime, encoder):
    traced = sample_runtime.encoder
    assert isinstance(traced, TracedQueryEncoder)
    for text in ("birth registration", "How do I renew my identity card in Da Nang?"):
        a = traced.encode_query(text)
        b = encoder.encode_query(text)
        assert float(a @ b) > 0.999


def test_index_of_another_format_is_refused(tmp_path):
    (tmp_path / "meta.json").write_text(json.dumps({"version": -1}), encoding="utf-8")
    with pytest.raises(ValueError, match="rebuild"):
        KnowledgeIndex.load(tmp_path)
    with pytest.raises(FileNotFoundError):
        KnowledgeIndex.load(tmp_path / "missing")


@pytest.mark.parametrize(
    ("text", "lang", "code"),
    [
        ("làm lại căn cước bị mất", "vi", "1.014064"),
        ("lam lai can cuoc bi mat", "vi-x", "1.014064"),
        ("I lost my citizen ID card, how do I get it reissued?", "en", "1.014064"),
        ("J'ai perdu ma carte d'identité", "fr", "1.014064"),
        ("Perdí mi tarjeta de identidad", "es", "1.014064"),
        ("身份证丢了怎么补办", "zh", "1.014064"),
        ("신분증을 잃어버렸어요 재발급", "ko", "1.014064"),
        ("身分証明書をなくしました 再発行", "ja", "1.014064"),
    ],
)
def test_every_language_reaches_the_vietnamese_record(sample_runtime, text, lang, code):
    result = sample_runtime.searcher.search(text, lang, k=3)
    assert not result.abstained
    assert code in [h.procedure.code for h in result.hits]


def test_scores_are_calibrated_and_junk_abstains(sample_runtime):
    good = sample_runtime.searcher.search("Thủ tục đăng ký kết hôn", "vi")
    assert good.top is not None and 0.5 < good.top.score <= 1.0
    assert all(0.0 <= h.score <= 1.0 for h in good.hits)
    assert [h.score for h in good.hits] == sorted((h.score for h in good.hits), reverse=True)
    for junk in ("What is the capital of France?", "How do I renew my Netflix subscription?", "asdf qwerty"):
        lang = "en"
        assert sample_runtime.searcher.search(junk, lang).abstained, junk
