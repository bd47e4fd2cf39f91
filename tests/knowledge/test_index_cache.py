"""The loaded form of an index kept beside it: used when current, never when stale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from knowledge.index import CACHE_FILE, KnowledgeIndex


@pytest.fixture()
def index_copy(sample_settings, sample_runtime, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    source = Path(sample_settings.resolve(sample_settings.index.path))
    target = tmp_path / "index"
    shutil.copytree(source, target)
    (target / CACHE_FILE).unlink(missing_ok=True)
    return target


def _counting_parts(monkeypatch) -> list[Path]:  # type: ignore[no-untyped-def]
    calls: list[Path] = []
    original = KnowledgeIndex._load_parts

    def counted(path: Path):  # type: ignore[no-untyped-def]
        calls.append(path)
        return original(path)

    monkeypatch.setattr(KnowledgeIndex, "_load_parts", staticmethod(counted))
    return calls


def test_the_second_load_reads_the_cache_and_gives_the_same_index(index_copy, monkeypatch):
    calls = _counting_parts(monkeypatch)
    first = KnowledgeIndex.load(index_copy)
    assert calls == [index_copy] and (index_copy / CACHE_FILE).is_file()
    second = KnowledgeIndex.load(index_copy)
    assert calls == [index_copy]  # not parsed again
    assert [p.to_dict() for p in second.procedures] == [p.to_dict() for p in first.procedures]
    assert {f: b.vocab for f, b in second.fields.items()} == {f: b.vocab for f, b in first.fields.items()}
    assert second.units.content_hash() == first.units.content_hash()
    assert second.centres.content_hash() == first.centres.content_hash()
    question = "phường Hải Châu, Đà Nẵng"
    assert second.units.resolve(question) == first.units.resolve(question)
    assert second.dense.index.ntotal == first.dense.index.ntotal


def test_a_rebuilt_index_does_not_read_the_old_cache(index_copy, monkeypatch):
    KnowledgeIndex.load(index_copy)
    meta = json.loads((index_copy / "meta.json").read_text(encoding="utf-8"))
    meta["built_at"] = "2030-01-01T00:00:00+0000"
    meta["procedures"] = 1  # what a rebuild from other sources would write
    (index_copy / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    calls = _counting_parts(monkeypatch)
    again = KnowledgeIndex.load(index_copy)
    assert calls == [index_copy] and again.meta["procedures"] == 1


def test_a_damaged_cache_is_ignored_and_replaced(index_copy, monkeypatch):
    (index_copy / CACHE_FILE).write_bytes(b"not a pickle")
    calls = _counting_parts(monkeypatch)
    index = KnowledgeIndex.load(index_copy)
    assert calls == [index_copy] and len(index.procedures) == 44
    KnowledgeIndex.load(index_copy)
    assert calls == [index_copy]  # rewritten, then used
