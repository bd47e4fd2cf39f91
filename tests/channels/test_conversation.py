"""Scripted multi-turn conversations through the HTTP API, with a conversation_id.

Real app through its lifespan, real index of the bundled sample, real SQLite database,
real dossier source (the demo SQLite seeded from data/sample/dossiers.csv), real case
service. Test config: staff hours are all day, every day (tests/conftest.py).
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from handoff.models import Case, Message


class Chat:
    """A citizen's client: the first reply issues the conversation id and its token, every
    later message sends both back."""

    def __init__(self, client, **extra: str) -> None:  # type: ignore[no-untyped-def]
        self.client = client
        self.id: str | None = None
        self.token: str | None = None
        self.extra = extra

    def say(self, text: str, **extra: str) -> dict:  # type: ignore[type-arg]
        body = {"text": text, **self.extra, **extra}
        if self.id is not None:
            body |= {"conversation_id": self.id, "conversation_token": self.token}
        r = self.client.post("/api/v1/ask", json=body)
        assert r.status_code == 200, r.text
        data = r.json()
        if self.id is None:
            self.id, self.token = data["conversation_id"], data["conversation_token"]
        assert data["conversation_id"] == self.id and data["conversation_token"] == self.token
        return data

    def transcript(self, after: int = 0):  # type: ignore[no-untyped-def]
        return self.client.get(
            f"/api/v1/conversations/{self.id}/messages",
            params={"after": after},
            headers={"X-Conversation-Token": self.token or ""},
        )


def codes(data: dict) -> list[str]:  # type: ignore[type-arg]
    return [p["code"] for p in data["procedures"]]


def test_vietnamese_follow_ups_act_on_the_current_procedure(client):
    chat = Chat(client)
    first = chat.say("Đăng ký khai sinh cần những giấy tờ gì?")
    assert first["intent"] == "ask_documents"
    current = codes(first)[0]
    assert current in {"1.001193", "2.000986"}

    fee = chat.say("lệ phí bao nhiêu?")
    assert fee["intent"] == "ask_fee"
    assert codes(fee)[0] == current
    assert current in fee["answer"]  # the answer still cites the record

    where = chat.say("nộp ở đâu?")
    assert where["intent"] == "ask_where"
    assert codes(where)[0] == current
    assert where["centre"] is None  # no place known yet: the bot asks for the commune

    here = chat.say("tôi ở phường Hòa Cường")
    assert here["place"] is not None and "Hòa Cường" in here["place"]["name"]

    where = chat.say("vậy nộp ở đâu?")
    assert codes(where)[0] == current
    assert where["centre"] is not None
    assert "Núi Thành" in where["centre"]["address"]  # the office of the ward on record

    online = chat.say("còn online được không?")
    assert online["intent"] == "ask_online"
    assert codes(online)[0] == current


def test_vietnamese_without_diacritics_follow_up(client):
    chat = Chat(client)
    first = chat.say("dang ky ket hon can giay to gi")
    assert codes(first)[0] == "1.000894"
    assert first["language"] == "vi"
    fee = chat.say("le phi bao nhieu")
    assert fee["intent"] == "ask_fee"
    assert codes(fee)[0] == "1.000894"
    assert fee["language"] == "vi"


def test_english_follow_up_narrows_the_subject(client):
    chat = Chat(client)
    first = chat.say("How do I register a marriage?")
    assert codes(first)[0] == "1.000894"
    assert first["language"] == "en"
    foreign = chat.say("what about for a foreigner?")
    assert codes(foreign)[0] in {"2.000806", "1.000094"}
    assert foreign["language"] == "en"
    fee = chat.say("and how much does it cost?")
    assert fee["intent"] == "ask_fee"
    assert codes(fee)[0] == codes(foreign)[0]


def test_clarification_by_digit_for_an_ambiguous_place_in_french(client):
    chat = Chat(client, lang="fr")
    question = chat.say("Phường 1 cũ nay thuộc phường nào?")
    assert question["needs_clarification"] is True
    assert len(question["options"]) >= 2
    assert question["language"] == "fr"
    chosen = chat.say("2")
    assert chosen["needs_clarification"] is False
    assert chosen["intent"] == "ask_place_change"
    assert chosen["place"] is not None
    # Another digit now is not an answer to anything: it is not taken as a choice.
    again = chat.say("9")
    assert again["intent"] != "ask_place_change"


def test_out_of_range_digit_asks_again(client):
    chat = Chat(client)
    question = chat.say("Phường 1 cũ nay thuộc phường nào?")
    assert question["needs_clarification"]
    wrong = chat.say("42")
    assert wrong["needs_clarification"] is True
    assert str(len(question["options"])) in wrong["answer"]
    right = chat.say("1")
    assert right["intent"] == "ask_place_change"


def test_old_unit_answers_with_the_new_one_and_its_office(client):
    chat = Chat(client)
    data = chat.say("phuong thach thang hai chau gio la phuong gi")
    assert data["intent"] == "ask_place_change"
    assert "Hải Châu" in data["answer"]
    where = chat.say("Khuê Trung cũ giờ nộp hồ sơ ở đâu?")
    assert where["intent"] in {"ask_where", "ask_place_change"}


def test_spanish_dossier_found(client):
    chat = Chat(client)
    data = chat.say("¿En qué estado está mi expediente 000.00.24.H17-261113-0005?")
    assert data["intent"] == "dossier_status"
    assert data["language"] == "es"
    assert "000.00.24.H17-261113-0005" in data["answer"]
    assert data["handoff"] is None


def test_dossier_not_found_offers_staff_and_yes_opens_a_case(client):
    chat = Chat(client)
    data = chat.say("Tra cứu hồ sơ 000.00.24.H17-991231-9999 giúp tôi")
    assert data["intent"] == "dossier_status"
    assert "000.00.24.H17-991231-9999" in data["answer"]
    assert data["handoff"] is None
    yes = chat.say("có")
    assert yes["handoff"] is not None
    case_id = yes["handoff"]["case_id"]
    cases = client.app.state.cases
    with cases.db.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert case.reason == "dossier"
        assert case.packet["dossier"]["code"] == "000.00.24.H17-991231-9999"
        assert case.packet["dossier"]["status"] == "not_found"


def test_dossier_question_without_code_asks_for_it(client):
    chat = Chat(client)
    data = chat.say("Hồ sơ của tôi đã giải quyết xong chưa?")
    assert data["intent"] == "dossier_status"
    found = chat.say("mã là 000.00.24.H17-261113-0005")
    assert found["intent"] == "dossier_status"
    assert "000.00.24.H17-261113-0005" in found["answer"]


def test_handoff_with_packet_bot_silence_staff_reply_and_resume(client):
    app = client.app
    chat = Chat(client)
    first = chat.say("Cấp lại thẻ căn cước bị mất cần giấy tờ gì?")
    assert codes(first)
    handed = chat.say("Tôi muốn nói chuyện với cán bộ")
    assert handed["intent"] == "talk_to_human"
    assert handed["handoff"] is not None and handed["handoff"]["status"] == "waiting"
    case_id = handed["handoff"]["case_id"]
    assert case_id in handed["answer"]

    cases = app.state.cases
    staff = app.state.staff.create_staff(f"agent-{uuid.uuid4().hex[:6]}", "a-long-password-1", "agent")
    detail = cases.get_case(case_id)
    packet = detail["packet"]
    assert packet["channel"] == "api"
    assert packet["reason"] == "talk_to_human"
    assert packet["procedures"][0]["code"] == codes(first)[0]
    assert packet["bot_told"]  # what the bot already said
    assert any("căn cước" in m["text"] for m in detail["transcript"])

    assert cases.claim(case_id, staff) is True
    quiet = chat.say("Alo, có ai không?")
    assert quiet["intent"] == "handoff_active"
    assert quiet["answer"] == ""
    assert quiet["handoff"]["case_id"] == case_id

    cases.reply(case_id, staff, "Chào anh/chị, tôi là cán bộ tổng đài, tôi đang xem hồ sơ.")
    r = chat.transcript()
    assert r.status_code == 200
    agent = [m for m in r.json()["messages"] if m["sender"] == "agent"]
    assert agent and "cán bộ tổng đài" in agent[0]["text"]
    later = chat.transcript(after=agent[0]["id"])
    assert later.json()["messages"] == []

    cases.resolve(case_id, staff, "answered")
    back = chat.say("Đăng ký tạm trú cần gì?")
    assert back["intent"] != "handoff_active"
    assert codes(back)[0] == "1.004194"


def test_two_failed_turns_in_a_row_open_a_case(client):
    chat = Chat(client)
    one = chat.say("What is the capital of France?")
    assert one["intent"] == "out_of_scope" and one["handoff"] is None
    two = chat.say("Who won the football match yesterday?")
    assert two["handoff"] is not None
    with client.app.state.cases.db.session() as session:
        case = session.get(Case, two["handoff"]["case_id"])
        assert case is not None and case.reason == "failures"


def test_complaint_opens_a_case(client):
    chat = Chat(client)
    data = chat.say("Tôi muốn khiếu nại cán bộ phường làm việc chậm trễ, hẹn mãi không trả kết quả")
    assert data["intent"] == "complaint"
    assert data["handoff"] is not None


def test_language_is_kept_switched_and_chosen(client):
    chat = Chat(client)
    en = chat.say("How do I renew my driving licence?")
    assert en["language"] == "en"
    short = chat.say("ok")
    assert short["language"] == "en"  # too short to switch
    vi = chat.say("Đăng ký thường trú cần những gì?")
    assert vi["language"] == "vi"  # the citizen switched
    chosen = chat.say("English please")
    assert chosen["intent"] == "language_set" and chosen["language"] == "en"
    follow = chat.say("1.004222")
    assert follow["language"] == "en"
    command = chat.say("/lang ja")
    assert command["language"] == "ja"


def test_secrets_and_numbers_are_never_echoed(client):
    chat = Chat(client)
    data = chat.say("Cán bộ xin mã OTP của tôi để làm căn cước, số CCCD 001099012345, có nên đưa không?")
    assert "001099012345" not in data["answer"]
    assert "OTP" in data["answer"]
    number = chat.say("Tôi muốn gặp cán bộ")
    assert number["handoff"] is not None


def test_every_turn_is_stored_with_intent_and_latency(client):
    chat = Chat(client)
    chat.say("xin chào")
    chat.say("Đăng ký kết hôn cần giấy tờ gì?")
    with client.app.state.cases.db.session() as session:
        rows = session.scalars(
            select(Message).where(Message.conversation_id == chat.id).order_by(Message.id)
        ).all()
        assert [m.sender for m in rows] == ["citizen", "bot", "citizen", "bot"]
        bot = rows[-1]
        assert bot.intent == "ask_documents"
        assert bot.latency_ms is not None and bot.latency_ms > 0
        assert bot.scores["procedures"][0]["code"] == "1.000894"
        assert session.scalar(select(func.count()).select_from(Message)) >= 4


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "x" * 5000])
def test_odd_messages_in_a_conversation_are_answered_politely(client, text):
    chat = Chat(client)
    data = chat.say(text)
    assert data["answer"]
    assert data["handoff"] is None


def test_two_unmatched_questions_open_a_case_without_offering_staff_again(client):
    # The second miss opens a case: its reply says so, and does not also ask the citizen to
    # reply "0" for a staff member (the offer the first miss made).
    chat = Chat(client)
    one = chat.say("Thủ tục xin cấp phép khai thác quặng titan ven biển làm thế nào?")
    assert one["intent"] == "no_match" and one["handoff"] is None, one["answer"][:120]
    two = chat.say("Thủ tục đăng ký thi đấu cờ tướng cấp quốc gia?")
    assert two["handoff"] is not None, two["answer"][:200]
    assert "“0”" not in two["answer"] and "0" not in two["answer"].split("(")[0], two["answer"]


def test_a_yes_with_a_phone_number_accepts_the_offer_and_keeps_the_number(client):
    chat = Chat(client)
    offered = chat.say("Tôi muốn xin giấy phép lao động cho người nước ngoài thì làm ở đâu?")
    assert offered["handoff"] is None and not offered["procedures"]  # not in the catalogue: staff offered
    yes = chat.say("yes, my number is 0905 123 456")
    assert yes["handoff"] is not None
    cases = client.app.state.cases
    with cases.db.session() as session:
        case = session.get(Case, yes["handoff"]["case_id"])
        assert case is not None
        assert case.reason == "not_in_catalogue"  # the offer's reason, not "failures"
        assert case.callback_number == "0905123456"
    # Without a yes, a number alone does not accept an offer.
    other = Chat(client)
    other.say("Tôi muốn xin giấy phép lao động cho người nước ngoài thì làm ở đâu?")
    assert other.say("không, 0905 123 456 là số của ai?")["handoff"] is None
