"""Issue 13, defect 6: ``setWebhook`` is called once per deployment, not by every replica.

Three replicas (the real app through its lifespan) start on one database against the
loopback Telegram and Zalo clouds: each provider's webhook is registered once. A changed
configuration is registered again (by one replica); a failed registration is retried by
the next replica to start. The claim itself, from many threads at once, has one winner.
On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from channels.coordination import claim
from handoff.db import Database
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.zalo_api import FakeZaloAPI
from tests.pg import postgres_fixture
from tests.security.channels_app import TELEGRAM_TOKEN, all_channels

pg_server = postgres_fixture("module")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hotline.db'}"
    return str(request.getfixturevalue("pg_server").fresh_url("webhook"))


@pytest.fixture
def clouds() -> Iterator[tuple[FakeTelegramAPI, FakeZaloAPI]]:
    with FakeTelegramAPI(token=TELEGRAM_TOKEN) as telegram, FakeZaloAPI() as zalo:
        yield telegram, zalo


def test_three_replicas_register_each_webhook_once(
    sample_settings: Any, sample_runtime: Any, db_url: str, clouds: Any, tmp_path: Path
) -> None:
    telegram, zalo = clouds
    with ExitStack() as replicas:
        for i in range(3):
            folder = tmp_path / f"replica-{i}"
            folder.mkdir()
            replicas.enter_context(
                all_channels(
                    sample_settings,
                    sample_runtime,
                    folder / "hotline.db",
                    telegram=telegram,
                    zalo=zalo,
                    database_url=db_url,
                )
            )
        assert len(telegram.calls_of("setWebhook")) == 1
        assert len(zalo.calls_of("setWebhook")) == 1


def test_a_failed_registration_is_tried_again_by_the_next_replica(
    sample_settings: Any, sample_runtime: Any, db_url: str, clouds: Any, tmp_path: Path
) -> None:
    telegram, zalo = clouds
    telegram.fail("setWebhook", status=500, description="Internal Server Error")
    with all_channels(
        sample_settings, sample_runtime, tmp_path / "a.db", telegram=telegram, zalo=zalo, database_url=db_url
    ):
        assert telegram.calls_of("setWebhook") == []
    with all_channels(
        sample_settings, sample_runtime, tmp_path / "b.db", telegram=telegram, zalo=zalo, database_url=db_url
    ):
        assert len(telegram.calls_of("setWebhook")) == 1


def test_one_claim_wins_among_replicas_starting_at_once(db_url: str) -> None:
    databases = [Database(db_url) for _ in range(8)]
    databases[0].migrate()
    barrier = threading.Barrier(len(databases))

    def go(db: Database, value: str) -> bool:
        barrier.wait()
        return claim(db, "test.webhook", value)

    try:
        with ThreadPoolExecutor(len(databases)) as pool:
            won = list(pool.map(go, databases, ["digest-1"] * len(databases)))
        assert won.count(True) == 1
        assert claim(databases[0], "test.webhook", "digest-1") is False  # unchanged
        assert claim(databases[1], "test.webhook", "digest-2") is True  # a new configuration
    finally:
        for db in databases:
            db.dispose()
