"""The one webhook route every push channel uses: verify → parse → ``Hub.receive`` → ack.

A channel (``channels.hub.Channel``) only says how its provider signs a request, how to read
events out of it and how to send; this route does the rest, the same way for each:

- 404 while the channel is disabled (its secrets are absent), never unauthenticated;
- ``verify`` says no: 403; a body that must be read to be verified (Zalo OA signs a timestamp
  inside it) and cannot be read: 400;
- past the check the sender is the provider: what cannot be read is acknowledged and counted
  (``Hub.reject``), since a refusal only makes the provider send it again;
- the events are stored (deduplicated) before the answer, for at most ``ACK_WITHIN`` seconds:
  a slow acknowledgement makes providers deliver again and hold back the next messages; the
  storing then carries on in the background;
- a request that could not be stored (the database is down) asks for a redelivery (503),
  ``MAX_TRIES`` times, then it is acknowledged and counted.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from channels.hub import Hub, InboundEvent, Sender
from knowledge.errors import BadInput
from knowledge.text import clean_text

log = logging.getLogger(__name__)

ACK_WITHIN = 1.5  # seconds a webhook waits for its events to be stored before answering
# Webhook deliveries this process remembers (a provider re-delivers when our answer is late).
_SEEN_DELIVERIES = 10_000
# Deliveries of a request that failed before it is acknowledged anyway: a fault that passes
# (the database restarting) gets its redeliveries, a poison request does not hold back the
# conversation's next messages for the day the provider keeps retrying.
MAX_TRIES = 3

# A webhook body deeper than this is no provider's: real updates nest five or six levels.
MAX_JSON_DEPTH = 64


@dataclass(slots=True)
class WebhookRequest:
    """What a channel needs of a provider's request: the raw body (signatures cover it), the
    headers and the client's address. ``json()`` reads the body once."""

    body: bytes
    headers: Mapping[str, str]
    client: str = "?"
    _data: Any = None
    _read: bool = False

    def json(self) -> Any:
        """The body as JSON (cleaned, see ``read_json``); ``Unreadable`` when it is not."""
        if not self._read:
            try:
                self._data = read_json(self.body)
            except ValueError as exc:
                raise Unreadable(
                    "malformed JSON", f"malformed JSON body ({len(self.body)} bytes: {exc})"
                ) from None
            self._read = True
        return self._data

    def json_object(self) -> dict[str, Any]:
        data = self.json()
        if not isinstance(data, dict):
            raise Unreadable("not a JSON object", f"body is a JSON {type(data).__name__}, not an object")
        return data


class Unreadable(BadInput):
    """A body no event can be read from. Before the request is verified it is refused (400);
    after, it came from the provider, and it is acknowledged and counted (``Hub.reject``),
    since a refusal only brings it back again and again. ``label`` goes to the provider,
    ``why`` to the log, ``extra`` into the acknowledgement."""

    def __init__(self, label: str, why: str, **extra: Any) -> None:
        super().__init__(why)
        self.label = label
        self.why = why
        self.extra = extra


class Channel(Sender, Protocol):
    """A webhook channel: ``webhook_router`` runs verify → parse → ``Hub.receive`` → ack.
    ``parse`` may be a coroutine function (Telegram runs its aiogram routers)."""

    # The 403 body's detail and what the log names when ``verify`` says no.
    refusal: str
    credential: str

    def verify(self, request: WebhookRequest) -> bool: ...

    def parse(self, request: WebhookRequest) -> list[InboundEvent] | Awaitable[list[InboundEvent]]: ...


class Deliveries:
    """Webhook requests this process has in hand (keyed by channel and body digest): a
    redelivery while the first is still being handled is acknowledged as a duplicate; one
    that failed is let in again, up to ``MAX_TRIES`` times. Once handled, a request is
    forgotten here: the database's dedupe, which every replica shares, decides about a
    later redelivery (and answers one whose first delivery was stored but never answered)."""

    def __init__(self) -> None:
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._failures: OrderedDict[tuple[str, str], int] = OrderedDict()
        # Requests given up on (failed MAX_TRIES times): acknowledged from then on.
        self._given_up: OrderedDict[tuple[str, str], None] = OrderedDict()

    def first_time(self, key: tuple[str, str]) -> bool:
        if key in self._seen or key in self._given_up:
            return False
        self._seen[key] = None
        if len(self._seen) > _SEEN_DELIVERIES:
            self._seen.popitem(last=False)
        return True

    def done(self, key: tuple[str, str]) -> None:
        self._seen.pop(key, None)

    def forget(self, key: tuple[str, str]) -> bool:
        """Let a redelivery in; False once it has failed ``MAX_TRIES`` times."""
        failures = self._failures.pop(key, 0) + 1
        if failures >= MAX_TRIES:
            self._given_up[key] = None
            if len(self._given_up) > _SEEN_DELIVERIES:
                self._given_up.popitem(last=False)
            return False
        self._failures[key] = failures
        while len(self._failures) > _SEEN_DELIVERIES:
            self._failures.popitem(last=False)
        self._seen.pop(key, None)
        return True


def webhook_router(path: str, name: str, *, says_duplicate: bool = True) -> APIRouter:
    """The route of channel ``name`` (looked up in ``app.state.adapters`` per request).
    ``says_duplicate``: the acknowledgement says whether the events were new (or ignored);
    otherwise it is ``{"ok": true}`` however the request was taken."""
    router = APIRouter()

    @router.post(path, include_in_schema=False)
    async def webhook(request: Request) -> Response:
        adapters = getattr(request.app.state, "adapters", None) or {}
        channel: Channel | None = adapters.get(name)
        if channel is None:
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        incoming = WebhookRequest(
            await request.body(), request.headers, request.client.host if request.client else "?"
        )
        try:
            verified = channel.verify(incoming)
        except Unreadable as exc:
            log.warning("%s webhook: %s; rejected", name, exc.why)
            return JSONResponse({"detail": exc.label}, status_code=400)
        if not verified:
            log.warning(
                "%s webhook: bad or missing %s from %s; rejected", name, channel.credential, incoming.client
            )
            return JSONResponse({"detail": channel.refusal}, status_code=403)
        hub: Hub = request.app.state.hub
        deliveries: Deliveries = request.app.state.deliveries
        key = (name, hashlib.sha256(incoming.body).hexdigest())
        if not deliveries.first_time(key):
            log.info("%s webhook: request delivered again while in hand; ignored", name)
            return JSONResponse({"ok": True, "duplicate": True})
        task = hub.spawn(_deliver(hub, channel, incoming))
        task.add_done_callback(lambda _task: deliveries.done(key))
        done, _ = await asyncio.wait({task}, timeout=ACK_WITHIN)
        if task not in done:
            task.add_done_callback(_log_late_failure)
            return JSONResponse({"ok": True})
        error = task.exception()
        if isinstance(error, Unreadable):
            hub.reject(name, f"{error.why[:300]}; rejected")
            return JSONResponse({"ok": True, "rejected": error.label, **error.extra})
        if error is not None:
            log.error("%s webhook: request could not be stored", name, exc_info=error)
            if deliveries.forget(key):
                return JSONResponse({"detail": "not processed; retry later"}, status_code=503)
            hub.reject(name, f"a request failed {MAX_TRIES} times")
            return JSONResponse({"ok": True, "rejected": "failed repeatedly"})
        accepted = task.result()
        if not says_duplicate:
            return JSONResponse({"ok": True})
        if accepted is None:
            return JSONResponse({"ok": True, "ignored": True})
        return JSONResponse({"ok": True, "duplicate": not accepted})

    return router


def _log_late_failure(task: asyncio.Task[bool | None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("webhook: a request acknowledged in time failed later", exc_info=task.exception())


async def _deliver(hub: Hub, channel: Channel, incoming: WebhookRequest) -> bool | None:
    """parse, then each event into the pipeline. None: nothing for the assistant (an
    unfollow, a delivery receipt...); False: every event was a duplicate."""
    parsed = channel.parse(incoming)
    events: list[InboundEvent] = await parsed if inspect.isawaitable(parsed) else parsed
    if not events:
        return None
    accepted = [await hub.receive(event) for event in events]
    return any(accepted)


def read_json(body: bytes) -> Any:
    """A webhook body as JSON, with every string cleaned of what cannot be stored (lone
    surrogates, control characters). ``ValueError`` for a body that is not JSON, nests
    deeper than any provider's, or uses NaN/Infinity."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    try:
        data = json.loads(body, parse_constant=refuse)
    except RecursionError:
        raise ValueError("JSON nested too deep") from None
    return _cleaned(data, 0)


def _cleaned(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if depth >= MAX_JSON_DEPTH and isinstance(value, list | dict):
        raise ValueError("JSON nested too deep")
    if isinstance(value, list):
        return [_cleaned(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _cleaned(v, depth + 1) for k, v in value.items()}
    return value
