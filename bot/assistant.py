"""The assistant's brain for one turn: language → intent → place / search → grounded reply.

Pure Python: no web framework, no channel code. Channels (HTTP, Telegram, Zalo, phone)
build a ``Turn`` and render the ``Reply``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from bot import compose
from bot.intents import Cues, cues, is_small_talk
from bot.language import SUPPORTED, answer_language, detect
from bot.reply import CentreRef, PlaceRef, ProcedureRef, Reply
from knowledge.centres import CentreRegistry
from knowledge.models import Procedure
from knowledge.search import Searcher, SearchResult
from knowledge.text import is_cjk, strip_noise
from knowledge.units import PlaceResolution, UnitRegistry

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Turn:
    text: str
    conversation_id: str | None = None
    lang: str | None = None  # the citizen's explicit choice, when any
    channel: str = "api"


@dataclass(slots=True)
class AssistantConfig:
    max_text_chars: int = 4000
    results: int = 3
    clarify_margin: float = 0.015
    # A procedure match this strong wins over a place's office when both are asked.
    clear_procedure: float = 0.55
    default_language: str = "vi"


class Assistant:
    def __init__(
        self,
        searcher: Searcher,
        units: UnitRegistry,
        centres: CentreRegistry,
        config: AssistantConfig | None = None,
    ) -> None:
        self.searcher = searcher
        self.units = units
        self.centres = centres
        self.config = config or AssistantConfig()

    # -- entry point -------------------------------------------------------------------
    def handle(self, turn: Turn) -> Reply:
        conv = turn.conversation_id or uuid.uuid4().hex
        raw = turn.text if isinstance(turn.text, str) else ""
        forced = turn.lang if turn.lang in SUPPORTED else None
        if turn.lang and not forced:
            log.info("unsupported language %r requested; detecting instead", turn.lang)
        if len(raw) > self.config.max_text_chars:
            lang = answer_language(forced or detect(raw[:500], self.config.default_language))
            return Reply(conv, lang, "too_long", compose.too_long(lang))
        text = strip_noise(raw, self.config.max_text_chars).strip()
        if not text:
            lang = forced or self.config.default_language
            return Reply(conv, lang, "empty", compose.empty_input(lang))
        if not any(c.isalpha() or is_cjk(c) for c in text):
            lang = forced or self.config.default_language
            return Reply(conv, lang, "unreadable", compose.unreadable_input(lang))
        detected = forced or detect(text, self.config.default_language)
        lang = answer_language(detected)
        found = cues(text)
        return self._answer(conv, text, detected, lang, found)

    # -- decision ----------------------------------------------------------------------
    def _answer(self, conv: str, text: str, detected: str, lang: str, found: Cues) -> Reply:
        if "talk_to_human" in found:
            return Reply(conv, lang, "talk_to_human", compose.handoff_offer(lang))
        if "complaint" in found:
            return self._complaint(conv, text, detected, lang, found)
        small = is_small_talk(text, found)
        if small:
            message = {"greet": compose.greeting, "thanks": compose.thanks, "goodbye": compose.goodbye}
            return Reply(conv, lang, small, message[small](lang))

        place = self.units.resolve(text)
        asks_place = "place_change" in found
        if place.status == "ambiguous" and (asks_place or "where" in found):
            return self._clarify_place(conv, lang, place)
        if place.status == "old" and asks_place:
            return self._old_place(conv, lang, place, found)

        result = self.searcher.search(text, detected, k=max(self.config.results, 3))
        top = result.top
        if top is None:
            # A place mentioned without a procedure: answer about the place.
            if place.status == "old":
                return self._old_place(conv, lang, place, found)
            if place.status == "ambiguous":
                return self._clarify_place(conv, lang, place)
            if place.status in ("new", "province"):
                return self._centre(conv, lang, place)
            intent = "out_of_scope"
            return Reply(
                conv, lang, intent, compose.out_of_scope(lang) if not result.hits else compose.no_match(lang)
            )
        if place.status == "new" and asks_place:
            return self._place_change(conv, lang, place)
        if place.status == "new" and "where" in found and top.score < self.config.clear_procedure:
            # "Địa chỉ trung tâm hành chính công phường Hải Châu": the office, not a procedure.
            return self._centre(conv, lang, place)
        # A place that only sets the scene ("...while visiting Hội An") does not take over
        # a procedure question.
        return self._procedure(conv, lang, result, found, place)

    def _complaint(self, conv: str, text: str, detected: str, lang: str, found: Cues) -> Reply:
        """A complaint is offered to staff; when it clearly names a complaint procedure
        ("khiếu nại quyết định hành chính của công an xã"), that record comes with it."""
        offer = compose.handoff_offer(lang)
        result = self.searcher.search(text, detected, k=max(self.config.results, 3))
        top = result.top
        if top is None or top.score < self.config.clear_procedure:
            return Reply(conv, lang, "complaint", offer)
        grounded = self._procedure(conv, lang, result, found, PlaceResolution())
        return Reply(conv, lang, "complaint", f"{offer}\n\n{grounded.answer}", grounded.procedures)

    def _old_place(self, conv: str, lang: str, place: PlaceResolution, found: Cues) -> Reply:
        if "where" in found:
            # "Khuê Trung cũ, giờ nộp hồ sơ ở đâu?": the new unit and where its office is.
            return self._old_place_centre(conv, lang, place)
        return self._place_change(conv, lang, place)

    # -- replies -----------------------------------------------------------------------
    def _procedure(
        self, conv: str, lang: str, result: SearchResult, found: Cues, place: PlaceResolution
    ) -> Reply:
        hits = result.hits[: self.config.results]
        top = hits[0]
        refs = [
            ProcedureRef(h.procedure.code, h.procedure.name, round(h.score, 4), h.procedure.url) for h in hits
        ]
        intent = {
            "documents": "ask_documents",
            "fee": "ask_fee",
            "duration": "ask_duration",
            "online": "ask_online",
            "where": "ask_where",
        }.get(found.focus, "ask_procedure")
        others: list[Procedure] = [h.procedure for h in hits[1:3]]
        close = [h for h in hits[1:] if top.score - h.score <= self.config.clarify_margin]
        if close and all(h.procedure.name != top.procedure.name for h in close):
            options = [(h.procedure.code, h.procedure.name) for h in [top, *close]]
            question, labels = compose.clarify_procedures(lang, options)
            return Reply(conv, lang, intent, question, refs, needs_clarification=True, options=labels)
        answer = compose.procedure_answer(top.procedure, lang, found.focus, others)
        reply = Reply(conv, lang, intent, answer, refs)
        if place.status == "new" and place.commune is not None:
            reply.place = self._place_ref(place)
            centre = self.centres.for_commune(place.commune.code)
            if centre is not None:
                reply.centre = CentreRef(centre.name, centre.address, centre.phone)
        return reply

    def _place_ref(self, place: PlaceResolution) -> PlaceRef | None:
        commune = place.commune or (place.new_units[0] if place.new_units else None)
        if commune is None:
            return None
        province = self.units.province(commune.province_code)
        return PlaceRef(commune.code, commune.full_name, province.full_name if province else "")

    def _clarify_place(self, conv: str, lang: str, place: PlaceResolution) -> Reply:
        cands = [(c.name, c.district, c.province) for c in place.candidates[:9]]
        question, labels = compose.clarify_place(lang, cands)
        return Reply(conv, lang, "ask_place_change", question, needs_clarification=True, options=labels)

    def _place_change(self, conv: str, lang: str, place: PlaceResolution) -> Reply:
        new_units = place.new_units or ([place.commune] if place.commune else [])
        pairs = []
        for unit in new_units:
            province = self.units.province(unit.province_code)
            pairs.append((unit.full_name, province.full_name if province else ""))
        old = place.old_unit
        answer = compose.place_answer(
            lang,
            old_name=old.full_name if old else None,
            old_district=old.district if old else None,
            old_province=old.province if old else None,
            new_units=pairs,
            partial=place.partial,
        )
        return Reply(conv, lang, "ask_place_change", answer, place=self._place_ref(place))

    def _old_place_centre(self, conv: str, lang: str, place: PlaceResolution) -> Reply:
        """An old unit and a "where" question: what the unit became, then the office of the
        new unit. A unit split between several gets the offices on record of each part (the
        reply already asks the citizen to check which part their address is in)."""
        change = self._place_change(conv, lang, place)
        if place.commune is not None:
            centre_reply = self._centre(conv, lang, place)
            centre_reply.answer = f"{change.answer}\n\n{centre_reply.answer}"
            return centre_reply
        blocks = [change.answer]
        for unit in place.new_units:
            centre = self.centres.for_commune(unit.code)
            if centre is None:
                continue  # never invent an address; the split hint names the unit to ask
            province = self.units.province(unit.province_code)
            blocks.append(
                compose.centre_answer(
                    lang,
                    commune=unit.full_name,
                    province=province.full_name if province else "",
                    name=centre.name,
                    address=centre.address,
                    phone=centre.phone,
                    hours=centre.hours,
                )
            )
        change.intent = "ask_where"
        change.answer = "\n\n".join(blocks)
        return change

    def _centre(self, conv: str, lang: str, place: PlaceResolution) -> Reply:
        commune = place.commune
        province = place.province
        if commune is not None and province is None:
            province = self.units.province(commune.province_code)
        centre = self.centres.for_commune(commune.code) if commune else None
        answer = compose.centre_answer(
            lang,
            commune=commune.full_name if commune else "",
            province=province.full_name if province else "",
            name=centre.name if centre else None,
            address=centre.address if centre else None,
            phone=centre.phone if centre else None,
            hours=centre.hours if centre else None,
        )
        reply = Reply(conv, lang, "ask_where", answer, place=self._place_ref(place))
        if centre is not None:
            reply.centre = CentreRef(centre.name, centre.address, centre.phone)
        return reply
