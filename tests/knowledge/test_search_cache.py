"""The name tables the searcher derives from every procedure, kept beside the index.

`hotline ask` spent 0.2 s of its start folding the catalogue's names; the runtime passes
the index folder and the tables are read back from `search.pickle`: used when they were
derived from the same names by the same code, rebuilt otherwise, never required.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

import knowledge.search as search
from knowledge.search import NAME_CACHE, Searcher


@pytest.fixture()
def index_copy(sample_settings, sample_runtime, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    target = tmp_path / "index"
    shutil.copytree(Path(sample_settings.resolve(sample_settings.index.path)), target)
    (target / NAME_CACHE).unlink(missing_ok=True)
    return target


def _tables(searcher: Searcher) -> tuple:  # type: ignore[type-arg]
    return (
        searcher._folded_names,
        searcher._name_words,
        searcher._levels.tolist(),
        searcher._name_lengths.tolist(),
    )


def _counting_folds(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    calls: list[int] = []
    original = search.catalogue_priors

    def counted(names):  # type: ignore[no-untyped-def]
        calls.append(len(names))
        return original(names)

    monkeypatch.setattr(search, "catalogue_priors", counted)
    return calls


def test_the_tables_are_read_back_and_equal_those_derived_afresh(sample_runtime, index_copy, monkeypatch):
    rt = sample_runtime
    fresh = Searcher(rt.index, rt.encoder, rt.terminology, rt.searcher.config)
    calls = _counting_folds(monkeypatch)
    first = Searcher(rt.index, rt.encoder, rt.terminology, rt.searcher.config, cache_dir=index_copy)
    assert len(calls) == 1 and (index_copy / NAME_CACHE).is_file()
    second = Searcher(rt.index, rt.encoder, rt.terminology, rt.searcher.config, cache_dir=index_copy)
    assert len(calls) == 1  # read back, not derived again
    assert _tables(second) == _tables(first) == _tables(fresh)
    assert isinstance(second._levels, np.ndarray)
    question = "đăng ký kết hôn"
    assert [h.procedure.code for h in second.search(question).hits] == [
        h.procedure.code for h in fresh.search(question).hits
    ]


def test_tables_of_other_names_or_a_broken_file_are_not_used(sample_runtime, index_copy, monkeypatch):
    rt = sample_runtime
    (index_copy / NAME_CACHE).write_bytes(pickle.dumps(("another key", ([], [], [], [])), protocol=5))
    calls = _counting_folds(monkeypatch)
    searcher = Searcher(rt.index, rt.encoder, rt.terminology, rt.searcher.config, cache_dir=index_copy)
    assert len(calls) == 1 and len(searcher._folded_names) == len(rt.index.procedures)
    (index_copy / NAME_CACHE).write_bytes(b"not a pickle")
    again = Searcher(rt.index, rt.encoder, rt.terminology, rt.searcher.config, cache_dir=index_copy)
    assert len(calls) == 2 and _tables(again) == _tables(searcher)
    # Rewritten: the next start reads it.
    Searcher(rt.index, rt.encoder, rt.terminology, rt.searcher.config, cache_dir=index_copy)
    assert len(calls) == 2


def test_a_folder_it_cannot_write_to_still_answers(sample_runtime, index_copy):
    rt = sample_runtime
    unusable = index_copy / "meta.json" / "x"  # neither readable nor writable, even by root
    searcher = Searcher(rt.index, rt.encoder, rt.terminology, rt.searcher.config, cache_dir=unusable)
    assert len(searcher._folded_names) == len(rt.index.procedures)
    assert not list(index_copy.glob(f"*{NAME_CACHE}*"))
