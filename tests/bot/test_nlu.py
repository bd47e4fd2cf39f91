"""The NLU training set (bot/data) and the builtin engine trained from it."""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.nlu import INTENTS, Parse
from bot.nlu import data as nlu_data
from bot.nlu.builtin import BuiltinNLU
from knowledge.text import fold

# Measured on the holdout (359 examples): accuracy 0.80, macro-F1 0.80 (bench/nlu.py).
# The floors leave room for data edits; a drop below them is a regression.
ACCURACY_FLOOR = 0.75
MACRO_F1_FLOOR = 0.73
MIN_EXAMPLES = 40
MIN_HELD_OUT = 5


@pytest.fixture(scope="module")
def data() -> nlu_data.TrainingData:
    return nlu_data.load()


@pytest.fixture(scope="module")
def engine() -> BuiltinNLU:
    return BuiltinNLU.train()


# --------------------------------------------------------------------------- data
def test_every_intent_has_enough_examples_and_a_holdout(data: nlu_data.TrainingData) -> None:
    total = Counter(e.intent for e in data.examples)
    held = Counter(e.intent for e in data.holdout)
    assert set(total) == set(INTENTS)
    for intent in INTENTS:
        assert total[intent] >= MIN_EXAMPLES, intent
        assert held[intent] >= MIN_HELD_OUT, intent
    share = len(data.holdout) / len(data.examples)
    assert 0.15 <= share <= 0.25


def test_examples_cover_every_language(data: nlu_data.TrainingData) -> None:
    def script(text: str) -> str:
        if re.search(r"[\uac00-\ud7af]", text):
            return "ko"
        if re.search(r"[\u3040-\u30ff]", text):
            return "ja"
        if re.search(r"[\u4e00-\u9fff]", text):
            return "zh"
        if fold(text) != text.lower():
            return "marked"
        return "ascii"

    for intent in INTENTS:
        scripts = Counter(script(e.text) for e in data.examples if e.intent == intent)
        assert {"ko", "ja", "zh", "marked", "ascii"} <= set(scripts), (intent, scripts)


def test_holdout_is_stable_and_folds_diacritics_together(data: nlu_data.TrainingData) -> None:
    assert nlu_data.is_holdout("Thủ tục đăng ký khai sinh") == nlu_data.is_holdout(
        "thu tuc dang ky khai sinh"
    )
    holdout = {fold(e.text) for e in data.holdout}
    train = {fold(e.text) for e in data.train}
    assert not holdout & train
    # The split of one sentence never depends on the others.
    again = nlu_data.load()
    assert [e.text for e in again.holdout] == [e.text for e in data.holdout]


def test_annotations_are_stripped_to_spans() -> None:
    text, entities = nlu_data.parse_example(
        'tra cứu hồ sơ [H29.22-250701-0001](dossier_code), cái thứ [hai]{"entity": "option", "value": "2"}'
    )
    assert text == "tra cứu hồ sơ H29.22-250701-0001, cái thứ hai"
    code, option = entities
    assert (code.entity, code.value, text[code.start : code.end]) == (
        "dossier_code",
        "H29.22-250701-0001",
        "H29.22-250701-0001",
    )
    assert (option.entity, option.value, text[option.start : option.end]) == ("option", "2", "hai")


def test_entity_annotations_point_at_their_text(data: nlu_data.TrainingData) -> None:
    kinds = {"procedure", "place", "dossier_code", "option", "language"}
    for ex in data.examples:
        for e in ex.entities:
            assert e.entity in kinds, ex.raw
            assert ex.text[e.start : e.end].strip() == ex.text[e.start : e.end] != "", ex.raw


def test_dossier_regex_matches_every_annotated_code(data: nlu_data.TrainingData) -> None:
    pattern = re.compile(data.regexes["dossier_code"][0])
    codes = [(ex.text, e) for ex in data.examples for e in ex.entities if e.entity == "dossier_code"]
    assert len(codes) >= 10
    for text, e in codes:
        assert [m.span() for m in pattern.finditer(text)] == [(e.start, e.end)], text


def test_lookup_tables_are_modest_and_clean(data: nlu_data.TrainingData) -> None:
    assert 100 <= len(data.lookups["procedure"]) <= 1000
    assert 50 <= len(data.lookups["place"]) <= 1000
    assert "Đà Nẵng" in data.lookups["place"]
    assert "đăng ký khai sinh" in data.lookups["procedure"]
    for phrases in data.lookups.values():
        assert len({fold(p) for p in phrases}) == len(phrases)


def test_export_writes_only_the_training_split(tmp_path: Path, data: nlu_data.TrainingData) -> None:
    out = nlu_data.export_rasa(tmp_path / "rasa")
    for name in ("data/nlu.yml", "data/rules.yml", "domain.yml", "config.yml", "fingerprint"):
        assert (out / name).is_file(), name
    exported = yaml.safe_load((out / "data" / "nlu.yml").read_text(encoding="utf-8"))
    texts = []
    for item in exported["nlu"]:
        if "intent" in item:
            texts += [nlu_data.parse_example(line[2:])[0] for line in item["examples"].splitlines() if line]
    assert sorted(texts) == sorted(e.text for e in data.train)
    assert not {fold(t) for t in texts} & {fold(e.text) for e in data.holdout}
    kinds = {next(iter(item)) for item in exported["nlu"]}
    assert kinds == {"intent", "lookup", "regex"}
    domain = yaml.safe_load((out / "domain.yml").read_text(encoding="utf-8"))
    assert domain["intents"] == list(INTENTS)
    # Unchanged data: nothing is rewritten, so Make does not retrain.
    before = (out / "data" / "nlu.yml").stat().st_mtime_ns
    nlu_data.export_rasa(tmp_path / "rasa")
    assert (out / "data" / "nlu.yml").stat().st_mtime_ns == before


def test_conflicting_intents_are_refused(tmp_path: Path) -> None:
    (tmp_path / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - xin chào\n'
        "- intent: thanks\n  examples: |\n    - xin chao\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="both greet and thanks"):
        nlu_data.load(tmp_path)


# --------------------------------------------------------------------------- builtin engine
def test_trains_on_the_training_split_only(engine: BuiltinNLU, data: nlu_data.TrainingData) -> None:
    assert engine.meta["trained_on"] == len(data.train)
    assert engine.meta["held_out"] == len(data.holdout)
    assert engine.meta["train_s"] < 15  # a few seconds on a laptop; CI machines are shared
    assert set(engine.classes) == set(INTENTS)


def test_holdout_accuracy_and_macro_f1(engine: BuiltinNLU, data: nlu_data.TrainingData) -> None:
    truth = [e.intent for e in data.holdout]
    predicted = [engine.parse(e.text).intent for e in data.holdout]
    accuracy = sum(t == p for t, p in zip(truth, predicted)) / len(truth)
    f1 = []
    for intent in INTENTS:
        tp = sum(t == p == intent for t, p in zip(truth, predicted))
        fp = sum(p == intent != t for t, p in zip(truth, predicted))
        fn = sum(t == intent != p for t, p in zip(truth, predicted))
        f1.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    assert accuracy >= ACCURACY_FLOOR
    assert sum(f1) / len(f1) >= MACRO_F1_FLOOR


def test_parse_shape(engine: BuiltinNLU) -> None:
    p = engine.parse("Làm hộ chiếu mất bao lâu?")
    assert isinstance(p, Parse)
    assert p.engine == "builtin"
    assert p.intent == "ask_duration"
    assert p.ranking[0] == (p.intent, p.confidence)
    assert [c for _, c in p.ranking] == sorted((c for _, c in p.ranking), reverse=True)
    assert 0.0 < p.confidence <= 1.0
    assert len(p.ranking) == 10
    assert engine.parse("").intent in INTENTS


@pytest.mark.parametrize(
    ("marked", "intent"),
    [
        ("Thủ tục đăng ký khai sinh cho con như thế nào?", "ask_procedure"),
        ("Làm căn cước cần mang những giấy tờ gì?", "ask_documents"),
        ("Lệ phí đổi bằng lái xe là bao nhiêu tiền?", "ask_fee"),
        ("Làm hộ chiếu mất mấy ngày?", "ask_duration"),
        ("Trung tâm hành chính công phường Hải Châu ở đâu?", "ask_where"),
        ("Có nộp hồ sơ trực tuyến trên VNeID được không?", "ask_online"),
        ("Phường Thạch Thang cũ giờ thuộc phường nào?", "ask_place_change"),
        ("Cho tôi nói chuyện với cán bộ", "talk_to_human"),
        ("Tôi muốn khiếu nại cán bộ nhũng nhiễu", "complaint"),
        ("Cảm ơn bạn nhiều", "thanks"),
    ],
)
def test_vietnamese_without_diacritics(engine: BuiltinNLU, marked: str, intent: str) -> None:
    plain = fold(marked)
    assert plain.isascii()
    assert engine.parse(marked).intent == intent
    assert engine.parse(plain).intent == intent


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("tra cứu hồ sơ 000.00.24.H17-250703-0012", "000.00.24.H17-250703-0012"),
        ("ho so h29.22-250701-0001 den dau roi", "H29.22-250701-0001"),
        ("mã 000.00.24.H17 – 250703 – 0012.", "000.00.24.H17-250703-0012"),
        ("受付番号 ０００.００.２４.Ｈ１７－２５０７０３－００１２ の状況", "000.00.24.H17-250703-0012"),
        ("G22.99-251231-123456 xong chưa", "G22.99-251231-123456"),
    ],
)
def test_dossier_codes(engine: BuiltinNLU, text: str, value: str) -> None:
    p = engine.parse(text)
    codes = [e for e in p.entities if e.entity == "dossier_code"]
    assert [e.value for e in codes] == [value]
    assert fold(text[codes[0].start : codes[0].end]).replace(" ", "") != ""
    assert p.intent == "dossier_status"


@pytest.mark.parametrize(
    "text",
    [
        "gọi số 0903570134",
        "thủ tục 1.001193",
        "ngày 2025-07-01",
        "000.00.24.H17-251303-0012",  # month 13
        "000.00.24.H17-250703-0012.5",
    ],
)
def test_not_dossier_codes(engine: BuiltinNLU, text: str) -> None:
    assert not [e for e in engine.parse(text).entities if e.entity == "dossier_code"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", "1"),
        ("7", "7"),
        ("số 2", "2"),
        ("so 2", "2"),
        ("chọn số 3 nhé", "3"),
        ("phương án 2", "2"),
        ("cái thứ hai", "2"),
        ("thứ ba", "3"),
        ("cái đầu tiên", "1"),
        ("option 3", "3"),
        ("the second one", "2"),
        ("the last one", "-1"),
        ("la deuxième", "2"),
        ("la opción 2", "2"),
        ("第二个", "2"),
        ("选3", "3"),
        ("2번", "2"),
        ("두 번째요", "2"),
        ("二番目", "2"),
    ],
)
def test_options(engine: BuiltinNLU, text: str, value: str) -> None:
    p = engine.parse(text)
    assert [e.value for e in p.entities if e.entity == "option"] == [value]
    assert p.intent == "choose_option"
    assert p.confidence >= 0.9


@pytest.mark.parametrize(
    "text",
    [
        "thứ ba tuần sau trung tâm có làm việc không",  # Tuesday
        "phiếu lý lịch tư pháp số 2 làm ở đâu",  # a form's name
        "tôi có 2 con nhỏ, làm căn cước cho con thế nào",
        "tra cứu hồ sơ 000.00.24.H17-250703-0012",
    ],
)
def test_numbers_that_are_not_options(engine: BuiltinNLU, text: str) -> None:
    assert not [e for e in engine.parse(text).entities if e.entity == "option"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("English please", "en"),
        ("/lang fr", "fr"),
        ("tiếng Việt", "vi"),
        ("trả lời bằng tiếng Anh được không", "en"),
        ("can you answer in Korean?", "ko"),
        ("en français svp", "fr"),
        ("¿puede hablar en español?", "es"),
        ("用中文", "zh"),
        ("日本語でお願いします", "ja"),
        ("한국어로 해 주세요", "ko"),
    ],
)
def test_language_requests(engine: BuiltinNLU, text: str, code: str) -> None:
    found = [e for e in engine.parse(text).entities if e.entity == "language"]
    assert [e.value for e in found] == [code]


@pytest.mark.parametrize(
    "text",
    ["tôi không biết nói tiếng Việt, thủ tục khai sinh thế nào", "I don't speak French, where is the office"],
)
def test_languages_mentioned_are_not_requests(engine: BuiltinNLU, text: str) -> None:
    assert not [e for e in engine.parse(text).entities if e.entity == "language"]


def test_lookup_entities(engine: BuiltinNLU) -> None:
    text = "làm căn cước ở phường Hải Châu, Đà Nẵng"
    found = {(e.entity, e.value, text[e.start : e.end]) for e in engine.parse(text).entities}
    assert ("procedure", "làm căn cước", "làm căn cước") in found
    assert ("place", "Phường Hải Châu", "phường Hải Châu") in found
    assert ("place", "Đà Nẵng", "Đà Nẵng") in found
    plain = "lam can cuoc o phuong hai chau"
    values = {(e.entity, e.value) for e in engine.parse(plain).entities}
    assert {("procedure", "làm căn cước"), ("place", "Phường Hải Châu")} <= values


def test_marks_typed_must_match_the_lookup(engine: BuiltinNLU) -> None:
    # "phương án" is not "phường An"; "an hai" typed without marks may be "An Hải".
    assert not [e for e in engine.parse("phương án hai").entities if e.entity == "place"]
    assert [e.value for e in engine.parse("phường ân hài").entities if e.entity == "place"] == []
    assert [e.value for e in engine.parse("phường an hải").entities if e.entity == "place"] == [
        "Phường An Hải"
    ]
    assert [e.value for e in engine.parse("phuong an hai").entities if e.entity == "place"] == [
        "Phường An Hải"
    ]


def test_save_and_load_give_the_same_parses(
    engine: BuiltinNLU, data: nlu_data.TrainingData, tmp_path: Path
) -> None:
    engine.save(tmp_path / "nlu")
    loaded = BuiltinNLU.load(tmp_path / "nlu")
    assert loaded.meta == engine.meta
    for ex in data.holdout[:60]:
        a, b = engine.parse(ex.text), loaded.parse(ex.text)
        assert (a.intent, a.entities) == (b.intent, b.entities)
        assert a.confidence == pytest.approx(b.confidence, abs=1e-4)
    (tmp_path / "nlu" / "nlu.json").write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a hotline-nlu-builtin"):
        BuiltinNLU.load(tmp_path / "nlu")


def test_parse_is_fast(engine: BuiltinNLU, data: nlu_data.TrainingData) -> None:
    texts = [e.text for e in data.holdout]
    for t in texts[:20]:
        engine.parse(t)
    timings = []
    for t in texts:
        t0 = time.perf_counter()
        engine.parse(t)
        timings.append(time.perf_counter() - t0)
    timings.sort()
    # Well under 1 ms on an idle laptop (bench/nlu.py); the bound absorbs a busy CI box.
    assert timings[len(timings) // 2] < 0.002
