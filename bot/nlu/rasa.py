"""The ``rasa`` NLU engine: a real Rasa Open Source server, with a visible fallback.

``RasaNLU`` posts the text to ``{url}/model/parse`` (the server runs with
``--enable-api``; ``make rasa-serve``) and maps Rasa's answer to a ``Parse``. When the
server cannot answer (connection refused, timeout, 5xx or any non-200 status, a body that
is not a Rasa parse) it logs a warning, counts a fallback and returns the fallback engine's
parse unchanged, so ``engine`` says "builtin": the degradation shows in every parse, in
``stats()`` and in the log, and the citizen still gets an answer.

Rasa's model has no rules for a language request ("English please", "/lang fr"); when the
fallback engine can extract entities (``BuiltinNLU.entities``), entity kinds Rasa did not
return among ``language``, ``dossier_code`` and ``option`` are added from it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import httpx

from bot.nlu import Entity, NLUEngine, Parse
from knowledge.errors import ProviderUnavailable

log = logging.getLogger(__name__)

# Entity kinds that rules find reliably and a small Rasa model may miss.
RULE_ENTITIES = ("language", "dossier_code", "option")
# A warning for the first failure after a success, then one per this many failures.
WARN_EVERY = 100


class RasaError(ProviderUnavailable):
    """The Rasa server did not give a usable parse."""


class RasaNLU:
    name = "rasa"

    def __init__(
        self,
        url: str,
        fallback: NLUEngine,
        timeout: float = 1.0,
        transport: httpx.BaseTransport | None = None,
        merge_rule_entities: bool = True,
    ) -> None:
        self.url = url.rstrip("/")
        self.fallback = fallback
        self.timeout = timeout
        self.merge_rule_entities = merge_rule_entities
        self._client = httpx.Client(base_url=self.url, timeout=timeout, transport=transport)
        self._lock = threading.Lock()
        self.calls = 0
        self.fallbacks = 0
        self.last_error: str | None = None
        self._failing = False

    # ---- the engine
    def parse(self, text: str) -> Parse:
        with self._lock:
            self.calls += 1
        try:
            parse = self._remote(text)
        except RasaError as exc:
            return self._fall_back(text, str(exc))
        if self._failing:
            with self._lock:
                self._failing = False
            log.info("rasa NLU at %s answers again", self.url)
        if self.merge_rule_entities:
            self._merge_entities(text, parse)
        return parse

    def _remote(self, text: str) -> Parse:
        try:
            response = self._client.post("/model/parse", json={"text": text})
        except httpx.TimeoutException as exc:
            raise RasaError(f"timeout after {self.timeout:g} s ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise RasaError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise RasaError(f"HTTP {response.status_code}: {response.text[:200]!r}")
        try:
            body = response.json()
        except ValueError as exc:
            raise RasaError(f"not JSON: {response.text[:200]!r}") from exc
        return from_rasa(body)

    def _fall_back(self, text: str, reason: str) -> Parse:
        with self._lock:
            self.fallbacks += 1
            self.last_error = reason
            first = not self._failing
            self._failing = True
            count = self.fallbacks
        if first or count % WARN_EVERY == 0:
            log.warning(
                "rasa NLU at %s failed (%s); answering with %s (%d fallbacks so far)",
                self.url,
                reason,
                self.fallback.name,
                count,
            )
        return self.fallback.parse(text)

    def _merge_entities(self, text: str, parse: Parse) -> None:
        extract = getattr(self.fallback, "entities", None)
        if not callable(extract):
            return
        have = {e.entity for e in parse.entities}
        found: list[Entity] = extract(text)
        extra = [e for e in found if e.entity in RULE_ENTITIES and e.entity not in have]
        if extra:
            parse.entities = sorted(parse.entities + extra, key=lambda e: (e.start, e.end))

    # ---- health and figures
    def available(self) -> bool:
        """True when the server is up and has a model loaded (``GET /status``)."""
        try:
            response = self._client.get("/status")
            if response.status_code != 200:
                return False
            body = response.json()
        except (httpx.HTTPError, ValueError):
            return False
        return isinstance(body, dict) and bool(body.get("model_file") or body.get("model_id"))

    def wait_until_available(self, timeout: float = 120.0, interval: float = 0.5) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.available():
                return True
            time.sleep(interval)
        return False

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "engine": self.name,
                "url": self.url,
                "calls": self.calls,
                "fallbacks": self.fallbacks,
                "fallback_rate": self.fallbacks / self.calls if self.calls else 0.0,
                "fallback_engine": self.fallback.name,
                "last_error": self.last_error,
            }

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RasaNLU:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def from_rasa(body: Any) -> Parse:
    """A Rasa ``/model/parse`` response as a ``Parse`` (engine "rasa")."""
    if not isinstance(body, dict) or not isinstance(body.get("intent"), dict):
        raise RasaError(f"not a Rasa parse: {str(body)[:200]!r}")
    try:
        intent = body["intent"].get("name") or "out_of_scope"
        confidence = float(body["intent"].get("confidence") or 0.0)
        ranking = [
            (str(r["name"]), float(r.get("confidence") or 0.0))
            for r in body.get("intent_ranking") or []
            if isinstance(r, dict) and r.get("name")
        ]
        entities = [
            Entity(str(e["entity"]), str(e.get("value", "")), int(e.get("start", 0)), int(e.get("end", 0)))
            for e in body.get("entities") or []
            if isinstance(e, dict) and e.get("entity")
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise RasaError(f"malformed Rasa parse: {exc}") from exc
    if not ranking:
        ranking = [(str(intent), confidence)]
    # Two extractors (DIET and the regex one) may report the same span.
    unique: dict[tuple[str, int, int], Entity] = {}
    for e in entities:
        unique.setdefault((e.entity, e.start, e.end), e)
    return Parse(str(intent), confidence, ranking, list(unique.values()), engine="rasa")
