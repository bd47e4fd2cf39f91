"""``hotline db backup|restore``: a round trip on SQLite and on a real PostgreSQL server,
through the command a deployer runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from handoff.db import Database
from handoff.models import Conversation, Message

ROOT = Path(__file__).resolve().parents[2]


def hotline(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=url, HOTLINE_ENVIRONMENT="test", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "channels.cli", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _conversations(db: Database) -> dict[str, list[str]]:
    with db.session() as s:
        rows = s.execute(select(Message.conversation_id, Message.text).order_by(Message.id)).all()
        ids = s.scalars(select(Conversation.id)).all()
    out: dict[str, list[str]] = {cid: [] for cid in ids}
    for cid, text in rows:
        out[cid].append(text)
    return out


def _talk(db: Database, cid: str, *texts: str) -> None:
    with db.session() as s:
        s.add(Conversation(id=cid, channel="api", language="vi"))
        s.flush()
        for text in texts:
            s.add(Message(conversation_id=cid, channel="api", direction="in", sender="citizen", text=text))


def test_backup_then_restore_gives_back_the_database(db: Database, tmp_path: Path) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    _talk(db, "api_kept", "Đăng ký kết hôn cần giấy tờ gì?", "Cảm ơn")
    saved = _conversations(db)

    target = tmp_path / "backups" / ("copy.db" if db.is_sqlite else "copy.dump")
    done = hotline(url, "backup", "--out", str(target))
    assert done.returncode == 0, done.stderr
    assert target.is_file() and f"to {target}" in done.stdout
    assert done.stderr == ""  # quiet: no alembic or tool chatter
    assert not list(target.parent.glob(".*partial"))

    # Life goes on after the backup: one conversation erased, another started.
    with db.session() as s:
        s.delete(s.get(Conversation, "api_kept"))
    _talk(db, "api_later", "Làm hộ chiếu ở đâu?")
    assert set(_conversations(db)) == {"api_later"}

    refused = hotline(url, "restore", str(target))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert set(_conversations(db)) == {"api_later"}  # nothing touched without --yes

    db.engine.dispose()
    restored = hotline(url, "restore", str(target), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert _conversations(db) == saved
    db.migrate()  # the restored schema is the current one: nothing to do, no error


def test_restore_refuses_a_file_that_is_not_a_backup_of_this_kind(db: Database, tmp_path: Path) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    _talk(db, "api_stays", "xin chào")
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup", encoding="utf-8")
    bad = hotline(url, "restore", str(junk), "--yes")
    assert bad.returncode == 2 and "neither an SQLite database nor a pg_dump archive" in bad.stderr

    other = tmp_path / "other.dump" if db.is_sqlite else tmp_path / "other.db"
    other.write_bytes(b"PGDMP\x01\x0e" if db.is_sqlite else b"SQLite format 3\x00" + b"\x00" * 100)
    wrong = hotline(url, "restore", str(other), "--yes")
    assert wrong.returncode == 2 and "is not a restore" in wrong.stderr
    assert set(_conversations(db)) == {"api_stays"}


def test_a_backup_to_the_default_place_is_named_by_time(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'live.db'}")
    db.migrate()
    _talk(db, "api_one", "một")
    config = tmp_path / "config.yml"
    config.write_text("environment: test\n", encoding="utf-8")
    env = dict(os.environ, HOTLINE_ENVIRONMENT="test", PYTHONPATH=str(ROOT))
    env.pop("DATABASE_URL", None)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'live.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "channels.cli", "--config", str(config), "db", "backup"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (made,) = (tmp_path / "var" / "backups").glob("hotline-*Z.db")
    assert "schema " in done.stdout
    copy = Database(f"sqlite:///{made}")
    assert set(_conversations(copy)) == {"api_one"}
    copy.dispose()
    db.dispose()
