"""`hotline index` shows its steps on a terminal, and nothing in a pipe or with -q."""

from __future__ import annotations

import io
import logging
import os
import pty
import subprocess
import sys
from pathlib import Path

from channels.progress import steps, wanted

ROOT = Path(__file__).resolve().parents[2]


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_and_never_with_q_or_v():
    assert wanted(False, 0, Tty())
    assert not wanted(False, 0, io.StringIO())
    assert not wanted(True, 0, Tty())
    assert not wanted(False, 1, Tty())


def test_steps_are_lines_with_the_time_and_leave_the_loggers_as_they_were():
    stream = Tty()
    logger = logging.getLogger("knowledge.index")
    parent = logging.getLogger("knowledge")
    before = (parent.level, parent.propagate)
    with steps(True, stream):
        logger.info("index built: %d procedures", 44)
        logger.warning("skipped %s", "x")
        logging.getLogger("unrelated").info("not a step")
    with steps(False, stream):
        logger.info("not shown")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].strip().startswith(tuple("0123456789")) and lines[0].endswith(
        "index built: 44 procedures"
    )
    assert lines[1].endswith("warning: skipped x")
    assert (parent.level, parent.propagate) == before


def _index(args: list[str], tty: bool) -> tuple[int, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT), TOKENIZERS_PARALLELISM="false")
    cmd = [sys.executable, "-m", "channels.cli", *args]
    if not tty:
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        return done.returncode, done.stderr
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=secondary)
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(primary)
    return proc.wait(timeout=600), b"".join(chunks).decode("utf-8", "replace")


def test_index_shows_its_steps_on_a_terminal_only(sample_config, sample_runtime, tmp_path):
    out = tmp_path / "idx"
    code, shown = _index(["--config", str(sample_config), "index", "--out", str(out)], tty=True)
    assert code == 0, shown
    assert "catalogue import" in shown and "index built" in shown and " s  " in shown
    code, piped = _index(["--config", str(sample_config), "index", "--out", str(out), "--force"], tty=False)
    assert code == 0 and piped == ""
    code, quiet = _index(["--config", str(sample_config), "index", "--out", str(out), "-q"], tty=True)
    assert code == 0 and "catalogue import" not in quiet
