"""Numbers, amounts and durations in words, for every language the phone speaks.

A text-to-speech voice reads "70,000" as "seventy comma zero zero zero" in a language whose
decimal mark is the comma, and "70.000" the other way round in English: the only reading
that is right in every voice is the one written out in words. So the phone never hands a
voice a grouped number; it hands it these words.

Vietnamese follows the spoken rules: "mốt" for a final 1 after "mươi" (21 "hai mươi mốt"),
"lăm" for a final 5 after "mười/mươi" (15 "mười lăm"), "tư" for a final 4 after "mươi"
(24 "hai mươi tư"), "linh" for a zero ten inside a hundred (105 "một trăm linh năm"; the
southern "lẻ" is a setting), "không trăm" for a zero hundred after a higher group (1.005
"một nghìn không trăm linh năm"), "nghìn", "triệu", "tỷ". Chinese, Japanese and Korean
count in groups of four digits (万/万/만). Pure functions, no I/O.
"""

from __future__ import annotations

__all__ = [
    "LANGS",
    "amount_words",
    "duration_words",
    "en_number",
    "es_number",
    "fr_number",
    "ja_number",
    "ko_native",
    "ko_number",
    "number_words",
    "vi_number",
    "zh_number",
]

LANGS = ("vi", "en", "fr", "es", "zh", "ko", "ja")

# -- Vietnamese --------------------------------------------------------------------------------

VI_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _vi_triple(n: int, full: bool, odd: str) -> str:
    """0..999; ``full`` reads a leading zero hundred ("không trăm linh năm" in 1.005)."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    parts: list[str] = []
    if hundreds or full:
        parts += [VI_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and parts:
            parts += [odd, VI_DIGITS[units]]
        elif units:
            parts.append(VI_DIGITS[units])
    elif tens == 1:
        parts.append("mười")
        if units == 5:
            parts.append("lăm")
        elif units:
            parts.append(VI_DIGITS[units])
    else:
        parts += [VI_DIGITS[tens], "mươi"]
        parts += {0: [], 1: ["mốt"], 4: ["tư"], 5: ["lăm"]}.get(units, [VI_DIGITS[units]])
    return " ".join(parts)


def _vi_below_billion(n: int, full: bool, odd: str) -> str:
    parts: list[str] = []
    started = full
    for value, name in (((n // 10**6) % 1000, "triệu"), ((n // 1000) % 1000, "nghìn"), (n % 1000, "")):
        if value == 0:
            continue
        parts.append(f"{_vi_triple(value, started, odd)} {name}".strip())
        started = True
    return " ".join(parts)


def vi_number(n: int, odd: str = "linh") -> str:
    """A whole number in Vietnamese words: 50000 → "năm mươi nghìn", 1005 → "một nghìn
    không trăm linh năm", 21 → "hai mươi mốt", 15 → "mười lăm"; ``odd="lẻ"`` for the south."""
    if n < 0:
        return "âm " + vi_number(-n, odd)
    if n == 0:
        return "không"
    if n >= 10**9:
        high, low = divmod(n, 10**9)
        out = vi_number(high, odd) + " tỷ"
        return f"{out} {_vi_below_billion(low, True, odd)}" if low else out
    return _vi_below_billion(n, False, odd)


# -- English -----------------------------------------------------------------------------------

EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_TEENS = tuple("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_EN_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))


def en_number(n: int) -> str:
    """A whole number in English words: 160000 → "one hundred sixty thousand"."""
    if n < 0:
        return "minus " + en_number(-n)
    if n < 10:
        return EN_DIGITS[n]
    if n < 20:
        return _EN_TEENS[n - 10]
    if n < 100:
        tens, units = divmod(n, 10)
        return _EN_TENS[tens] + (f"-{EN_DIGITS[units]}" if units else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{EN_DIGITS[hundreds]} hundred" + (f" {en_number(rest)}" if rest else "")
    for scale, name in _EN_SCALES:
        if n >= scale:
            high, rest = divmod(n, scale)
            return f"{en_number(high)} {name}" + (f" {en_number(rest)}" if rest else "")
    raise AssertionError("unreachable")


# -- French ------------------------------------------------------------------------------------

_FR_UNITS = (
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
    "dix-sept dix-huit dix-neuf"
).split()
_FR_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _fr_below_100(n: int, final: bool) -> str:
    if n < 20:
        return _FR_UNITS[n]
    tens, units = divmod(n, 10)
    if tens == 7:
        return "soixante et onze" if units == 1 else "soixante-" + _FR_UNITS[10 + units]
    if tens == 9:
        return "quatre-vingt-" + _FR_UNITS[10 + units]
    if tens == 8:
        return (
            ("quatre-vingts" if final else "quatre-vingt")
            if units == 0
            else "quatre-vingt-" + _FR_UNITS[units]
        )
    if units == 0:
        return _FR_TENS[tens]
    return _FR_TENS[tens] + (" et un" if units == 1 else "-" + _FR_UNITS[units])


def _fr_below_1000(n: int, final: bool) -> str:
    hundreds, rest = divmod(n, 100)
    if hundreds == 0:
        return _fr_below_100(rest, final)
    head = "cent" if hundreds == 1 else f"{_FR_UNITS[hundreds]} cent" + ("s" if rest == 0 and final else "")
    return head + (f" {_fr_below_100(rest, final)}" if rest else "")


def fr_number(n: int) -> str:
    """70000 → "soixante-dix mille", 200 → "deux cents", 1000000 → "un million"."""
    if n < 0:
        return "moins " + fr_number(-n)
    if n == 0:
        return "zéro"
    parts: list[str] = []
    for scale, name in ((10**9, "milliard"), (10**6, "million")):
        high, n = divmod(n, scale)
        if high:
            parts.append(f"{fr_number(high)} {name}" + ("s" if high > 1 else ""))
    high, n = divmod(n, 1000)
    if high:
        parts.append("mille" if high == 1 else f"{_fr_below_1000(high, False)} mille")
    if n:
        parts.append(_fr_below_1000(n, True))
    return " ".join(parts)


# -- Spanish -----------------------------------------------------------------------------------

_ES_UNITS = (
    "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
    "dieciséis diecisiete dieciocho diecinueve veinte veintiuno veintidós veintitrés veinticuatro "
    "veinticinco veintiséis veintisiete veintiocho veintinueve"
).split()
_ES_TENS = {
    3: "treinta",
    4: "cuarenta",
    5: "cincuenta",
    6: "sesenta",
    7: "setenta",
    8: "ochenta",
    9: "noventa",
}
_ES_HUNDREDS = (
    "",
    "ciento",
    "doscientos",
    "trescientos",
    "cuatrocientos",
    "quinientos",
    "seiscientos",
    "setecientos",
    "ochocientos",
    "novecientos",
)


def _es_below_1000(n: int) -> str:
    if n == 100:
        return "cien"
    hundreds, rest = divmod(n, 100)
    words = [_ES_HUNDREDS[hundreds]] if hundreds else []
    if rest and rest < 30:
        words.append(_ES_UNITS[rest])
    elif rest:
        tens, units = divmod(rest, 10)
        words.append(_ES_TENS[tens] + (f" y {_ES_UNITS[units]}" if units else ""))
    return " ".join(words)


def _es_apocope(words: str) -> str:
    """ "uno" before a noun: "un millón", "veintiún mil", "treinta y un días"."""
    if words.endswith("veintiuno"):
        return words[: -len("veintiuno")] + "veintiún"
    if words == "uno" or words.endswith(" uno"):
        return words[:-1]
    return words


def es_number(n: int, before_noun: bool = False) -> str:
    """70000 → "setenta mil", 1000000 → "un millón", 21 → "veintiuno" ("veintiún" before a noun)."""
    if n < 0:
        return "menos " + es_number(-n, before_noun)
    if n == 0:
        return "cero"
    parts: list[str] = []
    millions, n = divmod(n, 10**6)
    if millions:
        parts.append("un millón" if millions == 1 else f"{es_number(millions, True)} millones")
    thousands, n = divmod(n, 1000)
    if thousands:
        parts.append("mil" if thousands == 1 else f"{_es_apocope(_es_below_1000(thousands))} mil")
    if n:
        parts.append(_es_below_1000(n))
    out = " ".join(parts)
    return _es_apocope(out) if before_noun else out


# -- Chinese, Japanese, Korean (groups of four digits) ----------------------------------------

_ZH_DIGITS = "零一二三四五六七八九"
_JA_DIGITS = "〇一二三四五六七八九"
_KO_DIGITS = ("영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구")


def _groups(n: int) -> list[int]:
    """Four-digit groups, highest first: 123456789 → [1, 2345, 6789]."""
    out: list[int] = []
    while n:
        n, low = divmod(n, 10_000)
        out.append(low)
    return out[::-1] or [0]


def _zh_group(n: int) -> str:
    """0..9999 without leading zeros; one 零 for each run of inner zeros (1005 一千零五)."""
    out = ""
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
        zero = False
        out += ("两" if digit == 2 and unit in ("千", "百") else _ZH_DIGITS[digit]) + unit
    return out


def zh_number(n: int) -> str:
    """70000 → "七万", 35000 → "三万五千", 105 → "一百零五", 15 → "十五", 2000 → "两千"."""
    if n < 0:
        return "负" + zh_number(-n)
    if n == 0:
        return "零"
    groups = _groups(n)
    units = ["", "万", "亿", "万亿"][: len(groups)][::-1]
    out = ""
    gap = False
    for group, unit in zip(groups, units, strict=True):
        if group == 0:
            gap = bool(out)
            continue
        if out and (gap or group < 1000):
            out += "零"
        gap = False
        if group == 2 and unit:
            words = "两"
        elif not out and 10 <= group < 20:
            words = _zh_group(group).removeprefix("一")  # 十五, not 一十五
        else:
            words = _zh_group(group)
        out += words + unit
    return out


def ja_number(n: int) -> str:
    """70000 → "七万", 35000 → "三万五千", 105 → "百五", 1000 → "千"."""
    if n < 0:
        return "マイナス" + ja_number(-n)
    if n == 0:
        return "〇"
    groups = _groups(n)
    units = ["", "万", "億", "兆"][: len(groups)][::-1]
    out = ""
    for group, unit in zip(groups, units, strict=True):
        if group == 0:
            continue
        words = ""
        for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            digit = group // value % 10
            if digit:
                words += ("" if digit == 1 and name else _JA_DIGITS[digit]) + name
        out += words + unit
    return out


def ko_number(n: int) -> str:
    """Sino-Korean: 70000 → "칠만", 35000 → "삼만 오천", 10000 → "만", 105 → "백오"."""
    if n < 0:
        return "마이너스 " + ko_number(-n)
    if n == 0:
        return "영"
    groups = _groups(n)
    units = ["", "만", "억", "조"][: len(groups)][::-1]
    out: list[str] = []
    for group, unit in zip(groups, units, strict=True):
        if group == 0:
            continue
        words = ""
        for value, name in ((1000, "천"), (100, "백"), (10, "십"), (1, "")):
            digit = group // value % 10
            if digit:
                words += ("" if digit == 1 and name else _KO_DIGITS[digit]) + name
        if unit == "만" and group == 1:
            words = ""  # 만, not 일만
        out.append(words + unit)
    return " ".join(out)


_KO_NATIVE_UNITS = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉")
_KO_NATIVE_TENS = ("", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")


def ko_native(n: int) -> str:
    """Native Korean counting (hours, things) up to 99: 1 → "한", 24 → "스물네"; Sino above."""
    if not 0 < n < 100:
        return ko_number(n)
    tens, units = divmod(n, 10)
    word = _KO_NATIVE_TENS[tens] + _KO_NATIVE_UNITS[units]
    return "스무" if n == 20 else word


def number_words(n: int, lang: str) -> str:
    """A whole number in words in ``lang`` (one of ``LANGS``)."""
    reader = {
        "vi": vi_number,
        "en": en_number,
        "fr": fr_number,
        "es": es_number,
        "zh": zh_number,
        "ko": ko_number,
        "ja": ja_number,
    }.get(lang, en_number)
    return reader(n)


def decimal_words(value: float, lang: str) -> str:
    """1.5 → "một phẩy năm" (vi), "one point five" (en), "un virgule cinq" (fr)…"""
    if float(value).is_integer():
        return number_words(int(value), lang)
    whole, _, frac = f"{value:.4f}".rstrip("0").partition(".")
    mark = {"vi": "phẩy", "en": "point", "fr": "virgule", "es": "coma", "zh": "点", "ko": "점", "ja": "点"}
    if lang in ("zh", "ja"):
        frac_words = "".join((_ZH_DIGITS if lang == "zh" else _JA_DIGITS)[int(d)] for d in frac)
    elif lang == "ko":
        frac_words = " ".join(_KO_DIGITS[int(d)] for d in frac)
    else:
        frac_words = " ".join(number_words(int(d), lang) for d in frac)
    sep = "" if lang in ("zh", "ja") else " "
    return f"{number_words(int(whole), lang)}{sep}{mark.get(lang, 'point')}{sep}{frac_words}"


# -- amounts and durations -----------------------------------------------------------------------

_CURRENCY = {
    "vi": "{n} đồng",
    "en": "{n} dong",
    "fr": "{n} dongs",
    "es": "{n} dongs",
    "zh": "{n}越南盾",
    "ko": "{n} 동",
    "ja": "{n}ドン",
}


def amount_words(vnd: int, lang: str) -> str:
    """An amount in đồng: 70000 → "bảy mươi nghìn đồng", "seventy thousand dong",
    "soixante-dix mille dongs", "setenta mil dongs", "七万越南盾", "칠만 동", "七万ドン"."""
    words = es_number(vnd, before_noun=True) if lang == "es" else number_words(vnd, lang)
    if lang == "fr" and vnd == 1:
        return "un dong"
    return _CURRENCY.get(lang, _CURRENCY["en"]).format(n=words)


# unit → (singular, plural) templates per language; {n} is the number in words.
_UNITS: dict[str, dict[str, tuple[str, str]]] = {
    "vi": {
        "working_day": ("{n} ngày làm việc", "{n} ngày làm việc"),
        "day": ("{n} ngày", "{n} ngày"),
        "hour": ("{n} giờ", "{n} giờ"),
        "month": ("{n} tháng", "{n} tháng"),
        "year": ("{n} năm", "{n} năm"),
    },
    "en": {
        "working_day": ("{n} working day", "{n} working days"),
        "day": ("{n} day", "{n} days"),
        "hour": ("{n} hour", "{n} hours"),
        "month": ("{n} month", "{n} months"),
        "year": ("{n} year", "{n} years"),
    },
    "fr": {
        "working_day": ("{n} jour ouvrable", "{n} jours ouvrables"),
        "day": ("{n} jour", "{n} jours"),
        "hour": ("{n} heure", "{n} heures"),
        "month": ("{n} mois", "{n} mois"),
        "year": ("{n} an", "{n} ans"),
    },
    "es": {
        "working_day": ("{n} día hábil", "{n} días hábiles"),
        "day": ("{n} día", "{n} días"),
        "hour": ("{n} hora", "{n} horas"),
        "month": ("{n} mes", "{n} meses"),
        "year": ("{n} año", "{n} años"),
    },
    "zh": {
        "working_day": ("{n}个工作日", "{n}个工作日"),
        "day": ("{n}天", "{n}天"),
        "hour": ("{n}个小时", "{n}个小时"),
        "month": ("{n}个月", "{n}个月"),
        "year": ("{n}年", "{n}年"),
    },
    "ko": {
        "working_day": ("영업일 기준 {n}일", "영업일 기준 {n}일"),
        "day": ("{n}일", "{n}일"),
        "hour": ("{n} 시간", "{n} 시간"),
        "month": ("{n}개월", "{n}개월"),
        "year": ("{n}년", "{n}년"),
    },
    "ja": {
        "working_day": ("{n}営業日", "{n}営業日"),
        "day": ("{n}日間", "{n}日間"),
        "hour": ("{n}時間", "{n}時間"),
        "month": ("{n}か月", "{n}か月"),
        "year": ("{n}年", "{n}年"),
    },
}
UNITS = tuple(_UNITS["vi"])


def duration_words(value: float, unit: str, lang: str) -> str:
    """5 working days → "năm ngày làm việc", "five working days", "cinq jours ouvrables",
    "cinco días hábiles", "五个工作日", "영업일 기준 오일", "五営業日"."""
    table = _UNITS.get(lang, _UNITS["en"])
    if unit not in table:
        raise ValueError(f"unknown unit {unit!r}; expected one of {UNITS}")
    whole = float(value).is_integer()
    n = int(value)
    if not whole:
        words = decimal_words(value, lang)
    elif lang == "es":
        words = es_number(n, before_noun=True)
    elif lang == "zh" and n == 2:
        words = "两"
    elif lang == "ko" and unit == "hour":
        words = ko_native(n)
    else:
        words = number_words(n, lang)
    singular = value == 1 or (lang == "fr" and 0 < value < 2)
    one, other = table[unit]
    return (one if singular else other).format(n=words)
