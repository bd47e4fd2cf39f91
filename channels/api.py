"""HTTP API and web chat: ``POST /api/v1/ask``, ``/healthz``, ``/readyz``, the chat page."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import texts
from channels.apidocs import install_docs
from channels.conversation import ConversationService, new_access, token_hash
from channels.errors import install_error_handlers
from channels.hub import Hub, InboundEvent, InlineHooks
from channels.idempotency import LOCK_SECONDS, MAX_KEY, Claim, IdempotentAsks, valid_key
from channels.leases import AnswerLeases
from channels.limits import ask_rate_limit, install_limits
from channels.logs import ContextExecutor, RequestContext, bind_turns
from channels.metrics import install_metrics
from channels.outbox import Outbox, OutboxWorker
from channels.runtime import Runtime
from channels.settings import Secrets, Settings, load_settings, served_index
from channels.webhook import Deliveries
from handoff.db import Database
from handoff.privacy.retention import RetentionJob, run_periodically
from handoff.web import mount_console
from knowledge.text import clean_text

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    text: str = Field(description="The citizen's message, in any supported language")
    conversation_id: str | None = Field(
        None, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$", description="omitted on the first message"
    )
    conversation_token: str | None = Field(
        None, max_length=128, description="the secret issued with the first reply; sent with every later one"
    )
    lang: str | None = Field(None, max_length=16, description="vi, en, fr, es, zh, ko or ja")
    channel: Literal["api", "web"] = Field("api", description="web for the bundled chat page")

    @field_validator("text", "lang")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        # A JSON "\ud800" escape decodes to a lone surrogate, which no database stores.
        return clean_text(value) if value is not None else None


class ReadRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    through: int = Field(ge=0, le=2**63 - 1, description="the last message id the client has shown")


# Message ids are 64-bit integers in PostgreSQL; a larger ``after`` is a client's mistake.
MAX_ID = 2**63 - 1
NO_CONVERSATION = "conversation not found"
NO_STORE = {"Cache-Control": "no-store"}
IdempotencyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=MAX_KEY,
        description="a random value (a UUID) sent again with a retry: the same question is not asked twice",
    ),
]
TokenHeader = Annotated[
    str | None, Header(alias="X-Conversation-Token", max_length=128, description="the conversation's secret")
]


class ProcedureOut(BaseModel):
    code: str
    name: str
    score: float
    url: str


class PlaceOut(BaseModel):
    code: str
    name: str
    province: str


class CentreOut(BaseModel):
    name: str
    address: str
    phone: str


class HandoffOut(BaseModel):
    case_id: str
    status: str


class OptionOut(BaseModel):
    key: str
    label: str
    send: str


class BlockOut(BaseModel):
    """One block of a structured reply (``bot.blocks``); ``answer`` is its plain text."""

    kind: str
    title: str
    lines: list[str]
    url: str
    code: str
    options: list[OptionOut]
    primary: bool


class AskResponse(BaseModel):
    conversation_id: str
    conversation_token: str
    language: str
    intent: str
    answer: str
    procedures: list[ProcedureOut]
    place: PlaceOut | None
    centre: CentreOut | None
    needs_clarification: bool
    options: list[str]
    handoff: HandoffOut | None
    blocks: list[BlockOut] = []


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, before they are read whole.

    A body without a declared length (chunked) is read here up to the limit and handed on
    whole: an error raised inside the app's own read would reach the client as 400."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit():
            if int(declared) > self.limit:
                await _too_large(send, self.limit)
                return
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.limit:
                await _too_large(send, self.limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], None, receive), send)


def _replay(first: list[Message], last: Message | None, receive: Receive) -> Receive:
    """A receive that gives the messages read already, then the rest from the client."""
    pending = [*first, *([last] if last is not None else [])]

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"request body too large (limit {limit} bytes)"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise HTTPException(503, "the assistant is starting")
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


TOPIC_PREFIX = "topic."


def webchat_table(lang: str) -> dict[str, str]:
    """Every text of the web chat page in ``lang`` (Vietnamese where it has none); the topic
    chips travel with the welcome instead."""
    keys = [k for k in texts.catalogue(texts.SOURCE_LANGUAGE, "webchat") if not k.startswith(TOPIC_PREFIX)]
    return {key: texts.text(lang, key, "webchat") for key in keys}


def catalogue_topics() -> list[dict[str, dict[str, str]]]:
    """The web chat's default topic chips: ``topic.N.label`` and ``topic.N.question`` of the
    ``webchat`` catalogue, N = 1, 2, … while the Vietnamese source has them, in every served
    language (so a language added to the catalogue gets its chips with no change here)."""
    source = texts.catalogue(texts.SOURCE_LANGUAGE, "webchat")
    topics = []
    n = 1
    while f"{TOPIC_PREFIX}{n}.label" in source:
        topics.append(
            {
                part: {
                    lang: texts.text(lang, f"{TOPIC_PREFIX}{n}.{part}", "webchat")
                    for lang in texts.languages()
                }
                for part in ("label", "question")
            }
        )
        n += 1
    return topics


def create_app(
    settings: Settings,
    runtime: Runtime | None = None,
    index_dir: Path | None = None,
    rebuild: bool | None = None,
    migrate: bool = True,
) -> FastAPI:
    """The app; the runtime (index, model) is loaded in the lifespan unless given.

    ``migrate=False`` for the worker processes of ``serve --workers N``: the parent has
    brought the database schema up to date once before starting them.
    """
    if settings.locales_dir is not None:
        texts.use(settings.resolve(settings.locales_dir))
    texts.check()
    db = Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if migrate:
            db.migrate()
        # Answering is CPU-bound: one compute thread per process answers turn after turn,
        # while the event loop stays free for I/O. A pool of threads would only fight over
        # the GIL (measured: about half the throughput on two cores).
        app.state.compute = ContextExecutor(max_workers=1, thread_name_prefix="assistant")
        app.state.io = ContextExecutor(max_workers=4, thread_name_prefix="db")
        if runtime is not None:
            app.state.runtime = runtime
        else:
            started = time.perf_counter()
            app.state.runtime = Runtime.start(settings, index_dir=index_dir, rebuild=rebuild)
            log.info("ready in %.1f s", time.perf_counter() - started)
        assistant = app.state.runtime.assistant
        assistant.cases = app.state.cases
        app.state.conversations = ConversationService(assistant, db, app.state.cases)
        app.state.idempotent = IdempotentAsks(db, hours=settings.api.idempotency_hours)
        bind_turns(app.state.conversations)
        if app.state.metrics is not None:
            app.state.metrics.watch_conversations(app.state.conversations)
        stop = asyncio.Event()
        worker = OutboxWorker(
            db, {}, max_attempts=settings.outbox.max_attempts, base_delay=settings.outbox.base_delay
        )
        hub = Hub(
            app.state.conversations,
            Outbox(db),
            compute=app.state.compute,
            worker=worker,
            rate_limit=(settings.channels.rate_limit_messages, settings.channels.rate_limit_seconds),
            leases=AnswerLeases(db, seconds=settings.channels.answer_lease_seconds),
            answers_at_once=settings.channels.answers_at_once,
            backlog_claim_limit=settings.channels.backlog_claim_limit,
        )
        app.state.hub = hub
        app.state.outbox_worker = worker
        app.state.adapters = {}
        for module in channel_modules:
            short = module.__name__.rsplit(".", 1)[-1]
            adapter = module.build_adapter(settings, db)
            if adapter is None:
                log.info("channel %s disabled (its secrets are not set)", short)
                continue
            app.state.adapters[short] = app.state.adapters[adapter.name] = adapter
            hub.register(adapter)
            starter = getattr(module, "on_startup", None)
            if starter is not None:
                await starter(adapter, settings, db)
            log.info("channel %s enabled", adapter.name)
        worker_task = asyncio.create_task(worker.run(stop))
        background = {worker_task}
        if settings.privacy.purge_every_minutes > 0:
            retention = RetentionJob(
                db,
                retention_days=settings.privacy.retention_days,
                timezone=settings.handoff.timezone,
                batch_size=settings.privacy.batch_size,
            )
            background.add(
                asyncio.create_task(run_periodically(retention, settings.privacy.purge_every_minutes, stop))
            )
        # Messages other replicas (or this one's predecessor) left unanswered are claimed in
        # the background, continuously: the port opens now, not after a backlog.
        sweeping = asyncio.Event()
        sweeper = asyncio.create_task(hub.run_leases(sweeping, settings.channels.lease_sweep_seconds))
        yield
        # Adapters first (no new messages reach the hub), then the answers in progress,
        # then the outbox worker (what it has not sent stays pending for the next start).
        for adapter in {id(a): a for a in app.state.adapters.values()}.values():
            closer = getattr(adapter, "close", None)
            if closer is not None:
                try:
                    await closer()
                except Exception:
                    log.exception("closing the %s channel failed", adapter.name)
        sweeping.set()
        await asyncio.wait({sweeper}, timeout=10)
        await hub.drain(timeout=10)
        stop.set()
        worker.wake()
        await asyncio.wait(background, timeout=10)
        hub.close()
        app.state.runtime = None
        app.state.compute.shutdown(wait=True)
        app.state.io.shutdown(wait=True)
        db.dispose()

    app = FastAPI(
        title="Citizen hotline assistant",
        version="0.1.0",
        lifespan=lifespan,
        description="Answers questions about Vietnam's administrative procedures from the official catalogue.",
        docs_url=None,  # served with local assets below (channels.apidocs), never from a CDN
        redoc_url=None,
    )
    install_docs(app)
    app.add_middleware(BodyLimit, limit=settings.server.max_body_bytes)
    install_limits(app, settings, db)
    install_error_handlers(app)
    app.state.metrics = install_metrics(app, settings, db)
    app.add_middleware(RequestContext)  # outermost: every line of a request carries its id
    channel_modules = load_channel_modules(settings)
    app.state.deliveries = Deliveries()  # the webhook requests this process has in hand
    for module in channel_modules:
        app.include_router(module.make_router())
    mount_console(
        app,
        db,
        settings.handoff.resolve_paths(settings.config_dir),
        procedure_lookup=lambda code: _procedure_record(app, code),
        environment=settings.environment,
    )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        log.info("rejected request to %s: %s", request.url.path, errors[:3])
        return JSONResponse({"detail": errors}, status_code=422)

    @app.post("/api/v1/ask", response_model=AskResponse, dependencies=[Depends(ask_rate_limit)])
    async def ask(
        body: AskRequest,
        rt: RuntimeDep,
        request: Request,
        response: Response,
        idempotency_key: IdempotencyHeader = None,
    ) -> dict[str, Any]:
        response.headers.update(NO_STORE)  # the reply carries the conversation's secret
        loop = asyncio.get_running_loop()
        service: ConversationService = request.app.state.conversations
        hub: Hub = request.app.state.hub
        if idempotency_key is not None and not valid_key(idempotency_key):
            raise HTTPException(400, "Idempotency-Key: 16 to 200 printable ASCII characters (e.g. a UUID)")
        access_hash: str | None = None
        if body.conversation_id is not None and not await loop.run_in_executor(
            request.app.state.io, service.authorize, body.conversation_id, body.conversation_token or ""
        ):
            raise HTTPException(404, NO_CONVERSATION)
        if idempotency_key is not None:
            return await _ask_once(request, body, idempotency_key)
        if body.conversation_id is None:
            # The server names every public conversation: an id a client proposes could be
            # another citizen's (or a Telegram chat's).
            conversation_id, token = new_access(body.channel)
            access_hash = token_hash(token)
        else:
            conversation_id, token = body.conversation_id, body.conversation_token or ""
        event = InboundEvent(body.channel, "", "", body.text, lang=body.lang, conversation=conversation_id)
        # The pipeline every channel takes, the reply delivered in this response.
        stored = await hub.answer_inline(event, access_hash=access_hash)
        assert stored is not None  # a turn without a channel message id is never a duplicate
        return stored.reply.to_dict() | {"conversation_token": token}

    async def _ask_once(request: Request, body: AskRequest, key: str) -> dict[str, Any]:
        """``/api/v1/ask`` with an ``Idempotency-Key`` (``channels.idempotency``): the first
        request is answered and its answer kept; a retry gets that answer (waiting for it
        while a live replica answers), or takes over a question whose replica died."""
        loop = asyncio.get_running_loop()
        io = request.app.state.io
        idem: IdempotentAsks = request.app.state.idempotent
        hub: Hub = request.app.state.hub
        fields = body.model_dump()
        claim: Claim = await loop.run_in_executor(io, idem.claim, key, fields)
        deadline = loop.time() + LOCK_SECONDS + 1
        while not claim.owner and claim.response is None and loop.time() < deadline:
            await asyncio.sleep(0.1)
            claim = await loop.run_in_executor(io, idem.claim, key, fields)
        created = body.conversation_id is None
        if claim.response is not None:
            token = claim.token if created else body.conversation_token
            if token is None:
                raise HTTPException(409, "this Idempotency-Key's answer cannot be given again")
            return claim.response | {"conversation_token": token}
        if not claim.owner:
            raise HTTPException(
                409, "a request with this Idempotency-Key is being answered", headers={"Retry-After": "1"}
            )
        access_hash: str | None = None
        if not created:
            conversation_id, token = body.conversation_id or "", body.conversation_token or ""
        elif claim.conversation_id and claim.token:
            # Taken over: the conversation the first attempt created, not a new one.
            conversation_id, token = claim.conversation_id, claim.token
            access_hash = token_hash(token)
        else:
            conversation_id, token = new_access(body.channel)
            access_hash = token_hash(token)
            await loop.run_in_executor(io, idem.started, claim, key, fields, conversation_id, token)
        hooks = InlineHooks(
            stored=lambda inbound: idem.stored(claim, inbound),
            recorded=lambda connection, reply: idem.answered(claim, reply.to_dict(), connection),
        )
        event = InboundEvent(body.channel, "", "", body.text, lang=body.lang, conversation=conversation_id)
        stored = await hub.answer_inline(
            event, access_hash=access_hash, hooks=hooks, inbound_id=claim.inbound_id
        )
        assert stored is not None
        result = stored.reply.to_dict()
        # A quiet turn (staff hold the case) records no reply: kept here instead.
        await loop.run_in_executor(io, idem.answered, claim, result)
        return result | {"conversation_token": token}

    def _authorized(request: Request, conversation_id: str, token: str | None) -> ConversationService:
        service: ConversationService = request.app.state.conversations
        if not service.authorize(conversation_id, token):
            raise HTTPException(404, NO_CONVERSATION, headers=NO_STORE)
        return service

    @app.get("/api/v1/conversations/{conversation_id}/messages")
    def conversation_messages(
        conversation_id: str,
        request: Request,
        token: TokenHeader = None,
        after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> JSONResponse:
        """The transcript after a message id (the web chat polls it for staff replies), with
        personal numbers masked. Reading it changes nothing."""
        service = _authorized(request, conversation_id, token)
        messages = service.messages(conversation_id, after=after, limit=limit)
        return JSONResponse({"messages": messages}, headers=NO_STORE)

    @app.post("/api/v1/conversations/{conversation_id}/read")
    def conversation_read(
        conversation_id: str, body: ReadRequest, request: Request, token: TokenHeader = None
    ) -> JSONResponse:
        """The client has shown the transcript up to ``through``: staff replies up to there
        count as delivered (their outbox rows become ``sent``)."""
        service = _authorized(request, conversation_id, token)
        changed = service.acknowledge(conversation_id, body.through)
        return JSONResponse({"acknowledged": changed}, headers=NO_STORE)

    @app.get("/api/v1/welcome")
    def welcome() -> JSONResponse:
        """What the web chat shows before the first question: the operator's name, what is
        kept of a conversation and for how long, and the topic chips (label and question per
        language). The same for everyone: cacheable."""
        chat = settings.webchat
        body = {
            "operator_name": chat.operator_name or None,
            "retention_days": settings.privacy.retention_days,
            "privacy_url": chat.privacy_url,
            "default_language": settings.default_language,
            "languages": list(settings.languages),
            "topics": (
                catalogue_topics()
                if chat.topics is None
                else [{"label": t.label, "question": t.question} for t in chat.topics]
            ),
        }
        return JSONResponse(body, headers={"Cache-Control": "public, max-age=300"})

    @app.get("/api/v1/webchat/texts")
    def webchat_texts(lang: Annotated[str | None, Query(max_length=16)] = None) -> JSONResponse:
        """The web chat's labels, placeholders, privacy line and error messages from the
        ``webchat`` catalogue, in every served language (or in ``lang`` alone), each complete
        (a key a language lacks in Vietnamese), with the languages' own names for the menu.
        The same for everyone: cacheable."""
        served = texts.languages()
        if lang is not None and lang not in served:
            raise HTTPException(404, f"no language {lang!r}; served: {', '.join(served)}")
        body = {
            "languages": [
                {"code": code, "name": texts.text(code, "language_name", "channels")} for code in served
            ],
            "texts": {code: webchat_table(code) for code in ([lang] if lang else served)},
        }
        return JSONResponse(body, headers={"Cache-Control": "public, max-age=300"})

    @app.get("/api/v1/procedures/{code}")
    def procedure(code: str, rt: RuntimeDep) -> dict[str, Any]:
        proc = rt.index.procedure(code)
        if proc is None:
            raise HTTPException(404, f"no procedure {code} in the catalogue")
        return proc.to_dict()

    @app.get("/api/v1/index")
    def index_info(rt: RuntimeDep) -> dict[str, Any]:
        report = rt.index.meta.get("import_report", {})
        counts = {
            "imported": report.get("imported", 0),
            "updated": report.get("updated", 0),
            "skipped": len(report.get("skipped", [])),
            "quarantined": len(report.get("quarantined", [])),
        }
        public = {k: v for k, v in rt.index.meta.items() if k != "import_report"}
        # File names only: the server's folders are nobody's business.
        if isinstance(public.get("sources"), list):
            public["sources"] = [Path(str(p)).name for p in public["sources"]]
        model = public.get("model")
        if isinstance(model, str) and Path(model).is_absolute():
            public["model"] = Path(model).name
        return public | {"import_report": counts}

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz(request: Request) -> JSONResponse:
        rt: Runtime | None = getattr(request.app.state, "runtime", None)
        checks = {
            "index": rt is not None and len(rt.index.procedures) > 0,
            "database": db.ping(),
        }
        ready = all(checks.values())
        body: dict[str, Any] = {"status": "ready" if ready else "not ready", "checks": checks}
        if rt is not None:
            body["procedures"] = len(rt.index.procedures)
            body["index_hash"] = rt.index.content_hash[:12]
            nlu = rt.assistant.nlu
            stats = getattr(nlu, "stats", None)
            # A Rasa engine that falls back to builtin says so here (and in the log).
            body["nlu"] = stats() if callable(stats) else {"engine": getattr(nlu, "name", None)}
        worker = getattr(request.app.state, "outbox_worker", None)
        if worker is not None:
            body["outbox"] = dict(worker.stats)
        hub = getattr(request.app.state, "hub", None)
        if hub is not None:  # "rejected": provider webhooks acknowledged but unreadable
            body["channels"] = dict(hub.stats)
        return JSONResponse(body, status_code=200 if ready else 503)

    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # The page loads only its own script, style and API; it may be framed only by the
    # origins the operator lists (its portal), and never sends a referrer to another site.
    frame_ancestors = " ".join(["'self'", *settings.webchat.frame_ancestors])
    page_headers = {
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            f"frame-ancestors {frame_ancestors}"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    if not settings.webchat.frame_ancestors:
        page_headers["X-Frame-Options"] = "SAMEORIGIN"

    @app.get("/", include_in_schema=False)
    def chat_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers=page_headers)

    return app


CHANNEL_MODULES = ("channels.telegram", "channels.zalo", "channels.zalo_bot", "channels.voice")
# Channels whose library is heavy to import (aiogram: ~150 MB per server process) are only
# imported when their secret is set; otherwise their route answers 404 like any disabled
# channel's.
LAZY_CHANNELS: dict[str, tuple[Callable[[Secrets], SecretStr | None], tuple[str, ...]]] = {
    "channels.telegram": (lambda secrets: secrets.telegram_bot_token, ("/webhooks/telegram",))
}


def load_channel_modules(settings: Settings) -> list[Any]:
    """The channel adapters: each module has NAME, make_router(), build_adapter(settings, db)
    (None when its secrets are absent: the routes then answer 404) and may have on_startup."""
    import importlib

    modules: list[Any] = []
    for name in CHANNEL_MODULES:
        gate = LAZY_CHANNELS.get(name)
        if gate is not None and gate[0](settings.secrets) is None:
            modules.append(_DisabledChannel(name.rsplit(".", 1)[-1], gate[1]))
            continue
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            log.debug("channel module %s not installed", name)
    return modules


class _DisabledChannel:
    """Stands for a channel module that is not imported: its routes answer 404."""

    def __init__(self, name: str, paths: tuple[str, ...]) -> None:
        self.NAME = name
        self.__name__ = f"channels.{name}"
        self.paths = paths

    def make_router(self) -> Any:
        from fastapi import APIRouter

        router = APIRouter()

        async def disabled() -> JSONResponse:
            return JSONResponse({"detail": "Not Found"}, status_code=404)

        for path in self.paths:
            router.add_api_route(path, disabled, methods=["POST"], include_in_schema=False)
        return router

    def build_adapter(self, settings: Settings, db: Database) -> None:
        return None


def _procedure_record(app: FastAPI, code: str) -> dict[str, Any] | None:
    rt: Runtime | None = getattr(app.state, "runtime", None)
    proc = rt.index.procedure(code) if rt is not None else None
    return proc.to_dict() if proc is not None else None


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --workers N``: each worker process builds its app from the
    environment the ``hotline serve`` parent prepared (config file and index folder)."""
    return create_app(load_settings(), index_dir=served_index(), rebuild=False, migrate=False)
