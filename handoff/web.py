"""Mount the staff console (JSON API, HTML pages, static files) on the main FastAPI app."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handoff import api
from handoff.auth import StaffService
from handoff.config import HandoffSettings
from handoff.db import Database
from handoff.privacy import api as privacy_api
from handoff.service import CaseService

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
API_PREFIX = "/console/api/"


class NoStoreApi:
    """Every answer of the console's JSON API, errors included, is personal data: no cache
    (browser, proxy) may keep it, and no browser may sniff it into something else."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Cache-Control"] = "no-store"
                headers["X-Content-Type-Options"] = "nosniff"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def attach_services(
    app: FastAPI,
    db: Database,
    settings: HandoffSettings,
    *,
    procedure_lookup: Callable[[str], Any] | None = None,
    environment: str = "development",
    clock: Callable[[], datetime] | None = None,
) -> CaseService:
    """Put the console's services on ``app.state`` (the routes' dependencies read them)."""
    cases = CaseService(db, settings, procedure_lookup=procedure_lookup, clock=clock)
    app.state.db = db
    app.state.cases = cases
    app.state.staff = StaffService(db, settings, clock=clock)
    app.state.handoff_settings = settings
    app.state.handoff_cookie_secure = settings.secure_cookies(environment)
    if not app.state.handoff_cookie_secure and environment == "production":
        log.warning("console cookies are not Secure in production (handoff.cookie_secure is false)")
    return cases


def mount_console(
    app: FastAPI,
    db: Database,
    settings: HandoffSettings,
    *,
    procedure_lookup: Callable[[str], Any] | None = None,
    environment: str = "development",
    clock: Callable[[], datetime] | None = None,
) -> CaseService:
    """The console at /console/ and its API at /console/api on ``app``.

    The schema must be migrated (``db.migrate()``) before the app serves. Returns the
    ``CaseService`` (the bot's ``CaseOpener``).
    """
    from handoff import pages

    cases = attach_services(
        app, db, settings, procedure_lookup=procedure_lookup, environment=environment, clock=clock
    )
    app.add_middleware(NoStoreApi)
    # Static files first: the pages router must not shadow them.
    app.mount("/console/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="console-static")
    app.include_router(api.router)
    app.include_router(privacy_api.router)
    app.include_router(pages.router)
    return cases
