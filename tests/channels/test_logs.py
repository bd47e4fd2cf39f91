"""Logs: JSON lines with the request, conversation and case they are about (personal ids
masked), request ids through the real app, and commands that stay quiet by default."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from channels.api import create_app
from channels.logs import ContextFilter, JsonFormatter, TextFormatter, bind, logging_config, resolve_format
from channels.settings import DatabaseSettings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def captured():  # type: ignore[no-untyped-def]
    """The root logger's lines as the JSON formatter writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_json_lines_carry_bound_ids_and_mask_personal_ones(captured):
    log = logging.getLogger("hotline.test")
    with bind(request_id="req-1", conversation_id="voice:+84905123456"):
        with bind(case_id="261207-553ZN"):
            log.info("opened %s", "a case")
        log.warning("after the case")
    log.info("outside")
    lines = captured()
    assert lines[0]["message"] == "opened a case" and lines[0]["level"] == "INFO"
    assert lines[0]["logger"] == "hotline.test" and lines[0]["time"].endswith("+00:00")
    assert lines[0]["request_id"] == "req-1" and lines[0]["case_id"] == "261207-553ZN"
    # The phone number in a channel's conversation id keeps only its last digits.
    assert lines[0]["conversation_id"].startswith("voice:") and lines[0]["conversation_id"].endswith("456")
    assert "905123" not in json.dumps(lines)
    assert "case_id" not in lines[1] and lines[1]["request_id"] == "req-1"
    assert set(lines[2]) == {"time", "level", "logger", "message"}


def test_json_lines_keep_exceptions_on_one_line(captured):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("hotline.test").exception("failed")
    (line,) = captured()
    assert line["message"] == "failed" and "ValueError: boom" in line["exception"]


def test_text_format_is_for_development_and_json_elsewhere():
    assert resolve_format("auto", "development") == "text"
    assert resolve_format("auto", "production") == "json"
    assert resolve_format("text", "production") == "text"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    record.case_id = "C-1"
    assert TextFormatter().format(record).endswith("hello [case_id=C-1]")
    config = logging_config("json", "INFO")
    assert config["formatters"]["default"]["()"] == "channels.logs.JsonFormatter"
    assert config["loggers"]["alembic"]["level"] == "WARNING"


def test_requests_get_an_id_and_their_lines_carry_it(sample_settings, sample_runtime, tmp_path, captured):
    settings = sample_settings.model_copy(
        update={"database": DatabaseSettings(url=f"sqlite:///{tmp_path / 'logs.db'}")}
    )
    with TestClient(create_app(settings, runtime=sample_runtime)) as c:
        given = c.get("/healthz", headers={"X-Request-ID": "lb-7f3a"})
        assert given.headers["x-request-id"] == "lb-7f3a"
        fresh = c.get("/healthz", headers={"X-Request-ID": "bad id; <script>"})
        assert len(fresh.headers["x-request-id"]) == 32 and fresh.headers["x-request-id"] != "lb-7f3a"

        reply = c.post(
            "/api/v1/ask", json={"text": "Tôi muốn nói chuyện với cán bộ"}, headers={"X-Request-ID": "ask-1"}
        ).json()
        case_id = reply["handoff"]["case_id"]
        bad = c.get(
            f"/api/v1/conversations/{reply['conversation_id']}/messages?after=-1",
            headers={"X-Conversation-Token": reply["conversation_token"], "X-Request-ID": "bad-2"},
        )
        assert bad.status_code == 422
    lines = captured()
    handoff = [line for line in lines if line["message"].startswith(f"handoff {case_id}")]
    assert handoff and handoff[0]["case_id"] == case_id
    # Thought in the compute thread, yet logged with the id of the request that asked.
    assert handoff[0]["request_id"] == "ask-1"
    assert handoff[0]["conversation_id"] == reply["conversation_id"]
    rejected = [line for line in lines if line["message"].startswith("rejected request")]
    assert rejected and rejected[0]["request_id"] == "bad-2"
    assert rejected[0]["conversation_id"] == reply["conversation_id"]


def _hotline(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "channels.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_commands_are_quiet_by_default_and_say_more_with_v(sample_config, tmp_path):
    db = f"sqlite:///{tmp_path / 'quiet.db'}"
    env_db = {"DATABASE_URL": db}
    os.environ.update(env_db)
    try:
        quiet = _hotline("--config", str(sample_config), "staff", "list")
        loud = _hotline("-v", "--config", str(sample_config), "staff", "list")
    finally:
        os.environ.pop("DATABASE_URL", None)
    assert quiet.returncode == 0, quiet.stderr
    # The first run migrated a fresh database: alembic's INFO lines are not shown...
    assert quiet.stderr == ""
    # ... unless asked for (the second run finds the schema current and says so at INFO).
    assert loud.returncode == 0 and "INFO" in loud.stderr
