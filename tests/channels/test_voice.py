"""The phone IVR end to end: whole calls simulated turn by turn, each request signed the way
Twilio signs it (HMAC-SHA1 over the public URL and the sorted form parameters, computed
with twilio's own ``RequestValidator``), through the real app, hub, assistant, database
and case service; the TwiML answers parsed with ``xml.etree``. Plus the voice-friendly
text: numbers, codes, dates, amounts and abbreviations as a voice should say them.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from channels.outbox import SendError
from channels.speech import en_number, option_label, shorten, spell, to_speech, verbalize, vi_number
from channels.spoken import estimate_seconds
from channels.voice import LANGUAGES, TOPICS, CallState, TwilioSms, build_adapter, catalogue_hints
from handoff.masking import mask_number
from handoff.models import CaseNote, Message

TOKEN = "twilio-auth-token-for-tests-0123456789"
PUBLIC = "https://hotline.example.gov.vn"
CALLER = "+84912345678"
_sids = itertools.count(1)


# -- the voice-friendly text ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (55, "năm mươi lăm"),
        (105, "một trăm linh năm"),
        (1005, "một nghìn không trăm linh năm"),
        (2025, "hai nghìn không trăm hai mươi lăm"),
        (50_000, "năm mươi nghìn"),
        (160_000, "một trăm sáu mươi nghìn"),
        (2_000_500, "hai triệu năm trăm"),
        (1_500_000_000, "một tỷ năm trăm triệu"),
    ],
)
def test_vietnamese_numbers(n: int, words: str) -> None:
    assert vi_number(n) == words


def test_english_numbers() -> None:
    assert en_number(160_000) == "one hundred sixty thousand"
    assert en_number(21) == "twenty-one"
    assert en_number(1_000_005) == "one million five"


@pytest.mark.parametrize(
    ("text", "lang", "spoken"),
    [
        ("Lệ phí 50.000 đồng.", "vi", "Lệ phí năm mươi nghìn đồng."),
        ("Mã thủ tục 1.001193.", "vi", "Mã thủ tục một chấm, không không một, một chín ba."),
        (
            "Nộp trước 03/07/2025.",
            "vi",
            "Nộp trước ngày ba tháng bảy năm hai nghìn không trăm hai mươi lăm.",
        ),
        (
            "Từ ngày 1/4/2025, xã mới",
            "vi",
            "Từ ngày một tháng tư năm hai nghìn không trăm hai mươi lăm, xã mới",
        ),
        ("Nộp tại UBND xã, mang CCCD", "vi", "Nộp tại Ủy ban nhân dân xã, mang căn cước công dân"),
        ("phí 7.000 đồng/lần", "vi", "phí bảy nghìn đồng mỗi lần"),
        ("Gọi 0903570134", "vi", "Gọi không chín không, ba năm bảy, không một ba bốn"),
        ("Giờ làm việc 07:30-11:30", "vi", "Giờ làm việc bảy giờ ba mươi đến mười một giờ ba mươi"),
        (
            "Theo Thông tư 75/2022/TT-BTC",
            "vi",
            "Theo Thông tư số bảy mươi lăm năm hai nghìn không trăm hai mươi hai",
        ),
        ("giảm 50%", "vi", "giảm năm mươi phần trăm"),
        (
            "Fee: 160,000 VND, code 1.001456",
            "en",
            "Fee: one hundred sixty thousand dong, code one point, zero zero one, four five six",
        ),
        ("Due 03/07/2025", "en", "Due 3 July 2025"),
        ("Le 03/07/2025, 160 000 VND", "fr", "Le 3 juillet 2025, cent soixante mille dongs"),
    ],
)
def test_verbalize(text: str, lang: str, spoken: str) -> None:
    assert verbalize(text, lang) == spoken


def test_spelled_codes_and_case_ids() -> None:
    assert spell("1.001193", "vi") == "một chấm không không một một chín ba"
    assert verbalize("Mã yêu cầu 251103-7K2MX", "vi") == (
        "Mã yêu cầu hai năm một một không ba gạch bảy ca hai em mờ ích"
    )
    assert "hát một bảy" in verbalize("Hồ sơ 000.00.24.H17-261120-0012", "vi")


WRITTEN = """Cấp lại thẻ căn cước

Thành phần hồ sơ:
• Phiếu đề nghị giải quyết thủ tục về căn cước (mẫu: Mẫu DC02 (Thông tư 17/2024/TT-BCA), 1 bản chính)
• Giấy tờ chứng minh là người đại diện hợp pháp (1 bản chính)
• Lệ phí 30.000 đồng nộp tại UBND xã

Nộp trực tuyến: có, tại https://dichvucong.gov.vn/thu-tuc-hanh-chinh/abc

Nguồn: Thủ tục 1.014064 – https://dichvucong.gov.vn/thu-tuc-hanh-chinh/abc

Thủ tục liên quan:
• 1.014063 – Cấp đổi thẻ căn cước"""


def test_written_reply_becomes_short_speech() -> None:
    spoken = to_speech(WRITTEN, "vi", max_sentences=4)
    assert spoken.startswith(
        "Cấp lại thẻ căn cước. Thành phần hồ sơ: Phiếu đề nghị giải quyết thủ tục về căn cước."
    )
    assert "http" not in spoken and "•" not in spoken and "(" not in spoken
    assert "ba mươi nghìn đồng" in spoken and "Ủy ban nhân dân" in spoken
    assert "Cấp đổi" not in spoken  # related procedures are not read
    # The cited procedure's code comes last, read digit by digit.
    assert spoken.endswith("Nguồn: thủ tục mã một chấm, không một bốn, không sáu bốn.")
    assert to_speech(WRITTEN, "vi", max_sentences=1).startswith("Cấp lại thẻ căn cước. Nguồn")


def test_a_written_fee_line_cut_short_is_spoken_without_its_note() -> None:
    # The issue's own words: the fallback for replies not composed from a record.
    written = (
        "Cách thức nộp hồ sơ:\n• Trực tiếp – thời hạn: 7 ngày làm việc; phí, lệ phí: 70,000 Việt Nam "
        "Đồng(- Cấp lại thẻ căn cước đối với các trường hợp quy định tại khoản 2 Điều 24 Luật…"
    )
    spoken = to_speech(written, "vi")
    assert spoken == (
        "Cách thức nộp hồ sơ: Trực tiếp, thời hạn: bảy ngày làm việc; phí, lệ phí: bảy mươi nghìn đồng."
    )


def test_shorten_keeps_whole_sentences_within_the_limit() -> None:
    text = "Câu một. Câu hai dài hơn một chút. Câu ba."
    assert shorten(text, max_sentences=2) == "Câu một. Câu hai dài hơn một chút."
    assert shorten(text, max_sentences=9, max_chars=20) == "Câu một."
    assert shorten("một, hai, ba, bốn, năm, sáu, bảy", max_chars=20).endswith(".")


def test_option_labels_lose_number_and_code() -> None:
    assert option_label("1. Thủ tục đăng ký kết hôn (1.000894)", "vi") == "Thủ tục đăng ký kết hôn"
    assert option_label("2. Marriage registration (2.000806)", "en") == "Marriage registration"


# -- configuration and pieces ----------------------------------------------------------------------
def test_disabled_without_both_secrets(sample_settings: Any) -> None:
    assert build_adapter(sample_settings, environ={}) is None
    assert build_adapter(sample_settings, environ={"TWILIO_AUTH_TOKEN": TOKEN}) is None
    assert build_adapter(sample_settings, environ={"PUBLIC_BASE_URL": PUBLIC}) is None
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL"):
        build_adapter(sample_settings, environ={"TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": "hotline.vn"})
    adapter = build_adapter(
        sample_settings, environ={"TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": PUBLIC + "/"}
    )
    assert adapter is not None and adapter.config.public_base_url == PUBLIC
    assert adapter.config.language_default == "vi" and adapter.config.confidence_threshold == 0.45
    assert adapter.sms is None  # no TWILIO_ACCOUNT_SID / sms_from


def test_options_come_from_the_voice_settings(sample_settings: Any) -> None:
    from channels.settings import VoiceSettings

    env = {"TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": PUBLIC, "TWILIO_ACCOUNT_SID": "AC1"}
    section = {
        "language_default": "en",
        "confidence_threshold": 0.6,
        "workflow_sid": "WW1",
        "hotline_number": "+842363822999",
        "sms_from": "+12025550123",
        "voices": {"vi": "Google.vi-VN-Wavenet-A"},
    }

    def with_voice(**options: Any) -> Any:
        channels = sample_settings.channels.model_copy(update={"voice": VoiceSettings(**options)})
        return sample_settings.model_copy(update={"channels": channels})

    adapter = build_adapter(with_voice(**section), environ=env)
    assert adapter is not None
    config = adapter.config
    assert (config.language_default, config.confidence_threshold, config.workflow_sid) == ("en", 0.6, "WW1")
    assert config.voice("vi") == "Google.vi-VN-Wavenet-A" and config.voice("en") == LANGUAGES["en"].voice
    assert isinstance(adapter.sms, TwilioSms)  # account SID + sms_from: SMS is on
    with pytest.raises(ValueError, match="confidence_threshold"):
        build_adapter(with_voice(confidence_threshold=2), environ=env)
    with pytest.raises(ValueError, match="language_default"):
        build_adapter(with_voice(language_default="de"), environ=env)


def test_staff_replies_go_out_by_sms_or_fail_visibly(sample_settings: Any) -> None:
    import asyncio

    env = {"TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": PUBLIC}
    adapter = build_adapter(sample_settings, environ=env)
    assert adapter is not None
    with pytest.raises(SendError) as caught:
        asyncio.run(adapter.send(CALLER, {"text": "Chào anh", "kind": "text"}))
    assert caught.value.retryable is False
    adapter.sms = recorder = RecordingSms()
    asyncio.run(adapter.send(CALLER, {"text": "Chào anh", "kind": "text"}))
    assert recorder.sent == [(CALLER, "Chào anh")]


def test_call_state_from_query_is_bounded() -> None:
    state = CallState.parse(
        {"lang": "xx", "n": "-4", "retry": "99", "menu": "evil", "proc": "1.001193"}, "vi"
    )
    assert state == CallState("vi", 1, 9, "", "1.001193")
    assert CallState.parse({"proc": "javascript:1"}, "en").proc == ""


def test_speech_hints_come_from_the_catalogue(sample_runtime: Any) -> None:
    hints = catalogue_hints(sample_runtime.index, 50)
    assert len(hints) <= 50 and all(len(h) <= 100 for h in hints)
    for phrase in ("khai sinh", "căn cước", "hộ chiếu", "tạm trú", "kết hôn", "đăng ký xe"):
        assert phrase in hints
    assert len(hints) > 25  # the catalogue's recurring alias phrases after the core list


class _Messages:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.sent: list[dict[str, Any]] = []

    def create(self, **kwargs: Any) -> None:
        if self.error is not None:
            raise self.error
        self.sent.append(kwargs)


class _Client:
    def __init__(self, error: Exception | None = None) -> None:
        self.messages = _Messages(error)


@pytest.mark.parametrize(("status", "retryable"), [(503, True), (429, True), (400, False)])
def test_sms_errors_map_to_send_errors(status: int, retryable: bool) -> None:
    import asyncio

    error = TwilioRestException(status, "https://api.twilio.com/x", "boom", code=21211)
    sms = TwilioSms("AC123", TOKEN, "+12025550123", client=_Client(error))
    with pytest.raises(SendError) as caught:
        asyncio.run(sms.send_sms(CALLER, "hello"))
    assert caught.value.retryable is retryable
    ok = TwilioSms("AC123", TOKEN, "MG123", client=_Client())
    asyncio.run(ok.send_sms(CALLER, "hello"))
    assert ok._client.messages.sent == [{"to": CALLER, "body": "hello", "messaging_service_sid": "MG123"}]


# -- whole calls through the real app ----------------------------------------------------------------
def _runtime(sample_runtime: Any) -> Any:
    # Each app hands the assistant its own case service: a copy keeps the shared runtime intact.
    return dataclasses.replace(sample_runtime, assistant=copy.copy(sample_runtime.assistant))


def _settings(sample_settings: Any, db_path: Path, *, closed: bool = False) -> Any:
    from channels.settings import DatabaseSettings, read_secrets

    update: dict[str, Any] = {"database": DatabaseSettings(url=f"sqlite:///{db_path}")}
    if closed:  # no working hours at all: every handoff is a callback
        update["handoff"] = sample_settings.handoff.model_copy(update={"hours": {}})
    # The secrets as the calling test has just set the environment (settings read it once).
    update["secrets"] = read_secrets()
    return sample_settings.model_copy(update=update)


@dataclasses.dataclass
class RecordingSms:
    sent: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    async def send_sms(self, to: str, body: str) -> None:
        self.sent.append((to, body))


def _app(
    sample_settings: Any, sample_runtime: Any, db_path: Path, *, closed: bool = False
) -> Iterator[TestClient]:
    from channels.api import create_app

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DATABASE_URL", raising=False)
        mp.delenv("TWILIO_ACCOUNT_SID", raising=False)
        mp.setenv("TWILIO_AUTH_TOKEN", TOKEN)
        mp.setenv("PUBLIC_BASE_URL", PUBLIC)
        app = create_app(_settings(sample_settings, db_path, closed=closed), runtime=_runtime(sample_runtime))
        with TestClient(app) as client:
            yield client


@pytest.fixture(scope="module")
def phone(
    sample_settings: Any, sample_runtime: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    yield from _app(sample_settings, sample_runtime, tmp_path_factory.mktemp("voice") / "hotline.db")


@pytest.fixture
def adapter(phone: TestClient) -> Iterator[Any]:
    """The running adapter; options changed by a test are put back afterwards."""
    voice = phone.app.state.adapters["voice"]
    config, sms = voice.config, voice.sms
    yield voice
    voice.config, voice.sms = config, sms


def sign(url: str, params: dict[str, str], token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


class Caller:
    """One phone call: follows the action URLs of the TwiML it gets back, as Twilio does."""

    def __init__(self, client: TestClient, number: str = CALLER) -> None:
        self.client = client
        self.sid = f"CA{next(_sids):032x}"
        self.number = number
        self.next_url = f"{PUBLIC}/voice/incoming"
        self.xml: ET.Element | None = None

    def post(self, url: str, **params: str) -> ET.Element:
        form = {"CallSid": self.sid, "From": self.number, "To": "+842363822222", "AccountSid": "AC1"} | params
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == PUBLIC, url
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        r = self.client.post(path, data=form, headers={"X-Twilio-Signature": sign(url, form)})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/xml")
        self.xml = ET.fromstring(r.content)
        gather = self.xml.find("Gather")
        if gather is not None:
            self.next_url = gather.get("action", "")
        return self.xml

    def start(self) -> ET.Element:
        return self.post(f"{PUBLIC}/voice/incoming")

    def say(self, speech: str, confidence: float = 0.92) -> ET.Element:
        return self.post(self.next_url, SpeechResult=speech, Confidence=str(confidence))

    def press(self, digits: str) -> ET.Element:
        return self.post(self.next_url, Digits=digits)

    def silence(self) -> ET.Element:
        return self.post(self.next_url)


def spoken(xml: ET.Element) -> str:
    return " ".join((s.text or "") for s in xml.iter("Say"))


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_disabled_channel_is_404(sample_settings: Any, sample_runtime: Any, tmp_path: Path) -> None:
    from channels.api import create_app

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DATABASE_URL", raising=False)
        mp.delenv("TWILIO_AUTH_TOKEN", raising=False)
        mp.setenv("PUBLIC_BASE_URL", PUBLIC)
        app = create_app(_settings(sample_settings, tmp_path / "off.db"), runtime=_runtime(sample_runtime))
        with TestClient(app) as off:
            assert off.app.state.adapters.get("voice") is None
            form = {"CallSid": "CA1", "From": CALLER}
            for path in ("/voice/incoming", "/voice/turn"):
                r = off.post(path, data=form, headers={"X-Twilio-Signature": sign(PUBLIC + path, form)})
                assert r.status_code == 404


def test_unsigned_or_badly_signed_requests_are_refused(phone: TestClient) -> None:
    form = {"CallSid": "CA1", "From": CALLER, "SpeechResult": "làm hộ chiếu"}
    url = f"{PUBLIC}/voice/turn?lang=vi&n=1"
    path = "/voice/turn?lang=vi&n=1"
    assert phone.post(path, data=form).status_code == 403  # no signature
    assert phone.post(path, data=form, headers={"X-Twilio-Signature": ""}).status_code == 403
    wrong = {
        "another token": sign(url, form, token="not-the-token"),
        "the internal URL": sign("http://testserver" + path, form),
        "another query": sign(f"{PUBLIC}/voice/turn?lang=en&n=1", form),
        "other parameters": sign(url, form | {"SpeechResult": "something else"}),
    }
    for why, signature in wrong.items():
        r = phone.post(path, data=form, headers={"X-Twilio-Signature": signature})
        assert r.status_code == 403, why
        assert r.json() == {"detail": "invalid Twilio signature"}
    good = phone.post(path, data=form, headers={"X-Twilio-Signature": sign(url, form)})
    assert good.status_code == 200


def test_greeting_offers_seven_languages_and_listens_in_vietnamese(phone: TestClient) -> None:
    xml = Caller(phone).start()
    gather = xml.find("Gather")
    assert gather is not None
    assert gather.get("input") == "speech dtmf"
    assert gather.get("language") == "vi-VN"
    assert gather.get("numDigits") == "1" and gather.get("actionOnEmptyResult") == "true"
    assert gather.get("speechTimeout") == "auto"
    assert gather.get("action", "").startswith(f"{PUBLIC}/voice/language?")
    hints = [h.strip() for h in gather.get("hints", "").split(",")]
    for phrase in ("khai sinh", "căn cước", "hộ chiếu", "tạm trú", "kết hôn", "đăng ký xe"):
        assert phrase in hints
    says = gather.findall("Say")
    assert says[0].get("language") == "vi-VN" and "Xin chào" in (says[0].text or "")
    languages = [s.get("language") for s in says]
    for lang in LANGUAGES.values():
        assert lang.say in languages
    assert "nhấn phím 1" in spoken(xml) and "press 2" in spoken(xml) and "7を押して" in spoken(xml)
    assert "Nhấn 0 để gặp cán bộ" in spoken(xml)


def test_a_vietnamese_call_turn_by_turn(phone: TestClient) -> None:
    call = Caller(phone)
    call.start()
    xml = call.press("1")
    gather = xml.find("Gather")
    assert gather is not None and gather.get("language") == "vi-VN"
    assert query(call.next_url) == {"lang": "vi", "n": "1"}
    assert "Bạn cần hỏi thủ tục nào" in spoken(xml)

    xml = call.say("Làm lại căn cước bị mất cần giấy tờ gì?")
    text = spoken(xml)
    assert "căn cước" in text
    assert "http" not in text and "dichvucong" not in text and "•" not in text
    assert "một chấm, không một bốn, không sáu bốn" in text  # the source 1.014064, in groups
    assert "không gặp cán bộ" in text  # the keypad menu after an answer ends with staff
    assert query(call.next_url)["n"] == "2" and query(call.next_url)["proc"] == "1.014064"
    assert query(call.next_url)["menu"] == "aspects"

    # A question with two close procedures: the options are read with their digits.
    xml = call.say("đăng ký kết hôn")
    text = spoken(xml)
    assert "Nhấn 1 cho Thủ tục đăng ký kết hôn." in text
    assert "Nhấn 2 cho Thủ tục đăng ký kết hôn có yếu tố nước ngoài." in text
    assert "1.000894" not in text and "(" not in text
    xml = call.press("2")
    assert "nước ngoài" in spoken(xml)
    assert query(call.next_url)["proc"] == "2.000806"

    # Every turn is stored in the call's conversation, with the recogniser's confidence passed on.
    with phone.app.state.db.session() as s:
        rows = s.scalars(select(Message).where(Message.conversation_id == f"voice:{call.sid}")).all()
        inbound = [m for m in rows if m.direction == "in"]
        assert [m.text for m in inbound] == [
            "Làm lại căn cước bị mất cần giấy tờ gì?",
            "đăng ký kết hôn",
            "2",
        ]
        assert [m.channel_message_id for m in inbound] == [f"{call.sid}:1", f"{call.sid}:2", f"{call.sid}:3"]
        assert all(m.channel == "voice" for m in rows) and len(rows) == 6


def test_the_lost_id_card_answer_is_composed_for_the_ear(phone: TestClient) -> None:
    """The defect: "bảy mươi phẩy không không không Việt Nam Đồng(- Cấp lại thẻ căn cước đối
    với …", then the code digit by digit. Now: the record's facts in words, within 20 s, then
    a keypad menu whose keys answer about the same procedure."""
    call = Caller(phone)
    call.start()
    call.press("1")
    xml = call.say("tôi muốn làm lại căn cước bị mất")
    assert xml.tag == "Response" and [child.tag for child in xml] == ["Gather"]
    gather = xml.find("Gather")
    assert gather is not None and gather.get("input") == "speech dtmf" and gather.get("numDigits") == "1"
    says = gather.findall("Say")
    assert {(s.get("voice"), s.get("language")) for s in says} == {(LANGUAGES["vi"].voice, "vi-VN")}
    answer, menu = (says[0].text or ""), (says[1].text or "")
    assert answer.startswith(
        "Cấp lại thẻ căn cước. Thời hạn bảy ngày làm việc, lệ phí ba mươi lăm nghìn đồng."
    ), answer
    assert "một chấm, không một bốn, không sáu bốn" in answer
    assert "phẩy" not in answer and "Việt Nam Đồng" not in answer and "http" not in answer
    assert not re.search(r"[\d()\[\]]", answer), answer
    assert menu.startswith("Nghe thêm: nhấn một giấy tờ, hai lệ phí") and menu.endswith("không gặp cán bộ.")
    assert estimate_seconds(f"{answer} {menu}", "vi") <= 20
    assert query(call.next_url) | {"n": ""} == {"lang": "vi", "n": "", "menu": "aspects", "proc": "1.014064"}

    xml = call.press("2")  # the fee of the same procedure
    assert spoken(xml).startswith("Lệ phí: ba mươi lăm nghìn đồng."), spoken(xml)
    assert "hai lệ phí" not in spoken(xml)  # the menu offers the other aspects
    xml = call.press("1")
    assert spoken(xml).startswith("Hồ sơ gồm ba giấy tờ: Phiếu đề nghị giải quyết thủ tục về căn cước;")
    xml = call.say("bốn")  # a key may be said instead of pressed
    assert spoken(xml).startswith("Nơi nộp: Công an cấp xã.")
    xml = call.say("không")  # "no", not the staff key
    assert xml.find("Dial") is None and xml.find("Enqueue") is None and xml.find("Record") is None
    with phone.app.state.db.session() as s:
        inbound = s.scalars(
            select(Message.text).where(
                Message.conversation_id == f"voice:{call.sid}", Message.direction == "in"
            )
        ).all()
    # Each key is the caller's question in the conversation, for the transcript staff see.
    assert inbound == [
        "tôi muốn làm lại căn cước bị mất",
        "lệ phí bao nhiêu?",
        "cần giấy tờ gì?",
        "nộp ở đâu?",
        "không",
    ]


def test_where_without_a_commune_asks_for_it_aloud(phone: TestClient) -> None:
    call = Caller(phone)
    call.start()
    call.press("1")
    answer = call.say("đăng ký khai sinh nộp ở đâu").find("Gather").findall("Say")[0].text or ""  # type: ignore[union-attr]
    assert answer.startswith("Nơi nộp: Ủy ban nhân dân cấp xã."), answer
    assert "Hãy cho tôi biết xã, phường của bạn để tôi chỉ nơi nộp gần nhất." in answer


def test_a_menu_key_for_a_procedure_no_longer_indexed_is_still_answered(phone: TestClient) -> None:
    call = Caller(phone)
    call.next_url = f"{PUBLIC}/voice/turn?lang=vi&n=1&menu=aspects&proc=9.999999"
    xml = call.press("2")  # the record is gone (a re-indexed catalogue): the written answer, spoken
    assert xml.find("Gather") is not None and spoken(xml)
    assert CallState.parse({"menu": "aspects", "proc": "1.014064"}, "vi").menu == "aspects"


@pytest.mark.parametrize(
    ("digit", "question", "fee", "duration"),
    [
        ("3", "combien coûte un passeport ?", "cent soixante mille dongs", "Délai : huit jours ouvrables."),
        ("5", "办护照要多少钱？", "十六万越南盾", "办理时限：八个工作日。"),
    ],
)
def test_a_foreign_caller_hears_amounts_and_durations_in_words(
    phone: TestClient, digit: str, question: str, fee: str, duration: str
) -> None:
    call = Caller(phone)
    call.start()
    call.press(digit)
    xml = call.say(question)
    answer = xml.find("Gather").findall("Say")[0].text or ""  # type: ignore[union-attr]
    assert fee in answer and not re.search(r"[\d()]", answer), answer
    assert query(call.next_url)["menu"] == "aspects"
    xml = call.press("3")  # the time limit of the same procedure
    assert spoken(xml).startswith(duration), spoken(xml)


def test_an_english_call(phone: TestClient) -> None:
    call = Caller(phone)
    call.start()
    xml = call.press("2")
    gather = xml.find("Gather")
    assert gather is not None and gather.get("language") == "en-US"
    assert {s.get("voice") for s in xml.iter("Say")} == {LANGUAGES["en"].voice}
    xml = call.say("How much does a Vietnamese passport cost?")
    text = spoken(xml)
    assert "one hundred sixty thousand dong" in text
    assert "one point, zero zero one, four five six" in text
    assert "http" not in text and "zero for staff" in text
    assert xml.find("Gather").get("language") == "en-US"  # type: ignore[union-attr]


def test_a_question_asked_during_the_greeting_is_answered_in_vietnamese(phone: TestClient) -> None:
    call = Caller(phone)
    call.start()
    xml = call.say("làm hộ chiếu mất bao lâu")
    assert "hộ chiếu" in spoken(xml).lower() and "tám ngày làm việc" in spoken(xml)
    assert urlsplit(call.next_url).path == "/voice/turn" and query(call.next_url)["n"] == "2"


def test_low_confidence_is_asked_again_once_then_a_keypad_menu(phone: TestClient) -> None:
    call = Caller(phone)
    call.start()
    call.press("1")
    before = query(call.next_url)
    xml = call.say("lam ho chu", confidence=0.21)
    assert "chưa nghe rõ" in spoken(xml)
    assert query(call.next_url) == before | {"retry": "1"}  # the same turn, asked again
    xml = call.say("lam ho chieu", confidence=0.3)
    text = spoken(xml)
    assert "Nhấn 1 cho đăng ký khai sinh." in text and "Nhấn 3 cho làm hộ chiếu." in text
    assert "Nhấn 0 để gặp cán bộ" in text
    assert query(call.next_url)["menu"] == "topics"
    xml = call.press("3")
    assert "hộ chiếu" in spoken(xml).lower() and "Nhấn 1 cho" not in spoken(xml)
    with phone.app.state.db.session() as s:
        texts = s.scalars(
            select(Message.text).where(
                Message.conversation_id == f"voice:{call.sid}", Message.direction == "in"
            )
        ).all()
    assert texts == [TOPICS[2]["vi"]]  # unheard speech is not taken for a question


def test_silence_asks_again_then_offers_the_menu_then_hangs_up(phone: TestClient) -> None:
    call = Caller(phone)
    call.start()
    call.press("1")
    assert "chưa nghe thấy" in spoken(call.silence())
    xml = call.silence()
    assert "Nhấn 1 cho đăng ký khai sinh." in spoken(xml) and query(call.next_url)["menu"] == "topics"
    xml = call.silence()
    assert xml.find("Hangup") is not None and xml.find("Gather") is None


def test_digit_zero_queues_the_call_in_taskrouter_with_the_packet(phone: TestClient, adapter: Any) -> None:
    adapter.config = dataclasses.replace(adapter.config, workflow_sid="WW0123456789abcdef0123456789abcdef")
    call = Caller(phone)
    call.start()
    call.press("1")
    call.say("Làm lại căn cước bị mất cần giấy tờ gì?")
    xml = call.press("0")
    enqueue = xml.find("Enqueue")
    assert enqueue is not None and enqueue.get("workflowSid") == "WW0123456789abcdef0123456789abcdef"
    assert enqueue.get("action", "").startswith(f"{PUBLIC}/voice/transfer-done?")
    attributes = json.loads(enqueue.findtext("Task") or "{}")
    case_id = attributes["case_id"]
    assert attributes["reason"] == "talk_to_human" and attributes["language"] == "vi"
    assert attributes["procedures"][0] == "1.014064"
    assert attributes["caller"] == mask_number(CALLER) == "********678" and CALLER not in json.dumps(
        attributes
    )
    assert attributes["console_url"] == f"{PUBLIC}/console/cases/{case_id}"
    assert "Mã yêu cầu của bạn là" in spoken(xml) and "giữ máy" in spoken(xml)
    # The case is in the console's queue with the call's transcript.
    case = phone.app.state.cases.get_case(case_id)
    assert case["channel"] == "voice" and case["conversation_id"] == f"voice:{call.sid}"
    assert case["status"] == "waiting" and case["channel_user_id"] == CALLER
    assert any("căn cước" in m["text"] for m in case["transcript"])
    # After the conversation with staff the call ends.
    xml = call.post(enqueue.get("action", ""), QueueResult="bridged")
    assert xml.find("Hangup") is not None


def test_digit_zero_dials_the_hotline_with_a_whisper(phone: TestClient, adapter: Any) -> None:
    adapter.config = dataclasses.replace(adapter.config, workflow_sid=None, hotline_number="+842363822999")
    call = Caller(phone)
    call.start()
    call.press("1")
    call.say("làm hộ chiếu mất bao lâu")
    xml = call.press("0")
    dial = xml.find("Dial")
    assert dial is not None
    number = dial.find("Number")
    assert number is not None and number.text == "+842363822999"
    whisper_url = number.get("url", "")
    case_id = query(whisper_url)["case"]
    # What the staff member hears when picking up: the case and the topic.
    whisper = call.post(whisper_url, CallSid="CA" + "f" * 32)
    text = spoken(whisper)
    assert "Mã yêu cầu" in text and "hộ chiếu" in text and "tiếng Việt" in text
    assert whisper.find("Say").get("language") == "vi-VN"  # type: ignore[union-attr]
    # Nobody answered: the caller leaves a message instead, kept for a callback.
    xml = call.post(dial.get("action", ""), DialCallStatus="no-answer")
    record = xml.find("Record")
    assert record is not None and query(record.get("action", ""))["case"] == case_id
    assert "chưa có cán bộ nào nghe máy" in spoken(xml)
    assert phone.app.state.cases.get_case(case_id)["callback_number_full"] == CALLER


def test_without_a_queue_or_hotline_number_the_caller_leaves_a_message(
    phone: TestClient, adapter: Any
) -> None:
    adapter.config = dataclasses.replace(adapter.config, workflow_sid=None, hotline_number=None)
    call = Caller(phone)
    call.start()
    xml = call.press("0")  # straight from the language menu
    assert xml.find("Record") is not None and "chưa có cán bộ nào nghe máy" in spoken(xml)
    case_id = query(xml.find("Record").get("action", ""))["case"]  # type: ignore[union-attr]
    case = phone.app.state.cases.get_case(case_id)
    assert case["reason"] == "talk_to_human" and case["callback_number_full"] == CALLER
    assert [m["text"] for m in case["transcript"] if m["direction"] == "in"] == ["tôi muốn gặp cán bộ"]


def test_saying_you_want_staff_also_transfers(phone: TestClient, adapter: Any) -> None:
    adapter.config = dataclasses.replace(adapter.config, workflow_sid=None, hotline_number="+842363822999")
    call = Caller(phone)
    call.start()
    call.press("1")
    xml = call.say("tôi muốn gặp cán bộ")
    assert xml.find("Dial") is not None


def test_link_by_sms_on_digit_nine(phone: TestClient, adapter: Any) -> None:
    adapter.sms = recorder = RecordingSms()
    call = Caller(phone)
    call.start()
    call.press("1")
    xml = call.say("đăng ký tạm trú cần giấy tờ gì")
    assert "Nhấn chín để nhận mã thủ tục và đường link qua tin nhắn" in spoken(xml)
    proc = query(call.next_url)["proc"]
    xml = call.press("9")
    assert "đã gửi đường link" in spoken(xml) and xml.find("Gather") is not None
    deadline = time.monotonic() + 5
    while not recorder.sent and time.monotonic() < deadline:
        time.sleep(0.05)
    assert recorder.sent, "the outbox worker did not send the SMS"
    to, body = recorder.sent[0]
    url = phone.app.state.runtime.index.procedure(proc).url
    assert to == CALLER and proc in body and url in body


def test_outside_working_hours_a_message_is_recorded_for_a_callback(
    sample_settings: Any, sample_runtime: Any, tmp_path: Path
) -> None:
    for client in _app(sample_settings, sample_runtime, tmp_path / "closed.db", closed=True):
        call = Caller(client)
        call.start()
        call.press("2")
        call.say("How do I apply for a passport?")
        xml = call.press("0")
        assert xml.find("Dial") is None and xml.find("Enqueue") is None
        assert "not available right now" in spoken(xml) and "after the beep" in spoken(xml)
        record = xml.find("Record")
        assert record is not None
        action = record.get("action", "")
        assert urlsplit(action).path == "/voice/recorded" and record.get("finishOnKey") == "#"
        assert record.get("transcribe") == "true"  # English messages are transcribed
        assert xml.find("Hangup") is not None  # when nothing was recorded
        case_id = query(action)["case"]
        case = client.app.state.cases.get_case(case_id)
        assert case["callback"] is True and case["callback_number_full"] == CALLER
        assert case["callback_number"] == mask_number(CALLER)

        recording = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE123"
        xml = call.post(action, RecordingUrl=recording, RecordingDuration="14", RecordingSid="RE123")
        assert "Thank you for your message" in spoken(xml) and xml.find("Hangup") is not None
        transcribed = record.get("transcribeCallback", "")
        call.post(
            transcribed, TranscriptionText="Please call me about my passport", TranscriptionStatus="completed"
        )
        with client.app.state.db.session() as s:
            notes = s.scalars(select(CaseNote.text).where(CaseNote.case_id == case_id)).all()
        assert any(recording in n and "14 giây" in n for n in notes)
        assert any("Please call me about my passport" in n for n in notes)
        assert CALLER not in " ".join(notes)
        # Staff see it in the console's queue as a callback.
        queue = client.app.state.cases.list_queue(callback=True)
        assert case_id in [c["id"] for c in queue]
