"""Cue-based recognition of what the citizen wants, in every supported language.

This covers the intents single-turn answering needs (handoff, complaint, old→new place,
centre address, and which aspect of a procedure is asked). Cues are matched on the
accent-folded text for Latin scripts and as substrings for CJK.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.lexicon import CJK, LANGS, LATIN, lexicon
from knowledge.text import fold, is_cjk, normalize

# Cue words per cue name, in bot/data/lexicons/intents.yml.
_CUES: dict[str, list[str]] = {
    e.id: list(e.words()) for e in lexicon(__file__, "intents", required=LANGS).entries
}


_GAP = re.compile(r"(?:\\ |')+")


def _words_pattern(cues: list[str]) -> re.Pattern[str]:
    parts = []
    for cue in sorted(cues, key=len, reverse=True):
        prefix = cue.endswith("*")
        # "you don t understand" matches "you don't understand" and "you don’t understand".
        body = _GAP.sub(r"[\\s'’]+", re.escape(cue.rstrip("*").strip()))
        parts.append(r"(?<!\w)" + body + ("" if prefix else r"(?!\w)"))
    return re.compile("|".join(parts) or r"(?!x)x")


def _compile(cues: list[str]) -> tuple[re.Pattern[str], re.Pattern[str], list[str]]:
    """ASCII cues match whole words of the folded text, cues with Vietnamese marks whole
    words of the accented text ("cũ" but not "cư"), CJK cues as substrings. A trailing
    ``*`` makes a cue a prefix ("fusionn*")."""
    folded = [c for c in cues if c.isascii()]
    cjk = [c for c in cues if any(is_cjk(ch) for ch in c)]
    accented = [c for c in cues if not c.isascii() and c not in cjk]
    # CJK cues are found in the text with its spaces removed ("쓸모 없" in "쓸모없어요").
    return _words_pattern(folded), _words_pattern(accented), [c.replace(" ", "") for c in cjk]


_COMPILED = {name: _compile(cues) for name, cues in _CUES.items()}
# Chat-model markup pasted into a message ("### SYSTEM:", "<|im_start|>", "[INST]").
_INJECTION_MARKUP = re.compile(
    r"(?:^|\n)\s*#{2,}\s*system\b|<\|im_(?:start|end)\|>|\[/?inst\]", re.IGNORECASE
)


@dataclass(slots=True)
class Cues:
    found: set[str]

    def __contains__(self, name: str) -> bool:
        return name in self.found

    @property
    def focus(self) -> str:
        for name in ("documents", "fee", "duration", "online", "where"):
            if name in self.found:
                return name
        return "overview"


def cues(text: str) -> Cues:
    folded = fold(text)
    accented = normalize(text).lower()
    raw = text.replace(" ", "")
    found = set()
    for name, (pattern, marked, cjk) in _COMPILED.items():
        if pattern.search(folded) or marked.search(accented) or any(c in raw for c in cjk):
            found.add(name)
    if _INJECTION_MARKUP.search(text):
        found.add("injection")
    return Cues(found)


def cue_matches(text: str, name: str) -> list[str]:
    """The phrases of cue ``name`` the text uses: folded for Latin-script cues, as written for
    CJK ones ("doi tien" in "đổi tiến độ", "金利")."""
    pattern, marked, cjk = _COMPILED[name]
    raw = text.replace(" ", "")
    found = [m.group(0) for m in pattern.finditer(fold(text))]
    found += [fold(m.group(0)) for m in marked.finditer(normalize(text).lower())]
    return found + [c for c in cjk if c in raw]


def cue_spans(folded: str, names: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the Latin cues of ``names`` occur in an already folded text (start, end)."""
    spans = []
    for name in names:
        pattern = _COMPILED[name][0]
        spans += [m.span() for m in pattern.finditer(folded)]
    return spans


def cjk_cues(names: tuple[str, ...]) -> list[str]:
    """The CJK and Hangul cues of ``names``."""
    return [c for name in names for c in _COMPILED[name][2]]


def is_small_talk(text: str, found: Cues) -> str | None:
    """greet/thanks/goodbye only when the message is short and says nothing else."""
    # Chinese, Japanese and Korean run words together: "你好，我们是…企业，…怎么申请？" is one
    # space-separated token, so about three characters count as a word.
    cjk = sum(1 for c in text if is_cjk(c))
    latin = [
        w for w in fold("".join(" " if is_cjk(c) else c for c in text)).split() if any(map(str.isalnum, w))
    ]
    if found.found & _ASPECT_CUES:
        return None  # "Merci ! C'est gratuit ?": the question is what to answer
    if "greet" in found and _only_asks_to_ask(text):
        return "greet"  # "Hello, I have a question about a procedure."
    if len(latin) + (cjk + 2) // 3 > 5:
        return None
    for name in ("thanks", "goodbye", "greet"):
        if name in found:
            return name
    return None


_ASPECT_CUES = frozenset({"documents", "fee", "duration", "online", "where"})
# "I have a question", "j'ai une question", "我想问一下": asking to ask, after a greeting, and the
# words that add no subject to it ("… about a procedure", "… một chút").
_ASK = lexicon(__file__, "ask_to_ask", required=LATIN, ids=("ask_to_ask", "generic"))
# Tried in this order; the words after the first phrase found must add no subject.
_ASK_TO_ASK = _ASK.words("ask_to_ask", ("en", "fr", "es", "vi"))
_ASK_TO_ASK_CJK = _ASK.words("ask_to_ask", CJK)
_GENERIC = _ASK.tokens("generic")


def _only_asks_to_ask(text: str) -> bool:
    compact = text.replace(" ", "")
    if any(p in compact for p in _ASK_TO_ASK_CJK):
        return sum(1 for c in text if is_cjk(c)) <= 20
    folded = " ".join(re.findall(r"[a-z']+", fold(text)))
    for phrase in _ASK_TO_ASK:
        if phrase in folded:
            rest = folded.split(phrase, 1)[1].split()
            return all(w in _GENERIC for w in rest)
    return False
