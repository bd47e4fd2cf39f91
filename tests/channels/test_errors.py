"""Issue 12, one exception root: every error the project raises on purpose is a
``HotlineError``, and the app maps each kind to a clear status (JSON for clients, a short page
for the console's browser pages), never a 500 with a traceback. Through the real app's
lifespan."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from knowledge.errors import (
    BadInput,
    ConfigError,
    Conflict,
    Forbidden,
    HotlineError,
    NotFound,
    ProviderUnavailable,
    RateLimited,
)

SECRET_IN_MESSAGE = "https://api.example.vn/bot123456:AAsecret/sendMessage"


def test_every_project_error_has_the_one_root():
    from bot.dossier import DossierSourceError
    from bot.nlu.rasa import RasaError
    from channels.outbox import SendError
    from channels.telegram import TelegramChannelError
    from channels.webhook import Unreadable
    from handoff.auth import LoginRateLimited, StaffError, StaffExists
    from handoff.service import CaseConflict, CaseError, CaseNotFound, InvalidRequest, NotAllowed
    from knowledge.catalogue.sources import RecordQuarantined, RecordRejected
    from knowledge.descriptions import DescriptionError
    from knowledge.glossary import GlossaryError
    from knowledge.terminology import TerminologyError

    kinds = {
        DossierSourceError: ProviderUnavailable,
        RasaError: ProviderUnavailable,
        SendError: ProviderUnavailable,
        TelegramChannelError: ConfigError,
        DescriptionError: ConfigError,
        GlossaryError: ConfigError,
        TerminologyError: ConfigError,
        Unreadable: BadInput,
        StaffError: BadInput,
        InvalidRequest: BadInput,
        StaffExists: Conflict,
        CaseConflict: Conflict,
        CaseNotFound: NotFound,
        NotAllowed: Forbidden,
        LoginRateLimited: RateLimited,
        CaseError: HotlineError,
        RecordRejected: HotlineError,
        RecordQuarantined: HotlineError,
    }
    for error, kind in kinds.items():
        assert issubclass(error, kind), (error, kind)
    # The built-in bases callers caught before stay.
    assert issubclass(DossierSourceError, RuntimeError) and issubclass(CaseNotFound, LookupError)
    assert issubclass(StaffError, ValueError) and issubclass(TelegramChannelError, ValueError)
    assert issubclass(Unreadable, ValueError) and issubclass(InvalidRequest, ValueError)
    # The statuses the console API answered with are the kinds' own.
    assert (CaseError.status, CaseNotFound.status, CaseConflict.status, NotAllowed.status) == (
        400,
        404,
        409,
        403,
    )
    assert (InvalidRequest.status, StaffError.status, StaffExists.status) == (422, 422, 409)
    assert LoginRateLimited(42, "user").retry_after == 42


@pytest.fixture
def app(sample_settings: Any, sample_runtime: Any, tmp_path: Path) -> Iterator[Any]:
    """The real app (its lifespan, its handlers) with routes that raise each kind."""
    from channels.api import create_app
    from channels.settings import DatabaseSettings
    from handoff.auth import LoginRateLimited
    from handoff.service import CaseNotFound

    settings = sample_settings.model_copy(
        update={"database": DatabaseSettings(url=f"sqlite:///{tmp_path / 'hotline.db'}")}
    )
    runtime = dataclasses.replace(sample_runtime, assistant=copy.copy(sample_runtime.assistant))
    application = create_app(settings, runtime=runtime)
    errors: dict[str, Exception] = {
        "not-found": NotFound("no such thing"),
        "forbidden": Forbidden("this needs the role supervisor"),
        "conflict": Conflict("the case changed meanwhile"),
        "bad-input": BadInput("the date must be YYYY-MM-DD"),
        "limited": RateLimited("too many messages", retry_after=7.2),
        "login-limited": LoginRateLimited(90, "address"),
        "provider": ProviderUnavailable(f"POST {SECRET_IN_MESSAGE} timed out"),
        "config": ConfigError(f"bad token {SECRET_IN_MESSAGE}"),
        "case": CaseNotFound("case HL-1 not found"),
        "bug": RuntimeError(f"a bug near {SECRET_IN_MESSAGE}"),
    }

    def raiser(error: Exception) -> Any:
        def route() -> None:
            raise error

        return route

    for name, error in errors.items():
        application.add_api_route(f"/api/v1/test-errors/{name}", raiser(error), methods=["GET"])
    application.add_api_route("/console/test-errors/page", raiser(CaseNotFound("case <HL-2> not found")))
    application.add_api_route("/console/api/test-errors/json", raiser(CaseNotFound("case HL-3 not found")))
    with TestClient(application, raise_server_exceptions=False) as client:
        application.state.test_client = client
        yield application


def _get(app: Any, path: str, **headers: str) -> Any:
    return app.state.test_client.get(path, headers=headers)


@pytest.mark.parametrize(
    ("name", "status", "detail"),
    [
        ("not-found", 404, "no such thing"),
        ("forbidden", 403, "this needs the role supervisor"),
        ("conflict", 409, "the case changed meanwhile"),
        ("bad-input", 422, "the date must be YYYY-MM-DD"),
        ("limited", 429, "too many messages"),
        ("case", 404, "case HL-1 not found"),
    ],
)
def test_each_kind_is_its_own_clear_status(app, name, status, detail):
    r = _get(app, f"/api/v1/test-errors/{name}")
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json") and r.json() == {"detail": detail}


def test_rate_limits_say_when_to_come_back(app):
    assert _get(app, "/api/v1/test-errors/limited").headers["Retry-After"] == "7"
    r = _get(app, "/api/v1/test-errors/login-limited")
    assert r.status_code == 429 and r.headers["Retry-After"] == "90" and "address" in r.json()["detail"]


@pytest.mark.parametrize("name", ["provider", "config", "bug"])
def test_server_side_failures_show_no_internals(app, name):
    r = _get(app, f"/api/v1/test-errors/{name}")
    assert r.status_code == (500 if name == "bug" else 503)
    assert r.headers["content-type"].startswith("application/json")
    body = r.text
    assert "Traceback" not in body and "AAsecret" not in body and "api.example.vn" not in body
    assert r.json()["detail"]
    if r.status_code == 503:
        assert r.headers["Retry-After"] == "30"


def test_console_pages_get_a_page_and_its_api_json(app):
    page = _get(app, "/console/test-errors/page", accept="text/html,application/xhtml+xml")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "case &lt;HL-2&gt; not found" in page.text and "<HL-2>" not in page.text
    assert 'href="/console/"' in page.text
    api = _get(app, "/console/api/test-errors/json", accept="text/html")
    assert api.status_code == 404 and api.json() == {"detail": "case HL-3 not found"}


def test_the_real_routes_keep_their_answers(app):
    assert _get(app, "/api/v1/procedures/9.999999").status_code == 404
    assert _get(app, "/healthz").json() == {"status": "ok"}
