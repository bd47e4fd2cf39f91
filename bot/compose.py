"""Answer composition: grounded catalogue data → the plain text a citizen reads or hears.

Every function here is pure and deterministic: the same arguments give the same text. The
composer never fills a gap: a field the catalogue leaves empty is reported as "not stated
in the catalogue" and the citizen is sent to the official page, which every procedure
answer cites (code + URL) on its own line.

Output is plain text for chat: no HTML or Markdown, short lines, "•" bullets, blank lines
between blocks. Channels that need another shape (IVR speech, Telegram HTML) adapt it.

Languages: ``i18n.LANGUAGES`` (vi, en, fr, es, zh, ko, ja), all complete. A language tag is
reduced to its primary subtag ("en-US" → "en", "vi-x" → "vi"). An unsupported code falls
back to Vietnamese, logged at debug level: the language detector only emits supported
codes, so an unknown one comes from a client's ``lang`` field, and Vietnamese is the
language of the service, of the catalogue and of every staff member who may read the
conversation later. Catalogue values (procedure names, agencies, document names, published
fee notes) stay in Vietnamese in foreign-language answers, quoted and marked as such, with a
translation only where the glossaries in ``bot.i18n`` have one.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from functools import lru_cache

from bot import i18n, texts
from bot.blocks import Answer, Block, Option, render_text
from knowledge import glossary as phrase_glossary
from knowledge.models import CHANNEL_KINDS, LEVELS, Document, Procedure, SubmissionChannel
from knowledge.text import normalize

log = logging.getLogger(__name__)

FOCUSES: tuple[str, ...] = ("overview", "documents", "fee", "duration", "where", "online")
PORTAL_URL = "https://dichvucong.gov.vn"
OVERVIEW_DOCUMENTS = 6  # main documents listed in an overview before "and N more"
FOCUSED_DOCUMENTS = 20  # when the citizen asked for the documents
MAX_RELATED = 2
MAX_OPTIONS = 9  # a phone keypad offers the digits 1-9 for a choice

_REPEAT_THRESHOLD = 40  # a fee text longer than this is not repeated channel after channel
_NAME_LIMIT = 200  # characters of a published document name or note kept in a chat line
_SPACE_RE = re.compile(r"\s+")
# Values importers sometimes leave in place of an empty field.
_EMPTY_VALUES = frozenset({"không có thông tin", "không có", "chưa có thông tin"})
_LONGEST_EMPTY_VALUE = 24  # longer texts are never a placeholder; skip normalising them
_TIME_RE = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(ngày làm việc|ngày|giờ|tháng|năm)?$")
_TIME_UNITS = {
    "ngày làm việc": "working_day",
    "ngày": "day",
    "giờ": "hour",
    "tháng": "month",
    "năm": "year",
}
_FREE_VALUES = frozenset({"miễn phí", "miễn lệ phí", "miễn phí, lệ phí", "không thu phí", "không thu lệ phí"})
_AMOUNT_NOISE_RE = re.compile(r"việt nam đồng|vnđ|vnd|đồng|[\d.,\s]")


# --------------------------------------------------------------------------- helpers


def normalize_lang(lang: str | None) -> str:
    """The supported language for a tag: primary subtag, lower case; unknown → "vi"."""
    code = (lang or "").strip().lower().replace("_", "-").split("-", 1)[0]
    if code in i18n.MESSAGES:
        return code
    log.debug("unsupported language %r, answering in %s", lang, i18n.DEFAULT_LANGUAGE)
    return i18n.DEFAULT_LANGUAGE


def _t(lang: str, key: str, **values: object) -> str:
    return texts.t(lang, key, "bot", **values)


def _plural(lang: str, key: str, count: float, **values: object) -> str:
    return texts.plural(lang, key, count, "bot", **values)


def _quote(lang: str, text: str) -> str:
    return _t(lang, "quote", text=text)


@lru_cache(maxsize=16384)  # the same published texts are cleaned for every shape of an answer
def _clean(text: str | None) -> str:
    """Published text on one line, NFC; placeholders for "no information" become ""."""
    if not text:
        return ""
    flat = _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    if len(flat) <= _LONGEST_EMPTY_VALUE and _key(flat) in _EMPTY_VALUES:
        return ""
    return flat


def _key(text: str) -> str:
    return normalize(text).casefold().strip(" .;:")


def truncate(text: str, limit: int = _NAME_LIMIT, strip: str = " ,;:.") -> str:
    """At most ``limit`` characters, cut at a word boundary when one is near, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(strip) + "…"


_truncate = truncate


def format_number(value: float, lang: str) -> str:
    """100000 → "100.000" (vi), "100,000" (en), "100 000" (fr, no-break space); 1.5 → "1,5"."""
    return texts.format_number(value, normalize_lang(lang))


def format_money(vnd: int, lang: str) -> str:
    """An amount in đồng: "100.000 đồng" (vi), "100,000 VND" (en), "100,000越南盾" (zh)."""
    lang = normalize_lang(lang)
    return _t(lang, "money", amount=format_number(vnd, lang))


_GLOSSARIES: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "FIELDS": i18n.FIELDS,
    "AGENCIES": i18n.AGENCIES,
}


@lru_cache(maxsize=len(_GLOSSARIES))
def _glossary_index(name: str) -> Mapping[str, Mapping[str, str]]:
    """The glossary keyed by normalised Vietnamese, built on first use."""
    return {_key(vi): translations for vi, translations in _GLOSSARIES[name].items()}


def _lookup(glossary: str, text: str, lang: str) -> str | None:
    if not text or lang == "vi":
        return None
    return _glossary_index(glossary).get(_key(text), {}).get(lang)


def translate_field(field: str, lang: str) -> str | None:
    """The glossary translation of a catalogue field (lĩnh vực), or None when unknown."""
    return _lookup("FIELDS", _clean(field), normalize_lang(lang))


def translate_agency(agency: str, lang: str) -> str | None:
    """The glossary translation of an agency text, or None when some part of it is unknown.

    A known name followed by a qualifier (a parenthesis, "nơi …": where the citizen lives)
    gets the known name's translation; so does a known name followed by its province ("tỉnh
    …", "Thành phố …"), which keeps the place as published. The catalogue often lists several
    agencies, separated by ";", ",", "/", "hoặc" or a dash (a department, then its ministry):
    such a text is translated when every agency in it is known, the longest known names first
    (a name may hold a comma), and the translations are joined in the same way. A list with
    one unknown agency is not translated, since its translation would leave that one out.
    The full published text is always shown beside the translation.
    """
    text = _clean(agency)
    lang = normalize_lang(lang)
    if not text or lang == "vi":
        return None
    return _agency_list(text, lang)


# Between agencies of a list: ";" "," "/" "hoặc" and a dash with a space on one side at least
# ("Cục Hải quan - Bộ Tài chính", "Khu chế xuất- Khu công nghiệp"; not "Hậu cần-Kỹ thuật").
_AGENCY_SEP = re.compile(r"(\s*[;,/]\s*|\s+hoặc\s+|\s+[-–]\s*|\s*[-–]\s+)", re.IGNORECASE)
_AGENCY_JOIN = {";": "; ", ",": ", ", "/": " / ", "-": " – ", "–": " – "}
_AGENCY_JOIN_CJK = {";": "；", ",": "、", "/": " / ", "-": " – ", "–": " – "}
_AGENCY_PLACE = re.compile(r"^(.+?)\s+((?:thành phố|tỉnh|tp\.?)\s+\S.*)$", re.IGNORECASE)
_MAX_AGENCY_PARTS = 12
_PARENTHESIS = re.compile(r"\([^()]*\)")


def _agency_one(text: str, lang: str) -> str | None:
    """One agency: a known name, alone or followed by a qualifier or its province."""
    table = _glossary_index("AGENCIES")
    key = _key(text)
    found = table.get(key)
    if found:
        return found.get(lang)
    if _AGENCY_SEP.search(_PARENTHESIS.sub("", text.strip(" ."))):
        return None  # a list: its agencies are looked up one by one
    for known, translations in table.items():
        if key.startswith(known + " (") or key.startswith(known + " nơi "):
            return translations.get(lang)
    place = _AGENCY_PLACE.match(text.strip(" .;:"))
    if place:
        head = table.get(_key(place.group(1)))
        if head and head.get(lang):
            return _t(lang, "paren", text=head[lang], extra=place.group(2))
    return None


@lru_cache(maxsize=8192)
def _agency_list(text: str, lang: str) -> str | None:
    whole = _agency_one(text, lang)
    if whole:
        return whole
    pieces = _AGENCY_SEP.split(text.strip(" ."))  # [part, sep, part, sep, part …]
    parts, seps = pieces[0::2], pieces[1::2]
    # A parenthesis is a qualifier: a separator inside one does not split the list.
    merged_parts: list[str] = [parts[0]]
    merged_seps: list[str] = []
    for sep, part in zip(seps, parts[1:], strict=True):
        if merged_parts[-1].count("(") > merged_parts[-1].count(")"):
            merged_parts[-1] += sep + part
        else:
            merged_seps.append(sep)
            merged_parts.append(part)
    n = len(merged_parts)
    if n < 2 or n > _MAX_AGENCY_PARTS:
        return None
    # best[i]: the translation of the first i parts in the fewest known names.
    best: list[tuple[int, str] | None] = [None] * (n + 1)
    best[0] = (0, "")
    for i in range(n):
        if best[i] is None:
            continue
        count, done = best[i]  # type: ignore[misc]
        for j in range(n, i, -1):
            name = merged_parts[i]
            for k in range(i + 1, j):
                name += merged_seps[k - 1] + merged_parts[k]
            translation = _agency_one(name, lang)
            if not translation:
                continue
            joiner = ""
            if i:
                sep = merged_seps[i - 1].strip().casefold()
                joiner = (_AGENCY_JOIN_CJK if lang in ("zh", "ja") else _AGENCY_JOIN).get(sep, " / ")
            candidate = (count + 1, done + joiner + translation)
            if best[j] is None or candidate[0] < best[j][0]:  # type: ignore[index]
                best[j] = candidate
    final = best[n]
    return final[1] if final else None


def _glossed(lang: str, shown: str, text: str) -> str:
    """``shown`` followed by the glossary's translation of ``text`` in foreign answers.

    The official Vietnamese stays first: it is what the office's forms and staff use.
    """
    if lang == "vi":
        return shown
    translation = phrase_glossary.translate(text, lang)
    _count(translation)
    return _t(lang, "paren", text=shown, extra=translation) if translation else shown


# Set by translation_stats() while it composes an answer: [values translated, values quoted].
_STATS: ContextVar[list[int] | None] = ContextVar("translation_stats", default=None)


def _count(translation: str | None) -> None:
    stats = _STATS.get()
    if stats is not None:
        stats[0] += bool(translation)
        stats[1] += 1


def _term(lang: str, text: str, glossary: str, limit: int = 0) -> str:
    """A Vietnamese catalogue value shown in ``lang``: translated and quoted, or marked;
    with ``limit``, the value shown is shortened (the translation is of the whole value)."""
    shown = _truncate(text, limit) if limit else text
    if lang == "vi":
        return shown
    if glossary == "AGENCIES":
        translation = translate_agency(text, lang)
    else:
        translation = _lookup(glossary, text, lang)
    _count(translation)
    if translation:
        return _t(lang, "term_translated", translation=translation, quoted=_quote(lang, shown))
    return _t(lang, "term_vietnamese", quoted=_quote(lang, shown))


# --------------------------------------------------------------- procedure fields


def _title(proc: Procedure, lang: str, name_translation: str | None, limit: int = 0) -> str:
    name = _clean(proc.name) or proc.code
    if limit:
        name = _truncate(name, limit)
    if lang == "vi":
        return name
    translation = _clean(name_translation)
    if translation and limit:
        translation = _truncate(translation, limit)
    if translation:
        return _t(lang, "title_translated", name=name, translation=translation, quoted=_quote(lang, name))
    return _t(lang, "title_plain", name=name, quoted=_quote(lang, name))


_SUMMARY_CHARS = 120
_SENTENCE_END = re.compile(r"(?<=[.;。；])\s*")


def summary(proc: Procedure, lang: str, limit: int = _SUMMARY_CHARS) -> str:
    """What the procedure is, in the reader's language: the first sentence of its description
    in citizens' words (knowledge/data/descriptions), shortened; "" when there is none. A
    foreign resident reads it beside the official Vietnamese name."""
    text = _clean(proc.descriptions.get(lang, ""))
    if not text:
        return ""
    first = _SENTENCE_END.split(text, maxsplit=1)[0].strip() or text
    return _truncate(first.rstrip(".;。；"), limit)


def _channel_label(ch: SubmissionChannel, lang: str) -> str:
    if ch.kind in CHANNEL_KINDS:
        return _t(lang, f"channel_{ch.kind}")
    return ch.kind


def _time(ch: SubmissionChannel, lang: str) -> str | None:
    """The channel's time limit in ``lang``; None when the catalogue gives none."""
    text = _clean(ch.time_limit)
    if text:
        match = _TIME_RE.match(text.casefold())
        if match is None:
            # A sentence ("Trong ngày", "15 ngày kể từ ...") is published as is, not reworded.
            quoted = _glossed(lang, _quote(lang, _truncate(text)), text)
            return _t(lang, "as_published", text=_truncate(text), quoted=quoted)
        n = float(match.group(1).replace(",", "."))
        shown = format_number(n, lang)
        if match.group(2) is None:
            return _t(lang, "time_unit_missing", n=shown)
        return _plural(lang, f"unit_{_TIME_UNITS[match.group(2)]}", n, n=shown)
    if ch.time_days is not None:
        unit = "working_day" if ch.working_days else "day"
        return _plural(lang, f"unit_{unit}", ch.time_days, n=format_number(ch.time_days, lang))
    return None


def _is_free_text(text: str) -> bool:
    return _key(text) in _FREE_VALUES


def _is_amount_only(text: str) -> bool:
    return not _AMOUNT_NOISE_RE.sub("", _key(text))


def _fee(ch: SubmissionChannel, lang: str) -> str | None:
    """The channel's fee in ``lang``; None when the catalogue gives none.

    The parsed amount (``fee_vnd``) is formatted for the language; whatever else the
    published text says (conditions, exemptions, "per copy") is kept verbatim beside it.
    """
    text = _clean(ch.fee)
    if ch.fee_vnd == 0 or (ch.fee_vnd is None and text and _is_free_text(text)):
        base = _t(lang, "free")
        plain = not text or _is_free_text(text)
    elif ch.fee_vnd is not None and ch.fee_vnd > 0:
        base = format_money(ch.fee_vnd, lang)
        plain = not text or _is_amount_only(text)
    elif text:
        short = _truncate(text)
        return _t(lang, "as_published", text=short, quoted=_glossed(lang, _quote(lang, short), text))
    else:
        return None
    if plain:
        return base
    note = _truncate(text)
    return _t(lang, "fee_note", base=base, text=note, quoted=_glossed(lang, _quote(lang, note), text))


def _levels(proc: Procedure, lang: str) -> str:
    shown = [_t(lang, f"level_{lv}") if lv in LEVELS else lv for lv in proc.levels if lv]
    return _t(lang, "list_sep").join(shown)


def _agency_lines(proc: Procedure, lang: str) -> tuple[list[str], bool]:
    """Who handles it and at which level; the flag is True when the agency is missing."""
    implementing = _clean(proc.implementing_agency)
    competent = _clean(proc.competent_agency)
    lines: list[str] = []
    if implementing or competent:
        agency = implementing or competent
        lines.append(_t(lang, "handled_by", agency=_term(lang, agency, "AGENCIES")))
        if implementing and competent and _key(implementing) != _key(competent):
            lines.append(_t(lang, "decided_by", agency=_term(lang, competent, "AGENCIES")))
    else:
        lines.append(_t(lang, "agency_not_stated"))
    levels = _levels(proc, lang)
    if levels:
        lines.append(_t(lang, "level", levels=levels))
    return lines, not (implementing or competent)


def _fees(proc: Procedure, lang: str) -> list[str | None]:
    """Each channel's fee; a long text equal to the previous channel's is said "as above".

    Published fee notes are often one paragraph repeated for every channel; saying it once
    keeps the answer readable on a phone without dropping anything.
    """
    fees: list[str | None] = []
    previous: str | None = None
    for ch in proc.channels:
        fee = _fee(ch, lang)
        if fee is not None and fee == previous and len(fee) > _REPEAT_THRESHOLD:
            fees.append(_t(lang, "same_as_above"))
        else:
            fees.append(fee)
        previous = fee
    return fees


def _channel_lines(proc: Procedure, lang: str) -> tuple[list[str], bool]:
    if not proc.channels:
        return [_t(lang, "channels_not_stated")], True
    lines = [_t(lang, "channels_header")]
    for ch, fee in zip(proc.channels, _fees(proc, lang), strict=True):
        lines.append(_channel_line(ch, lang, fee))
    return lines, False


def _channel_line(ch: SubmissionChannel, lang: str, fee: str | None) -> str:
    not_stated = _t(lang, "not_stated")
    details = _t(lang, "part_sep").join(
        (
            _t(lang, "time_part", time=_time(ch, lang) or not_stated),
            _t(lang, "fee_part", fee=fee or not_stated),
        )
    )
    return _t(lang, "channel_line", channel=_channel_label(ch, lang), details=details)


def _channels_available(proc: Procedure, lang: str) -> str:
    labels = dict.fromkeys(_channel_label(ch, lang) for ch in proc.channels)
    return _t(lang, "channels_available", channels=_t(lang, "list_sep").join(labels))


def _document_line(doc: Document, lang: str) -> str:
    extras: list[str] = []
    form = _clean(doc.form)
    if form:
        extras.append(_t(lang, "doc_form", form=_truncate(form, 80)))
    if doc.originals:
        extras.append(_plural(lang, "doc_originals", doc.originals, n=doc.originals))
    if doc.copies:
        extras.append(_plural(lang, "doc_copies", doc.copies, n=doc.copies))
    name = _clean(doc.name)
    text = _glossed(lang, _truncate(name), name)
    if extras:
        text = _t(lang, "paren", text=text, extra=_t(lang, "list_sep").join(extras))
    return _t(lang, "bullet", text=text)


def _document_lines(proc: Procedure, lang: str, limit: int, header: str) -> tuple[list[str], bool]:
    docs = ordered_documents(proc)
    if not docs:
        return [_t(lang, "documents_not_stated")], True
    lines = [_t(lang, header)]
    current_group = ""
    for doc in docs[:limit]:
        group = _clean(doc.group)
        if group and group != current_group:
            lines.append(_t(lang, "doc_group", group=_truncate(group, 160)))
        current_group = group
        lines.append(_document_line(doc, lang))
    rest = len(docs) - limit
    if rest > 0:
        lines.append(_plural(lang, "documents_more", rest, n=rest))
    return lines, False


def _official_url(proc: Procedure) -> str:
    url = _clean(proc.url)
    return url if url.startswith(("https://", "http://")) else ""


def _citation(proc: Procedure, lang: str) -> str:
    url = _official_url(proc)
    if url:
        return _t(lang, "citation", code=proc.code, url=url)
    return _t(lang, "citation_no_url", code=proc.code, url=PORTAL_URL)


def procedure_line(proc: Procedure, lang: str) -> str:
    """One line naming a procedure: its code and name (in a foreign answer, what it is in
    the reader's language when the descriptions say it)."""
    name = (summary(proc, lang) if lang != "vi" else "") or _clean(proc.name) or proc.code
    return _t(normalize_lang(lang), "related_line", code=proc.code, name=name)


def _related_lines(proc: Procedure, others: Sequence[Procedure], lang: str) -> list[str]:
    seen = {proc.code}
    lines: list[str] = []
    for other in others:
        if other.code in seen:
            continue
        seen.add(other.code)
        name = _clean(other.name) or other.code
        lines.append(_t(lang, "related_line", code=other.code, name=name))
        if len(lines) == MAX_RELATED:
            break
    return [_t(lang, "related_header"), *lines] if lines else []


def _per_channel(proc: Procedure, lang: str, header: str, missing: str, value: str) -> tuple[list[str], bool]:
    """One bullet per channel with its fee (value="fee") or time limit (value="time")."""
    if value == "fee":
        values = _fees(proc, lang)
    else:
        values = [_time(ch, lang) for ch in proc.channels]
    if not any(values):
        return [_t(lang, missing)], True
    not_stated = _t(lang, "not_stated")
    lines = [_t(lang, header)]
    for ch, v in zip(proc.channels, values, strict=True):
        label = _channel_label(ch, lang)
        lines.append(_t(lang, "bullet_pair", label=label, value=v or not_stated))
    return lines, False


def _online_lines(proc: Procedure, lang: str) -> tuple[list[str], bool]:
    online = proc.channel("online")
    if online is not None:
        # Where to submit, not the record's page: that one is cited once, at the end.
        line = _channel_line(online, lang, _fee(online, lang))
        return [_t(lang, "online_yes", url=PORTAL_URL), line], False
    if proc.channels:
        return [_t(lang, "online_no"), _channels_available(proc, lang)], False
    return [_t(lang, "online_unknown")], True


def _where_lines(proc: Procedure, lang: str) -> tuple[list[str], bool]:
    lines = [_t(lang, "where_header")]
    agency, missing = _agency_lines(proc, lang)
    lines.extend(agency)
    address = _clean(proc.receiving_address)
    if address:
        lines.append(_t(lang, "receiving_address", address=_truncate(address, 300)))
    else:
        lines.append(_t(lang, "address_not_stated"))
    if proc.channels:
        lines.append(_channels_available(proc, lang))
    return lines, missing


# ---------------------------------------------------------------- aspect menu

# The aspects a citizen can ask for next, in menu order; keys are those of the dialogue
# policy ("time" is the composer's "duration" focus).
ASPECTS: tuple[str, ...] = ("documents", "fee", "time", "where", "online")
ASPECT_FOCUS: Mapping[str, str] = {
    "documents": "documents",
    "fee": "fee",
    "time": "duration",
    "where": "where",
    "online": "online",
}
_FOCUS_ASPECT: Mapping[str, str] = {focus: key for key, focus in ASPECT_FOCUS.items()}


def aspect_options(lang: str, focus: str = "overview") -> list[tuple[str, str]]:
    """The numbered aspect menu after an answer led by ``focus``: (key, label) pairs.

    The aspect just answered is left out, so the menu offers only what the citizen has not
    seen; option ``n`` is ``result[n - 1]``. "0" (a staff member) is not an option: every
    channel offers it beside the menu (see :func:`aspect_menu`). ``focus`` is a composer
    focus (``FOCUSES``) or an aspect key ("time").
    """
    lang = normalize_lang(lang)
    answered = _FOCUS_ASPECT.get(focus, focus)
    return [(key, _t(lang, f"aspect_{key}")) for key in ASPECTS if key != answered]


# ------------------------------------------------------------------ public answers


def procedure_answer(
    proc: Procedure,
    lang: str,
    focus: str = "overview",
    others: Sequence[Procedure] = (),
    *,
    name_translation: str | None = None,
    full: bool = False,
) -> Answer:
    """The answer about one procedure, led by ``focus``, always citing the record once.

    ``focus`` is one of ``FOCUSES``; ``others`` are the next search candidates (related
    procedures, at most ``MAX_RELATED``); ``name_translation`` is a translation of the
    procedure's name into ``lang`` (the Vietnamese official name is always shown too).

    The first message (``full`` False) answers the aspect asked in at most
    ``FIRST_MESSAGE_CHARS`` characters: the title, that aspect (main documents before
    special cases; fee amounts; time limits), the citation, and the numbered menu of the
    other aspects (:func:`aspect_options`). The other aspects, the complete lists and the
    related procedures travel as non-primary blocks that richer media show on request.
    ``full`` True gives the aspect in full (every document up to ``FOCUSED_DOCUMENTS``,
    published fee notes): what a citizen gets who asks again for it.

    The result is the plain text, carrying its blocks (``bot.blocks.Answer``).
    """
    return Answer(procedure_blocks(proc, lang, focus, others, name_translation=name_translation, full=full))


def procedure_blocks(
    proc: Procedure,
    lang: str,
    focus: str = "overview",
    others: Sequence[Procedure] = (),
    *,
    name_translation: str | None = None,
    full: bool = False,
) -> list[Block]:
    """The blocks of :func:`procedure_answer` (primary blocks first, in reading order)."""
    if focus not in FOCUSES:
        raise ValueError(f"unknown focus {focus!r}; expected one of {FOCUSES}")
    lang = normalize_lang(lang)
    if name_translation is None and lang != "vi":
        name_translation = summary(proc, lang)
    title = _title(proc, lang, name_translation)
    if full:
        primary = _full_blocks(proc, lang, focus, title)
        shown = {b.kind for b in primary}
    else:
        shorter = {n: _title(proc, lang, name_translation, limit=n) for n in _SHORT_TITLES}
        primary = _first_blocks(proc, lang, focus, title, shorter)
        shown = set()  # the short forms leave things out: the full sections stay on request
    token = _STATS.set(None)  # translation_stats() counts what the message says, not the sections
    try:
        extra = [b for b in _detail_blocks(proc, lang) if b.kind not in shown]
    finally:
        _STATS.reset(token)
    related = _related_lines(proc, others, lang)
    if related:
        extra.append(Block("related", title=related[0], lines=related[1:], primary=False))
    return [*primary, _menu_block(lang, focus), *extra]


# ------------------------------------------------------------ the first message

FIRST_MESSAGE_CHARS = 600  # the chat text of a first answer (issue 11: answers, not walls of text)
# Tighter and tighter shapes of the first message, tried in order until it fits:
# (documents listed, characters of a document name, characters of a catalogue note); the
# last shape also leaves the field out of an overview.
_FIT_LEVELS: tuple[tuple[int, int, int], ...] = (
    (5, 110, 110),
    (4, 80, 80),
    (3, 60, 60),
    (2, 45, 45),
    (1, 40, 40),
    (1, 30, 30),
    (1, 25, 25),
)
# Characters of a procedure's name in the three tightest shapes (the citation links to it).
_SHORT_TITLES = (100, 60, 40)
_MAIN_GROUP_WORDS = ("giấy tờ phải nộp", "thành phần hồ sơ", "hồ sơ gồm", "hồ sơ bao gồm", "giấy tờ nộp")
_NOTE_WORDS = ("lưu ý", "ghi chú", "chú ý")
_CASE_WORDS = ("trường hợp", "đối với", "nếu ", "riêng ")
_AMOUNT_RE = re.compile(
    r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:việt nam đồng|đồng|vnđ|vnd)(/\s?[^\s.,;:()/\d]+(?: [^\s.,;:()/\d]+){0,2})?",
    re.IGNORECASE,
)
_CLAUSE_RE = re.compile(r"(?<=[.;,])\s+|\s+[-+]\s+|^[-+]\s*|\n|[()]")
_FEE_WORDS = ("lệ phí", "mức thu", "phí")  # the context of an amount that is the fee itself


_FORM_WORDS = ("tờ khai", "mẫu ", "đơn đề nghị", "đơn xin", "phiếu đề nghị", "bản khai")
_CASE_INSIDE = (" trong trường hợp ", " đối với trường hợp ", "(trường hợp ")


@lru_cache(maxsize=8192)
def _tier(text: str, *, group: bool) -> int:
    """-1 the application form, 0 the documents everyone submits, 1 those shown at the desk
    or listed under a long heading, 2 a particular case, 3 notes: the common case first."""
    # Case folding suffices for these words (no tone mark in question): normalize() is
    # too slow for every document of every answer.
    key = unicodedata.normalize("NFC", text).casefold().strip(" .;:")
    if not key or (group and key.startswith(_MAIN_GROUP_WORDS)):
        return 0
    if key.startswith(_NOTE_WORDS):
        return 3
    if key.startswith(_CASE_WORDS) or any(w in f" {key}" for w in _CASE_INSIDE):
        return 2
    if not group:
        return -1 if key.startswith(_FORM_WORDS) else 0
    if "xuất trình" in key or " nộp" in f" {key}":
        return 1
    return 2


def _document_tier(doc: Document) -> int:
    group = _tier(doc.group, group=True)
    own = _tier(doc.name, group=False)
    if own == -1:
        # The form to fill in comes first, unless it belongs to a particular case.
        return -1 if group <= 1 else group
    return max(group, own)


def ordered_documents(proc: Procedure) -> list[Document]:
    """The documents with the common case first: the form, the main list, then what is
    shown at the desk, then particular cases (a case with fewer qualifiers first), then
    notes. Documents of one case stay together and in published order."""
    docs = [d for d in proc.documents if _clean(d.name)]
    first_seen: dict[str, int] = {}
    for i, doc in enumerate(docs):
        first_seen.setdefault(doc.group.strip(), i)

    def rank(item: tuple[int, Document]) -> tuple[int, int, int, int, int]:
        i, doc = item
        tier = _document_tier(doc)
        qualifiers = len(doc.group.split()) if tier == 2 else 0
        form = _tier(doc.name, group=False) == -1
        return tier, qualifiers, first_seen[doc.group.strip()], not form, i

    return [doc for _, doc in sorted(enumerate(docs), key=rank)]


def _main_documents(proc: Procedure) -> tuple[list[Document], int]:
    """The documents of the common case (tiers 0-1, or the first case when the record has
    nothing else) and how many other documents the record lists."""
    docs = ordered_documents(proc)
    main = [d for d in docs if _document_tier(d) <= 1]
    if not main and docs:
        main = [d for d in docs if d.group.strip() == docs[0].group.strip()]
    return main, len(docs) - len(main)


def _short_document(doc: Document, lang: str, limit: int) -> str:
    # Counts of originals and copies wait for the full list: the first message names the papers.
    name = _clean(doc.name)
    return _t(lang, "bullet", text=_glossed(lang, _truncate(name, limit), name))


def _first_documents(proc: Procedure, lang: str, count: int, limit: int) -> Block:
    main, others = _main_documents(proc)
    if not main:
        return Block("documents", lines=[_t(lang, "documents_not_stated")])
    lines = []
    group = _clean(main[0].group)
    if group and _tier(group, group=True) == 2:
        lines.append(_t(lang, "doc_group", group=_truncate(group, limit)))
    lines += [_short_document(d, lang, limit) for d in main[:count]]
    rest = len(main) - count
    if rest > 0:
        lines.append(_plural(lang, "first_documents_more", rest, n=rest))
    if others:
        lines.append(_plural(lang, "first_documents_cases", others, n=others))
    return Block("documents", title=_t(lang, "documents_header"), lines=lines)


def _amounts(text: str) -> list[tuple[int, str, re.Match[str]]]:
    """(amount in đồng, unit such as "/lần", match) for each amount a published text states."""
    found = []
    for match in _AMOUNT_RE.finditer(text):
        digits = re.sub(r"[.,]", "", match.group(1))
        if digits.isdigit() and int(digits) > 0:
            found.append((int(digits), (match.group(2) or "").replace("/ ", "/"), match))
    return found


def _amount_clause(note: str, match: re.Match[str], limit: int) -> str:
    """The clause of a published note that states one amount, with the words around it
    ("mức 115.000 đồng khi nộp trực tuyến"), at most about ``limit`` characters."""
    start = 0
    for sep in _CLAUSE_RE.finditer(note[: match.start()]):
        start = sep.end()
    for earlier in _AMOUNT_RE.finditer(note[: match.start()]):
        start = max(start, earlier.end())
    following = _CLAUSE_RE.search(note, match.end())
    end = following.start() if following else len(note)
    room = max(limit - (match.end() - match.start()), 0)
    before, after = match.start() - start, end - match.end()
    if before + after > room:
        # Keep the words leading to the amount first: they say what it is for.
        keep_before = min(before, max(room * 2 // 3, room - after))
        keep_after = min(after, room - keep_before)
        head = note[match.start() - keep_before : match.start()]
        tail = note[match.end() : match.end() + keep_after]
        if keep_before < before:
            head = "…" + head[head.find(" ") + 1 :] if " " in head else "…" + head
        if keep_after < after:
            tail = (tail[: tail.rfind(" ")] if " " in tail else tail) + "…"
        return f"{head}{note[match.start() : match.end()]}{tail}".strip(" -+:;,.")
    return note[start:end].strip(" -+:;,.")


def _fee_value(ch: SubmissionChannel, lang: str, note_chars: int) -> str | None:
    """A channel's fee for a first message: the amount in figures (or "free"), then the
    other amounts the published note states, each with its few words of context."""
    text = _clean(ch.fee)
    found = _amounts(text)
    if ch.fee_vnd == 0 or (ch.fee_vnd is None and text and _is_free_text(text.split("(")[0])):
        base, main_amount = _t(lang, "free"), 0
    elif ch.fee_vnd is not None and ch.fee_vnd > 0:
        main_amount = ch.fee_vnd
        unit = next((u for amount, u, _ in found if amount == main_amount and u), "")
        base = format_money(main_amount, lang) + (unit if lang == "vi" else "")
    elif found:
        # No parsed amount: the published words say what the figure is ("decided by the
        # province; the portal shows 150.000 đồng"), so they are quoted, shortened around
        # the figures, never cut before them.
        if len(text) > note_chars + 40:
            text = "; ".join(_amount_clause(text, m, max(note_chars, 60)) for _, _, m in found[:2])
        return _t(lang, "as_published", text=text, quoted=_glossed(lang, _quote(lang, text), text))
    elif text:
        # "145 USD(Thẻ tạm trú có thời hạn ...)": the figure whole, the note shortened.
        head, paren, rest = text.partition("(")
        if len(text) <= max(note_chars, 40):
            short = text
        elif paren and head.strip():
            note = _truncate(rest.rstrip(") "), note_chars) if note_chars else ""
            short = f"{head}({note})" if note else head.strip()
        else:
            short = _truncate(text, max(note_chars, 40))
        return _t(lang, "as_published", text=short, quoted=_glossed(lang, _quote(lang, short), text))
    else:
        return None
    # The other amounts the note states, each with its few words ("Sát hạch lý thuyết:
    # 60.000 đồng/lần"); those said to be a fee ("lệ phí", "mức thu") first.
    clauses: list[tuple[bool, str]] = []
    seen = {main_amount}
    for amount, _, match in found:
        if amount in seen or not note_chars:
            continue
        seen.add(amount)
        clause = _amount_clause(text, match, max(note_chars // 2, 40))
        clauses.append((not any(w in clause.casefold() for w in _FEE_WORDS), clause))
    wanted = 4 if note_chars >= 80 else 2
    shown = [c for _, c in sorted(clauses, key=lambda item: item[0])[:wanted]]
    others = [c if lang == "vi" else _quote(lang, c) for c in shown]
    if not others:
        return base
    return _t(lang, "fee_with_amounts", base=base, notes=_t(lang, "part_sep").join(others))


def _by_value(proc: Procedure, lang: str, values: list[str | None]) -> list[tuple[str, str | None]]:
    """(channels, value) with the channels sharing a value named together."""
    groups: dict[str | None, list[str]] = {}
    for ch, value in zip(proc.channels, values, strict=True):
        groups.setdefault(value, []).append(_channel_label(ch, lang))
    sep = _t(lang, "list_sep")
    # "Trực tiếp, trực tuyến": one label, so only its first word keeps its capital.
    return [
        (sep.join(dict.fromkeys([labels[0], *(label.lower() for label in labels[1:])])), value)
        for value, labels in groups.items()
    ]


def _first_per_channel(
    proc: Procedure,
    lang: str,
    kind: str,
    header: str,
    missing: str,
    values: list[str | None],
    shown_values: int = 5,
) -> Block:
    if not any(values):
        return Block(kind, lines=[_t(lang, missing)])
    grouped = _by_value(proc, lang, values)
    not_stated = _t(lang, "not_stated")
    if len(grouped) == 1:
        return Block(kind, lines=[_t(lang, f"{header}_one_line", value=grouped[0][1])])
    shown = grouped[: max(shown_values, 2)]
    lines = [_t(lang, "bullet_pair", label=label, value=v or not_stated) for label, v in shown]
    if len(grouped) > len(shown):
        lines.append(
            _plural(lang, "first_more_values", len(grouped) - len(shown), n=len(grouped) - len(shown))
        )
    return Block(kind, title=_t(lang, header), lines=lines)


def _first_fee(proc: Procedure, lang: str, note_chars: int, count: int = 5) -> Block:
    values = [_fee_value(ch, lang, note_chars) for ch in proc.channels]
    return _first_per_channel(proc, lang, "fees", "fee_header", "fee_not_stated_all", values, count)


def _first_time(proc: Procedure, lang: str, count: int = 5) -> Block:
    values = [_time(ch, lang) for ch in proc.channels]
    return _first_per_channel(proc, lang, "time", "duration_header", "duration_not_stated_all", values, count)


def _first_where(proc: Procedure, lang: str, limit: int) -> Block:
    implementing = _clean(proc.implementing_agency)
    competent = _clean(proc.competent_agency)
    lines: list[str] = []
    if implementing or competent:
        agency = _term(lang, implementing or competent, "AGENCIES", limit + 20)
        lines.append(_t(lang, "handled_by", agency=agency))
        if implementing and competent and _key(implementing) != _key(competent) and limit > 45:
            lines.append(_t(lang, "decided_by", agency=_term(lang, competent, "AGENCIES", limit + 20)))
    else:
        lines.append(_t(lang, "agency_not_stated"))
    levels = _levels(proc, lang)
    if levels:
        lines.append(_t(lang, "level", levels=levels))
    address = _clean(proc.receiving_address)
    if address:
        lines.append(_t(lang, "receiving_address", address=_truncate(address, limit + 60)))
    return Block("where", title=_t(lang, "where_header"), lines=lines)


def _first_online(proc: Procedure, lang: str) -> Block:
    if proc.channel("online") is not None:
        return Block("online", lines=[_t(lang, "online_yes", url=PORTAL_URL)], url=PORTAL_URL)
    if proc.channels:
        return Block("online", lines=[_t(lang, "online_no"), _channels_available(proc, lang)])
    return Block("online", lines=[_t(lang, "online_unknown")])


def _summary(proc: Procedure, lang: str, title: str, count: int, limit: int, note_chars: int) -> Block:
    """An overview in a few lines: who handles it, time, fee, online, main documents."""
    lines: list[str] = []
    field = _clean(proc.field)
    if field and count > 1:
        lines.append(_t(lang, "field", field=_term(lang, field, "FIELDS")))
    agency = _clean(proc.implementing_agency) or _clean(proc.competent_agency)
    if agency:
        lines.append(_t(lang, "handled_by", agency=_term(lang, agency, "AGENCIES", limit + 20)))
    else:
        lines.append(_t(lang, "agency_not_stated"))
    for block in (_first_time(proc, lang, count), _first_fee(proc, lang, note_chars, count)):
        if block.title:
            lines.append(block.title)
        lines += block.lines
    if proc.channels:
        lines.append(_t(lang, "summary_online_yes" if proc.channel("online") else "summary_online_no"))
    main, others = _main_documents(proc)
    if main:
        sep = _t(lang, "part_sep")
        names = sep.join(
            _glossed(lang, _truncate(_clean(d.name), limit // 2 + 10), d.name) for d in main[:count]
        )
        rest = len(main) - count + others
        key = "summary_documents_more" if rest > 0 else "summary_documents"
        lines.append(_t(lang, key, documents=names, n=rest))
    else:
        lines.append(_t(lang, "documents_not_stated"))
    return Block("summary", title=title, lines=lines)


def _first_blocks(
    proc: Procedure, lang: str, focus: str, title: str, shorter: Mapping[int, str]
) -> list[Block]:
    """The first message: the aspect asked, in the roomiest shape that fits the budget; the
    tightest shapes shorten a very long procedure name (the citation links to it)."""
    roomy = len(_FIT_LEVELS) - len(_SHORT_TITLES)
    titles = dict(zip(_FIT_LEVELS, [title] * roomy + [shorter[n] for n in _SHORT_TITLES], strict=True))
    chosen = _FIT_LEVELS[-1]
    token = _STATS.set(None)  # shapes tried and dropped are not part of the answer
    try:
        for level in _FIT_LEVELS:
            blocks = _first_shape(proc, lang, focus, titles[level], level)
            if len(render_text([*blocks, _menu_block(lang, focus)])) <= FIRST_MESSAGE_CHARS:
                chosen = level
                break
    finally:
        _STATS.reset(token)
    blocks = _first_shape(proc, lang, focus, titles[chosen], chosen)
    # Still too long (a record with very long published texts): the least needed lines of
    # the summary go, "online" first, then from the end; the menu offers each of them, and
    # the sections on request keep them all.
    if focus == "overview":
        summary = blocks[0]
        online = {_t(lang, "summary_online_yes"), _t(lang, "summary_online_no")}
        while (
            len(summary.lines) > 2
            and len(render_text([*blocks, _menu_block(lang, focus)])) > FIRST_MESSAGE_CHARS
        ):
            extra = [i for i, line in enumerate(summary.lines) if line in online]
            summary.lines.pop(extra[0] if extra else -1)
    return blocks


def _first_shape(
    proc: Procedure, lang: str, focus: str, title: str, level: tuple[int, int, int]
) -> list[Block]:
    count, limit, note_chars = level
    if focus == "overview":
        blocks = [_summary(proc, lang, title, count, limit, note_chars)]
    else:
        if focus == "documents":
            aspect = _first_documents(proc, lang, count, limit)
        elif focus == "fee":
            aspect = _first_fee(proc, lang, note_chars, count)
        elif focus == "duration":
            aspect = _first_time(proc, lang, count)
        elif focus == "where":
            aspect = _first_where(proc, lang, limit)
        else:
            aspect = _first_online(proc, lang)
        blocks = [Block("summary", title=title), aspect]
    if _missing(proc, focus):
        blocks.append(Block("notice", lines=[_t(lang, "check_official")]))
    blocks.append(_citation_block(proc, lang))
    return blocks


def _missing(proc: Procedure, focus: str) -> bool:
    """Whether the catalogue leaves out what the answer is about: the citizen is then sent
    to the official page, never left with a guess."""
    no_agency = not (_clean(proc.implementing_agency) or _clean(proc.competent_agency))
    no_docs = not any(_clean(d.name) for d in proc.documents)
    if focus == "overview":
        return no_agency or no_docs or not proc.channels
    if focus == "documents":
        return no_docs
    if focus == "fee":
        return not any(_fee(ch, "vi") for ch in proc.channels)
    if focus == "duration":
        return not any(_time(ch, "vi") for ch in proc.channels)
    if focus == "where":
        return no_agency
    return not proc.channels


def _citation_block(proc: Procedure, lang: str) -> Block:
    return Block(
        "citation", lines=[_citation(proc, lang)], code=proc.code, url=_official_url(proc) or PORTAL_URL
    )


def _menu_block(lang: str, focus: str) -> Block:
    options = [Option(key, label, str(i)) for i, (key, label) in enumerate(aspect_options(lang, focus), 1)]
    options.append(Option("staff", _t(lang, "aspect_staff"), "0"))
    return Block("options", title=_t(lang, "menu_lead"), options=options)


def _full_blocks(proc: Procedure, lang: str, focus: str, title: str) -> list[Block]:
    """The aspect asked in full: every line the catalogue gives for it."""
    head = [title]
    blocks: list[Block] = []
    missing: list[bool] = []
    if focus == "overview":
        field = _clean(proc.field)
        if field:
            head.append(_t(lang, "field", field=_term(lang, field, "FIELDS")))
        agency, no_agency = _agency_lines(proc, lang)
        head.extend(agency)
        channels, no_channels = _channel_lines(proc, lang)
        docs, no_docs = _document_lines(proc, lang, OVERVIEW_DOCUMENTS, "documents_header")
        blocks += [_lines_block("channels", channels), _lines_block("documents", docs)]
        missing += [no_agency, no_channels, no_docs]
        if proc.channels:
            blocks.append(_lines_block("online", _online_lines(proc, lang)[0][:1]))
    else:
        kind, (lines, no_value) = _FOCUS_KINDS[focus], _aspect_lines(proc, lang, focus)
        blocks.append(_lines_block(kind, lines))
        missing.append(no_value)
    summary = Block("summary", title=head[0], lines=head[1:])
    notice = [Block("notice", lines=[_t(lang, "check_official")])] if any(missing) else []
    return [summary, *blocks, *notice, _citation_block(proc, lang)]


_FOCUS_KINDS: Mapping[str, str] = {
    "documents": "documents",
    "fee": "fees",
    "duration": "time",
    "where": "where",
    "online": "online",
}


def _aspect_lines(proc: Procedure, lang: str, focus: str) -> tuple[list[str], bool]:
    if focus == "documents":
        return _document_lines(proc, lang, FOCUSED_DOCUMENTS, "documents_header_full")
    if focus == "fee":
        return _per_channel(proc, lang, "fee_header", "fee_not_stated_all", "fee")
    if focus == "duration":
        return _per_channel(proc, lang, "duration_header", "duration_not_stated_all", "time")
    if focus == "where":
        return _where_lines(proc, lang)
    return _online_lines(proc, lang)


def _lines_block(kind: str, lines: list[str], *, primary: bool = True) -> Block:
    """Lines whose first one is a header ("Thành phần hồ sơ:") become a titled block."""
    if len(lines) > 1 and lines[0].rstrip().endswith((":", "：")):
        return Block(kind, title=lines[0], lines=lines[1:], primary=primary)
    return Block(kind, lines=lines, primary=primary)


def _detail_blocks(proc: Procedure, lang: str) -> list[Block]:
    """Every aspect in full, for the media that show more on request (never in the chat text)."""
    return [
        _lines_block(_FOCUS_KINDS[focus], _aspect_lines(proc, lang, focus)[0], primary=False)
        for focus in ("documents", "fee", "duration", "where", "online")
    ]


def place_answer(
    lang: str,
    *,
    old_name: str | None,
    old_district: str | None,
    old_province: str | None,
    new_units: Sequence[tuple[str, str]],
    partial: bool,
) -> str:
    """What an old commune-level unit became on 1 July 2025.

    ``new_units`` are (full new name, province). With ``old_name`` None the named unit is
    itself in force and ``new_units`` holds it. One unit and not ``partial`` → merged into
    it; several units → the old unit was divided among them; ``partial`` with one unit →
    part of it went there. No unit → we say we have no record (never guess).
    """
    lang = normalize_lang(lang)
    units = [(_clean(name), _clean(province)) for name, province in new_units]
    if old_name is None:
        if not units:
            raise ValueError("place_answer needs old_name or at least one new unit")
        return "\n".join(_t(lang, "place_current", name=name, province=province) for name, province in units)
    old = _clean(old_name)
    parent = _t(lang, "list_sep").join(p for p in (_clean(old_district), _clean(old_province)) if p)
    if parent:
        old = _t(lang, "paren", text=old, extra=parent)
    if not units:
        return _t(lang, "place_unknown", old=old)
    if len(units) == 1:
        name, province = units[0]
        key = "place_part" if partial else "place_merged"
        return _t(lang, key, old=old, new=name, province=province)
    lines = [_t(lang, "place_split", old=old)]
    lines += [_t(lang, "place_unit_line", name=n, province=p) for n, p in units]
    lines.append(_t(lang, "place_split_hint"))
    return "\n".join(lines)


def province_merged(lang: str, old: str, province: str) -> str:
    """ "Since 1 July 2025, the former Ninh Thuận province is part of Khánh Hòa province." """
    return _t(normalize_lang(lang), "province_merged", old=_clean(old), province=_clean(province))


def centre_answer(
    lang: str,
    *,
    commune: str,
    province: str,
    name: str | None,
    address: str | None,
    phone: str | None,
    hours: str | None,
) -> str:
    """Where to submit dossiers in a commune; without an address on record, says so."""
    lang = normalize_lang(lang)
    commune_c, province_c = _clean(commune), _clean(province)
    address_c, phone_c, hours_c = _clean(address), _clean(phone), _clean(hours)
    if not address_c:
        key = "centre_no_address" if commune_c else "centre_no_address_province"
        lines = [_t(lang, key, commune=commune_c, province=province_c, portal=PORTAL_URL)]
        if phone_c:
            lines.append(_t(lang, "centre_phone", phone=phone_c))
        return "\n".join(lines)
    shown_name = _clean(name) or _t(lang, "centre_default_name", commune=commune_c)
    lines = [
        _t(lang, "centre_header", commune=commune_c, province=province_c),
        _t(lang, "centre_name", name=shown_name),
        _t(lang, "centre_address", address=address_c),
    ]
    if phone_c:
        lines.append(_t(lang, "centre_phone", phone=phone_c))
    if hours_c:
        lines.append(_t(lang, "centre_hours", hours=hours_c))
    return "\n".join(lines)


def clarify_procedures(lang: str, options: Sequence[tuple[str, ...]]) -> tuple[str, list[str]]:
    """A short question and numbered labels ("1. Đăng ký khai sinh (1.001193)").

    ``options`` are (code, name) or (code, name, gist in the reader's language); at most ``MAX_OPTIONS`` are offered so that a caller can
    answer with one digit.
    """
    if not options:
        raise ValueError("clarify_procedures needs at least one option")
    lang = normalize_lang(lang)
    labels = []
    for i, option in enumerate(options[:MAX_OPTIONS], start=1):
        code, name = option[0], option[1]
        text = _t(lang, "paren", text=_clean(name), extra=code) if _clean(name) else code
        # A third element is what the option is in the reader's language (see summary()):
        # siblings' official names differ by a word a foreign resident cannot read.
        gist = _clean(option[2]) if len(option) > 2 and lang != "vi" else ""
        if gist:
            text = f"{gist} — {text}"
        labels.append(f"{i}. {text}")
    return _t(lang, "clarify_procedure"), labels


def clarify_place(lang: str, candidates: Sequence[tuple[str, str, str]]) -> tuple[str, list[str]]:
    """Which of several old units the citizen means: (old unit, district, province)."""
    if not candidates:
        raise ValueError("clarify_place needs at least one candidate")
    lang = normalize_lang(lang)
    shown = candidates[:MAX_OPTIONS]
    names = {_key(name) for name, _, _ in shown}
    if len(names) == 1:
        question = _t(lang, "clarify_place", name=_clean(shown[0][0]))
    else:
        question = _t(lang, "clarify_place_generic")
    sep = _t(lang, "list_sep")
    labels = []
    for i, (name, district, province) in enumerate(shown, start=1):
        parent = sep.join(p for p in (_clean(district), _clean(province)) if p)
        label = f"{_clean(name)} – {parent}" if parent else _clean(name)
        labels.append(f"{i}. {label}")
    return question, labels


def clarify_siblings(lang: str, options: Sequence[tuple[str, ...]]) -> tuple[str, list[str]]:
    """Which variant of one procedure (first issue / re-issue, domestic / foreign, level)."""
    _, labels = clarify_procedures(lang, options)
    return _t(normalize_lang(lang), "clarify_sibling"), labels


def suggest_procedures(lang: str, options: Sequence[tuple[str, ...]]) -> tuple[str, list[str]]:
    """A weak match: the best candidates as numbered options, the question offering "0" for
    a staff member, so that the citizen is never left with "please rephrase" alone. The
    staff choice is not an option: channels number options from 1 (Telegram buttons, the
    phone's "press 1 for …", whose menu already offers 0 for staff)."""
    lang = normalize_lang(lang)
    _, labels = clarify_procedures(lang, options)
    return _t(lang, "suggest_procedures"), labels


def not_in_catalogue(lang: str, topic: str, authority: str) -> str:
    """The catalogue has no procedure on this subject: say so, name who handles it, offer staff."""
    return _t(normalize_lang(lang), "not_in_catalogue", topic=_clean(topic), authority=_clean(authority))


def variant_abroad_not_listed(lang: str, proc: Procedure) -> str:
    """The citizen asks for the procedure under discussion at an embassy or consulate, and
    the catalogue has only its in-country variant: say so, name who handles it abroad, offer
    staff."""
    lang = normalize_lang(lang)
    return _t(lang, "variant_abroad_not_listed", name=procedure_line(proc, lang).lstrip("•– ").strip())


def no_match_offer(lang: str) -> str:
    return _t(normalize_lang(lang), "no_match_offer")


def no_match(lang: str) -> str:
    return _t(normalize_lang(lang), "no_match")


def out_of_scope(lang: str) -> str:
    return _t(normalize_lang(lang), "out_of_scope")


def empty_input(lang: str) -> str:
    return _t(normalize_lang(lang), "empty_input")


def unreadable_input(lang: str) -> str:
    return _t(normalize_lang(lang), "unreadable_input")


def too_short(lang: str) -> str:
    return _t(normalize_lang(lang), "too_short_input")


def too_long(lang: str) -> str:
    return _t(normalize_lang(lang), "too_long")


def handoff_offer(lang: str) -> str:
    return _t(normalize_lang(lang), "handoff_offer")


def handoff_started(lang: str, case_id: str | None = None) -> str:
    lang = normalize_lang(lang)
    if case_id:
        return _t(lang, "handoff_started_case", case_id=case_id)
    return _t(lang, "handoff_started")


def greeting(lang: str) -> str:
    return _t(normalize_lang(lang), "greeting")


def thanks(lang: str) -> str:
    return _t(normalize_lang(lang), "thanks")


def goodbye(lang: str) -> str:
    return _t(normalize_lang(lang), "goodbye")


def say(lang: str, key: str, **values: object) -> str:
    """A conversation message from the catalogue (keys in ``bot.i18n._DIALOGUE``)."""
    return _t(normalize_lang(lang), key, **values)


def translation_stats(
    proc: Procedure,
    lang: str,
    focus: str = "overview",
    others: Sequence[Procedure] = (),
    *,
    full: bool = False,
) -> tuple[int, int]:
    """(values shown with a translation, Vietnamese catalogue values shown) in the answer
    :func:`procedure_answer` gives: document names and cases, published fee and time texts,
    field and agencies. For the evaluation's share of foreign answer lines translated."""
    stats = [0, 0]
    token = _STATS.set(stats)
    try:
        procedure_answer(proc, lang, focus, others, full=full)
    finally:
        _STATS.reset(token)
    return stats[0], stats[1]
