"""A loopback Telegram Bot API server: the one piece of Telegram we cannot reach in tests.

It speaks the Bot API's HTTP protocol (``POST /bot<token>/<method>`` with form, multipart
or JSON parameters; answers ``{"ok": true, "result": ...}`` or ``{"ok": false,
"error_code": ..., "description": ..., "parameters": {...}}``), records every call, and
can be told to fail the next calls of a method (429 with ``retry_after``, 500, 403...).

It runs its own event loop in a thread, so it serves a FastAPI ``TestClient`` (whose app
runs in another thread) and synchronous test code alike::

    with FakeTelegramAPI(token="123:abc") as api:
        bot = Bot("123:abc", session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
        ...
        call = api.wait_for("sendMessage", lambda c: "1.014064" in c.params["text"])
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 7000000001
BOT_USERNAME = "hotline_test_bot"


@dataclass(slots=True)
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    status: int = 200

    def json_param(self, name: str) -> Any:
        """A parameter the client sent JSON-encoded inside a form (reply_markup, ...)."""
        value = self.params.get(name)
        return json.loads(value) if isinstance(value, str) else value


@dataclass(slots=True)
class _Failure:
    status: int
    description: str
    retry_after: int | None
    times: int


class FakeTelegramAPI:
    def __init__(self, token: str = "123456:TEST-token", host: str = "127.0.0.1") -> None:
        self.token = token
        self.host = host
        self.port = 0
        self.calls: list[Call] = []
        self.webhook: dict[str, Any] = {}
        self._updates: list[dict[str, Any]] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._message_ids = 0
        self._cond = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._stopped: asyncio.Event | None = None

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FakeTelegramAPI:
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

        self._thread = threading.Thread(target=serve, name="fake-telegram-api", daemon=True)
        self._thread.start()
        if not ready.wait(10) or errors:
            raise RuntimeError(f"fake Telegram API did not start: {errors}")
        return self

    async def _serve(self, ready: threading.Event) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._stopped = asyncio.Event()
        ready.set()
        await self._stopped.wait()
        await self._runner.cleanup()

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FakeTelegramAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls ---------------------------------------------------------------------
    def fail(
        self,
        method: str,
        status: int = 500,
        *,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error like Telegram's."""
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after}",
                403: "Forbidden: bot was blocked by the user",
                400: "Bad Request: chat not found",
            }.get(status, "Internal Server Error")
        with self._cond:
            self._failures.setdefault(method, []).append(_Failure(status, description, retry_after, times))

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for ``getUpdates`` (polling mode)."""
        with self._cond:
            self._updates.append(update)
            self._cond.notify_all()

    def calls_of(self, method: str, ok_only: bool = True) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    def reset(self) -> None:
        with self._cond:
            self.calls.clear()
            self._failures.clear()
            self._updates.clear()

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda c: True,
        timeout: float = 10.0,
        *,
        after: int = 0,
    ) -> Call:
        """The first successful call of ``method`` (from index ``after``) matching ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for call in self.calls[after:]:
                    if call.method == method and call.status == 200 and predicate(call):
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.status, c.params.get("text")) for c in self.calls[after:]]
                    raise AssertionError(f"no {method} call matched within {timeout} s; calls: {seen}")
                self._cond.wait(left)

    # -- the protocol ---------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                sent = await request.json()
                if isinstance(sent, dict):
                    params.update(sent)
            else:
                form = await request.post()
                params.update({k: v for k, v in form.items() if isinstance(v, str)})
        if request.match_info["token"] != self.token:
            return self._record(
                method, params, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
        failure = self._next_failure(method)
        if failure is not None:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.status,
                "description": failure.description,
            }
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return self._record(method, params, failure.status, body)
        if method == "getUpdates":
            # Long polling: hold the request a little while nothing is queued.
            timeout = min(float(params.get("timeout") or 0), 0.5)
            offset = int(params.get("offset") or 0)
            deadline = time.monotonic() + timeout
            while True:
                with self._cond:
                    pending = [u for u in self._updates if u["update_id"] >= offset]
                    self._updates = pending
                if pending or time.monotonic() >= deadline:
                    break
                await asyncio.sleep(0.05)
            return self._record(method, params, 200, {"ok": True, "result": pending})
        handler = _RESULTS.get(method)
        if handler is None:
            body = {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            return self._record(method, params, 404, body)
        try:
            result = handler(self, params)
        except _BadRequest as exc:
            body = {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
            return self._record(method, params, 400, body)
        return self._record(method, params, 200, {"ok": True, "result": result})

    def _next_failure(self, method: str) -> _Failure | None:
        with self._cond:
            queue = self._failures.get(method)
            if not queue:
                return None
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            return failure

    def _record(self, method: str, params: dict[str, Any], status: int, body: dict[str, Any]) -> web.Response:
        with self._cond:
            self.calls.append(Call(method, params, status=status))
            self._cond.notify_all()
        return web.json_response(body, status=status)

    # -- results of the methods the assistant uses ---------------------------------------------
    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Hotline",
            "username": BOT_USERNAME,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text = params.get("text") or ""
        if not text.strip():
            raise _BadRequest("message text is empty")
        if len(text) > 4096:
            raise _BadRequest("message is too long")
        if "chat_id" not in params:
            raise _BadRequest("chat_id is empty")
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            try:
                json.loads(markup)
            except ValueError as exc:
                raise _BadRequest("can't parse reply keyboard markup JSON object") from exc
        with self._cond:
            self._message_ids += 1
            message_id = self._message_ids
        chat_id = int(params["chat_id"])
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Hotline", "username": BOT_USERNAME},
            "text": text,
        }

    def _true(self, params: dict[str, Any]) -> bool:
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        if url and not url.startswith("https://"):
            raise _BadRequest("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = dict(params)
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }


class _BadRequest(Exception):
    pass


_RESULTS: dict[str, Callable[[FakeTelegramAPI, dict[str, Any]], Any]] = {
    "getMe": FakeTelegramAPI._get_me,
    "sendMessage": FakeTelegramAPI._send_message,
    "sendChatAction": FakeTelegramAPI._true,
    "answerCallbackQuery": FakeTelegramAPI._true,
    "setWebhook": FakeTelegramAPI._set_webhook,
    "deleteWebhook": FakeTelegramAPI._delete_webhook,
    "getWebhookInfo": FakeTelegramAPI._get_webhook_info,
    "close": FakeTelegramAPI._true,
    "logOut": FakeTelegramAPI._true,
}


# -- Update builders: the JSON Telegram posts to a webhook ---------------------------------------
def _user(user_id: int, first_name: str = "Lan", language_code: str | None = "vi") -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        user["language_code"] = language_code
    return user


def _message(update_id: int, user_id: int, message_id: int | None = None, **content: Any) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id if message_id is not None else update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Lan"},
            "from": _user(user_id),
            **content,
        },
    }


def text_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    update = _message(update_id, user_id, text=text)
    if text.startswith("/"):
        command = text.split()[0]
        update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return update


def location_update(update_id: int, user_id: int, lat: float, lon: float) -> dict[str, Any]:
    return _message(update_id, user_id, location={"latitude": lat, "longitude": lon})


def photo_update(update_id: int, user_id: int) -> dict[str, Any]:
    size = {"file_id": "AgACAgIAAxkBAAI", "file_unique_id": "AQADAgAT", "width": 90, "height": 90}
    return _message(update_id, user_id, photo=[size])


def sticker_update(update_id: int, user_id: int) -> dict[str, Any]:
    sticker = {
        "file_id": "CAACAgIAAxkBAAI",
        "file_unique_id": "AgADAgAT",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    return _message(update_id, user_id, sticker=sticker)


def callback_update(
    update_id: int, user_id: int, data: str, message_id: int = 1, query_id: str | None = None
) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": query_id or f"cb{update_id}",
            "from": _user(user_id),
            "chat_instance": f"ci{user_id}",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private", "first_name": "Lan"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Hotline", "username": BOT_USERNAME},
                "text": "…",
            },
        },
    }
