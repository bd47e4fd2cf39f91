"""Three `hotline serve` replicas on one PostgreSQL behind Debian's nginx (deploy/nginx.conf),
mixed traffic through nginx, one replica killed with SIGKILL mid-load.

Asserted: every acknowledged inbound message is stored exactly once and answered exactly once
(each answer delivered once to the loopback Telegram/Zalo cloud), every console event of the
run reaches the agent's live feed (across the kill: the feed reconnects with Last-Event-ID),
and no 5xx beyond the requests the killed replica was holding.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.harness import Cluster, missing_binaries
from tests.cluster.load import LiveFeed, Traffic, check, last_event, settle

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

LOAD_SECONDS = 24
KILL_AT = 8


def test_a_replica_killed_mid_load_loses_and_repeats_nothing(
    pg_server: Any, sample_settings: Any, sample_runtime: Any, tmp_path: Path
) -> None:
    missing = missing_binaries()
    if missing:
        pytest.skip(f"needs {', '.join(missing)} on PATH")
    index = Path(sample_settings.index.path)
    url = pg_server.fresh_url("cluster")
    with Cluster(tmp_path, url, index, replicas=3) as cluster:
        traffic = Traffic(cluster.base_url)
        feed = LiveFeed(cluster.base_url)
        after = last_event(url)
        killed: dict[str, int] = {}

        def kill() -> None:
            killed["in_flight"] = traffic.in_flight
            cluster.replicas[0].kill()

        async def scenario() -> None:
            follower = asyncio.create_task(feed.follow(after))
            await traffic.closed_loop(LOAD_SECONDS, concurrency=6, events={KILL_AT: kill})
            await asyncio.to_thread(settle, cluster, traffic, 90)
            last = await asyncio.to_thread(last_event, url)
            deadline = time.monotonic() + 15
            while feed.last < last and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower

        asyncio.run(scenario())
        outcome = check(cluster, traffic, feed, after)
        report = outcome.summary() | {
            "killed_in_flight": killed.get("in_flight"),
            "feed_reconnects": feed.reconnects,
        }
        print(report)
        assert killed, "the replica was not killed"
        assert outcome.acknowledged > 100, report
        assert outcome.events_total > 0, report
        # Every failure at once: a run shows each defect, not only the first.
        problems = {
            "feed did not resume on other replicas": feed.reconnects < 2,
            f"lost {outcome.lost[:10]}": bool(outcome.lost),
            f"duplicated {outcome.duplicated[:10]}": bool(outcome.duplicated),
            "5xx beyond the killed replica's in-flight requests": (
                outcome.server_errors + outcome.no_answer > killed["in_flight"]
            ),
            f"5xx from replicas that were not killed {outcome.server_errors_elsewhere[:5]}": bool(
                outcome.server_errors_elsewhere
            ),
            f"console events missed {outcome.events_missed[:10]}": bool(outcome.events_missed),
            f"outbox rows not sent {outcome.outbox_open_rows[:10]}": outcome.outbox_open > 0,
        }
        failed = [name for name, failing in problems.items() if failing]
        assert not failed, f"{failed}\n{report}"
