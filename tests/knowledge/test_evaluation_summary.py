"""The evaluation summary: abstention, language groups and the translation hook."""

from __future__ import annotations

from bot.evaluation import Outcome, _translation_share, evaluate, render_text, summarise
from bot.reply import Reply


def test_summary_counts_abstentions_groups_and_translations():
    outcomes = [
        Outcome("1", "procedure", "vi", True, rank=1, got=["a"]),
        Outcome("2", "procedure", "vi-x", False, rank=None, got=[], abstained=True),
        Outcome("3", "procedure", "fr", False, rank=2, got=["b", "a"], translated=(3, 4)),
        Outcome("4", "procedure", "ja", False, rank=None, got=[], abstained=True, clarified=True),
        Outcome("5", "out_of_scope", "en", True),
    ]
    s = summarise(outcomes)
    assert s["procedure"]["abstained"] == 0.5 and s["procedure"]["clarified"] == 0.25
    assert s["procedure_by_group"]["other"] == {
        "n": 2,
        "hit@1": 0.0,
        "hit@3": 0.5,
        "mrr": 0.25,
        "abstained": 0.5,
        "clarified": 0.5,
    }
    assert set(s["procedure_by_group"]) == {"vi", "vi-x", "other"}
    assert s["translated_lines"] == {"fr": 0.75}
    text = render_text(s)
    assert "abstained=0.500" in text and "fr=0.75" in text and "groups: vi" in text


def test_translation_share_is_reported_for_foreign_answers_only(sample_runtime):
    assistant = sample_runtime.assistant
    # A Vietnamese reply, or a reply that asserts nothing, has no share.
    assert _translation_share(assistant, Reply("c", "fr", "ask_procedure", "Réponse")) is None
    records = [
        {
            "id": "fr",
            "kind": "procedure",
            "lang": "fr",
            "text": "Comment déclarer la naissance de mon bébé ?",
        },
        {"id": "vi", "kind": "procedure", "lang": "vi", "text": "Đăng ký khai sinh cho con cần giấy tờ gì?"},
    ]
    french, vietnamese = evaluate(assistant, records)
    assert vietnamese.translated is None
    assert french.translated is not None
    done, total = french.translated
    assert 0 < done <= total  # the birth registration answer quotes glossary phrases
    summary = summarise([french, vietnamese])
    assert 0 < summary["translated_lines"]["fr"] <= 1
    assert "fr=" in render_text(summary)
    empty = summarise([Outcome("1", "procedure", "fr", True, rank=1)])
    assert empty["translated_lines"] == {} and "n/a" in render_text(empty)
