import pytest

from bot.intents import cues, is_small_talk


@pytest.mark.parametrize(
    "text",
    [
        "Cho tôi gặp cán bộ tiếp dân",
        "I want to speak to a real person",
        "Je voudrais parler à un conseiller",
        "Quiero hablar con un operador",
        "转人工",
        "상담원 연결해 주세요",
        "オペレーターと話したい",
    ],
)
def test_handoff_requests(text):
    assert "talk_to_human" in cues(text)


@pytest.mark.parametrize(
    "text",
    [
        "직원과 통화하고 싶어요",
        "担当者と話したいです",
        "找工作人员",
        "I want to talk to your manager",
        "cho tôi gặp tư vấn viên",
        "사람과 통화하고 싶어요",
        "人工客服在哪里",
    ],
)
def test_handoff_requests_with_a_staff_word(text):
    assert "talk_to_human" in cues(text)


@pytest.mark.parametrize(
    "text",
    [
        "저는 대사관 직원입니다",
        "我是公司负责人，想办理变更登记",
        "当社の担当者が申請します",
        "I'm a manager at a garment factory",
        "Soy asesor jurídico en Hanói",
        "Cấp lại thẻ tư vấn viên pháp luật",
        "tôi là người phụ trách kho",
        "베트남 사람과 결혼하려고 하는데 혼인신고는 어떻게 하나요?",  # "with a Vietnamese person"
        "我想了解人工授精补贴",  # artificial insemination
    ],
)
def test_a_staff_word_that_says_who_someone_is_is_not_a_request(text):
    assert "talk_to_human" not in cues(text)


def test_place_change_needs_the_word_old_not_cu_tru():
    assert "place_change" in cues("Xã Hòa Tiến cũ nay thuộc xã nào?")
    assert "place_change" not in cues("Đăng ký cư trú cho con")
    assert "place_change" not in cues("Tôi cũng muốn hỏi về hộ chiếu")


@pytest.mark.parametrize(
    ("text", "focus"),
    [
        ("Làm hộ chiếu hết bao nhiêu tiền?", "fee"),
        ("What documents do I need for a passport?", "documents"),
        ("Cấp lại căn cước mất bao lâu?", "duration"),
        ("Có nộp hồ sơ trực tuyến được không", "documents"),
        ("Can I apply online for a criminal record certificate?", "online"),
        ("Đăng ký khai sinh", "overview"),
    ],
)
def test_focus(text, focus):
    assert cues(text).focus == focus


def test_small_talk_only_when_short():
    assert is_small_talk("cảm ơn nhé", cues("cảm ơn nhé")) == "thanks"
    long = "cảm ơn, cho tôi hỏi thủ tục đăng ký kết hôn cần giấy tờ gì"
    assert is_small_talk(long, cues(long)) is None


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ("giá vàng SJC hôm nay bao nhiêu", False),
        ("gold price today in Vietnam", False),
        ("오늘 금값 얼마예요", False),
        ("quán phở nào ngon ở Đà Nẵng", False),
        ("which drone is best for travel videos", False),
        ("Xin cấp giấy phép kinh doanh mua bán vàng miếng", True),
        ("How do I get a licence to trade gold bars?", True),
        ("¿Cómo solicito la licencia para comprar y vender oro?", True),
        ("金条买卖营业许可怎么申请", True),
    ],
)
def test_off_topic_near_misses_and_asking_for_an_act(text, act):
    """A price, a shop or an opinion is off topic; it gives way to a strong procedure match
    only when the question asks for an act of an authority (a licence, a registration)."""
    found = cues(text)
    assert ("act" in found) is act
    if not act:
        assert "off_topic" in found


def test_cue_matches_names_the_phrases_found():
    from bot.intents import cue_matches

    assert cue_matches("cach doi tien o san bay", "off_topic") == ["cach doi tien"]
    assert cue_matches("đổi tiền đô ở đâu", "off_topic") == ["doi tien do"]
    assert cue_matches("dự án muốn đổi tiến độ", "off_topic") == []
    assert cue_matches("今日の金利はいくらですか", "off_topic") == ["金利"]
    assert cue_matches("đăng ký khai sinh", "off_topic") == []


@pytest.mark.parametrize(
    "text",
    [
        "Perdí mi tarjeta de consultor jurídico. ¿Cómo pido una nueva?",
        "Quiero renovar mi licencia de conducir",
        "Je dois renouveler mon certificat de résidence",
    ],
)
def test_french_and_spanish_name_an_administrative_act(text):
    # With an act word, a legal or near-miss word in the message does not turn a clear
    # procedure away (bot/policy.py: asks_legal_opinion, Assistant._asked_about).
    assert "act" in cues(text)
