"""The assistant's brain for one turn: language → intent → place / search → grounded reply.

Pure Python: no web framework, no channel code. Channels (HTTP, Telegram, Zalo, phone)
build a ``Turn`` and render the ``Reply``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache

from bot import compose, dossier_text, policy, siblings, texts
from bot.dialogue import DialogueState, Pending
from bot.dossier import DossierSource, DossierSourceError, find_dossier_codes
from bot.intents import Cues, cue_matches, cues
from bot.language import SUPPORTED, answer_language, detect, sticky_language
from bot.nlu import NLUEngine, Parse
from bot.policy import TurnContext
from bot.ports import CaseOpener, HandoffPacket, QueueInfo
from bot.reply import CentreRef, HandoffRef, PlaceRef, ProcedureRef, Reply
from bot.safety import mask_pii, mentions_secret
from bot.understand import Understanding, understand
from knowledge.absent import AbsentMatch, AbsentTopics
from knowledge.centres import CentreRegistry
from knowledge.lexicon import LANGS, LATIN, lexicon
from knowledge.models import Procedure
from knowledge.search import Hit, Searcher, SearchResult
from knowledge.text import fold, is_cjk, strip_noise, words
from knowledge.units import PlaceResolution, UnitRegistry, vietnamese_place_names

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Turn:
    text: str
    conversation_id: str | None = None
    lang: str | None = None  # the citizen's explicit choice, when any
    channel: str = "api"
    channel_user_id: str | None = None
    display_name: str | None = None
    speech_confidence: float | None = None  # phone calls: the recogniser's confidence


@dataclass(slots=True)
class AssistantConfig:
    max_text_chars: int = 4000
    results: int = 3
    clarify_margin: float = 0.015
    # A procedure match this strong wins over a place's office when both are asked.
    clear_procedure: float = 0.55
    default_language: str = "vi"
    # A short message with a weaker match than this acts on the procedure under discussion.
    followup_below: float = 0.55
    followup_max_words: int = 9
    # A message longer than this many words is answered from the question it ends with.
    long_message_words: int = 120
    failures_before_handoff: int = 2
    abuse_before_handoff: int = 3
    # NLU intents are trusted above these confidences (cue lists decide below them).
    intent_confidence: float = 0.7
    # Variants of one procedure within this score of the top one are its siblings: the
    # question decides between them, or the assistant asks.
    sibling_margin: float = 0.08
    siblings_considered: int = 10
    # Below the search threshold: from this score on the best candidates are offered as
    # numbered options (with "0" for staff); below it only staff is offered.
    suggest_floor: float = 0.2
    suggestions: int = 3
    # The NLU's out_of_scope wins over a weak match (below clear_procedure) from this
    # confidence on, and over an abstention from the lower one.
    out_of_scope_confidence: float = 0.95
    out_of_scope_abstained: float = 0.7
    # A subject the catalogue lacks (work permits, hospitals, schools) wins over a
    # procedure match weaker than this, and over one below clear_procedure whose name
    # does not contain the subject's words.
    absent_below: float = 0.4
    # ...and over any match below this whose name does not contain the subject's words: the
    # fitted search scores are confident (a visa at 0.69 for "giấy phép lao động").
    absent_named_below: float = 0.85
    # A near-miss cue ("video game", "Netflix", "gym") wins over any match below this.
    off_topic_override: float = 0.75


_FAILED = frozenset({"out_of_scope", "no_match"})
_PUNCT = re.compile(r"[^\w]+")


def _mentions(proc: Procedure, phrase: str) -> bool:
    """Whether the procedure's name, field, aliases or description in any language uses
    ``phrase``: whole folded words for Latin script, a substring for CJK."""
    texts = [proc.name, proc.field, *proc.aliases, *proc.descriptions.values()]
    if any(is_cjk(c) for c in phrase):
        compact = phrase.replace(" ", "")
        return any(compact in t.replace(" ", "") for t in texts)
    folded = " " + _PUNCT.sub(" ", fold(" ".join(texts))) + " "
    return f" {_PUNCT.sub(' ', fold(phrase)).strip()} " in folded


# A message this short in Vietnamese without marks, in a foreign conversation, is a term.
_TERM_WORDS = 3
# An answer to "which place?" naming its province ("ở Đà Nẵng ạ") is this short.
_PLACE_ANSWER_WORDS = 6
# A phone number as citizens type it: "0905 123 456", "+84 905.123.456", "(+84) 905-123-456",
# "(024) 3825 1234"; matched on NFKC text, so full-width digits count too.
_PHONE = re.compile(r"(?<![\d+])(?:\(?\+?84\)?|\(?0)[\s.\-]?(?:\(0\)[\s.\-]?)?\d(?:\)?[\s.\-]?\d)+(?!\d)")
_OPTION = re.compile(
    r"^\s*(?:s[ốo]|số|so|l[ựu]a ch[ọo]n|ch[ọo]n|option|choice|number|no\.?|n°|num[ée]ro|opci[óo]n|#|第)?"
    r"\s*(\d{1,2})\s*(?:[.)]|번|番|个|項)?\s*$",
    re.IGNORECASE,
)
# Yes and no, matched word by word (bot/data/lexicons/yes_no.yml).
_YES_NO = lexicon(__file__, "yes_no", required=LANGS, exclusive=True, ids=("yes", "no"))
# Whole words and phrases, per language: "đồng ý" is yes as a phrase, while its word "y" alone
# is Spanish "and"; "chắc chắn" is yes, "chán" (bored) is not.
_YES = {lang: frozenset(_YES_NO["yes"].terms.get(lang, ())) for lang in LANGS}
_NO = {lang: frozenset(_YES_NO["no"].terms.get(lang, ())) for lang in LANGS}
# A yes or no this short that only one language lists ("si", "da", "u") is another language's
# "if", "already", "you": it counts only in a conversation in that language.
_SHORT_ANSWER = 2
_SHARED = {
    w
    for table in (_YES, _NO)
    for w in set().union(*table.values())
    if sum(w in phrases for phrases in table.values()) > 1
}
_TURN_WORDS = lexicon(
    __file__, "turn_words", required=LATIN, ids=("wait", "follow_up", "option_fillers", "everyday_numbers")
)
_WAIT_WORDS = _TURN_WORDS.words("wait")
_FOLLOWUP_WORDS = _TURN_WORDS.words("follow_up")


class Assistant:
    def __init__(
        self,
        searcher: Searcher,
        units: UnitRegistry,
        centres: CentreRegistry,
        config: AssistantConfig | None = None,
        *,
        nlu: NLUEngine | None = None,
        dossiers: DossierSource | None = None,
        cases: CaseOpener | None = None,
        absent: AbsentTopics | None = None,
    ) -> None:
        self.searcher = searcher
        self.units = units
        self.centres = centres
        self.config = config or AssistantConfig()
        self.nlu = nlu
        self.dossiers = dossiers
        self.cases = cases
        # Small bundled data (a few dozen phrases per subject), read once per assistant.
        self.absent = absent if absent is not None else AbsentTopics.load()

    def has_dossiers(self) -> bool:
        return self.dossiers is not None

    # -- entry point -------------------------------------------------------------------
    def handle(self, turn: Turn, state: DialogueState | None = None) -> Reply:
        """Answer one message. ``state`` (kept by the caller between turns) is updated in
        place; without it every message is answered on its own."""
        state = state if state is not None else DialogueState()
        reply = self._handle(turn, state)
        state.turns += 1
        if reply.intent in _FAILED:
            state.failures += 1
        elif reply.intent not in ("empty", "unreadable", "too_long", "too_short", "language_set"):
            state.failures = 0
        if (
            state.failures >= self.config.failures_before_handoff
            and self.cases is not None
            and reply.handoff is None
        ):
            state.failures = 0
            offer = state.pending
            stale = offer is not None and offer.kind == "handoff_offer" and offer.reason == "no_match"
            handed = self._handoff(turn, state, reply.language, "failures", reply.conversation_id)
            if stale:
                # "…or reply 0 to talk to a staff member" would contradict the case just
                # opened: the handoff's own text says what happens next.
                if state.pending is offer:
                    state.pending = None
            else:
                handed.answer = f"{reply.answer}\n\n{handed.answer}"
            handed.intent = reply.intent
            reply = handed
        if reply.procedures:
            state.procedures = [asdict(p) for p in reply.procedures]
            self._offer_aspects(reply, state)
        if reply.place is not None:
            state.place = asdict(reply.place)
        state.language = reply.language
        state.told(reply.answer)
        return reply

    def _offer_aspects(self, reply: Reply, state: DialogueState) -> None:
        """After a procedure answer, the aspect menu the composer ends it with ("1 giấy tờ ·
        2 lệ phí · … · 0 gặp tổng đài viên") is the pending question: a digit picks one."""
        if (
            state.pending is not None
            or reply.needs_clarification
            or reply.handoff is not None
            or reply.intent not in _ASPECT_INTENTS
        ):
            return
        focus = _INTENT_FOCUS.get(reply.intent, "overview")
        keys = [key for key, _ in compose.aspect_options(reply.language, focus)]
        if keys:
            state.pending = Pending("choose_aspect", keys)

    def _handle(self, turn: Turn, state: DialogueState) -> Reply:
        conv = turn.conversation_id or uuid.uuid4().hex
        raw = turn.text if isinstance(turn.text, str) else ""
        forced = turn.lang if turn.lang in SUPPORTED or turn.lang in texts.languages() else None
        if turn.lang and not forced:
            log.info("unsupported language %r requested; detecting instead", turn.lang)
        known = forced or state.language
        if len(raw) > self.config.max_text_chars:
            lang = answer_language(known or detect(raw[:500], self.config.default_language))
            return Reply(conv, lang, "too_long", compose.too_long(lang))
        text = strip_noise(raw, self.config.max_text_chars).strip()
        if not text:
            lang = known or self.config.default_language
            return Reply(conv, lang, "empty", compose.empty_input(lang))
        if state.pending is None and state.case_id and self.cases is not None and callback_number(text):
            # A phone number sent while the case waits in the queue: the number to call back on.
            info = self.cases.queue_info(state.case_id)
            if info is not None and info.position >= 1:
                state.pending = Pending("callback_number")
        if not any(c.isalpha() or is_cjk(c) for c in text) and not _answers_pending(text, state.pending):
            if _is_emoji(text) and state.turns > 0:
                # 👍, 🙏 after an answer: an acknowledgement in the conversation's language.
                lang = known or self.config.default_language
                return Reply(conv, lang, "acknowledge", compose.say(lang, "acknowledged"))
            lang = known or self.config.default_language
            return Reply(conv, lang, "unreadable", compose.unreadable_input(lang))

        parse_text = self.nlu.parse if self.nlu is not None else None
        u = understand(
            text,
            parse_text,
            intent_confidence=self.config.intent_confidence,
            followup_max_words=self.config.followup_max_words,
            long_words=self.config.long_message_words,
        )
        if u.language_request is not None:
            state.language_chosen = True
            if u.text == text or not u.text.strip():
                return Reply(
                    conv, u.language_request, "language_set", compose.say(u.language_request, "language_set")
                )
        if u.parse is not None:
            state.intents = [{"intent": i, "confidence": round(c, 4)} for i, c in u.parse.ranking[:3]]
        detected = forced or u.language_request or self._detect(u, state)
        lang = answer_language(detected)
        if (
            lang in ("en", "fr", "es")
            and len(u.text.split()) <= _TERM_WORDS
            and detect(u.text, lang) == "vi-x"
        ):
            # "tam tru", "khai sinh": the Vietnamese term a foreigner types is searched as
            # Vietnamese, and answered in the conversation's language.
            detected = "vi-x"
        ctx = TurnContext(self, turn, state, conv, u, detected, lang)
        reply = policy.decide(ctx)
        if mentions_secret(text):
            # The warning first, then whatever else was asked.
            warning = dossier_text.secret_warning(lang)
            reply.answer = f"{warning}\n\n{reply.answer}" if reply.answer else warning
        return reply

    def _detect(self, u: Understanding, state: DialogueState) -> str:
        """The message's language. It sticks: only an explicit request or a confident
        detection over enough words changes it; small talk, a digit, a phone number, a yes
        or a place name never do."""
        keep = bool(
            u.small_talk
            or _OPTION.match(u.raw)
            or _mostly_a_number(u.raw)
            or (state.pending is not None and _yes_no(u.raw, None, state.language) is not None)
        )
        return sticky_language(
            u.raw, state.language, self.config.default_language, keep=keep, chosen=state.language_chosen
        )

    # -- decision ----------------------------------------------------------------------
    def _intent(self, parse: Parse | None, name: str) -> bool:
        return (
            parse is not None and parse.intent == name and parse.confidence >= self.config.intent_confidence
        )

    def _answer_search(self, ctx: TurnContext) -> Reply:
        """The last rule: search the catalogue and answer the best match, the place asked
        about, or — with nothing confident — offer candidates or staff."""
        conv, lang, found, state = ctx.conv, ctx.lang, ctx.found, ctx.state
        parse = ctx.u.parse
        result = ctx.result()
        top = result.top
        place = ctx.place()
        asks_place = "place_change" in found
        if top is not None and self._only_a_place(ctx, place):
            # "Tôi ở Hòa Khánh", "Tôi ở Tam Kỳ": the place's own syllables matched a procedure
            # ("hòa", "tạm": even strongly); without them nothing does. The citizen said where
            # they live.
            top = None
        if top is None:
            if self._off_topic(found, parse, None, self.config.out_of_scope_abstained):
                # "The weather in Hanoi tomorrow?": the place is not what is asked.
                return Reply(conv, lang, "out_of_scope", compose.out_of_scope(lang))
            # A place mentioned without a procedure: answer about the place.
            if place.status == "old":
                return self._old_place(conv, lang, place, found)
            if place.status == "ambiguous":
                return self._clarify_place(conv, lang, place, state, found)
            if place.status in ("new", "province") and ("where" in found or not _long(ctx.text, self.config)):
                return self._centre(conv, lang, place)
            # A long story that mentions where the citizen lives asks about something else.
            return self._unanswered(ctx, result)
        if self._off_topic(found, parse, top, self.config.out_of_scope_confidence, ctx.query):
            return Reply(conv, lang, "out_of_scope", compose.out_of_scope(lang))
        absent = self.absent.match(ctx.query)
        if absent is not None and self._absent_wins(absent, top):
            return self._not_in_catalogue(conv, lang, absent, state)
        if place.status == "new" and asks_place:
            return self._place_change(conv, lang, place)
        if place.status == "province" and asks_place and _old_province(place):
            # "以前のニントゥアン省は、合併後どの省になりましたか？": a province before the merger
            # asked about ("合併" also matches company mergers in the descriptions): the province
            # it is part of now and its centre, as for a message naming only the place.
            return self._centre(conv, lang, place)
        if place.status in ("new", "old") and "where" in found and top.score < self.config.clear_procedure:
            # "Địa chỉ trung tâm hành chính công phường Hải Châu": the office, not a procedure
            # (of the new ward when an old one is named).
            if place.status == "old":
                return self._old_place(conv, lang, place, found)
            return self._centre(conv, lang, place)
        # A place that only sets the scene ("...while visiting Hội An") does not take over
        # a procedure question.
        return self._procedure(
            conv,
            lang,
            result,
            found,
            place,
            state,
            text=ctx.query,
            detected=ctx.detected,
            aspect=ctx.u.aspect,
        )

    def _only_a_place(self, ctx: TurnContext, place: PlaceResolution) -> bool:
        """A short message names a place and, without the place's name, matches nothing."""
        if not place.found or not place.mention:
            return False
        query = policy.spaced(ctx.query)
        rest = re.sub(re.escape(place.mention), " ", query, flags=re.IGNORECASE)
        if rest == query or len(words(rest)) > self.config.followup_max_words:
            return False  # a longer message is about more than where the citizen lives
        # The other places named ("我住在岘港的Hải Châu坊": the city as well as the ward):
        # their syllables match procedure names just as much ("hải", "cảng").
        rest = vietnamese_place_names(rest)
        for _ in range(3):
            more = self.units.resolve(rest)
            if not more.found or not more.mention:
                break
            rest = re.sub(re.escape(more.mention), " ", rest, flags=re.IGNORECASE)
        alone = self.searcher.search(rest, ctx.detected, k=self.config.results, multilingual=False)
        return alone.top is None or alone.top.score < self.config.suggest_floor

    def _off_topic(
        self, found: Cues, parse: Parse | None, top: Hit | None, confidence: float, text: str = ""
    ) -> bool:
        """Out of scope although words match: a near-miss cue ("thẻ hội viên", "tập gym",
        "exchange rate") unless a procedure is all but named and asked for ("giấy phép kinh
        doanh vàng", not "giá vàng hôm nay"), or asked to be done and the procedure found is
        about what the cue names (金利 in the interest compensation of social-housing loans,
        not today's rate); or a confident NLU unless a procedure matches clearly."""
        score = top.score if top is not None else 0.0
        if "off_topic" in found and not self._asked_about(found, top, text):
            return True
        return (
            score < self.config.clear_procedure
            and parse is not None
            and parse.intent == "out_of_scope"
            and parse.confidence >= confidence
        )

    def _asked_about(self, found: Cues, top: Hit | None, text: str) -> bool:
        """A near-miss cue's words belong to what is asked: the procedure found is about
        those very words, and either an act is asked for or the match is clear ("金利差の
        補填… どう進めれば" and the interest compensation for social-housing loans); or an
        act is asked for and the procedure is all but named."""
        if top is None:
            return False
        asks = "act" in found
        if asks and top.score >= self.config.off_topic_override:
            return True
        said = cue_matches(text, "off_topic") if text else []
        floor = self.config.absent_below if asks else self.config.clear_procedure
        return bool(said) and top.score >= floor and all(_mentions(top.procedure, phrase) for phrase in said)

    def _absent_wins(self, absent: AbsentMatch, top: Hit) -> bool:
        """A subject the catalogue lacks beats a weak match, and any but a near-certain one
        that does not even name it ("giấy phép lao động" is not "giấy phép lái xe")."""
        if top.score < self.config.absent_below:
            return True
        if top.score >= self.config.absent_named_below:
            return False
        # A keyword in another script cannot be found in a Vietnamese name: it is not named.
        # Descriptions are not looked at: they name neighbouring subjects in passing ("a
        # foreigner with a work permit" in a residence card's).
        named = set(fold(f"{top.procedure.name} {top.procedure.field}").split())
        return is_cjk(absent.keyword[0]) or not set(absent.keyword.split()) <= named

    def _unanswered(self, ctx: TurnContext, result: SearchResult) -> Reply:
        """No confident match: never a dead end. Out of scope stays out; a subject the
        catalogue lacks is named with its authority; otherwise the best candidates are
        offered with "0" for staff, or staff alone when nothing comes close."""
        conv, text, detected, lang = ctx.conv, ctx.query, ctx.detected, ctx.lang
        found, parse, state = ctx.found, ctx.u.parse, ctx.state
        absent = self.absent.match(text, context=True)
        if absent is not None and "off_topic" not in found:
            # Checked before the NLU: its keywords are more precise than "sounds off-topic".
            return self._not_in_catalogue(conv, lang, absent, state)
        if not result.hits or self._off_topic(found, parse, None, self.config.out_of_scope_abstained):
            return Reply(conv, lang, "out_of_scope", compose.out_of_scope(lang))
        ranked = list(result.hits)
        family = siblings.resolve(
            text, detected, ranked, self.config.sibling_margin, vi_terms=result.vi_terms
        )
        if family:
            # The variants the question points to lead the options.
            ranked = [*family, *(h for h in ranked if h not in family)]
        best = [h for h in ranked[: self.config.suggestions] if h.score >= self.config.suggest_floor]
        if not best:
            state.pending = Pending("handoff_offer", reason="no_match")
            return Reply(conv, lang, "no_match", compose.no_match_offer(lang))
        options = [_option(h.procedure, lang) for h in best]
        question, labels = compose.suggest_procedures(lang, options)
        state.pending = Pending(
            "choose_procedure", [o[0] for o in options], focus=found.focus, reason="suggest"
        )
        refs = [_ref(h) for h in best]
        return Reply(conv, lang, "no_match", question, refs, needs_clarification=True, options=labels)

    def _not_in_catalogue(self, conv: str, lang: str, absent: AbsentMatch, state: DialogueState) -> Reply:
        log.info("question on %s, absent from the catalogue (matched %r)", absent.topic.id, absent.keyword)
        state.pending = Pending("handoff_offer", reason="not_in_catalogue")
        answer = compose.not_in_catalogue(lang, absent.topic.topic_in(lang), absent.topic.authority_in(lang))
        return Reply(conv, lang, "no_match", answer)

    # -- follow-ups --------------------------------------------------------------------
    def _is_followup(
        self, text: str, found: Cues, result: SearchResult, place: PlaceResolution, state: DialogueState
    ) -> bool:
        """A short message that does not name a procedure of its own ("lệ phí bao nhiêu?",
        "nộp ở đâu?", "what about for a foreigner?") acts on the one under discussion."""
        if not state.procedures or place.status in ("old", "ambiguous"):
            return False
        if _size(text) > self.config.followup_max_words:
            return False
        top = result.top
        if top is not None and top.score >= self.config.followup_below:
            return False
        folded = f" {fold(text)} "
        return (
            found.focus != "overview"
            or place.status == "new"
            or any(w in folded or w in text for w in _FOLLOWUP_WORDS)
        )

    def _followup(self, ctx: TurnContext) -> Reply:
        conv, lang, state, aspect = ctx.conv, ctx.lang, ctx.state, ctx.u.aspect
        current = ctx.current()
        if current is None:
            return Reply(conv, lang, "ask_procedure", compose.say(lang, "followup_no_context"))
        place = ctx.place()
        if place.status == "new" and aspect == "overview":
            # "I live in Hải Châu ward" during a procedure: where to submit it there, not
            # the whole answer again.
            aspect = "where"
        if aspect == "overview" and ctx.u.returns_to is None and not ctx.u.about_current:
            # "what about for a foreigner?": the same subject, narrowed by the new words.
            narrowed = self.searcher.search(
                f"{current.name} {ctx.text}", ctx.detected, k=max(self.config.results, 3)
            )
            if narrowed.top is not None and narrowed.top.procedure.code != current.code:
                return self._procedure(
                    conv,
                    lang,
                    narrowed,
                    ctx.found,
                    PlaceResolution(),
                    state,
                    text=ctx.text,
                    detected=ctx.detected,
                )
        if place.status == "new":
            ref = self._place_ref(place)
            if ref is not None:
                state.place = asdict(ref)
        score = float(state.procedures[0].get("score", 0.0))
        return self._aspect_reply(
            conv, lang, current, aspect, state, score, place_named=place.status == "new"
        )

    def _compare_options(self, ctx: TurnContext, pending: Pending) -> Reply:
        """One aspect (fee, time limit, online) of every option still open, one line each,
        then the same question again; a digit then answers with that option."""
        lang, aspect = ctx.lang, ctx.u.aspect
        kind = _ASPECT_BLOCKS.get(aspect)
        listed = [p for p in (self.searcher.index.procedure(c) for c in pending.options) if p is not None]
        lines = []
        for number, proc in enumerate(listed if kind is not None else [], 1):
            answer = compose.procedure_answer(proc, lang, aspect, [])
            values = [line for b in getattr(answer, "blocks", ()) if b.kind == kind for line in b.lines]
            value = "; ".join(values) if values else compose.say(lang, "check_official")
            lines.append(f"{number}. {compose.truncate(proc.name, 90)}: {value}")
        question, labels = compose.clarify_procedures(lang, [_option(p, lang) for p in listed])
        ctx.state.pending = Pending(
            "choose_procedure", [p.code for p in listed], focus=aspect, reason=pending.reason
        )
        # Documents and offices are too long to list for every option: the question comes
        # back, and the number chosen answers them for that option.
        parts = [compose.say(lang, "depends_on_case"), *lines, "", question] if lines else [question]
        refs = [ProcedureRef(p.code, p.name, 0.0, p.url) for p in listed]
        intent = _FOCUS_INTENTS[aspect]
        reply = Reply(
            ctx.conv, lang, intent, "\n".join(parts), refs, needs_clarification=True, options=labels
        )
        if aspect == "where" and listed and all("commune" in p.levels for p in listed):
            self._where_before_question(reply, listed[0], lang, ctx.state)  # one office for all
        return reply

    def _where_before_question(self, reply: Reply, proc: Procedure, lang: str, state: DialogueState) -> None:
        """The commune's office, then the question whose numbered options follow it."""
        question, reply.answer = reply.answer, ""
        self._attach_where(reply, proc, lang, state)
        reply.answer = f"{reply.answer}\n\n{question}" if reply.answer else question

    def _aspect_reply(
        self,
        conv: str,
        lang: str,
        proc: Procedure,
        aspect: str,
        state: DialogueState,
        score: float,
        *,
        place_named: bool = False,
        intent: str | None = None,
        full: bool = False,
    ) -> Reply:
        """One aspect of the procedure under discussion; "where" with the office that
        handles it for the citizen's commune (its centre, or the province's or ministry's).
        ``full``: the aspect picked from the menu, in full (every document, the fee notes)."""
        answer = compose.procedure_answer(proc, lang, aspect, [], full=full)
        intent = intent or _FOCUS_INTENTS.get(aspect, "ask_procedure")
        reply = Reply(conv, lang, intent, answer, [ProcedureRef(proc.code, proc.name, score, proc.url)])
        if aspect == "where" or place_named:
            self._attach_where(reply, proc, lang, state)
            if reply.centre is None and state.place is None and "commune" in proc.levels:
                reply.insert_text(compose.say(lang, "followup_place"))
        return reply

    def _attach_where(self, reply: Reply, proc: Procedure | None, lang: str, state: DialogueState) -> None:
        """Where the citizen's commune (known from earlier turns) submits this procedure: a
        procedure handled at commune level goes to the commune's centre; one handled only by
        the province or a ministry does not, and the answer says which office handles it."""
        if not state.place:
            return
        commune = self.units.commune(str(state.place.get("code", "")))
        if commune is None:
            return
        province = self.units.province(commune.province_code)
        province_name = province.full_name if province else str(state.place.get("province", ""))
        reply.place = PlaceRef(commune.code, commune.full_name, province_name)
        levels = set(proc.levels) if proc is not None else {"commune"}
        if proc is not None and levels and "commune" not in levels:
            key = "where_level_province" if "province" in levels else "where_level_ministry"
            reply.insert_text(compose.say(lang, key, province=province_name, commune=commune.full_name))
            return
        centre = self.centres.for_commune(commune.code)
        block = compose.centre_answer(
            lang,
            commune=commune.full_name,
            province=province_name,
            name=centre.name if centre else None,
            address=centre.address if centre else None,
            phone=centre.phone if centre else None,
            hours=centre.hours if centre else None,
        )
        if proc is not None:
            block = f"{compose.say(lang, 'where_level_commune', commune=commune.full_name)}\n{block}"
        reply.insert_text(block)
        if centre is not None:
            reply.centre = CentreRef(centre.name, centre.address, centre.phone)

    # -- pending questions ---------------------------------------------------------------
    def _answer_pending(self, ctx: TurnContext) -> Reply | None:
        conv, turn, detected, lang, state = ctx.conv, ctx.turn, ctx.detected, ctx.lang, ctx.state
        text, parse = ctx.u.raw.strip(), ctx.u.parse
        pending = state.pending
        assert pending is not None
        state.pending = None
        if pending.kind == "choose_aspect":
            number = _option_number(text, parse)
            if number == 0:
                return self._handoff(turn, state, lang, "talk_to_human", conv, intent="talk_to_human")
            current = ctx.current()
            if number is None or current is None or not 1 <= number <= len(pending.options):
                return None  # words: a new question or a follow-up, read as usual
            score = float(state.procedures[0].get("score", 0.0))
            # The menu's keys (documents, fee, time, where, online) name the composer's focuses.
            aspect = compose.ASPECT_FOCUS.get(pending.options[number - 1], pending.options[number - 1])
            return self._aspect_reply(conv, lang, current, aspect, state, score, full=True)
        if pending.kind in ("choose_procedure", "choose_place"):
            number = _option_number(text, parse)
            if number is None and pending.kind == "choose_procedure" and _size(text) <= 6:
                # "cái bị mất", "for a foreigner": words that pick one of the listed variants.
                listed = [self.searcher.index.procedure(code) for code in pending.options]
                hits = [Hit(p, 0.0, 0.0, 0.0) for p in listed if p is not None]
                picked = siblings.pick(text, detected, hits)
                if picked is not None:
                    return self._chosen_procedure(conv, lang, picked.procedure.code, pending.focus, state)
            if (
                number is None
                and pending.kind == "choose_procedure"
                and ctx.u.aspect in _ASKED_BEFORE_CHOOSING
                and ctx.u.followup_shape
            ):
                # "¿Y cuánto demora?" before choosing: the answer for each option, and the
                # question stays open (the first option is not the citizen's case).
                return self._compare_options(ctx, pending)
            if number is None and pending.kind == "choose_place":
                named = self._place_named(text, pending.options)
                if named is not None:
                    return self._chosen_place(ctx, named, pending.focus, pending.question)
            if number is None:
                return None  # a new question: the options are dropped
            if number == 0 and pending.reason == "suggest":
                return self._handoff(turn, state, lang, "low_confidence", conv, intent="talk_to_human")
            if not 1 <= number <= len(pending.options):
                state.pending = pending
                invalid = compose.say(lang, "option_invalid", count=len(pending.options))
                return Reply(conv, lang, "choose_option", invalid, needs_clarification=True)
            chosen = pending.options[number - 1]
            if pending.kind == "choose_procedure":
                return self._chosen_procedure(conv, lang, chosen, pending.focus, state)
            return self._chosen_place(ctx, chosen, pending.focus, pending.question)
        if pending.kind == "handoff_offer":
            # "0" is the staff option of every offer (a caller presses it on the keypad).
            answer = True if text.strip() == "0" else _yes_no(text, parse, lang)
            phone = callback_number(text)
            if answer is None and phone:
                # "yes, my number is 0905 123 456": a yes, with the number to call back on.
                rest = re.sub(r"[^\w\s]", " ", _PHONE.sub(" ", unicodedata.normalize("NFKC", text)))
                answer = True if _yes_no(rest, None, lang) is True else None
            if answer is True:
                handed = self._handoff(
                    turn, state, lang, pending.reason or "talk_to_human", conv, intent="affirm"
                )
                if phone and state.case_id and self.cases is not None:
                    try:
                        self.cases.set_callback(state.case_id, phone)
                        if state.pending is not None and state.pending.kind == "callback_number":
                            state.pending = None  # not asked again
                    except Exception:
                        # Visible, never silent: the number is in the stored message for staff.
                        log.exception("could not keep the callback number of case %s", state.case_id)
                return handed
            if answer is False:
                return Reply(conv, lang, "deny", compose.say(lang, "handoff_declined"))
            return None
        if pending.kind == "callback_number":
            phone = callback_number(text)
            if phone and state.case_id and self.cases is not None:
                try:
                    self.cases.set_callback(state.case_id, phone)
                except Exception:
                    # Visible, never silent: the number is in the stored message for staff.
                    log.exception("could not keep the callback number of case %s", state.case_id)
                    return Reply(conv, lang, "callback", compose.say(lang, "handoff_unavailable"))
                saved = compose.say(lang, "callback_saved", number=mask_pii(phone))
                return Reply(conv, lang, "callback", saved, handoff=HandoffRef(state.case_id, "waiting"))
            if _yes_no(text, parse, lang) is False:
                return Reply(conv, lang, "deny", compose.say(lang, "handoff_declined"))
            if any(c.isdigit() for c in text) and not find_dossier_codes(text):
                state.pending = pending
                return Reply(conv, lang, "callback", compose.say(lang, "callback_invalid"))
            return None
        if pending.kind == "dossier_code":
            codes = find_dossier_codes(text)
            if codes:
                return self._dossier(conv, turn, lang, codes[0], state)
        return None

    def _chosen_procedure(
        self, conv: str, lang: str, code: str, focus: str | None, state: DialogueState
    ) -> Reply:
        proc = self.searcher.index.procedure(code)
        if proc is None:
            return Reply(conv, lang, "out_of_scope", compose.no_match(lang))
        answer = compose.procedure_answer(proc, lang, focus or "overview", [])
        score = next((float(p.get("score", 0.0)) for p in state.procedures if p.get("code") == code), 0.0)
        intent = _FOCUS_INTENTS.get(focus or "", "ask_procedure")
        reply = Reply(conv, lang, intent, answer, [ProcedureRef(proc.code, proc.name, score, proc.url)])
        if focus == "where":
            self._attach_where(reply, proc, lang, state)
        return reply

    def _place_named(self, text: str, options: list[str]) -> str | None:
        """The listed place a short answer names by its province ("ở Đà Nẵng", "Da Nang",
        "岘港的"), when it names exactly one of them."""
        if len(text.split()) > _PLACE_ANSWER_WORDS and not any(is_cjk(c) for c in text):
            return None
        place = self.units.resolve(policy.spaced(text))
        province = place.province or (
            self.units.province(place.commune.province_code) if place.commune is not None else None
        )
        if province is None:
            return None
        names = {fold(province.full_name), fold(province.name)}
        named = [o for o in options if any(n in fold(o) for n in names)]
        return named[0] if len(named) == 1 else None

    def _chosen_place(
        self, ctx: TurnContext, label: str, focus: str | None, question: str | None = None
    ) -> Reply:
        conv, lang, state = ctx.conv, ctx.lang, ctx.state
        place = self.units.resolve(label)
        where = cues("ở đâu") if focus == "where" else cues("")
        if place.status == "old":
            return self._old_place(conv, lang, place, where)
        current = ctx.current()
        ref = self._place_ref(place) if place.status == "new" else None
        if question and current is None and ref is not None:
            # The place was asked before the question could be answered ("… how do I declare
            # his death, and where? … in Hội An"): now it is answered for the chosen place.
            state.place = asdict(ref)
            k = max(self.config.results, self.config.siblings_considered)
            result = self.searcher.search(vietnamese_place_names(question), ctx.detected, k=k)
            if result.top is not None:
                reply = self._procedure(
                    conv,
                    lang,
                    result,
                    cues(question),
                    place,
                    state,
                    text=question,
                    detected=ctx.detected,
                    aspect=focus,
                )
                if not reply.needs_clarification:
                    reply.intent = "choose_option"
                return reply
        if focus == "where" and current is not None and ref is not None:
            # "Where do I submit it? I live in Hòa Khánh" → "1": the question was about the
            # procedure under discussion, so the answer is its office for that commune.
            state.place = asdict(ref)
            score = float(state.procedures[0].get("score", 0.0))
            reply = self._aspect_reply(conv, lang, current, "where", state, score, place_named=True)
            reply.intent = "choose_option"
            return reply
        if place.status in ("new", "province"):
            reply = (
                self._centre(conv, lang, place) if focus == "where" else self._place_change(conv, lang, place)
            )
            # The digit chose one of the listed places: the place is now the conversation's.
            reply.intent = "choose_option"
            return reply
        return Reply(conv, lang, "out_of_scope", compose.no_match(lang))

    # -- dossier status ------------------------------------------------------------------
    def _dossier(self, conv: str, turn: Turn, lang: str, code: str, state: DialogueState) -> Reply:
        if self.dossiers is None:
            state.dossier = {"code": code}
            return self._handoff(turn, state, lang, "dossier", conv, intent="dossier_status")
        try:
            status = self.dossiers.lookup(code)
        except DossierSourceError as exc:
            log.warning("dossier lookup failed for %s: %s", code, exc)
            state.dossier = {"code": code, "status": "unavailable"}
            state.pending = Pending("handoff_offer", reason="dossier")
            return Reply(conv, lang, "dossier_status", dossier_text.dossier_unavailable(lang))
        if status is None:
            state.dossier = {"code": code, "status": "not_found"}
            state.pending = Pending("handoff_offer", reason="dossier")
            return Reply(conv, lang, "dossier_status", dossier_text.dossier_not_found(lang, code))
        state.dossier = status.to_dict()
        answer = dossier_text.dossier_found(lang, status)
        refs: list[ProcedureRef] = []
        proc = self.searcher.index.procedure(status.procedure_code) if status.procedure_code else None
        if proc is not None:
            refs.append(ProcedureRef(proc.code, proc.name, 1.0, proc.url))
        if status.needs_attention:
            answer = f"{answer}\n\n{dossier_text.dossier_problem_offer(lang, status.status)}"
            state.pending = Pending("handoff_offer", reason="dossier")
        return Reply(conv, lang, "dossier_status", answer, refs)

    # -- handoff ---------------------------------------------------------------------
    def _handoff(
        self,
        turn: Turn,
        state: DialogueState,
        lang: str,
        reason: str,
        conv: str,
        *,
        intent: str | None = None,
    ) -> Reply:
        intent = intent or reason
        if self.cases is None:
            # Nobody to hand over to (a one-off question from the command line): offer.
            state.pending = Pending("handoff_offer", reason=reason)
            return Reply(conv, lang, intent, compose.handoff_offer(lang))
        packet = HandoffPacket(
            conversation_id=conv,
            channel=turn.channel,
            language=lang,
            reason=reason,
            channel_user_id=turn.channel_user_id,
            display_name=turn.display_name,
            intents=list(state.intents),
            procedures=list(state.procedures),
            place=state.place,
            dossier=state.dossier,
            bot_told=list(state.bot_told),
            last_message=turn.text if isinstance(turn.text, str) else "",
            speech_confidence=turn.speech_confidence,
        )
        try:
            ref = self.cases.open_case(packet)
        except Exception:
            # Visible, never silent: logged with the trace; the citizen is told to call.
            log.exception("could not open a handoff case for conversation %s", conv)
            return Reply(conv, lang, intent, compose.say(lang, "handoff_unavailable"))
        state.case_id = ref.case_id
        answer = compose.handoff_started(lang, ref.case_id)
        info = self.cases.queue_info(ref.case_id)
        if info is not None:
            answer = f"{answer} {self._queue_text(lang, info)}".strip()
            if not info.open_now:
                state.pending = Pending("callback_number")
        return Reply(conv, lang, intent, answer, handoff=ref)

    def _queue_text(self, lang: str, info: QueueInfo) -> str:
        if not info.open_now:
            return compose.say(lang, "handoff_closed", when=_local_time(info.next_open, lang))
        if info.position == 1:
            return compose.say(lang, "handoff_queue_next")
        if info.position > 1:
            minutes = info.estimated_wait_minutes or 1
            return compose.say(lang, "handoff_queue", position=info.position, minutes=minutes)
        return ""

    def _queue_reply(self, conv: str, lang: str, state: DialogueState) -> Reply | None:
        if self.cases is None or state.case_id is None:
            return None
        info = self.cases.queue_info(state.case_id)
        if info is None or info.position < 1:
            return None
        if not info.open_now:
            # The answer asks for a number to call back again: the next message may be one.
            state.pending = Pending("callback_number")
        answer = (
            f"{compose.say(lang, 'handoff_pending', case_id=state.case_id)} {self._queue_text(lang, info)}"
        )
        return Reply(
            conv, lang, "handoff_status", answer.strip(), handoff=HandoffRef(state.case_id, "waiting")
        )

    def _complaint(self, ctx: TurnContext) -> Reply:
        """A complaint goes to staff; when it clearly names a complaint procedure ("khiếu
        nại quyết định hành chính của công an xã"), that record comes with it."""
        conv, turn, lang, found, state = ctx.conv, ctx.turn, ctx.lang, ctx.found, ctx.state
        result = self.searcher.search(ctx.query, ctx.detected, k=max(self.config.results, 3))
        top = result.top
        grounded: Reply | None = None
        if top is not None and top.score >= self.config.clear_procedure:
            grounded = self._procedure(conv, lang, result, found, PlaceResolution(), state)
            state.procedures = [asdict(p) for p in grounded.procedures]
            state.pending = None
        handed = self._handoff(turn, state, lang, "complaint", conv, intent="complaint")
        if grounded is not None and not grounded.needs_clarification:
            handed.answer = f"{handed.answer}\n\n{grounded.answer}"
            handed.procedures = grounded.procedures
        return handed

    def _old_place_for_current(self, ctx: TurnContext, place: PlaceResolution, current: Procedure) -> Reply:
        """An old unit named during a procedure: the unit it became, then where the procedure
        under discussion is submitted there (the commune's centre, or the office above it)."""
        reply = self._place_change(ctx.conv, ctx.lang, place)
        ref = reply.place
        if ref is None:
            return reply
        ctx.state.place = asdict(ref)
        score = float(ctx.state.procedures[0].get("score", 0.0))
        reply.procedures = [ProcedureRef(current.code, current.name, score, current.url)]
        reply.intent = "ask_where"
        self._attach_where(reply, current, ctx.lang, ctx.state)
        return reply

    def _old_place(self, conv: str, lang: str, place: PlaceResolution, found: Cues) -> Reply:
        if "where" in found:
            # "Khuê Trung cũ, giờ nộp hồ sơ ở đâu?": the new unit and where its office is.
            return self._old_place_centre(conv, lang, place)
        return self._place_change(conv, lang, place)

    # -- replies -----------------------------------------------------------------------
    def _procedure(
        self,
        conv: str,
        lang: str,
        result: SearchResult,
        found: Cues,
        place: PlaceResolution,
        state: DialogueState,
        *,
        text: str = "",
        detected: str = "vi",
        aspect: str | None = None,
    ) -> Reply:
        ranked = list(result.hits)
        focus = aspect or found.focus
        intent = _FOCUS_INTENTS.get(focus, "ask_procedure")
        family = (
            siblings.resolve(text, detected, ranked, self.config.sibling_margin, vi_terms=result.vi_terms)
            if text
            else None
        )
        if family is not None and len(family) > 1:
            # Variants of one procedure that the question does not decide: one short question.
            shown = family[: compose.MAX_OPTIONS]
            rest = [h for h in ranked if h not in shown]
            refs = [_ref(h) for h in [*shown, *rest][: max(self.config.results, len(shown))]]
            options = [_option(h.procedure, lang) for h in shown]
            question, labels = compose.clarify_siblings(lang, options)
            state.pending = Pending("choose_procedure", [o[0] for o in options], focus=focus)
            reply = Reply(conv, lang, intent, question, refs, needs_clarification=True, options=labels)
            if focus == "where" and all("commune" in h.procedure.levels for h in shown):
                # Every variant goes to the citizen's commune: where is answered already.
                self._where_before_question(reply, shown[0].procedure, lang, state)
            return reply
        if family:
            # The question decides the variant ("bị mất" → re-issue): it goes first.
            ranked = [family[0], *(h for h in ranked if h is not family[0])]
        hits = ranked[: self.config.results]
        top = hits[0]
        refs = [_ref(h) for h in hits]
        others: list[Procedure] = [h.procedure for h in hits[1:3]]
        close = [h for h in hits[1:] if top.score - h.score <= self.config.clarify_margin]
        if not family and close and all(h.procedure.name != top.procedure.name for h in close):
            options = [_option(h.procedure, lang) for h in [top, *close]]
            question, labels = compose.clarify_procedures(lang, options)
            state.pending = Pending("choose_procedure", [o[0] for o in options], focus=focus)
            return Reply(conv, lang, intent, question, refs, needs_clarification=True, options=labels)
        answer = compose.procedure_answer(top.procedure, lang, focus, others)
        reply = Reply(conv, lang, intent, answer, refs)
        if place.commune is not None and place.status in ("new", "old"):
            ref = self._place_ref(place)
            if ref is not None:
                # A commune named with the question is the conversation's from now on.
                state.place = asdict(ref)
        if focus == "where":
            self._attach_where(reply, top.procedure, lang, state)
        elif place.status == "new" and place.commune is not None:
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

    def _clarify_place(
        self, conv: str, lang: str, place: PlaceResolution, state: DialogueState, found: Cues
    ) -> Reply:
        cands = [(c.name, c.district, c.province) for c in place.candidates[:9]]
        question, labels = compose.clarify_place(lang, cands)
        # The choice is resolved again from "name, district, province", which is unambiguous.
        keys = [", ".join(x for x in cand if x) for cand in cands]
        state.pending = Pending("choose_place", keys, focus="where" if "where" in found else None)
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
        """Where to submit in the place named; a province named by its pre-merger name says
        first which province it is part of now."""
        reply = self._centre_only(conv, lang, place)
        if place.status == "province" and place.commune is None and _old_province(place):
            assert place.province is not None
            merged = compose.province_merged(lang, place.mention, place.province.full_name)
            reply.answer = f"{merged}\n{reply.answer}"
            reply.intent = "ask_place_change"
        return reply

    def _centre_only(self, conv: str, lang: str, place: PlaceResolution) -> Reply:
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


def _is_emoji(text: str) -> bool:
    symbols = [c for c in text if not c.isspace() and unicodedata.category(c) not in ("Mn", "Cf")]
    return bool(symbols) and all(unicodedata.category(c) == "So" for c in symbols)


def _size(text: str) -> int:
    """Words in a message; about two CJK characters make a word."""
    cjk = sum(1 for c in text if is_cjk(c))
    return cjk // 2 if cjk else len(words(text))


def _mostly_a_number(text: str) -> bool:
    """A phone number with a few words around it ("số của tôi 0905 123 456", "my number is …")
    says nothing of the language; a sentence that also carries one does."""
    if not callback_number(text):
        return False
    return len(words(re.sub(r"[\d+().\-]+", " ", text))) <= 4


def _old_province(place: PlaceResolution) -> bool:
    """The province was named by a pre-reform name ("Ninh Thuận", now part of Khánh Hòa)."""
    if place.province is None or not place.mention:
        return False
    said = fold(place.mention).replace(" ", "")
    names = (place.province.name, place.province.name_en or "")
    return not any(fold(n).replace(" ", "") in said for n in names if n)


def _long(text: str, config: AssistantConfig) -> bool:
    return _size(text) > 2 * config.followup_max_words


def _ref(hit: Hit) -> ProcedureRef:
    return ProcedureRef(hit.procedure.code, hit.procedure.name, round(hit.score, 4), hit.procedure.url)


_FOCUS_INTENTS = {
    "documents": "ask_documents",
    "fee": "ask_fee",
    "duration": "ask_duration",
    "online": "ask_online",
    "where": "ask_where",
}
_INTENT_FOCUS = {intent: focus for focus, intent in _FOCUS_INTENTS.items()}
# Aspects short enough to compare across the options of an open question, and their blocks.
_ASPECT_BLOCKS = {"fee": "fees", "duration": "time", "online": "online"}
_COMPARED_ASPECTS = frozenset(_ASPECT_BLOCKS)
# Asked before a variant is chosen, these keep the question open (compared, or asked again).
_ASKED_BEFORE_CHOOSING = _COMPARED_ASPECTS | {"documents", "where"}
_ASPECT_INTENTS = frozenset({"ask_procedure", *_FOCUS_INTENTS.values()})
# Ordinals and numbers in words, by the option's number (bot/data/lexicons/ordinals.yml).
_ORDINALS = {
    word: int(entry.id)
    for entry in lexicon(
        __file__, "ordinals", required=(), exclusive=True, ids=("1", "2", "3", "4", "5")
    ).entries
    for word in entry.words()
}
# Words around an ordinal that say nothing of which option ("the first one", "le premier
# choix", "el número 2", "cái thứ hai ạ"), and number words that are also everyday words.
_OPTION_FILLERS = _TURN_WORDS.tokens("option_fillers")
_EVERYDAY_WORDS = frozenset(_TURN_WORDS.words("everyday_numbers"))
_CJK_OPTION_WORDS = re.compile(
    r"第|个|個|项|号|號|选项|번째|번|째|요|입니다|이요|番目|番|つ目|です|でお願いします|吧|\s"
)


def callback_number(text: str) -> str | None:
    """The Vietnamese phone number in ``text``, as digits ("+84…" kept): mobile or landline,
    written with 0, 84 or +84 and any spaces, dots, dashes or parentheses; None when there is
    none or it has too few or too many digits."""
    for match in _PHONE.finditer(unicodedata.normalize("NFKC", text or "")):
        digits = re.sub(r"\D", "", match.group(0))
        if digits.startswith("84"):
            # "+84 (0) 905…": the trunk 0 is dropped after the country code.
            national = digits[3:] if digits[2] == "0" else digits[2:]
            if 9 <= len(national) <= 10:
                return ("+84" if "+" in match.group(0) else "84") + national
        elif 10 <= len(digits) <= 11:
            return digits
    return None


def _answers_pending(text: str, pending: Pending | None) -> bool:
    """A message without letters that still answers the pending question: an option's
    number, or the callback number asked for (even a mistyped one, to be asked again)."""
    if pending is None:
        return False
    if pending.kind == "callback_number":
        return any(c.isdigit() for c in text)
    return bool(_OPTION.match(text))


def _option_number(text: str, parse: Parse | None) -> int | None:
    """ "2", "số 2", "option 3", "cái thứ hai", "第二个": the number of a listed option."""
    match = _OPTION.match(text)
    if match:
        return int(match.group(1))
    if parse is not None:
        for entity in parse.entities:
            if entity.entity == "option" and entity.value.isdigit():
                return int(entity.value)
    folded = fold(unicodedata.normalize("NFKC", text)).replace("'", " ").strip(" .!?")
    tokens = [t for t in re.findall(r"[a-z0-9]+", folded) if t not in _OPTION_FILLERS]
    if len(tokens) > 1 and "one" in tokens:
        tokens.remove("one")  # "the first one"
    if 0 < len(folded.split()) <= 5 and not any(is_cjk(c) for c in text):
        # "the first one", "la deuxième option", "el número 2", "cái thứ hai ạ", "2nd".
        if len(tokens) == 2 and " ".join(tokens) in _ORDINALS:
            return _ORDINALS[" ".join(tokens)]
        if len(tokens) == 1:
            word = re.sub(r"(?<=\d)(?:st|nd|rd|th|er|re|eme|e|o|a)$", "", tokens[0])
            if word.isdigit():
                return int(word)
            # A bare "bon", "ba", "hai", "un" is an everyday word; after "cái", "số",
            # "option" it is a number.
            said_filler = len(folded.split()) > 1
            return _ORDINALS.get(word) if said_filler or word not in _EVERYDAY_WORDS else None
        return None
    # "第二个", "두 번째요", "1番目", "二つ目です": the number once the counter words are gone.
    stripped = _CJK_OPTION_WORDS.sub("", unicodedata.normalize("NFKC", text)).strip(" .!?。！？、")
    if stripped.isdigit() and len(stripped) <= 2:
        return int(stripped)
    return _ORDINALS.get(stripped) if 0 < len(stripped) <= 2 else None


def _yes_no(text: str, parse: Parse | None, lang: str | None = None) -> bool | None:
    """A yes or a no to the assistant's question, in ``lang`` (the conversation's language;
    None: any language), or None when the message is something else."""
    folded = fold(text).strip(" .!?。！？,")
    words = folded.split()
    # One or two letters ("y", "o", "a") is too little for the NLU, whose character n-grams
    # read "y" as the end of "đồng ý".
    tiny = len(words) == 1 and len(folded) <= _SHORT_ANSWER and folded.isascii()
    if parse is not None and parse.confidence >= 0.6 and not tiny:
        if parse.intent == "affirm":
            return True
        if parse.intent == "deny":
            return False
    yes, no = _answer_words("yes", lang), _answer_words("no", lang)
    bare = text.strip(" .!?。！？")
    if folded in yes or bare in yes:
        return True
    if folded in no or bare in no:
        return False
    if len(words) > 1 and text.rstrip().endswith(("?", "？")):
        return None  # "y el precio?", "ok, and the fee?": a question, not an answer
    if len(words) > 4:
        return None
    # "ok thanks", "đồng ý ạ", "non merci": an answer that begins with a yes or a no phrase.
    for n in (3, 2, 1):
        lead = " ".join(words[:n])
        if len(words) > n and lead in yes:
            return True
        if len(words) > n and lead in no:
            return False
    return None


@lru_cache(maxsize=32)
def _answer_words(answer: str, lang: str | None) -> frozenset[str]:
    own = "vi" if lang == "vi-x" else lang
    table = _YES if answer == "yes" else _NO
    return frozenset(
        w
        for code, phrases in table.items()
        for w in phrases
        if own is None or code == own or len(w) > _SHORT_ANSWER or w in _SHARED
    )


def _local_time(iso: str | None, lang: str) -> str:
    """ "2026-11-23T07:30:00+07:00" → "07:30 23/11/2026" (vi) or "07:30, 23 Nov 2026" (en)."""
    if not iso:
        return "—"
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return texts.format_datetime(when, lang, "datetime_short")


def _option(proc: Procedure, lang: str) -> tuple[str, str, str]:
    """A numbered option: code, official name and, for a foreign reader, what it is."""
    return (proc.code, proc.name, compose.summary(proc, lang, limit=90) if lang != "vi" else "")
