"""`hotline ask` starts light: what a one-shot answer never uses is never imported.

Structural, not timed: the imports are read from ``python -X importtime`` of the real
command in a subprocess. torch and the database layer were most of the 6 s `ask` took.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.assistant import Turn
from channels.cli import build_parser, command_of

ROOT = Path(__file__).resolve().parents[2]
# Never needed to answer one question from a built index.
HEAVY = ("torch", "transformers", "sentence_transformers", "sqlalchemy", "alembic", "aiogram", "argon2")
_IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$")


def ask(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "channels.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    modules = {m.group(1) for m in map(_IMPORT_LINE.match, done.stderr.splitlines()) if m}
    return done, modules


def test_ask_answers_without_torch_or_the_database_layer(sample_config, sample_settings, sample_runtime):
    index = sample_settings.resolve(sample_settings.index.path)
    question = "Đăng ký kết hôn cần giấy tờ gì?"
    done, modules = ask("--config", str(sample_config), "ask", "--index", str(index), "--json", question)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "channels.runtime" in modules and "knowledge.numpy_bert" in modules  # the import log was read
    roots = {m.split(".")[0] for m in modules}
    assert not roots & set(HEAVY), sorted(roots & set(HEAVY))
    # The same answer as the serving runtime (torch encoder, preloaded language models).
    reply = json.loads(done.stdout)
    served = sample_runtime.assistant.handle(Turn(question, None, None, channel="cli"))
    assert reply["procedures"] and reply["procedures"][0]["code"] == "1.000894"
    assert [p["code"] for p in reply["procedures"]] == [p.code for p in served.procedures]
    assert reply["answer"] == served.answer


def test_an_english_question_too(sample_config, sample_settings, sample_runtime):
    index = sample_settings.resolve(sample_settings.index.path)
    done, modules = ask(
        "--config", str(sample_config), "ask", "--index", str(index), "--json", "How do I register a death?"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert not {m.split(".")[0] for m in modules} & set(HEAVY)
    # Its function words say English: lingua's models (0.6-0.9 s to load) are not needed.
    assert "lingua" not in {m.split(".")[0] for m in modules}
    reply = json.loads(done.stdout)
    assert reply["language"] == "en"
    assert reply["procedures"][0]["code"] == "1.000656"


def test_the_staff_and_privacy_commands_are_parsed_only_when_named():
    assert command_of(["--config", "x.yml", "-v", "ask", "hello"]) == "ask"
    assert command_of(["--verbose"]) is None
    light = build_parser("ask")
    full = build_parser()
    commands = full._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"staff", "privacy"} <= set(commands)
    assert light.parse_args(["ask", "hi"]).command == "ask"
    assert full.parse_args(["staff", "list"]).command == "staff"
    assert (
        build_parser(command_of(["privacy", "purge"])).parse_args(["privacy", "purge"]).command == "privacy"
    )
