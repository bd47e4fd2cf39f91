"""The baseline every figure is compared with: plain BM25 over procedure names.

No terminology, no folding, no bigrams, no dense model: what a first attempt would do.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel

from knowledge.lexical import BM25Index
from knowledge.models import Procedure
from knowledge.text import words


class Ask(BaseModel):
    text: str


class PlainBM25:
    def __init__(self, procedures: list[Procedure]) -> None:
        self.procedures = procedures
        self.index = BM25Index.build([words(p.name) for p in procedures])

    def search(self, text: str, k: int = 3) -> list[tuple[Procedure, float]]:
        scores, _ = self.index.score({w: 1.0 for w in words(text)})
        if not scores.size:
            return []
        top = np.argsort(-scores)[:k]
        return [(self.procedures[i], float(scores[i])) for i in top if scores[i] > 0]


def create_app(procedures: list[Procedure]) -> Any:
    """A FastAPI app with the same /api/v1/ask shape, answering from the baseline."""
    from fastapi import FastAPI

    engine = PlainBM25(procedures)
    app = FastAPI()

    @app.post("/api/v1/ask")
    def ask(body: Ask) -> dict[str, Any]:
        hits = engine.search(body.text)
        return {
            "answer": hits[0][0].name if hits else "",
            "procedures": [{"code": p.code, "name": p.name, "score": s, "url": p.url} for p, s in hits],
        }

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def app_from_env() -> Any:
    import json
    import os
    from pathlib import Path

    with (Path(os.environ["BENCH_BASELINE_INDEX"]) / "procedures.jsonl").open(encoding="utf-8") as fh:
        procs = [Procedure.from_dict(json.loads(line)) for line in fh]
    return create_app(procs)


def main() -> None:
    import argparse
    import os

    import uvicorn

    ap = argparse.ArgumentParser(description="serve the plain-BM25 baseline (for make bench)")
    ap.add_argument("--index", required=True)
    ap.add_argument("--port", type=int, default=8001)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    os.environ["BENCH_BASELINE_INDEX"] = args.index
    uvicorn.run(
        "bench.baseline:app_from_env",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
