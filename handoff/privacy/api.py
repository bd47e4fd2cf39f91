"""Administrators' console API for a data subject's requests, under ``/console/api/privacy``.

The same export and erasure as ``hotline privacy``, for an operator without shell access:
admin role only, erasure with the session's CSRF token; both audited with the account and
its address. Answers carry ``Cache-Control: no-store`` (the console's middleware).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from handoff.deps import Admin, CsrfChecked, client_ip
from handoff.privacy.subject import Subject, SubjectNotFound, SubjectRequests

router = APIRouter(prefix="/console/api/privacy", tags=["privacy"])


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    conversation: str | None = Field(None, min_length=1, max_length=64)
    user: str | None = Field(None, min_length=3, max_length=161)


def _subject(conversation: str | None, user: str | None) -> Subject:
    try:
        return Subject(conversation=conversation or None, user=user or None)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


def _requests(request: Request) -> SubjectRequests:
    return SubjectRequests(request.app.state.db, timezone=request.app.state.handoff_settings.timezone)


@router.get("/export")
async def export(
    request: Request, admin: Admin, conversation: str | None = None, user: str | None = None
) -> dict[str, Any]:
    """Everything stored about one conversation or one channel user (``channel:id``), unmasked."""
    subject = _subject(conversation, user)
    try:
        return await run_in_threadpool(
            _requests(request).export, subject, by=admin.username, staff=admin, ip=client_ip(request)
        )
    except SubjectNotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc


@router.post("/erase", dependencies=[CsrfChecked])
async def erase(body: SubjectIn, request: Request, admin: Admin) -> dict[str, Any]:
    """Deletes every row of the subject's conversations, open cases included."""
    subject = _subject(body.conversation, body.user)
    try:
        counts = await run_in_threadpool(
            _requests(request).erase, subject, by=admin.username, staff=admin, ip=client_ip(request)
        )
    except SubjectNotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    return {"erased": counts}
