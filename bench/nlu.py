"""`python -m bench.nlu`: the two NLU engines on the holdout of bot/data.

Trains the builtin engine on the training split (timed), then measures intent accuracy,
macro-F1 and per-parse latency (p50/p95) of the builtin engine in-process and of the Rasa
engine over HTTP, against a real `rasa run --enable-api` server this script starts from
the model `make rasa` trained (var/rasa/models/nlu.tar.gz). Without Python 3.10, the Rasa
venv or the model, the Rasa column is reported as skipped, with the reason. Prints a table
and the ratios the design asks for (builtin accuracy - Rasa accuracy >= 0, builtin latency
/ Rasa latency <= 1/5); writes var/bench-nlu.json.

The Rasa helpers here (`rasa_missing`, `rasa_server`) are also what
tests/bot/test_rasa_server.py uses.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_ACCURACY_DELTA = 0.0
TARGET_LATENCY_RATIO = 0.2


# --------------------------------------------------------------------------- Rasa
def rasa_venv() -> Path:
    return Path(os.environ.get("RASA_VENV", ROOT / ".venv-rasa")).resolve()


def rasa_model() -> Path:
    return Path(os.environ.get("RASA_DIR", ROOT / "var" / "rasa")).resolve() / "models" / "nlu.tar.gz"


def python310() -> str | None:
    found = subprocess.run(
        ["bash", str(ROOT / "rasa" / "rasa.sh"), "python"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return found or None


def rasa_missing() -> str | None:
    """Why the real Rasa server cannot run here, or None when it can."""
    if not (rasa_venv() / "bin" / "rasa").is_file():
        if python310() is None:
            return "Python 3.10 not found (Rasa 3.6 needs it); `make rasa` skips the same way"
        return f"no Rasa venv at {rasa_venv()} (run `make rasa`)"
    if not rasa_model().is_file():
        return f"no trained Rasa model at {rasa_model()} (run `make rasa`)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def rasa_server(
    port: int | None = None, timeout: float = 120.0
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real Rasa server on a loopback port with the trained model: yields (url, process)
    once ``/status`` reports the model loaded; stops the server on exit."""
    import httpx

    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="rasa-server-"))
    log_path = workdir / "server.log"
    env = dict(
        os.environ,
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        CUDA_VISIBLE_DEVICES="",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    cmd = [
        str(rasa_venv() / "bin" / "rasa"),
        "run",
        "--enable-api",
        "-m",
        str(rasa_model()),
        "--port",
        str(port),
        "-i",
        "127.0.0.1",
    ]
    with log_path.open("wb") as log_file:
        # The log goes to a file: a pipe nobody reads would fill up and stall the server.
        proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"rasa server exited ({proc.returncode}): {log_path.read_text()[-2000:]}")
            try:
                r = httpx.get(f"{url}/status", timeout=2)
                if r.status_code == 200 and r.json().get("model_file"):
                    break
            except (httpx.HTTPError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"rasa server not up after {timeout:.0f} s: {log_path.read_text()[-2000:]}"
                )
            time.sleep(0.5)
        yield url, proc
    finally:
        stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


# --------------------------------------------------------------------------- figures
def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def evaluate(engine: Any, examples: list[Any], warm: int = 10) -> dict[str, Any]:
    from bot.nlu import INTENTS

    for ex in examples[:warm]:
        engine.parse(ex.text)
    truth, predicted, lat, engines = [], [], [], set()
    for ex in examples:
        t0 = time.perf_counter()
        p = engine.parse(ex.text)
        lat.append((time.perf_counter() - t0) * 1000)
        truth.append(ex.intent)
        predicted.append(p.intent)
        engines.add(p.engine)
    f1 = []
    for intent in INTENTS:
        tp = sum(t == p == intent for t, p in zip(truth, predicted))
        fp = sum(p == intent != t for t, p in zip(truth, predicted))
        fn = sum(t == intent != p for t, p in zip(truth, predicted))
        f1.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return {
        "n": len(examples),
        "accuracy": sum(t == p for t, p in zip(truth, predicted)) / len(truth),
        "macro_f1": sum(f1) / len(f1),
        "p50_ms": pct(lat, 0.5),
        "p95_ms": pct(lat, 0.95),
        "engines": sorted(engines),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.nlu", description=__doc__.split("\n")[0])
    ap.add_argument("--no-rasa", action="store_true", help="measure the builtin engine only")
    ap.add_argument("--rasa-timeout", type=float, default=240.0, help="seconds to wait for the server")
    args = ap.parse_args(argv)

    from bot.nlu import data as nlu_data
    from bot.nlu.builtin import BuiltinNLU
    from bot.nlu.rasa import RasaNLU

    data = nlu_data.load()
    holdout = data.holdout
    t0 = time.perf_counter()
    builtin = BuiltinNLU.train()
    results: dict[str, Any] = {"train_examples": len(data.train), "holdout_examples": len(holdout)}
    results["builtin"] = evaluate(builtin, holdout, warm=len(holdout))
    results["builtin"]["train_s"] = time.perf_counter() - t0

    reason = "--no-rasa" if args.no_rasa else rasa_missing()
    if reason is None:
        try:
            t0 = time.perf_counter()
            with rasa_server(timeout=args.rasa_timeout) as (url, _):
                startup = time.perf_counter() - t0
                with RasaNLU(url, builtin, timeout=10.0) as rasa:
                    results["rasa"] = evaluate(rasa, holdout)
                    results["rasa"]["startup_s"] = startup
                    results["rasa"]["fallbacks"] = rasa.stats()["fallbacks"]
        except RuntimeError as exc:
            reason = f"server failed: {exc}"
    if reason is not None:
        results["rasa"] = {"skipped": reason}
    report(results)
    out = ROOT / "var" / "bench-nlu.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return 0


def report(r: dict[str, Any]) -> None:
    b, ra = r["builtin"], r["rasa"]
    print(
        f"\nNLU on the holdout of bot/data: {r['holdout_examples']} examples (trained on {r['train_examples']})"
    )
    print(f"  {'engine':8s} {'accuracy':>9s} {'macro-F1':>9s} {'p50 ms':>9s} {'p95 ms':>9s}")
    print(f"  {'builtin':8s} {b['accuracy']:9.3f} {b['macro_f1']:9.3f} {b['p50_ms']:9.3f} {b['p95_ms']:9.3f}")
    if "skipped" in ra:
        print(f"  {'rasa':8s} skipped: {ra['skipped']}")
        print(f"  builtin training: {b['train_s']:.2f} s")
        return
    print(
        f"  {'rasa':8s} {ra['accuracy']:9.3f} {ra['macro_f1']:9.3f} {ra['p50_ms']:9.3f} {ra['p95_ms']:9.3f}"
    )
    delta = b["accuracy"] - ra["accuracy"]
    ratio = b["p50_ms"] / ra["p50_ms"]
    ok_acc = "ok" if delta >= TARGET_ACCURACY_DELTA else "MISSED"
    ok_lat = "ok" if ratio <= TARGET_LATENCY_RATIO else "MISSED"
    print(f"  accuracy builtin - rasa: {delta:+.3f} (target >= 0: {ok_acc})")
    print(f"  latency p50 builtin / rasa: {ratio:.4f} (1/{1 / ratio:.0f}; target <= 1/5: {ok_lat})")
    print(
        f"  builtin training: {b['train_s']:.2f} s; rasa server start: {ra['startup_s']:.1f} s; "
        f"rasa fallbacks during the run: {ra['fallbacks']}"
    )


if __name__ == "__main__":
    sys.exit(main())
