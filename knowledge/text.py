"""Vietnamese text normalisation: NFC, one tone-mark convention, diacritics folding, tokens.

Published data mixes Unicode forms (precomposed vs combining marks) and two tone-mark
conventions ("Hòa"/"Hoà", "Thủy"/"Thuỷ"). Everything that is matched goes through
``normalize`` first, so both spellings become the same string. We keep the traditional
convention (hòa, thủy, khỏe), the one the administrative-unit lists use.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}  # huyền, sắc, hỏi, ngã, nặng
_VOWELS = set("aăâeêioôơuưy")
_MARKED_VOWELS = set("ăâêôơư")
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
# A Vietnamese syllable, folded: onset, one vowel nucleus, optional final consonant.
SYLLABLE_RE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(uye|uyu|oai|oay|oao|oeo|uoi|uou|ieu|yeu|uya|uay|uay|[aeiouy]{1,2})"
    r"(ch|ng|nh|[cmnpt])?$"
)
_SPACE_RE = re.compile(r"\s+")


def _base(ch: str) -> str:
    """The letter without its tone mark but with its vowel-quality mark (â, ơ, ...)."""
    return "".join(c for c in unicodedata.normalize("NFD", ch) if c not in _TONES)


def _fix_syllable(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) != 1:
        return word
    # Words the crawl glued together ("tưMẫu", "Ngày100") are not syllables: moving
    # their mark would corrupt them, so only real syllables are touched.
    if not SYLLABLE_RE.match(_fold_word(word)):
        return word
    plain = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    lower = plain.lower()
    idx = [i for i, c in enumerate(lower) if c in _VOWELS]
    if not idx:
        return word
    # The first vowel run is the nucleus (Vietnamese syllables have one).
    run = [idx[0]]
    for i in idx[1:]:
        if i == run[-1] + 1:
            run.append(i)
        else:
            break
    # "qu" and "gi" + vowel: the u / i belongs to the onset.
    if len(run) > 1 and run[0] == 1 and lower[0] == "q" and lower[1] == "u":
        run = run[1:]
    elif len(run) > 1 and run[0] == 1 and lower[0] == "g" and lower[1] == "i":
        run = run[1:]
    marked = [i for i in run if lower[i] in _MARKED_VOWELS]
    closed = run[-1] + 1 < len(lower)
    if marked:
        pos = marked[-1]
    elif len(run) == 1:
        pos = run[0]
    elif closed:
        pos = run[-1]
    elif len(run) == 3:
        pos = run[1]
    else:
        pos = run[0]
    chars = list(plain)
    chars[pos] = unicodedata.normalize("NFC", chars[pos] + tones[0])
    return "".join(chars)


@lru_cache(maxsize=65536)
def _fix_word(word: str) -> str:
    if word.isascii():
        return word
    return _fix_syllable(word)


def normalize(text: str) -> str:
    """NFC + one tone-mark convention + collapsed whitespace. Case is kept."""
    if not text:
        return ""
    if len(text) <= 256:
        return _normalize_short(text)
    return _normalize(text)


@lru_cache(maxsize=16384)
def _normalize_short(text: str) -> str:
    # Questions, terms and names recur: the same short strings are normalised again and again.
    return _normalize(text)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _WORD_RE.sub(lambda m: _fix_word(m.group(0)), text)
    return _SPACE_RE.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    out = []
    for c in unicodedata.normalize("NFD", word):
        if unicodedata.combining(c):
            continue
        out.append(c)
    return "".join(out).replace("đ", "d").replace("Đ", "D").lower()


def fold(text: str) -> str:
    """Lower-case and strip every diacritic ("Đăng ký" -> "dang ky")."""
    return _WORD_RE.sub(lambda m: _fold_word(m.group(0)), normalize(text)).lower()


def words(text: str) -> list[str]:
    """Lower-cased, normalised word tokens (Vietnamese syllables)."""
    return _WORD_RE.findall(normalize(text).lower())


def folded_words(text: str) -> list[str]:
    return [_fold_word(w) for w in words(text)]


def has_vietnamese_marks(text: str) -> bool:
    for c in unicodedata.normalize("NFD", text):
        if c in _TONES or c in ("\u0302", "\u0306", "\u031b") or c in "đĐ":
            return True
    return False


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x3040 <= o <= 0x30FF  # kana
        or 0x3400 <= o <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= o <= 0xD7AF  # hangul syllables
        or 0x1100 <= o <= 0x11FF
        or 0x3130 <= o <= 0x318F
        or 0xF900 <= o <= 0xFAFF
    )


def strip_noise(text: str, limit: int = 2000) -> str:
    """Drop control characters and cap the length a single question may have."""
    cleaned = "".join(c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C")
    return cleaned[:limit]


# Lone UTF-16 surrogates (a JSON "\ud800" escape decodes to one) cannot be encoded as
# UTF-8, so no database or HTTP response can carry them; NUL and the other control
# characters (tab and line breaks aside) are refused by PostgreSQL or mean nothing to a reader.
_UNSTORABLE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """The text without what cannot be stored or shown: lone surrogates and control
    characters (tabs and line breaks are kept)."""
    return _UNSTORABLE.sub("", text)
