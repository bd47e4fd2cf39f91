"""``hotline privacy``, the one retention setting and the job inside ``hotline serve``."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from channels.cli import main
from channels.settings import Settings, load_settings
from handoff.db import Database
from handoff.models import AuditEntry, Conversation, Message

PHONE = "0905 111 222"


def _config(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "config.yml"
    path.write_text(
        "\n".join(["environment: test", "database:", f"  url: sqlite:///{tmp_path / 'h.db'}", *lines]) + "\n",
        encoding="utf-8",
    )
    return path


def _conversation(db: Database, conv_id: str, user: str, at: datetime, text: str) -> None:
    with db.session() as s:
        s.add(
            Conversation(
                id=conv_id,
                channel="telegram",
                channel_user_id=user,
                language="vi",
                state={},
                created_at=at,
                updated_at=at,
            )
        )
        s.flush()
        s.add(
            Message(
                conversation_id=conv_id,
                channel="telegram",
                direction="in",
                sender="citizen",
                text=text,
                language="vi",
                created_at=at,
            )
        )


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Path, Database]:
    config = _config(tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'h.db'}")
    db.migrate()
    now = datetime.now(UTC)
    _conversation(db, "telegram:501", "501", now - timedelta(days=400), f"số tôi {PHONE}")
    _conversation(db, "telegram:777", "777", now - timedelta(days=2), "hộ chiếu")
    yield config, db
    db.dispose()


def _ids(db: Database) -> set[str]:
    with db.session() as s:
        return set(s.scalars(select(Conversation.id)))


def test_purge_dry_run_then_purge(stored: tuple[Path, Database], capsys: pytest.CaptureFixture[str]) -> None:
    config, db = stored
    assert main(["--config", str(config), "privacy", "purge", "--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] and report["conversations"] == 1 and report["messages"] == 1
    assert _ids(db) == {"telegram:501", "telegram:777"}
    assert main(["--config", str(config), "privacy", "purge"]) == 0
    assert "deleted" in capsys.readouterr().out
    assert _ids(db) == {"telegram:777"}


def test_export_to_a_private_file_and_erase_by_user(
    stored: tuple[Path, Database], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, db = stored
    out = tmp_path / "subject.json"
    code = main(
        [
            "--config",
            str(config),
            "privacy",
            "export",
            "--user",
            "telegram:501",
            "--by",
            "nga",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["conversations"][0]["messages"][0]["text"] == f"số tôi {PHONE}"  # unmasked
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600

    assert main(["--config", str(config), "privacy", "export", "--conversation", "telegram:777"]) == 0
    assert json.loads(capsys.readouterr().out)["conversations"][0]["id"] == "telegram:777"

    assert main(["--config", str(config), "privacy", "erase", "--user", "telegram:501"]) == 2
    assert "--yes" in capsys.readouterr().err and "telegram:501" in _ids(db)
    assert main(["--config", str(config), "privacy", "erase", "--user", "telegram:501", "--yes"]) == 0
    assert "1 conversations" in capsys.readouterr().out
    assert _ids(db) == {"telegram:777"}
    assert main(["--config", str(config), "privacy", "erase", "--conversation", "nobody", "--yes"]) == 1
    assert main(["--config", str(config), "privacy", "export", "--user", "501"]) == 2
    with db.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        details = json.dumps([e.detail for e in s.scalars(select(AuditEntry))])
    assert actions == ["privacy_export", "privacy_export", "privacy_erase"]
    assert PHONE not in details and "501" not in details


def test_one_retention_setting_drives_the_job_and_the_notice(tmp_path: Path) -> None:
    assert Settings(environment="test").privacy.retention_days == 180
    assert Settings(environment="test").webchat.retention_days == 180
    new = load_settings(_config(tmp_path, "privacy:", "  retention_days: 90"))
    assert new.webchat.retention_days == 90
    alias = load_settings(_config(tmp_path, "webchat:", "  retention_days: 365"))
    assert alias.privacy.retention_days == 365 and alias.webchat.retention_days == 365
    with pytest.raises(ValueError, match="privacy.retention_days"):
        load_settings(
            _config(tmp_path, "webchat:", "  retention_days: 30", "privacy:", "  retention_days: 60")
        )


def test_welcome_states_the_period(sample_settings: Any, sample_runtime: Any, tmp_path: Path) -> None:
    from channels.api import create_app

    settings = sample_settings.model_copy(
        update={
            "privacy": sample_settings.privacy.model_copy(update={"retention_days": 120}),
            "webchat": sample_settings.webchat.model_copy(update={"retention_days": None}),
            "database": sample_settings.database.model_copy(update={"url": f"sqlite:///{tmp_path / 'w.db'}"}),
        }
    )
    with TestClient(create_app(settings, runtime=sample_runtime)) as client:
        assert client.get("/api/v1/welcome").json()["retention_days"] == 120


def test_serve_runs_the_retention_job_on_its_schedule(
    sample_settings: Any, sample_runtime: Any, tmp_path: Path
) -> None:
    from channels.api import create_app

    url = f"sqlite:///{tmp_path / 's.db'}"
    settings = sample_settings.model_copy(
        update={
            "privacy": sample_settings.privacy.model_copy(update={"purge_every_minutes": 0.005}),
            "database": sample_settings.database.model_copy(update={"url": url}),
        }
    )
    db = Database(url)
    db.migrate()
    _conversation(db, "telegram:9", "9", datetime.now(UTC) - timedelta(days=365), "cũ")
    _conversation(db, "telegram:10", "10", datetime.now(UTC), "mới")
    with TestClient(create_app(settings, runtime=sample_runtime)):
        deadline = time.monotonic() + 20
        while "telegram:9" in _ids(db) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _ids(db) == {"telegram:10"}
    with db.session() as s:
        runs = s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "retention_purge")
        )
    assert runs and runs >= 1
    db.dispose()
