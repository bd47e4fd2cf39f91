"""The real Rasa server (the model `make rasa` trained) through RasaNLU, then its fallback.

Skipped, with the reason, when Python 3.10, the Rasa venv or the trained model is missing
(`make rasa` prints "rasa: skipped (Python 3.10 not found)" in the same case).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from bench.nlu import rasa_missing, rasa_server, stop
from bot.nlu import data as nlu_data
from bot.nlu.builtin import BuiltinNLU
from bot.nlu.rasa import RasaNLU

REASON = rasa_missing()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"real Rasa server unavailable: {REASON}")
# Importing TensorFlow and loading the model take ~1 min on an idle 2-core box and over
# 2 min on a busy one (CI shares its cores).
START_TIMEOUT = float(os.environ.get("RASA_START_TIMEOUT", "240"))

# Held-out sentences (asserted below) with one clear reading; both engines must get them.
HELD_OUT = {
    "[đăng ký khai sinh](procedure) trong bao lâu thì xong": "ask_duration",
    "ho so [khai tu](procedure) gom nhung gi": "ask_documents",
    "which website do I use to apply": "ask_online",
    "工作许可证的费用是多少？": "ask_fee",
    "I want to file a complaint": "complaint",
    "muon noi chuyen voi nhan vien": "talk_to_human",
}
# Clear sentences of every kind, none of them in the training data.
FRESH = {
    "Cho tôi hỏi thủ tục đăng ký khai sinh cho con": "ask_procedure",
    "tra cứu hồ sơ 000.00.24.H17-250703-0012": "dossier_status",
    "xin chào tổng đài ạ": "greet",
    "cảm ơn bạn rất nhiều nhé": "thanks",
}


@pytest.fixture(scope="module")
def builtin() -> BuiltinNLU:
    return BuiltinNLU.train()


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, object]]:
    with rasa_server(timeout=START_TIMEOUT) as running:
        yield running


def test_rasa_parses_held_out_sentences_then_falls_back_when_killed(
    server: tuple[str, object], builtin: BuiltinNLU
) -> None:
    url, proc = server
    data = nlu_data.load()
    holdout = {e.text: e.intent for e in data.holdout}
    train = {e.text for e in data.train}
    nlu = RasaNLU(url, builtin, timeout=10.0)
    assert nlu.available()

    for raw, intent in HELD_OUT.items():
        text = nlu_data.parse_example(raw)[0]
        assert holdout.get(text) == intent, f"{text!r} is no longer held out"
        p = nlu.parse(text)
        assert (p.engine, p.intent) == ("rasa", intent), text
        assert p.ranking and p.ranking[0][0] == intent
    for text, intent in FRESH.items():
        assert text not in train
        p = nlu.parse(text)
        assert (p.engine, p.intent) == ("rasa", intent), text
    code = nlu.parse("tra cứu hồ sơ 000.00.24.H17-250703-0012")
    assert ("dossier_code", "000.00.24.H17-250703-0012") in {(e.entity, e.value) for e in code.entities}

    # The model generalises to the holdout it never saw (bench/nlu.py has the figures).
    sample = data.holdout[::3]
    right = sum(nlu.parse(e.text).intent == e.intent for e in sample)
    assert right / len(sample) >= 0.6
    assert nlu.stats()["fallbacks"] == 0

    # Kill the server: the next parses come from builtin, visibly.
    stop(proc)  # type: ignore[arg-type]
    assert not nlu.available()
    p = nlu.parse("I want to file a complaint")
    assert (p.engine, p.intent) == ("builtin", "complaint")
    stats = nlu.stats()
    assert stats["fallbacks"] == 1
    assert stats["last_error"]
    nlu.close()
