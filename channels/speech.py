"""Text for the ear: the assistant's written reply made short and speakable on a phone line.

Written replies carry links, bullets, procedure codes, amounts with thousands separators,
dates and abbreviations that a text-to-speech voice reads badly or not at all. ``to_speech``
keeps the first few sentences of the reply, drops what cannot be heard (links, the list of
related procedures, parenthesised details), and spells out what a voice would garble:
``1.001193`` → "một chấm, không không một, một chín ba" (in groups), ``70,000 Việt Nam
Đồng`` and ``50.000 đ`` → "bảy mươi nghìn đồng", "năm mươi nghìn đồng" (a thousands group in
either style is never read as a decimal), ``03/07/2025`` → "ngày ba tháng bảy năm hai nghìn
không trăm hai mươi lăm", ``UBND`` → "Ủy ban nhân dân". In Vietnamese no digit is left;
elsewhere grouped numbers and codes become words (``channels.numerals``) and small numbers
and dates are left to the voice. Answers about one procedure are not made here but composed
from the catalogue record (``channels.spoken``). Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date

from bot import texts
from bot.i18n import MESSAGES
from channels.numerals import EN_DIGITS, VI_DIGITS, decimal_words, en_number, number_words, vi_number
from knowledge.lexicon import lexicon

__all__ = [
    "clean_text",
    "code_words",
    "en_number",
    "option_label",
    "shorten",
    "spell",
    "to_speech",
    "verbalize",
    "vi_number",
]

# -- numbers (in words: channels.numerals) ----------------------------------------------------

_VI_DIGITS = VI_DIGITS
_EN_DIGITS = EN_DIGITS


# -- spelling codes ------------------------------------------------------------------------

_VI_LETTERS = {
    "A": "a",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "Đ": "đê",
    "E": "e",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "e lờ",
    "M": "em mờ",
    "N": "en nờ",
    "O": "o",
    "P": "pê",
    "Q": "quy",
    "R": "e rờ",
    "S": "ét",
    "T": "tê",
    "U": "u",
    "V": "vê",
    "W": "vê kép",
    "X": "ích",
    "Y": "i dài",
    "Z": "dét",
}
# How "." and "-" inside a code are read, per language; the currency word where a voice cannot
# read "VND" (channels/data/lexicons/speech.yml). Months are spoken through the catalogue's
# date formats (bot/texts.py).
_WORDS = lexicon(__file__, "speech", required=(), ids=("point", "dash", "dong"))
_POINT = {lang: words[0] for lang, words in _WORDS["point"].terms.items()}
_DASH = {lang: words[0] for lang, words in _WORDS["dash"].terms.items()}


def spell(code: str, lang: str) -> str:
    """Read a code character by character: ``1.001193`` → "một chấm không không một một
    chín ba"; letters by their names in Vietnamese, as capitals elsewhere."""
    words: list[str] = []
    for ch in code.upper():
        if ch.isdigit():
            words.append(_VI_DIGITS[int(ch)] if lang == "vi" else _EN_DIGITS[int(ch)] if lang == "en" else ch)
        elif ch == ".":
            words.append(_POINT.get(lang, "."))
        elif ch in "-/":
            words.append(_DASH.get(lang, "-"))
        elif ch.isalpha():
            words.append(_VI_LETTERS.get(ch, ch) if lang == "vi" else ch)
    return " ".join(words)


# -- cleaning the written layout ---------------------------------------------------------------

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"“”()]+", re.IGNORECASE)
# A connector left dangling by a removed link ("có, tại", "at", "sur").
_DANGLING = re.compile(r"[\s,:;–—-]*\b(?:tại|ở|at|on|sur|en|à|in)\s*[:.]?\s*$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[•●▪◦·*\-–]|\d{1,2}[.)])\s+")
_PARENS = re.compile(r"\s*(?:\([^()]*\)|（[^（）]*）)")
_SPACES = re.compile(r"[ \t\u00a0\u202f]+")
_END = re.compile(r"[.!?。！？…]$")
_CJK = ("zh", "ja")


def _prefix(template: str) -> str:
    """The fixed start of a message template ("Nguồn: Thủ tục " of the citation)."""
    return template.split("{", 1)[0].strip()


def _prefixes(key: str) -> tuple[str, ...]:
    return tuple(sorted({p for m in MESSAGES.values() if (p := _prefix(m.get(key, "")))}, key=len))


_CITATION = _prefixes("citation") + _prefixes("citation_no_url")
_RELATED = tuple(m["related_header"].strip() for m in MESSAGES.values())
# Metadata lines a caller does not need read out (field, competent authority, level).
_META = _prefixes("field") + _prefixes("decided_by") + _prefixes("level")
_PROC_CODE = re.compile(r"(?<![\d.])\d\.\d{6}(?![\d])(?!\.\d)")


def _fee_note_pattern(lang: str) -> re.Pattern[str] | None:
    """The "— catalogue note (in Vietnamese): “…”" tail of a translated fee line."""
    template = MESSAGES.get(lang, {}).get("fee_note", "")
    if "{base}" not in template or "{quoted}" not in template:
        return None
    middle, _, suffix = template.split("{base}", 1)[1].partition("{quoted}")
    quote = MESSAGES[lang]["quote"]
    left, _, right = quote.partition("{text}")
    pattern = re.escape(middle) + re.escape(left) + ".*?" + re.escape(right) + re.escape(suffix)
    return re.compile(pattern)


_FEE_NOTES = {lang: p for lang in MESSAGES if (p := _fee_note_pattern(lang)) is not None}


def clean_text(text: str, lang: str) -> tuple[str, list[str]]:
    """The reply without what cannot be heard, one sentence per line; and the codes of the
    procedures it cites (the citation line itself is dropped with its link)."""
    text = unicodedata.normalize("NFC", text or "")
    sources: list[str] = []
    out: list[str] = []
    skipping = False
    fee_note = _FEE_NOTES.get(lang)
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            skipping = False
            continue
        if skipping:
            continue
        if line in _RELATED:
            skipping = True  # the related procedures run to the end of the paragraph
            continue
        if line.startswith(_CITATION):
            sources += [c for c in _PROC_CODE.findall(line) if c not in sources]
            continue
        if line.startswith(_META):
            continue
        if fee_note is not None:
            line = fee_note.sub("", line)
        had_url = bool(_URL.search(line))
        line = _URL.sub(" ", line)
        if had_url:
            line = _DANGLING.sub("", line.rstrip(" .:;,–—-"))
        line = _BULLET.sub("", line)
        previous = None
        while previous != line:
            previous, line = line, _PARENS.sub("", line)
        # A note the written answer cut short ("70,000 Việt Nam Đồng(- Cấp lại …") has no
        # closing bracket: it goes with the rest of its line.
        line = re.sub(r"\s*[(（].*$", "", line)
        line = line.replace("“", "").replace("”", "").replace("„", "").replace('"', "")
        line = _SPACES.sub(" ", line).strip(" ,;–—-")
        if not line or not any(c.isalnum() for c in line):
            continue
        out.append(line)
    return _sentences(out, lang), sources


def _sentences(lines: list[str], lang: str) -> str:
    """Lines to running text: a heading ("Phí, lệ phí:") runs into its first item, every
    other line becomes a sentence."""
    stop = "。" if lang in _CJK else "."
    parts: list[str] = []
    for line in lines:
        if parts and parts[-1].endswith((":", "：")):
            parts[-1] = f"{parts[-1]} {line}"
        else:
            parts.append(line)
    return " ".join(p if _END.search(p) else p.rstrip(":：;") + stop for p in parts)


# -- speaking numbers, codes, dates and abbreviations ----------------------------------------

_DOSSIER = re.compile(r"\b\d{3}\.\d{2}\.\d{2}\.[A-Za-z]\d{2}-\d{6}-\d{4}\b")
_CASE_ID = re.compile(r"\b\d{6}-[A-Z0-9]{5}\b")
_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_TIME = re.compile(r"\b([01]?\d|2[0-3])[:h](\d{2})\b")
_PHONE = re.compile(r"(?<![\d.,])(?:\+84|0|1[89]00)(?:[\s.]?\d){6,11}(?![\d])")
# A number in thousands groups, with either mark: the portal writes "70,000 Việt Nam Đồng"
# in English style and the notes "70.000 đồng" in Vietnamese style; a voice reads the
# one that is not its own as a decimal ("bảy mươi phẩy không không không"). A lone group
# after a zero ("0,125") is a decimal.
_GROUPED = re.compile(r"(?<![\d.,])(?!0[.,])\d{1,3}([.,\u00a0\u202f])\d{3}(?:\1\d{3})*(?![\d])(?![.,]\d)")
# French writes thousands with a plain space too ("160 000"); elsewhere two numbers a space
# apart are two numbers.
_GROUPED_SPACE = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d])(?![.,]\d)")
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])(\d+),(\d+)(?![\d,])")
_DECIMAL_POINT = re.compile(r"(?<![\d.,])(\d+)\.(\d+)(?![\d.])")
_RANGE = re.compile(r"(?<=\d)\s*[-–]\s*(?=\d)")
_PERCENT = re.compile(r"\s?%")
_TIME_RANGE = re.compile(r"\b(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\b")
_INTEGER = re.compile(r"\d+")
# A legal document number: "75/2022/TT-BTC", "51/2019/QH14".
_LEGAL = re.compile(r"\b(\d{1,4})/(\d{4})/[A-ZĐ]+\d*(?:-[A-ZĐ]+\d*)*\b")
# "01 (một) bộ": the catalogue spells the number out after it; say it once.
_SPELLED_AGAIN = re.compile(
    r"(?<=\d)\s*\((?:\s*(?:không|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mươi|mốt|tư|lăm|linh|lẻ"
    r"|trăm|nghìn|ngàn|triệu|tỷ)\b)+\s*\)",
    re.IGNORECASE,
)
# A form's code ("DC02", "CC01", "TK1"): letters by name and digits one by one.
_FORM_CODE = re.compile(r"\b[A-ZĐ]{1,5}\d{1,4}\b")
# Every way the catalogue writes the currency after an amount.
_VI_CURRENCY = re.compile(r"(?<=\d)\s*(?:Việt Nam Đồng|VNĐ|VND|vnđ|vnd|đồng|Đồng|đ|Đ)(?![\w])")
# "đồng/người/lần" → "đồng mỗi người mỗi lần"; "USD/thẻ" → "US dollars per thẻ".
_PER_VI = re.compile(r"(đồng|đô la Mỹ)((?:\s*/\s*[^\s/;,.]+)+)")
_PER_EN = re.compile(r"(dong|US dollars)((?:\s*/\s*[^\s/;,.]+)+)")
_VI_MEASURES = {
    "m2": "mét vuông",
    "m²": "mét vuông",
    "km": "ki lô mét",
    "kg": "ki lô gam",
    "ha": "héc ta",
    "cm": "xăng ti mét",
    "mm": "mi li mét",
}
_VI_MEASURE = re.compile(r"(?<=\d)\s*(m2|m²|km|kg|ha|cm|mm)(?![\w])")
# "ảnh 3 x 4 cm", "4cm x 6cm": a photo's size.
_TIMES = re.compile(r"(?<=\d)(\s*(?:cm|mm)?\s*)[xX×]\s*(?=\d)")

_VI_ABBREVIATIONS = {
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "CCCD": "căn cước công dân",
    "CMND": "chứng minh nhân dân",
    "CMTND": "chứng minh thư nhân dân",
    "BHXH": "bảo hiểm xã hội",
    "BHYT": "bảo hiểm y tế",
    "BHTN": "bảo hiểm thất nghiệp",
    "GPLX": "giấy phép lái xe",
    "TNHH": "trách nhiệm hữu hạn",
    "MST": "mã số thuế",
    "TTHC": "thủ tục hành chính",
    "CSGT": "cảnh sát giao thông",
    "DVC": "dịch vụ công",
    "NĐ-CP": "Nghị định Chính phủ",
    "TT-BCA": "Thông tư Bộ Công an",
    "TT-BTC": "Thông tư Bộ Tài chính",
    "QĐ": "quyết định",
    "TP.": "thành phố",
    "TP": "thành phố",
    "VNĐ": "đồng",
    "VND": "đồng",
    "USD": "đô la Mỹ",
    "STT": "số thứ tự",
    "SĐT": "số điện thoại",
    "VNeID": "vê en ê ai đi",
}
_EN_ABBREVIATIONS = {
    "VND": "dong",
    "USD": "US dollars",
    "e.g.": "for example",
    "i.e.": "that is",
    "No.": "number",
    "UBND": "People's Committee",
    "CCCD": "citizen ID card",
}
_OTHER_CURRENCY = {lang: words[0] for lang, words in _WORDS["dong"].terms.items()}


def _abbreviations(table: dict[str, str]) -> re.Pattern[str]:
    keys = sorted(table, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![\w])")


_VI_ABBR = _abbreviations(_VI_ABBREVIATIONS)
_EN_ABBR = _abbreviations(_EN_ABBREVIATIONS)


def _digit(ch: str, lang: str) -> str:
    return _VI_DIGITS[int(ch)] if lang == "vi" else number_words(int(ch), lang)


def _spell_phone(match: re.Match[str], lang: str) -> str:
    digits = re.sub(r"\D", "", match.group(0).replace("+84", "0"))
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-2:] = [groups[-2] + groups[-1]]
    return ", ".join(spell(g, lang) for g in groups)


def code_words(code: str, lang: str) -> str:
    """A procedure code in groups, as one reads it to be noted down: ``1.014064`` → "một
    chấm, không một bốn, không sáu bốn"."""
    head, _, tail = code.partition(".")
    groups = [tail[i : i + 3] for i in range(0, len(tail), 3)]
    sep = "" if lang in _CJK else " "
    first = sep.join(_digit(c, lang) for c in head)
    rest = [sep.join(_digit(c, lang) for c in g) for g in groups]
    return ", ".join([f"{first} {_POINT.get(lang, '.')}".strip(), *rest]) if tail else first


def _date(day: int, month: int, year: int, lang: str, after_day_word: bool) -> str:
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return f"{day}/{month}/{year}"
    if lang == "vi":
        # April is "tháng tư" as a Vietnamese speaker says it, never "tháng bốn".
        month_words = "tư" if month == 4 else vi_number(month)
        return (
            f"{'' if after_day_word else 'ngày '}{vi_number(day)} tháng {month_words} năm {vi_number(year)}"
        )
    try:
        return texts.format_date(date(year, month, day), lang, first=False)
    except ValueError:  # 31/02: read as written
        return f"{day}/{month}/{year}"


def _grouped(match: re.Match[str], lang: str) -> str:
    return number_words(int(re.sub(r"\D", "", match.group(0))), lang)


def _decimal(whole: str, frac: str, lang: str) -> str:
    if len(frac) > 2:  # read digit by digit after the mark, as one says "0,125"
        mark = decimal_words(1.5, lang).split()[1] if lang not in _CJK else "点"
        return f"{number_words(int(whole), lang)} {mark} " + " ".join(_digit(c, lang) for c in frac)
    return decimal_words(float(f"{whole}.{frac}"), lang)


def _sub(pattern: re.Pattern[str], text: str, fn: Callable[[re.Match[str]], str]) -> str:
    return pattern.sub(fn, text)


def verbalize(text: str, lang: str) -> str:
    """Codes, dates, times, amounts, phone numbers and abbreviations as a voice should say
    them. In Vietnamese every number ends up in words (dates too: "ngày ba tháng bảy năm
    hai nghìn không trăm hai mươi lăm"); elsewhere grouped numbers, amounts and codes do,
    and small numbers and dates are left to the voice, which reads them well."""
    text = _sub(_DOSSIER, text, lambda m: spell(m.group(0), lang))
    text = _sub(_CASE_ID, text, lambda m: spell(m.group(0), lang))
    text = _sub(_PROC_CODE, text, lambda m: code_words(m.group(0), lang))
    text = _sub(_PHONE, text, lambda m: _spell_phone(m, lang))
    text = _LEGAL.sub(lambda m: _legal(m, lang), text)

    def date(m: re.Match[str], iso: bool = False) -> str:
        y, mo, d = (m.group(1), m.group(2), m.group(3)) if iso else (m.group(3), m.group(2), m.group(1))
        before = text[max(0, m.start() - 5) : m.start()].lower()
        return _date(int(d), int(mo), int(y), lang, before.endswith("ngày "))

    text = _DATE.sub(date, text)
    text = _ISO_DATE.sub(lambda m: date(m, iso=True), text)
    if lang in ("vi", "en"):
        text = _TIME_RANGE.sub(lambda m: f"{m.group(1)} {'đến' if lang == 'vi' else 'to'} {m.group(2)}", text)
    if lang == "vi":
        text = _TIME.sub(
            lambda m: (
                f"{vi_number(int(m.group(1)))} giờ"
                + (f" {vi_number(int(m.group(2)))}" if int(m.group(2)) else "")
            ),
            text,
        )
        text = _SPELLED_AGAIN.sub("", text)
        text = _FORM_CODE.sub(lambda m: spell(m.group(0), "vi"), text)
        text = _VI_CURRENCY.sub(" đồng", text)
        text = _TIMES.sub(lambda m: f"{m.group(1)} nhân ", text)
        text = _VI_MEASURE.sub(lambda m: " " + _VI_MEASURES[m.group(1)], text)
        text = _PERCENT.sub(" phần trăm", text)
        text = _RANGE.sub(" đến ", text)
        text = _GROUPED.sub(lambda m: _grouped(m, "vi"), text)
        text = _DECIMAL_COMMA.sub(lambda m: _decimal(m.group(1), m.group(2), "vi"), text)
        text = _DECIMAL_POINT.sub(lambda m: _decimal(m.group(1), m.group(2), "vi"), text)
        text = _INTEGER.sub(lambda m: f" {vi_number(int(m.group(0)))} ", text)
        text = _VI_ABBR.sub(lambda m: _VI_ABBREVIATIONS[m.group(0)], text)
        text = _PER_VI.sub(lambda m: m.group(1) + re.sub(r"\s*/\s*", " mỗi ", m.group(2)), text)
        text = re.sub(r"(?<=\w)\s*/\s*(?=\w)", " hoặc ", text)
    elif lang == "en":
        text = _GROUPED.sub(lambda m: _grouped(m, "en"), text)
        text = _DECIMAL_POINT.sub(lambda m: _decimal(m.group(1), m.group(2), "en"), text)
        text = _PERCENT.sub(" percent", text)
        text = _EN_ABBR.sub(lambda m: _EN_ABBREVIATIONS[m.group(0)], text)
        text = _PER_EN.sub(lambda m: m.group(1) + re.sub(r"\s*/\s*", " per ", m.group(2)), text)
        text = re.sub(r"(?<=\w)/(?=\w)", " or ", text)
    else:
        if lang == "fr":
            text = _GROUPED_SPACE.sub(lambda m: _grouped(m, lang), text)
        text = _GROUPED.sub(lambda m: _grouped(m, lang), text)
        text = re.sub(r"\bVN[DĐ]\b", _OTHER_CURRENCY.get(lang, "VND"), text)
    text = re.sub(r"\s*[–—]\s*", ", ", text)
    text = text.replace("&", " và " if lang == "vi" else " and " if lang == "en" else " & ")
    text = re.sub(r"\s+([,.;)])", r"\1", text)
    return _SPACES.sub(" ", text).strip()


def _legal(match: re.Match[str], lang: str) -> str:
    number, year = int(match.group(1)), int(match.group(2))
    if lang == "vi":
        return f"số {vi_number(number)} năm {vi_number(year)}"
    if lang == "en":
        return f"number {number} of {year}"
    return f"{number}/{year}"


# -- length ----------------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])\s*")


def shorten(text: str, max_sentences: int = 4, max_chars: int = 500) -> str:
    """The first ``max_sentences`` sentences, within ``max_chars`` (a first sentence that is
    too long alone is cut at a clause, else a word, boundary)."""
    sentences = [s.strip() for s in _SENTENCE.split(text.strip()) if s and s.strip()]
    kept: list[str] = []
    size = 0
    for sentence in sentences[: max(1, max_sentences)]:
        if kept and size + len(sentence) + 1 > max_chars:
            break
        kept.append(sentence)
        size += len(sentence) + 1
    out = " ".join(kept)
    if len(out) <= max_chars:
        return out
    window = out[:max_chars]
    for mark in (";", ",", " "):
        cut = window.rfind(mark)
        if cut > max_chars // 2:
            return window[:cut].rstrip(" ,;:") + "."
    return window.rstrip() + "."


# -- the whole pipeline ------------------------------------------------------------------------


def to_speech(
    text: str, lang: str, *, max_sentences: int = 4, max_chars: int = 500, cite: bool = True
) -> str:
    """A written reply made short and speakable; the cited procedure's code is read last so
    a caller can quote it to staff."""
    body, sources = clean_text(text, lang)
    spoken = shorten(verbalize(body, lang), max_sentences, max_chars)
    if cite and sources:
        spoken = f"{spoken} {verbalize(texts.t(lang, 'spoken.source', 'voice', code=sources[0]), lang)}"
    return spoken.strip()


_LABEL_NUMBER = re.compile(r"^\s*\d{1,2}[.)]\s*")


def option_label(label: str, lang: str) -> str:
    """ "1. Thủ tục đăng ký kết hôn (1.000894)" → "Thủ tục đăng ký kết hôn": the option
    without its number and parenthesised code, spoken."""
    text = _LABEL_NUMBER.sub("", label)
    previous = None
    while previous != text:
        previous, text = text, _PARENS.sub("", text)
    return verbalize(text.strip(" .;"), lang)
