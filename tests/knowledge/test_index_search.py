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


# ------------------------------------------------ descriptions in a resident's own language


def test_cjk_text_is_indexed_by_character_and_pair() -> None:
    from knowledge.index import own_terms, own_text

    assert own_text("补办身份证", "zh").split() == ["补", "办", "身", "份", "证"]
    # French and Spanish words are stemmed: a conjugated verb meets its participle.
    assert own_text("volé", "fr") == own_text("voler", "fr") == own_text("Volée", "fr")
    assert own_text("robaron", "es") == own_text("robado", "es")
    terms = own_terms("신분증 재발급", "ko")
    assert len([t for t in terms if "_" not in t]) == 6 and len([t for t in terms if "_" in t]) == 5


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("On m'a volé mon portefeuille avec ma carte d'identité, comment la refaire ?", "fr"),
        ("Me robaron la cartera con el documento de identidad, ¿cómo lo vuelvo a sacar?", "es"),
        ("钱包被偷了，身份证也没了，怎么补办", "zh"),
        ("지갑을 도난당해서 신분증도 없어졌어요. 다시 발급받으려면", "ko"),
        ("財布を盗まれて身分証明書もなくなりました。再発行するには", "ja"),
    ],
)
def test_a_foreign_question_meets_the_description_in_its_own_language(sample_runtime, text, lang):
    """The `desc_own` signal scores the question against the description written in its own
    language: the re-issue of a stolen identity card is its best procedure, without the
    terminology's help."""
    from knowledge.fusion import VECTOR_FEATURES

    index = sample_runtime.index
    assert f"desc_{lang}" in index.fields
    sig = sample_runtime.searcher.signals(text, lang)
    own = sig.vectors[VECTOR_FEATURES.index("desc_own")]
    best = index.procedures[int(own.argmax())].code
    assert own.max() > 0 and best == "1.014064", (best, index.procedures[int(own.argmax())].name)
    # A Vietnamese question has no own-language description to meet (vi has its own field).
    vi = sample_runtime.searcher.signals("làm lại căn cước bị mất", "vi")
    assert not vi.vectors[VECTOR_FEATURES.index("desc_own")].any()
