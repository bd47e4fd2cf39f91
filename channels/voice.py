"""Phone IVR over Twilio: the caller speaks (or presses keys), the assistant answers aloud.

Twilio requests a webhook at each step of a call and reads the TwiML it gets back:

- ``POST /voice/incoming``: greeting in Vietnamese and the language menu (1 Tiếng Việt, 2
  English, 3 Français, 4 Español, 5 中文, 6 한국어, 7 日本語, 0 staff) inside a
  ``<Gather input="speech dtmf">``; a caller may also ask a question straight away.
- ``POST /voice/language``: the menu's answer; then ``<Gather>`` in the chosen language.
- ``POST /voice/turn``: one question (``SpeechResult`` with ``Confidence``, or ``Digits``)
  through ``Hub.answer_now``, spoken back short (``channels.speech``), then the next
  ``<Gather>``. A low recognition confidence is asked again once, then a keypad menu of
  common topics is offered; clarification options are read as "press 1 for …".
- ``POST /voice/transfer-done``: the end of a transfer (``QueueResult``/``DialCallStatus``):
  nobody answered → a voice message instead.
- ``POST /voice/whisper``: what the staff member hears before the caller is connected.
- ``POST /voice/recorded`` and ``/voice/transcribed``: a voice message left for a callback.

Staff are reached by digit 0 or whenever the assistant hands off: within working hours
``<Enqueue workflowSid>`` with the dossier packet summary as TaskRouter ``<Task>``
attributes (when a workflow is configured), else ``<Dial>`` to the hotline number with a
whisper; outside working hours (or with neither configured) the caller leaves a message
and the case waits with a callback to the calling number. The case is always opened
through the conversation, so the console shows it with the transcript.

Every request must carry a valid ``X-Twilio-Signature`` over PUBLIC_BASE_URL + the path
and query it was sent to (so it works behind a proxy); the channel is disabled (404)
without TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL. The call's progress (language, turn number,
retries, menu, last procedure) travels in the signed action URLs: any server process can
take the next step of any call.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Gather, VoiceResponse

from bot import texts
from bot.ports import HandoffPacket
from bot.reply import Reply
from channels.hub import Capabilities, InboundEvent
from channels.numerals import number_words
from channels.outbox import SendError
from channels.settings import Secrets, Settings, reveal
from channels.speech import option_label, to_speech, verbalize
from channels.spoken import DEFAULT_RATES, MENU_ASPECTS, ask_place, aspect_of, render_procedure
from channels.spoken_texts import ASPECT_QUESTIONS
from handoff.db import Database
from handoff.masking import mask_number, mask_text
from knowledge.errors import ConfigError
from knowledge.lexicon import lexicon

log = logging.getLogger(__name__)

NAME = CHANNEL = "voice"
SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_SMS = 480  # characters of one text message we send (a few SMS segments)
ROUTES = (
    "/voice/incoming",
    "/voice/language",
    "/voice/turn",
    "/voice/transfer-done",
    "/voice/whisper",
    "/voice/recorded",
    "/voice/transcribed",
)


# == languages and what the IVR says ==========================================================


@dataclass(frozen=True, slots=True)
class VoiceLanguage:
    gather: str  # <Gather language> (speech recognition)
    say: str  # <Say language>
    voice: str  # <Say voice>
    digit: str  # its key in the language menu


LANGUAGES: dict[str, VoiceLanguage] = {
    "vi": VoiceLanguage("vi-VN", "vi-VN", "Google.vi-VN-Standard-A", "1"),
    "en": VoiceLanguage("en-US", "en-US", "Google.en-US-Standard-C", "2"),
    "fr": VoiceLanguage("fr-FR", "fr-FR", "Google.fr-FR-Standard-A", "3"),
    "es": VoiceLanguage("es-ES", "es-ES", "Google.es-ES-Standard-A", "4"),
    "zh": VoiceLanguage("cmn-Hans-CN", "cmn-CN", "Google.cmn-CN-Standard-A", "5"),
    "ko": VoiceLanguage("ko-KR", "ko-KR", "Google.ko-KR-Standard-A", "6"),
    "ja": VoiceLanguage("ja-JP", "ja-JP", "Google.ja-JP-Standard-A", "7"),
}
MENU_DIGITS = {spec.digit: lang for lang, spec in LANGUAGES.items()}

# Prompts, keypad topics and speech hints live in locales/<lang>/LC_MESSAGES/voice.po.
PROMPTS: Mapping[str, Mapping[str, str]] = texts.Table("voice")


# The keypad menu offered when speech is not understood: the label is read out and sent to
# the assistant as the caller's question, in the caller's language.
class _Topics(Sequence[Mapping[str, str]]):
    """``TOPICS[i][lang]``: the catalogue's ``topic.<i>`` keys, in order."""

    def _keys(self) -> list[str]:
        keys = [k for k in texts.catalogue(texts.SOURCE_LANGUAGE, "voice") if k.startswith("topic.")]
        return sorted(keys, key=lambda k: int(k.split(".", 1)[1]))

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        key = self._keys()[index]
        return {lang: texts.text(lang, key, "voice") for lang in texts.languages()}

    def __len__(self) -> int:
        return len(self._keys())


TOPICS: Sequence[Mapping[str, str]] = _Topics()


# The words a caller says before a menu key: channels/data/lexicons/voice.yml.
_WORDS = lexicon(__file__, "voice", required=(), ids=("key_word",))


# Speech hints when the catalogue cannot be read: the procedures people ask about most.
class _Hints(Mapping[str, tuple[str, ...]]):
    """``STATIC_HINTS[lang]``: the ``hints`` message of the voice catalogue, one phrase a line."""

    def __getitem__(self, lang: str) -> tuple[str, ...]:
        if lang not in texts.languages():
            raise KeyError(lang)
        return tuple(line for line in texts.text(lang, "hints", "voice").splitlines() if line.strip())

    def __iter__(self) -> Iterator[str]:
        return iter(texts.languages())

    def __len__(self) -> int:
        return len(texts.languages())


STATIC_HINTS: Mapping[str, tuple[str, ...]] = _Hints()

_PROC_CODE = re.compile(r"^\d\.\d{6}$")
_CASE_ID = re.compile(r"^[0-9A-Z-]{4,32}$")


# == configuration ===========================================================================


@dataclass(frozen=True, slots=True)
class VoiceConfig:
    auth_token: str
    public_base_url: str
    language_default: str = "vi"
    confidence_threshold: float = 0.45
    hotline_number: str | None = None  # <Dial> target (E.164) when no TaskRouter workflow
    workflow_sid: str | None = None  # TaskRouter workflow for <Enqueue>
    caller_id: str | None = None  # <Dial callerId>; None: the caller's own number
    sms_from: str | None = None  # a Twilio number or Messaging Service SID (MG…) for SMS
    account_sid: str | None = None  # TWILIO_ACCOUNT_SID, needed for SMS only
    speech_timeout: str = "auto"
    speech_model: str | None = None
    gather_timeout: int = 6
    dial_timeout: int = 25
    record_max_seconds: int = 120
    max_sentences: int = 4
    max_chars: int = 500
    max_speech_seconds: float = 20.0  # the longest spoken answer about a procedure, menu included
    speech_rates: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RATES))
    hints_max: int = 50
    voices: Mapping[str, str] = field(default_factory=dict)  # language → <Say voice>
    gather_languages: Mapping[str, str] = field(default_factory=dict)  # language → <Gather language>

    @classmethod
    def from_settings(cls, settings: Settings, secrets: Secrets | None = None) -> VoiceConfig | None:
        """None (the channel is disabled) unless TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL are set.

        Options come from ``settings.channels.voice``; ``secrets``: instead of the settings'
        own (tests, an embedding host)."""
        secrets = settings.secrets if secrets is None else secrets
        token = reveal(secrets.twilio_auth_token)
        base = reveal(secrets.public_base_url).rstrip("/")
        if not token or not base:
            return None
        if not base.startswith(("https://", "http://")):
            raise ConfigError(
                "PUBLIC_BASE_URL must be an absolute http(s) URL, e.g. https://hotline.example.vn"
            )
        section = settings.channels.voice
        # An empty string in config.yml means "not set", as an absent key does.
        default_lang = section.language_default or settings.default_language or "vi"
        if default_lang not in LANGUAGES:
            raise ConfigError(f"voice.language_default {default_lang!r} is not one of {sorted(LANGUAGES)}")
        return cls(
            auth_token=token,
            public_base_url=base,
            language_default=default_lang,
            confidence_threshold=section.confidence_threshold,
            hotline_number=section.hotline_number or None,
            workflow_sid=section.workflow_sid or None,
            caller_id=section.caller_id or None,
            sms_from=section.sms_from or None,
            account_sid=reveal(secrets.twilio_account_sid) or None,
            speech_timeout=section.speech_timeout or "auto",
            speech_model=section.speech_model or None,
            gather_timeout=section.gather_timeout,
            dial_timeout=section.dial_timeout,
            record_max_seconds=section.record_max_seconds,
            max_sentences=section.max_sentences,
            max_chars=section.max_chars,
            max_speech_seconds=section.max_speech_seconds,
            speech_rates=_rates(section.speech_rates),
            hints_max=section.hints_max,
            voices=dict(section.voices),
            gather_languages=dict(section.gather_languages),
        )

    def url(self, path: str, **query: Any) -> str:
        params = {k: v for k, v in query.items() if v not in (None, "")}
        return self.public_base_url + path + (f"?{urlencode(params)}" if params else "")

    def voice(self, lang: str) -> str:
        return self.voices.get(lang) or LANGUAGES[lang].voice

    def gather_language(self, lang: str) -> str:
        return self.gather_languages.get(lang) or LANGUAGES[lang].gather


def _positive(value: Any, name: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(f"voice.{name} must be a positive number")
    return number


def _rates(value: Any) -> dict[str, float]:
    """The voices' speaking rates (syllables a second), the defaults for languages not given."""
    rates = dict(DEFAULT_RATES)
    for lang, rate in dict(value or {}).items():
        if lang not in LANGUAGES:
            raise ValueError(f"voice.speech_rates: {lang!r} is not one of {sorted(LANGUAGES)}")
        rates[lang] = _positive(rate, f"speech_rates.{lang}")
    return rates


# == SMS (the channel's outbound text) =======================================================


class SmsSender(Protocol):
    async def send_sms(self, to: str, body: str) -> None: ...


class TwilioSms:
    """Text messages through Twilio's REST API (``messages.create``); errors mapped to
    ``SendError`` so the outbox retries what is worth retrying."""

    def __init__(self, account_sid: str, auth_token: str, sender: str, *, client: Any = None) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sender = sender
        self._client = client

    def _create(self, to: str, body: str) -> None:
        if self._client is None:
            from twilio.rest import Client

            self._client = Client(self.account_sid, self.auth_token)
        origin = (
            {"messaging_service_sid": self.sender} if self.sender.startswith("MG") else {"from_": self.sender}
        )
        self._client.messages.create(to=to, body=body, **origin)

    async def send_sms(self, to: str, body: str) -> None:
        from twilio.base.exceptions import TwilioRestException

        try:
            await asyncio.to_thread(self._create, to, body)
        except TwilioRestException as exc:
            status = int(exc.status or 0)
            raise SendError(
                f"twilio sms: HTTP {status} error {exc.code}", retryable=status == 429 or status >= 500
            ) from None
        except OSError as exc:
            raise SendError(f"twilio sms: {type(exc).__name__}", retryable=True) from None


# == the adapter =============================================================================


@dataclass(slots=True)
class VoiceEvent(InboundEvent):
    """One caller turn. The conversation is the call (``voice:<CallSid>``); ``user_id``
    is the calling number, so staff replies from the console go back to it by SMS."""

    call_sid: str = ""

    @property
    def conversation_id(self) -> str:
        return f"{self.channel}:{self.call_sid or self.user_id}"


class VoiceAdapter:
    name = CHANNEL
    capabilities = Capabilities(max_text=MAX_SMS)
    # The HTTP response is the answer (Hub.answer_now): a turn left unanswered by a crash
    # must not be answered later by SMS when the server restarts.
    synchronous = True

    def __init__(self, config: VoiceConfig, db: Any = None, *, sms: SmsSender | None = None) -> None:
        self.config = config
        self.db = db
        self.sms = sms
        self.validator = RequestValidator(config.auth_token)
        self._hints: tuple[int, str] | None = None

    def verify(self, url: str, params: Any, signature: str | None) -> bool:
        if not signature:
            return False
        try:
            return bool(self.validator.validate(url, params, signature))
        except Exception:  # a malformed request is a refusal, never a crash
            log.exception("voice: signature check failed")
            return False

    async def send(self, recipient: str, payload: dict[str, Any]) -> None:
        """The outbox's sender for this channel: a text message to the calling number
        (staff replies from the console, links asked for on the keypad)."""
        if self.sms is None:
            raise SendError("voice: no SMS sender configured (channels.voice.sms_from)", retryable=False)
        text = str(payload.get("text") or "").strip()
        if not text:
            return
        await self.sms.send_sms(recipient, text)

    def hints(self, lang: str, index: Any = None) -> str:
        """Speech recognition hints: for Vietnamese, the phrases citizens use most for the
        catalogue's procedures (its aliases), after a core list; computed once per index."""
        if lang != "vi":
            return ", ".join(STATIC_HINTS.get(lang, ()))
        key = id(index)
        if self._hints is None or self._hints[0] != key:
            phrases = catalogue_hints(index, self.config.hints_max) if index is not None else []
            self._hints = (key, ", ".join(phrases or STATIC_HINTS["vi"][: self.config.hints_max]))
        return self._hints[1]

    async def close(self) -> None:
        return None


def catalogue_hints(index: Any, limit: int = 50) -> list[str]:
    """The core phrases, then what citizens call the catalogue's procedures: for each
    procedure with curated aliases (the most aliased first), its shortest alias of two to
    four words that brings a new phrase; each at most 100 characters."""
    out: list[str] = list(STATIC_HINTS["vi"][:limit])
    procedures = [p for p in getattr(index, "procedures", None) or [] if getattr(p, "aliases", None)]
    procedures.sort(key=lambda p: -len(p.aliases))
    for proc in procedures:
        if len(out) >= limit:
            break
        phrases = sorted(
            {" ".join(unicodedata.normalize("NFC", str(a)).split()) for a in proc.aliases}, key=len
        )
        for phrase in phrases:
            words = phrase.split()
            if not 2 <= len(words) <= 4 or any(c.isdigit() for c in phrase) or len(phrase) > 100:
                continue
            if any(known.lower() in phrase.lower() for known in out):
                continue
            out.append(phrase)
            break
    return out


def build_adapter(
    settings: Settings,
    db: Database | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    sms: SmsSender | None = None,
) -> VoiceAdapter | None:
    """The phone channel, or None (disabled: its routes answer 404) without
    TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL. SMS (links, staff replies) needs
    TWILIO_ACCOUNT_SID and ``channels.voice.sms_from`` too. ``environ``: secrets by variable
    name instead of the settings' own (tests)."""
    config = VoiceConfig.from_settings(settings, None if environ is None else Secrets.from_environ(environ))
    if config is None:
        return None
    if sms is None and config.sms_from and config.account_sid:
        sms = TwilioSms(config.account_sid, config.auth_token, config.sms_from)
    if not config.workflow_sid and not config.hotline_number:
        log.warning(
            "voice: neither channels.voice.workflow_sid nor hotline_number is set; "
            "callers asking for staff will leave a message for a callback"
        )
    return VoiceAdapter(config, db, sms=sms)


# == one call step ============================================================================


@dataclass(frozen=True, slots=True)
class CallState:
    """What the next step needs to know, carried in the (signed) action URL."""

    lang: str
    n: int = 1  # the caller's turn number: the message id is CallSid:n
    retry: int = 0  # not understood / silent so far, for this turn
    menu: str = ""  # "" | "topics" (the keypad topic menu) | "aspects" (1-5 about ``proc``)
    proc: str = ""  # the procedure last answered about (for the link by SMS)

    def query(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "n": self.n,
            "retry": self.retry or None,
            "menu": self.menu or None,
            "proc": self.proc or None,
        }

    @classmethod
    def parse(cls, query: Mapping[str, str], default_lang: str) -> CallState:
        lang = query.get("lang") or default_lang
        return cls(
            lang=lang if lang in LANGUAGES else default_lang,
            n=_bounded(query.get("n"), 1, 1, 10_000),
            retry=_bounded(query.get("retry"), 0, 0, 9),
            menu=m if (m := query.get("menu") or "") in ("topics", "aspects") else "",
            proc=p if _PROC_CODE.match(p := query.get("proc") or "") else "",
        )


def _bounded(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value or default), low), high)
    except ValueError:
        return default


@dataclass(slots=True)
class Call:
    adapter: VoiceAdapter
    request: Request
    form: dict[str, str]
    state: CallState

    @property
    def config(self) -> VoiceConfig:
        return self.adapter.config

    @property
    def sid(self) -> str:
        return self.form.get("CallSid", "")

    @property
    def caller(self) -> str:
        return self.form.get("From", "")

    @property
    def masked(self) -> str:
        return mask_number(self.caller) or "?"

    @property
    def conversation_id(self) -> str:
        return f"{CHANNEL}:{self.sid}"

    def text(self, key: str, **values: Any) -> str:
        return texts.t(self.state.lang, key, "voice", **values)


async def _verified(request: Request) -> tuple[VoiceAdapter, dict[str, str]] | Response:
    adapters = getattr(request.app.state, "adapters", None) or {}
    adapter: VoiceAdapter | None = adapters.get(CHANNEL)
    if adapter is None:
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    form = await request.form()
    query = request.url.query
    url = adapter.config.public_base_url + request.url.path + (f"?{query}" if query else "")
    if not adapter.verify(url, form, request.headers.get(SIGNATURE_HEADER)):
        client = request.client.host if request.client else "?"
        log.warning(
            "voice: bad or missing %s on %s from %s; rejected", SIGNATURE_HEADER, request.url.path, client
        )
        return JSONResponse({"detail": "invalid Twilio signature"}, status_code=403)
    return adapter, {k: v for k, v in form.items() if isinstance(v, str)}


def _twiml(response: VoiceResponse) -> Response:
    return Response(content=response.to_xml(), media_type="application/xml")


def _say(node: Any, text: str, lang: str, config: VoiceConfig) -> None:
    if text.strip():
        node.say(text, voice=config.voice(lang), language=LANGUAGES[lang].say)


def _gather(response: VoiceResponse, call: Call, state: CallState, path: str = "/voice/turn") -> Gather:
    config = call.config
    runtime = getattr(call.request.app.state, "runtime", None)
    return response.gather(
        input="speech dtmf",
        action=config.url(path, **state.query()),
        method="POST",
        language=config.gather_language(state.lang),
        hints=call.adapter.hints(state.lang, getattr(runtime, "index", None)) or None,
        speech_timeout=config.speech_timeout,
        speech_model=config.speech_model,
        timeout=config.gather_timeout,
        num_digits=1,
        action_on_empty_result=True,
    )


def _ask_again(call: Call, state: CallState, *lines: str) -> Response:
    """Say ``lines`` while listening for the caller's next question."""
    response = VoiceResponse()
    gather = _gather(response, call, state)
    for line in lines:
        _say(gather, line, state.lang, call.config)
    return _twiml(response)


def _topics_menu(call: Call, state: CallState, *before: str) -> Response:
    lines = [*before, call.text("topics")]
    lines += [call.text("press", n=i, label=topic[state.lang]) for i, topic in enumerate(TOPICS, start=1)]
    lines.append(call.text("staff"))
    return _ask_again(call, replace(state, menu="topics"), *lines)


def _goodbye(call: Call, text: str) -> Response:
    response = VoiceResponse()
    _say(response, text, call.state.lang, call.config)
    response.hangup()
    return _twiml(response)


# -- the steps ----------------------------------------------------------------------------------


async def incoming(call: Call) -> Response:
    log.info("voice: call %s from %s", call.sid, call.masked)
    config = call.config
    state = call.state
    response = VoiceResponse()
    gather = _gather(response, call, state, "/voice/language")
    _say(gather, PROMPTS[state.lang]["welcome"], state.lang, config)
    # Each language offers itself in its own voice, the default language first.
    for lang in sorted(LANGUAGES, key=lambda code: (code != state.lang, LANGUAGES[code].digit)):
        _say(gather, PROMPTS[lang]["menu"], lang, config)
    _say(gather, PROMPTS[state.lang]["staff"], state.lang, config)
    return _twiml(response)


async def choose_language(call: Call) -> Response:
    digits = call.form.get("Digits", "").strip()
    speech = call.form.get("SpeechResult", "").strip()
    if digits in MENU_DIGITS:
        lang = MENU_DIGITS[digits]
        state = replace(call.state, lang=lang, retry=0)
        log.info("voice: call %s chose %s", call.sid, lang)
        return _ask_again(call, state, PROMPTS[lang]["ask"], PROMPTS[lang]["staff"])
    if digits == "0" or speech:
        return await turn(call)  # staff, or a question asked straight away
    if call.state.retry < 1:
        call.state = replace(call.state, retry=call.state.retry + 1)
        return await incoming(call)
    return _ask_again(call, replace(call.state, retry=0), call.text("ask"), call.text("staff"))


async def turn(call: Call) -> Response:
    state = call.state
    digits = call.form.get("Digits", "").strip()
    speech = " ".join(call.form.get("SpeechResult", "").split())
    if speech and not digits and state.menu == "aspects" and state.proc:
        # "Say 2": a menu key said aloud ("hai", "two", "2") is the key.
        digits = _said_key(speech, state.lang)
        speech = "" if digits else speech
    if digits == "0":
        return await transfer(call, None)
    if digits:
        if digits == "9" and state.proc and call.adapter.sms is not None:
            return await send_link(call)
        if state.menu == "aspects" and state.proc and digits in MENU_ASPECTS:
            aspect = MENU_ASPECTS[digits]
            question = ASPECT_QUESTIONS[state.lang][aspect]
            return await answer(call, question, kind="option", aspect=aspect, proc=state.proc)
        if state.menu == "topics":
            # str.isdigit() also says yes to "²" or "٣", which int() refuses or reads as
            # another number: a keypad sends ASCII digits only.
            index = int(digits) - 1 if digits.isascii() and digits.isdecimal() and len(digits) < 3 else -1
            if not 0 <= index < len(TOPICS):
                return _topics_menu(call, state, call.text("bad_option"))
            return await answer(call, TOPICS[index][state.lang], kind="option")
        # An option of a clarification question: the assistant knows the pending choice.
        return await answer(call, digits, kind="option")
    if speech:
        confidence = _confidence(call.form.get("Confidence"))
        if confidence is not None and confidence < call.config.confidence_threshold:
            log.info("voice: call %s turn %d: low confidence %.2f", call.sid, state.n, confidence)
            if state.retry < 1:
                return _ask_again(call, replace(state, retry=state.retry + 1), call.text("not_heard"))
            return _topics_menu(call, replace(state, retry=0), call.text("not_heard"))
        return await answer(call, speech, kind="text", confidence=confidence)
    # Silence (actionOnEmptyResult): ask again, then the keypad menu, then say goodbye.
    if state.retry == 0:
        return _ask_again(call, replace(state, retry=1), call.text("silence"), call.text("ask"))
    if state.retry == 1:
        return _topics_menu(call, replace(state, retry=2), call.text("silence"))
    return _goodbye(call, call.text("goodbye"))


_KEY_WORDS = re.compile(
    r"^(?:" + "|".join(re.escape(w) for w in _WORDS.words("key_word")) + r")\s*", re.IGNORECASE
)


def _said_key(speech: str, lang: str) -> str:
    """The menu key a caller said instead of pressing it ("hai", "số hai", "two"), or ""."""
    said = _KEY_WORDS.sub("", speech.strip(" .,!?。！？").casefold()).strip()
    # Not zero: "không" is also "no" in Vietnamese; a caller asks for staff in words anyway.
    for digit in (*MENU_ASPECTS, "9"):
        if said in (digit, number_words(int(digit), lang).casefold()):
            return digit
    return ""


def _confidence(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


async def _ask_hub(call: Call, text: str, kind: str, confidence: float | None = None) -> Reply | None:
    hub = getattr(call.request.app.state, "hub", None)
    if hub is None:
        raise RuntimeError("the hub is not running")
    event = VoiceEvent(
        channel=CHANNEL,
        message_id=f"{call.sid}:{call.state.n}",
        user_id=call.caller or call.sid,
        text=text,
        kind=kind,
        lang=call.state.lang,
        speech_confidence=confidence,
        call_sid=call.sid,
    )
    reply: Reply | None = await hub.answer_now(event)
    return reply


async def answer(
    call: Call,
    text: str,
    *,
    kind: str,
    confidence: float | None = None,
    aspect: str | None = None,
    proc: str = "",
) -> Response:
    """One question through the conversation, answered aloud. ``aspect`` and ``proc`` come
    from the keypad menu after an answer ("2": the fee of the procedure just answered)."""
    state = call.state
    try:
        reply = await _ask_hub(call, text, kind, confidence)
    except Exception:
        # Visible, never silent: logged with its trace, and the caller goes to staff.
        log.exception("voice: call %s turn %d could not be answered", call.sid, state.n)
        return await transfer(call, None, prefix=call.text("error"), via_hub=False)
    following = replace(state, n=state.n + 1, retry=0, menu="", proc="")
    if reply is None:  # the same turn delivered twice
        return _ask_again(call, following, call.text("repeat"))
    if reply.language in LANGUAGES and reply.language != state.lang:
        following = replace(following, lang=reply.language)
        call.state = replace(call.state, lang=reply.language)
    log.info("voice: call %s turn %d → %s", call.sid, state.n, reply.intent)
    if reply.handoff is not None:
        return await transfer(call, reply.handoff.case_id)
    lang = following.lang
    if reply.needs_clarification and reply.options:
        question = to_speech(reply.answer, lang, max_sentences=2, max_chars=200, cite=False)
        lines = [question] + [
            PROMPTS[lang]["press"].format(n=i, label=option_label(label, lang))
            for i, label in enumerate(reply.options[:9], start=1)
        ]
        return _ask_again(call, following, *lines, PROMPTS[lang]["staff"])
    if reply.intent == "unreadable":
        return _topics_menu(call, following, call.text("bad_option"))
    said = _procedure_speech(call, reply, lang, aspect, proc)
    if said is not None:
        code, lines = said
        return _ask_again(call, replace(following, proc=code, menu="aspects"), *lines)
    spoken = to_speech(
        reply.answer, lang, max_sentences=call.config.max_sentences, max_chars=call.config.max_chars
    )
    if reply.intent == "goodbye":
        return _goodbye(call, spoken or PROMPTS[lang]["goodbye"])
    lines = [spoken]
    if reply.procedures:
        following = replace(following, proc=reply.procedures[0].code)
    if following.proc and call.adapter.sms is not None and reply.procedures:
        lines.append(PROMPTS[lang]["sms_offer"])
    if reply.intent not in ("greet", "thanks"):  # those already ask what else is needed
        lines.append(PROMPTS[lang]["more"])
    lines.append(PROMPTS[lang]["staff"])
    return _ask_again(call, following, *lines)


def _procedure_speech(
    call: Call, reply: Reply, lang: str, aspect: str | None, code: str
) -> tuple[str, list[str]] | None:
    """A reply about one procedure, composed for the ear from its catalogue record
    (``channels.spoken``): the aspect asked, then the keypad menu of the others. None when
    the reply is not about a procedure the index holds (the written answer is spoken)."""
    # A reply that names its aspect (a structured reply) is taken at its word; else its intent.
    aspect = aspect or aspect_of(str(getattr(reply, "aspect", None) or reply.intent))
    code = code or (reply.procedures[0].code if reply.procedures else "")
    runtime = getattr(call.request.app.state, "runtime", None)
    index = getattr(runtime, "index", None)
    if aspect is None or not code or index is None:
        return None
    proc = index.procedure(code)
    if proc is None:
        return None
    # Without the caller's commune the office cannot be named: ask for it (never when the
    # caller already gave one and the office is simply not on record).
    question = ask_place(lang) if aspect == "where" and reply.centre is None and reply.place is None else ""
    config = call.config
    spoken = render_procedure(
        proc,
        aspect,
        lang,
        sms=call.adapter.sms is not None and bool(call.caller),
        centre=reply.centre,
        rates=config.speech_rates,
        max_seconds=config.max_speech_seconds,
        question=question,
    )
    log.info("voice: call %s: %s of %s spoken in about %.1f s", call.sid, aspect, code, spoken.seconds)
    return code, [spoken.answer, spoken.menu]


async def send_link(call: Call) -> Response:
    """Digit 9: the last procedure's name, code and official link by SMS, through the
    outbox (stored first, retried)."""
    state = call.state
    runtime = getattr(call.request.app.state, "runtime", None)
    proc = runtime.index.procedure(state.proc) if runtime is not None else None
    hub = getattr(call.request.app.state, "hub", None)
    if proc is None or not proc.url or hub is None or not call.caller:
        return _ask_again(call, replace(state, proc=""), call.text("more"), call.text("staff"))
    body = f"{proc.name} ({proc.code}): {proc.url}"
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(
        None,
        lambda: hub.outbox.enqueue(
            conversation_id=call.conversation_id,
            channel=CHANNEL,
            recipient=call.caller,
            text=body,
            limit=MAX_SMS,
            language=state.lang,
        ),
    )
    if hub.worker is not None:
        hub.worker.wake()
    log.info("voice: call %s: link to %s queued by SMS to %s", call.sid, proc.code, call.masked)
    return _ask_again(
        call, replace(state, proc=""), call.text("sms_sent"), call.text("more"), call.text("staff")
    )


# -- staff -----------------------------------------------------------------------------------


async def transfer(call: Call, case_id: str | None, *, prefix: str = "", via_hub: bool = True) -> Response:
    """Hand the call to staff: the case is opened through the conversation (so the console
    has the transcript and the dossier packet), then queued, dialled or left a message."""
    cases = getattr(call.request.app.state, "cases", None)
    if case_id is None and via_hub:
        try:
            reply = await _ask_hub(call, call.text("handoff_text"), "text")
        except Exception:
            log.exception("voice: call %s: the handoff turn failed", call.sid)
            reply = None
        if reply is not None and reply.handoff is not None:
            case_id = reply.handoff.case_id
    if case_id is None and cases is not None:
        log.warning("voice: call %s: opening the case directly (the conversation did not hand off)", call.sid)
        try:
            ref = await asyncio.to_thread(
                cases.open_case,
                HandoffPacket(
                    conversation_id=call.conversation_id,
                    channel=CHANNEL,
                    language=call.state.lang,
                    reason="talk_to_human",
                    channel_user_id=call.caller or None,
                    last_message=call.text("handoff_text"),
                ),
            )
            case_id = ref.case_id
        except Exception:
            log.exception("voice: call %s: could not open a case", call.sid)
    if case_id is None:
        return _goodbye(call, f"{prefix} {call.text('goodbye')}".strip())
    info = await asyncio.to_thread(cases.queue_info, case_id) if cases is not None else None
    open_now = info.open_now if info is not None else False
    config = call.config
    lang = call.state.lang
    if open_now and (config.workflow_sid or config.hotline_number):
        log.info("voice: call %s → staff, case %s", call.sid, case_id)
        response = VoiceResponse()
        _say(
            response,
            f"{prefix} {call.text('transfer', case=_spoken_case(case_id, lang))}".strip(),
            lang,
            config,
        )
        after = config.url("/voice/transfer-done", case=case_id, lang=lang)
        if config.workflow_sid:
            enqueue = response.enqueue(None, workflow_sid=config.workflow_sid, action=after, method="POST")
            attributes = await asyncio.to_thread(_task_attributes, call, case_id)
            enqueue.task(
                json.dumps(attributes, ensure_ascii=False), priority=attributes.get("priority") or None
            )
        else:
            dial = response.dial(
                action=after, method="POST", timeout=config.dial_timeout, caller_id=config.caller_id
            )
            dial.number(
                config.hotline_number,
                url=config.url("/voice/whisper", case=case_id, lang=lang),
                method="POST",
            )
        return _twiml(response)
    opening = info.next_open if info is not None else None
    return await voicemail(call, case_id, "closed" if not open_now else "busy", opening, prefix=prefix)


async def voicemail(
    call: Call, case_id: str, why: str, next_open: str | None = None, *, prefix: str = ""
) -> Response:
    """Nobody can take the call: keep the calling number for a callback and record a message."""
    cases = getattr(call.request.app.state, "cases", None)
    if cases is not None and call.caller:
        try:
            await asyncio.to_thread(cases.set_callback, case_id, call.caller)
        except Exception as exc:  # an anonymous or foreign caller id: the message still counts
            log.warning("voice: case %s: callback number not kept (%s)", case_id, type(exc).__name__)
    lang = call.state.lang
    when = ""
    if next_open:
        when = PROMPTS[lang]["when"].format(time=verbalize(_local(next_open, lang), lang))
    response = VoiceResponse()
    text = f"{prefix} {call.text(why)} {call.text('leave', when=when)}".strip()
    _say(response, text, lang, call.config)
    response.record(
        action=call.config.url("/voice/recorded", case=case_id, lang=lang),
        method="POST",
        max_length=call.config.record_max_seconds,
        finish_on_key="#",
        play_beep=True,
        # Twilio transcribes English recordings only.
        transcribe=True if lang == "en" else None,
        transcribe_callback=call.config.url("/voice/transcribed", case=case_id, lang=lang)
        if lang == "en"
        else None,
    )
    # Reached only when nothing was recorded (Twilio skips the action then).
    _say(response, call.text("no_message"), lang, call.config)
    response.hangup()
    log.info("voice: call %s: %s, case %s waits for a callback", call.sid, why, case_id)
    return _twiml(response)


def _local(iso: str, lang: str) -> str:
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return texts.format_datetime(when, lang, "datetime_voice")


def _spoken_case(case_id: str, lang: str) -> str:
    return verbalize(case_id, lang) if lang in ("vi", "en") else " ".join(case_id.replace("-", " "))


def _task_attributes(call: Call, case_id: str) -> dict[str, Any]:
    """TaskRouter attributes: the dossier packet's summary for routing and the agent's screen."""
    cases = call.request.app.state.cases
    case = cases.get_case(case_id)
    packet = case.get("packet") or {}
    procedures = [p for p in packet.get("procedures") or [] if isinstance(p, dict)]
    return {
        "type": "hotline_call",
        "case_id": case_id,
        "conversation_id": call.conversation_id,
        "language": call.state.lang,
        "selected_language": call.state.lang,
        "reason": case.get("reason"),
        "priority": case.get("priority") or 0,
        "team": case.get("team"),
        "procedures": [p.get("code") for p in procedures if p.get("code")],
        "topic": case.get("summary") or "",
        "caller": call.masked,
        "speech_confidence": packet.get("speech_confidence"),
        "console_url": call.config.url(f"/console/cases/{case_id}"),
    }


async def transfer_done(call: Call) -> Response:
    """The caller left the queue or the dialled call ended: after a conversation, hang up;
    when nobody answered, take a message for a callback."""
    queue = call.form.get("QueueResult", "")
    dial = call.form.get("DialCallStatus", "")
    case_id = call.request.query_params.get("case", "")
    if queue in ("bridged", "bridging-in-process", "hangup", "redirected") or dial in (
        "completed",
        "answered",
    ):
        response = VoiceResponse()
        response.hangup()
        return _twiml(response)
    log.info("voice: call %s: transfer ended (%s) for case %s", call.sid, queue or dial or "?", case_id)
    if not _CASE_ID.match(case_id):
        return _goodbye(call, call.text("goodbye"))
    return await voicemail(call, case_id, "busy")


async def whisper(call: Call) -> Response:
    """Spoken to the staff member who picks up, before the caller is connected."""
    case_id = call.request.query_params.get("case", "")
    topic = ""
    language = call.request.query_params.get("lang", "vi")
    cases = getattr(call.request.app.state, "cases", None)
    if cases is not None and _CASE_ID.match(case_id):
        try:
            summary = await asyncio.to_thread(cases.summary, case_id)
            topic = summary.get("summary") or ""
            language = summary.get("language") or language
        except Exception as exc:
            log.warning("voice: whisper for case %s: %s", case_id, type(exc).__name__)
    # What the staff member hears: always Vietnamese, the hotline's staff language.
    staff = texts.SOURCE_LANGUAGE
    names = texts.catalogue(staff, "console")
    text = texts.t(
        staff,
        "whisper",
        "console",
        case=verbalize(case_id, staff) if case_id else texts.t(staff, "whisper_case_unknown", "console"),
        topic=verbalize(mask_text(topic), staff) or texts.t(staff, "whisper_topic_unknown", "console"),
        language=names.get(f"language_name.{language}", language),
    )
    response = VoiceResponse()
    _say(response, text, "vi", call.config)
    return _twiml(response)


async def recorded(call: Call) -> Response:
    case_id = call.request.query_params.get("case", "")
    url = call.form.get("RecordingUrl", "").strip()
    seconds = _bounded(call.form.get("RecordingDuration"), 0, 0, 86_400)
    if not _CASE_ID.match(case_id):
        return _goodbye(call, call.text("goodbye"))
    if not url or seconds == 0:
        return _goodbye(call, call.text("no_message"))
    # Staff read the case's notes in Vietnamese, the hotline's staff language.
    text = texts.t(
        texts.SOURCE_LANGUAGE, "note_voice_message", "console", seconds=seconds, caller=call.masked, url=url
    )
    await asyncio.to_thread(_add_system_note, call, case_id, text, {"recording_url": url, "seconds": seconds})
    log.info("voice: call %s: voice message (%d s) kept on case %s", call.sid, seconds, case_id)
    return _goodbye(call, call.text("recorded", case=_spoken_case(case_id, call.state.lang)))


async def transcribed(call: Call) -> Response:
    case_id = call.request.query_params.get("case", "")
    text = call.form.get("TranscriptionText", "").strip()
    if _CASE_ID.match(case_id) and text and call.form.get("TranscriptionStatus", "completed") == "completed":
        note = texts.t(texts.SOURCE_LANGUAGE, "note_transcription", "console", text=mask_text(text)[:3000])
        await asyncio.to_thread(_add_system_note, call, case_id, note, {"transcription": True})
    return _twiml(VoiceResponse())


def _add_system_note(call: Call, case_id: str, text: str, data: dict[str, Any]) -> None:
    """A note without an author on the case (the console shows it with the case) and an
    event so open consoles refresh it."""
    from handoff.models import Case, CaseEvent, CaseNote, utcnow

    db = call.adapter.db or getattr(call.request.app.state, "db", None)
    if db is None:
        log.error("voice: no database to keep the note on case %s", case_id)
        return
    now = utcnow()
    with db.session() as session:
        if session.get(Case, case_id) is None:
            log.warning("voice: note for unknown case %s dropped", case_id)
            return
        note = CaseNote(case_id=case_id, staff_id=None, text=text, created_at=now)
        session.add(note)
        session.flush()
        session.add(
            CaseEvent(case_id=case_id, kind="note", data={"note_id": note.id, **data}, created_at=now)
        )


# == routes ====================================================================================


def make_router() -> APIRouter:
    router = APIRouter()
    steps: dict[str, Callable[[Call], Awaitable[Response]]] = {
        "/voice/incoming": incoming,
        "/voice/language": choose_language,
        "/voice/turn": turn,
        "/voice/transfer-done": transfer_done,
        "/voice/whisper": whisper,
        "/voice/recorded": recorded,
        "/voice/transcribed": transcribed,
    }

    def route(step: Callable[[Call], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            checked = await _verified(request)
            if isinstance(checked, Response):
                return checked
            adapter, form = checked
            state = CallState.parse(request.query_params, adapter.config.language_default)
            return await step(Call(adapter, request, form, state))

        endpoint.__name__ = f"voice_{step.__name__}"
        return endpoint

    for path, step in steps.items():
        router.add_api_route(path, route(step), methods=["POST"], include_in_schema=False)
    return router
