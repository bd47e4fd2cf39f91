"""``GET /metrics``: Prometheus figures from the real app, who may read them, and the
multiprocess mode of ``serve --workers N``."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from channels.api import create_app
from channels.ops_config import MetricsSettings
from channels.settings import DatabaseSettings
from handoff.db import Database
from handoff.models import Conversation, OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = ("127.0.0.1", 50000)
REMOTE = ("203.0.113.7", 50000)


def _settings(sample_settings, tmp_path: Path, **metrics):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    return sample_settings.model_copy(
        update={"database": DatabaseSettings(url=url), "metrics": MetricsSettings(**metrics)}
    )


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(figures, name: str, **labels: str) -> float:  # type: ignore[no-untyped-def]
    return figures.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metered(sample_settings, sample_runtime, tmp_path):  # type: ignore[no-untyped-def]
    app = create_app(_settings(sample_settings, tmp_path), runtime=sample_runtime)
    with TestClient(app, client=LOOPBACK) as c:
        yield c


def test_metrics_are_not_public_by_default(sample_settings, sample_runtime, tmp_path):
    app = create_app(_settings(sample_settings, tmp_path), runtime=sample_runtime)
    with TestClient(app, client=REMOTE) as remote:
        denied = remote.get("/metrics")
        assert denied.status_code == 403 and "hotline_" not in denied.text
    with TestClient(app, client=LOOPBACK) as local:
        assert local.get("/metrics").status_code == 200
        # Through a proxy on this host that is not a trusted one: local-looking, not local.
        proxied = local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert proxied.status_code == 403


def test_behind_a_trusted_proxy_the_real_client_decides(sample_settings, sample_runtime, tmp_path):
    settings = _settings(sample_settings, tmp_path, allow_from=["10.0.0.0/8"])
    server = settings.server.model_copy(update={"trusted_proxies": ["127.0.0.1"]})
    app = create_app(settings.model_copy(update={"server": server}), runtime=sample_runtime)
    with TestClient(app, client=LOOPBACK) as proxy:
        assert proxy.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"}).status_code == 200
        assert proxy.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403


def test_a_bearer_token_opens_metrics_to_a_remote_scraper(sample_settings, sample_runtime, tmp_path):
    settings = _settings(sample_settings, tmp_path, token="s3cret-scraper-token", allow_from=[])
    with TestClient(create_app(settings, runtime=sample_runtime), client=REMOTE) as c:
        assert c.get("/metrics").status_code == 403
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        ok = c.get("/metrics", headers={"Authorization": "Bearer s3cret-scraper-token"})
        assert ok.status_code == 200 and "hotline_handoff_queue_length" in ok.text


def test_metrics_can_be_switched_off(sample_settings, sample_runtime, tmp_path):
    settings = _settings(sample_settings, tmp_path, enabled=False)
    with TestClient(create_app(settings, runtime=sample_runtime), client=LOOPBACK) as c:
        assert c.get("/metrics").status_code == 404


def test_turns_latency_searches_and_requests_are_counted(metered):
    before = samples(metered.get("/metrics").text)
    answer = metered.post("/api/v1/ask", json={"text": "đăng ký kết hôn cần giấy tờ gì"}).json()
    off = metered.post("/api/v1/ask", json={"text": "What is the capital of France?"}).json()
    assert off["intent"] == "out_of_scope"
    cid, token = answer["conversation_id"], answer["conversation_token"]
    metered.get(f"/api/v1/conversations/{cid}/messages", headers={"X-Conversation-Token": token})
    text = metered.get("/metrics").text
    after = samples(text)

    intent = answer["intent"]
    assert value(after, "hotline_turns_total", channel="api", intent=intent) == (
        value(before, "hotline_turns_total", channel="api", intent=intent) + 1
    )
    assert value(after, "hotline_turns_total", channel="api", intent="out_of_scope") >= 1
    assert value(after, "hotline_turn_seconds_count", channel="api") == (
        value(before, "hotline_turn_seconds_count", channel="api") + 2
    )
    assert value(after, "hotline_searches_total") > value(before, "hotline_searches_total")
    # Routes by template: one series for every conversation, never one per id.
    route = "/api/v1/conversations/{conversation_id}/messages"
    assert value(after, "hotline_http_request_seconds_count", method="GET", route=route, status="2xx") == 1
    assert (
        value(after, "hotline_http_request_seconds_count", method="POST", route="/api/v1/ask", status="2xx")
        == 2
    )
    assert cid not in text


def test_an_abstaining_search_is_counted(metered):
    before = samples(metered.get("/metrics").text)
    metered.post("/api/v1/ask", json={"text": "xin giấy phép nuôi rồng bay trên sao Hỏa"})
    after = samples(metered.get("/metrics").text)
    assert value(after, "hotline_search_abstentions_total") > value(
        before, "hotline_search_abstentions_total"
    )


def test_handoff_queue_and_outbox_figures_come_from_the_database(metered, sample_settings, tmp_path):
    before = samples(metered.get("/metrics").text)
    assert value(before, "hotline_handoff_queue_length") == 0
    assert value(before, "hotline_database_up") == 1
    reply = metered.post("/api/v1/ask", json={"text": "Tôi muốn nói chuyện với cán bộ"}).json()
    assert reply["handoff"] is not None

    db = Database(f"sqlite:///{tmp_path / 'metrics.db'}")
    old = datetime.now(UTC) - timedelta(seconds=120)
    with db.session() as s:
        s.add(Conversation(id="tg-metrics-1", channel="telegram", channel_user_id="42"))
        s.flush()
        s.add(
            OutboxMessage(
                conversation_id="tg-metrics-1", channel="telegram", status="pending", created_at=old
            )
        )
        s.add(OutboxMessage(conversation_id="tg-metrics-1", channel="telegram", status="failed"))
        s.add(OutboxMessage(conversation_id="tg-metrics-1", channel="telegram", status="sent"))
        s.commit()
    db.dispose()

    after = samples(metered.get("/metrics").text)
    assert value(after, "hotline_handoff_queue_length") == 1
    assert value(after, "hotline_handoff_oldest_wait_seconds") >= 0
    assert value(after, "hotline_handoff_cases", status="waiting") == 1
    assert value(after, "hotline_handoffs_total", channel="api") == 1
    assert value(after, "hotline_outbox_backlog") == 1
    assert value(after, "hotline_outbox_failed") == 1
    assert value(after, "hotline_outbox_messages", status="sent") == 1
    assert value(after, "hotline_outbox_oldest_pending_seconds") >= 119


WORKER = """
import sys
from channels.metrics import Metrics
from bot.reply import Reply
m = Metrics()
for _ in range(int(sys.argv[1])):
    m.observe_turn("telegram", Reply("c", "vi", "procedure_info", "ok"), 0.02)
"""


def test_worker_processes_add_up_in_multiprocess_mode(metered, tmp_path, monkeypatch):
    """``serve --workers N`` points every worker at one folder; a scrape of any of them adds
    up the counts of all."""
    folder = tmp_path / "prom"
    folder.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    for n in ("3", "4"):
        subprocess.run([sys.executable, "-c", WORKER, n], check=True, env=env, cwd=ROOT, timeout=120)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    figures = samples(metered.get("/metrics").text)
    assert value(figures, "hotline_turns_total", channel="telegram", intent="procedure_info") == 7
    assert value(figures, "hotline_turn_seconds_count", channel="telegram") == 7
    assert "hotline_handoff_queue_length" in {name for name, _ in figures}
