"""The `hotline` command as a user runs it (a real subprocess, the installed entry point)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOTLINE = [sys.executable, "-m", "channels.cli"]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    return subprocess.run([*HOTLINE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_index_then_up_to_date_then_ask_and_eval(sample_config, sample_runtime, tmp_path):
    out = tmp_path / "idx"
    first = run(
        "--config", str(sample_config), "index", "--out", str(out), "--report", str(tmp_path / "r.json")
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("built") and "procedures=44" in first.stdout
    assert "descriptions: 44 of 44 procedures (vi), 44 (en)" in first.stdout
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["imported"] == 44
    again = run("--config", str(sample_config), "index", "--out", str(out))
    assert again.returncode == 0 and again.stdout.startswith("up to date")

    ask = run("ask", "--config", str(sample_config), "--index", str(out), "--json", "sang tên xe máy")
    assert ask.returncode == 0, ask.stderr
    reply = json.loads(ask.stdout)
    assert reply["procedures"][0]["code"] == "1.013076"

    text = run("ask", "--config", str(sample_config), "--index", str(out), "--lang", "en", "khai tử")
    assert text.returncode == 0 and "1.000656" in text.stdout

    labelled = tmp_path / "set.jsonl"
    labelled.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "id": "a",
                        "kind": "procedure",
                        "lang": "vi",
                        "text": "Đăng ký kết hôn",
                        "expect_codes": ["1.000894"],
                    },
                    ensure_ascii=False,
                ),
                "{broken json",
                json.dumps({"id": "b", "kind": "handoff", "lang": "en", "text": "Let me talk to a human"}),
                json.dumps(
                    {"id": "c", "kind": "out_of_scope", "lang": "en", "text": "Who won the football match?"}
                ),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    ev = run("eval", str(labelled), "--config", str(sample_config), "--index", str(out), "--json")
    assert ev.returncode == 0, ev.stderr
    summary = json.loads(ev.stdout)
    assert summary["total"] == 3 and len(summary["skipped_lines"]) == 1
    assert summary["procedure"]["hit@1"] == 1.0
    assert summary["kinds"]["handoff"]["accuracy"] == 1.0
    assert summary["kinds"]["out_of_scope"]["accuracy"] == 1.0
    plain = run("eval", str(labelled), "--config", str(sample_config), "--index", str(out))
    assert "hit@3" in plain.stdout and "handoff" in plain.stdout


def test_missing_inputs_fail_with_a_clear_message(tmp_path):
    r = run("index", "--catalogue", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "nope.jsonl" in r.stderr
    r = run("ask", "--index", str(tmp_path / "empty"), "hello")
    assert r.returncode == 2 and "no index" in r.stderr
    r = run("--config", str(tmp_path / "missing.yml"), "ask", "hi")
    assert r.returncode == 2 and "missing.yml" in r.stderr


def test_chat_is_a_stored_conversation_in_the_terminal(sample_config, sample_runtime, sample_settings):
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    script = "Đăng ký kết hôn cần giấy tờ gì?\nlệ phí bao nhiêu?\nEnglish please\n/quit\n"
    done = subprocess.run(
        [*HOTLINE, "chat", "--config", str(sample_config), "--conversation", "cli-test-1"],
        cwd=ROOT,
        env=env,
        input=script,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "cli-test-1" in done.stdout
    assert done.stdout.count("1.000894") >= 2  # the follow-up stays on the same procedure
    assert "I will answer in English" in done.stdout

    from sqlalchemy import select

    from handoff.db import Database
    from handoff.models import Message

    db = Database(sample_settings.database_url)
    with db.session() as session:
        senders = session.scalars(
            select(Message.sender).where(Message.conversation_id == "cli-test-1").order_by(Message.id)
        ).all()
    db.dispose()
    assert senders == ["citizen", "bot"] * 3


def test_the_terminology_is_kept_built_beside_the_index_and_rebuilt_when_stale(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pickle

    from channels.runtime import load_terminology

    fresh = load_terminology(tmp_path)
    cache = tmp_path / "terminology.pickle"
    key, stored = pickle.loads(cache.read_bytes())
    assert len(stored.concepts) == len(fresh.concepts) > 0
    again = load_terminology(tmp_path)  # read from the pickle, not rebuilt
    assert [c.id for c in again.concepts] == [c.id for c in fresh.concepts]
    cache.write_bytes(pickle.dumps(("another-content", stored)))  # the YAML changed since
    load_terminology(tmp_path)
    assert pickle.loads(cache.read_bytes())[0] == key
    cache.write_bytes(b"not a pickle")
    assert len(load_terminology(tmp_path).concepts) == len(fresh.concepts)
