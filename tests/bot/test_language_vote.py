"""The function-word vote that spares lingua's models gives the model's own answer.

`detect` reads an English, French or Spanish sentence whose function words leave no doubt
without lingua (loading its Latin-script models was most of an English `hotline ask`'s extra
time). The vote must never change a detection: every sentence of the evaluation sets, read
as a first message and inside a conversation in each language, is detected the same with
and without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bot.language as language
from bot.language import detect, sticky_language

ROOT = Path(__file__).resolve().parents[2]
EVAL_FILES = sorted((ROOT / "eval").glob("*.jsonl")) + sorted(
    (ROOT.parent / "shared" / "eval").glob("*.jsonl")
)
CURRENTS = (None, "vi", "en", "fr", "es", "zh", "ja", "ko")


def _texts() -> list[str]:
    texts: list[str] = []
    for path in EVAL_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            if "text" in record:
                texts.append(record["text"])
            texts += [turn["text"] for turn in record.get("turns", []) if "text" in turn]
    return list(dict.fromkeys(texts))


class _NoModel:
    def detect_language_of(self, text: str) -> None:
        raise AssertionError(f"lingua consulted for {text!r}")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("How do I register a marriage?", "en"),
        ("What documents do I need to renew my passport in Da Nang?", "en"),
        ("Comment faire pour obtenir une carte de séjour quand je vis à Da Nang ?", "fr"),
        ("¿Dónde puedo registrar el nacimiento de mi hijo y qué necesito?", "es"),
    ],
)
def test_a_sentence_its_function_words_settle_needs_no_model(monkeypatch, text: str, lang: str) -> None:
    monkeypatch.setattr(language, "_lingua", _NoModel)
    assert detect(text) == lang


@pytest.mark.parametrize(
    "text",
    [
        "visa extension",  # too few words to vote
        "How do I get a carte de séjour?",  # a French mark in English words
        "I want to register my hộ kinh doanh",  # a Vietnamese mark
        "Je voudrais know how to do it",  # another language's word
        "Ventas libres de impuestos a bordo a pasajeros",  # one English word, thrice
        "Where do I register a marriage in Đà Nẵng?",  # a Vietnamese mark (the model weighs it)
    ],
)
def test_a_doubtful_sentence_is_left_to_the_model(text: str) -> None:
    tokens = language._WORD.findall(text.lower())
    assert language._function_word_vote(text, tokens) is None


def test_the_vote_never_changes_a_detection_on_the_evaluation_sets(monkeypatch) -> None:
    texts = _texts()
    assert len(texts) > 1000, EVAL_FILES  # the project's own sets are in the repository
    voted = 0
    with_vote: list[tuple[str, str | None, str]] = []
    for text in texts:
        tokens = language._WORD.findall(text.lower())
        voted += language._function_word_vote(text, tokens) is not None
        with_vote += [(text, cur, sticky_language(text, cur, "vi")) for cur in CURRENTS]
        with_vote.append((text, "detect", detect(text)))
    monkeypatch.setattr(language, "_function_word_vote", lambda text, tokens: None)
    changed = [
        (text, cur, lang, detect(text) if cur == "detect" else sticky_language(text, cur, "vi"))
        for text, cur, lang in with_vote
    ]
    changed = [row for row in changed if row[2] != row[3]]
    assert not changed, changed[:10]
    foreign = sum(1 for text, cur, lang in with_vote if cur == "detect" and lang in ("en", "fr", "es"))
    assert voted > 0.6 * foreign  # the vote does decide: most foreign sentences
