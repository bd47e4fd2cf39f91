"""The NumPy query encoder against the torch one it replaces in one-shot commands.

Both run the index's int8-quantized MiniLM on the sample index the fixtures build. The
NumPy engine rounds as torch's dynamic int8 kernels do, so most questions get the torch
vector to float precision; on a few, a value that float arithmetic puts on the other side
of an int8 rounding boundary moves the vector a little (cosine ≥ 0.97 where it happens:
the documents, encoded in padded batches, differ from single questions by more, a cosine
of 0.97 at the median). What must not move is the ranking.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.language import detect
from knowledge.dense import QUERY_WEIGHTS_FILE, TracedQueryEncoder
from knowledge.search import SearchConfig, Searcher

# Questions as citizens type them, in every language the assistant answers.
QUESTIONS = [
    # Vietnamese
    "Đăng ký khai sinh cho con cần giấy tờ gì?",
    "Làm lại căn cước bị mất ở đâu?",
    "Thủ tục đăng ký kết hôn mất bao lâu?",
    "Tôi muốn sang tên xe máy đã mua lại",
    "Xin cấp giấy phép xây dựng nhà ở riêng lẻ",
    "Lệ phí đăng ký thường trú là bao nhiêu?",
    "Khai tử cho người thân đã mất",
    "Cấp phiếu lý lịch tư pháp nộp online được không?",
    # Vietnamese without marks
    "dang ky tam tru cho nguoi thue nha",
    "lam ho chieu lan dau can gi",
    "xin giay xac nhan tinh trang hon nhan",
    "doi giay phep lai xe het han",
    # English
    "How do I register the birth of my baby?",
    "I lost my ID card, how can I get a new one?",
    "What documents do I need to get married in Vietnam?",
    "Where can I apply for a building permit?",
    "How much does it cost to renew a driving licence?",
    "Can I register my temporary residence online?",
    "I want to transfer ownership of a motorbike",
    "My father passed away, how do I register his death?",
    # French
    "Comment déclarer la naissance de mon enfant ?",
    "J'ai perdu ma carte d'identité, que faire ?",
    "Quels papiers pour se marier au Vietnam ?",
    "Je voudrais renouveler mon permis de conduire",
    "Où demander un permis de construire ?",
    "Comment enregistrer ma résidence temporaire ?",
    # Spanish
    "¿Cómo registro el nacimiento de mi hijo?",
    "Perdí mi documento de identidad, ¿qué hago?",
    "¿Qué necesito para casarme en Vietnam?",
    "Quiero renovar mi licencia de conducir",
    "¿Dónde pido una licencia de construcción?",
    "¿Cómo registro la defunción de un familiar?",
    # Chinese
    "孩子出生登记需要什么材料？",
    "身份证丢了怎么补办？",
    "在越南结婚登记要准备什么？",
    "驾驶证到期了怎么换？",
    "建房许可证在哪里申请？",
    "怎么办理暂住登记？",
    "死亡登记怎么办理？",
    # Korean
    "아이 출생신고는 어떻게 하나요?",
    "신분증을 잃어버렸어요. 재발급은 어디서 하나요?",
    "베트남에서 혼인신고를 하려면 무엇이 필요한가요?",
    "운전면허증 갱신 방법을 알려주세요",
    "임시 거주 등록은 어떻게 하나요?",
    "건축 허가는 어디에서 신청하나요?",
    # Japanese
    "子どもの出生届はどうすればいいですか？",
    "身分証明書をなくしました。再発行できますか？",
    "ベトナムで結婚の手続きに必要な書類は？",
    "運転免許証の更新方法を教えてください",
    "一時滞在の登録はどうしますか？",
    "建築許可はどこで申請しますか？",
]


@pytest.fixture(scope="module")
def index_dir(sample_settings, sample_runtime) -> Path:  # type: ignore[no-untyped-def]
    return Path(sample_settings.resolve(sample_settings.index.path))


@pytest.fixture(scope="module")
def engines(index_dir):  # type: ignore[no-untyped-def]
    numpy_engine = TracedQueryEncoder(index_dir, cache_size=0, engine="numpy")
    torch_engine = TracedQueryEncoder(index_dir, cache_size=0, engine="torch")
    return numpy_engine, torch_engine


def test_the_index_exports_the_weights_and_numpy_serves_without_torch_objects(index_dir, engines):
    assert (index_dir / QUERY_WEIGHTS_FILE).is_file()
    assert TracedQueryEncoder.exported(index_dir)
    numpy_engine, torch_engine = engines
    assert numpy_engine.engine == "numpy" and torch_engine.engine == "torch"
    vec = numpy_engine.encode_query(QUESTIONS[0])
    assert vec.dtype == np.float32 and vec.shape == (numpy_engine.dim,)
    assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-5
    assert numpy_engine._traced is None  # the TorchScript module was never loaded


def test_numpy_vectors_are_the_torch_vectors(engines):
    numpy_engine, torch_engine = engines
    cosines = np.asarray(
        [float(numpy_engine.encode_query(q) @ torch_engine.encode_query(q)) for q in QUESTIONS]
    )
    assert len(QUESTIONS) >= 50
    # Most to float precision; the rest within one int8 rounding flip (see the docstring).
    assert np.mean(cosines >= 0.999) >= 0.7, np.round(cosines, 4)
    assert cosines.min() >= 0.97, np.round(cosines, 4)
    assert np.median(cosines) >= 0.99999


def test_the_full_search_ranks_alike_with_either_engine(sample_runtime, engines):
    numpy_engine, torch_engine = engines
    index, terminology = sample_runtime.index, sample_runtime.terminology
    config = SearchConfig(threshold=sample_runtime.searcher.config.threshold)
    by_numpy = Searcher(index, numpy_engine, terminology, config)
    by_torch = Searcher(index, torch_engine, terminology, config)
    same = 0
    for question in QUESTIONS:
        lang = detect(question)
        a = [h.procedure.code for h in by_numpy.search(question, lang).hits[:3]]
        b = [h.procedure.code for h in by_torch.search(question, lang).hits[:3]]
        same += a == b
    assert same >= 0.95 * len(QUESTIONS), f"top-3 identical for {same} of {len(QUESTIONS)}"


def test_a_folder_without_the_weights_falls_back_to_torch(index_dir, engines, tmp_path):
    older = tmp_path / "older"
    older.mkdir()
    for name in ("query_encoder.pt", "query_tokenizer.json", "query_encoder.json"):
        shutil.copy(index_dir / name, older / name)
    encoder = TracedQueryEncoder(older, cache_size=0, engine="numpy")
    assert encoder.engine == "torch"
    question = "How do I register the birth of my baby?"
    assert float(encoder.encode_query(question) @ engines[1].encode_query(question)) > 0.99999


def test_an_unknown_engine_is_refused(index_dir):
    with pytest.raises(ValueError, match="engine"):
        TracedQueryEncoder(index_dir, engine="onnx")


def test_hotline_index_adds_the_weights_to_an_index_built_before_them(sample_settings, index_dir, tmp_path):
    from channels.runtime import build_index

    older = tmp_path / "index"
    shutil.copytree(index_dir, older)
    (older / QUERY_WEIGHTS_FILE).unlink()
    meta = json.loads((older / "query_encoder.json").read_text(encoding="utf-8"))
    del meta["numpy_weights"]
    (older / "query_encoder.json").write_text(json.dumps(meta), encoding="utf-8")
    assert not TracedQueryEncoder.exported(older)
    _, built = build_index(sample_settings, older)
    assert not built  # the index itself was current
    assert (older / QUERY_WEIGHTS_FILE).is_file() and TracedQueryEncoder.exported(older)
