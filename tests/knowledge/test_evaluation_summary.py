"""The evaluation summary: abstention, language groups and the translation hook."""

from __future__ import annotations

from bot.evaluation import Outcome, _translation_share, render_text, summarise
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


def test_translation_share_is_not_available_until_the_composer_reports_it():
    reply = Reply("c", "fr", "ask_procedure", "Réponse")
    assert _translation_share(reply) is None
    summary = summarise([Outcome("1", "procedure", "fr", True, rank=1)])
    assert summary["translated_lines"] == {}
    assert "n/a" in render_text(summary)
