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


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright, headless; the test is skipped without it."""
    from tests.console.conftest import chromium_path

    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium not found (install Debian's `chromium` package)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def watched_pages(browser: Any, base_url: str, *, strict: bool = False) -> Iterator[Any]:
    """``make(**context_options)`` opens a page in a new context (own cookies and
    sessionStorage). Script errors and CSP refusals (console errors) fail the test; the 404s a
    test provokes on purpose show as "Failed to load resource" and do not count unless
    ``strict``, where any 4xx/5xx response and any console error fails it."""
    contexts: list[Any] = []
    problems: list[str] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(base_url=base_url, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        if strict:
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on(
            "console",
            lambda msg: (
                problems.append(f"{msg.text} {msg.location.get('url', '')}")
                if msg.type == "error" and (strict or not msg.text.startswith("Failed to load resource"))
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


@contextmanager
def citizen_pages(browser: Any, base_url: str, viewport: dict[str, int] | None = None) -> Iterator[Any]:
    """``make(locale)`` opens the web chat as a new citizen, once its greeting is shown."""
    with watched_pages(browser, base_url) as open_page:

        def make(locale: str = "vi-VN") -> Any:
            page = open_page(locale=locale, viewport=viewport or {"width": 900, "height": 1000})
            page.goto("/")
            page.wait_for_selector("#messages li.bot")
            return page

        yield make
