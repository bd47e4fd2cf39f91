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
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from channels.hub import MAX_TRIES, Channel, Hub, InboundEvent, Unreadable, WebhookRequest

log = logging.getLogger(__name__)

ACK_WITHIN = 1.5  # seconds a webhook waits for its events to be stored before answering


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
        key = (name, hashlib.sha256(incoming.body).hexdigest())
        if not hub.deliveries.first_time(key):
            log.info("%s webhook: request delivered again while in hand; ignored", name)
            return JSONResponse({"ok": True, "duplicate": True})
        task = hub.spawn(_deliver(hub, channel, incoming))
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
            if hub.deliveries.forget(key):
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
