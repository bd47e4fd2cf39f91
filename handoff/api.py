"""The console's JSON API under ``/console/api`` (the HTML pages call it with fetch()).

Every route needs a staff session cookie; POST routes also need the session's CSRF token
in ``X-CSRF-Token``. Errors are ``{"detail": "..."}`` with 401, 403, 404, 409, 422 or 429.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from handoff.auth import LoginRateLimited, StaffError, StaffExists, staff_dict
from handoff.deps import (
    SESSION_COOKIE,
    Admin,
    Cases,
    CsrfChecked,
    CurrentStaff,
    Settings,
    StaffAccounts,
    Supervisor,
    clear_session_cookie,
    client_ip,
    current_session,
    set_session_cookie,
)
from handoff.models import Case
from handoff.service import OPEN, CaseError, QueueFilter

log = logging.getLogger(__name__)

router = APIRouter(prefix="/console/api", tags=["console"])
LANG_PATTERN = r"^(vi|en|fr|es|zh|ko|ja)$"
# Integers a database column holds (PostgreSQL BIGINT); a larger one is a 422, never an overflow.
MAX_ID = 2**63 - 1
# No queue has a million cases; a larger offset is a mistake or a probe.
MAX_OFFSET = 1_000_000


@contextmanager
def _answer_errors() -> Iterator[None]:
    try:
        yield
    except CaseError as exc:
        raise HTTPException(status_code=exc.status, detail=str(exc)) from exc
    except StaffExists as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    except StaffError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LoginIn(_Body):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)


class CaseIn(_Body):
    conversation_id: str | None = Field(None, max_length=64)
    channel: str | None = Field(None, max_length=32, pattern=r"^[a-z0-9_-]+$")
    language: str = Field("vi", pattern=LANG_PATTERN)
    reason: str = Field("api", min_length=1, max_length=48)
    text: str | None = Field(None, max_length=4000)
    callback_number: str | None = Field(None, max_length=40)
    display_name: str | None = Field(None, max_length=200)


class TextIn(_Body):
    text: str = Field(min_length=1, max_length=4000)


class TransferIn(_Body):
    staff_id: int | None = Field(None, ge=1, le=MAX_ID)
    team: str | None = Field(None, max_length=64)


class ResolveIn(_Body):
    outcome: str = Field(max_length=48)


class CloseIn(_Body):
    note: str | None = Field(None, max_length=1000)


class StaffIn(_Body):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)
    role: str = Field(pattern=r"^(agent|supervisor|admin)$")
    display_name: str | None = Field(None, max_length=200)
    teams: list[str] = Field(default_factory=list, max_length=50)
    languages: list[str] = Field(default_factory=list, max_length=7)


def _me(staff: Any, csrf: str) -> dict[str, Any]:
    out = staff_dict(staff)
    out["csrf_token"] = csrf
    return out


# -- session --------------------------------------------------------------------------------


@router.post("/login")
def login(body: LoginIn, request: Request, response: Response, accounts: StaffAccounts) -> dict[str, Any]:
    """JSON login (the HTML form at /console/login does the same): sets the session cookie."""
    # FastAPI reads the body only when it is application/json, which a cross-site form cannot
    # send without a CORS preflight: no login CSRF on this route.
    ip = client_ip(request)
    try:
        staff = accounts.authenticate(body.username, body.password, ip)
    except LoginRateLimited as exc:
        raise HTTPException(
            status_code=429, detail=str(exc), headers={"Retry-After": str(exc.retry_after)}
        ) from exc
    if staff is None:
        raise HTTPException(status_code=401, detail="wrong username or password")
    token, csrf = accounts.start_session(staff, request.headers.get("user-agent"), ip=ip)
    set_session_cookie(response, request, token)
    return _me(staff, csrf)


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, response: Response, accounts: StaffAccounts) -> dict[str, bool]:
    accounts.end_session(request.cookies.get(SESSION_COOKIE), ip=client_ip(request))
    clear_session_cookie(response, request)
    return {"ok": True}


@router.get("/me")
def me(request: Request, staff: CurrentStaff) -> dict[str, Any]:
    found = current_session(request)
    assert found is not None  # CurrentStaff answered 401 otherwise
    return _me(staff, found[1].csrf_token)


# -- cases ----------------------------------------------------------------------------------


@router.get("/cases")
def list_cases(
    cases: Cases,
    staff: CurrentStaff,
    status: str = "open",
    language: str | None = None,
    channel: str | None = None,
    team: str | None = None,
    callback: Annotated[int | None, Query(ge=0, le=1)] = None,
    mine: Annotated[int | None, Query(ge=0, le=1)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    filters = QueueFilter(
        status=status,
        language=language or None,
        channel=channel or None,
        team=team or None,
        callback=None if callback is None else bool(callback),
        assigned_to=staff.id if mine else None,
        limit=limit,
        offset=offset,
    )
    with _answer_errors():
        listed = cases.list_queue(filters)
    # The page holds at most `limit` rows; the queue header shows the true totals.
    return {"cases": listed, **_totals(cases, filters)}


def _totals(cases: Any, f: QueueFilter) -> dict[str, int]:
    """How many cases match the filters (``total``) and how many of them wait (``waiting``)."""
    query = select(Case.status, func.count()).group_by(Case.status)
    for column, value in (
        (Case.language, f.language),
        (Case.channel, f.channel),
        (Case.team, f.team),
        (Case.assigned_to, f.assigned_to),
    ):
        if value is not None:
            query = query.where(column == value)
    if f.callback is not None:
        query = query.where(Case.callback.is_(f.callback))
    with cases.db.session() as s:
        by_status = {status: int(n) for status, n in s.execute(query)}
    if f.status == "open":
        total = sum(by_status.get(st, 0) for st in OPEN)
    elif f.status == "all":
        total = sum(by_status.values())
    else:
        total = by_status.get(f.status, 0)
    return {"total": total, "waiting": by_status.get("waiting", 0)}


@router.post("/cases", dependencies=[CsrfChecked], status_code=201)
def create_case(body: CaseIn, request: Request, cases: Cases, staff: CurrentStaff) -> dict[str, Any]:
    with _answer_errors():
        return cases.create_case(
            staff,
            language=body.language,
            reason=body.reason,
            conversation_id=body.conversation_id,
            channel=body.channel,
            text=body.text,
            callback_number=body.callback_number,
            display_name=body.display_name,
            ip=client_ip(request),
        )


@router.get("/cases/{case_id}")
def get_case(case_id: str, cases: Cases, staff: CurrentStaff) -> dict[str, Any]:
    with _answer_errors():
        return cases.get_case(case_id)


@router.post("/cases/{case_id}/claim", dependencies=[CsrfChecked])
def claim(case_id: str, request: Request, cases: Cases, staff: CurrentStaff) -> dict[str, Any]:
    with _answer_errors():
        if not cases.claim(case_id, staff, ip=client_ip(request)):
            raise HTTPException(status_code=409, detail="the case is no longer waiting: someone else took it")
        return cases.summary(case_id)


@router.post("/cases/{case_id}/reply", dependencies=[CsrfChecked])
def reply(case_id: str, body: TextIn, request: Request, cases: Cases, staff: CurrentStaff) -> dict[str, int]:
    with _answer_errors():
        message_id, outbox_id = cases.reply(case_id, staff, body.text, ip=client_ip(request))
    return {"message_id": message_id, "outbox_id": outbox_id}


@router.post("/cases/{case_id}/notes", dependencies=[CsrfChecked], status_code=201)
def add_note(
    case_id: str, body: TextIn, request: Request, cases: Cases, staff: CurrentStaff
) -> dict[str, Any]:
    with _answer_errors():
        return cases.add_note(case_id, staff, body.text, ip=client_ip(request))


@router.post("/cases/{case_id}/transfer", dependencies=[CsrfChecked])
def transfer(
    case_id: str, body: TransferIn, request: Request, cases: Cases, staff: CurrentStaff
) -> dict[str, Any]:
    with _answer_errors():
        return cases.transfer(
            case_id, staff, to_staff_id=body.staff_id, team=body.team, ip=client_ip(request)
        )


@router.post("/cases/{case_id}/wait-citizen", dependencies=[CsrfChecked])
def wait_citizen(case_id: str, request: Request, cases: Cases, staff: CurrentStaff) -> dict[str, Any]:
    with _answer_errors():
        return cases.wait_for_citizen(case_id, staff, ip=client_ip(request))


@router.post("/cases/{case_id}/resolve", dependencies=[CsrfChecked])
def resolve(
    case_id: str, body: ResolveIn, request: Request, cases: Cases, staff: CurrentStaff
) -> dict[str, Any]:
    with _answer_errors():
        return cases.resolve(case_id, staff, body.outcome, ip=client_ip(request))


@router.post("/cases/{case_id}/close", dependencies=[CsrfChecked])
def close(
    case_id: str, request: Request, cases: Cases, staff: CurrentStaff, body: CloseIn | None = None
) -> dict[str, Any]:
    with _answer_errors():
        return cases.close(case_id, staff, note=body.note if body else None, ip=client_ip(request))


@router.post("/cases/{case_id}/reopen", dependencies=[CsrfChecked])
def reopen(case_id: str, request: Request, cases: Cases, staff: CurrentStaff) -> dict[str, Any]:
    with _answer_errors():
        return cases.reopen(case_id, staff, ip=client_ip(request))


# -- reference data -------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _canned(path: str, _mtime: float) -> list[dict[str, Any]]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    replies = data.get("replies") if isinstance(data, dict) else data
    if not isinstance(replies, list):
        raise ValueError(f"{path}: expected a list of replies under 'replies'")
    return replies


def canned_replies(path: Path, lang: str) -> list[dict[str, Any]]:
    """The canned replies in ``lang`` (Vietnamese where a translation is missing)."""
    out = []
    for item in _canned(str(path), os.stat(path).st_mtime):
        texts = item.get("text") or {}
        titles = item.get("title") or {}
        chosen = lang if lang in texts else "vi"
        if chosen not in texts:
            continue
        out.append(
            {
                "id": item["id"],
                "title": titles.get(lang) or titles.get("vi") or item["id"],
                "text": str(texts[chosen]).strip(),
                "lang": chosen,
            }
        )
    return out


@router.get("/canned")
def canned(
    settings: Settings, staff: CurrentStaff, lang: str = Query("vi", pattern=LANG_PATTERN)
) -> dict[str, Any]:
    return {"replies": canned_replies(settings.canned_replies, lang)}


@router.get("/staff")
def list_staff(accounts: StaffAccounts, staff: CurrentStaff) -> dict[str, Any]:
    return {"staff": [staff_dict(st) for st in accounts.list_staff()]}


@router.post("/staff", dependencies=[CsrfChecked], status_code=201)
def create_staff(body: StaffIn, request: Request, accounts: StaffAccounts, admin: Admin) -> dict[str, Any]:
    with _answer_errors():
        created = accounts.create_staff(
            body.username,
            body.password,
            body.role,
            display_name=body.display_name,
            teams=body.teams,
            languages=body.languages,
            created_by=admin.id,
            ip=client_ip(request),
        )
    return staff_dict(created)


@router.post("/staff/{username}/unlock", dependencies=[CsrfChecked])
def unlock_staff(username: str, request: Request, accounts: StaffAccounts, admin: Admin) -> dict[str, Any]:
    """End an account's login lock and forget its failed attempts (audited)."""
    with _answer_errors():
        try:
            was_locked = accounts.unlock(username, by=admin.id, ip=client_ip(request))
        except StaffError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
    return {"username": username.strip().lower(), "unlocked": was_locked}


@router.get("/outcomes")
def outcomes(settings: Settings, staff: CurrentStaff) -> dict[str, Any]:
    return {"outcomes": list(settings.outcomes)}


@router.get("/teams")
def teams(settings: Settings, staff: CurrentStaff) -> dict[str, Any]:
    return {"teams": list(settings.teams)}


# -- live feed ------------------------------------------------------------------------------


@router.get("/events")
async def events(
    request: Request,
    cases: Cases,
    settings: Settings,
    staff: CurrentStaff,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Server-sent events: ``event: case`` with {kind, case_id, case, data} per case change,
    read from the case_events table (so any server process's changes appear)."""
    start = after
    resume = (last_event_id or "").strip()
    if start is None and resume.isascii() and resume.isdigit() and len(resume) <= 19:
        start = min(int(resume), MAX_ID)
    if start is None:
        start = await run_in_threadpool(cases.last_event_id)
    token = request.cookies.get(SESSION_COOKIE)
    accounts = request.app.state.staff
    return StreamingResponse(
        _stream(request, cases, accounts, token, start, settings),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(
    request: Request, cases: Any, accounts: Any, token: str | None, start: int, settings: Any
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    last = start
    began = last_beat = loop.time()
    yield "retry: 3000\n: connected\n\n"
    while loop.time() - began < settings.events_stream_seconds:
        if await request.is_disconnected():
            return
        batch = await run_in_threadpool(cases.events_since, last, 100)
        for event in batch:
            last = event["id"]
            data = {k: event[k] for k in ("kind", "case_id", "case", "data", "created_at")}
            yield f"id: {last}\nevent: case\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
        if len(batch) == 100:
            continue
        if loop.time() - last_beat >= settings.events_heartbeat_seconds:
            # The session may have ended (logout, expiry) since the stream began.
            if await run_in_threadpool(accounts.session, token) is None:
                return
            last_beat = loop.time()
            yield ": heartbeat\n\n"
        await asyncio.sleep(settings.events_poll_seconds)


# -- supervision ----------------------------------------------------------------------------


@router.get("/stats")
def stats(cases: Cases, staff: Supervisor, days: Annotated[int, Query(ge=1, le=366)] = 7) -> dict[str, Any]:
    return cases.stats(days=days)


@router.get("/gaps")
def gaps(
    cases: Cases,
    staff: Supervisor,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    return {"gaps": cases.gaps(days=days, limit=limit)}


def _csv(body: str, name: str) -> Response:
    return Response(
        content="\ufeff" + body,  # a BOM so that spreadsheet programs read UTF-8 (Vietnamese)
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-{date.today().isoformat()}.csv"'},
    )


@router.get("/export/cases.csv")
def export_cases(
    request: Request, cases: Cases, staff: Supervisor, days: Annotated[int, Query(ge=1, le=3660)] = 30
) -> Response:
    return _csv(cases.export_cases_csv(staff, days=days, ip=client_ip(request)), "cases")


@router.get("/export/gaps.csv")
def export_gaps(
    request: Request, cases: Cases, staff: Supervisor, days: Annotated[int, Query(ge=1, le=3660)] = 30
) -> Response:
    return _csv(cases.export_gaps_csv(staff, days=days, ip=client_ip(request)), "gaps")


@router.get("/audit")
def audit(
    cases: Cases,
    staff: Supervisor,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
    case_id: str | None = None,
) -> dict[str, Any]:
    return {"entries": cases.audit_entries(limit, case_id=case_id)}
