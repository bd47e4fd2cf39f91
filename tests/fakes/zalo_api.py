"""A loopback Zalo cloud: the Official Account API v3, its OAuth v4 token endpoint and the
Zalo Bot platform API, the pieces of Zalo we cannot reach in tests.

- ``POST /v3.0/oa/message/cs`` checks the ``access_token`` header and answers
  ``{"error": -216, ...}`` for an unknown or expired token (``expire_access_token()``),
  else ``{"error": 0, "message": "Success", "data": {"message_id": ..., "user_id": ...}}``.
- ``POST /v4/oa/access_token`` (form ``app_id``, ``refresh_token``,
  ``grant_type=refresh_token``; header ``secret_key``) issues a new pair and spends the
  refresh token: a refresh token used twice is rejected, as Zalo does.
- ``POST /bot<token>/<method>`` (``sendMessage``, ``sendChatAction``, ``setWebhook``,
  ``getMe``) answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code",
  "description"}``.

Every call is recorded. It runs its own event loop in a thread, so it serves the app under
a ``TestClient`` and other processes alike::

    with FakeZaloAPI() as zalo:
        ...
        call = zalo.wait_for("message/cs", lambda c: "1.014064" in c.text)
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

APP_ID = "1234567890123456789"
APP_SECRET_KEY = "app-secret-Abc123"
OA_SECRET_KEY = "oa-secret-Xyz789"
BOT_TOKEN = "2011959344:zbot-test-token"
INVALID_TOKEN = -216
INVALID_REFRESH_TOKEN = -14014


@dataclass(slots=True)
class Call:
    endpoint: str  # "message/cs", "oauth", or a Bot API method name
    headers: dict[str, str]
    params: dict[str, Any]
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.body.get("error", 0) == 0 and self.body.get("ok", True) is True

    @property
    def text(self) -> str:
        message = self.params.get("message")
        if isinstance(message, dict):
            return str(message.get("text", ""))
        return str(self.params.get("text", ""))


@dataclass(slots=True)
class _Failure:
    status: int
    body: dict[str, Any]
    times: int
    headers: dict[str, str]


class FakeZaloAPI:
    def __init__(
        self,
        *,
        app_id: str = APP_ID,
        app_secret_key: str = APP_SECRET_KEY,
        bot_token: str = BOT_TOKEN,
        refresh_delay: float = 0.0,
        host: str = "127.0.0.1",
    ) -> None:
        self.app_id = app_id
        self.app_secret_key = app_secret_key
        self.bot_token = bot_token
        self.refresh_delay = refresh_delay  # widens the window in which two refreshes overlap
        self.host = host
        self.port = 0
        self.calls: list[Call] = []
        self.webhook: dict[str, Any] = {}
        self._access: dict[str, bool] = {}  # token -> still valid
        self._refresh: dict[str, bool] = {}  # token -> not yet used
        self._failures: dict[str, list[_Failure]] = {}
        self._ids = 0
        self._cond = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FakeZaloAPI:
        ready = threading.Event()
        errors: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._serve(ready))
            except BaseException as exc:  # surfaced to start()
                errors.append(exc)
                ready.set()
            finally:
                loop.close()

        self._thread = threading.Thread(target=serve, name="fake-zalo-api", daemon=True)
        self._thread.start()
        if not ready.wait(10) or errors:
            raise RuntimeError(f"fake Zalo API did not start: {errors}")
        return self

    async def _serve(self, ready: threading.Event) -> None:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._message_cs)
        app.router.add_post("/v4/oa/access_token", self._access_token)
        app.router.add_route("*", "/bot{token}/{method}", self._bot)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        self._stopped = asyncio.Event()
        ready.set()
        await self._stopped.wait()
        await runner.cleanup()

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FakeZaloAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls ---------------------------------------------------------------------
    def issue_pair(self) -> tuple[str, str]:
        """A fresh (access token, refresh token) pair, as the OA's OAuth grant gives."""
        access, refresh = "at-" + secrets.token_urlsafe(12), "rt-" + secrets.token_urlsafe(12)
        with self._cond:
            self._access[access] = True
            self._refresh[refresh] = True
        return access, refresh

    def expire_access_token(self, token: str | None = None) -> None:
        """Expire one access token, or every one issued so far."""
        with self._cond:
            for t in [token] if token else list(self._access):
                self._access[t] = False

    def refresh_token_used(self, token: str) -> bool:
        with self._cond:
            return self._refresh.get(token) is False

    def fail(
        self,
        endpoint: str,
        status: int = 500,
        *,
        times: int = 1,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``endpoint`` ("message/cs", "oauth" or a Bot API
        method) with ``status`` and ``body``."""
        with self._cond:
            self._failures.setdefault(endpoint, []).append(
                _Failure(status, body or {"error": -1, "message": "Internal error"}, times, headers or {})
            )

    def calls_of(self, endpoint: str, ok_only: bool = True) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.endpoint == endpoint and (c.ok or not ok_only)]

    def reset(self) -> None:
        with self._cond:
            self.calls.clear()
            self._failures.clear()

    def wait_for(
        self,
        endpoint: str,
        predicate: Callable[[Call], bool] = lambda c: True,
        timeout: float = 10.0,
        *,
        after: int = 0,
    ) -> Call:
        """The first successful call of ``endpoint`` (from index ``after``) matching ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for call in self.calls[after:]:
                    if call.endpoint == endpoint and call.ok and predicate(call):
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.endpoint, c.status, c.body, c.text[:60]) for c in self.calls[after:]]
                    raise AssertionError(f"no {endpoint} call matched within {timeout} s; calls: {seen}")
                self._cond.wait(left)

    # -- the protocols ---------------------------------------------------------------------
    def _record(self, call: Call) -> web.Response:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()
        return web.json_response(call.body, status=call.status)

    def _next_failure(self, endpoint: str) -> _Failure | None:
        with self._cond:
            queue = self._failures.get(endpoint)
            if not queue:
                return None
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            return failure

    def _failed(self, endpoint: str, headers: dict[str, str], params: dict[str, Any]) -> web.Response | None:
        failure = self._next_failure(endpoint)
        if failure is None:
            return None
        call = Call(endpoint, headers, params, status=failure.status, body=dict(failure.body))
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()
        return web.json_response(call.body, status=failure.status, headers=failure.headers)

    def _next_id(self) -> str:
        with self._cond:
            self._ids += 1
            return f"{self._ids:08x}" + secrets.token_hex(8)

    async def _message_cs(self, request: web.Request) -> web.Response:
        headers = dict(request.headers)
        try:
            params = await request.json()
        except ValueError:
            return self._record(
                Call("message/cs", headers, {}, body={"error": -201, "message": "Invalid JSON"})
            )
        if not isinstance(params, dict):
            params = {}
        failed = self._failed("message/cs", headers, params)
        if failed is not None:
            return failed
        token = request.headers.get("access_token", "")
        with self._cond:
            valid = self._access.get(token, False)
        if not valid:
            body = {"error": INVALID_TOKEN, "message": "Access token is invalid"}
            return self._record(Call("message/cs", headers, params, body=body))
        user_id = (params.get("recipient") or {}).get("user_id")
        text = (params.get("message") or {}).get("text")
        if not user_id:
            body = {"error": -201, "message": "user_id is invalid"}
        elif not isinstance(text, str) or not text.strip():
            body = {"error": -201, "message": "message is invalid"}
        elif len(text) > 2000:
            body = {"error": -201, "message": "text is too long (limit 2000)"}
        else:
            body = {
                "error": 0,
                "message": "Success",
                "data": {"message_id": self._next_id(), "user_id": user_id},
            }
        return self._record(Call("message/cs", headers, params, body=body))

    async def _access_token(self, request: web.Request) -> web.Response:
        headers = dict(request.headers)
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        failed = self._failed("oauth", headers, form)
        if failed is not None:
            return failed
        if self.refresh_delay:
            await asyncio.sleep(self.refresh_delay)
        error: tuple[int, str] | None = None
        if request.headers.get("secret_key") != self.app_secret_key:
            error = (-14002, "Invalid secret key")
        elif form.get("app_id") != self.app_id:
            error = (-14001, "Invalid app id")
        elif form.get("grant_type") != "refresh_token":
            error = (-14003, "Invalid grant type")
        else:
            with self._cond:
                unused = self._refresh.get(form.get("refresh_token", ""))
                if unused:
                    self._refresh[form["refresh_token"]] = False
            if not unused:
                error = (
                    INVALID_REFRESH_TOKEN,
                    "Invalid refresh token" if unused is None else "Refresh token was used",
                )
        if error is not None:
            body = {"error": error[0], "error_name": "Invalid parameter", "error_description": error[1]}
            return self._record(Call("oauth", headers, form, body=body))
        access, refresh = self.issue_pair()
        body = {"access_token": access, "refresh_token": refresh, "expires_in": "90000"}
        return self._record(Call("oauth", headers, form, body=body))

    async def _bot(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        headers = dict(request.headers)
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                body = None
            if isinstance(body, dict):
                params.update(body)
        if request.match_info["token"] != self.bot_token:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return self._record(Call(method, headers, params, status=401, body=body))
        failed = self._failed(method, headers, params)
        if failed is not None:
            return failed
        result: Any
        if method == "getMe":
            result = {
                "id": "bot-1",
                "account_name": "bot.hotline",
                "account_type": "BASIC",
                "can_join_groups": False,
            }
        elif method == "sendMessage":
            text = params.get("text")
            if not params.get("chat_id") or not isinstance(text, str) or not text.strip():
                body = {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: chat_id and text are required",
                }
                return self._record(Call(method, headers, params, status=400, body=body))
            if len(text) > 2000:
                body = {"ok": False, "error_code": 400, "description": "Bad Request: text is too long"}
                return self._record(Call(method, headers, params, status=400, body=body))
            result = {"message_id": self._next_id(), "date": int(time.time() * 1000)}
        elif method == "sendChatAction":
            result = True
        elif method == "setWebhook":
            secret = str(params.get("secret_token") or "")
            if not str(params.get("url", "")).startswith("https://") or not 8 <= len(secret) <= 256:
                body = {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: invalid url or secret_token",
                }
                return self._record(Call(method, headers, params, status=400, body=body))
            self.webhook = dict(params)
            result = {"url": params["url"], "updated_at": int(time.time() * 1000)}
        else:
            body = {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            return self._record(Call(method, headers, params, status=404, body=body))
        return self._record(Call(method, headers, params, body={"ok": True, "result": result}))


# -- Webhook builders: the JSON Zalo posts to our endpoints ------------------------------------------
def oa_text_event(
    user_id: str, text: str, *, msg_id: str | None = None, app_id: str = APP_ID
) -> dict[str, Any]:
    return {
        "app_id": app_id,
        "user_id_by_app": "55" + user_id,
        "event_name": "user_send_text",
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": user_id},
        "recipient": {"id": "oa-388613280878808645"},
        "message": {"text": text, "msg_id": msg_id or secrets.token_hex(10)},
    }


def oa_location_event(user_id: str, lat: float, lon: float, *, app_id: str = APP_ID) -> dict[str, Any]:
    return {
        "app_id": app_id,
        "event_name": "user_send_location",
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": user_id},
        "recipient": {"id": "oa-388613280878808645"},
        "message": {
            "msg_id": secrets.token_hex(10),
            "text": "",
            "attachments": [
                {
                    "type": "location",
                    "payload": {"coordinates": {"latitude": str(lat), "longitude": str(lon)}},
                }
            ],
        },
    }


def oa_image_event(user_id: str, *, app_id: str = APP_ID) -> dict[str, Any]:
    return {
        "app_id": app_id,
        "event_name": "user_send_image",
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": user_id},
        "recipient": {"id": "oa-388613280878808645"},
        "message": {
            "msg_id": secrets.token_hex(10),
            "text": "",
            "attachments": [
                {"type": "image", "payload": {"url": "https://photo.example/1.jpg", "thumbnail": ""}}
            ],
        },
    }


def oa_follow_event(user_id: str, *, app_id: str = APP_ID) -> dict[str, Any]:
    return {
        "app_id": app_id,
        "oa_id": "oa-388613280878808645",
        "event_name": "follow",
        "timestamp": str(int(time.time() * 1000)),
        "source": "oa_profile",
        "follower": {"id": user_id},
        "user_id_by_app": "55" + user_id,
    }


def bot_text_update(
    chat_id: str, text: str, *, message_id: str | None = None, wrapped: bool = True
) -> dict[str, Any]:
    result = {
        "event_name": "message.text.received",
        "message": {
            "from": {"id": chat_id, "display_name": "Lan", "is_bot": False},
            "chat": {"id": chat_id, "chat_type": "PRIVATE"},
            "text": text,
            "message_id": message_id or secrets.token_hex(10),
            "date": int(time.time() * 1000),
        },
    }
    return {"ok": True, "result": result} if wrapped else result


def bot_image_update(chat_id: str) -> dict[str, Any]:
    return {
        "ok": True,
        "result": {
            "event_name": "message.image.received",
            "message": {
                "from": {"id": chat_id, "display_name": "Lan", "is_bot": False},
                "chat": {"id": chat_id, "chat_type": "PRIVATE"},
                "photo": "https://photo.example/2.jpg",
                "message_id": secrets.token_hex(10),
                "date": int(time.time() * 1000),
            },
        },
    }
