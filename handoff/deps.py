"""FastAPI dependencies of the console: services, the staff session, roles and CSRF.

The JSON API answers 401 (no valid session), 403 (wrong role or CSRF token); the HTML
pages use ``OptionalStaff`` / ``current_session`` and redirect to the login page
themselves.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response

from handoff.auth import StaffService
from handoff.config import HandoffSettings
from handoff.models import Staff, StaffSession
from handoff.service import CaseService

log = logging.getLogger(__name__)

SESSION_COOKIE = "hotline_session"
LOGIN_CSRF_COOKIE = "hotline_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


def get_cases(request: Request) -> CaseService:
    return request.app.state.cases  # type: ignore[no-any-return]


def get_staff_service(request: Request) -> StaffService:
    return request.app.state.staff  # type: ignore[no-any-return]


def get_settings(request: Request) -> HandoffSettings:
    return request.app.state.handoff_settings  # type: ignore[no-any-return]


Cases = Annotated[CaseService, Depends(get_cases)]
StaffAccounts = Annotated[StaffService, Depends(get_staff_service)]
Settings = Annotated[HandoffSettings, Depends(get_settings)]


def client_ip(request: Request) -> str | None:
    # Behind a reverse proxy run uvicorn with --proxy-headers so that this is the citizen's
    # (the staff member's) address, not the proxy's.
    return request.client.host if request.client else None


def current_session(request: Request) -> tuple[Staff, StaffSession] | None:
    """The staff member and session of the request's cookie, looked up once per request."""
    if hasattr(request.state, "handoff_session"):
        return request.state.handoff_session  # type: ignore[no-any-return]
    found = request.app.state.staff.session(request.cookies.get(SESSION_COOKIE))
    request.state.handoff_session = found
    return found  # type: ignore[no-any-return]


def get_optional_staff(request: Request) -> Staff | None:
    found = current_session(request)
    return found[0] if found else None


def get_current_staff(request: Request) -> Staff:
    found = current_session(request)
    if found is None:
        raise HTTPException(status_code=401, detail="not logged in", headers={"WWW-Authenticate": "Cookie"})
    return found[0]


OptionalStaff = Annotated[Staff | None, Depends(get_optional_staff)]
CurrentStaff = Annotated[Staff, Depends(get_current_staff)]


def require_role(*roles: str) -> Callable[..., Staff]:
    """A dependency that gives the current staff member when their role is one of ``roles``."""

    def check(staff: CurrentStaff) -> Staff:
        if staff.role not in roles:
            raise HTTPException(status_code=403, detail=f"this needs the role {' or '.join(roles)}")
        return staff

    return check


Supervisor = Annotated[Staff, Depends(require_role("supervisor", "admin"))]
Admin = Annotated[Staff, Depends(require_role("admin"))]


async def check_csrf(request: Request, _staff: CurrentStaff) -> None:
    """State-changing requests carry the session's CSRF token (header or form field)."""
    found = current_session(request)
    expected = found[1].csrf_token if found else ""
    sent = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        log.warning("CSRF token missing or wrong for %s %s", request.method, request.url.path)
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token")


CsrfChecked = Depends(check_csrf)


def cookie_secure(request: Request) -> bool:
    return bool(getattr(request.app.state, "handoff_cookie_secure", True))


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    settings: HandoffSettings = request.app.state.handoff_settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_hours * 3600),
        path="/console",
        httponly=True,
        samesite="strict",
        secure=cookie_secure(request),
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/console", httponly=True, samesite="strict", secure=cookie_secure(request)
    )
