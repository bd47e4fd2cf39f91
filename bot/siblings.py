"""Siblings: search candidates that are variants of one procedure, and which one is meant.

The catalogue publishes many procedures as families: first issue / re-issue / exchange /
extension of the same card; the domestic case and the one "with a foreign element"; the
same procedure at commune, province or central level; one per kind of applicant. Their
names differ by an action prefix ("Cấp lại", "Cấp đổi", "Gia hạn") or a qualifier ("có
yếu tố nước ngoài", "cho người dưới 14 tuổi", "(thực hiện tại cấp tỉnh)"), so search
scores them almost alike and picking the top one is a guess.

``resolve`` finds the family of the top candidate from the names alone (the object left
once the action and the qualifiers are removed), keeps the members the question decides
("bị mất" → re-issue, "hết hạn" → exchange or extension, "foreigner" → the foreign
element, "dưới 14 tuổi" → the member whose qualifier says so) and prefers the member
with the fewest qualifiers the question did not mention (the plain "Đăng ký kết hôn"
over "... có yếu tố nước ngoài tại khu vực biên giới"). One member left → it is the
answer; several → the assistant asks one short numbered question.

Pure functions over names; no lists of procedure codes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from knowledge.search import Hit
from knowledge.terminology import DEFAULT_DIR, Terminology
from knowledge.text import fold, is_cjk, normalize

# Leading actions of a name (folded), longest first; a name may chain several ("Cấp,
# gia hạn, cấp lại, cấp đổi chứng chỉ ...").
_ACTIONS: tuple[tuple[str, str], ...] = (
    ("cap dieu chinh", "amend"),
    ("cap lai", "reissue"),
    ("cap doi", "exchange"),
    ("cap moi", "first"),
    ("dang ky lai", "reissue"),
    ("gia han", "extend"),
    ("dieu chinh", "amend"),
    ("thay doi", "amend"),
    ("sua doi", "amend"),
    ("bo sung", "amend"),
    ("hieu dinh", "amend"),
    ("doi", "exchange"),
    ("cap", "first"),
    ("dang ky", "first"),
)
_LEADING = ("thu tuc", "lien thong thu tuc hanh chinh ve")
# Words (with their marks: "có" but not "cổ", "đối" but not "đổi") after which a name stops
# naming its object and starts qualifying it.
_QUALIFIER_START = frozenset("cho tại có đối trong của thực ở theo khi từ đến hoặc lần lưu và".split())
# Objects too generic to make two procedures siblings on their own.
_GENERIC_CORES = frozenset(
    {"giay phep", "giay chung nhan", "chung chi", "the", "giay", "so", "ho so", "chung nhan", "giay xac nhan"}
)
_LEVEL_WORDS = frozenset("thuc hien tai cap trung uong tinh xa huyen bo".split())
_FUNCTION_WORDS = frozenset(
    "cho tai co doi voi trong cua o theo khi tu den hoac va la cac nhung duoc".split()
)
# Qualifier words too common in questions to count as naming a variant.
_GENERIC_QUALIFIERS = frozenset("nguoi viet nam cong dan to chuc ca nhan nuoc ngoai lam".split())
_PAREN = re.compile(r"\(([^)]*)\)")
_WORD = re.compile(r"[^\W_]+")

# What a question says about the variant it needs (folded Latin phrases, CJK substrings).
# Words that name the action wanted ("cấp lại", "renew", "延期"): folded Latin phrases, CJK substrings.
_ACTION_WORDS: dict[str, tuple[str, ...]] = {
    "reissue": (
        "cap lai",
        "reissue",
        "re issue",
        "replacement",
        "replace",
        "remplacement",
        "duplicata",
        "duplicado",
        "补办",
        "补发",
        "重新发放",
        "重新签发",
        "重新办理",
        "lam lai",
        "xin lai",
        "reemitir",
        "volver a emitir",
        "nouvelle delivrance",
        "재발급",
        "재교부",
        "再発行",
        "再交付",
    ),
    "exchange": (
        "cap doi",
        "doi sang",
        "doi lai",
        "doi moi",
        "doi bang",
        "doi the",
        "doi giay phep",
        "exchange",
        "convert",
        "echanger",
        "canjear",
        "换发",
        "更换",
        "换证",
        "교환",
        "交換",
        "切り替え",
    ),
    "extend": (
        "gia han",
        "keo dai",
        "o them",
        "extend",
        "extension",
        "stay longer",
        "prolonger",
        "prolongation",
        "prorrogar",
        "prorroga",
        "延期",
        "延长",
        "续签",
        "연장",
        "延長",
    ),
    "first": (
        "lan dau",
        "lam moi",
        "cap moi",
        "chua co",
        "first time",
        "for the first time",
        "brand new",
        "premiere fois",
        "muon mo",
        "mo moi",
        "mo mot",
        "chua tung",
        "xin cap moi",
        "open a",
        "open my",
        "start a",
        "set up a",
        "apply for a",
        "apply for an",
        "obtain a",
        "never had",
        "ouvrir un",
        "ouvrir une",
        "obtenir un",
        "obtenir une",
        "abrir un",
        "abrir una",
        "obtener un",
        "obtener una",
        "开一家",
        "新开",
        "开设",
        "차리",
        "개업",
        "開業",
        "開きたい",
        "primera vez",
        # Having just passed the exam that leads to it: the first issue of the licence.
        "thi do",
        "da thi do",
        "do sat hach",
        "thi dau",
        "passed the test",
        "passed my test",
        "passed the exam",
        "passed my exam",
        "passed the driving test",
        "reussi l examen",
        "reussi mon examen",
        "reussi le permis",
        "aprobe el examen",
        "aprobe mi examen",
        "pase el examen",
        "考试通过",
        "考过了",
        "考试合格",
        "시험에합격",
        "시험합격",
        "試験に合格",
        "第一次",
        "首次",
        "처음",
        "初めて",
    ),
}
# The situation a question describes ("bị mất", "damaged", "过期"). One list per situation, used
# twice: to choose the action it calls for, and the variant whose qualifier names it.
_SITUATIONS: dict[str, tuple[str, ...]] = {
    "lost": (
        "bi mat",
        "lam mat",
        "danh mat",
        "danh roi",
        "mat the",
        "mat can cuoc",
        "mat cccd",
        "mat bang",
        "mat giay",
        "mat ho chieu",
        "mat so",
        "mat so do",
        "mat so hong",
        "that lac",
        "bi trom",
        "lost",
        "lose",
        "stolen",
        "missing",
        "perdu",
        "perdue",
        "perdus",
        "vole",
        "volee",
        "perdi",
        "perdido",
        "perdida",
        "robado",
        "robada",
        "丢",
        "遗失",
        "被偷",
        "잃어버",
        "분실",
        "도난",
        "なくし",
        "紛失",
        "盗まれ",
    ),
    "damaged": (
        "bi hong",
        "hu hong",
        "hong roi",
        "bi rach",
        "rach",
        "bi chay",
        "chay het",
        "nat",
        "bi nat",
        "ngap nuoc",
        "uot",
        "bi uot",
        "bi nhoe",
        "damaged",
        "torn",
        "burnt",
        "burned",
        "water damaged",
        "abime",
        "dechire",
        "brule",
        "danado",
        "roto",
        "quemado",
        "损坏",
        "坏了",
        "泡坏",
        "烧毁",
        "撕破",
        "훼손",
        "찢어",
        "불에 탔",
        "破損",
        "破れ",
        "燃え",
        "worn out",
        "abimee",
        "danada",
        "bi mo",
        "mo chu",
        "khong doc duoc",
        "ngam nuoc",
        "illegible",
        "unreadable",
        "faded",
        "soaked",
        "water damage",
        "illisible",
        "mouille",
        "dechiree",
        "ilegible",
        "mojado",
        "mojada",
        "rota",
        "水泡",
        "看不清",
        "字迹模糊",
        "破了",
        "번졌",
        "알아볼 수 없",
        "물에 젖",
        "読めない",
        "濡れ",
        "汚れ",
    ),
    "expired": (
        "het han",
        "sap het han",
        "qua han",
        "expired",
        "expire",
        "expires",
        "expiring",
        "perime",
        "perimee",
        "vencido",
        "vencida",
        "caducado",
        "caducada",
        "过期",
        "到期",
        "만료",
        "期限切れ",
        "renew",
        "renewal",
        "renouveler",
        "renouvellement",
        "renovar",
        "renovacion",
        "更新",
        "갱신",
    ),
    "revoked": (
        "thu hoi",
        "bi thu hoi",
        "revoked",
        "retire",
        "revocado",
        "吊销",
        "취소",
        "取り消",
    ),
}
# The actions a situation calls for, in order of preference: a damaged card is exchanged
# where the family has an exchange, re-issued otherwise; an expired one is exchanged or extended.
_SITUATION_ACTIONS: dict[str, tuple[frozenset[str], ...]] = {
    "lost": (frozenset({"reissue"}),),
    "damaged": (frozenset({"exchange"}), frozenset({"reissue"})),
    "expired": (frozenset({"exchange", "extend"}),),
    "revoked": (),
}
# Who the procedure is for: a foreigner (the "foreign element" variant) or two Vietnamese.
_PARTIES: dict[str, tuple[str, ...]] = {
    "foreign": (
        "nguoi nuoc ngoai",
        "yeu to nuoc ngoai",
        "quoc tich nuoc ngoai",
        "ngoai quoc",
        "nguoi ngoai quoc",
        "chong tay",
        "vo tay",
        "nguoi tay",
        "foreigner",
        "foreign",
        "expat",
        "non vietnamese",
        "etranger",
        "etrangere",
        "extranjero",
        "extranjera",
        "外国",
        "외국",
        "外国人",
    ),
    "domestic": (
        "trong nuoc",
        "hai nguoi viet nam",
        "deu la nguoi viet",
        "domestic",
        "two vietnamese",
        "both vietnamese",
        "vietnamese citizens",
        "deux vietnamiens",
        "deux citoyens vietnamiens",
        "dos vietnamitas",
        "dos ciudadanos vietnamitas",
        "两个越南人",
        "都是越南人",
        "베트남인끼리",
        "ベトナム人同士",
    ),
}
# The situation a variant's qualifier names ("trong trường hợp bị mất, bị rách, bị cháy"),
# as words of the name (with their marks).
_CASES: dict[str, tuple[str, ...]] = {
    "lost": ("mất", "thất lạc"),
    "damaged": ("rách", "cháy", "hỏng", "hư hỏng", "nát"),
    "revoked": ("thu hồi",),
}
_LEVEL_DECIDERS: dict[str, tuple[str, ...]] = {
    "central": ("trung uong", "cap bo", "cap trung uong", "ministry level", "central level"),
    "province": ("cap tinh", "province level", "provincial level"),
    "commune": ("cap xa", "commune level", "ward level"),
}


def _matcher(phrases: Sequence[str]) -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
    latin = [p for p in phrases if not any(is_cjk(c) for c in p)]
    cjk = tuple(p for p in phrases if any(is_cjk(c) for c in p))
    body = "|".join(re.escape(p) for p in sorted(latin, key=len, reverse=True))
    return (re.compile(rf"(?<!\w)(?:{body})(?!\w)") if latin else None), cjk


_ACTION_MATCHERS = {name: _matcher(p) for name, p in _ACTION_WORDS.items()}
_SITUATION_MATCHERS = {name: _matcher(p) for name, p in _SITUATIONS.items()}
_PARTY_MATCHERS = {name: _matcher(p) for name, p in _PARTIES.items()}
# The terminology's concept of a foreigner, whose terms include the nationalities ("Soy
# mexicano", "I'm French", "我是韩国人", "저는 일본인입니다"): one list, kept with the vocabulary.
_FOREIGNER_CONCEPT = "foreigner"


@lru_cache(maxsize=1)
def _nationality_matcher() -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
    concept = Terminology.read_concept(DEFAULT_DIR / "core.yml", _FOREIGNER_CONCEPT)
    terms = [t for ts in concept.terms.values() for t in ts] if concept is not None else []
    return _matcher(sorted({t if any(is_cjk(c) for c in t) else fold(t) for t in terms}))


def _parties(folded: str, compact: str) -> set[str]:
    said = {name for name, m in _PARTY_MATCHERS.items() if _says(m, folded, compact)}
    if "domestic" not in said and _says(_nationality_matcher(), folded, compact):
        said.add("foreign")
    return said


_LEVEL_MATCHERS = {name: _matcher(p) for name, p in _LEVEL_DECIDERS.items()}


def _says(matcher: tuple[re.Pattern[str] | None, tuple[str, ...]], folded: str, compact: str) -> bool:
    pattern, cjk = matcher
    return bool(pattern is not None and pattern.search(folded)) or any(c in compact for c in cjk)


@dataclass(frozen=True, slots=True)
class Shape:
    """A name taken apart: its actions, its object's core, and what qualifies it."""

    actions: frozenset[str]
    core: tuple[str, ...]
    qualifiers: frozenset[str]  # words after the core, brackets included, level words apart
    level: str | None
    foreign: bool
    cases: frozenset[str] = frozenset()  # "lost", "damaged", "revoked": the situation named


@lru_cache(maxsize=4096)
def shape(name: str) -> Shape:
    plain = normalize(name).lower()
    brackets = " ".join(_PAREN.findall(fold(plain)))
    marked = _WORD.findall(_PAREN.sub(" ", plain))
    folded = [fold(w) for w in marked]
    start = 0
    for lead in _LEADING:
        n = len(lead.split())
        if " ".join(folded[:n]) == lead:
            start = n
            break
    actions: set[str] = set()
    progress = True
    while progress:
        progress = False
        for prefix, action in _ACTIONS:
            n = len(prefix.split())
            # "Cấp lại và hiệu đính ...": actions joined by "và" chain too.
            joined = 1 if actions and folded[start : start + 1] == ["va"] else 0
            if " ".join(folded[start + joined : start + joined + n]) == prefix:
                actions.add(action)
                start += joined + n
                progress = True
                break
    cut = next(
        (i for i in range(start + 1, len(marked)) if marked[i] in _QUALIFIER_START),
        len(marked),
    )
    core = tuple(folded[start:cut])
    rest = folded[cut:] + _WORD.findall(brackets)
    level_text = " ".join(rest)
    level = None
    if "trung uong" in level_text or "cap bo" in level_text:
        level = "central"
    elif "cap tinh" in level_text:
        level = "province"
    elif "cap xa" in level_text or "cap huyen" in level_text:
        level = "commune"
    qualifiers = frozenset(w for w in rest if w not in _LEVEL_WORDS and w not in _FUNCTION_WORDS)
    whole = " ".join(folded)
    foreign = "nguoi nuoc ngoai" in whole or "yeu to nuoc ngoai" in whole
    tail = f" {' '.join(marked[cut:] + _WORD.findall(' '.join(_PAREN.findall(plain))))} "
    cases = frozenset(case for case, words in _CASES.items() if any(f" {w} " in tail for w in words))
    return Shape(frozenset(actions) or frozenset({"first"}), core, qualifiers, level, foreign, cases)


def are_siblings(a: str, b: str) -> bool:
    """Two names of one family: the same object core, or one core extending the other by
    a few words ("giấy phép lái xe" / "giấy phép lái xe quốc tế")."""
    ca, cb = shape(a).core, shape(b).core
    if not ca or not cb:
        return False
    short, long_ = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
    if " ".join(short) in _GENERIC_CORES and short != long_:
        return False
    return long_[: len(short)] == short and len(long_) - len(short) <= 3


def resolve(text: str, lang: str, hits: Sequence[Hit], margin: float) -> list[Hit] | None:
    """The members of the top candidate's family the question leaves open, best first.

    None when the top candidate has no sibling within ``margin`` of its score (the
    caller answers as usual); one hit when the question decides; several when the
    assistant should ask which one.
    """
    if not hits:
        return None
    top = hits[0]
    family = [
        h
        for h in hits
        if h is top
        or (
            top.score - h.score <= margin
            and h.procedure.name != top.procedure.name
            and are_siblings(top.procedure.name, h.procedure.name)
        )
    ]
    # Identical names (one procedure published at several levels) are siblings too.
    family += [h for h in hits if h is not top and h.procedure.name == top.procedure.name and h not in family]
    if len(family) < 2:
        return None
    folded = f" {fold(text)} "
    compact = text.replace(" ", "")
    said = _parties(folded, compact)
    situations = {name for name, m in _SITUATION_MATCHERS.items() if _says(m, folded, compact)}
    shapes = {id(h): shape(h.procedure.name) for h in family}
    cands = list(family)
    wanted = {name for name, m in _ACTION_MATCHERS.items() if _says(m, folded, compact)}
    if wanted:
        cands = [h for h in cands if shapes[id(h)].actions & wanted] or cands
    else:
        # "bị hỏng", "expired": the situation says which action, in its order of preference.
        for situation in sorted(situations):
            for tier in _SITUATION_ACTIONS.get(situation, ()):
                acting = [h for h in cands if shapes[id(h)].actions & tier]
                if acting:
                    cands = acting
                    break
    if any(shapes[id(h)].foreign != shapes[id(cands[0])].foreign for h in cands):
        # Decided only when the question says so: "người nước ngoài" / "two Vietnamese
        # citizens". Silence decides nothing (a Vietnamese may marry a foreigner, a foreign
        # resident may ask about a Vietnamese procedure): both stay open.
        if "foreign" in said and "domestic" not in said:
            cands = [h for h in cands if shapes[id(h)].foreign] or cands
        elif "domestic" in said:
            cands = [h for h in cands if not shapes[id(h)].foreign] or cands
    if situations and any(shapes[id(h)].cases for h in cands):
        cands = [h for h in cands if shapes[id(h)].cases & situations] or cands
    levels = {name for name, m in _LEVEL_MATCHERS.items() if _says(m, folded, compact)}
    if levels:
        cands = [h for h in cands if shapes[id(h)].level in levels] or cands
    asked = set(_WORD.findall(folded))
    # A qualifier the question spells out ("dưới 14 tuổi", "lưu động") picks its member.
    # Only words that tell the members apart count (not those every member's name has).
    shared = frozenset.intersection(
        *(shapes[id(h)].qualifiers | frozenset(shapes[id(h)].core) for h in cands)
    )
    evidence = {id(h): len((shapes[id(h)].qualifiers - shared - _GENERIC_QUALIFIERS) & asked) for h in cands}
    best = max(evidence.values())
    if best >= 2:
        cands = [h for h in cands if evidence[id(h)] == best]
    # Otherwise, for each action on each side (domestic / foreign), the member with the
    # fewest qualifiers the question did not mention: the plain variant.
    kept: list[Hit] = []
    groups: dict[tuple[bool, frozenset[str]], list[Hit]] = {}
    for h in cands:
        groups.setdefault((shapes[id(h)].foreign, shapes[id(h)].actions), []).append(h)
    for group in groups.values():
        unmentioned = {id(h): len(shapes[id(h)].qualifiers - asked) for h in group}
        fewest = min(unmentioned.values())
        kept += [h for h in group if unmentioned[id(h)] == fewest]
    kept.sort(key=lambda h: -h.score)
    # One option per variant: the same variant at another level adds nothing to choose.
    seen: set[tuple[frozenset[str], frozenset[str], bool]] = set()
    unique = []
    for h in kept:
        key = (shapes[id(h)].actions, shapes[id(h)].qualifiers, shapes[id(h)].foreign)
        if key not in seen:
            seen.add(key)
            unique.append(h)
    kept = unique
    variants = {(shapes[id(h)].actions, shapes[id(h)].qualifiers, shapes[id(h)].foreign) for h in kept}
    if len(variants) == 1:
        # The same procedure at several levels: a citizen cannot tell which level is
        # meant, and the answer names the agency; the best match stands.
        return kept[:1]
    return kept


def pick(text: str, lang: str, hits: Sequence[Hit]) -> Hit | None:
    """The one listed variant a reply in words chooses ("cái bị mất", "for a foreigner"),
    or None when the words decide nothing: a number, or a new question, is handled elsewhere."""
    if len(hits) < 2:
        return None
    level = [Hit(h.procedure, 1.0, h.lexical, h.dense) for h in hits]
    chosen = resolve(text, lang, level, margin=1.0)
    default = resolve("", "vi" if lang in ("vi", "vi-x") else lang, level, margin=1.0)
    if chosen is None or len(chosen) != 1:
        return None
    if default is not None and [h.procedure.code for h in default] == [chosen[0].procedure.code]:
        return None  # what the bare options already lead to: the words added nothing
    return next(h for h in hits if h.procedure.code == chosen[0].procedure.code)


def names_variant(text: str) -> bool:
    """The message says who, what happened or what is done ("the foreign one", "cái bị mất",
    "el extranjero", "有外国因素的那个"): the words that tell one sibling from another."""
    folded = f" {fold(text)} "
    compact = text.replace(" ", "")
    matchers = (*_ACTION_MATCHERS.values(), *_SITUATION_MATCHERS.values(), *_LEVEL_MATCHERS.values())
    return bool(_parties(folded, compact)) or any(_says(m, folded, compact) for m in matchers)
