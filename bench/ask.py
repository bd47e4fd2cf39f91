"""How long `hotline ask` takes from a built index, against what it used to do.

``before``: the old path, in a fresh process: the configured index checked against its
sources (every catalogue re-imported and hashed), then loaded, then one answer.
``after``: ``hotline ask --index DIR TEXT`` as a deployer runs it, in a fresh process.

Each is run ``--runs`` times; printed per mode: wall time (median, best), CPU time (user +
system of the child, less sensitive to other load on a shared machine), peak RSS, and the
ratios before/after. Target: after ≤ 2 s wall on an idle laptop.

    python -m bench.ask --index var/index-full --shared ../shared/data
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Đăng ký kết hôn cần giấy tờ gì?"

# The old `hotline ask` without --index: Runtime.start with the configured index (rebuilt
# when its sources' hash changed, so every source is read and hashed first).
BEFORE = """
import sys
from channels.cli import _setup_logging, build_parser
from channels.runtime import Runtime
from channels.settings import load_settings
from bot.assistant import Turn
args = build_parser().parse_args(["ask", "x"])
_setup_logging(args)
runtime = Runtime.start(load_settings(sys.argv[1]))
print(runtime.assistant.handle(Turn(sys.argv[2], None, None, channel="cli")).answer[:60])
"""


def config_for(index: Path, shared: Path, folder: Path) -> Path:
    """A config whose index and sources are those `make index-full` used."""
    config = folder / "config.yml"
    config.write_text(
        "\n".join(
            [
                "environment: development",
                "data:",
                f"  catalogues: [{shared / 'catalogue/national-portal-2026-07.jsonl'}, {shared / 'catalogue/bqp-2025'}]",
                f"  units: {shared / 'units'}",
                f"  centres: [{shared / 'centres/danang-2025-07.json'}]",
                "index:",
                f"  path: {index}",
                f"database: {{url: 'sqlite:///{folder / 'bench.db'}'}}",
                f"dossiers: {{path: {folder / 'dossiers.db'}, seed: {ROOT / 'data/sample/dossiers.csv'}}}",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return config


def timed(cmd: list[str]) -> tuple[float, float, float, str]:
    """Wall s, CPU s and peak RSS (MB) of one child process, and what it printed."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", PYTHONPATH=str(ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default="var/index-full")
    parser.add_argument("--shared", default="../shared/data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-before", action="store_true", help="only time the current path")
    args = parser.parse_args()
    index = Path(args.index).resolve()
    shared = Path(args.shared).resolve()
    if not (index / "meta.json").is_file():
        raise SystemExit(f"no index at {index}: build it first (make index-full)")
    with tempfile.TemporaryDirectory() as tmp:
        config = config_for(index, shared, Path(tmp))
        modes = {
            "after": [
                sys.executable,
                "-m",
                "channels.cli",
                "--config",
                str(config),
                "ask",
                "--index",
                str(index),
                QUESTION,
            ]
        }
        if not args.skip_before:
            modes = {"before": [sys.executable, "-c", BEFORE, str(config), QUESTION], **modes}
        results: dict[str, list[tuple[float, float, float]]] = {}
        for name, cmd in modes.items():
            for _ in range(args.runs):
                wall, cpu, rss, out = timed(cmd)
                if not out.strip():
                    raise SystemExit(f"{name}: no answer printed")
                results.setdefault(name, []).append((wall, cpu, rss))
    print(f"hotline ask, one question from {index.name} ({args.runs} runs each, fresh processes)")
    summary = {}
    for name, rows in results.items():
        walls, cpus, rss = [r[0] for r in rows], [r[1] for r in rows], max(r[2] for r in rows)
        summary[name] = (statistics.median(walls), statistics.median(cpus))
        print(
            f"  {name:6s}  wall median {statistics.median(walls):5.1f} s (best {min(walls):.1f})"
            f"  cpu median {statistics.median(cpus):5.1f} s  peak rss {rss:.0f} MB"
        )
    if "before" in summary:
        (bw, bc), (aw, ac) = summary["before"], summary["after"]
        print(f"  before/after: wall x{bw / aw:.1f}, cpu x{bc / ac:.1f}")
    print(f"  target: after <= 2.0 s wall on an idle machine (load now: {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
