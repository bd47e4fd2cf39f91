import pytest

from bot.language import answer_language, detect, sticky_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Thủ tục cấp hộ chiếu ở đâu?", "vi"),
        ("lam giay khai sinh cho con o dau", "vi-x"),
        ("How do I renew my driving licence?", "en"),
        ("Comment obtenir un passeport ?", "fr"),
        ("¿Dónde puedo renovar mi pasaporte?", "es"),
        ("如何办理护照？", "zh"),
        ("여권은 어떻게 발급받나요?", "ko"),
        ("パスポートの申請方法を教えてください", "ja"),
        ("¿Cómo registro un hộ kinh doanh?", "es"),
    ],
)
def test_detects_our_languages(text, lang):
    assert detect(text) == lang


def test_nothing_to_go_on_gives_default():
    assert detect("😀😀", default="vi") == "vi"
    assert detect("", default="en") == "en"


def test_answer_language():
    assert answer_language("vi-x") == "vi"
    assert answer_language("de") == "vi"
    assert answer_language("ko") == "ko"


@pytest.mark.parametrize("text", ["1番目", "二番目", "費用は？"])
def test_a_short_kanji_reply_keeps_a_japanese_conversation_japanese(text: str) -> None:
    assert sticky_language(text, "ja", "vi") == "ja"


def test_a_chinese_sentence_still_switches_a_japanese_conversation() -> None:
    assert sticky_language("你好，我想问一下结婚登记的手续", "ja", "vi") == "zh"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("I live in Hai Chau", "en"),
        ("I am in Thanh Khe", "en"),
        ("J'habite à Hải Châu", "fr"),
        ("Vivo en Hải Châu", "es"),
        ("Tôi ở Hải Châu", "vi"),
        ("toi o hai chau", "vi-x"),
    ],
)
def test_a_short_first_message_around_a_place_name_is_read_in_its_own_words(text: str, lang: str) -> None:
    assert sticky_language(text, None, "vi") == lang
