"""Scores the assistant on labelled questions (format: ../shared/eval/README.md).

Every question goes through ``Assistant.handle`` exactly as a citizen's would, so the
figures measure the product, not a component.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import compose
from bot.assistant import Assistant, Turn
from bot.reply import Reply
from knowledge.fusion import GROUPS, group_of
from knowledge.text import fold

KINDS = ("procedure", "place", "ambiguous_place", "centre", "handoff", "out_of_scope")
HANDOFF_INTENTS = {"talk_to_human", "complaint"}


@dataclass(slots=True)
class Outcome:
    id: str
    kind: str
    lang: str
    ok: bool
    rank: int | None = None  # 1-based rank of the first expected code, procedures only
    got: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    abstained: bool = False  # no procedure asserted (procedure questions)
    clarified: bool = False  # asked a numbered question instead
    translated: tuple[int, int] | None = None  # (answer lines with a translation, lines), foreign replies


def load_records(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Records and the problems of the lines that could not be used."""
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: invalid JSON ({exc.msg})")
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str) or rec.get("kind") not in KINDS:
            problems.append(f"line {n}: needs a text and a kind in {KINDS}")
            continue
        records.append(rec)
    return records, problems


def _contains_all(answer: str, expected: Iterable[str]) -> bool:
    hay = fold(answer)
    return all(fold(e) in hay for e in expected)


def _translation_share(assistant: Assistant, reply: Reply) -> tuple[int, int] | None:
    """For a foreign-language answer that asserts a procedure: (catalogue values quoted in
    its answer with a glossary translation beside them, catalogue values quoted), from the
    composer itself (``compose.translation_stats``). None for Vietnamese answers and for
    replies that assert nothing (questions, out of scope)."""
    if reply.language in ("vi", "vi-x") or not reply.procedures or reply.needs_clarification:
        return None
    proc = assistant.searcher.index.procedure(reply.procedures[0].code)
    if proc is None:
        return None
    done, total = compose.translation_stats(proc, reply.language)
    return (int(done), int(total)) if total else None


def judge(rec: dict[str, Any], reply: Reply) -> Outcome:
    kind = rec["kind"]
    out = Outcome(str(rec.get("id", "")), kind, str(rec.get("lang", "?")), False)
    codes = [p.code for p in reply.procedures]
    out.got = codes
    out.abstained = not codes
    out.clarified = bool(reply.needs_clarification)
    if kind == "procedure":
        expected = set(rec.get("expect_codes") or [])
        for i, code in enumerate(codes, 1):
            if code in expected:
                out.rank = i
                break
        out.ok = out.rank == 1
    elif kind in ("place", "centre"):
        out.ok = _contains_all(reply.answer, rec.get("expect_text") or [])
    elif kind == "ambiguous_place":
        out.ok = reply.needs_clarification and len(reply.options) >= 2
    elif kind == "handoff":
        out.ok = reply.intent in HANDOFF_INTENTS or reply.handoff is not None
    elif kind == "out_of_scope":
        out.ok = not reply.procedures
    return out


def evaluate(assistant: Assistant, records: list[dict[str, Any]]) -> list[Outcome]:
    outcomes = []
    for rec in records:
        started = time.perf_counter()
        reply = assistant.handle(Turn(rec["text"], f"eval-{rec.get('id', '')}", None, channel="eval"))
        latency_ms = (time.perf_counter() - started) * 1000
        outcome = judge(rec, reply)
        outcome.latency_ms = latency_ms
        outcome.translated = _translation_share(assistant, reply)
        outcomes.append(outcome)
    return outcomes


def _procedure_metrics(items: list[Outcome]) -> dict[str, float | int]:
    n = len(items)
    if not n:
        return {"n": 0}
    hit1 = sum(1 for o in items if o.rank == 1) / n
    hit3 = sum(1 for o in items if o.rank is not None and o.rank <= 3) / n
    mrr = sum(1.0 / o.rank for o in items if o.rank) / n
    abstained = sum(1 for o in items if o.abstained) / n
    clarified = sum(1 for o in items if o.clarified) / n
    return {
        "n": n,
        "hit@1": round(hit1, 4),
        "hit@3": round(hit3, 4),
        "mrr": round(mrr, 4),
        "abstained": round(abstained, 4),
        "clarified": round(clarified, 4),
    }


def _translation(outcomes: list[Outcome]) -> dict[str, float]:
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in outcomes:
        if o.translated is not None:
            per[o.lang][0] += o.translated[0]
            per[o.lang][1] += o.translated[1]
    return {lang: round(d / t, 4) for lang, (d, t) in sorted(per.items()) if t}


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    procs = [o for o in outcomes if o.kind == "procedure"]
    by_lang: dict[str, list[Outcome]] = defaultdict(list)
    for o in procs:
        by_lang[o.lang].append(o)
    kinds: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        items = [o for o in outcomes if o.kind == kind]
        if not items:
            continue
        if kind == "procedure":
            kinds[kind] = _procedure_metrics(items)
        else:
            kinds[kind] = {
                "n": len(items),
                "accuracy": round(sum(o.ok for o in items) / len(items), 4),
            }
    latencies = sorted(o.latency_ms for o in outcomes)
    return {
        "total": len(outcomes),
        "procedure": _procedure_metrics(procs),
        "procedure_by_language": {lang: _procedure_metrics(v) for lang, v in sorted(by_lang.items())},
        "procedure_by_group": {
            g: _procedure_metrics([o for o in procs if group_of(o.lang) == g])
            for g in GROUPS
            if any(group_of(o.lang) == g for o in procs)
        },
        "kinds": kinds,
        "translated_lines": _translation(outcomes),
        "latency_ms": {
            "p50": round(latencies[len(latencies) // 2], 2) if latencies else 0.0,
            "p95": round(latencies[int(len(latencies) * 0.95)] if latencies else 0.0, 2),
        },
        "failures": [
            {"id": o.id, "kind": o.kind, "lang": o.lang, "got": o.got[:3]}
            for o in outcomes
            if not (o.ok or (o.kind == "procedure" and o.rank is not None and o.rank <= 3))
        ],
    }


def render_text(summary: dict[str, Any]) -> str:
    lines = [f"questions: {summary['total']}"]
    p = summary["procedure"]
    if p.get("n"):
        lines.append(
            f"procedures: n={p['n']} hit@1={p['hit@1']:.3f} hit@3={p['hit@3']:.3f} MRR={p['mrr']:.3f}"
            f" abstained={p['abstained']:.3f} clarified={p['clarified']:.3f}"
        )
        for lang, m in summary["procedure_by_language"].items():
            lines.append(
                f"  {lang:5s} n={m['n']:3d} hit@1={m['hit@1']:.3f} hit@3={m['hit@3']:.3f} MRR={m['mrr']:.3f}"
                f" abstained={m['abstained']:.3f}"
            )
        groups = summary.get("procedure_by_group") or {}
        lines.append(
            "  groups: "
            + "  ".join(f"{g} hit@1={m['hit@1']:.2f} hit@3={m['hit@3']:.2f}" for g, m in groups.items())
        )
    for kind, m in summary["kinds"].items():
        if kind != "procedure":
            lines.append(f"{kind}: n={m['n']} accuracy={m['accuracy']:.3f}")
    shares = summary.get("translated_lines") or {}
    lines.append(
        "foreign answer lines translated: "
        + (
            " ".join(f"{lang}={v:.2f}" for lang, v in shares.items())
            if shares
            else "n/a (no foreign answer asserted a procedure)"
        )
    )
    lat = summary["latency_ms"]
    lines.append(f"latency: p50={lat['p50']:.1f} ms p95={lat['p95']:.1f} ms")
    if summary["failures"]:
        lines.append("misses (not in the top 3 / wrong behaviour):")
        for f in summary["failures"]:
            lines.append(f"  {f['id']} [{f['kind']}/{f['lang']}] got {f['got']}")
    return "\n".join(lines)
