"""Re-parsers for the catalogue's table cells, which the crawl flattened without separators.

The National Public Service Portal renders channels, documents and legal bases as HTML
tables; the crawl kept only their text, so cell boundaries are gone
(``Trực tuyến5 Ngày làm việc10 USD(/lần)Dịch vụ bưu chính...``). These functions find the
boundaries again from what each column can contain: a channel name, a duration, a fee, a
quantity such as ``1 bản chính``, a template file name, a legal document number.

Every parser is pure and total: it never raises on odd input, and returns what it could
recognise. The importers decide what to report (``knowledge.catalogue.checks``).

Parsing runs on text that is NFC but otherwise untouched (``prepare``); each extracted
piece is normalised only at the end (``tidy``), because the tone-mark fix would treat a
glued pair like ``tưMẫu`` as one syllable and move the mark to the wrong letter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from knowledge.models import Document, LegalBasis, SubmissionChannel
from knowledge.text import fold, normalize

NO_INFO = "Không có thông tin"

# --------------------------------------------------------------------------- helpers


# Soft hyphens, zero-width and direction marks sit inside words in the published text
# and would break the expressions below; private-use glyphs are Wingdings bullets.
_ODD_RE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ue000-\uf8ff]")


def prepare(text: str) -> str:
    """NFC, without invisible format characters, keeping newlines and spacing."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    if text.isascii() or not _ODD_RE.search(text):
        return text
    return _ODD_RE.sub(lambda m: " " if "\ue000" <= m.group(0) <= "\uf8ff" else "", text)


def clean(text: str) -> str:
    """One normalised text field: ``Không có thông tin`` means no information at all."""
    return tidy(prepare(text))


def tidy(piece: str) -> str:
    """``clean`` for a piece of text that already went through ``prepare``."""
    value = _WORDS.normalize(piece)
    return "" if value.casefold() == NO_INFO.casefold() else value


class _WordFixer:
    """``knowledge.text.normalize`` applied word by word, to syllables only, and fast.

    ``normalize`` re-places the tone mark of each word, and a word glued by the crawl
    (``Thú yLuật``, ``TT-BCAngày``, ``cưtrú``) is not a syllable: the mark would jump to
    the wrong letter (``ỵLuât``). Words that are not syllables are therefore left alone.

    ``normalize`` also runs Python code for every word, which would dominate a full
    import. Here a text is split on whitespace (in C), its distinct tokens are checked
    against a cache with set operations, and only a text holding a token to fix is
    rewritten. The cache is bounded; ``normalize`` stays the only definition of the
    tone-mark convention, and the tests compare both on real text.
    """

    _LIMIT = 500_000

    def __init__(self) -> None:
        self.seen: set[str] = set()  # tokens already looked at
        self.to_fix: set[str] = set()  # tokens holding a word to fix
        self.fixes: dict[str, str] = {}  # word -> fixed word

    def normalize(self, text: str) -> str:
        tokens = text.split()
        distinct = set(tokens)
        new = distinct - self.seen
        if new:
            self._learn(new)
        joined = " ".join(tokens)
        if distinct.isdisjoint(self.to_fix):
            return joined
        fixes = self.fixes
        return _LETTERS_RE.sub(lambda m: fixes.get(m.group(0), m.group(0)), joined)

    def _learn(self, tokens: set[str]) -> None:
        if len(self.seen) > self._LIMIT:
            self.seen.clear()
            self.to_fix.clear()
            self.fixes.clear()
        for token in tokens:
            if token.isascii():
                continue
            fixable = [w for w in _LETTERS_RE.findall(token) if self._fixable(w)]  # learn all
            if fixable:
                self.to_fix.add(token)
        self.seen |= tokens

    def _fixable(self, word: str) -> bool:
        if word in self.fixes:
            return True
        if word.isascii():
            return False
        fixed = normalize(word)
        if fixed == word or not is_syllable(word):
            return False
        self.fixes[word] = fixed
        return True


_LETTERS_RE = re.compile(r"[^\W\d_]+")
_WORDS = _WordFixer()


_SYLLABLE_RE = re.compile(
    "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    "[aăâeêioôơuưyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]+"
    "(?:ch|ng|nh|[cmnpt])?"
)


def is_syllable(word: str) -> bool:
    """Could ``word`` be one Vietnamese syllable (onset, one vowel group, coda)?"""
    return _SYLLABLE_RE.fullmatch(word.lower()) is not None


def _strip_bullet(text: str) -> str:
    return text.strip().lstrip("-+*•").strip()


# --------------------------------------------------------------------------- levels, applicants


_LEVELS = {
    "cap bo": "ministry",
    "cap tinh": "province",
    "cap xa": "commune",
    "co quan khac": "other",
}


def parse_levels(text: str) -> tuple[list[str], list[str]]:
    """``Cấp bộ, Cấp tỉnh`` -> (["ministry", "province"], unknown parts)."""
    levels: list[str] = []
    unknown: list[str] = []
    for part in clean(text).split(","):
        key = fold(part)
        if not key:
            continue
        level = _LEVELS.get(key)
        if level is None:
            unknown.append(part.strip())
        elif level not in levels:
            levels.append(level)
    return levels, unknown


def parse_applicants(text: str) -> list[str]:
    """Split on commas outside parentheses, keeping ``Cán bộ, công chức, viên chức`` whole.

    The portal's list items start with a capital letter; a part that starts in lower case
    continues the previous item (the commas of a compound name, not of the list).
    """
    items: list[str] = []
    for part in _split_top_level(clean(text), ","):
        part = part.strip()
        if not part:
            continue
        if items and part[0].islower():
            items[-1] = f"{items[-1]}, {part}"
        else:
            items.append(part)
    return items


def _split_top_level(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


# --------------------------------------------------------------------------- steps, result


_STEP_RE = re.compile(r"Bước\s*\d+")


def parse_steps(text: str) -> list[str]:
    """Split the procedure on ``Bước N`` headings; without them the text is one step.

    Only a ``Bước N`` that opens a line or a sentence and is not followed by lower case
    starts a step: prose also says ``như tại Bước 2 trên``, which must not cut a step.
    """
    text = prepare(text)
    starts = [cut for m in _STEP_RE.finditer(text) if (cut := _step_start(text, m)) is not None]
    if not starts:
        whole = tidy(text)
        return [whole] if whole else []
    bounds = [0, *starts, len(text)]
    pieces = [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    return [step for step in (tidy(_strip_bullet(p)) for p in pieces) if step]


def _step_start(text: str, m: re.Match[str]) -> int | None:
    """Where the step opened by ``m`` starts (its bullet included), or None."""
    before = text[: m.start()].rstrip(" \t*+-•")
    if before and before[-1] not in "\n.;:":
        return None
    after = text[m.end() :].lstrip(" \t:.-)")
    if after and after[0].islower():
        return None
    return len(before)


# "Mã: KQ.G12.001222", "Mã: G19-KQ0060102": capitals, digits and dots, ending in a digit
# (the next result's name is glued to it).
_RESULT_CODE_RE = re.compile(r"Mã\s*:\s*[A-Z0-9][A-Z0-9.\-]*\d")
_RESULT_JUNK_RE = re.compile(r"Từ khóa|Từ khoá|Chọn cơ quan thực hiện|Mô tảKhông có thông tin")


def parse_result(text: str) -> list[str]:
    """The results a procedure produces, without the page furniture crawled after them.

    The cell reads ``<result>Mã: KQ.G01.000074<result>Mã: ...Từ khóa...Chọn cơ quan
    thực hiện...Nộp hồ sơ``: result codes separate results, the rest is page chrome.
    """
    text = prepare(text)
    junk = _RESULT_JUNK_RE.search(text)
    if junk:
        text = text[: junk.start()]
    parts = [tidy(p) for p in _RESULT_CODE_RE.split(text)]
    return [p for p in parts if p]


# --------------------------------------------------------------------------- channels

_KINDS = {"Trực tuyến": "online", "Dịch vụ bưu chính": "post", "Trực tiếp": "in_person"}
_FOLDED_KINDS = {"truc tuyen": "online", "dich vu buu chinh": "post", "truc tiep": "in_person"}


def channel_kind(name: str) -> str | None:
    """``Dịch vụ bưu chính`` -> "post"; None for a name that is not a channel."""
    return _FOLDED_KINDS.get(fold(name))


_CHANNEL_HEADER_RE = re.compile(r"^\s*Hình thức nộp\s*Thời gian\s*Phí, lệ phí\s*Mô tả\s*")
# A row starts with a channel name glued to its duration (or to "Không ..." when the
# duration is missing); prose mentions of "Trực tiếp" are followed by a space or colon.
_ROW_RE = re.compile(r"(Trực tuyến|Dịch vụ bưu chính|Trực tiếp)(?=\S)")
_UNIT = r"Ngày làm việc|ngày làm việc|Ngày|ngày|Giờ|giờ|Tháng|tháng|Năm|năm|Phút|phút"
_TIME_RE = re.compile(rf"(\d+(?:[.,]\d+)?)\s*({_UNIT})?")
_CURRENCY = r"Việt Nam Đồng|VNĐ|VND|vnđ|Đồng|đồng|USD|EUR"
_AMOUNT_RE = re.compile(rf"(\d[\d.,]*)\s*({_CURRENCY})")
_FEE_START_RE = re.compile(rf"Miễn phí|{NO_INFO}|\d[\d.,]*\s*(?:{_CURRENCY})")


@dataclass(slots=True)
class ChannelRow:
    """One parsed row before normalisation, with what the parser was unsure of."""

    channel: SubmissionChannel
    ambiguous_time: bool = False


def parse_channels(text: str) -> list[SubmissionChannel]:
    """``Hình thức nộp...Trực tuyến5 Ngày làm việc10 USD(/lần)...`` -> channels."""
    return [row.channel for row in parse_channel_rows(text)]


def parse_channel_rows(text: str) -> list[ChannelRow]:
    text = _CHANNEL_HEADER_RE.sub("", prepare(text), count=1)
    matches = [m for m in _ROW_RE.finditer(text) if _starts_row(text, m.end())]
    rows: list[ChannelRow] = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        rows.append(_parse_channel_row(_KINDS[m.group(1)], text[m.end() : end]))
    return rows


def _starts_row(text: str, at: int) -> bool:
    """A channel name opens a row when the next cell is glued to it (``Trực tiếp5 Ngày``,
    ``Trực tiếpKhông có thông tin``); prose writes ``Trực tiếp tại`` or ``Trực tiếp:``."""
    nxt = text[at]
    return nxt.isdigit() or nxt.isupper()


def _parse_channel_row(kind: str, body: str) -> ChannelRow:
    time_text, rest, ambiguous = _split_time(body)
    fee_text, description = _split_fee(rest)
    days, working = parse_duration(time_text)
    channel = SubmissionChannel(
        kind=kind,
        time_limit=tidy(time_text),
        time_days=days,
        working_days=working,
        fee=tidy(fee_text),
        fee_vnd=parse_fee_vnd(fee_text),
        description=tidy(description),
    )
    return ChannelRow(channel, ambiguous)


def _split_time(body: str) -> tuple[str, str, bool]:
    """Cut the duration cell off the front of a row: (duration, rest, ambiguous)."""
    if body.startswith(NO_INFO):
        return NO_INFO, body[len(NO_INFO) :], False
    m = _TIME_RE.match(body)
    if m and m.group(2):
        return m.group(0), body[m.end() :], False
    if m:
        # A bare number: the unit is missing, and the fee may be glued to it
        # ("120 VNĐ" is 1 + "20 VNĐ"). The fee's own thousands groups, when present,
        # tell where it starts; otherwise the duration is taken as one digit.
        amount = _AMOUNT_RE.match(body)
        if amount:
            return _split_glued_amount(body, amount.group(1))
        return m.group(0), body[m.end() :], False
    fee = _FEE_START_RE.search(body)
    if fee:
        return body[: fee.start()], body[fee.start() :], False
    return "", body, False


def _split_glued_amount(body: str, digits: str) -> tuple[str, str, bool]:
    head = re.match(r"\d+", digits)
    lead = head.group(0) if head else digits
    cut = 1
    if len(digits) > len(lead):  # "1100,000": the first group of the fee has <= 3 digits
        cut = max(1, len(lead) - 3)
    return body[:cut], body[cut:], True


def _split_fee(rest: str) -> tuple[str, str]:
    """The fee cell is a fee plus an optional parenthesised note; the rest describes.

    ``Không có thông tin(1) Trường hợp...``: an enumerator after a missing fee opens the
    description, it is not a note on the fee.
    """
    m = _FEE_START_RE.match(rest)
    if not m:
        return "", rest
    end = m.end()
    if rest[end : end + 1] == "(" and not _ENUMERATOR_RE.match(rest, end):
        end = _close_paren(rest, end)
    return rest[:end], rest[end:]


_ENUMERATOR_RE = re.compile(r"\((?:\d{1,2}|[a-zđ]|[ivx]{1,4})\)")


def _close_paren(text: str, start: int) -> int:
    """Index after the parenthesis group opening at ``start`` (the end if unbalanced)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


_DAYS_PER_UNIT = {"ngày làm việc": 1.0, "ngày": 1.0, "giờ": 1 / 24, "phút": 1 / 1440}


def parse_duration(text: str) -> tuple[float | None, bool]:
    """``5 Ngày làm việc`` -> (5.0, True); ``8 Giờ`` -> (0.33, False).

    Months and years are left unconverted (None): their length in days depends on the
    calendar, and an answer must not state a number the catalogue does not publish.
    A bare number without a unit is None too.
    """
    m = _TIME_RE.search(prepare(text))
    if not m or not m.group(2):
        return None, False
    unit = m.group(2).lower()
    working = unit == "ngày làm việc"
    factor = _DAYS_PER_UNIT.get(unit)
    if factor is None:
        return None, working
    value = float(m.group(1).replace(",", "."))
    return round(value * factor, 4), working


def parse_fee_vnd(text: str) -> int | None:
    """The fee in đồng: 0 when free, None when unknown, foreign, varying or doubtful.

    A fee is a headline (``2,000,000 Việt Nam Đồng``, ``Miễn phí``) and an optional
    parenthesised note; the Ministry of Defence writes one ``Phí : ... Đồng (...)`` line
    per case. The answer must never state a fee the catalogue does not, so:

    - several different amounts, or any amount in USD/EUR, give None;
    - "free" with amounts or a rate in its note (``Miễn phí(Mức lệ phí ... do Hội đồng
      nhân dân tỉnh quyết định)``) gives None: the headline is not the whole story;
    - a headline below 1,000 đồng is how the portal shows thousands (``100 VNĐ`` next to
      ``100.000 đồng/lần``) or what is left when the duration's digits were glued to the
      fee; it is accepted only as the note's amount when the note confirms it (x 1,000).
    """
    amounts: list[int] = []
    for line in prepare(text).splitlines():
        line = _FEE_LABEL_RE.sub("", line).strip()
        if not line:
            continue
        amount = _fee_line_vnd(line)
        if amount is None:
            return None
        amounts.append(amount)
    if not amounts or len(set(amounts)) > 1:
        return None
    return amounts[0]


_FEE_LABEL_RE = re.compile(r"^\s*(?:Lệ phí|Phí)\s*:\s*", re.IGNORECASE)
_NOTE_AMOUNT_RE = re.compile(r"\d{1,3}(?:[.,]\d{3})+|\d{5,}|\d+\s*(?:đồng|Đồng|VNĐ|vnđ|đ/|Đ/)")
_FREE_WORDS = ("miễn phí", "không đồng", "không thu", "0 đồng", "o đồng")


def _fee_line_vnd(line: str) -> int | None:
    head, _, note = line.partition("(")
    folded = head.lower().strip()
    if not folded or folded.startswith(NO_INFO.lower()):
        return None
    found = list(_AMOUNT_RE.finditer(head))
    if any(m.group(2) in ("USD", "EUR") for m in found):
        return None
    values = {_amount(m.group(1)) for m in found}
    if not values:
        if not any(w in folded for w in _FREE_WORDS):
            return None
        doubtful = _NOTE_AMOUNT_RE.search(note) or "mức" in note.lower()
        return None if doubtful else 0
    if len(values) > 1:
        return None
    value = values.pop()
    if 0 < value < 1000:
        return _confirmed_thousands(value, note)
    return value


def _amount(digits: str) -> int:
    return int(re.sub(r"[.,]", "", digits))


def _confirmed_thousands(value: int, note: str) -> int | None:
    in_note = {_amount(m.group(0)) for m in re.finditer(r"\d{1,3}(?:[.,]\d{3})+", note)}
    return value * 1000 if in_note == {value * 1000} else None


# --------------------------------------------------------------------------- documents

_DOC_HEADER_RE = re.compile(
    r"Tên giấy tờ\s*Mẫu đơn, tờ khai\s*Số lượng\s*(?:Biểu mẫu điện tử\s*Kết quả thay thế\s*)?"
)
# The quantity column: "1 bản chính", "0 bản chính,1 bản sao", "1 bản sao". It is glued to
# the next row, so a quantity followed by a space or punctuation is prose inside a name.
# Only one digit is taken for originals: the name before it often ends in digits
# ("...ngày 01/01/2026" + "1 bản chính").
_QTY_RE = re.compile(r"(\d) bản chính(?:,\s?(\d+) bản sao)?(?=$|[^\s.,;:)])|(\d) bản sao(?=$|[^\s.,;:)])")
_FORM_EXT = r"\.(?:docx|doc|pdf|xlsx|xls|rar|zip|odt|rtf|DOCX|DOC|PDF|XLSX|XLS)"
_FORM_END_RE = re.compile(rf"{_FORM_EXT}$")
# What template file names usually start with ("Mẫu số 01", "Mau02", "Mus03", "Phụ lục").
_FORM_WORD_RE = re.compile(r"(?i:mẫu|mau|mus|phụ lục|phu ?luc|phlc|biểu mẫu)[\s\d_.-]")
_FORM_WINDOW = 120


@dataclass(slots=True)
class _Row:
    text: str
    originals: int | None
    copies: int | None


def parse_documents(text: str) -> list[Document]:
    """``--Tên giấy tờMẫu đơn, tờ khaiSố lượng<name><form.docx>1 bản chính...``.

    The list may be split into cases: each case repeats the table header, preceded by its
    heading (``a) Đối với xe của cơ quan:``). Rows whose name is itself a heading (``-
    Giấy tờ phải xuất trình:`` with no copies) set the group of the rows after them.
    """
    text = prepare(text)
    documents: list[Document] = []
    for heading, body, last in _document_sections(text):
        group = heading
        for row in _document_rows(body, keep_tail=last):
            name, forms = _split_forms(row.text)
            if _is_heading_row(name, forms, row):
                group = "; ".join(h for h in (heading, _heading(name)) if h)
                continue
            name_clean = tidy(_strip_bullet(name)).rstrip(" .;,")
            if not name_clean:
                continue
            documents.append(
                Document(
                    name=name_clean,
                    form="; ".join(tidy(f) for f in forms),
                    originals=row.originals,
                    copies=row.copies,
                    group=tidy(group),
                )
            )
    return documents


def _document_sections(text: str) -> Iterator[tuple[str, str, bool]]:
    """(heading, body, is last table) per table; the text after a table's last quantity
    heads the next table. Text without any table header is no table at all."""
    headers = list(_DOC_HEADER_RE.finditer(text))
    if not headers:
        yield "", text, False
        return
    heading = _heading(text[: headers[0].start()])
    for i, h in enumerate(headers):
        if i + 1 == len(headers):
            yield heading, text[h.end() :], True
            return
        body = text[h.end() : headers[i + 1].start()]
        cut = 0
        for m in _QTY_RE.finditer(body):
            cut = m.end()
        yield heading, body[:cut], False
        heading = _heading(body[cut:])


def _heading(text: str) -> str:
    text = text.strip()
    if set(text) <= set("-– "):
        return ""
    return _strip_bullet(text).rstrip(":").strip()


def _document_rows(body: str, keep_tail: bool) -> Iterator[_Row]:
    """Rows end at their quantity; the last table's trailing text is a row whose quantity
    was lost (kept), elsewhere it is the next table's heading or stray prose."""
    start = 0
    for m in _QTY_RE.finditer(body):
        originals = int(m.group(1)) if m.group(1) else None
        copies = int(m.group(2) or m.group(3)) if (m.group(2) or m.group(3)) else None
        yield _Row(body[start : m.start()], originals, copies)
        start = m.end()
    if keep_tail and body[start:].strip():
        yield _Row(body[start:], None, None)


def _split_forms(row: str) -> tuple[str, list[str]]:
    """Peel the template file names (``Mẫu số 01.docx``) off the end of a row's name."""
    forms: list[str] = []
    rest = row.rstrip()
    while _FORM_END_RE.search(rest):
        cut = _form_start(rest)
        if cut is None:
            break
        forms.insert(0, rest[cut:].strip())
        rest = rest[:cut]
    return rest, forms


def _form_start(text: str) -> int | None:
    """Where the last file name starts: the earliest glue point close enough to its end.

    Cells are glued without a space, while prose puts a space after punctuation, so
    ``...Bộ Công an.NA5.doc`` or ``đầu tưMẫu 01.docx`` show where the name ended. File
    names contain dots and parentheses themselves (``PHLC1.TT06 (QĐ.3730).doc``), so the
    earliest glue point within a file name's length wins, and one where a template name
    begins (``...NĐ-CPmau so 09.QLT.docx``) beats the others; a previous file name's
    extension (``...docxMau2.docx``) bounds the search.
    """
    ext = _FORM_END_RE.search(text)
    if ext is None:
        return None
    lo = max(0, ext.start() - _FORM_WINDOW)
    previous_end = None
    for previous in re.finditer(_FORM_EXT, text[lo : ext.start()]):
        previous_end = lo + previous.end()
    if previous_end is not None:
        return previous_end
    glue = [i for i in range(max(lo, 1), ext.start()) if _is_glue(text, i)]
    named = [i for i in glue if _FORM_WORD_RE.match(text, i)]
    if named or glue:
        return (named or glue)[0]
    return 0 if lo == 0 else None


def _is_glue(text: str, i: int) -> bool:
    """Does a new cell start at ``text[i]``, glued to the previous one?"""
    prev, cur = text[i - 1], text[i]
    if cur.isspace() or cur in ".;:,)":
        return False
    if not prev.isspace() and prev not in "(-_" and _FORM_WORD_RE.match(text, i):
        return True  # "thành viên góp vốnmẫu số 2", "NĐ-CPmau so 09", "2024.mẫu số 1"
    if prev == "." and text[i - 2 : i - 1].isdigit():
        return False  # "Mẫu số 02.DT", "Phụ lục 12.7": a dot inside a number or code
    if prev in ".;:)]":
        return True
    if prev.islower() and cur.isupper():
        return not text[i - 2 : i - 1].isupper()  # "VNeID" is a name, not a glue point
    if (prev.isupper() or prev.isdigit()) and cur.isupper():
        if text[i - 1 : i + 2] == "TTg":
            return False  # "QĐ-TTg", the Prime Minister's decisions
        return text[i + 1 : i + 2].islower()  # "TT-BTPMẫu", "01/01/2026Mau"
    return False


def _is_heading_row(name: str, forms: list[str], row: _Row) -> bool:
    return not forms and not row.originals and not row.copies and is_case_heading(name)


_CASE_RE = re.compile(r"(?:\d+(?:\.\d+)*\.?\s*)?Trường hợp\s*\d|\d+(?:\.\d+)+\.?\s*Hồ sơ")


def is_case_heading(name: str) -> bool:
    """A row that names a case rather than a document (``- Giấy tờ phải nộp:``,
    ``Trường hợp 2: Hồ sơ đề nghị ...``, ``1.2. Hồ sơ đề nghị ...``).

    Only meaningful for rows without a quantity: a note such as ``Trường hợp nộp hồ sơ
    trực tuyến thì ...`` is kept as a row.
    """
    stripped = _strip_bullet(name)
    return stripped.endswith(":") or _CASE_RE.match(stripped) is not None


def heading_text(name: str) -> str:
    """The group label a heading row gives the rows after it."""
    return _heading(name)


# --------------------------------------------------------------------------- legal bases

_LEGAL_HEADER_RE = re.compile(r"^\s*:?\s*Tên văn bản pháp lý\s*Mã văn bản\s*")
# Number, optional year, then the type/issuer segments ("QĐ-BCA", "TTLT/BQP-BTC-BLĐTBXH").
# No look-behind for digits: "Luật 51/2019/QH1451/2019/QH14" glues two numbers.
_LEGAL_NUMBER_RE = re.compile(
    r"(?<!/)\d+(?:\.\d+)?\s?/\s?(?:\d{4}\s?/\s?)?"
    r"(?:UBTVQH\d{2}|QH\d{2}|TTg|[A-ZĐ]+)(?:\s?[-/]\s?(?:UBTVQH\d{2}|QH\d{2}|TTg|[A-ZĐ]+))*"
)
# Capitalised words that open a title: after a number and two spaces, one of these starts
# the next row ("24/2026/NQ-CP  Nghị định..."); a single space is prose inside a title.
_TITLE_WORDS = (
    "Thông", "Nghị", "Luật", "Quyết", "Quy", "Sửa", "Về", "Hướng", "Ban", "Số", "Nhập",
    "Pháp", "Bộ", "Thuế", "Hàng", "Kinh", "Các", "Giao", "Áp", "Chỉ", "Văn", "Danh", "Mức",
    "Điều", "Lệnh", "Công", "Kế", "Biểu", "Hiến", "Bảo", "Phí", "Lệ", "Tiêu", "Hợp",
    "Quản", "Xuất", "Đăng", "Cấp", "Chính", "Hệ", "Phân", "Tổ", "Nội", "Mẫu", "Hoạt",
)  # fmt: skip
_CAPS_TITLE_WORDS = ("LUẬT", "BỘ LUẬT", "NGHỊ", "THÔNG", "QUYẾT", "QUY", "PHÁP", "SỬA", "HƯỚNG", "BAN", "VỀ")
# Lower-case words that continue a title after a number ("...TT-BCAngày 01/7/2025").
_CONTINUATIONS = ("ngày", "của", "và", "năm", "tháng", "đã", "được")


@dataclass(slots=True)
class _Number:
    start: int
    end: int
    text: str


def parse_legal_bases(text: str) -> list[LegalBasis]:
    """``Tên văn bản pháp lýMã văn bản<title><number><title><number>...`` -> bases.

    A number ends a row when the next title is glued to it; a number followed by a space
    or punctuation is a citation inside a title. ``Luật 51/2019/QH1451/2019/QH14``: the
    first number is glued to an identical second one, which is the number cell.
    """
    text = _LEGAL_HEADER_RE.sub("", prepare(text), count=1).strip()
    if not text or text.casefold().startswith(NO_INFO.casefold()):
        return []
    numbers = [_trim_number(text, m) for m in _LEGAL_NUMBER_RE.finditer(text)]
    bases: list[LegalBasis] = []
    start = 0
    for i, num in enumerate(numbers):
        nxt = numbers[i + 1] if i + 1 < len(numbers) else None
        if not _ends_row(text, num, nxt):
            continue
        title = tidy(text[start : num.start]).strip(" ,;:-")
        number = _compact(num.text)
        bases.append(LegalBasis(title=title or number, number=number))
        start = num.end
    tail = tidy(text[start:]).strip(" ,;:-")
    if tail:  # a last row whose number cell is empty: its title may still cite it
        bases.append(LegalBasis(title=tail, number=parse_legal_number(tail)))
    return bases


def parse_legal_number(text: str) -> str:
    """The first document number in a text (``Thông tư số 104/2024/TT-BQP``), or ""."""
    text = prepare(text)
    m = _LEGAL_NUMBER_RE.search(text)
    return _compact(_trim_number(text, m).text) if m else ""


def _compact(number: str) -> str:
    return re.sub(r"\s+", "", number)


def _trim_number(text: str, m: re.Match[str]) -> _Number:
    """Give back the capitals a greedy match took from a glued next title."""
    start, end = m.start(), m.end()
    after = text[end:]
    if after[:1].islower():
        # "NĐ-CPThực": the last capital starts "Thực"; "TT-BCAngày" keeps its "A",
        # "TT-BTCsửa" its "C": "Angày" and "Csửa" are not syllables.
        word = re.match(r"[^\W\d_]+", text[end - 1 :])
        if word and is_syllable(word.group(0)):
            end -= 1
    elif after[:1].isupper() or after[:1] == " ":
        # "BHXHLUẬT": a title in capitals glued to the number.
        segment_start = max(text.rfind("-", start, end), text.rfind("/", start, end)) + 1
        for cut in range(segment_start + 1, end):
            if text[cut:].startswith(_CAPS_TITLE_WORDS):
                end = cut
                break
    while text[end - 1] in "-/ ":
        end -= 1  # "NĐ-CP-Quy định": the separator went with the capital
    start = _drop_glued_year(text, start)
    return _Number(start, end, text[start:end])


def _drop_glued_year(text: str, start: int) -> int:
    """``...sửa đổi 202323/2023/QH15``: a title ending in a year is glued to the number."""
    digits = re.match(r"\d+", text[start:])
    if digits and len(digits.group(0)) >= 5 and re.match(r"(?:19|20)\d\d", digits.group(0)):
        return start + 4
    return start


def _ends_row(text: str, num: _Number, nxt: _Number | None) -> bool:
    if nxt is not None and nxt.start == num.end:
        return False  # the title quotes the number, the number cell repeats it
    after = text[num.end : num.end + 12]
    if not after:
        return True
    if after[0].isspace() or after[0] in ".,;:)(-–":
        return _spaced_new_title(after)  # "...NĐ-CP-Quy định về..." is still one title
    if after[0].islower():
        word = re.match(r"\w+", after)
        return not (word and word.group(0) in _CONTINUATIONS)
    return True


def _spaced_new_title(after: str) -> bool:
    """``24/2026/NQ-CP  Nghị định...``: a number, spaces, then a new capitalised title."""
    m = re.match(r"\s+(\w+)", after)
    return bool(m and after[:2].isspace() and m.group(1) in _TITLE_WORDS)
