"""Shared fixtures: real settings, a real index of the bundled sample, the real app.

The sample index is built once per session with the real embedding model; the full
catalogue index (when ../shared/data is present) is cached under var/ by content hash,
so a second run reuses it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SHARED_EVAL = ROOT.parent / "shared" / "eval" / "dev.jsonl"
CATALOGUE = SHARED / "catalogue" / "national-portal-2026-07.jsonl"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def write_config(path: Path, index: Path, **extra: str) -> Path:
    lines = [
        "environment: test",
        "data:",
        f"  catalogues: [{ROOT / 'data/sample/catalogue.jsonl'}]",
        f"  units: {ROOT / 'data/sample/units.json'}",
        f"  centres: [{ROOT / 'data/sample/centres.yml'}]",
        "index:",
        f"  path: {index}",
        "database:",
        f"  url: sqlite:///{index.parent / 'hotline.db'}",
        "dossiers:",
        f"  path: {index.parent / 'dossiers.db'}",
        f"  seed: {ROOT / 'data/sample/dossiers.csv'}",
        # The suite asks thousands of questions from one address: the limits have their own tests.
        "api:",
        "  rate_limit_messages: 1000000",
        "  rate_limit_per_address: 1000000",
        "handoff:",
        "  holidays: []",
        "  hours: {"
        + ", ".join(f"{d}: ['00:00-24:00']" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
        + "}",
    ]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("sample")
    return write_config(tmp / "config.yml", tmp / "index")


@pytest.fixture(scope="session")
def sample_settings(sample_config: Path):  # type: ignore[no-untyped-def]
    from channels.settings import load_settings

    return load_settings(sample_config)


@pytest.fixture(scope="session")
def sample_runtime(sample_settings):  # type: ignore[no-untyped-def]
    from channels.runtime import Runtime

    return Runtime.start(sample_settings)


@pytest.fixture(scope="session")
def client(sample_settings, sample_runtime) -> Iterator:  # type: ignore[no-untyped-def]
    """The real app through its lifespan (it loads the index the runtime fixture built)."""
    from fastapi.testclient import TestClient

    from channels.api import create_app

    with TestClient(create_app(sample_settings)) as c:
        yield c


needs_shared = pytest.mark.skipif(
    not CATALOGUE.is_file(), reason=f"full catalogue not found at {CATALOGUE} (../shared/data is absent)"
)


@pytest.fixture(scope="session")
def full_runtime():  # type: ignore[no-untyped-def]
    if not CATALOGUE.is_file():
        pytest.skip(f"full catalogue not found at {CATALOGUE} (../shared/data is absent)")
    from channels.runtime import Runtime, build_index
    from channels.settings import load_settings

    settings = load_settings(ROOT / "config.yml")
    out = ROOT / "var" / "test-index-full"
    build_index(
        settings,
        out,
        catalogues=[CATALOGUE, SHARED / "catalogue" / "bqp-2025"],
        units=SHARED / "units",
        centres=[SHARED / "centres" / "danang-2025-07.json"],
    )
    return Runtime.start(settings, index_dir=out, rebuild=False)
