"""The HTTP contract of DESIGN.md, through the real app and its lifespan."""

from __future__ import annotations

import pytest

KEYS = {
    "conversation_id",
    "conversation_token",
    "language",
    "intent",
    "answer",
    "procedures",
    "place",
    "centre",
    "needs_clarification",
    "options",
    "handoff",
    "blocks",
}


def ask(client, **body):  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/ask", json=body)
    assert r.status_code == 200, r.text
    data = r.json()
    assert set(data) == KEYS
    return data


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["checks"]["index"] is True
    assert r.json()["procedures"] == 44


def test_grounded_answer_cites_code_and_link(client):
    data = ask(client, text="Làm lại căn cước bị mất cần giấy tờ gì?")
    top = data["procedures"][0]
    assert top["code"] == "1.014064"
    assert top["url"].startswith("https://dichvucong.gov.vn/")
    assert 0 < top["score"] <= 1
    assert "1.014064" in data["answer"] and top["url"] in data["answer"]
    assert data["language"] == "vi" and data["intent"] == "ask_documents"


def test_a_composed_answer_comes_with_its_blocks(client):
    data = ask(client, text="Làm lại căn cước bị mất thì lệ phí bao nhiêu?")
    assert data["intent"] == "ask_fee" and len(data["answer"]) <= 600
    kinds = [b["kind"] for b in data["blocks"] if b["primary"]]
    assert kinds[0] == "summary" and "fees" in kinds and kinds[-2:] == ["citation", "options"]
    citation = next(b for b in data["blocks"] if b["kind"] == "citation")
    assert citation["code"] == "1.014064" and citation["url"] == data["procedures"][0]["url"]
    menu = next(b for b in data["blocks"] if b["kind"] == "options")["options"]
    assert [o["send"] for o in menu] == [str(i) for i in range(1, len(menu))] + ["0"]
    # The other aspects come as sections on request; the answer text is the primary blocks.
    assert {b["kind"] for b in data["blocks"] if not b["primary"]} >= {"documents", "where"}
    assert data["answer"].count(citation["url"]) == 1
    # A reply composed as text alone has none.
    assert ask(client, text="xin chào")["blocks"] == []


def test_without_diacritics_and_in_english(client):
    assert ask(client, text="dang ky khai sinh cho con")["procedures"][0]["code"] in {"1.001193", "2.000986"}
    data = ask(client, text="How much does a Vietnamese passport cost?")
    assert data["language"] == "en" and data["procedures"][0]["code"] == "1.001456"
    assert data["intent"] == "ask_fee"
    assert "Source" in data["answer"]


def test_conversation_id_and_token_are_issued_and_kept(client):
    first = ask(client, text="xin chào")
    generated, token = first["conversation_id"], first["conversation_token"]
    assert generated.startswith("api_") and len(token) >= 40
    again = ask(client, text="Đăng ký kết hôn", conversation_id=generated, conversation_token=token)
    assert again["conversation_id"] == generated and again["conversation_token"] == token
    other = ask(client, text="xin chào")
    assert other["conversation_id"] != generated and other["conversation_token"] != token


def test_explicit_language_wins(client):
    data = ask(client, text="đăng ký kết hôn", lang="fr")
    assert data["language"] == "fr" and data["procedures"][0]["code"] == "1.000894"


def test_out_of_scope_asserts_nothing(client):
    data = ask(client, text="What is the capital of France?")
    assert data["procedures"] == [] and data["intent"] == "out_of_scope"


def test_handoff_request_is_recognised(client):
    data = ask(client, text="Tôi muốn nói chuyện với cán bộ")
    assert data["intent"] == "talk_to_human" and data["procedures"] == []


def test_place_change_and_ambiguity(client):
    data = ask(client, text="phuong thach thang hai chau gio la phuong gi")
    assert data["intent"] == "ask_place_change" and "Hải Châu" in data["answer"]
    assert data["place"]["province"].endswith("Đà Nẵng")
    data = ask(client, text="Phường 1 cũ nay thuộc phường nào?")
    assert data["needs_clarification"] and len(data["options"]) >= 2


def test_centre_address_is_given_or_honestly_missing(client):
    data = ask(client, text="Địa chỉ trung tâm hành chính công phường Hải Châu, Đà Nẵng")
    assert data["centre"] is not None and "Lê Hồng Phong" in data["centre"]["address"]
    assert "Lê Hồng Phong" in data["answer"]
    # Cẩm Lệ has no centre in the sample list: the commune is named, no address invented.
    data = ask(client, text="Nộp hồ sơ ở đâu tại phường Cẩm Lệ?")
    assert data["centre"] is None and "Cẩm Lệ" in data["answer"]


@pytest.mark.parametrize("text", ["", "   \n\t ", "😀😀😀", "\x00\x01\x02", "x" * 10_000])
def test_odd_text_gets_a_polite_reply(client, text):
    data = ask(client, text=text)
    assert data["procedures"] == [] and data["answer"]
    assert data["intent"] in {"empty", "unreadable", "too_long"}


def test_unknown_language_code_is_not_an_error(client):
    data = ask(client, text="Thủ tục đăng ký kết hôn", lang="de")
    assert data["language"] == "vi" and data["procedures"]


def test_invalid_json_and_wrong_types_are_422_json(client):
    r = client.post("/api/v1/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "detail" in r.json()
    for body in (
        {"text": 5},
        {},
        {"text": "hi", "conversation_id": ["x"]},
        {"text": "hi", "lang": 3},
        {"text": "hi", "conversation_id": "bad id with spaces"},
    ):
        r = client.post("/api/v1/ask", json=body)
        assert r.status_code == 422, body
        assert isinstance(r.json()["detail"], list)


def test_oversized_body_is_413(client):
    r = client.post(
        "/api/v1/ask",
        content=b'{"text": "' + b"a" * 70_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413 and "too large" in r.json()["detail"]


def test_procedure_record_and_index_info(client):
    r = client.get("/api/v1/procedures/1.001193")
    assert r.status_code == 200 and r.json()["code"] == "1.001193" and r.json()["channels"]
    assert client.get("/api/v1/procedures/9.999999").status_code == 404
    info = client.get("/api/v1/index").json()
    assert info["procedures"] == 44 and len(info["content_hash"]) == 64
    assert info["sources"] == ["catalogue.jsonl"]  # file names, not the server's folders


def test_web_chat_is_served(client):
    r = client.get("/")
    assert r.status_code == 200 and "/api/v1/ask" in client.get("/static/chat.js").text
    assert "<html" in r.text.lower()


def test_complaint_is_offered_to_staff(client):
    data = ask(client, text="Cán bộ một cửa hạch sách, tôi muốn phản ánh")
    assert data["intent"] == "complaint" and data["procedures"] == []
    assert data["answer"]


def test_the_chat_page_allows_only_its_own_scripts_and_framing_by_this_origin(client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'self'" in csp and page.headers["x-frame-options"] == "SAMEORIGIN"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"


def test_the_operator_portal_may_frame_the_chat_page(sample_settings, sample_runtime) -> None:
    from fastapi.testclient import TestClient
    from pydantic import ValidationError

    from channels.api import create_app
    from channels.settings import WebChatSettings

    webchat = sample_settings.webchat.model_copy(
        update={"frame_ancestors": ["https://dichvucong.danang.gov.vn"]}
    )
    settings = sample_settings.model_copy(update={"webchat": webchat})
    with TestClient(create_app(settings, runtime=sample_runtime)) as c:
        page = c.get("/")
    assert (
        "frame-ancestors 'self' https://dichvucong.danang.gov.vn" in page.headers["content-security-policy"]
    )
    assert "x-frame-options" not in page.headers  # it would forbid the portal the policy allows
    with pytest.raises(ValidationError):
        WebChatSettings(frame_ancestors=["javascript:alert(1)"])
