"""How long `hotline ask` takes from a built index, against an earlier version of the code.

``after``: ``hotline ask --index DIR TEXT`` of this checkout, as a deployer runs it.
``before``: the same command of an earlier commit (``--before-rev``, by default the one
before the NumPy query encoder and the index cache), extracted with ``git archive`` into a
temporary folder and run against the same index files (linked from a folder of its own,
without the files it does not know: ``query_encoder.npz``, ``loaded.pickle``).

Both modes answer a Vietnamese and an English question (``before`` loads lingua's
Latin-script models for the second; ``after`` settles it by its function words), each
``--runs`` times in fresh processes, alternating, so that the load of a shared machine weighs
on both alike, after one uncounted run each that writes the caches a deployer's second
question finds beside the index. Printed per mode and question: wall time
(median, best), CPU time (user + system of the child: less sensitive to that load) and peak
RSS, then the ratios before/after. Target: after ≤ 2 s (CPU; wall on an idle machine).

    python -m bench.ask --index var/index-full --shared ../shared/data
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = {"vi": "Đăng ký kết hôn cần giấy tờ gì?", "en": "How do I register a marriage?"}
# The last commit before `hotline ask` ran without torch (NumPy encoder, index cache).
BEFORE_REV = "fbd9c48"


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


def checkout(rev: str, folder: Path) -> Path | None:
    """The tracked files of ``rev`` in ``folder`` (None when git cannot give them)."""
    try:
        blob = subprocess.run(
            ["git", "archive", "--format=tar", rev], cwd=ROOT, capture_output=True, check=True, timeout=120
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"  (no 'before': git archive {rev} failed: {exc})", file=sys.stderr)
        return None
    with tarfile.open(fileobj=BytesIO(blob)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def index_view(index: Path, folder: Path, code: Path) -> Path:
    """The index files behind links in a folder of their own: each version keeps its own
    caches (keyed by its code) without invalidating the other's, and the files the old code
    does not name (``query_encoder.npz`` before the NumPy encoder) are left out."""
    folder.mkdir()
    modules = [*code.glob("knowledge/*.py"), *code.glob("channels/*.py")]
    sources = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in modules)
    for item in index.iterdir():
        if item.name in ("terminology.pickle", "loaded.pickle", "search.pickle"):
            continue
        if item.name == "query_encoder.npz" and item.name not in sources:
            continue
        if item.is_dir():  # the NLU model: retrained in place when bot/data differs
            shutil.copytree(item, folder / item.name)
        else:
            (folder / item.name).symlink_to(item)
    return folder


def timed(cmd: list[str], code: Path) -> tuple[float, float, float, str]:
    """Wall s, CPU s and peak RSS (MB) of one child process, and what it printed."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", PYTHONPATH=str(code))
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(cmd, cwd=code, env=env, stdout=out, stderr=err, text=True)
        # wait4: this child's own usage (RUSAGE_CHILDREN would give the largest child so far).
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(cmd[:6])} failed: {err.read()[-2000:]}")
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default="var/index-full")
    parser.add_argument("--shared", default="../shared/data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before-rev", default=BEFORE_REV, help="the commit to compare with")
    parser.add_argument("--skip-before", action="store_true", help="only time this checkout")
    args = parser.parse_args()
    index = Path(args.index).resolve()
    shared = Path(args.shared).resolve()
    if not (index / "meta.json").is_file():
        raise SystemExit(f"no index at {index}: build it first (make index-full)")
    results: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        config = config_for(index, shared, Path(tmp))
        codes = {"after": (ROOT, index)}
        if not args.skip_before:
            old = checkout(args.before_rev, Path(tmp) / "before")
            if old is not None:
                codes = {"before": (old, index_view(index, Path(tmp) / "before-index", old)), **codes}
        cmd = [sys.executable, "-m", "channels.cli", "--config", str(config), "ask"]
        for code, folder in codes.values():
            timed([*cmd, "--index", str(folder), QUESTIONS["vi"]], code)  # writes the caches
        for _ in range(args.runs):
            for lang, question in QUESTIONS.items():
                for mode, (code, folder) in codes.items():
                    wall, cpu, rss, out = timed([*cmd, "--index", str(folder), question], code)
                    if not out.strip():
                        raise SystemExit(f"{mode}: no answer printed")
                    results.setdefault((mode, lang), []).append((wall, cpu, rss))
    print(f"hotline ask, one question from {index.name} ({args.runs} runs each, fresh processes)")
    summary = {}
    for (mode, lang), rows in results.items():
        walls, cpus, rss = [r[0] for r in rows], [r[1] for r in rows], max(r[2] for r in rows)
        summary[mode, lang] = (statistics.median(walls), statistics.median(cpus), rss)
        print(
            f"  {mode:6s} {lang}  wall median {statistics.median(walls):5.2f} s (best {min(walls):.2f})"
            f"  cpu median {statistics.median(cpus):5.2f} s  peak rss {rss:4.0f} MB"
        )
    for lang in QUESTIONS:
        if ("before", lang) in summary:
            (bw, bc, br), (aw, ac, ar) = summary["before", lang], summary["after", lang]
            print(f"  before/after {lang}: wall x{bw / aw:.1f}, cpu x{bc / ac:.1f}, rss x{br / ar:.1f}")
    print(f"  target: after <= 2.0 s cpu, and wall on an idle machine (load now: {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
