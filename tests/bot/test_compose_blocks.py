"""Structured replies: the aspect menu, the blocks of a procedure answer and their renderings."""

from __future__ import annotations

import pytest

from bot import compose

LANGS = ("vi", "en", "fr", "es", "zh", "ko", "ja")


@pytest.mark.parametrize("lang", LANGS)
def test_aspect_options_every_language_leaves_out_the_aspect_answered(lang: str) -> None:
    full = compose.aspect_options(lang)
    assert [key for key, _ in full] == ["documents", "fee", "time", "where", "online"]
    assert all(label and "{" not in label for _, label in full)
    assert len({label for _, label in full}) == 5
    assert [key for key, _ in compose.aspect_options(lang, "fee")] == ["documents", "time", "where", "online"]
    # The composer's "duration" focus is the menu's "time".
    assert "time" not in dict(compose.aspect_options(lang, "duration"))
    assert "time" not in dict(compose.aspect_options(lang, "time"))


def test_aspect_labels_in_vietnamese() -> None:
    assert dict(compose.aspect_options("vi")) == {
        "documents": "giấy tờ",
        "fee": "lệ phí",
        "time": "thời hạn",
        "where": "nơi nộp",
        "online": "nộp trực tuyến",
    }
    assert compose.aspect_options("en-US", "overview") == compose.aspect_options("en")
