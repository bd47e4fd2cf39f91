"""Prometheus metrics at ``GET /metrics``.

Two kinds of figures:

- counted in the process that did the work (turns, latencies, handoffs, NLU fallbacks,
  search abstentions, HTTP requests). With ``hotline serve --workers N`` the workers share one
  port, so a scrape reaches one of them at random: the parent then points
  ``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder and every worker writes its values there
  (prometheus-client's multiprocess mode); a scrape adds them up.
- read from the database at scrape time (the handoff queue, the outbox backlog and its
  failures): shared by every process and replica, so any of them gives the same answer.

Who may read it: loopback by default (``metrics.allow_from``), or anyone presenting
``Authorization: Bearer`` with ``HOTLINE_METRICS__TOKEN``. The figures hold no personal data,
but queue lengths and traffic are an operator's business.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import logging
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from channels.settings import METRICS_DIR_ENV, metrics_folder, set_metrics_folder
from handoff.db import Database
from handoff.models import Case, OutboxMessage

log = logging.getLogger(__name__)
MULTIPROC_ENV = METRICS_DIR_ENV
FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")
# A turn is a few milliseconds of CPU; a request may wait for the database or a slow client.
TURN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The process's counters and histograms, in their own registry (one per app, so that
    tests can build several apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.turns = Counter(
            "hotline_turns",
            "Citizen messages answered, by channel and intent",
            ["channel", "intent"],
            registry=r,
        )
        self.turn_seconds = Histogram(
            "hotline_turn_seconds",
            "Time to think an answer (understand, decide, search, compose), by channel",
            ["channel"],
            buckets=TURN_BUCKETS,
            registry=r,
        )
        self.handoffs = Counter(
            "hotline_handoffs",
            "Replies that opened (or confirmed) a handoff case, by channel",
            ["channel"],
            registry=r,
        )
        self.nlu_fallbacks = Counter(
            "hotline_nlu_fallbacks",
            "Messages the configured NLU engine failed on (answered by the fallback)",
            registry=r,
        )
        self.searches = Counter("hotline_searches", "Catalogue searches", registry=r)
        self.abstentions = Counter(
            "hotline_search_abstentions", "Catalogue searches that asserted no procedure", registry=r
        )
        self.http_seconds = Histogram(
            "hotline_http_request_seconds",
            "HTTP request latency, by method, route and status class",
            ["method", "route", "status"],
            buckets=HTTP_BUCKETS,
            registry=r,
        )

    def observe_turn(self, channel: str, reply: Any, seconds: float, nlu_fallbacks: int = 0) -> None:
        channel = channel or "unknown"
        self.turns.labels(channel, reply.intent or "unknown").inc()
        self.turn_seconds.labels(channel).observe(seconds)
        if getattr(reply, "handoff", None) is not None:
            self.handoffs.labels(channel).inc()
        if nlu_fallbacks > 0:
            self.nlu_fallbacks.inc(nlu_fallbacks)

    def watch_conversations(self, service: Any) -> None:
        """Count every turn the assistant thinks, whatever the channel (one compute thread per
        process, so the NLU engine's fallback count read around it is this turn's)."""
        think = service.think
        nlu = service.assistant.nlu

        def metered(turn: Any, received: Any) -> Any:
            before = getattr(nlu, "fallbacks", 0)
            started = time.perf_counter()
            thought = think(turn, received)
            self.observe_turn(
                getattr(turn, "channel", "") or "",
                thought.reply,
                time.perf_counter() - started,
                nlu_fallbacks=getattr(nlu, "fallbacks", 0) - before,
            )
            return thought

        service.think = metered
        self.watch_searcher(service.assistant.searcher)

    def watch_searcher(self, searcher: Any) -> None:
        """Count the searches and abstentions of this searcher (the assistant calls it from
        several policy rules; wrapping it here keeps the bot free of metrics). A runtime
        shared by several apps (tests) counts into the latest app's metrics."""
        searcher._hotline_metrics = self
        if getattr(searcher, "_hotline_metered", False):
            return
        search = searcher.search

        def metered(*args: Any, **kwargs: Any) -> Any:
            result = search(*args, **kwargs)
            metrics: Metrics = searcher._hotline_metrics
            metrics.searches.inc()
            if getattr(result, "abstained", False):
                metrics.abstentions.inc()
            return result

        searcher.search = metered
        searcher._hotline_metered = True


class DatabaseGauges(Collector):
    """Figures read from the shared database at each scrape: the same from every replica."""

    def __init__(self, db: Database, clock: Any = None) -> None:
        self.db = db
        self.clock = clock or (lambda: datetime.now(UTC))

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with self.db.session() as s:
                waiting, oldest = s.execute(
                    select(func.count(), func.min(func.coalesce(Case.queued_at, Case.created_at))).where(
                        Case.status == "waiting"
                    )
                ).one()
                cases = s.execute(select(Case.status, func.count()).group_by(Case.status)).all()
                outbox = s.execute(
                    select(OutboxMessage.status, func.count(), func.min(OutboxMessage.created_at)).group_by(
                        OutboxMessage.status
                    )
                ).all()
        except Exception as exc:  # a scrape during a database outage says so, it does not fail
            log.warning("metrics: database figures unavailable: %s", exc)
            up = GaugeMetricFamily("hotline_database_up", "Whether the database answered this scrape")
            up.add_metric([], 0)
            yield up
            return
        now = self.clock()
        up = GaugeMetricFamily("hotline_database_up", "Whether the database answered this scrape")
        up.add_metric([], 1)
        yield up
        g = GaugeMetricFamily("hotline_handoff_queue_length", "Handoff cases waiting for staff")
        g.add_metric([], int(waiting or 0))
        yield g
        g = GaugeMetricFamily(
            "hotline_handoff_oldest_wait_seconds", "How long the longest-waiting case has waited (0: none)"
        )
        g.add_metric([], _age(oldest, now))
        yield g
        g = GaugeMetricFamily("hotline_handoff_cases", "Handoff cases by status", labels=["status"])
        for status, count in cases:
            g.add_metric([status], int(count))
        yield g
        by_status = {status: (int(count), first) for status, count, first in outbox}
        g = GaugeMetricFamily("hotline_outbox_messages", "Outbox messages by status", labels=["status"])
        for status in ("pending", "sending", "sent", "failed", *sorted(set(by_status) - _OUTBOX_KNOWN)):
            g.add_metric([status], by_status.get(status, (0, None))[0])
        yield g
        backlog = sum(by_status.get(s, (0, None))[0] for s in ("pending", "sending"))
        g = GaugeMetricFamily(
            "hotline_outbox_backlog", "Outbox messages not yet delivered (pending or sending)"
        )
        g.add_metric([], backlog)
        yield g
        g = GaugeMetricFamily("hotline_outbox_failed", "Outbox messages given up after their last attempt")
        g.add_metric([], by_status.get("failed", (0, None))[0])
        yield g
        firsts = [by_status[s][1] for s in ("pending", "sending") if s in by_status and by_status[s][1]]
        g = GaugeMetricFamily(
            "hotline_outbox_oldest_pending_seconds", "Age of the oldest undelivered outbox message (0: none)"
        )
        g.add_metric([], max((_age(f, now) for f in firsts), default=0.0))
        yield g


_OUTBOX_KNOWN = frozenset({"pending", "sending", "sent", "failed"})


def _age(then: datetime | None, now: datetime) -> float:
    if then is None:
        return 0.0
    if then.tzinfo is None:  # SQLite hands back naive UTC
        then = then.replace(tzinfo=UTC)
    return max(0.0, (now - then).total_seconds())


class RequestTimer:
    """ASGI middleware: request latency by route template (never the raw path, whose ids
    would make one series per conversation)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: list[Any]) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            path = self._template(scope)
            if path != "/metrics":
                self.metrics.http_seconds.labels(scope.get("method", ""), path, f"{status // 100}xx").observe(
                    time.perf_counter() - started
                )

    def _template(self, scope: Scope) -> str:
        # The router records the matched route in its own copy of the scope when a middleware
        # inside this one copied it (TrustedProxies): match again here, by template.
        route = scope.get("route")
        if route is None:
            probe = {**scope, "type": "http"}
            route = next((r for r in self.routes if r.matches(probe)[0] == Match.FULL), None)
        if isinstance(route, Mount):
            return _static_or_other(scope.get("path", ""))
        return getattr(route, "path", None) or "other"


def _static_or_other(path: str) -> str:
    for prefix in ("/static/", "/console/static/", "/docs-assets/"):
        if path.startswith(prefix):
            return prefix + "*"
    return "other"


@contextlib.contextmanager
def multiprocess_folder() -> Iterator[None]:
    """For ``serve --workers N``: a fresh folder the workers (spawned after this) write their
    values to, removed at exit; a folder the deployer set is used as it is (and kept)."""
    if metrics_folder():
        yield
        return
    folder = tempfile.mkdtemp(prefix="hotline-metrics-")
    set_metrics_folder(folder)
    try:
        yield
    finally:
        set_metrics_folder(None)
        shutil.rmtree(folder, ignore_errors=True)


def _networks(values: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(v, strict=False) for v in values]


def allowed(request: Request, networks: list[Any], token: str | None) -> bool:
    if token:
        given = request.headers.get("authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), token.encode()):
            return True
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if address.is_loopback and any(h in request.headers for h in FORWARDING_HEADERS):
        # A proxy on this host that is not in server.trusted_proxies: the request looks local
        # but comes from whoever the proxy serves.
        return False
    return any(address in net for net in networks)


def install_metrics(app: FastAPI, settings: Any, db: Database) -> Metrics | None:
    """The ``/metrics`` route and the request timer; None when ``metrics.enabled`` is false."""
    cfg = settings.metrics
    if not cfg.enabled:
        return None
    metrics = Metrics()
    gauges = DatabaseGauges(db)
    metrics.registry.register(gauges)
    networks = _networks(cfg.allow_from)
    token = cfg.token.get_secret_value() if cfg.token is not None else None
    app.add_middleware(RequestTimer, metrics=metrics, routes=app.router.routes)

    @app.get("/metrics", include_in_schema=False)
    def metrics_endpoint(request: Request) -> Response:
        if not allowed(request, networks, token):
            return PlainTextResponse("metrics are not public (see README, 'Metrics')\n", status_code=403)
        folder = metrics_folder()
        if folder:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=folder)
            registry.register(gauges)
        else:
            registry = metrics.registry
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return metrics
