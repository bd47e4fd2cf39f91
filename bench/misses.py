"""Where the right procedure stands in the search's ranking, per question and language group.

The assistant's misses are of two kinds: the right procedure is not among the candidates
at all (vocabulary: the question's words never reach the record) or it is, below the top
(ranking). This lists, for the procedure questions of labelled sets, the rank of the first
expected code among the searcher's top ``--depth`` and a summary per language group:

    python -m bench.misses --index var/index-full ../shared/eval/dev2.jsonl [--show]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any


def ranks(searcher: Any, files: list[Path], depth: int = 50) -> list[dict[str, Any]]:
    rows = []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            if rec.get("kind") != "procedure" or not rec.get("expect_codes"):
                continue
            result = searcher.search(rec["text"], rec["lang"], k=depth)
            codes = [h.procedure.code for h in result.hits]
            expected = set(rec["expect_codes"])
            rank = next((i for i, c in enumerate(codes, 1) if c in expected), None)
            rows.append(
                {
                    "id": rec["id"],
                    "lang": rec["lang"],
                    "rank": rank,
                    "abstained": result.abstained,
                    "score": result.hits[0].score if result.hits else 0.0,
                    "text": rec["text"],
                    "top": [(h.procedure.code, h.procedure.name[:70]) for h in result.hits[:3]],
                    "expected": sorted(expected),
                }
            )
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    from knowledge.fusion import group_of

    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[group_of(r["lang"])].append(r)
        groups["all"].append(r)
    out = {}
    for g, rs in groups.items():
        n = len(rs)
        out[g] = {
            "n": n,
            "hit@1": sum(r["rank"] == 1 for r in rs) / n,
            "hit@3": sum(r["rank"] is not None and r["rank"] <= 3 for r in rs) / n,
            "hit@10": sum(r["rank"] is not None and r["rank"] <= 10 for r in rs) / n,
            "hit@50": sum(r["rank"] is not None for r in rs) / n,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    ap.add_argument("--depth", type=int, default=50)
    ap.add_argument("--show", action="store_true", help="print every question outside the top 3")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args(argv)
    from channels.runtime import Runtime
    from channels.settings import load_settings

    rt = Runtime.start(load_settings(), index_dir=Path(args.index).resolve(), rebuild=False)
    rows = ranks(rt.searcher, [Path(f) for f in args.files], args.depth)
    for g, m in summary(rows).items():
        print(f"{g:6s} " + " ".join(f"{k}={v:.2f}" if k != "n" else f"n={v}" for k, v in m.items()))
    if args.show:
        for r in rows:
            if r["rank"] is None or r["rank"] > 3:
                print(f"\n{r['id']} [{r['lang']}] rank={r['rank']} score={r['score']:.2f} {r['text'][:160]}")
                print(f"   want {r['expected']}")
                for code, name in r["top"]:
                    print(f"   got  {code} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
