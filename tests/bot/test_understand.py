"""The understanding step on its own: aspect, lead-ins, returns, corrections, long messages,
language requests inside a question."""

from __future__ import annotations

import pytest

from bot.language import split_language_request, sticky_language
from bot.understand import question_of, understand


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("Nộp hồ sơ ở đâu?", "where"),
        ("Et où déposer le dossier ?", "where"),
        ("giay to chuan bi xong roi thi mang di dau nop", "where"),
        ("Cần những giấy tờ gì?", "documents"),
        ("Cần giấy tờ gì và nộp ở đâu?", "documents"),
        ("¿Y cuánto demora?", "duration"),
        ("얼마나 걸려요?", "duration"),
        ("能不能在网上提交？", "online"),
        ("費用はかかりますか？", "fee"),
    ],
)
def test_the_aspect_asked(text: str, aspect: str) -> None:
    assert understand(text).aspect == aspect


@pytest.mark.parametrize(
    "text",
    [
        "Cho tôi hỏi thêm: nộp lệ phí hết bao nhiêu tiền?",
        "À còn nữa, bao lâu thì xong?",
        "Khoảng mấy hôm thì xong?",
        "And how many days until it is ready?",
        "¿Y por internet?",
        "En ligne, c'est possible ?",
        "수수료는요?",
        "大概要几天？",
    ],
)
def test_short_aspect_questions_have_the_shape_of_a_followup(text: str) -> None:
    u = understand(text)
    assert u.followup_shape, (u.aspect, u.subject_words)
    assert u.subject_words == []


@pytest.mark.parametrize(
    "text", ["lệ phí làm hộ chiếu bao nhiêu?", "How much is a passport?", "여권 수수료는요?"]
)
def test_a_question_naming_a_subject_keeps_its_words(text: str) -> None:
    assert understand(text).subject_words


def test_a_return_to_an_earlier_subject() -> None:
    u = understand("Quay lại chuyện đăng ký đò: lệ phí bao nhiêu?")
    assert u.returns_to == "đăng ký đò"
    assert u.aspect == "fee"


@pytest.mark.parametrize(
    "text", ["không phải, ý tôi là thường trú", "nham, toi can xoa thuong tru", "No, I meant the passport"]
)
def test_corrections(text: str) -> None:
    assert understand(text).correction


def test_a_language_request_inside_a_question() -> None:
    assert split_language_request("Can you answer in English, please? How much is the fee?")[0] == "en"
    u = understand("Can you answer in English, please? How much is the fee?")
    assert u.language_request == "en" and u.aspect == "fee" and "English" not in u.text
    assert split_language_request("Bản dịch có cần bằng tiếng Anh không?") == (
        None,
        "Bản dịch có cần bằng tiếng Anh không?",
    )


def test_a_long_message_is_read_from_its_question() -> None:
    story = " ".join(["Nhà em ở phường Hải Châu, năm ngoái em làm hộ chiếu ở đây."] * 8)
    question = question_of(f"{story} Vậy cho em hỏi: đổi chủ hộ thì làm thủ tục gì ạ? Em cảm ơn.", 60)
    assert question == "đổi chủ hộ thì làm thủ tục gì ạ?"
    assert question_of("Đổi chủ hộ thì làm thủ tục gì?", 60) is None


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("cảm ơn", "es", "es"),
        ("ok", "en", "en"),
        ("1", "fr", "fr"),
        ("0905 123 456", "ko", "ko"),
        ("👍", "ja", "ja"),
        ("I live in Hai Chau ward", "en", "en"),
        ("Where do I exchange my giấy phép lái xe?", "en", "en"),
        ("Tôi muốn hỏi về đăng ký khai sinh cho con", "en", "vi"),
        ("How long does it take to get it?", "vi", "en"),
        ("ok", None, "vi"),
        ("1", None, "vi"),
    ],
)
def test_language_sticks_unless_enough_words_say_otherwise(
    text: str, current: str | None, expected: str
) -> None:
    keep = text in ("cảm ơn",)
    assert sticky_language(text, current, "vi", keep=keep) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Je suis ingénieur en structure, français, avec 15 ans d'expérience. Comment faire ?",
        "Soy mexicano, hablo español. ¿Cómo registro a mi hija?",
    ],
)
def test_a_nationality_inside_a_question_is_not_a_language_request(text: str) -> None:
    assert split_language_request(text) == (None, text)
    assert understand(text).text == text


@pytest.mark.parametrize(
    "text", ["Et combien ça coûte ?", "¿Cuánto hay que pagar?", "Is it free?", "Do I have to pay anything?"]
)
def test_fee_questions_in_many_words(text: str) -> None:
    u = understand(text)
    assert u.aspect == "fee" and u.followup_shape


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("Nộp hồ sơ trực tuyến được không?", "online"),
        ("Can I submit the documents online?", "online"),
        ("nop ho so mat phi khong", "fee"),
        ("Nộp hồ sơ xong bao lâu có kết quả?", "duration"),
        ("Hồ sơ gồm những gì?", "documents"),
    ],
)
def test_the_dossier_named_in_another_aspect_question_is_not_the_question(text: str, aspect: str) -> None:
    from bot.intents import cues
    from bot.understand import aspect_of

    assert aspect_of(text, cues(text)) == aspect


@pytest.mark.parametrize(
    ("text", "question"),
    [
        (
            "my work permit... no wait, I lost my temporary residence card, how do I get a new one?",
            "I lost my temporary residence card, how do I get a new one?",
        ),
        ("đăng ký tạm trú, à không, thường trú cho con thì cần gì", "thường trú cho con thì cần gì"),
        ("dang ky tam tru, a khong, thuong tru cho con thi can gi", "thuong tru cho con thi can gi"),
        (
            "Je veux un passeport, non pardon, une carte d'identité pour mon fils",
            "une carte d'identité pour mon fils",
        ),
        (
            "Quiero un pasaporte, mejor dicho, el documento de identidad de mi hijo",
            "el documento de identidad de mi hijo",
        ),
        ("我想办护照，不对，我想办身份证", "我想办身份证"),
    ],
)
def test_a_self_correction_inside_a_message_leaves_the_question_after_it(text: str, question: str) -> None:
    assert understand(text).text == question


@pytest.mark.parametrize(
    "text",
    [
        "Có làm online được ạ không?",  # "ạ không" without a pause before it
        "I mean it, how do I register a birth?",  # at the start: nothing before it to correct
        "Đăng ký kết hôn, à không biết cần gì",  # too little after it to be a question
    ],
)
def test_words_like_a_self_correction_that_are_not_one_keep_the_message(text: str) -> None:
    assert understand(text).text == text
