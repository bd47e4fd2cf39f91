"""A bare phone number sent after the bot asked for a callback number (issue 9, item 7) is kept
on the case, echoed masked, and stored; never answered as unreadable. Through the real app:
``POST /api/v1/ask`` with TestClient and its lifespan, staff hours closed so that every handoff
asks for a number."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from handoff.models import Case, Message


@pytest.fixture(scope="module")
def closed(
    sample_settings: Any, sample_runtime: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    from channels.api import create_app
    from channels.settings import DatabaseSettings

    db_path: Path = tmp_path_factory.mktemp("callback") / "hotline.db"
    settings = sample_settings.model_copy(
        update={
            "database": DatabaseSettings(url=f"sqlite:///{db_path}"),
            # No working hours at all: every handoff is a callback.
            "handoff": sample_settings.handoff.model_copy(update={"hours": {}}),
        }
    )
    # The app hands the assistant its own case service: a copy keeps the shared runtime intact.
    runtime = dataclasses.replace(sample_runtime, assistant=copy.copy(sample_runtime.assistant))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DATABASE_URL", raising=False)
        with TestClient(create_app(settings, runtime=runtime)) as client:
            yield client


def ask(client: TestClient, text: str, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    # Sends back the conversation's id, and its token where the server issues one.
    body = {
        "text": text,
        **{k: previous[k] for k in ("conversation_id", "conversation_token") if k in (previous or {})},
    }
    r = client.post("/api/v1/ask", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _asked_for_a_number(client: TestClient) -> dict[str, Any]:
    first = ask(client, "Tôi muốn nói chuyện với cán bộ")
    assert first["handoff"] is not None and first["handoff"]["case_id"]
    assert "nhắn số điện thoại" in first["answer"]  # the bot asks for a callback number
    return first


@pytest.mark.parametrize(
    ("sent", "kept", "echo"),
    [
        ("0912345678", "0912345678", "*******678"),
        ("0905 123 456", "0905123456", "*******456"),  # the bot's own example format
        ("0905.123.456", "0905123456", "*******456"),
        ("+84 905 123 456", "+84905123456", "********456"),
        ("(+84) 905-123-456", "+84905123456", "********456"),
        ("０９０５１２３４５６", "0905123456", "*******456"),  # full-width, from a CJK keyboard
        ("024 3825 1234", "02438251234", "********234"),  # a landline
        ("số của tôi là 0987 654 321 nhé", "0987654321", "*******321"),
    ],
)
def test_bare_number_is_the_callback_number(closed: TestClient, sent: str, kept: str, echo: str) -> None:
    first = _asked_for_a_number(closed)
    case_id = first["handoff"]["case_id"]
    reply = ask(closed, sent, first)
    assert reply["conversation_id"] == first["conversation_id"]
    assert reply["intent"] == "callback", reply["answer"]
    assert reply["handoff"] == {"case_id": case_id, "status": "waiting"}
    assert echo in reply["answer"] and kept not in reply["answer"] and sent not in reply["answer"]
    with closed.app.state.db.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.callback is True and case.callback_number == kept
        texts = s.scalars(
            select(Message.text)
            .where(Message.conversation_id == first["conversation_id"])
            .order_by(Message.id)
        ).all()
    assert sent in texts  # the citizen's message is stored as sent
    assert texts[-1] == reply["answer"]  # and so is the masked acknowledgement
    # The console's list shows the number masked; the case view gives the agent the full one.
    listed = {c["id"]: c for c in closed.app.state.cases.list_queue(callback=True)}
    assert listed[case_id]["callback_number"] == echo
    assert closed.app.state.cases.get_case(case_id)["callback_number_full"] == kept


def test_a_number_too_short_is_asked_again_and_a_question_moves_on(closed: TestClient) -> None:
    first = _asked_for_a_number(closed)
    again = ask(closed, "0905 123", first)
    assert again["intent"] == "callback" and "0905 123 456" in again["answer"]  # the example, again
    kept = ask(closed, "0905 123 456", again)
    assert kept["intent"] == "callback" and "*******456" in kept["answer"]
    # Once kept, a bare number is no longer a callback number.
    after = ask(closed, "Đăng ký khai sinh cần giấy tờ gì?", kept)
    assert after["intent"] != "callback" and after["procedures"]


def test_asking_how_long_outside_hours_asks_for_the_number_again(closed: TestClient) -> None:
    first = _asked_for_a_number(closed)
    wait = ask(closed, "Tôi phải chờ bao lâu?", first)
    assert wait["intent"] == "handoff_status" and "nhắn số điện thoại" in wait["answer"]
    kept = ask(closed, "0912 345 678", wait)
    assert kept["intent"] == "callback" and "*******678" in kept["answer"]
    with closed.app.state.db.session() as s:
        case = s.get(Case, first["handoff"]["case_id"])
        assert case is not None and case.callback_number == "0912345678"


def test_without_a_pending_question_digits_stay_unreadable(closed: TestClient) -> None:
    reply = ask(closed, "0912345678")
    assert reply["intent"] == "unreadable" and reply["handoff"] is None
