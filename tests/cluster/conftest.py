"""The cluster test starts PostgreSQL, three replicas and nginx (2–4 minutes on two
cores): it runs when selected with ``-m cluster`` and is skipped, with that reason, otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from pg import postgres_fixture

pg_server = postgres_fixture()


def pytest_collection_modifyitems(config: pytest.Config, items: list[Any]) -> None:
    if "cluster" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="three replicas + nginx take 2–4 min: select with `-m cluster`")
    for item in items:
        if item.get_closest_marker("cluster") is not None:
            item.add_marker(skip)
