"""Masking of personal numbers wherever they are shown: console lists, summaries, exports, the
catalogue-gaps list, display names, and the bot's own echoes (``bot.safety`` re-exports it).

``mask_text`` is the one function for free text. A personal number keeps its last three digits,
so that staff can still tell two numbers apart: ``0912 345 678`` → ``*******678``. It covers

- phone numbers: ``0…``, ``84…``, ``+84…``, with spaces, dots, dashes or parentheses
  (``(+84) 905-123-456``, ``(024) 3825 1234``, ``+84 (0) 905 123 456``), landlines;
- identity numbers: 9-digit CMND, 12-digit CCCD, however grouped (``0010 9901 2345``,
  ``001.099.012.345``) or glued to a word (``CCCD001099012345``, ``Lan0912345678``);
- passport numbers (a letter and 7–8 digits) and bank account or card numbers (any run of nine
  or more digits);
- one-time codes after a word that names them ("mã OTP là 123456", "your code is 654321"):
  every digit is hidden, since three digits of a four-digit code give most of it away;
- full-width digits (Chinese and Japanese keyboards), in text of any script.

What stays readable, because it is not personal and staff or citizens need it: hotlines
(1800 / 1900 numbers), procedure codes (``1.001193``), dates, years, amounts (``70.000 đồng``,
``100.000.000``, ``1 000 000 000 VND``) dossier receipt codes (``000.00.24.H17-250703-0012``) and the hotline's own case references
(``261208-357G3``: the day and five characters, which the citizen is told to quote).
Receipt codes identify an application, not a person: reading a dossier's status needs the
province's system, and the code is what staff look up and what the assistant quotes back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.dossier import dossier_code_spans

KEEP = 3
GLYPH = "*"

_DIGITS = "0-9\uff10-\uff19"  # ASCII and full-width
_D = f"[{_DIGITS}]"
_OPEN = "[(\uff08]"
_CLOSE = "[)\uff09]"
_PLUS = "[+\uff0b]"
_DASHES = ".\\-\u2010-\u2013\uff0e\uff0d"
_SPACE = "[ \u00a0\u3000]"
# A separator between digit groups: one space, or a dot/dash with at most one space around.
_SEP = f"(?:{_SPACE}?[{_DASHES}]{_SPACE}?|{_SPACE})"
# One group: digits, with a "+" before them, or the whole group in parentheses.
_GROUP = f"(?:{_OPEN}{_PLUS}?{_D}++{_CLOSE}|{_PLUS}?{_D}++)"
# Possessive repeats: no backtracking, linear on any input.
_NUMBER = re.compile(f"(?<![{_DIGITS}])(?:{_GROUP}(?:{_SEP}?+{_GROUP})*+)")
# A separator with a space in it splits one candidate into numbers written side by side.
_SPACED = re.compile(f"{_SPACE}[{_DASHES}]?{_SPACE}?|[{_DASHES}]{_SPACE}")

_PROCEDURE_CODE = re.compile(r"(?<![\d.])\d\.\d{6}(?:\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?(?![\d])")
_DATE = re.compile(
    f"(?<![{_DIGITS}])(?:{_D}{{1,2}}[./\\-]{_D}{{1,2}}[./\\-][12]{_D}{{3}}"
    f"|[12]{_D}{{3}}[./\\-]{_D}{{1,2}}[./\\-]{_D}{{1,2}})(?![{_DIGITS}])"
)
# Machine identifiers (UUIDs in links, hex conversation ids): hex with letters all through it.
_HEX_ID = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
    r"|(?=[0-9]*+[a-f]++[0-9]++[a-f]++[0-9])[0-9a-f]{16,})(?![0-9A-Za-z])",
    re.IGNORECASE,
)
# A handoff case's reference (handoff/service.py ``_new_id``): the local day, a dash and five
# characters of its alphabet ("261208-357G3"). Its first nine characters can be all digits.
_CASE_ID = re.compile(
    r"(?<![0-9A-Za-z])(?:2[4-9]|[3-9]\d)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-[2-9A-HJKMNP-Z]{5}(?![0-9A-Za-z])"
)
_PASSPORT = re.compile(f"(?<![A-Za-z{_DIGITS}])[A-Za-z]{_D}{{7,8}}(?![{_DIGITS}])")
_CODE_WORD = (
    r"(?<![^\W\d_])(?:otp|passcode|password|m[ãa]\s+x[áa]c\s+(?:th[ựu]c|nh[ậa]n)|m[ãa]\s+k[íi]ch\s+ho[ạa]t"
    r"|m[ãa]\s+pin|m[ậa]t\s+kh[ẩa]u|(?:verification|security|confirmation|one[\s-]time)\s+code"
    r"|(?:your|the|my)\s+code|code\s+(?:de\s+)?(?:v[ée]rification|confirmation|pin)"
    r"|c[óo]digo|clave)(?![^\W\d_])"
    r"|(?-i:PIN)|验证码|驗證碼|校验码|动态码|密码|密碼|인증\s?번호|인증\s?코드|비밀번호|認証コード|確認コード"
    r"|暗証番号|パスワード"
)
# The code follows its name within a short clause ("OTP: 1234", "mã OTP của tôi là 123456").
_ONE_TIME_CODE = re.compile(
    f"(?:{_CODE_WORD})[^{_DIGITS}\\n.!?。]{{0,24}}?(?<![{_DIGITS}])"
    f"(?P<code>{_D}{{3,4}}{_SPACE}{_D}{{3,4}}|{_D}{{4,8}})(?![{_DIGITS}])",
    re.IGNORECASE,
)
_CURRENCY = re.compile(
    r"\s?(?:đồng|đ(?![^\W\d_])|dong\b|vn[dđ]|usd|eur|triệu|tỷ|nghìn|ngàn|yen|won|元|円|원|%)",
    re.IGNORECASE,
)
_AMOUNT = re.compile(f"[1-9]{_D}{{0,2}}(?:(?:[.\uff0e]|{_SPACE}){_D}{{3}})+")
_DOT_AMOUNT = re.compile(f"[1-9]{_D}{{0,2}}(?:[.\uff0e]{_D}{{3}})+")
_PREFIX = re.compile(f"{_OPEN}{_PLUS}?{_D}{{1,4}}{_CLOSE}|{_PLUS}{_D}{{1,3}}|84")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _ascii(digits: Iterable[str]) -> str:
    return "".join(str(int(d)) for d in digits)


def _hide(chars: list[str], keep: int = KEEP) -> str:
    """``chars`` (digits, and a passport's letter) → glyphs, but the last ``keep`` digits."""
    kept = chars[-keep:] if keep else []
    return GLYPH * (len(chars) - len(kept)) + "".join(kept)


def mask_number(value: str | None) -> str | None:
    """Mask a whole value known to be a number (a callback number): every digit but the last
    three, and at least three glyphs, so a short value gives nothing away either."""
    if value is None:
        return None
    digits = [c for c in value if c.isdigit()]
    if not digits:
        return GLYPH * 3
    kept = digits[-KEEP:]
    return GLYPH * max(len(digits) - KEEP, 3) + "".join(kept)


def _digits(text: str) -> list[str]:
    return [c for c in text if c.isdigit()]


def _readable(run: str, after: str) -> bool:
    """A run of digit groups that is not personal: too short, a hotline, years, an amount."""
    digits = _digits(run)
    count = len(digits)
    if count < 9:
        return True
    plain = _ascii(digits)
    if count in (8, 10) and plain[:4] in ("1800", "1900"):
        return True
    groups = re.findall(f"{_D}+", run)
    if len(groups) > 1 and all(len(g) == 4 and _YEAR.fullmatch(_ascii(g)) for g in groups):
        return True
    if _AMOUNT.fullmatch(run) and (groups[-1] in ("000", "\uff10" * 3) or _CURRENCY.match(after)):
        return True
    # "1000000000 đồng": an amount written without grouping
    return bool(_CURRENCY.match(after)) and plain[0] != "0"


def _self_contained(piece: str) -> bool:
    """A piece that is a number on its own, so that its neighbours are other numbers."""
    return len(_digits(piece)) >= 9 or bool(_DOT_AMOUNT.fullmatch(piece))


def _mask_candidate(text: str, start: int, end: int, out: list[tuple[int, int, str]]) -> None:
    raw = text[start:end]
    pieces: list[tuple[int, int]] = []
    last = 0
    for sep in _SPACED.finditer(raw):
        pieces.append((last, sep.start()))
        last = sep.end()
    pieces.append((last, len(raw)))
    # A country or area prefix belongs to the number after it: "+84 905123456", "(024) 38251234".
    for i in range(len(pieces) - 2, -1, -1):
        a, b = pieces[i]
        if _PREFIX.fullmatch(raw[a:b]):
            pieces[i : i + 2] = [(a, pieces[i + 1][1])]
    runs: list[tuple[int, int]] = []
    if len(pieces) > 1 and any(_self_contained(raw[a:b]) for a, b in pieces):
        # "0905123456 0912345678", "70.000 - 100.000": each number apart; neighbouring
        # fragments ("0905 123 456") stay together.
        open_run: tuple[int, int] | None = None
        for a, b in pieces:
            if _self_contained(raw[a:b]):
                if open_run:
                    runs.append(open_run)
                    open_run = None
                runs.append((a, b))
            else:
                open_run = (open_run[0], b) if open_run else (a, b)
        if open_run:
            runs.append(open_run)
    else:
        runs = [(0, len(raw))]
    for a, b in runs:
        run = raw[a:b]
        if _readable(run, text[start + b : start + b + 8]):
            continue
        masked = _hide(_digits(run))
        # A number in parentheses keeps them: "(0912345678)" → "(*******678)".
        if re.fullmatch(f"{_OPEN}[^()\uff08\uff09]*{_CLOSE}", run):
            masked = f"{run[0]}{masked}{run[-1]}"
        out.append((start + a, start + b, masked))


def mask_text(text: str | None) -> str:
    """Mask the personal numbers found anywhere in free text (see the module's docstring)."""
    if not text:
        return ""
    if sum(c.isdigit() for c in text) < 4:  # the shortest thing masked is a 4-digit code
        return text
    replacements: list[tuple[int, int, str]] = []
    # What the number scan must not see: spared codes, and numbers already masked.
    blanked = list(text)

    def blank(start: int, end: int) -> None:
        blanked[start:end] = "\x00" * (end - start)

    for start, end in dossier_code_spans(text):
        blank(start, end)
    for pattern in (_PROCEDURE_CODE, _DATE, _HEX_ID, _CASE_ID):
        for m in pattern.finditer("".join(blanked)):
            blank(*m.span())
    for m in _ONE_TIME_CODE.finditer("".join(blanked)):
        start, end = m.span("code")
        replacements.append((start, end, "".join(GLYPH if c.isdigit() else c for c in m["code"])))
        blank(start, end)
    for m in _PASSPORT.finditer("".join(blanked)):
        replacements.append((*m.span(), _hide(list(m.group(0)))))
        blank(*m.span())
    scanned = "".join(blanked)
    for m in _NUMBER.finditer(scanned):
        _mask_candidate(scanned, *m.span(), replacements)
    if not replacements:
        return text
    parts: list[str] = []
    last = 0
    for start, end, masked in sorted(replacements):
        parts.append(text[last:start])
        parts.append(masked)
        last = end
    parts.append(text[last:])
    return "".join(parts)
