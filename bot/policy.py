"""The dialogue policy: an ordered list of small rules over one turn's context.

Each ``Rule`` is a predicate (``when``) and an action (``then``) that returns a ``Reply`` or
None (the rule stands aside after all). ``decide`` runs them in order and the first reply
wins; the last rule always answers. The actions use the ``Assistant``'s answer builders
(search, places, centres, handoff), so a rule is a few lines and can be tested on its own
with a fake searcher and unit registry.

Order matters and says what wins: a pending question first (a digit answers it), then what
must never be missed (abuse, a dossier code, a complaint, a request for a person,
frustration), then what is not a procedure question (injection, legal advice, small talk),
then the subject under discussion (a follow-up, a return to it), and last the search.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot import compose, dossier_text, siblings
from bot.dialogue import DialogueState, Pending
from bot.dossier import find_dossier_codes
from bot.intents import Cues, cues
from bot.reply import ProcedureRef, Reply
from bot.safety import is_abusive, wants_legal_advice
from bot.understand import Understanding, question_of, subject_words
from knowledge.lexicon import CJK, LANGS, LATIN, lexicon
from knowledge.models import Procedure
from knowledge.search import Hit, SearchResult
from knowledge.text import fold, is_cjk
from knowledge.units import PlaceResolution, vietnamese_place_names

if TYPE_CHECKING:
    from bot.assistant import Assistant, Turn

log = logging.getLogger(__name__)


@dataclass(slots=True)
class TurnContext:
    """Everything a rule may look at for one message; search and place are computed once,
    on first use."""

    assistant: Assistant
    turn: Turn
    state: DialogueState
    conv: str
    u: Understanding
    detected: str  # the language the message is read in (vi-x kept apart for search)
    lang: str  # the language the reply is written in
    _result: SearchResult | None = field(default=None, repr=False)
    _place: PlaceResolution | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return self.u.text

    @property
    def found(self) -> Cues:
        return self.u.found

    @property
    def query(self) -> str:
        """What to search: a long message's question, or the message (with the subject it
        returns to: "Quay lại chuyện hộ chiếu: mất bao lâu?")."""
        if self.u.returns_to:
            return f"{self.u.returns_to} {self.u.text}"
        return self.u.question or self.u.text

    def result(self) -> SearchResult:
        if self._result is None:
            config = self.assistant.config
            k = max(config.results, config.siblings_considered)
            result = self.assistant.searcher.search(vietnamese_place_names(self.query), self.detected, k=k)
            if result.top is None and self.u.question:
                # The question alone is too thin ("làm thế nào ạ?"): the story says what about.
                whole = self.assistant.searcher.search(vietnamese_place_names(self.u.raw), self.detected, k=k)
                result = whole if whole.top is not None else result
            elif self.u.question is None and (
                result.top is None or result.top.score < config.clear_procedure
            ):
                # A story of a few sentences ending in its question: the story's words can
                # drown the question ("… What do we need to do to register his death?").
                asked = question_of(self.u.text, config.followup_max_words)
                if asked is not None and asked != self.u.text:
                    alone = self.assistant.searcher.search(vietnamese_place_names(asked), self.detected, k=k)
                    # Only a confident reading that the story agrees with ("moi française …
                    # réenregistrer notre mariage" keeps its foreign element).
                    if (
                        alone.top is not None
                        and alone.top.score >= config.clear_procedure
                        and (result.top is None or _agrees(alone.top.procedure, result))
                    ):
                        result = alone
            self._result = result
        return self._result

    def place(self) -> PlaceResolution:
        if self._place is None:
            place = self.assistant.units.resolve(spaced(self.query))
            if place.status == "none" and self.u.question and self.u.aspect == "where":
                # "… where do I submit it?" at the end of a story: the place may be earlier.
                place = self.assistant.units.resolve(spaced(self.u.raw))
            self._place = place
        return self._place

    def current(self) -> Procedure | None:
        code = self.state.procedure_code
        return self.assistant.searcher.index.procedure(code) if code else None

    def intent(self, name: str) -> bool:
        return self.u.wants(name, self.assistant.config.intent_confidence)


Action = Callable[[TurnContext], Reply | None]


def _agrees(asked: Procedure, story: SearchResult) -> bool:
    """The question alone reads a procedure the whole story also finds, and not a sibling of
    the story's best: "moi française … réenregistrer notre mariage" keeps its foreign element."""
    top = story.top
    if top is None or asked.code == top.procedure.code:
        return True
    found = asked.code in {h.procedure.code for h in story.hits}
    return found and not siblings.are_siblings(asked.name, top.procedure.name)


_SCRIPT_SEAM = re.compile(r"(?<=[^\W\d_])(?=[^\W\d_])")


def spaced(text: str) -> str:
    """A Vietnamese name written inside Chinese, Japanese or Korean ("我住在Hòa Khánh，…",
    "Hòa Khánhに住んでいます") stands apart from the characters around it, as place names
    are matched word by word."""
    if not any(is_cjk(c) for c in text):
        return text
    return _SCRIPT_SEAM.sub(lambda m: " " if _seam(text, m.start()) else "", text)


def _seam(text: str, i: int) -> bool:
    return is_cjk(text[i - 1]) != is_cjk(text[i])


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    when: Callable[[TurnContext], bool]
    then: Action


def decide(ctx: TurnContext, rules: tuple[Rule, ...] | None = None) -> Reply:
    for rule in rules if rules is not None else RULES:
        if not rule.when(ctx):
            continue
        reply = rule.then(ctx)
        if reply is not None:
            log.debug("rule %s answered conversation %s", rule.name, ctx.conv)
            return reply
    raise RuntimeError("the dialogue policy has no rule that always answers")  # pragma: no cover


# ---------------------------------------------------------------------- predicates
def wants_person(ctx: TurnContext) -> bool:
    if "talk_to_human" in ctx.found or "frustration" in ctx.found:
        return True
    return _model_alone(ctx, "talk_to_human")


def complains(ctx: TurnContext) -> bool:
    return "complaint" in ctx.found or _model_alone(ctx, "complaint")


def asks_legal_opinion(ctx: TurnContext) -> bool:
    """An opinion on the citizen's own case is asked ("will I win?", "legal advice"), not a
    procedure whose subject is legal advice: "Đăng ký hoạt động Trung tâm tư vấn pháp luật",
    "our legal advice centre wants to register" ask to do something, and the catalogue has it."""
    if not wants_legal_advice(ctx.text):
        return False
    if "act" not in ctx.found:
        return True
    top = ctx.result().top
    return top is None or top.score < ctx.assistant.config.clear_procedure


def _model_alone(ctx: TurnContext, intent: str) -> bool:
    """The model reads ``intent`` (no word of the message says it), and the message does not
    clearly name a procedure. The model alone, on a message that does ("여권을 만들고 싶어요",
    "Chuyển nơi nhận lương hưu từ Hà Nội vào TP.HCM"), is wrong: long questions about the
    long tail are far from its examples, and a case opened or a person offered for them would
    queue staff for nothing while the answer was found."""
    if not ctx.intent(intent):
        return False
    top = ctx.result().top
    return top is None or top.score < ctx.assistant.config.clear_procedure


def _always(ctx: TurnContext) -> bool:
    return True


# ---------------------------------------------------------------------- actions
def _pending(ctx: TurnContext) -> Reply | None:
    a = ctx.assistant
    return a._answer_pending(ctx)


def _abuse(ctx: TurnContext) -> Reply | None:
    ctx.state.abuse += 1
    # "Useless bot, get me a human", an angry complaint: the request is what to act on.
    if wants_person(ctx) or complains(ctx):
        return None
    a = ctx.assistant
    if ctx.state.abuse >= a.config.abuse_before_handoff and a.cases is not None:
        return a._handoff(ctx.turn, ctx.state, ctx.lang, "abuse", ctx.conv, intent="abuse")
    return Reply(ctx.conv, ctx.lang, "abuse", compose.say(ctx.lang, "abuse_warning"))


def _dossier(ctx: TurnContext) -> Reply | None:
    codes = find_dossier_codes(ctx.u.raw)
    return ctx.assistant._dossier(ctx.conv, ctx.turn, ctx.lang, codes[0], ctx.state) if codes else None


def _complaint(ctx: TurnContext) -> Reply | None:
    # A complaint that also asks for an officer stays a complaint: it keeps its priority.
    return ctx.assistant._complaint(ctx)


def _person(ctx: TurnContext) -> Reply | None:
    return ctx.assistant._handoff(
        ctx.turn, ctx.state, ctx.lang, "talk_to_human", ctx.conv, intent="talk_to_human"
    )


def _not_public(ctx: TurnContext) -> Reply | None:
    # Instructions to the machine, or a private service ("tài khoản Netflix", a licence in
    # a video game): no public procedure to search for.
    return Reply(ctx.conv, ctx.lang, "out_of_scope", compose.out_of_scope(ctx.lang))


def _legal(ctx: TurnContext) -> Reply | None:
    ctx.state.pending = Pending("handoff_offer", reason="legal_advice")
    return Reply(ctx.conv, ctx.lang, "out_of_scope", dossier_text.legal_advice_refusal(ctx.lang))


def _asks_status(ctx: TurnContext) -> bool:
    has_source: bool = ctx.assistant.has_dossiers()
    return has_source and _model_alone(ctx, "dossier_status")


def _dossier_status(ctx: TurnContext) -> Reply | None:
    ctx.state.pending = Pending("dossier_code")
    return Reply(ctx.conv, ctx.lang, "dossier_status", dossier_text.dossier_ask_code(ctx.lang))


def _asks_wait(ctx: TurnContext) -> bool:
    from bot.assistant import _WAIT_WORDS

    return (
        bool(ctx.state.case_id)
        and ctx.assistant.cases is not None
        and any(w in fold(ctx.text) for w in _WAIT_WORDS)
    )


def _queue(ctx: TurnContext) -> Reply | None:
    return ctx.assistant._queue_reply(ctx.conv, ctx.lang, ctx.state)


def _small_talk(ctx: TurnContext) -> Reply | None:
    small = ctx.u.small_talk
    message = {"greet": compose.greeting, "thanks": compose.thanks, "goodbye": compose.goodbye}
    return Reply(ctx.conv, ctx.lang, small or "greet", message[small or "greet"](ctx.lang))


# "ok", "vâng", "好的", an emoji: the citizen acknowledges; nothing to search for.
_ACK_WORDS = lexicon(__file__, "acknowledgements", required=LANGS, ids=("acknowledgement",))
# Whole answers, and each word of a phrase ("duoc roi" → "duoc", "roi").
_ACKS = frozenset(_ACK_WORDS.words("acknowledgement", LATIN)) | _ACK_WORDS.tokens("acknowledgement", LATIN)
_CJK_ACKS = frozenset(_ACK_WORDS.words("acknowledgement", CJK))


def is_acknowledgement(ctx: TurnContext) -> bool:
    raw = ctx.u.raw.strip(" .!。！~")
    if raw in _CJK_ACKS:
        return True
    if raw and not any(c.isalnum() for c in raw):
        return True  # an emoji or a sticker's text
    return " ".join(fold(raw).split()) in _ACKS


def _acknowledge(ctx: TurnContext) -> Reply | None:
    return Reply(ctx.conv, ctx.lang, "acknowledge", compose.say(ctx.lang, "acknowledged"))


_TINY_LETTERS = 2


def is_too_short(ctx: TurnContext) -> bool:
    """One or two Latin letters ("y", "o", "k") that answered nothing: too little to search
    for, and not a failed question either (two of those would hand the citizen off)."""
    word = ctx.u.raw.strip(" .,!?¿¡")
    return 0 < len(word) <= _TINY_LETTERS and word.isascii() and word.isalpha()


def _too_short(ctx: TurnContext) -> Reply | None:
    return Reply(ctx.conv, ctx.lang, "too_short", compose.too_short(ctx.lang))


def _correction(ctx: TurnContext) -> Reply | None:
    # "không phải, ý tôi là …": the subject is replaced, so nothing below may read the
    # message as a follow-up on the old one.
    ctx.state.procedures = []
    return None


def _off_topic_early(ctx: TurnContext) -> Reply | None:
    a = ctx.assistant
    if a._off_topic(ctx.found, ctx.u.parse, ctx.result().top, a.config.out_of_scope_confidence, ctx.query):
        # "A good restaurant in Hải Châu?": the place is not what is asked.
        return Reply(ctx.conv, ctx.lang, "out_of_scope", compose.out_of_scope(ctx.lang))
    return None


def _place_question(ctx: TurnContext) -> Reply | None:
    place = ctx.place()
    asks_place = "place_change" in ctx.found
    if place.status == "ambiguous" and (asks_place or ctx.u.aspect == "where" or "where" in ctx.found):
        remembered = _remember_procedure_asked(ctx)
        reply = ctx.assistant._clarify_place(ctx.conv, ctx.lang, place, ctx.state, ctx.found)
        if remembered and ctx.state.procedures:
            # The procedure understood is said with the question, so that the citizen sees
            # the place is asked for it (and can correct us before choosing).
            record = ctx.state.procedures[0]
            kept = ctx.assistant.searcher.index.procedure(str(record.get("code", "")))
            if kept is not None:
                reply.answer = f"{compose.procedure_line(kept, ctx.lang)}\n\n{reply.answer}"
                score = float(record.get("score") or 0.0)
                reply.procedures = [ProcedureRef(kept.code, kept.name, round(score, 4), kept.url)]
        if not remembered and ctx.state.pending is not None and ctx.result().top is not None:
            # No clear procedure yet (variants to choose from, a weak match): the question
            # is asked again once the place is chosen, with the place known.
            ctx.state.pending.question = ctx.query
        return reply
    if place.status == "old" and asks_place:
        top = ctx.result().top
        if ctx.u.aspect == "where" and top is not None and top.score >= ctx.assistant.config.clear_procedure:
            return None  # where to submit a procedure named in the message: the search answers
        current = ctx.current()
        if current is not None and place.commune is not None and not ctx.u.correction:
            mentioned = set(fold(place.mention).split())
            own = [w for w in ctx.u.subject_words if w not in mentioned]
            if not own or _words(ctx.text) <= ctx.assistant.config.followup_max_words:
                # "我住在原来的Thạc Gián坊" while a procedure is discussed: what the old ward is
                # now, and where that procedure is submitted there.
                return ctx.assistant._old_place_for_current(ctx, place, current)
        return ctx.assistant._old_place(ctx.conv, ctx.lang, place, ctx.found)
    return None


def _remember_procedure_asked(ctx: TurnContext) -> bool:
    """ "How do I register his death, and where? We live in Hội An": the place is asked
    first, and the procedure the message names is kept so that the choice answers both.
    False when no procedure is kept or under discussion."""
    a = ctx.assistant
    if ctx.state.procedures and _words(ctx.text) <= a.config.followup_max_words:
        return True  # "Nộp ở đâu? Tôi ở Hòa Khánh.": about the procedure under discussion
    top = ctx.result().top
    if top is not None and top.score >= a.config.clear_procedure:
        p = top.procedure
        ctx.state.procedures = [{"code": p.code, "name": p.name, "score": top.score, "url": p.url}]
        return True
    return False


def is_followup(ctx: TurnContext) -> bool:
    """A message that acts on the procedure under discussion: a return to it ("Quay lại
    chuyện …: lệ phí?"), or a short question on one of its aspects that names no subject of
    its own ("Cho tôi hỏi thêm: lệ phí bao nhiêu?", "¿Y cuánto demora?", "얼마나 걸려요?")."""
    a = ctx.assistant
    if not ctx.state.procedures or ctx.u.correction:
        return False
    place = ctx.place()
    if place.status in ("old", "ambiguous"):
        return False
    if ctx.u.returns_to is not None:
        return _names_current(ctx, ctx.u.returns_to)
    if ctx.u.question is not None:
        return False
    current = ctx.current()
    if ctx.u.followup_shape and not ctx.u.subject_words:
        return True
    # A commune or a province named in the message ("I live in Hai Chau ward, where do I
    # submit?", "J'habite à Hanoï") is where to act on the procedure, not a subject of its
    # own: its words neither lengthen the message nor count as unknown.
    text, named = ctx.text, set()
    if place.status in ("new", "province") and place.mention:
        named = set(fold(place.mention).split())
        text = " ".join(w for w in ctx.text.split() if not set(fold(w).replace("-", " ").split()) <= named)
        if ctx.u.aspect == "where" and current is not None:
            top = ctx.result().top
            if top is None or top.score < a.config.followup_below:
                return True  # where to submit it there, however long the sentence
    if _words(text) > a.config.followup_max_words:
        return False
    if ctx.u.aspect != "overview" and current is not None:
        known = set(fold(f"{current.name} {current.result} {' '.join(current.aliases)}").split())
        unknown = [w for w in ctx.u.subject_words if w not in known and w not in named]
        if not unknown:
            return True
        top = ctx.result().top
        if len(unknown) == 1 and (top is None or top.score < a.config.followup_below):
            return True
    return a._is_followup(text, ctx.found, ctx.result(), place, ctx.state)


def _words(text: str) -> int:
    """Words in a message; about two CJK characters make a word."""
    cjk = sum(1 for c in text if is_cjk(c))
    return cjk // 2 if cjk else len(text.split())


def _names_current(ctx: TurnContext, subject: str) -> bool:
    """The subject a citizen returns to is the procedure under discussion: it shares a word
    with its name, or names nothing ("quay lại câu hỏi lúc nãy")."""
    current = ctx.current()
    if current is None:
        return False
    said = set(subject_words(subject, cues(subject)))
    if not said:
        return True
    known = set(fold(f"{current.name} {' '.join(current.aliases)}").split())
    return bool(said & known) or bool(said & set(fold(" ".join(current.descriptions.values())).split()))


def _followup(ctx: TurnContext) -> Reply | None:
    return ctx.assistant._followup(ctx)


def names_other_variant(ctx: TurnContext) -> bool:
    """After an answer, a short message naming a variant ("the foreign one", "el extranjero",
    "cái bị mất thì sao?") is about the procedure's sibling, not a new subject."""
    return (
        bool(ctx.state.procedures)
        and not ctx.u.correction
        and _words(ctx.text) <= ctx.assistant.config.followup_max_words
        and siblings.names_variant(ctx.text)
    )


def _names_its_own_subject(ctx: TurnContext) -> bool:
    """The message (or the terminology's Vietnamese for it) says at least half of the object
    of one of the procedures its own search found first ("register a marriage at the
    embassy"), rather than only where or how ("and at the embassy?")."""
    said = set(fold(f"{ctx.text} {' '.join(ctx.result().vi_terms)}").split())
    for h in ctx.result().hits[:3]:
        # Words any subject abroad shares ("Việt Nam", "nước ngoài", "công dân") say nothing.
        core = [w for w in siblings.shape(h.procedure.name).core if w not in siblings.GENERIC_WORDS]
        if core and sum(1 for w in core if w in said) >= max(1, len(core) // 2):
            return True
    return False


def _other_variant(ctx: TurnContext) -> Reply | None:
    current = ctx.current()
    if current is None:
        return None
    a = ctx.assistant
    family = [
        h
        for h in a.searcher.search(current.name, "vi", k=a.config.siblings_considered).hits
        if h.procedure.code == current.code or siblings.are_siblings(current.name, h.procedure.name)
    ]
    if current.code not in {h.procedure.code for h in family}:
        family.insert(0, Hit(current, 1.0, 0.0, 0.0))
    top = ctx.result().top
    codes = {h.procedure.code for h in family}
    if (
        siblings.asks_abroad(ctx.text)
        and not any(siblings.shape(h.procedure.name).where == "abroad" for h in family)
        and (top is None or top.procedure.code in codes or not _names_its_own_subject(ctx))
    ):
        # "and at the embassy?" after an in-country procedure the catalogue has no variant
        # abroad of: a new search would assert whatever else mentions an embassy.
        ctx.state.pending = Pending("handoff_offer", reason="not_in_catalogue")
        return Reply(ctx.conv, ctx.lang, "no_match", compose.variant_abroad_not_listed(ctx.lang, current))
    if top is not None and top.score >= a.config.followup_below and top.procedure.code not in codes:
        return None  # "kết hôn với người nước ngoài" after a birth: a subject of its own
    picked = siblings.pick(ctx.text, ctx.detected, family)
    if picked is None or picked.procedure.code == current.code:
        return None
    focus = ctx.u.aspect if ctx.u.aspect != "overview" else None
    return a._chosen_procedure(ctx.conv, ctx.lang, picked.procedure.code, focus, ctx.state)


def _search(ctx: TurnContext) -> Reply | None:
    return ctx.assistant._answer_search(ctx)


RULES: tuple[Rule, ...] = (
    Rule("pending", lambda c: c.state.pending is not None, _pending),
    Rule("abuse", lambda c: is_abusive(c.u.raw) or c.intent("abuse"), _abuse),
    Rule("dossier_code", lambda c: bool(find_dossier_codes(c.u.raw)), _dossier),
    Rule("complaint", complains, _complaint),
    Rule("person", wants_person, _person),
    Rule("not_public", lambda c: "injection" in c.found or "not_public" in c.found, _not_public),
    Rule("legal_advice", asks_legal_opinion, _legal),
    Rule("dossier_status", _asks_status, _dossier_status),
    Rule("queue", _asks_wait, _queue),
    Rule("small_talk", lambda c: c.u.small_talk is not None, _small_talk),
    Rule("acknowledge", is_acknowledgement, _acknowledge),
    Rule("too_short", is_too_short, _too_short),
    Rule("correction", lambda c: c.u.correction, _correction),
    Rule("off_topic", lambda c: "off_topic" in c.found, _off_topic_early),
    Rule("place_question", lambda c: c.place().status in ("ambiguous", "old"), _place_question),
    Rule("other_variant", names_other_variant, _other_variant),
    Rule("followup", is_followup, _followup),
    Rule("search", _always, _search),
)
