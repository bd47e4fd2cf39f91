"""Logging for the ``hotline`` commands and servers: plain text for a person at a terminal,
JSON lines for a log collector, with the request, conversation and case each line is about.

Conversation ids of the channels carry the citizen's channel id (``voice:+84905…``,
``telegram:123456789``): they are written through ``handoff.masking.mask_text``, like every
number staff see, so a log line never holds a whole phone number or chat id.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import re
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TypeVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

T = TypeVar("T")
# What a line is about; set for a request by RequestContext and for a turn by bind().
# Never mutated: bind() sets a new mapping, so a task or thread never sees another's ids.
_CONTEXT: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "hotline_log_context", default=MappingProxyType({})
)
FIELDS = ("request_id", "conversation_id", "case_id")
MASKED = frozenset({"conversation_id"})  # case and request ids are the system's own, not a person's
REQUEST_ID_HEADER = "x-request-id"
_GOOD_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Cases and conversations named in a URL (the console, the transcript API).
_PATH_IDS = (
    (re.compile(r"^/console/(?:api/)?cases/([^/]+)"), "case_id"),
    (re.compile(r"^/api/v1/conversations/([^/]+)"), "conversation_id"),
)
# Libraries that talk at INFO about things a deployer does not need (alembic's "Context impl
# SQLiteImpl", httpx's every request, the model loaders).
NOISY = (
    "alembic",
    "httpx",
    "httpcore",
    "sentence_transformers",
    "transformers",
    "faiss",
    "urllib3",
    "aiogram",
)


def _mask(value: str) -> str:
    from handoff.masking import mask_text

    return mask_text(value)


@contextlib.contextmanager
def bind(**fields: str | None) -> Iterator[None]:
    """Lines logged inside (in this thread or task) carry these ids (masked)."""
    current = dict(_CONTEXT.get())
    for key, val in fields.items():
        if val:
            current[key] = _mask(str(val)) if key in MASKED else str(val)
    token = _CONTEXT.set(current)
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def context() -> dict[str, str]:
    return dict(_CONTEXT.get())


class ContextFilter(logging.Filter):
    """Copies the bound ids onto each record (so that any formatter can show them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        bound = _CONTEXT.get()
        for key in FIELDS:
            if not hasattr(record, key):
                setattr(record, key, bound.get(key))
            elif key in MASKED and getattr(record, key):
                setattr(record, key, _mask(str(getattr(record, key))))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the bound ids,
    and the exception when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in FIELDS:
            val = getattr(record, key, None)
            if val:
                out[key] = val
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The usual one-line text, with the bound ids in brackets when there are some."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = " ".join(f"{k}={getattr(record, k)}" for k in FIELDS if getattr(record, k, None))
        if not ids:
            return line
        head, sep, rest = line.partition("\n")
        return f"{head} [{ids}]{sep}{rest}"


def resolve_format(fmt: str, environment: str) -> str:
    if fmt == "auto":
        return "text" if environment in ("development", "test") else "json"
    return fmt


def logging_config(fmt: str, level: str, *, libraries: str = "WARNING") -> dict[str, Any]:
    """A ``dictConfig`` for the root logger: also handed to uvicorn, which applies it in each
    worker process of ``serve --workers N`` (they do not inherit the parent's handlers)."""
    formatter = "channels.logs.JsonFormatter" if fmt == "json" else "channels.logs.TextFormatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "channels.logs.ContextFilter"}},
        "formatters": {"default": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "default",
                "filters": ["context"],
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            **{name: {"level": libraries} for name in NOISY},
            # uvicorn's own handlers would print a second, differently formatted line.
            "uvicorn": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
        },
    }


def setup_logging(fmt: str, level: str, *, verbosity: int = 0) -> dict[str, Any]:
    """Apply the logging configuration; -v shows the libraries' INFO, -vv everything."""
    if verbosity >= 2:
        level, libraries = "DEBUG", "DEBUG"
    elif verbosity == 1:
        level, libraries = min(level, "INFO", key=logging.getLevelName), "INFO"
    else:
        libraries = "WARNING"
        quiet_libraries()
    config = logging_config(fmt, level, libraries=libraries)
    _apply(fmt, config)
    logging.captureWarnings(True)
    return config


def _apply(fmt: str, config: dict[str, Any]) -> None:
    """``config`` applied by hand: dictConfig would also drop handlers that are not ours (a
    test's log capture around an in-process ``main()``); ours is replaced, not added twice."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "hotline", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    handler.hotline = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(config["root"]["level"])
    for name, logger_config in config["loggers"].items():
        logger = logging.getLogger(name)
        logger.setLevel(logger_config["level"])
        logger.propagate = logger_config.get("propagate", True)


def quiet_libraries() -> None:
    """No noise from the libraries under a command's output: torch's C++ warnings, transformers'
    advice and bars (read when imported, hence the environment) and deprecation warnings."""
    os.environ.setdefault("TORCH_CPP_LOG_LEVEL", "ERROR")
    # transformers logs through its own handler ("loss_type=None was set...") and draws a
    # "Loading weights" bar for every model it loads: both read these when imported.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category)


class RequestContext:
    """ASGI middleware: every request gets an id (the client's ``X-Request-ID`` when it is a
    sane one, else a fresh one), echoed in the response and bound to its log lines, with the
    case or conversation its URL names."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope.get("headers") or [] if k == b"x-request-id"), "")
        request_id = given if _GOOD_REQUEST_ID.match(given) else uuid.uuid4().hex
        ids: dict[str, str | None] = {"request_id": request_id}
        path = scope.get("path", "")
        for pattern, key in _PATH_IDS:
            found = pattern.match(path)
            if found:
                ids[key] = found.group(1)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with bind(**ids):
            await self.app(scope, receive, sending)


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in the submitter's context: a turn thought in the
    compute thread logs with the request id of the request that asked it."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)


def bind_turns(service: Any) -> None:
    """Lines logged while the assistant thinks a turn carry its conversation id (the compute
    thread does not inherit the request's context)."""
    think = service.think

    def bound(turn: Any, received: Any) -> Any:
        with bind(conversation_id=getattr(turn, "conversation_id", None)):
            started = time.perf_counter()
            thought = think(turn, received)
            handoff = getattr(thought.reply, "handoff", None)
            if handoff is not None:
                with bind(case_id=handoff.case_id):
                    logging.getLogger("channels.turns").info(
                        "handoff %s (%s) after %.0f ms",
                        handoff.case_id,
                        handoff.status,
                        (time.perf_counter() - started) * 1000,
                    )
            return thought

    service.think = bound
