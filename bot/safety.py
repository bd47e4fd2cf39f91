"""Guards on what citizens write: personal numbers, secrets, legal advice, insults.

- ``mask_pii`` is ``handoff.masking.mask_text``: ID-card, phone, passport, account numbers and
  one-time codes are hidden wherever the bot echoes them, keeping the last three digits so that
  two numbers can still be told apart. Dossier codes are never masked: they are what staff
  look up.
- ``mentions_secret`` spots passwords and one-time codes in the conversation, so that the
  assistant can warn that no official ever asks for them (a common scam on the phone).
- ``wants_legal_advice`` spots requests for an opinion on a person's own case (will I win,
  is it illegal, should I sue): the assistant explains published procedures, nothing more.
  It is deliberately conservative: a question about a procedure must never be refused.
- ``is_abusive`` is a minimal list of insults; the dialogue counts them against a
  threshold before handing off. It errs on the side of missing some, not of accusing.

All functions are pure; the patterns are compiled once at import (constant data).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from handoff.masking import mask_text
from knowledge.lexicon import CJK, LATIN, lexicon
from knowledge.text import fold, has_vietnamese_marks

# --------------------------------------------------------------------------- PII

# One masking rule for the whole product: what the bot echoes is masked like the console's
# lists and exports (``handoff.masking``, a pure module).
mask_pii = mask_text

# --------------------------------------------------------------------------- helpers


def _prepare(text: str) -> tuple[str, str]:
    """(lower-cased NFKC text, the same folded: no diacritics, đ → d)."""
    flat = unicodedata.normalize("NFKC", text or "")
    return flat.lower(), fold(flat)


def _words(phrases: Iterable[str], *, folded: bool = False) -> re.Pattern[str]:
    """Whole-word match of any phrase (Latin scripts); spaces match any run of spaces.

    Folded text is ASCII wherever it is Latin, so its word boundaries are ASCII ones:
    "OTPを教えて" has no space between "OTP" and the Japanese that follows.
    """
    body = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in phrases)
    if folded:
        return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


def _substrings(phrases: Iterable[str]) -> re.Pattern[str]:
    """Substring match (Chinese, Japanese, Korean: no spaces between words)."""
    return re.compile("|".join(re.escape(p) for p in phrases))


# --------------------------------------------------------------------------- secrets

# The words, in bot/data/lexicons/safety.yml.
_LEXICON = lexicon(
    __file__,
    "safety",
    required=(),
    ids=("secret", "secret_marked", "legal_advice", "abuse_marked", "abuse_plain", "abuse"),
)
# Matched on folded text: "mật khẩu", "mat khau" and "MẬT KHẨU" are one phrase.
_SECRET_WORDS = _words(_LEXICON.words("secret", LATIN), folded=True)
# "PIN" in capitals only: in Vietnamese "pin" is a battery, in English a pin.
_SECRET_CASED = re.compile(r"(?<![^\W\d_])PIN(?![^\W\d_])")
# Only with its marks: folded, "mat ma" is also "mất mã" (lost the code).
_SECRET_MARKED = _words(_LEXICON.words("secret_marked"))
_SECRET_CJK = _substrings(_LEXICON.words("secret", CJK))


def mentions_secret(text: str) -> bool:
    """The message offers or asks about a password, OTP, PIN or verification code."""
    if not text:
        return False
    lower, folded = _prepare(text)
    return bool(
        _SECRET_WORDS.search(folded)
        or _SECRET_CJK.search(lower)
        or _SECRET_MARKED.search(lower)
        or _SECRET_CASED.search(unicodedata.normalize("NFKC", text))
    )


# --------------------------------------------------------------------------- legal advice

_YN = r"(?:khong|ko|k|hong|hok|chua)"  # the question tags of yes/no questions, folded
_LEGAL_PATTERNS = [
    # vi (folded): an opinion on the person's own case
    r"\bthang kien\b",
    # "kien" is also folded "ý kiến", "điều kiện", "sự kiện", "kiến nghị": excluded
    rf"(?<!\by )(?<!\bdieu )(?<!\bsu )\bkien (?!nghi\b)(?:\w+ ){{0,3}}(?:duoc|thang) {_YN}\b",
    r"\bco nen (?:khoi )?kien\b(?! nghi\b)",
    rf"\bnen (?:khoi )?kien (?!nghi\b)(?:\w+ ){{0,3}}{_YN}\b",
    rf"\bco (?:bi )?(?:vi pham|trai) (?:phap )?luat {_YN}\b",
    rf"\b(?:vi pham|trai) (?:phap )?luat (?:\w+ ){{0,2}}{_YN}\s*\??$",
    rf"\bco (?:bi )?pham phap {_YN}\b",
    rf"\bco hop phap {_YN}\b",
    rf"\bco bi (?:phat |di )?tu {_YN}\b",
    r"\bluat su tu van\b",
    r"\btu van (?:phap ly|phap luat|luat)\b",
    r"\by kien phap ly\b",
    # en
    r"\bshould i sue\b",
    r"\bcan i sue\b",
    r"\bsue (?:him|her|them|my|the|this|that)\b",
    r"\bwill i win\b",
    r"\bwin (?:the|my|this|a) (?:case|lawsuit|suit)\b",
    r"\blegal (?:advice|opinion)\b",
    r"\bam i breaking the law\b",
    r"\bis (?:it|this|that) (?:il)?legal\b",
    r"\b(?:do|should) i (?:need|get|hire) a lawyer\b",
    # fr
    r"\b(?:conseil|avis) juridique\b",
    r"\bgagner (?:le|mon|ce|un) proces\b",
    r"\b(?:poursuivre|attaquer) (?:\w+ )?en justice\b",
    r"\best-ce (?:que c'est )?(?:il)?legal\b",
    r"\bc'est (?:il)?legal\b",
    # es
    r"\b(?:asesoria|asesoramiento|consejo) (?:juridic[oa]|legal)\b",
    r"\bganar (?:el|mi|este|un) (?:juicio|pleito|caso)\b",
    r"\b(?:debo|puedo) demandar\b",
    r"\bes (?:il)?legal\b",
]
_LEGAL_WORDS = re.compile("|".join(_LEGAL_PATTERNS))
_LEGAL_CJK = _substrings(_LEXICON.words("legal_advice", CJK))


def wants_legal_advice(text: str) -> bool:
    """Asks for a legal opinion on a case (win, sue, illegal?), not for a procedure."""
    if not text:
        return False
    lower, folded = _prepare(text)
    return bool(_LEGAL_WORDS.search(folded) or _LEGAL_CJK.search(lower))


# --------------------------------------------------------------------------- abuse

# With diacritics: exact words, so that "ngủ" (sleep) or "lớn" (big) never count.
_ABUSE_MARKED = _words(_LEXICON.words("abuse_marked"))
# Without diacritics, only phrases that are not also innocent words once folded.
_ABUSE_PLAIN = _words(_LEXICON.words("abuse_plain"), folded=True)
_ABUSE_EN = _words(_LEXICON.words("abuse"))


def is_abusive(text: str) -> bool:
    """The message insults someone (Vietnamese with or without diacritics, English)."""
    if not text:
        return False
    lower, folded = _prepare(text)
    if _ABUSE_MARKED.search(lower) or _ABUSE_EN.search(lower):
        return True
    # Folded matching only for text typed without marks: in marked text "mat day" is
    # "mặt dày" (thick-skinned) and not "mất dạy".
    return not has_vietnamese_marks(text) and bool(_ABUSE_PLAIN.search(folded))
