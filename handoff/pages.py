"""Staff console pages (HTML): login, queue, case view, supervisor dashboard, audit log.

The pages are thin shells rendered with Jinja2; the data comes from the JSON API
(``handoff.api``) through ``handoff/static/console.js``. What this module does itself:
the session check (a page without a session redirects to the login form instead of
answering 401 JSON), the login form with its double-submit CSRF cookie, logout, the role
check of supervisor pages, the interface language (Vietnamese by default, ``?ui=en``), and
security headers on every page.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from bot import texts
from handoff.deps import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    clear_session_cookie,
    client_ip,
    cookie_secure,
    current_session,
    set_session_cookie,
)

log = logging.getLogger(__name__)

router = APIRouter()

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
STATIC_DIR = HERE / "static"

UI_COOKIE = "hotline_ui"
SUPERVISOR_ROLES = ("supervisor", "admin")

STATUSES = ("open", "waiting", "assigned", "waiting_citizen", "resolved", "closed")
CHANNELS = ("telegram", "zalo", "zalo_bot", "voice", "web", "api")

# Content-Security-Policy: everything is served from this origin; no inline script runs
# (the page data travels in <meta> and <script type="application/json"> blocks).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

# The console's texts live in locales/<lang>/LC_MESSAGES/console.po; a language with that file
# is offered as a UI language (Vietnamese always: the source).
LABELS: Mapping[str, Mapping[str, str]] = texts.Table("console")


def ui_languages() -> tuple[str, ...]:
    return tuple(lang for lang in texts.languages() if texts.catalogue(lang, "console"))


# ---------------------------------------------------------------- helpers


def _ui(request: Request) -> str:
    asked = request.query_params.get("ui")
    if asked in ui_languages():
        return asked
    kept = request.cookies.get(UI_COOKIE)
    return kept if kept in ui_languages() else "vi"


def _labels(ui: str) -> dict[str, str]:
    # Key by key, the UI language's text, else the Vietnamese source (one fallback policy).
    return {**LABELS["vi"], **LABELS.get(ui, {})}


@lru_cache(maxsize=8)
def _asset_version(name: str, mtime_ns: int) -> str:
    # mtime_ns is part of the cache key: an edited file gets a new version.
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


def _static_url(name: str) -> str:
    path = STATIC_DIR / name
    try:
        version = _asset_version(name, path.stat().st_mtime_ns)
    except OSError:
        version = "0"
    return f"/console/static/{quote(name)}?v={version}"


def _settings(request: Request) -> Any:
    return request.app.state.handoff_settings


def _staff_view(staff: Any) -> dict[str, Any]:
    return {
        "id": staff.id,
        "username": staff.username,
        "display_name": staff.display_name or "",
        "role": staff.role,
        "teams": list(staff.teams or []),
    }


def _current(request: Request) -> tuple[Any, Any] | None:
    """(Staff, StaffSession) of the session cookie, or None."""
    return current_session(request)


def _safe_next(value: str | None) -> str:
    """Only same-site console paths: no scheme, no host, no protocol-relative URL."""
    if not value or not value.startswith("/console/") or value.startswith("//") or "\\" in value:
        return "/console/"
    if any(ch in value for ch in "\r\n\t"):
        return "/console/"
    return value


def _login_redirect(request: Request) -> Response:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return _secured(RedirectResponse(f"/console/login?next={quote(target, safe='')}", status_code=303))


def _secured(response: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    return response


def _render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    page: str = "",
    staff: Any = None,
    csrf_token: str | None = None,
    **context: Any,
) -> HTMLResponse:
    ui = _ui(request)
    labels = _labels(ui)

    def t(key: str, **kwargs: Any) -> str:
        text = labels.get(key, key)
        return text.format(**kwargs) if kwargs else text

    settings = _settings(request)
    ui_links = {
        code: "?"
        + urlencode([*((k, v) for k, v in request.query_params.multi_items() if k != "ui"), ("ui", code)])
        for code in ui_languages()
    }
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "t": t,
            "ui": ui,
            "labels": labels,
            "page": page,
            "staff": _staff_view(staff) if staff is not None else None,
            "csrf_token": csrf_token,
            "timezone": settings.timezone,
            "static_url": _static_url,
            "ui_links": ui_links,
            **context,
        },
        status_code=status_code,
    )
    if request.query_params.get("ui") in ui_languages():
        response.set_cookie(
            UI_COOKIE,
            ui,
            max_age=365 * 24 * 3600,
            path="/console",
            samesite="lax",
            secure=cookie_secure(request),
            httponly=True,
        )
    _secured(response)
    return response


def _error(
    request: Request,
    status_code: int,
    message_key: str,
    *,
    staff: Any = None,
    csrf_token: str | None = None,
) -> HTMLResponse:
    labels = _labels(_ui(request))
    return _render(
        request,
        "error.html",
        status_code=status_code,
        page="error",
        staff=staff,
        csrf_token=csrf_token,
        title=labels.get(f"error_{status_code}", str(status_code)),
        message=labels.get(message_key, message_key),
    )


def _delete_login_csrf(request: Request, response: Response) -> None:
    response.delete_cookie(
        LOGIN_CSRF_COOKIE, path="/console", httponly=True, samesite="strict", secure=cookie_secure(request)
    )


def _login_page(
    request: Request,
    *,
    status_code: int = 200,
    error_key: str | None = None,
    username: str = "",
    next_url: str = "",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The form with a fresh double-submit token (cookie + hidden field)."""
    token = secrets.token_urlsafe(32)
    labels = _labels(_ui(request))
    response = _render(
        request,
        "login.html",
        status_code=status_code,
        page="login",
        login_csrf=token,
        error=labels.get(error_key, "") if error_key else "",
        username=username,
        next=_safe_next(next_url) if next_url else "",
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=2 * 3600,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=cookie_secure(request),
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _same(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


# ---------------------------------------------------------------- login / logout


@router.get("/console/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, next: str = "") -> Response:
    if _current(request) is not None:
        return _secured(RedirectResponse(_safe_next(next), status_code=303))
    return _login_page(request, next_url=next)


@router.post("/console/login", response_class=HTMLResponse, include_in_schema=False)
def login_submit(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    from handoff.auth import LoginRateLimited

    if not _same(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _login_page(request, status_code=403, error_key="login_csrf", username=username, next_url=next)
    staff_service = request.app.state.staff
    try:
        staff = staff_service.authenticate(username.strip(), password, client_ip(request))
    except LoginRateLimited as exc:
        retry = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(int(retry))} if isinstance(retry, int | float) and retry > 0 else None
        return _login_page(
            request,
            status_code=429,
            error_key="login_rate_limited",
            username=username,
            next_url=next,
            headers=headers,
        )
    if staff is None:
        return _login_page(
            request, status_code=401, error_key="login_failed", username=username, next_url=next
        )
    token, _csrf = staff_service.start_session(
        staff, request.headers.get("user-agent", "")[:300], ip=client_ip(request)
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, request, token)
    _delete_login_csrf(request, response)
    return _secured(response)


@router.post("/console/logout", include_in_schema=False)
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=128)] = "") -> Response:
    current = _current(request)
    if current is None:
        return _secured(RedirectResponse("/console/login", status_code=303))
    staff, session = current
    if not _same(csrf_token, session.csrf_token):
        return _error(request, 403, "error_csrf_msg", staff=staff, csrf_token=session.csrf_token)
    request.app.state.staff.end_session(request.cookies.get(SESSION_COOKIE, ""), ip=client_ip(request))
    response = RedirectResponse("/console/login", status_code=303)
    clear_session_cookie(response, request)
    return _secured(response)


# ---------------------------------------------------------------- pages


@router.get("/console/", response_class=HTMLResponse, include_in_schema=False)
def queue_page(request: Request) -> Response:
    current = _current(request)
    if current is None:
        return _login_redirect(request)
    staff, session = current
    q = request.query_params
    status = q.get("status", "open")
    filters = {
        "status": status if status in STATUSES else "open",
        "language": q.get("language", ""),
        "channel": q.get("channel", ""),
        "team": q.get("team", ""),
        "callback": q.get("callback") in ("1", "true", "on"),
        "mine": q.get("mine") in ("1", "true", "on"),
    }
    teams = sorted({*(_settings(request).teams or []), *(staff.teams or [])})
    return _render(
        request,
        "queue.html",
        page="queue",
        staff=staff,
        csrf_token=session.csrf_token,
        filters=filters,
        statuses=STATUSES,
        languages=texts.languages(),
        channels=CHANNELS,
        teams=teams,
    )


@router.get("/console/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
def case_page(request: Request, case_id: str) -> Response:
    current = _current(request)
    if current is None:
        return _login_redirect(request)
    staff, session = current
    if not _case_exists(request, case_id):
        return _error(request, 404, "case_not_found", staff=staff, csrf_token=session.csrf_token)
    teams = sorted({*(_settings(request).teams or []), *(staff.teams or [])})
    return _render(
        request,
        "case.html",
        page="case",
        staff=staff,
        csrf_token=session.csrf_token,
        case_id=case_id,
        teams=teams,
    )


def _case_exists(request: Request, case_id: str) -> bool:
    from handoff.models import Case

    if len(case_id) > 32:
        return False
    with request.app.state.db.session() as s:
        return s.get(Case, case_id) is not None


def _supervisor(request: Request) -> tuple[Any, Any] | Response:
    current = _current(request)
    if current is None:
        return _login_redirect(request)
    staff, session = current
    if staff.role not in SUPERVISOR_ROLES:
        return _error(request, 403, "error_403_msg", staff=staff, csrf_token=session.csrf_token)
    return current


@router.get("/console/supervisor", response_class=HTMLResponse, include_in_schema=False)
def supervisor_page(request: Request, days: str = "7") -> Response:
    current = _supervisor(request)
    if isinstance(current, Response):
        return current
    staff, session = current
    return _render(
        request,
        "supervisor.html",
        page="supervisor",
        staff=staff,
        csrf_token=session.csrf_token,
        days=int(days) if days in ("1", "7", "30", "90") else 7,
    )


@router.get("/console/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(request: Request) -> Response:
    current = _supervisor(request)
    if isinstance(current, Response):
        return current
    staff, session = current
    return _render(request, "audit.html", page="audit", staff=staff, csrf_token=session.csrf_token)
