"""Progress of the long commands (``hotline index``) on a terminal: each step as a line on
stderr with the time since the start, and a bar while the documents are encoded. Nothing
when stderr is not a terminal (CI, logs, pipes), with ``-q``, or with ``-v`` (the log lines
say it all then)."""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator
from typing import TextIO

# The loggers whose INFO lines are the steps of building an index.
STEP_LOGGERS = ("channels.runtime", "knowledge")


def wanted(quiet: bool, verbosity: int, stream: TextIO | None = None) -> bool:
    stream = stream or sys.stderr
    return not quiet and verbosity == 0 and stream.isatty()


class StepLines(logging.Handler):
    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.INFO)
        self.stream = stream
        self.started = time.perf_counter()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level = "" if record.levelno < logging.WARNING else f"{record.levelname.lower()}: "
            elapsed = time.perf_counter() - self.started
            self.stream.write(f"  {elapsed:6.1f} s  {level}{record.getMessage()}\n")
            self.stream.flush()
        except Exception:  # a closed terminal must not stop the build
            self.handleError(record)


@contextlib.contextmanager
def steps(enabled: bool, stream: TextIO | None = None) -> Iterator[None]:
    """Show the steps logged inside, when ``enabled``."""
    if not enabled:
        yield
        return
    handler = StepLines(stream or sys.stderr)
    saved = []
    for name in STEP_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        logger.propagate = False  # shown here, not again by the quiet root handler
    try:
        yield
    finally:
        for logger, level, propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
