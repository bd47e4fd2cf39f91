"""Zalo Official Account (OA API v3): webhook events in, consultation messages out.

In: Zalo posts each event to ``POST /webhooks/zalo`` signed with ``X-ZEvent-Signature``,
``sha256(app_id + raw body + timestamp + OA secret key)`` in hex (some senders prefix it
with ``mac=``), where ``timestamp`` is the field of the JSON body. The common webhook route
(``channels.webhook``) verifies it, this adapter parses it, and the pipeline stores it
(deduplicated on its ``msg_id``) and answers in the background; Zalo gets its 200 at once,
since it wants one within 2 seconds and retries otherwise.

Out: ``POST {api}/v3.0/oa/message/cs`` with the OA access token in the ``access_token``
header. Access tokens live about 25 hours; when Zalo answers ``-216`` the token is
refreshed at ``POST {oauth}/v4/oa/access_token`` and the message is sent again, once.
A refresh token is single use, so the refresh runs under an asyncio lock (one per
process) *and* an ``flock`` on the token file (one per host): the second process to get
there finds the pair the first one stored and uses it instead of spending the old
refresh token again. The new pair is written atomically (temporary file, ``os.replace``)
before it is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter

from bot import compose
from channels import render
from channels.coordination import SharedDocument
from channels.hub import Capabilities, InboundEvent, please_send_text
from channels.outbox import SendError, split_text
from channels.settings import Secrets, Settings, reveal
from channels.webhook import Unreadable, WebhookRequest, webhook_router
from handoff.db import Database

log = logging.getLogger(__name__)

NAME = "zalo"
WEBHOOK_PATH = "/webhooks/zalo"
MAX_TEXT = 2000  # characters of a consultation text message
TOKEN_INVALID = -216  # "Access token is invalid": expired or revoked
DEFAULT_API_BASE = "https://openapi.zalo.me"
DEFAULT_OAUTH_BASE = "https://oauth.zaloapp.com"
TOKEN_FILE_NAME = "zalo-oa-tokens.json"
SIGNATURE_HEADER = "X-ZEvent-Signature"
# Zalo's ids are 16 to 32 characters; longer ones (only forged events have them) would not
# fit the conversation id column.
MAX_ID = 48


# -- signatures ----------------------------------------------------------------------------------
def event_signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The hex ``X-ZEvent-Signature`` Zalo computes for a webhook body."""
    digest = hashlib.sha256()
    digest.update(app_id.encode())
    digest.update(body)
    digest.update(timestamp.encode())
    digest.update(oa_secret_key.encode())
    return digest.hexdigest()


def verify_event_signature(
    header: str | None, *, app_id: str, body: bytes, timestamp: str, oa_secret_key: str
) -> bool:
    """Constant-time check of the header, with or without its ``mac=`` prefix."""
    if not header or not timestamp:
        return False
    supplied = header.strip()
    if supplied[:4].lower() == "mac=":
        supplied = supplied[4:].strip()
    expected = event_signature(app_id, body, timestamp, oa_secret_key)
    return hmac.compare_digest(supplied.lower().encode(), expected.encode())


# -- configuration -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ZaloOAConfig:
    app_id: str
    oa_secret_key: str  # the OA's webhook key (signatures)
    app_secret_key: str | None  # the app's secret key (``secret_key`` header of OAuth)
    token_file: Path
    api_base: str = DEFAULT_API_BASE
    oauth_base: str = DEFAULT_OAUTH_BASE
    timeout: float = 10.0
    max_text: int = MAX_TEXT
    access_token: str | None = None  # the seed pair from the environment
    refresh_token: str | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, db: Database | None = None, given: Secrets | None = None
    ) -> ZaloOAConfig | None:
        """None unless ZALO_APP_ID and ZALO_OA_SECRET_KEY are set.

        ``given``: secrets instead of the settings' own (tests, an embedding host)."""
        # (not named ``secrets``: this module uses the standard library's)
        env = settings.secrets if given is None else given
        app_id = reveal(env.zalo_app_id)
        oa_secret = reveal(env.zalo_oa_secret_key)
        if not app_id or not oa_secret:
            return None
        channels = settings.channels
        token_file = channels.zalo_token_file
        return cls(
            app_id=app_id,
            oa_secret_key=oa_secret,
            app_secret_key=reveal(env.zalo_app_secret_key) or None,
            token_file=settings.resolve(token_file) if token_file else default_token_file(settings, db),
            api_base=channels.zalo_oa_api_base.rstrip("/"),
            oauth_base=channels.zalo_oauth_base.rstrip("/"),
            access_token=reveal(env.zalo_oa_access_token) or None,
            refresh_token=reveal(env.zalo_oa_refresh_token) or None,
        )


def default_token_file(settings: Settings, db: Database | None = None) -> Path:
    """Next to the SQLite database; ``var/`` of the config folder for other databases."""
    url = db.url if db is not None else settings.database_url
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix + ":memory:":
        return Path(url[len(prefix) :]).resolve().parent / TOKEN_FILE_NAME
    return settings.resolve(Path("var") / TOKEN_FILE_NAME)


# -- tokens --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: float | None = None  # epoch seconds; None when unknown (a seed from the env)


def _fingerprint(token: str | None) -> str | None:
    return hashlib.sha256(token.encode()).hexdigest()[:16] if token else None


class TokenStore:
    """The current pair in a JSON file (mode 0600), replaced atomically, guarded by ``flock``
    on a sibling ``.lock`` file so that processes on one host refresh one at a time."""

    def __init__(self, path: Path, *, lock_timeout: float = 30.0) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self.lock_timeout = lock_timeout

    def read(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.error("zalo: token file %s unreadable (%s); ignoring it", self.path, exc)
            return None
        return data if isinstance(data, dict) else None

    def write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        with contextlib.suppress(OSError):  # make the rename itself durable
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    @contextlib.asynccontextmanager
    async def locked(self) -> AsyncIterator[None]:
        """Exclusive across processes. Polls a non-blocking ``flock`` so that a cancelled
        task never leaves a thread blocked on the lock."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise SendError(
                            "zalo: token file lock not acquired in time", retryable=True
                        ) from None
                    await asyncio.sleep(0.02)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


class ZaloOAClient:
    """The OA API calls the assistant makes, with the token refresh described above."""

    def __init__(
        self,
        config: ZaloOAConfig,
        store: TokenStore | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.store = store or TokenStore(config.token_file)
        self.transport = transport
        self.clock = clock
        self._seed = _fingerprint(config.refresh_token)
        self._pair = self._initial_pair()
        self._lock = asyncio.Lock()
        self._http: httpx.AsyncClient | None = None
        self.refreshes = 0  # refresh tokens this client spent

    @property
    def has_tokens(self) -> bool:
        return self._pair is not None

    def _initial_pair(self) -> TokenPair | None:
        stored = self._from_file(self.store.read())
        if stored is not None:
            return stored
        if self.config.access_token or self.config.refresh_token:
            return TokenPair(self.config.access_token or "", self.config.refresh_token or "")
        return None

    def _from_file(self, data: dict[str, Any] | None) -> TokenPair | None:
        """The stored pair, unless it descends from another seed than the environment's:
        an operator who sets a newly granted pair in the environment overrides the file."""
        if not data or not data.get("refresh_token") and not data.get("access_token"):
            return None
        if self._seed is not None and data.get("seed") != self._seed:
            return None
        expires = data.get("expires_at")
        return TokenPair(
            str(data.get("access_token") or ""),
            str(data.get("refresh_token") or ""),
            float(expires) if isinstance(expires, int | float) else None,
        )

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(transport=self.transport, timeout=self.config.timeout)
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # -- sending -----------------------------------------------------------------------------
    async def send_text(
        self, user_id: str, text: str, buttons: list[dict[str, str]] | None = None
    ) -> str | None:
        """Send one consultation text (with ``buttons``: a consultation message with
        buttons, Zalo's "template" attachment); returns Zalo's message id. Raises ``SendError``."""
        message: dict[str, Any] = {"text": text}
        if buttons:
            message["attachment"] = {"type": "template", "payload": {"buttons": buttons}}
        body = {"recipient": {"user_id": user_id}, "message": message}
        pair = await self._usable_pair()
        data = await self._post_cs(pair.access_token, body)
        if data.get("error") == TOKEN_INVALID:
            log.info("zalo: access token rejected (-216); refreshing it")
            pair = await self.refresh(stale=pair.access_token)
            data = await self._post_cs(pair.access_token, body)
            if data.get("error") == TOKEN_INVALID:
                raise SendError("zalo: the refreshed access token was rejected too (-216)", retryable=False)
        code = data.get("error")
        if code != 0:
            raise SendError(f"zalo: message/cs error {code}: {data.get('message', '')}", retryable=False)
        result = data.get("data")
        return (
            str(result.get("message_id")) if isinstance(result, dict) and result.get("message_id") else None
        )

    async def _usable_pair(self) -> TokenPair:
        pair = self._pair
        if pair is None:
            raise SendError(
                "zalo: no OA access token; set ZALO_OA_ACCESS_TOKEN/REFRESH_TOKEN", retryable=False
            )
        soon = pair.expires_at is not None and self.clock() >= pair.expires_at - 120
        if not pair.access_token or soon:
            pair = await self.refresh(stale=pair.access_token)
        return pair

    async def _post_cs(self, access_token: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.config.api_base}/v3.0/oa/message/cs"
        try:
            response = await self._client().post(url, json=body, headers={"access_token": access_token})
        except httpx.HTTPError as exc:
            raise SendError(f"zalo: message/cs {type(exc).__name__}: {exc}", retryable=True) from exc
        _raise_for_status(response, "message/cs")
        return _json_object(response, "message/cs")

    # -- refreshing --------------------------------------------------------------------------
    async def refresh(self, stale: str) -> TokenPair:
        """A pair whose access token is not ``stale``: the one another task or process
        already obtained, or a new one (spending the refresh token once)."""
        async with self._lock:
            if self._pair is not None and self._pair.access_token != stale:
                return self._pair  # another task of this process refreshed meanwhile
            async with self.store.locked():
                stored = self._from_file(self.store.read())
                if stored is not None and stored.access_token != stale:
                    self._pair = stored  # another process refreshed meanwhile
                    return stored
                current = stored or self._pair
                if current is None or not current.refresh_token:
                    raise SendError("zalo: no refresh token to renew the access token", retryable=False)
                pair = await self._request_refresh(current.refresh_token)
                self.refreshes += 1
                try:
                    self.store.write(
                        {
                            "access_token": pair.access_token,
                            "refresh_token": pair.refresh_token,
                            "expires_at": pair.expires_at,
                            "updated_at": self.clock(),
                            "seed": self._seed,
                        }
                    )
                except OSError as exc:
                    # The old refresh token is spent: keep the new pair in memory at least.
                    log.critical("zalo: new token pair NOT persisted to %s: %s", self.store.path, exc)
                self._pair = pair
                log.info("zalo: access token refreshed (stored in %s)", self.store.path)
                return pair

    async def _request_refresh(self, refresh_token: str) -> TokenPair:
        if not self.config.app_secret_key:
            raise SendError("zalo: ZALO_APP_SECRET_KEY is not set; cannot refresh the token", retryable=False)
        url = f"{self.config.oauth_base}/v4/oa/access_token"
        form = {"app_id": self.config.app_id, "refresh_token": refresh_token, "grant_type": "refresh_token"}
        try:
            response = await self._client().post(
                url, data=form, headers={"secret_key": self.config.app_secret_key}
            )
        except httpx.HTTPError as exc:
            raise SendError(f"zalo: token refresh {type(exc).__name__}: {exc}", retryable=True) from exc
        _raise_for_status(response, "token refresh")
        data = _json_object(response, "token refresh")
        access, refresh = data.get("access_token"), data.get("refresh_token")
        if not access or not refresh:
            reason = data.get("error_description") or data.get("error_name") or data.get("message") or ""
            log.error(
                "zalo: refresh token refused (error %s: %s); grant the app access to the OA again and "
                "set ZALO_OA_ACCESS_TOKEN/ZALO_OA_REFRESH_TOKEN",
                data.get("error"),
                reason,
            )
            raise SendError(
                f"zalo: token refresh refused: error {data.get('error')} {reason}", retryable=False
            )
        try:
            expires_at: float | None = self.clock() + float(data.get("expires_in") or 0) or None
        except (TypeError, ValueError):
            expires_at = None
        return TokenPair(str(access), str(refresh), expires_at)


def _raise_for_status(response: httpx.Response, what: str) -> None:
    status = response.status_code
    if status == 429 or status >= 500:
        raise SendError(
            f"zalo: {what} HTTP {status}", retryable=True, retry_after=_retry_after(response.headers)
        )
    if status >= 400:
        raise SendError(f"zalo: {what} HTTP {status}: {response.text[:200]}", retryable=False)


def _json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        # A proxy's error page in place of Zalo's answer: worth another try.
        raise SendError(f"zalo: {what} answered something other than a JSON object", retryable=True)
    return data


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


# -- the channel adapter -------------------------------------------------------------------------
def render_options(options: list[str]) -> str:
    """Options as a numbered list (the assistant's labels are usually numbered already)."""
    lines = []
    for i, option in enumerate(options, start=1):
        label = str(option).strip()
        lines.append(label if label[:1].isdigit() else f"{i}. {label}")
    return "\n".join(lines)


class ZaloOAAdapter:
    name = NAME

    def __init__(self, config: ZaloOAConfig, client: ZaloOAClient | None = None) -> None:
        self.config = config
        self.client = client or ZaloOAClient(config)
        self.capabilities = Capabilities(max_text=config.max_text, buttons=False, location=True, typing=False)
        # Parts of a payload already delivered: a retried payload does not repeat them.
        self._delivered: OrderedDict[str, int] = OrderedDict()

    # -- inbound (channels.webhook) -----------------------------------------------------------
    refusal = "invalid signature"
    credential = SIGNATURE_HEADER

    def verify(self, request: WebhookRequest) -> bool:
        # The signature covers a timestamp inside the body: a body that cannot be read
        # cannot be verified either, so it is refused (400), not acknowledged.
        try:
            data = request.json_object()
        except Unreadable as exc:
            raise Unreadable("malformed JSON", exc.why) from None
        timestamp = data.get("timestamp")
        return verify_event_signature(
            request.headers.get(SIGNATURE_HEADER),
            app_id=self.config.app_id,
            body=request.body,
            timestamp="" if timestamp is None else str(timestamp),
            oa_secret_key=self.config.oa_secret_key,
        )

    def parse(self, request: WebhookRequest) -> list[InboundEvent]:
        data = request.json_object()
        try:
            event = self.event(data)
        except (TypeError, ValueError, AttributeError) as exc:
            # Signed by Zalo but unlike any event we know: Zalo would send it again forever.
            name = str(data.get("event_name"))[:40]
            raise Unreadable("unreadable event", f"event {name!r} unreadable: {exc!r}") from None
        if event is None:
            log.debug("zalo webhook: event %r acknowledged and ignored", data.get("event_name"))
            return []
        return [event]

    def event(self, data: Mapping[str, Any]) -> InboundEvent | None:
        """The pipeline's event for a webhook body; None for events the assistant ignores."""
        name = str(data.get("event_name") or "")
        message = as_object(data.get("message"))
        if name == "follow":
            user_id = _id(data.get("follower")) or _id(data.get("sender"))
            kind = "follow"
        elif name.startswith("user_send_"):
            user_id = _id(data.get("sender"))
            kind = "text"
        else:
            return None  # unfollow, deliveries, reads, the OA's own messages...
        if not user_id or len(user_id) > MAX_ID:
            return None
        message_id = str(message.get("msg_id") or "") or _synthetic_id(name, data.get("timestamp"), user_id)
        if len(message_id) > MAX_ID:
            return None
        event = InboundEvent(channel=NAME, message_id=message_id, user_id=user_id, kind=kind)
        if name == "user_send_text":
            event.text = str(message.get("text") or "")
            if not event.text.strip():
                return None
        elif name == "user_send_location":
            # An unreadable or impossible point still gets a reply: "that location is not valid".
            location = _location(message)
            event.kind, event.location = "location", location
            event.text = f"[location {location[0]:.5f},{location[1]:.5f}]" if location else "[location]"
        elif kind == "follow":
            event.text = "[follow]"
            event.reply, event.intent = compose.greeting, "greet"
        else:  # a picture, sticker, file, voice...: asked to write instead
            event.kind, event.text = "image", f"[{name.removeprefix('user_send_')}]"
            event.reply, event.intent = send_text, "unsupported_content"
        return event

    # -- outbound ----------------------------------------------------------------------------
    def render(self, payload: Mapping[str, Any]) -> list[str]:
        text = str(payload.get("text") or "").strip()
        options = [str(o) for o in payload.get("options") or [] if str(o).strip()]
        block = render_options(options) if options else ""
        combined = f"{text}\n\n{block}".strip() if block else text
        if len(combined) <= self.config.max_text:
            return [combined] if combined else []
        return split_text(text, self.config.max_text) + split_text(block, self.config.max_text)

    async def send(self, recipient: str, payload: dict[str, Any]) -> None:
        parts = self.render(payload)
        # A composed answer's aspect menu as quick-reply buttons on its last part (the text
        # keeps the menu line, so typing the digit works too).
        buttons = render.zalo_buttons(render.payload_blocks(payload))
        key = hashlib.sha256(json.dumps([recipient, parts], ensure_ascii=False).encode()).hexdigest()
        done = self._delivered.get(key, 0)
        for i, part in enumerate(parts):
            if i < done:
                continue
            last = i == len(parts) - 1
            await self.client.send_text(recipient, part, buttons if last else None)
            if len(parts) > 1:
                self._delivered[key] = i + 1
                self._delivered.move_to_end(key)
                while len(self._delivered) > 1024:
                    self._delivered.popitem(last=False)
        self._delivered.pop(key, None)

    async def close(self) -> None:
        await self.client.aclose()


def as_object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> str:
    return str(value.get("id") or "") if isinstance(value, dict) else ""


def _synthetic_id(name: str, timestamp: Any, user_id: str) -> str:
    """Events without ``msg_id`` (follow...): the same delivery gives the same id."""
    return "h" + hashlib.sha256(f"{name}|{timestamp}|{user_id}".encode()).hexdigest()[:31]


def _location(message: Mapping[str, Any]) -> tuple[float, float] | None:
    candidates: list[Any] = [message.get("location")]
    attachments = message.get("attachments")
    for item in attachments if isinstance(attachments, list) else []:
        if isinstance(item, dict) and item.get("type") == "location":
            payload = as_object(item.get("payload"))
            candidates += [payload.get("coordinates"), payload]
    for c in candidates:
        if isinstance(c, dict):
            try:
                return float(c["latitude"]), float(c["longitude"])
            except (KeyError, TypeError, ValueError):
                continue
    return None


def build_adapter(
    settings: Settings,
    db: Database | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ZaloOAAdapter | None:
    """The OA channel, or None (disabled) without its secrets or without any token.

    ``environ``: secrets by variable name instead of the settings' own (tests)."""
    given = None if environ is None else Secrets.from_environ(environ)
    config = ZaloOAConfig.from_settings(settings, db, given)
    if config is None:
        return None
    store: Any = TokenStore(config.token_file)
    if db is not None and not getattr(db, "is_sqlite", True):
        # Replicas on several hosts share one token pair (coordination.SharedDocument).
        store = SharedDocument(db, "zalo_oa.tokens", legacy=store)
    client = ZaloOAClient(config, store, transport=transport)
    if not client.has_tokens:
        log.warning(
            "zalo: ZALO_APP_ID and ZALO_OA_SECRET_KEY are set but there is no OA token "
            "(ZALO_OA_ACCESS_TOKEN/ZALO_OA_REFRESH_TOKEN or %s): the channel is disabled",
            config.token_file,
        )
        return None
    if not config.app_secret_key:
        log.warning(
            "zalo: ZALO_APP_SECRET_KEY is not set: the access token cannot be renewed when it expires"
        )
    return ZaloOAAdapter(config, client)


# -- what the channel answers itself (a greeting, "please write") --------------------------------------
def send_text(lang: str) -> str:
    # The Official Account receives shared locations: the same reply as Telegram's.
    return please_send_text(lang, location=True)


def make_router() -> APIRouter:
    return webhook_router(WEBHOOK_PATH, NAME)
