"""The real app served by uvicorn on a loopback port, for tests that need a browser or a
separate client process (the web chat in Node and in Chromium)."""

from __future__ import annotations

import copy
import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_app(sample_settings: Any, sample_runtime: Any, folder: Path, name: str) -> Iterator[Any]:
    """The app on its own SQLite database in ``folder``; ``app.state.base_url`` is its URL."""
    uvicorn = pytest.importorskip("uvicorn")
    from channels.api import create_app
    from channels.settings import DatabaseSettings

    db_path = folder / "hotline.db"
    settings = sample_settings.model_copy(update={"database": DatabaseSettings(url=f"sqlite:///{db_path}")})
    runtime = dataclasses.replace(sample_runtime, assistant=copy.copy(sample_runtime.assistant))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DATABASE_URL", raising=False)
        app = create_app(settings, runtime=runtime)
    port = free_port()
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, name=f"{name}-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the server did not start")
        time.sleep(0.05)
    app.state.base_url = f"http://127.0.0.1:{port}"
    try:
        yield app
    finally:
        instance.should_exit = True
        thread.join(timeout=10)
