"""App-level handlers: every ``HotlineError`` that escapes a route becomes its clear status.

API clients get JSON (``{"detail": message}``), browsers on the console's pages a short
page; an unexpected exception is answered with a plain 500 that shows none of it (its
traceback goes to the server's log only). Routes keep raising ``HTTPException`` where they choose a status
themselves; these handlers are the net under them.
"""

from __future__ import annotations

import html
import logging

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bot import texts
from knowledge.errors import HotlineError, RateLimited

log = logging.getLogger(__name__)

INTERNAL = "internal error: the team has been told; please try again later"
# A provider's own message may carry its URL or a token-bearing request line: not for clients.
UNAVAILABLE = "a service the assistant depends on is unavailable; please try again shortly"
# The console's own pages; its JSON API lives under /console/api.
_HTML_PREFIX = "/console"
_JSON_PREFIXES = ("/console/api", "/console/static")


def wants_html(request: Request) -> bool:
    path = request.url.path
    if not path.startswith(_HTML_PREFIX) or path.startswith(_JSON_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(request: Request, status: int, message: str) -> Response:
    headers = {"Cache-Control": "no-store"}
    if wants_html(request):
        return HTMLResponse(_page(status, message), status_code=status, headers=headers)
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def _both(key: str) -> str:
    # Before a login the page cannot know the officer's language: Vietnamese, then English.
    return html.escape(" / ".join(dict.fromkeys(texts.t(lang, key, "console") for lang in ("vi", "en"))))


def _page(status: int, message: str) -> str:
    # Staff read the console in Vietnamese first; the message itself is the error's own.
    text = html.escape(message)
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{status}</title></head><body>"
        f"<h1>{_both('request_failed')}</h1>"
        f"<p>{text}</p>"
        f'<p><a href="/console/">{_both("back_to_console")}</a></p>'
        "</body></html>"
    )


async def _hotline_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HotlineError)
    status = exc.status if 400 <= exc.status < 600 else 500
    if status >= 500:
        log.error("%s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
    else:
        log.info("%s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
    response = error_response(request, status, exc.public_message if status < 500 else UNAVAILABLE)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(max(1, int(round(exc.retry_after))))
    elif status == 503:
        response.headers["Retry-After"] = "30"
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    # Starlette raises the exception again once this answer is sent, so the server logs its
    # traceback; here only the line that ties it to the request.
    log.error("%s %s failed: %s", request.method, request.url.path, type(exc).__name__)
    return error_response(request, 500, INTERNAL)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HotlineError, _hotline_error)
    app.add_exception_handler(Exception, _unexpected)
