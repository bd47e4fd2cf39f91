"""Language of a citizen's message, restricted to the languages we answer in.

Scripts settle Chinese, Japanese and Korean; Vietnamese marks settle Vietnamese; for the
remaining Latin-script text, function words decide between English, French, Spanish and
Vietnamese typed without marks ("vi-x"), which is answered in Vietnamese.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Any

from bot import texts
from knowledge.lexicon import CJK, LATIN, lexicon
from knowledge.text import SYLLABLE_RE, _fold_word

SUPPORTED = ("vi", "en", "fr", "es", "zh", "ko", "ja")
log = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W\d_]+")

# Word lists in bot/data/lexicons/language.yml; Vietnamese there is typed without marks ("vi-x").
_WORDS = lexicon(
    __file__,
    "language",
    required=(),
    ids=(
        "function_words",
        "greeting",
        "short_message_words",
        "request_word",
        "request_token",
        "request_verb",
    ),
    needs={"function_words": LATIN, "greeting": LATIN, "short_message_words": LATIN},
)
_LATIN_CODES = {"en": "en", "fr": "fr", "es": "es", "vi": "vi-x"}  # the order breaks ties
_FUNCTION_WORDS: dict[str, set[str]] = {
    code: set(_WORDS["function_words"].terms[lang]) for lang, code in _LATIN_CODES.items()
}
_GREETINGS = {code: set(_WORDS["greeting"].terms[lang]) for lang, code in _LATIN_CODES.items()}
_ACCENT_HINTS = {"fr": set("éèêàçùâîôœëïû"), "es": set("ñáíóúü")}
_PUNCT_HINTS = {"es": set("¿¡")}


def _distinctly_vietnamese(word: str) -> bool:
    """Marks French and Spanish never use: hook, dot below, breve, horn, đ, a vowel with a
    tilde, or a circumflex carrying a tone ("ấ"). A lone acute or grave proves nothing."""
    chars = unicodedata.normalize("NFD", word.lower())
    if "đ" in word.lower() or any(c in chars for c in "\u0309\u0323\u0306\u031b"):
        return True
    if "\u0302" in chars and ("\u0300" in chars or "\u0301" in chars):
        return True
    return any(c == "\u0303" and i and chars[i - 1] in "aeiouy" for i, c in enumerate(chars))


def _script_language(text: str) -> str | None:
    hangul = kana = han = 0
    for ch in text:
        o = ord(ch)
        if 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
            hangul += 1
        elif 0x3040 <= o <= 0x30FF:
            kana += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            han += 1
    if hangul and hangul >= kana:
        return "ko"
    if kana:
        return "ja"
    if han:
        return "zh"
    return None


_LINGUA_CODES = {
    "VIETNAMESE": "vi",
    "ENGLISH": "en",
    "FRENCH": "fr",
    "SPANISH": "es",
    "CHINESE": "zh",
    "KOREAN": "ko",
    "JAPANESE": "ja",
}


# A server preloads every language model (warm_up, once); a one-shot command does not:
# lingua then loads only the models a question needs (none for Vietnamese with its marks,
# which its rules settle: 0.8 s less for `hotline ask`). lingua runs in its low-accuracy
# mode (trigrams: 10 MB a process instead of 119 MB): what its 1- to 5-gram models did for
# short messages, the orthography and the descriptions' vocabulary below do first ("¿Cuánto
# es?", "C'est combien ?", "Connect me to an operator").
_PRELOAD = [False]


@lru_cache(maxsize=1)
def _lingua() -> Any:
    """lingua restricted to our languages, built on first use."""
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:  # pragma: no cover - optional at run time, required by pyproject
        log.warning("lingua is not installed; language detection uses cues only")
        return None
    langs = [getattr(Language, name) for name in _LINGUA_CODES]
    builder = LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode()
    if _PRELOAD[0]:
        builder = builder.with_preloaded_language_models()
    return builder.build()


def warm_up() -> None:
    _PRELOAD[0] = True
    _lingua()
    _vocabulary()


# Spanish alone opens a question or an exclamation upside down (_PUNCT_HINTS); French elides
# its articles and pronouns before a vowel ("c'est", "j'habite", "l'acte", "qu'il").
_FRENCH_ELISION = re.compile(r"(?<![^\W\d_])(?:c|j|l|d|qu|n|s|m)['’][^\W\d_]", re.IGNORECASE)


def _orthography(text: str, tokens: list[str]) -> str | None:
    """Spanish or French by their spelling alone, even around a Vietnamese name ("¿Cómo
    registro un hộ kinh doanh?"), unless Vietnamese words are a third of the message."""
    marked = sum(1 for t in tokens if _distinctly_vietnamese(t))
    if _script_language(text) is not None or 3 * marked >= len(tokens):
        return None
    spanish = any(c in _PUNCT_HINTS["es"] for c in text)
    french = bool(_FRENCH_ELISION.search(text))
    if spanish != french:
        return "es" if spanish else "fr"
    return None


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, frozenset[str]]:
    """Words only one of English, French and Spanish uses in the procedures' descriptions
    (knowledge/data/descriptions, each written in all three), seen in two descriptions or
    more and longer than two letters: "station", "operator" (en), "inscription" (fr),
    "solicitud" (es)."""
    from knowledge.descriptions import read_entries

    seen: dict[str, Counter[str]] = {code: Counter() for code in ("en", "fr", "es")}
    for entry in read_entries().values():
        for code, counter in seen.items():
            text = entry.texts.get(code)
            if isinstance(text, str):
                counter.update(set(_WORD.findall(text.lower())))
    out = {}
    for code, counter in seen.items():
        others = set().union(*(set(c) for k, c in seen.items() if k != code))
        out[code] = frozenset(w for w, n in counter.items() if n >= 2 and len(w) > 2 and w not in others)
    return out


def _vocabulary_vote(text: str, tokens: list[str]) -> str | None:
    """English, French or Spanish when at least two of the message's words belong to that
    language's vocabulary alone and more than twice as many as to any other's."""
    if _script_language(text) is not None or any(_distinctly_vietnamese(t) for t in tokens):
        return None
    words = set(tokens)
    own = {code: len(words & vocab) for code, vocab in _vocabulary().items()}
    best = max(own, key=lambda code: own[code])
    others = max(n for code, n in own.items() if code != best)
    return best if own[best] >= 2 and own[best] > 2 * others else None


def _lone_function_words(text: str, tokens: list[str]) -> str | None:
    """A short message whose only function words are one language's own ("best restaurants
    in Hoi An": "in"), with no other language's marks: that language. lingua's low-accuracy
    mode, on a few words, reads a French-looking noun ("restaurants") as French."""
    if len(tokens) > _LONE_WORDS or _script_language(text) is not None:
        return None
    if any(_distinctly_vietnamese(t) for t in tokens):
        return None
    if sum(1 for t in tokens if not SYLLABLE_RE.match(t)) < 2:
        return None  # "nhan chat luong an toan": Vietnamese typed without marks, "an" and all
    words = set(tokens)
    own = [code for code in ("en", "fr", "es") if words & _EXCLUSIVE_WORDS[code]]
    if len(own) != 1 or any(c in _OTHER_MARKS[own[0]] for c in text.lower()):
        return None
    return own[0]


_LONE_WORDS = 8


def _unmarked_vietnamese(text: str, tokens: list[str]) -> bool:
    """Vietnamese typed without marks: nearly every word is a Vietnamese syllable and
    Vietnamese function words outnumber English/French/Spanish ones. lingua, trained on
    written text with marks, reads such messages as English or French."""
    if not text.isascii() or not tokens:
        return False
    # Chat shorthand ("dc", "ko", "ntn") counts as Vietnamese: it is not a syllable.
    syllables = sum(1 for t in tokens if SYLLABLE_RE.match(t) or t in _SHORT_WORDS["vi-x"])
    if syllables < 0.75 * len(tokens):
        return False
    counts = {lang: sum(1 for t in tokens if t in vocab) for lang, vocab in _FUNCTION_WORDS.items()}
    return counts["vi-x"] >= max(counts["en"], counts["fr"], counts["es"])


# A sentence whose function words say English, French or Spanish beyond doubt is read
# without the model: loading lingua's Latin-script models costs a one-shot `hotline ask`
# 0.6-0.9 s. Only a language's own words count ("de", "la", "que" are French and Spanish,
# "the", "to", "can" Vietnamese typed without marks too), each once ("a bordo a pasajeros"
# is not three English words). On about 10,000 Latin-script sentences (the evaluation sets',
# the descriptions', the glossary's and the tests') the vote never disagreed with the model;
# tests/bot/test_language_vote.py keeps it so for the evaluation sets.
_VOTE_WORDS = 3  # distinct words of the language, and as many more than any other has
_EXCLUSIVE_WORDS: dict[str, frozenset[str]] = {
    code: frozenset(words - set().union(*(w for c, w in _FUNCTION_WORDS.items() if c != code)))
    for code, words in _FUNCTION_WORDS.items()
}
# Spanish writes "é" and "ü" too; French and Spanish never an "ñ" the other way round.
_OTHER_MARKS = {
    "en": _ACCENT_HINTS["fr"] | _ACCENT_HINTS["es"] | _PUNCT_HINTS["es"],
    "fr": _ACCENT_HINTS["es"] - {"ü"} | _PUNCT_HINTS["es"],
    "es": _ACCENT_HINTS["fr"] - {"é"},
}


def _function_word_vote(text: str, tokens: list[str]) -> str | None:
    """English, French or Spanish when their own function words leave no doubt, else None
    (the model decides). Another language's word or mark ("é" in an English sentence), a
    Vietnamese mark or a non-Latin script always leaves it to the model."""
    if len(tokens) < _VOTE_WORDS or _script_language(text) is not None:
        return None
    if any(_distinctly_vietnamese(t) for t in tokens):
        return None
    words = set(tokens)
    own = {code: len(words & vocab) for code, vocab in _EXCLUSIVE_WORDS.items()}
    best = max(("en", "fr", "es"), key=lambda code: own[code])
    others = max(n for code, n in own.items() if code != best)
    if own[best] < _VOTE_WORDS or own[best] - others < _VOTE_WORDS or 4 * others > own[best]:
        return None
    if any(c in _OTHER_MARKS[best] for c in text.lower()):
        return None
    return best


def detect(text: str, default: str = "vi") -> str:
    """Best guess among SUPPORTED plus "vi-x"; ``default`` when there is nothing to go on."""
    text = unicodedata.normalize("NFC", text or "")
    tokens = _WORD.findall(text.lower())
    if 0 < len(tokens) <= 3:
        # One-word greetings and thanks are too short for a statistical model.
        for lang, vocab in _GREETINGS.items():
            if tokens[0] in vocab and (lang != "vi-x" or text.isascii()):
                return lang
    if _unmarked_vietnamese(text, tokens):
        return "vi-x"
    marked = sum(1 for t in tokens if _distinctly_vietnamese(t))
    if marked and 3 * marked >= len(tokens) and _script_language(text) is None:
        # "alo ad ơi": a third of the words carry marks only Vietnamese has (the model, on a
        # few words, reads such a line as Spanish); "¿Cómo registro un hộ kinh doanh?" is not.
        return "vi"
    voted = (
        _function_word_vote(text, tokens)
        or _orthography(text, tokens)
        or _vocabulary_vote(text, tokens)
        or _lone_function_words(text, tokens)
    )
    if voted is not None:
        return voted
    detector = _lingua()
    if detector is not None and (tokens or _script_language(text)):
        found = detector.detect_language_of(text)
        if found is not None:
            code = _LINGUA_CODES[found.name]
            script = _script_language(text)
            # Kana or Hangul settle Japanese and Korean whatever the model says.
            if script in ("ja", "ko") and code != script:
                return script
            return code
    return _detect_by_cues(text, default)


def _detect_by_cues(text: str, default: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    script = _script_language(text)
    if script:
        return script
    lowered = text.lower()
    tokens = _WORD.findall(lowered)
    if not tokens:
        return default
    scores: dict[str, float] = {lang: 0.0 for lang in _FUNCTION_WORDS}
    for tok in tokens:
        for lang, vocab in _FUNCTION_WORDS.items():
            if tok in vocab:
                scores[lang] += 1.0
    vi_marked = 0.0
    for tok in tokens:
        for lang, vocab in _GREETINGS.items():
            if tok in vocab:
                scores[lang] += 1.0
        folded = _fold_word(tok)
        syllable = bool(SYLLABLE_RE.match(folded))
        if syllable:
            scores["vi-x"] += 0.4
        else:
            scores["en"] += 0.5
        if _distinctly_vietnamese(tok):
            vi_marked += 2.0
        elif syllable and folded != tok:
            vi_marked += 1.0  # "hà", "có": marks that fit a Vietnamese syllable
        elif folded != tok or not syllable:
            # French/Spanish accents count only outside Vietnamese-shaped words.
            for lang, chars in _ACCENT_HINTS.items():
                scores[lang] += 1.5 * sum(1 for c in tok if c in chars)
    for lang, chars in _PUNCT_HINTS.items():
        scores[lang] += 1.5 * sum(1 for c in lowered if c in chars)
    # Marked Vietnamese words decide unless another language's words outweigh them
    # ("¿Cómo registro un hộ kinh doanh?" is Spanish with a Vietnamese term).
    if vi_marked and vi_marked >= max(scores["en"], scores["fr"], scores["es"]):
        return "vi"
    best = max(scores, key=lambda k: scores[k])
    if scores[best] == 0:
        return "vi-x" if default == "vi" else default
    return best


def answer_language(lang: str) -> str:
    """The language we answer in: Vietnamese typed without marks is answered in Vietnamese."""
    if lang == "vi-x":
        return "vi"
    # A language added to locales/ (LINGUAS) is answered in, though nothing detects it yet.
    return lang if lang in SUPPORTED or lang in texts.languages() else "vi"


# "English please", "/lang fr", "tiếng Việt", "中文": the citizen chooses the language.
_LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    e.id: e.words()
    for e in lexicon(__file__, "language_names", required=SUPPORTED, exclusive=True, ids=SUPPORTED).entries
}
_LANG_COMMAND = re.compile(r"^\s*/(?:lang|language|ngonngu)(?:@\w+)?\s+([a-z]{2})\b", re.IGNORECASE)
_REQUEST_WORDS = _WORDS.words("request_word")


def requested_language(text: str) -> str | None:
    """The language the citizen asks for explicitly, or None.

    Only short messages count ("English please", "nói tiếng Việt", "/lang ja"): a question
    that merely mentions a language ("cần bằng tiếng Anh không?") is not a request.
    """
    match = _LANG_COMMAND.match(text or "")
    if match:
        code = match.group(1).lower()
        return code if code in SUPPORTED else None
    folded = _fold_phrase(text)
    if not folded or len(folded) > 40:
        return None
    if "?" in folded or "？" in folded:
        # "Can you reply in Korean?" asks for Korean; "cần bằng tiếng Anh không?" asks
        # whether a paper must be in English: only a question made of request words counts.
        bare = folded.strip(" ?？¿")
        alone = [code for code, names in _LANGUAGE_NAMES.items() if bare in names]
        if len(alone) == 1:
            return alone[0]  # "English?", "¿Español?": the name alone, asked
        if "?" in bare or "？" in bare or not _only_a_request(bare):
            return None
        if not _REQUEST_VERBS.search(bare) and not any(v in bare for v in _REQUEST_VERBS_CJK):
            return None  # "cần bằng tiếng Anh không?": a paper's language, not the reply's
        named = [code for code, names in _LANGUAGE_NAMES.items() if any(n in bare for n in names)]
        return named[0] if len(named) == 1 else None
    for code, names in _LANGUAGE_NAMES.items():
        for name in names:
            if name in folded:
                rest = folded.replace(name, " ").strip(" .!?,。！？")
                if not rest or any(w in f"{rest} " for w in _REQUEST_WORDS) or len(rest) <= 3:
                    return code
    return None


# A question asks for a language only with a verb of speaking or answering in it.
_REQUEST_VERBS = re.compile(
    r"\b(?:answer|reply|respond|speak|talk|write|switch|tra loi|noi|repond\w*|parl\w*|ecri\w*|"
    r"respond\w*|contest\w*|habl\w*|escrib\w*)\b"
)
_REQUEST_VERBS_CJK = _WORDS.words("request_verb", CJK)


_CJK_START = 0x2E80  # marks are folded below this: kana keep their voicing ("で", not "て")


def _fold_phrase(text: str) -> str:
    folded = []
    for ch in unicodedata.normalize("NFC", (text or "").lower()):
        if ord(ch) < _CJK_START:
            ch = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
        folded.append(ch)
    return " ".join("".join(folded).replace("đ", "d").split())


_CLAUSE = re.compile(r"(?<=[?!.;。！？；])\s*|,\s+")


def split_language_request(text: str) -> tuple[str | None, str]:
    """An explicit language request inside a longer message, and the rest of the message:
    "Can you answer in English, please? How much is the fee?" → ("en", "How much is the fee?").
    (None, text) when no clause of the message is a request."""
    whole = requested_language(text)
    if whole is not None:
        return whole, ""
    clauses = [c for c in _CLAUSE.split(text or "") if c and c.strip()]
    if len(clauses) < 2:
        return None, text
    for i in range(len(clauses)):
        # A request may span two clauses ("Can you answer in English, please?").
        for j in (i + 1, i + 2):
            if j > len(clauses):
                continue
            chunk = " ".join(c.strip(" ?？!！.。,") for c in clauses[i:j])
            code = requested_language(chunk)
            if code is not None and _only_a_request(chunk):
                rest = " ".join(c.strip() for c in clauses[:i] + clauses[j:]).strip(" ,")
                return code, rest
    return None, text


# Inside a longer message only a clause made of these words and a language's name is a request
# ("Can you answer in English, please?"); "Je suis ingénieur, français, …" is not.
_REQUEST_TOKENS = frozenset(_WORDS.words("request_token", LATIN))
# Asked as a question: "能用中文回答吗？", "한국어로 답해 주실 수 있나요?", "日本語で話せますか？";
# removed one after the other, in this order.
_REQUEST_CJK = _WORDS.words("request_token", CJK)


def _only_a_request(chunk: str) -> bool:
    folded = _fold_phrase(chunk)
    for names in _LANGUAGE_NAMES.values():
        for name in names:
            folded = folded.replace(name, " ")
    for word in _REQUEST_CJK:
        folded = folded.replace(word, " ")
    tokens = re.findall(r"[^\W\d_]+", folded)
    return (
        bool(tokens or chunk)
        and all(t in _REQUEST_TOKENS for t in tokens)
        and (bool(tokens) or any(w in chunk for w in _REQUEST_CJK))
    )


# The words of a short message ("I live in Hai Chau", "J'habite à Hải Châu", "Quiero un
# pasaporte", "lam ho chieu"): too few for the model, whose guess a place name's marks sway.
# Each language votes with its function words and its short-message words (request verbs,
# question words, the names of common papers); Vietnamese typed without marks with its grammar
# and chat shorthand only: "khai sinh", "tam tru" are the terms foreigners use too.
_SHORT_WORDS = {
    code: frozenset(_WORDS["short_message_words"].terms[lang])
    | (_FUNCTION_WORDS[code] if lang != "vi" else set())
    for lang, code in _LATIN_CODES.items()
}


def _short_votes(words: list[str]) -> dict[str, int]:
    lowered = [w.lower() for w in words]
    return {code: sum(w in vocab for w in lowered) for code, vocab in _SHORT_WORDS.items()}


def _vote_short(words: list[str]) -> str | None:
    """The one language two or more words of a short first message belong to, else None."""
    if any(_marked(w) and not w[:1].isupper() for w in words):
        return None  # Vietnamese marks on a word that is not a name: Vietnamese
    votes = _short_votes(words)
    votes.pop("vi-x")  # unmarked Vietnamese is told by its syllables (_unmarked_vietnamese)
    best = max(votes, key=lambda c: votes[c])
    if votes[best] >= 2 and all(v < votes[best] for c, v in votes.items() if c != best):
        return best
    return None


def _short_switch(words: list[str], current: str) -> str | None:
    """A short message of a conversation in another language whose words clearly say one
    language ("Quiero un pasaporte" after French, "lam ho chieu" after English): two words
    of that language at least, more than any other language has, the conversation's
    included. A place name, a number or one shared word never decides."""
    if not words or any(_marked(w) for w in words):
        return None  # marked Vietnamese is counted by the caller
    votes = _short_votes(words)
    best = max(votes, key=lambda c: votes[c])
    if votes[best] < 2 or any(v >= votes[best] for c, v in votes.items() if c != best):
        return None
    if best == "vi-x" and not all(SYLLABLE_RE.match(w.lower()) for w in words):
        return None  # "the can" is not Vietnamese: every word must be a syllable
    same = "vi" if best == "vi-x" else best
    return None if same == current or best == current else best


# Han characters a short reply may share between Japanese and Chinese.
_SHARED_HAN_MAX = 4


def sticky_language(
    text: str,
    current: str | None,
    default: str,
    *,
    keep: bool = False,
    chosen: bool = False,
    min_words: int = 4,
) -> str:
    """The language to read a message in, given the conversation's ``current`` one.

    A conversation's language changes only on a confident detection over enough words:
    greetings, thanks, "ok", digits, a phone number, an emoji or a place name ("I live in
    Hai Chau ward" is English) never change it. ``keep`` (small talk, an option chosen)
    keeps it whatever the words. The first message of a conversation that says too little
    to tell ("ok", "1", an emoji) is read in ``default``. A language the citizen ``chosen``
    explicitly is not switched by a short message.
    """
    text = unicodedata.normalize("NFC", text or "")
    tokens = _WORD.findall(text.lower())
    script = _script_language(text)
    if current is None:
        if keep and not script and len(tokens) <= 2 and not _greeting(tokens, text):
            return default
        if not script and len(tokens) <= 2 and not _greeting(tokens, text) and not _marked(text):
            # Two words of one language ("Quiero pasaporte", "estoy harto") say which.
            return _vote_short(_WORD.findall(text)) or default
        if not script:
            named = [w for i, w in enumerate(_WORD.findall(text)) if i == 0 or not w[:1].isupper()]
            if len(named) >= min_words and not _marked(text):
                return detect(" ".join(named), default)
            voted = _vote_short(named)
            if voted is not None:
                return voted
        return detect(text, default)
    if keep:
        return current
    cjk = sum(1 for c in text if _script_language(c))
    if script == "zh" and current == "ja" and cjk <= _SHARED_HAN_MAX:
        # Japanese writes in Chinese characters too: "1番目", "費用は" (no kana) is a
        # Japanese speaker's short reply, not a switch to Chinese.
        return current
    if script is not None:
        # Another script is a confident signal once it is more than a word or two.
        return detect(text, current) if cjk >= 2 and script != current else current
    # Capitalised words after the first are names (places, people): they say nothing of
    # the language the citizen writes in.
    raw_words = _WORD.findall(text)
    content = [w for i, w in enumerate(raw_words) if i == 0 or not w[:1].isupper()]
    if len(content) < min_words and not chosen:
        # "Son Tra ward", "Le Hong Phong": a capitalised first word before another is a name too.
        named_first = len(raw_words) > 1 and raw_words[0][:1].isupper() and raw_words[1][:1].isupper()
        switched = _short_switch(content[1:] if named_first else content, current)
        if switched is not None:
            return switched
    if current in ("zh", "ko", "ja") and cjk == 0 and len(tokens) < min_words:
        return current
    marked = sum(1 for w in content if _distinctly_vietnamese(w))
    # A Vietnamese term inside a foreign sentence ("exchange my giấy phép lái xe") is not
    # Vietnamese; a sentence of marked words is.
    if marked >= 2 and marked >= 0.3 * len(content):
        return "vi"
    if current == "vi" and _unmarked_vietnamese(text, tokens):
        return "vi-x"
    if len(content) < min_words:
        return current
    return detect(" ".join(content), current)


def _greeting(tokens: list[str], text: str) -> bool:
    return (
        any(tokens[0] in vocab and (lang != "vi-x" or text.isascii()) for lang, vocab in _GREETINGS.items())
        if tokens
        else False
    )


def _marked(text: str) -> bool:
    return any(_distinctly_vietnamese(w) for w in _WORD.findall(text))
