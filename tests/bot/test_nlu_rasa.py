"""RasaNLU against a mock transport and a dead port: mapping, visible fallback, health."""

from __future__ import annotations

import json
import logging
import socket

import httpx
import pytest

from bot.nlu import Parse
from bot.nlu.builtin import BuiltinNLU
from bot.nlu.rasa import RasaError, RasaNLU, from_rasa

RASA_BODY = {
    "text": "tra cứu hồ sơ H29.22-250701-0001",
    "intent": {"name": "dossier_status", "confidence": 0.97},
    "entities": [
        {
            "entity": "dossier_code",
            "start": 14,
            "end": 32,
            "value": "H29.22-250701-0001",
            "extractor": "RegexEntityExtractor",
        },
        {
            "entity": "dossier_code",
            "start": 14,
            "end": 32,
            "value": "H29.22-250701-0001",
            "extractor": "DIETClassifier",
            "confidence_entity": 0.9,
        },
    ],
    "intent_ranking": [
        {"name": "dossier_status", "confidence": 0.97},
        {"name": "ask_duration", "confidence": 0.02},
        {"name": "complaint", "confidence": 0.01},
    ],
}


@pytest.fixture(scope="module")
def builtin() -> BuiltinNLU:
    return BuiltinNLU.train()


def mock(handler: object) -> httpx.MockTransport:
    return httpx.MockTransport(handler)  # type: ignore[arg-type]


def test_maps_a_rasa_parse(builtin: BuiltinNLU) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=RASA_BODY)

    nlu = RasaNLU("http://rasa.test:5005/", builtin, transport=mock(handler))
    p = nlu.parse(RASA_BODY["text"])  # type: ignore[arg-type]
    assert seen[0].method == "POST"
    assert str(seen[0].url) == "http://rasa.test:5005/model/parse"
    assert json.loads(seen[0].content) == {"text": RASA_BODY["text"]}
    assert isinstance(p, Parse)
    assert (p.engine, p.intent, p.confidence) == ("rasa", "dossier_status", 0.97)
    assert p.ranking == [("dossier_status", 0.97), ("ask_duration", 0.02), ("complaint", 0.01)]
    # DIET and the regex extractor report the same span once.
    assert [(e.entity, e.value, e.start, e.end) for e in p.entities] == [
        ("dossier_code", "H29.22-250701-0001", 14, 32)
    ]
    assert nlu.stats()["fallbacks"] == 0
    assert nlu.stats()["calls"] == 1


def test_rule_entities_rasa_missed_are_added(builtin: BuiltinNLU) -> None:
    body = {"text": "English please", "intent": {"name": "affirm", "confidence": 0.4}, "entities": []}
    nlu = RasaNLU("http://rasa.test", builtin, transport=mock(lambda r: httpx.Response(200, json=body)))
    p = nlu.parse("English please")
    assert p.engine == "rasa"
    assert [(e.entity, e.value) for e in p.entities] == [("language", "en")]
    plain = RasaNLU(
        "http://rasa.test",
        builtin,
        transport=mock(lambda r: httpx.Response(200, json=body)),
        merge_rule_entities=False,
    )
    assert plain.parse("English please").entities == []


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (httpx.Response(500, text="Internal Server Error"), "HTTP 500"),
        (httpx.Response(503, text="loading"), "HTTP 503"),
        (httpx.Response(200, text="<html>proxy error</html>"), "not JSON"),
        (httpx.Response(200, json={"text": "x"}), "not a Rasa parse"),
        (httpx.Response(200, json=[1, 2]), "not a Rasa parse"),
        (httpx.Response(200, json={"intent": {"name": "greet", "confidence": "high"}}), "malformed"),
    ],
)
def test_bad_answers_fall_back_visibly(
    builtin: BuiltinNLU, response: httpx.Response, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    nlu = RasaNLU("http://rasa.test", builtin, transport=mock(lambda r: response))
    with caplog.at_level(logging.WARNING, logger="bot.nlu.rasa"):
        p = nlu.parse("Làm hộ chiếu mất bao lâu?")
    assert p.engine == "builtin"
    assert p.intent == builtin.parse("Làm hộ chiếu mất bao lâu?").intent
    stats = nlu.stats()
    assert (stats["calls"], stats["fallbacks"], stats["fallback_rate"]) == (1, 1, 1.0)
    assert reason in stats["last_error"]
    assert "rasa NLU at http://rasa.test failed" in caplog.text
    assert "answering with builtin" in caplog.text


def test_timeout_falls_back(builtin: BuiltinNLU) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    nlu = RasaNLU("http://rasa.test", builtin, timeout=0.2, transport=mock(handler))
    p = nlu.parse("cảm ơn")
    assert (p.engine, p.intent) == ("builtin", "thanks")
    assert "timeout after 0.2 s" in nlu.stats()["last_error"]


def test_warns_once_per_outage_then_every_hundred(
    builtin: BuiltinNLU, caplog: pytest.LogCaptureFixture
) -> None:
    state = {"up": False}

    def handler(request: httpx.Request) -> httpx.Response:
        if state["up"]:
            return httpx.Response(200, json=RASA_BODY)
        return httpx.Response(502)

    nlu = RasaNLU("http://rasa.test", builtin, transport=mock(handler))
    with caplog.at_level(logging.INFO, logger="bot.nlu.rasa"):
        for _ in range(150):
            assert nlu.parse("xin chào").engine == "builtin"
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 2  # the first failure and the 100th
        state["up"] = True
        assert nlu.parse("xin chào").engine == "rasa"
        assert "answers again" in caplog.text
    assert nlu.stats()["fallbacks"] == 150
    assert nlu.stats()["calls"] == 151


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # closed again: nothing listens there


def test_dead_port_falls_back_and_is_unavailable(builtin: BuiltinNLU) -> None:
    nlu = RasaNLU(f"http://127.0.0.1:{dead_port()}", builtin, timeout=0.5)
    with nlu:
        assert nlu.available() is False
        p = nlu.parse("tôi muốn khiếu nại")
        assert (p.engine, p.intent) == ("builtin", "complaint")
        assert "ConnectError" in nlu.stats()["last_error"]
        assert nlu.stats()["fallbacks"] == 1


def test_available_reads_status(builtin: BuiltinNLU) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/status"
        return httpx.Response(
            200, json={"model_file": "nlu.tar.gz", "model_id": "abc", "num_active_training_jobs": 0}
        )

    assert RasaNLU("http://rasa.test", builtin, transport=mock(handler)).available() is True
    no_model = mock(lambda r: httpx.Response(200, json={"model_file": None, "model_id": None}))
    assert RasaNLU("http://rasa.test", builtin, transport=no_model).available() is False
    down = mock(lambda r: httpx.Response(500))
    assert RasaNLU("http://rasa.test", builtin, transport=down).available() is False


def test_from_rasa_without_ranking() -> None:
    p = from_rasa({"intent": {"name": "greet", "confidence": 0.8}, "entities": []})
    assert p.ranking == [("greet", 0.8)]
    empty = from_rasa({"intent": {"name": None, "confidence": 0.0}, "entities": []})
    assert empty.intent == "out_of_scope"
    with pytest.raises(RasaError):
        from_rasa({"intent": "greet"})
