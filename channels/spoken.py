"""The phone's answer about a procedure, composed for the ear from the catalogue record.

The written reply is made for the eye: a fee line "70,000 Việt Nam Đồng(- Cấp lại thẻ căn
cước đối với …" with its catalogue note, a URL, the code. Read aloud it becomes "bảy mươi
phẩy không không không Việt Nam Đồng, gạch …". So the phone does not re-read that text:
from what the reply says (the aspect asked, the procedure, the language) and the record
itself it composes short sentences for the aspect asked (overview, documents, fee, time
limit, where, online), every number, amount and duration in words (``channels.numerals``),
without bracketed notes or links ("trên Cổng dịch vụ công quốc gia"), the procedure code
in groups, and fits them within a spoken-time budget at the voice's speaking rate, then
offers the other aspects on the keypad.

Catalogue text that is not a number (a time limit written as a sentence, an agency, a
document's name) is Vietnamese: Vietnamese callers hear it, cleaned and verbalised;
callers in another language hear what can be said in their language (amounts, durations,
free or not, online or not) and where to read the rest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot import texts
from channels.numerals import amount_words, decimal_words, duration_words, number_words
from channels.speech import code_words, verbalize
from channels.spoken_texts import FOREIGN_CURRENCY, TEXTS
from knowledge.models import Document, Procedure, SubmissionChannel

__all__ = [
    "ASPECTS",
    "DEFAULT_RATES",
    "MENU_ASPECTS",
    "Spoken",
    "aspect_of",
    "ask_place",
    "estimate_seconds",
    "fee_words",
    "render_procedure",
    "speak_vietnamese",
    "syllables",
    "time_words",
]

ASPECTS = ("overview", "documents", "fee", "duration", "where", "online")
# The keypad after an answer: the same digit always means the same aspect.
MENU_ASPECTS: dict[str, str] = {"1": "documents", "2": "fee", "3": "duration", "4": "where", "5": "online"}
_INTENT_ASPECTS = {
    "ask_procedure": "overview",
    "ask_documents": "documents",
    "ask_fee": "fee",
    "ask_duration": "duration",
    "ask_time": "duration",
    "ask_where": "where",
    "ask_online": "online",
}

# Syllables (vi, en, fr, es, ko), characters (zh) or morae (ja) a phone voice says per
# second; deployers tune them for their voice (channels.voice.speech_rates).
DEFAULT_RATES: dict[str, float] = {
    "vi": 4.5,
    "en": 4.0,
    "fr": 4.5,
    "es": 5.0,
    "zh": 4.5,
    "ko": 5.5,
    "ja": 7.0,
}
_PAUSE_SENTENCE = 0.35  # seconds a voice pauses at a full stop
_PAUSE_COMMA = 0.15


def aspect_of(intent: str) -> str | None:
    """The aspect a reply's intent answers ("ask_fee" → "fee"), or None for a reply that
    is not an answer about one procedure."""
    if intent in ASPECTS:
        return intent
    return _INTENT_ASPECTS.get(intent)


def ask_place(lang: str) -> str:
    """What the phone asks when it cannot name the caller's office without the commune."""
    return _t(lang if lang in TEXTS else texts.SOURCE_LANGUAGE, "ask_place")


# == speaking time =============================================================================

_VOWELS = re.compile(r"[aeiouyœæ]+", re.IGNORECASE)
_LATIN = re.compile(r"[A-Za-zÀ-ɏḀ-ỿ]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf〇]")
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _bare(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def syllables(text: str, lang: str) -> float:
    """What the voice has to say, in its rate's unit: Vietnamese syllables are its words;
    Latin-script words count their vowel groups; Chinese its characters; Korean its
    Hangul syllables; Japanese its kana plus two morae a kanji."""
    if lang == "vi":
        return float(len(_WORD.findall(text)))
    # Words in Latin letters (also a Vietnamese office's name in a foreign answer): their
    # vowel groups once accents and tone marks are set aside.
    latin = sum(max(1, len(_VOWELS.findall(_bare(w)))) for w in _LATIN.findall(text))
    if lang == "zh":
        return float(len(_HAN.findall(text)) + latin)
    if lang == "ko":
        return float(len(_HANGUL.findall(text)) + latin)
    if lang == "ja":
        return float(len(_KANA.findall(text)) + 2 * len(_HAN.findall(text)) + latin)
    return float(latin)


def estimate_seconds(text: str, lang: str, rates: Mapping[str, float] | None = None) -> float:
    """How long a voice takes to say ``text``: its syllables at the language's rate, plus
    the pauses at sentence ends and commas."""
    rate = (rates or {}).get(lang) or DEFAULT_RATES.get(lang, 4.5)
    stops = len(re.findall(r"[.!?。！？]", text))
    commas = len(re.findall(r"[,;:、，；：]", text))
    return round(syllables(text, lang) / rate + stops * _PAUSE_SENTENCE + commas * _PAUSE_COMMA, 2)


def _t(lang: str, key: str, **values: Any) -> str:
    return texts.t(lang, f"spoken.{key}", "voice", **values)


# == catalogue text for the ear ==================================================================

_PARENS = re.compile(r"\s*(?:\([^()]*\)|（[^（）]*）|\[[^\[\]]*\])")
_OPEN_PAREN = re.compile(r"\s*[(（\[].*$")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_PORTAL = "trên Cổng dịch vụ công quốc gia"
_SPACES = re.compile(r"\s+")
_BULLET = re.compile(r"^\s*(?:[-–+*•]+\s*|(?:\d{1,2}|[a-zđ])[.)]\s+)", re.IGNORECASE)


def speak_vietnamese(text: str, max_words: int = 0) -> str:
    """Catalogue text as a Vietnamese voice should say it: no bracketed notes (an unclosed
    one is cut with the rest), no links ("trên Cổng dịch vụ công quốc gia"), no list
    markers or quotes, numbers and abbreviations in words; at most ``max_words`` words,
    cut at a clause when one ends near."""
    text = unicodedata.normalize("NFC", text or "")
    text = _URL.sub(_PORTAL, text)
    previous = None
    while previous != text:
        previous, text = text, _PARENS.sub("", text)
    text = _OPEN_PAREN.sub("", text)
    text = _BULLET.sub("", text)
    text = re.sub(r"[“”„\"*]", "", text)
    text = _SPACES.sub(" ", text).strip(" ,;:.-–")
    text = verbalize(text, "vi")
    text = re.sub(r"[()（）\[\]]", "", text)
    if max_words:
        text = _cut(text, max_words)
    return text.strip(" ,;:.-–")


_DANGLING = frozenset("là của được khi và hoặc để cho với theo tại về trong từ các những có đã do".split())


def _cut(text: str, max_words: int) -> str:
    """At most ``max_words`` words: at a clause end when one is past a third, else at a
    word, never ending on a word that announces more ("của", "là", "được")."""
    words = text.split()
    if len(words) <= max_words:
        return text
    window = " ".join(words[:max_words])
    for mark in (";", ":", ","):
        at = window.rfind(mark)
        if at > len(window) // 3:
            return window[:at]
    kept = window.split()
    while len(kept) > 3 and kept[-1].casefold() in _DANGLING:
        kept.pop()
    return " ".join(kept)


# == fees and time limits ==========================================================================

_FEE_LABEL = re.compile(r"^\s*(?:Lệ phí|Phí)\s*:\s*", re.IGNORECASE)
_AMOUNT = re.compile(
    r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(Việt Nam Đồng|VNĐ|VND|vnđ|Đồng|đồng|USD|EUR|đ\b|Đ\b)", re.IGNORECASE
)
_FREE_WORDS = ("miễn phí", "không đồng", "không thu", "miễn lệ phí")
_PER_UNIT = re.compile(
    r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:đồng|đ|vnđ|VNĐ|Đồng)\s*/\s*(?:1\s+|01\s+)?([^\d\s.;,()/:][^\d.;,()/:]{0,40})"
)
_TIME_RE = re.compile(
    r"^(\d+(?:[.,]\d+)?)(?:\s*[-–]\s*(\d+(?:[.,]\d+)?))?\s*(ngày làm việc|ngày|giờ|tháng|năm)?\.?$"
)
_TIME_UNITS = {"ngày làm việc": "working_day", "ngày": "day", "giờ": "hour", "tháng": "month", "năm": "year"}


def _number(text: str) -> int:
    return int(re.sub(r"[.,]", "", text))


def _per_unit(fee: str, vnd: int) -> str:
    """ "70.000 đồng/thẻ căn cước" → "thẻ căn cước": what the published amount is per."""
    for match in _PER_UNIT.finditer(fee):
        if _number(match.group(1)) not in (vnd, vnd // 1000):
            continue
        unit = match.group(2).strip(" -–")
        words = unit.split()
        if 0 < len(words) <= 4 and all(w.isalpha() for w in words):
            return unit.lower()
    return ""


def fee_words(ch: SubmissionChannel, lang: str) -> str | None:
    """The channel's fee as said aloud, or None when the catalogue states none.

    The parsed amount (``fee_vnd``) first, with what it is per in Vietnamese; otherwise the
    amounts the published headlines state (several: a range "tùy trường hợp"); a "free"
    headline whose note names charges is said to be so; never a number the catalogue does
    not state."""
    text = unicodedata.normalize("NFC", ch.fee or "").strip()
    if ch.fee_vnd == 0:
        return _t(lang, "free")
    if ch.fee_vnd is not None and ch.fee_vnd > 0:
        per = _per_unit(text, ch.fee_vnd) if lang == "vi" else ""
        return amount_words(ch.fee_vnd, lang) + (_t(lang, "per", unit=speak_vietnamese(per)) if per else "")
    if not text or text.casefold().startswith("không có thông tin"):
        return None
    # One headline a case ("Phí : 2.000.000 Đồng (case) Phí : 3.500.000 Đồng (case)"), each
    # without its note.
    pieces = [p for line in text.splitlines() for p in re.split(r"(?=\b(?:Lệ phí|Phí)\s*:)", line)]
    heads = [h for p in pieces if (h := _FEE_LABEL.sub("", p).partition("(")[0].strip())]
    amounts: set[int] = set()
    foreign: list[str] = []
    for head in heads:
        for match in _AMOUNT.finditer(head):
            value, unit = _number(match.group(1)), match.group(2).upper()
            if unit in FOREIGN_CURRENCY:
                foreign.append(f"{number_words(value, lang)} {FOREIGN_CURRENCY[unit][lang]}")
            elif value >= 1000:  # smaller headlines are the portal's thousands, unconfirmed
                amounts.add(value)
    if foreign:
        return _t(lang, "or").join(dict.fromkeys(foreign))
    if len(amounts) == 1:
        return amount_words(amounts.pop(), lang)
    if len(amounts) > 1:
        return _t(
            lang, "fee_range", low=amount_words(min(amounts), lang), high=amount_words(max(amounts), lang)
        )
    folded = " ".join(heads).casefold()
    if any(word in folded for word in _FREE_WORDS) or re.search(r"\b0\s*đồng", folded):
        return _t(lang, "fee_free_note")
    return _t(lang, "fee_other")


def time_words(ch: SubmissionChannel, lang: str) -> str | None:
    """The channel's time limit as said aloud, or None when the catalogue states none."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", ch.time_limit or "")).strip()
    match = _TIME_RE.match(text.casefold())
    if match:
        low, high, unit = match.group(1), match.group(2), match.group(3)
        values = [float(v.replace(",", ".")) for v in (low, high) if v]
        if values[0] == 0 and len(values) == 1:
            return None
        if unit is None:
            said = [decimal_words(v, lang) for v in values]
            n = said[0] if len(said) == 1 else _t(lang, "time_range", low=said[0], high=said[1])
            return _t(lang, "time_no_unit", n=n)
        kind = _TIME_UNITS[unit]
        if len(values) == 2:
            low_words = decimal_words(values[0], lang)
            return _t(lang, "time_range", low=low_words, high=duration_words(values[1], kind, lang))
        return duration_words(values[0], kind, lang)
    if text and text.casefold() not in ("không có thông tin",):
        if lang == "vi":
            return speak_vietnamese(text, max_words=25)
        return _t(lang, "time_text")
    if ch.time_days:
        return duration_words(ch.time_days, "working_day" if ch.working_days else "day", lang)
    return None


def _per_channel(proc: Procedure, lang: str, said: Sequence[str | None]) -> str | None:
    """One value when every channel has the same; else "nộp trực tiếp: …; trực tuyến: …"."""
    pairs = [(ch, v) for ch, v in zip(proc.channels, said, strict=True) if v]
    if not pairs:
        return None
    values = list(dict.fromkeys(v for _, v in pairs))
    if len(values) == 1:
        return values[0]
    seen: dict[str, str] = {}
    for ch, value in pairs:
        label = _t(lang, ch.kind) if ch.kind in ("in_person", "online", "post") else ch.kind
        seen.setdefault(label, value)
    return _t(lang, "pair_sep").join(_t(lang, "pair", channel=k, value=v) for k, v in seen.items())


# == documents, place ================================================================================


def _main_documents(documents: Sequence[Document]) -> list[Document]:
    """Documents everyone brings first, then those of particular cases; the portal's notes
    about the online form are not documents to bring."""
    docs = [d for d in documents if d.name and d.name.strip()]
    docs = [
        d
        for d in docs
        if not d.name.strip().casefold().startswith(("phiếu này là", "lưu ý", "ghi chú", "số lượng hồ sơ"))
    ]
    return [d for d in docs if not d.group] + [d for d in docs if d.group]


def _agency(proc: Procedure) -> str:
    agency = proc.implementing_agency or proc.competent_agency or ""
    agency = re.split(r"[;(]| hoặc | - ", agency, maxsplit=1)[0]
    return speak_vietnamese(agency, max_words=14)


# == the answer ======================================================================================


@dataclass(slots=True)
class Spoken:
    """What the phone says about a procedure: the answer's sentences, then the menu."""

    lang: str
    sentences: list[str] = field(default_factory=list)
    menu: str = ""
    seconds: float = 0.0

    @property
    def answer(self) -> str:
        return " ".join(self.sentences)

    @property
    def text(self) -> str:
        return " ".join([*self.sentences, self.menu]).strip()


def _menu(lang: str, current: str) -> str:
    # Digits in words too: the whole turn is words, whatever the voice does with numerals.
    items = [
        _t(lang, "menu_item", n=number_words(int(digit), lang), label=_t(lang, f"{aspect}_label"))
        for digit, aspect in MENU_ASPECTS.items()
        if aspect != current
    ]
    return _t(lang, "menu", items=_t(lang, "menu_sep").join(items), zero=number_words(0, lang))


def _name(proc: Procedure, lang: str) -> str:
    if lang == "vi":
        return speak_vietnamese(proc.name, max_words=16)
    # Another language has no official name: the first clause of the description in it.
    head = (proc.descriptions or {}).get(lang, "")
    return _cut(re.split(r"[.:;(,]", head, maxsplit=1)[0].strip(), 10) if head else ""


def render_procedure(
    proc: Procedure,
    aspect: str,
    lang: str,
    *,
    sms: bool = False,
    centre: Any = None,
    rates: Mapping[str, float] | None = None,
    max_seconds: float = 20.0,
    menu: bool = True,
    question: str = "",
) -> Spoken:
    """The spoken answer about ``proc`` for ``aspect`` (one of ``ASPECTS``), within
    ``max_seconds`` of speech (menu included) at the language's rate.

    Sentences come in order of importance for the aspect; the least important are left out
    until the whole fits (the first is always kept, shortened when it alone is too long).
    The code is read in groups, or offered by SMS (digit 9) when the phone can send one.
    ``centre`` (name, address, phone) is the office the assistant found for the caller;
    ``question`` what the assistant asks back (the commune, to name the office)."""
    if aspect not in ASPECTS:
        raise ValueError(f"unknown aspect {aspect!r}; expected one of {ASPECTS}")
    if lang not in TEXTS:
        lang = texts.SOURCE_LANGUAGE
    fee = _per_channel(proc, lang, [fee_words(ch, lang) for ch in proc.channels])
    time = _per_channel(proc, lang, [time_words(ch, lang) for ch in proc.channels])
    code = (
        _t(lang, "code_sms", nine=number_words(9, lang))
        if sms
        else _t(lang, "code", code=code_words(proc.code, lang))
    )
    name = _name(proc, lang)
    title = _t(lang, "name", name=name) if name else ""

    where = _where(proc, lang, centre)
    online = _online(proc, lang)
    main: list[str]  # the aspect asked, in the order it is said
    extra: list[str]  # what else helps, most useful first
    free = fee == _t(lang, "free")
    if aspect == "fee":
        said_fee = _t(lang, "fee_free") if free else _t(lang, "fee", fee=fee) if fee else _t(lang, "fee_none")
        main, extra = [said_fee], [title]
    elif aspect == "duration":
        main, extra = [_t(lang, "time", time=time) if time else _t(lang, "time_none")], [title]
    elif aspect == "documents":
        main, extra = _documents(proc, lang), [title]
    elif aspect == "where":
        main, extra = [*where[:1], question, *where[1:]], [title]
    elif aspect == "online":
        main, extra = [online], [title]
    else:
        # One sentence for a plain time and fee; a time with a caveat gets its own.
        if fee and time and not re.search(r"[;；,，、]", fee + time):
            facts = _t(lang, "time_and_free" if free else "time_and_fee", time=time, fee=fee)
        else:
            facts = " ".join(
                [
                    _t(lang, "time", time=time) if time else _t(lang, "time_none"),
                    _t(lang, "fee_free")
                    if free
                    else _t(lang, "fee", fee=fee)
                    if fee
                    else _t(lang, "fee_none"),
                ]
            )
        main, extra = ([title, facts] if lang == "vi" else [facts]), [where[0], online]
    # Said in this order: the answer, the name (a reminder), the code, the rest; kept in the
    # order of importance: the answer's first sentence and the code always, then the others.
    said = [s for s in [*main, *extra[:1], code, *extra[1:]] if s]
    first = [s for s in main if s][0]
    importance = [first, code, *[s for s in main if s and s != first], *[s for s in extra if s]]
    return _fit(said, importance, lang, _menu(lang, aspect) if menu else "", rates, max_seconds)


def _where(proc: Procedure, lang: str, centre: Any) -> list[str]:
    out: list[str] = []
    if centre is not None and getattr(centre, "name", None):
        address = getattr(centre, "address", "") or ""
        said_address = speak_vietnamese(address, max_words=20)
        out.append(_t(lang, "centre", name=speak_vietnamese(centre.name, max_words=14), address=said_address))
        phone = getattr(centre, "phone", "") or ""
        if phone and re.search(r"\d", phone):
            out.append(_t(lang, "centre_phone", phone=verbalize(phone, lang)))
    agency = _agency(proc)
    out.insert(0, _t(lang, "where", agency=agency) if agency else _t(lang, "where_none"))
    if lang == "vi" and proc.receiving_address and not out[1:]:
        out.append(_t(lang, "address", address=speak_vietnamese(proc.receiving_address, max_words=20)))
    return out


def _online(proc: Procedure, lang: str) -> str:
    if proc.online:
        return _t(lang, "online_yes")
    kinds = [ch.kind for ch in proc.channels if ch.kind in ("in_person", "post")]
    if kinds:
        return _t(lang, "online_no", channels=_t(lang, "or").join(_t(lang, k) for k in dict.fromkeys(kinds)))
    return _t(lang, "online_unknown")


_QUALIFIER = re.compile(r"\s(?:được|khi|để|trong trường hợp|theo|do|đối với|nếu)\s")


def _document_name(name: str) -> str:
    """What a document is, without the clauses that say when or how ("Phiếu CC01 được tạo
    lập khi …" → "Phiếu CC01")."""
    said = speak_vietnamese(name)
    match = _QUALIFIER.search(said)
    if match and len(said[: match.start()].split()) >= 2:
        said = said[: match.start()]
    return _cut(said, 16).strip(" ,;:")


def _documents(proc: Procedure, lang: str) -> list[str]:
    docs = _main_documents(proc.documents)
    if not docs:
        return [_t(lang, "documents_none")]
    n = number_words(len(docs), lang)
    if lang != "vi":
        return [_t(lang, "documents", n=n)]
    names = list(dict.fromkeys(s for d in docs[:3] if (s := _document_name(d.name))))
    key = "documents" if len(docs) <= len(names) else "documents_main"
    first = _t(lang, key, n=n, list=_t(lang, "list_sep").join(names))
    rest = _t(lang, "documents_rest") if len(docs) > len(names) else ""
    return [first, rest]


def _fit(
    said: list[str],
    importance: list[str],
    lang: str,
    menu: str,
    rates: Mapping[str, float] | None,
    max_seconds: float,
) -> Spoken:
    """The two most important sentences, then each other one that still fits, in the
    order they are said; a first sentence too long is cut to leave room for the code."""

    def cost(kept: list[str]) -> float:
        return estimate_seconds(" ".join([*kept, menu]), lang, rates)

    def in_order(kept: set[str]) -> list[str]:
        return [s for s in said if s in kept]

    kept = set(importance[:2])
    if cost(in_order(kept)) > max_seconds:
        rest = cost([s for s in in_order(kept) if s != importance[0]])
        shorter = _squeeze(importance[0], lang, rates, max_seconds - rest)
        said = [shorter if s == importance[0] else s for s in said]
        kept = {shorter if s == importance[0] else s for s in kept}
    for sentence in importance[2:]:
        if cost(in_order(kept | {sentence})) <= max_seconds:
            kept.add(sentence)
    spoken = Spoken(lang, in_order(kept), menu)
    spoken.seconds = cost(spoken.sentences)
    return spoken


def _squeeze(sentence: str, lang: str, rates: Mapping[str, float] | None, budget: float) -> str:
    """A first sentence too long alone, cut at a clause (else a word, or a character in
    Chinese and Japanese) to fit ``budget`` seconds."""
    cjk = lang in ("zh", "ja")
    stop = "。" if cjk else "."
    units: list[str] = list(sentence) if cjk else sentence.split()
    joiner = "" if cjk else " "
    while len(units) > 6 and estimate_seconds(joiner.join(units) + stop, lang, rates) > budget:
        cut = joiner.join(units[:-1])
        at = max(cut.rfind(m) for m in (";", ",", "，", "、", "；"))
        if at > len(cut) // 2:
            cut = cut[:at]
        units = list(cut) if cjk else cut.split()
    return joiner.join(units).rstrip(" ,;:，、；：。.") + stop
