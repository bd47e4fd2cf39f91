"""Issue 13 (stateless replicas): the Zalo OA token refresh is shared by replicas on several
hosts. A refresh token is single use; the token file's ``flock`` orders the processes of one
host only. Two replicas with token files of their own (two hosts) on one PostgreSQL database
both meet an expired access token at once: one refresh is spent, both messages go out, and
the new pair is in the database for the next replica to start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from channels.coordination import SharedDocument
from channels.zalo import TokenStore, ZaloOAClient, ZaloOAConfig
from handoff.db import Database
from tests.fakes.zalo_api import APP_ID, APP_SECRET_KEY, OA_SECRET_KEY, FakeZaloAPI
from tests.pg import postgres_fixture

pg_server = postgres_fixture("module")


@pytest.fixture
def zalo() -> Iterator[FakeZaloAPI]:
    with FakeZaloAPI() as api:
        yield api


def client_on_host(zalo: FakeZaloAPI, db: Database, host: Path, access: str, refresh: str) -> ZaloOAClient:
    host.mkdir()
    config = ZaloOAConfig(
        app_id=APP_ID,
        oa_secret_key=OA_SECRET_KEY,
        app_secret_key=APP_SECRET_KEY,
        token_file=host / "zalo-oa-tokens.json",
        api_base=zalo.base_url,
        oauth_base=zalo.base_url,
        access_token=access,
        refresh_token=refresh,
    )
    store = SharedDocument(db, "zalo_oa.tokens", legacy=TokenStore(config.token_file))
    return ZaloOAClient(config, store)


def test_replicas_on_two_hosts_spend_a_refresh_token_once(
    zalo: FakeZaloAPI, pg_server: Any, tmp_path: Path
) -> None:
    url = pg_server.fresh_url("zalo")
    databases = [Database(url), Database(url)]
    databases[0].migrate()
    access, refresh = zalo.issue_pair()
    zalo.expire_access_token(access)
    zalo.refresh_delay = 0.5  # the first replica holds the lock while the second arrives
    clients = [
        client_on_host(zalo, db, tmp_path / f"host-{i}", access, refresh) for i, db in enumerate(databases)
    ]

    async def main() -> list[str | None]:
        try:
            return await asyncio.gather(*(c.send_text(f"u{i}", f"tin {i}") for i, c in enumerate(clients)))
        finally:
            for c in clients:
                await c.aclose()

    try:
        ids = asyncio.run(main())
        assert all(ids)
        oauth = zalo.calls_of("oauth", ok_only=False)
        assert len(oauth) == 1 and "access_token" in oauth[0].body  # spent once, never refused
        assert sorted(c.refreshes for c in clients) == [0, 1]
        stored = SharedDocument(databases[1], "zalo_oa.tokens").read()
        assert stored is not None and stored["access_token"] == oauth[0].body["access_token"]
    finally:
        for db in databases:
            db.dispose()
