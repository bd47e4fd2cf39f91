"""Who the client is, and how often it may ask: trusted proxies and the public API's rate limit.

``TrustedProxies`` believes ``X-Forwarded-For`` only from the addresses in
``server.trusted_proxies`` (empty by default): from any other peer the connecting address is
the client, so a rotating header neither escapes a per-address limit nor forges the audit
log. ``ask_rate_limit`` limits ``POST /api/v1/ask`` per conversation and per client address
with the database's atomic counters (``handoff.limits``), so every server process and
replica shares the count; a refusal is a 429 with Retry-After and a polite message.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from bot import texts
from channels.settings import Settings
from handoff.db import Database
from handoff.limits import Hit, Limiter
from knowledge.text import clean_text

log = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


class TrustedProxies:
    """Replace the ASGI client address by the forwarded one, only behind a trusted proxy."""

    def __init__(self, app: ASGIApp, trusted: list[str]) -> None:
        self.app = app
        self.networks: list[Network] = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def trusts(self, host: str | None) -> bool:
        addr = _address(host) if host else None
        return addr is not None and any(addr in net for net in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.networks and scope["type"] in ("http", "websocket"):
            peer = scope.get("client")
            if peer and self.trusts(peer[0]):
                headers = scope.get("headers") or []
                forwarded = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"]
                proto = next(
                    (v.decode("latin-1").strip() for k, v in headers if k == b"x-forwarded-proto"), ""
                )
                client = self.client_from(",".join(forwarded))
                scope = dict(scope)
                if client is not None:
                    scope["client"] = (client, 0)
                if proto in ("http", "https") and scope["type"] == "http":
                    scope["scheme"] = proto
        await self.app(scope, receive, send)

    def client_from(self, header: str) -> str | None:
        """The last address before the trusted proxies (each proxy appends the one it saw);
        None when the header holds nothing usable (then the peer stays the client)."""
        hops = [h for h in header.split(",") if h.strip()]
        for hop in reversed(hops[-32:]):
            addr = _address(hop)
            if addr is None:
                return None  # a malformed hop: believe nothing further
            if not any(addr in net for net in self.networks):
                return str(addr)
        first = _address(hops[0]) if hops else None
        return str(first) if first is not None else None


def _loopback(address: str) -> bool:
    """This host itself (the operator's tools, an evaluation, a proxy on the same machine that
    is not listed in ``server.trusted_proxies``): one address for many people, so counting it
    would refuse them all; each conversation keeps its own limit."""
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class AskLimits:
    """The public API's limits: per conversation and per client address, in one database."""

    def __init__(self, db: Database, messages: int, per_address: int, seconds: float) -> None:
        self.limiter = Limiter(db, sliding=True)
        self.messages = messages
        self.per_address = per_address
        self.seconds = seconds

    def check(self, address: str | None, conversation_id: str | None) -> Hit | None:
        """The refused hit, or None when the message may go on."""
        items = []
        if address and not _loopback(address):
            items.append(("ask", f"ip:{address}", self.per_address, self.seconds))
        if conversation_id:
            items.append(("ask", f"conv:{conversation_id}", self.messages, self.seconds))
        if not items:
            return None
        # One transaction for both counters: this runs before every answer.
        return next((hit for hit in self.limiter.hits(items) if not hit.allowed), None)


def install_limits(app: FastAPI, settings: Settings, db: Database) -> None:
    """Trusted-proxy handling for the whole app, and the ask limiter on ``app.state``."""
    app.add_middleware(TrustedProxies, trusted=list(settings.server.trusted_proxies))
    api = settings.api
    app.state.ask_limits = AskLimits(
        db, api.rate_limit_messages, api.rate_limit_per_address, api.rate_limit_seconds
    )


def _body_fields(raw: bytes) -> tuple[str | None, str | None]:
    """(conversation key, lang) of an ask body, or Nones; validation proper is FastAPI's."""
    try:
        data = json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(data, dict):
        return None, None
    conversation = data.get("conversation_id")
    token = data.get("conversation_token")
    lang = data.get("lang")
    if not isinstance(conversation, str) or not conversation:
        return None, lang if isinstance(lang, str) else None
    # The conversation's counter is keyed by the id AND the token it came with: someone who
    # learnt a conversation id but not its secret only spends a counter of their own (and
    # their address's), never the citizen's. Lone surrogates ("\ud800") are cleaned first:
    # they cannot be encoded.
    secret = clean_text(token)[:256] if isinstance(token, str) else ""
    key = hashlib.sha256(f"{clean_text(conversation)[:128]}\0{secret}".encode()).hexdigest()[:32]
    return key, lang if isinstance(lang, str) else None


def _language(request: Request, lang: str | None) -> str:
    served = texts.languages()
    if lang in served:
        return str(lang)
    accept = request.headers.get("accept-language", "")
    for part in accept.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in served:
            return code
    return texts.SOURCE_LANGUAGE


async def ask_rate_limit(request: Request) -> None:
    """Dependency of ``POST /api/v1/ask``: 429 with Retry-After when over a limit."""
    limits: AskLimits | None = getattr(request.app.state, "ask_limits", None)
    if limits is None:
        return
    # FastAPI has read the body already; the request keeps it.
    conversation_id, lang = _body_fields(await request.body())
    address = request.client.host if request.client else None
    refused = await run_in_threadpool(limits.check, address, conversation_id)
    if refused is None:
        return
    log.info("ask refused: %s over %d per %ss", refused.key.split(":", 1)[0], refused.limit, limits.seconds)
    raise HTTPException(
        status_code=429,
        detail=texts.t(_language(request, lang), "too_fast", "channels", seconds=refused.retry_after),
        headers={"Retry-After": str(refused.retry_after)},
    )
