"""One understanding step: everything the policy needs to know about a message, parsed once.

The NLU engine (builtin or Rasa) and the cue lists each see part of a message; this module
merges them into one ``Understanding``: the intent, the aspect asked (documents, fee, time,
where, online), whether the message is a follow-up on the subject under discussion, a
correction or a return to an earlier subject, an option chosen, a phone number, an explicit
language request, and — for a long message — the question it ends with.

Pure functions over text: no search, no database. The policy (``bot.policy``) decides what to
do with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.intents import Cues, cues, is_small_talk
from bot.language import split_language_request
from bot.nlu import Parse
from knowledge.lexicon import CJK, LATIN, lexicon
from knowledge.text import fold, is_cjk, words

ASPECTS = ("documents", "fee", "duration", "where", "online")

# Words that frame a question without being its subject (bot/data/lexicons/understand.yml).
_WORDS = lexicon(
    __file__,
    "understand",
    required=(),
    ids=(
        "lead_in",
        "return",
        "correction",
        "filler",
        "question_word",
        "thanks_end",
        "time_alone",
        "how_alone",
    ),
)
# "vậy còn thời gian?", "¿y el tiempo?", "时间呢？": the time, asked alone.
_TIME_ALONE = frozenset(_WORDS.words("time_alone", LATIN))
_TIME_ALONE_CJK = _WORDS.words("time_alone", CJK)
# "các bước ra sao?", "what are the steps?": the procedure under discussion, as a whole.
_HOW_ALONE = frozenset(_WORDS.words("how_alone", LATIN))
_HOW_ALONE_CJK = _WORDS.words("how_alone", CJK)
_CJK_PARTICLE_MAX = 3
# Lead-ins that only introduce the real question ("Cho tôi hỏi thêm:", "À còn nữa,",
# "One more thing:"): matched on the folded text at the start of the message.
_LEAD_INS = _WORDS.words("lead_in", LATIN)
_LEAD_IN = re.compile(r"^(?:" + "|".join(re.escape(x) for x in _LEAD_INS) + r")(?:\s+|\s*[:,]\s*|$)")
_CJK_LEAD_INS = _WORDS.words("lead_in", CJK)

# "Quay lại chuyện đăng ký đò: …", "Back to the passport: …": an earlier subject comes back.
_RETURN = re.compile(
    r"^(?:quay lai|tro lai|noi lai|ve lai)\s+(?:chuyen|viec|van de|thu tuc|cau hoi ve)?\s*"
    r"|^(?:going back to|back to|coming back to|returning to|about)\s+"
    r"|^(?:pour revenir a|revenons a|retour a|a propos de)\s+"
    r"|^(?:volviendo a|volvamos a|sobre|respecto a)\s+"
)
_CJK_RETURN = _WORDS.words("return", CJK)

# "không phải, ý tôi là …", "no, I meant …": the subject is replaced, not narrowed.
_CORRECTION = re.compile(
    r"^(?:khong phai|khong|nham|nham roi|xin loi nham|sai roi)?[\s,.!]*"
    r"(?:y toi la|y em la|y minh la|toi muon noi|em muon noi|toi hoi ve|nham|ghi nham|viet nham|khong phai)\b"
    r"|^(?:no|sorry|oops)?[\s,.!]*(?:i meant|i mean|what i meant|i was asking about|not that)\b"
    r"|^(?:non|pardon)?[\s,.!]*(?:je voulais dire|je veux dire|ce n est pas ca)\b"
    r"|^(?:no|perdon)?[\s,.!]*(?:quise decir|quiero decir|me referia)\b"
)
_CJK_CORRECTION = _WORDS.words("correction", CJK)

# Words that carry no subject of their own in a short question: with the aspect's cue words
# removed, a message made only of these asks about the procedure under discussion.
_FILLERS = frozenset(_WORDS.words("filler", LATIN))
# CJK and Hangul grammar around an aspect word ("能不能在…提交", "…는요", "…かかりますか").
_CJK_FILLERS = _WORDS.words("filler", CJK)
_KANA_ONLY = re.compile(r"^[\u3040-\u30ff\u30fc]*$")

# A long message is answered from its question: the last sentences that ask something.
_SENTENCE = re.compile(r"(?<=[.!?。！？\n])\s*")
_QUESTION_WORDS = _WORDS.words("question_word")
_THANKS_END = _WORDS.words("thanks_end")


@dataclass(slots=True)
class Understanding:
    """What one message says, merged from the NLU parse and the cue lists."""

    raw: str
    text: str  # the message with a language request and a lead-in removed
    found: Cues
    parse: Parse | None = None
    intent: str | None = None  # the NLU's intent when it is confident
    confidence: float = 0.0
    aspect: str = "overview"  # documents | fee | duration | where | online | overview
    language_request: str | None = None
    small_talk: str | None = None  # greet | thanks | goodbye
    # "các bước ra sao?", "what are the steps?": the procedure under discussion, as a whole
    about_current: bool = False
    subject_words: list[str] = field(default_factory=list)  # what is left once the aspect is removed
    followup_shape: bool = False  # short and without a subject of its own
    correction: bool = False
    returns_to: str | None = None  # "đăng ký đò" in "Quay lại chuyện đăng ký đò: …"
    question: str | None = None  # a long message's question, when it has one
    lead_in: bool = False

    def wants(self, name: str, threshold: float) -> bool:
        """The NLU says ``name`` with at least ``threshold`` confidence."""
        return self.parse is not None and self.parse.intent == name and self.parse.confidence >= threshold


def _time_alone(text: str) -> bool:
    return _alone(text, _TIME_ALONE, _TIME_ALONE_CJK)


def _alone(text: str, latin: frozenset[str], cjk: tuple[str, ...]) -> bool:
    """The whole question is one of ``latin`` (folded, apostrophes as spaces) or one of
    ``cjk`` with at most a particle after it ("时间呢", "절차는요")."""
    bare = text.strip(" ?？!！.。,、¿¡")
    if " ".join(fold(bare).replace("'", " ").replace("’", " ").split()) in latin:
        return True
    return any(bare.startswith(w) and len(bare) - len(w) <= _CJK_PARTICLE_MAX for w in cjk)


def aspect_of(text: str, found: Cues) -> str:
    """The aspect a question asks about. "Nộp hồ sơ ở đâu?", "Et où déposer le dossier ?":
    the dossier is what is carried to the office, so a where-question wins over the words
    that name the papers unless the question asks which papers."""
    if "documents" in found and not _asks_which_papers(text):
        # "Nộp hồ sơ trực tuyến được không?", "Hồ sơ mất bao lâu?": the same holds for the
        # other aspects; the question is the fee or the time before the mode of submission.
        for aspect in ("fee", "duration", "where", "online"):
            if aspect in found:
                return aspect
    return found.focus


_WHICH_PAPERS = re.compile(
    r"\b(?:giay to gi|ho so gom|ho so can|can nhung gi|can gi|gom nhung gi|thanh phan|nhung giay to|"
    r"what documents|which documents|what papers|documents do i need|"
    r"quels documents|quelles pieces|que documentos|cuales documentos)\b"
)


def _asks_which_papers(text: str) -> bool:
    raw = text.replace(" ", "")
    return bool(_WHICH_PAPERS.search(fold(text))) or any(
        c in raw
        for c in ("什么材料", "哪些材料", "什么文件", "어떤서류", "무슨서류", "どんな書類", "何の書類")
    )


def strip_lead_in(text: str) -> tuple[str, bool]:
    """The message without its lead-in ("Cho tôi hỏi thêm: lệ phí?" → "lệ phí?")."""
    stripped = text.strip()
    changed = False
    for _ in range(3):
        folded = fold(stripped)
        match = _LEAD_IN.match(folded)
        if match and match.end() < len(folded):
            stripped = _cut_folded(stripped, match.end())
            changed = True
            continue
        for lead in _CJK_LEAD_INS:
            if stripped.startswith(lead) and len(stripped) > len(lead) + 1:
                stripped = stripped[len(lead) :].lstrip(" ,，、:：")
                changed = True
                break
        else:
            break
    return stripped, changed


# A self-correction inside a message ("my work permit... no wait, I lost my residence card",
# "đăng ký tạm trú, à không, thường trú cho con"): what follows the last one is the question.
# After a pause mark only, so that "được ạ không" or "I mean it" in passing do not count.
_MID_CORRECTION = re.compile(
    r"[,.;!?…-]\s*(?:no wait|oh wait|wait no|sorry i mean|no sorry|sorry no|i mean|i meant|actually no"
    r"|a khong(?! (?:biet|hieu|ro|co|can|duoc|phai|nho|thay|muon|the))|a nham|nham roi|y toi la|y em la"
    r"|y minh la|xin loi nham"
    r"|non pardon|pardon non|je veux dire|je voulais dire"
    r"|no perdon|perdon no|mejor dicho|quiero decir|quise decir)\b[\s,.;:!-]*"
)
_CJK_MID_CORRECTION = ("不对，", "不对,", "不是，", "아니 ", "아니, ", "いや、", "じゃなくて、")


def after_self_correction(text: str) -> str:
    """The message from its last self-correction on, when what follows is a question of its
    own (three words or more); the message itself otherwise."""
    matches = list(_MID_CORRECTION.finditer(fold(text)))
    last = matches[-1] if matches else None
    if last is not None and last.start() > 0:
        rest = _cut_folded(text, last.end())
        if len(rest.split()) >= 3:
            return rest
    for marker in _CJK_MID_CORRECTION:
        at = text.rfind(marker)
        if at > 0 and len(text) - at - len(marker) >= 4:
            return text[at + len(marker) :].strip()
    return text


def _cut_folded(text: str, folded_end: int) -> str:
    """``text`` after the first ``folded_end`` characters of its folded form. Folding keeps
    one character per character for Latin text (marks dropped, đ → d), so positions agree;
    the punctuation the fold drops is skipped word by word instead."""
    target = fold(text)[:folded_end].split()
    tokens = text.split()
    consumed = 0
    taken = 0
    while taken < len(tokens) and consumed < len(target):
        consumed += len(fold(tokens[taken]).split()) or 0
        taken += 1
    return " ".join(tokens[taken:]).lstrip(" ,:;.-")


def returned_subject(text: str) -> tuple[str | None, str]:
    """("đăng ký đò", "lệ phí bao nhiêu?") for "Quay lại chuyện đăng ký đò: lệ phí bao nhiêu?"."""
    folded = fold(text)
    match = _RETURN.match(folded)
    if match is None:
        for lead in _CJK_RETURN:
            if lead in text:
                head, _, rest = text.partition(lead)
                return (rest or head)[:20], text
        return None, text
    rest = _cut_folded(text, match.end())
    parts = re.split(r"[:：,，;]", rest, maxsplit=1)
    if len(parts) == 1:
        return rest, rest
    return parts[0].strip(), parts[1].strip() or rest


def is_correction(text: str) -> bool:
    folded = fold(text)
    return bool(_CORRECTION.match(folded)) or any(text.strip().startswith(c) for c in _CJK_CORRECTION)


def subject_words(text: str, found: Cues) -> list[str]:
    """The words of a message that name a subject: the aspect's cue words and the fillers
    removed. Latin words folded; CJK and Hangul runs as what is left of them."""
    from bot.intents import cue_spans

    # Folding decomposes Hangul: CJK and Hangul runs are read from the text as written.
    latin = "".join(" " if is_cjk(c) else c for c in text)
    folded = fold(latin)
    for start, end in sorted(cue_spans(folded, ASPECTS + ("place_change",)), reverse=True):
        folded = folded[:start] + " " + folded[end:]
    runs = re.findall(
        r"[^\W_]+", "".join(c if is_cjk(c) else " " for c in unicodedata.normalize("NFC", text))
    )
    left: list[str] = []
    for token in re.findall(r"[^\W_]+", folded) + runs:
        if any(is_cjk(c) for c in token):
            rest = token
            for cue in cue_spans_cjk(rest):
                rest = rest.replace(cue, " ")
            for filler in sorted(_CJK_FILLERS, key=len, reverse=True):
                rest = rest.replace(filler.replace(" ", ""), " ")
            for piece in rest.split():
                # Kana around an aspect word is grammar ("…はかかりますか"); so are one or two
                # Hangul syllables of ending ("…려요").
                if _KANA_ONLY.match(piece):
                    continue
                if len(piece) <= 1:
                    continue
                left.append(piece)
        elif token not in _FILLERS and not token.isdigit():
            left.append(token)
    return left


def cue_spans_cjk(text: str) -> list[str]:
    from bot.intents import cjk_cues

    return [c.replace(" ", "") for c in cjk_cues(ASPECTS) if c.replace(" ", "") in text]


def question_of(text: str, long_words: int) -> str | None:
    """The question a long message ends with ("… Vậy cho em hỏi: muốn đổi chủ hộ … thì làm thủ
    tục gì?"), or None for a message short enough to search as it is."""
    if _size(text) <= long_words:
        return None
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    while sentences and _size(sentences[-1]) <= 6 and any(t in fold(sentences[-1]) for t in _THANKS_END):
        sentences.pop()  # "Em cảm ơn anh chị nhiều."
    if len(sentences) < 2:
        return None
    asked = [s for s in sentences if "?" in s or "？" in s]
    if not asked:
        asked = [s for s in sentences[-3:] if any(w in f" {fold(s)} " for w in _QUESTION_WORDS)]
    if not asked:
        return None
    question = asked[-1]
    # "Vậy cho em hỏi: …": what follows the lead-in is the question itself.
    head, sep, tail = question.partition(":")
    if sep and _size(tail) >= 4:
        question = tail.strip()
    if _size(question) < 6 and len(asked) > 1:
        question = f"{asked[-2]} {question}"
    return question


def _size(text: str) -> int:
    cjk = sum(1 for c in text if is_cjk(c))
    return cjk // 2 if cjk else len(words(text))


def understand(
    raw: str,
    nlu: Callable[[str], Parse] | None = None,
    *,
    intent_confidence: float = 0.7,
    followup_max_words: int = 9,
    long_words: int = 60,
) -> Understanding:
    """Parse one message (already cleaned of control characters) into an ``Understanding``."""
    text = unicodedata.normalize("NFC", raw).strip()
    requested, rest = split_language_request(text)
    if requested is not None and rest:
        text = rest
    text, lead_in = strip_lead_in(text)
    text = after_self_correction(text)
    returns_to, question_part = returned_subject(text)
    if returns_to is not None and question_part:
        text = question_part
    found = cues(text)
    parse = nlu(text) if nlu is not None else None
    u = Understanding(raw=raw, text=text, found=found, parse=parse, lead_in=lead_in)
    u.language_request = requested
    u.returns_to = returns_to
    if parse is not None and parse.confidence >= intent_confidence:
        u.intent = parse.intent
        u.confidence = parse.confidence
    time_alone = found.focus == "overview" and _time_alone(text)
    if time_alone:
        found.found.add("duration")
    u.aspect = aspect_of(text, found)
    u.small_talk = is_small_talk(text, found)
    u.subject_words = [] if time_alone else subject_words(text, found)
    u.about_current = found.focus == "overview" and _alone(text, _HOW_ALONE, _HOW_ALONE_CJK)
    if u.about_current:
        u.subject_words = []
    size = _size(text)
    # Without a subject word of its own a longer question is still a follow-up ("giấy tờ
    # chuẩn bị xong rồi thì mang đi đâu nộp").
    limit = followup_max_words * (2 if not u.subject_words else 1)
    u.followup_shape = u.about_current or (
        size <= limit and (u.aspect != "overview" or returns_to is not None) and len(u.subject_words) <= 1
    )
    u.correction = is_correction(raw)
    u.question = question_of(raw, long_words)
    return u
