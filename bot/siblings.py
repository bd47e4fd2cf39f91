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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from knowledge.lexicon import lexicon
from knowledge.search import Hit
from knowledge.terminology import DEFAULT_DIR, Terminology
from knowledge.text import fold, has_vietnamese_marks, is_cjk, normalize, words

# Leading actions of a name (folded), longest first; a name may chain several ("Cấp,
# gia hạn, cấp lại, cấp đổi chứng chỉ ...").
_ACTIONS: tuple[tuple[str, str], ...] = (
    ("cap dieu chinh", "amend"),
    ("cap lai", "reissue"),
    ("cap doi", "exchange"),
    ("cap moi", "first"),
    ("dang ky lai", "reissue"),
    ("xoa dang ky", "cancel"),
    ("huy dang ky", "cancel"),
    ("huy bo", "cancel"),
    ("huy", "cancel"),
    ("thu hoi", "cancel"),
    ("tra lai", "return"),
    ("cham dut hoat dong", "terminate"),
    ("cham dut", "terminate"),
    ("ket thuc", "terminate"),
    ("dong cua", "terminate"),
    ("giai the", "terminate"),
    ("hop nhat", "merge"),
    ("sap nhap", "merge"),
    ("chuyen doi loai hinh hoat dong", "transform"),
    ("chuyen doi loai hinh", "transform"),
    ("chuyen doi", "transform"),
    ("thanh lap", "first"),
    ("giao", "first"),
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
_LEADING = ("thu tuc", "lien thong thu tuc hanh chinh ve", "giai quyet viec")
# Words naming the content of a paper before the paper itself ("hiệu đính thông tin trên …").
_CONTENT_OF = (("thong", "tin", "tren"), ("noi", "dung", "tren"), ("thong", "tin", "ghi", "tren"))
# Words (with their marks: "có" but not "cổ", "đối" but not "đổi") after which a name stops
# naming its object and starts qualifying it.
_QUALIFIER_START = frozenset("cho tại có đối trong của ở theo khi từ đến hoặc lần lưu và".split())
# "thực hiện tại cấp tỉnh" qualifies; "chứng thực", "thực phẩm" are the object.
_QUALIFIER_PAIRS = frozenset({("thực", "hiện")})
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
GENERIC_WORDS = _GENERIC_QUALIFIERS
# "ở nước ngoài" names who the paper is for, not where one applies, after these words
# ("người Việt Nam định cư ở nước ngoài"), or beside those living in Vietnam ("tại Việt Nam").
_RESIDING_ABROAD = ("cu tru o nuoc ngoai", "dinh cu o nuoc ngoai", "tai viet nam")
_PAREN = re.compile(r"\(([^)]*)\)")
_WORD = re.compile(r"[^\W_]+")

# What a question says about the variant it needs: reviewed word lists in every language.
# The actions a question may ask for, each the leading action of some names (_ACTIONS).
_ACTION_IDS = (
    "reissue",
    "exchange",
    "extend",
    "first",
    "return",
    "cancel",
    "terminate",
    "merge",
    "transform",
)
_WORDS = lexicon(
    __file__,
    "siblings",
    required=("vi", "en"),
    ids=(
        *_ACTION_IDS,
        "lost",
        "damaged",
        "expired",
        "revoked",
        "changed",
        "born",
        "died",
        "marrying",
        "copy",
        "extract",
        "other_papers",
        "foreign",
        "domestic",
        "central",
        "province",
        "commune",
        "in_vietnam",
        "at_mission",
    ),
)
# Situations in the order they decide: what happened to the paper first ("lost" beats the
# "apply for a new one" that follows it), the event that calls for a first registration last.
_SITUATION_IDS = ("lost", "damaged", "revoked", "expired", "changed")
_EVENT_IDS = ("born", "died", "marrying")
# The actions a situation calls for, in order of preference: a damaged card is exchanged
# where the family has an exchange, re-issued otherwise; an expired one is exchanged or
# extended; changed details are amended, or the card exchanged (a citizen identity card).
_SITUATION_ACTIONS: dict[str, tuple[frozenset[str], ...]] = {
    "lost": (frozenset({"reissue"}),),
    "damaged": (frozenset({"exchange"}), frozenset({"reissue"})),
    "expired": (frozenset({"exchange", "extend"}),),
    "revoked": (),
    "changed": (frozenset({"amend"}), frozenset({"exchange"})),
}
# The situation a variant's qualifier names ("trong trường hợp bị mất, bị rách, bị cháy"),
# as words of the name (with their marks).
_CASES: dict[str, tuple[str, ...]] = {
    "lost": ("mất", "thất lạc"),
    "damaged": ("rách", "cháy", "hỏng", "hư hỏng", "nát"),
    "revoked": ("thu hồi",),
}
_LEVEL_IDS = ("central", "province", "commune")
# Nearest office first, for a question that names no level (a stable sort keeps the scores'
# order within a level).
# A district-level variant comes after the commune's: districts were abolished on 1 July
# 2025 and their work moved to the communes, though the catalogue still lists both.
_LEVEL_RANK = {"commune": 0, "district": 0.5, "province": 1, None: 1, "central": 2}
# A question that decides the variant may pick a sibling this far below the top candidate:
# "my wife is Vietnamese and I am Australian … register the birth" ranks the domestic
# registration first, its foreign-element sibling 0.1 lower. Undecided questions keep
# ``margin`` (only near-ties are asked about).
DECIDED_MARGIN = 0.25
# A copy of a record and registering one are told apart by a question's words that search
# hardly weighs ("acte de naissance" is both): the one it names may lie further below.
RECORD_MARGIN = 0.4
# A loss procedure ranked first for a question that says nothing of a loss gives way to the
# paper's own procedure this far below.
LOSS_MARGIN = 0.1
# Objects of a copy: "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh".
_COPY_CORES = (("ban", "sao"), ("trich", "luc"))


def _matcher(phrases: Sequence[str]) -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
    latin = [p for p in phrases if not any(is_cjk(c) for c in p)]
    cjk = tuple(p.replace(" ", "") for p in phrases if any(is_cjk(c) for c in p))
    body = "|".join(re.escape(p) for p in sorted(latin, key=len, reverse=True))
    return (re.compile(rf"(?<!\w)(?:{body})(?!\w)") if latin else None), cjk


Matcher = tuple[re.Pattern[str] | None, tuple[str, ...]]
_MATCHERS: dict[str, Matcher] = {e.id: _matcher(e.words()) for e in _WORDS.entries}
# Everyday words that ask for "a new one" without saying how the law issues it: a damaged
# identity card is "replaced" by an exchange, a damaged investment certificate by a re-issue.
_LOOSE_ACTION_WORDS = frozenset(
    {"replacement", "replace", "get a new one", "issued again", "refaire", "lam lai", "xin lai", "重新办理"}
)
_NAMED: dict[str, Matcher] = {
    e.id: _matcher([w for w in e.words() if w not in _LOOSE_ACTION_WORDS])
    for e in _WORDS.entries
    if e.id in ("reissue", "exchange", "extend")
}


def _says(matcher: Matcher, folded: str, compact: str) -> bool:
    pattern, cjk = matcher
    return bool(pattern is not None and pattern.search(folded)) or any(c in compact for c in cjk)


def _concept_terms(*concepts: str) -> list[str]:
    terms: list[str] = []
    for concept_id in concepts:
        concept = Terminology.read_concept(DEFAULT_DIR / "core.yml", concept_id)
        if concept is not None:
            terms += [
                t if any(is_cjk(c) for c in t) else fold(t) for ts in concept.terms.values() for t in ts
            ]
    return sorted(set(terms))


@lru_cache(maxsize=1)
def _nationality_matcher() -> Matcher:
    """The terminology's foreigner ("Soy mexicano", "I'm French", "我是韩国人") and its foreign
    element ("chồng Hàn", "my Vietnamese wife", "越南女朋友"): one list, kept with the vocabulary."""
    return _matcher(_concept_terms("foreigner", "foreign_element"))


# A language is not a country: "한국어", "日本語", "韩语" say nothing of who the parties are.
_LANGUAGE_SUFFIX = re.compile(r"[어語语文]")


@lru_cache(maxsize=1)
def _abroad_matcher() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """A foreign country or a Vietnamese residing abroad ("ở Mỹ", "Việt kiều", "在日本"): an
    event or a party abroad, which the civil-status law counts as a foreign element."""
    pattern, cjk = _matcher(_concept_terms("abroad", "overseas_vietnamese"))
    body = "|".join(re.escape(c) for c in sorted(cjk, key=len, reverse=True))
    return pattern, (re.compile(rf"(?:{body})(?![어語语文])") if cjk else None)


def _parties(folded: str, compact: str) -> set[str]:
    """ "foreign" (a foreigner is a party), "abroad" (a country abroad or an overseas
    Vietnamese is named) or "domestic" (two Vietnamese)."""
    said = {name for name in ("foreign", "domestic") if _says(_MATCHERS[name], folded, compact)}
    if "domestic" in said:
        return said
    if _says(_nationality_matcher(), folded, compact):
        said.add("foreign")
    pattern, cjk = _abroad_matcher()
    if (pattern is not None and pattern.search(folded)) or (cjk is not None and cjk.search(compact)):
        said.add("abroad")
    return said


@dataclass(frozen=True, slots=True)
class Question:
    """What a question says about the variant it needs, read once."""

    wanted: frozenset[str]  # actions named: "reissue", "exchange", "extend", "first"
    situations: frozenset[str]  # "lost", "damaged", "revoked", "expired", "changed"
    events: frozenset[str]  # "born", "died", "marrying": a first registration
    parties: frozenset[str]  # "foreign", "abroad", "domestic"
    levels: frozenset[str]
    copy: bool  # a copy or extract of an existing record
    words: frozenset[str]
    named: frozenset[str] = frozenset()  # "reissue", "exchange", "extend" in the law's own words
    where: str = "home"  # "home" unless the question says it is asked from abroad

    @classmethod
    def read(cls, text: str) -> Question:
        folded = f" {fold(text)} "
        compact = re.sub(r"\s+", "", text)

        def said(ids: Sequence[str]) -> frozenset[str]:
            return frozenset(i for i in ids if _says(_MATCHERS[i], folded, compact))

        return cls(
            said(_ACTION_IDS),
            said(_SITUATION_IDS),
            said(_EVENT_IDS),
            frozenset(_parties(folded, compact)),
            said(_LEVEL_IDS),
            # "bản sao căn cước" to register a marriage: a copy of another paper, a document to bring.
            bool(said(("extract",)) or (said(("copy",)) and not said(("other_papers",)))),
            frozenset(_WORD.findall(folded)),
            frozenset(i for i, m in _NAMED.items() if _says(m, folded, compact)),
            # Asked from a province's hotline: in Vietnam unless an embassy or living abroad is
            # said, and not in Vietnam now ("back in Vietnam" after "lived abroad").
            "abroad" if said(("at_mission",)) and not said(("in_vietnam",)) else "home",
        )


@dataclass(frozen=True, slots=True)
class Shape:
    """A name taken apart: its actions, its object's core, and what qualifies it."""

    actions: frozenset[str]
    core: tuple[str, ...]
    qualifiers: frozenset[str]  # words after the core, brackets included, level words apart
    level: str | None
    foreign: bool  # "có yếu tố nước ngoài" or "của người nước ngoài"
    cases: frozenset[str] = frozenset()  # "lost", "damaged", "revoked": the situation named
    element: bool = False  # "có yếu tố nước ngoài": a party or an event abroad
    where: str | None = None  # "home" ("ở trong nước") or "abroad" ("ở nước ngoài"): where one applies

    @property
    def copy(self) -> bool:
        """A copy or extract of a record ("Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh")."""
        return self.core[:2] in _COPY_CORES


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
    # "Đăng ký việc nuôi con nuôi", "Giải quyết việc nuôi con nuôi …": "việc" only introduces it.
    if folded[start : start + 1] == ["viec"] and start + 1 < len(folded):
        start += 1
    # "Cấp lại và hiệu đính thông tin trên Giấy chứng nhận …": the paper is the object.
    for content in _CONTENT_OF:
        n = len(content)
        if tuple(folded[start : start + n]) == content and start + n < len(folded):
            start += n
            break
    cut = next(
        (
            i
            for i in range(start + 1, len(marked))
            if marked[i] in _QUALIFIER_START or tuple(marked[i : i + 2]) in _QUALIFIER_PAIRS
        ),
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
    elif "cap xa" in level_text:
        level = "commune"
    elif "cap huyen" in level_text:
        level = "district"
    qualifiers = frozenset(w for w in rest if w not in _LEVEL_WORDS and w not in _FUNCTION_WORDS)
    whole = " ".join(folded)
    element = "yeu to nuoc ngoai" in whole
    foreign = element or "nguoi nuoc ngoai" in whole
    tail = f" {' '.join(marked[cut:] + _WORD.findall(' '.join(_PAREN.findall(plain))))} "
    cases = frozenset(case for case, words in _CASES.items() if any(f" {w} " in tail for w in words))
    where = None
    if " o trong nuoc" in f" {whole}":
        where = "home"
    elif " o nuoc ngoai" in f" {whole}" and not any(w in whole for w in _RESIDING_ABROAD):
        where = "abroad"
    return Shape(
        frozenset(actions) or frozenset({"first"}), core, qualifiers, level, foreign, cases, element, where
    )


def are_siblings(a: str, b: str) -> bool:
    """Two names of one family: the same object core, or one core extending the other by
    a few words ("giấy phép lái xe" / "giấy phép lái xe quốc tế")."""
    ca, cb = shape(a).core, shape(b).core
    if not ca or not cb:
        return False
    short, long_ = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
    if short != long_ and (" ".join(short) in _GENERIC_CORES or len(short) < 2):
        # One word is too little to extend: "Giao đất ở …" (core "đất") is no sibling of
        # "Đặt hàng mua nhà ở …", whose folded core starts with the same "dat".
        return False
    return long_[: len(short)] == short and len(long_) - len(short) <= 3


def copy_of(copy: Hit, record: Hit) -> bool:
    """``copy`` gives copies of the records ``record`` registers: "Cấp bản sao Trích lục hộ
    tịch, bản sao Giấy khai sinh" of "Đăng ký khai sinh" (its object named) and of every
    civil-status registration (its field, "hộ tịch", named)."""
    c, r = copy.procedure, record.procedure
    rs = shape(r.name)
    if not shape(c.name).copy or rs.copy or "first" not in rs.actions or not rs.core:
        return False
    if c.field and r.field and c.field != r.field:
        return False
    words = f" {' '.join(_WORD.findall(fold(c.name)))} "
    field = fold(r.field).strip()
    return f" {' '.join(rs.core)} " in words or bool(field and f" {field} " in words)


def _names_a_loss(name: str) -> bool:
    """ "Trình báo mất hộ chiếu", "Cấp lại … bị mất": a procedure for a lost paper, named with
    the words of a "lost" qualifier (with their marks: "mặt", "thất nghiệp" are other words)."""
    spaced = f" {' '.join(_WORD.findall(normalize(name).lower()))} "
    return any(f" {w} " in spaced for w in _CASES["lost"])


def _not_a_loss(q: Question, hits: Sequence[Hit], wide: float) -> Hit | None:
    """A question silent on a loss ("Je veux un passeport") is not about reporting a lost
    paper: when search ranks a loss procedure first, the procedure for the paper itself
    ("Cấp hộ chiếu phổ thông") close below it comes first."""
    top = hits[0]
    if "lost" in q.situations or not _names_a_loss(top.procedure.name):
        return None
    words = set(_WORD.findall(fold(top.procedure.name)))
    for h in hits[1:]:
        if top.score - h.score > wide:
            break
        if _names_a_loss(h.procedure.name):
            continue
        core = shape(h.procedure.name).core
        if len(core) >= 2 and set(core) <= words:
            return h
    return None


def _first_registration(q: Question, top: Hit, broad: Sequence[Hit]) -> Hit | None:
    """ "Quiero registrar el matrimonio": a question that names no action and no situation
    asks for the registration itself, not for registering it again ("Đăng ký lại kết hôn …",
    for a register that was lost) or amending it, which search may rank first."""
    if q.wanted or q.situations or q.copy:
        return None
    top_shape = shape(top.procedure.name)
    if "first" in top_shape.actions or top_shape.copy:
        return None
    for h in broad:
        s = shape(h.procedure.name)
        if h is not top and s.actions == {"first"} and s.foreign == top_shape.foreign and not s.copy:
            return h
    return None


def _copy_or_record(q: Question, hits: Sequence[Hit], wide: float) -> Hit | None:
    """A copy of an existing record or registering a new one, when the question says which
    and search ranked the other first: "a copy of my birth certificate" / "acte de naissance
    pour mon fils né la semaine dernière" (a birth to register, not a copy to issue)."""
    top = hits[0]
    near = [h for h in hits[1:] if top.score - h.score <= wide]
    if q.copy and not q.events and not shape(top.procedure.name).copy:
        return next((h for h in near if copy_of(h, top)), None)
    if q.events and not q.copy and shape(top.procedure.name).copy:
        records = [h for h in near if copy_of(top, h)]
        if records:
            # The plain registration before "… kết hợp đăng ký nhận cha, mẹ, con" ranked near it.
            best = records[0].score
            return min(
                (h for h in records if best - h.score <= wide / 2),
                key=lambda h: (len(shape(h.procedure.name).core), -h.score),
            )
    return None


def _family(top: Hit, hits: Sequence[Hit], margin: float) -> list[Hit]:
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
    return family


def _narrow(cands: list[Hit], keep: Callable[[Shape], bool], shapes: dict[int, Shape]) -> list[Hit]:
    """The candidates ``keep`` accepts, or all of them when it accepts none."""
    return [h for h in cands if keep(shapes[id(h)])] or cands


def _decide(q: Question, family: list[Hit], shapes: dict[int, Shape]) -> list[Hit]:
    """The members of ``family`` the question's words leave: what happened to the paper, the
    action named, the event to register, who the parties are, the situation a qualifier
    names, the level. A cue that no member answers decides nothing."""
    cands = list(family)
    # What happened first: a lost card is re-issued even when the question says "apply for a
    # new one"; a damaged one exchanged where the family has an exchange.
    for situation in _SITUATION_IDS:
        if situation in q.situations:
            tiers = _SITUATION_ACTIONS[situation]
            # Of the actions the situation allows, the one the question names comes first
            # ("bị hỏng … xin cấp lại": re-issued, though a damaged paper is usually exchanged).
            named = q.named & frozenset().union(*tiers) if tiers else frozenset()
            for tier in ((named,) if named else ()) + tiers:
                acting = [h for h in cands if shapes[id(h)].actions & tier]
                if acting:
                    cands = acting
                    break
    if q.wanted:
        cands = _narrow(cands, lambda s: bool(s.actions & q.wanted), shapes)
    if q.events:
        # A birth, a death, a wedding to come: registered for the first time, not again.
        cands = _narrow(cands, lambda s: "first" in s.actions, shapes)
    if any(shapes[id(h)].foreign != shapes[id(cands[0])].foreign for h in cands):
        # Decided only when the question says so: "người nước ngoài" / "two Vietnamese
        # citizens". Silence decides nothing (a Vietnamese may marry a foreigner, a foreign
        # resident may ask about a Vietnamese procedure): both stay open.
        if "domestic" in q.parties:
            cands = _narrow(cands, lambda s: not s.foreign, shapes)
        elif "foreign" in q.parties:
            cands = _narrow(cands, lambda s: s.foreign, shapes)
        elif "abroad" in q.parties:
            # A country abroad or an overseas Vietnamese makes a civil-status event "có yếu
            # tố nước ngoài"; it does not make the citizen a foreigner ("của người nước ngoài").
            cands = _narrow(cands, lambda s: s.element, shapes)
    if len({shapes[id(h)].where for h in cands}) > 1:
        # "ở trong nước" / "ở nước ngoài": where the citizen applies.
        cands = _narrow(cands, lambda s: s.where in (q.where, None), shapes)
    if q.situations and any(shapes[id(h)].cases for h in cands):
        cands = _narrow(cands, lambda s: bool(s.cases & q.situations), shapes)
    if q.levels:
        cands = _narrow(cands, lambda s: s.level in q.levels, shapes)
    return cands


def _said(text: str) -> Callable[[Hit, frozenset[str]], frozenset[str]]:
    """Of a member's qualifier words (folded) that the question has, those it really says:
    with marks, "đăng ký" does not say "đang" (khai thác) though both fold to "dang"."""
    if not has_vietnamese_marks(text):
        return lambda h, found: found
    marked = frozenset(w.lower() for w in words(normalize(text)))

    def said(h: Hit, found: frozenset[str]) -> frozenset[str]:
        name = [w.lower() for w in words(normalize(h.procedure.name))]
        # Every word of the name with that folded form: "Đăng ký … đang khai thác" has two.
        return frozenset(f for f in found if all(w in marked for w in name if fold(w) == f))

    return said


def resolve(
    text: str,
    lang: str,
    hits: Sequence[Hit],
    margin: float,
    decided_margin: float = DECIDED_MARGIN,
    vi_terms: Sequence[str] = (),
) -> list[Hit] | None:
    """The members of the top candidate's family the question leaves open, best first.

    None when the top candidate has no sibling within ``margin`` of its score and the
    question does not point elsewhere (the caller answers as usual); one hit when the
    question decides; several when the assistant should ask which one. A question that
    decides against the top candidate ("I'm Australian" under a domestic registration, "a
    baby born last week" under a copy of a record) picks the member it names from as far
    as ``decided_margin`` below. ``vi_terms``: the terminology's Vietnamese for a foreign
    question's words ("temporarily" → "tạm thời"), so that a qualifier it says in its own
    language counts as said.
    """
    if not hits:
        return None
    q = Question.read(text)
    if vi_terms and lang not in ("vi", "vi-x"):
        q = replace(q, words=q.words | frozenset(_WORD.findall(fold(" ".join(vi_terms)))))
    wide = max(margin, decided_margin)
    moved = _copy_or_record(q, hits, max(wide, RECORD_MARGIN)) or _not_a_loss(q, hits, LOSS_MARGIN)
    ranked = [moved, *(h for h in hits if h is not moved)] if moved is not None else list(hits)
    top = ranked[0]
    family = _family(top, ranked, margin)
    broad = _family(top, ranked, wide)
    first = _first_registration(q, top, broad)
    if first is not None:
        moved = top = first
        family = _family(top, ranked, margin)
        broad = _family(top, ranked, wide)
    if len(broad) > len(family):
        decided = _decide(q, broad, {id(h): shape(h.procedure.name) for h in broad})
        if top not in decided:
            # The question points below the top: the best member it leaves is the anchor,
            # and only its near-ties stay open.
            anchor = max(decided, key=lambda h: h.score)
            family = [h for h in decided if anchor.score - h.score <= margin]
            family.sort(key=lambda h: -h.score)
            moved = top = family[0]
    # The same procedure at another level is one the citizen cannot tell apart, however far
    # search scored it (its description differs, not the question's fit): weighed by level below.
    plain = replace(shape(top.procedure.name), level=None)
    family += [
        h
        for h in ranked
        if h not in family and h.score <= top.score and replace(shape(h.procedure.name), level=None) == plain
    ]
    if len(family) < 2:
        return [top] if moved is not None else None
    shapes = {id(h): shape(h.procedure.name) for h in family}
    cands = _decide(q, family, shapes)
    asked = q.words
    # A qualifier the question spells out ("dưới 14 tuổi", "lưu động") picks its member.
    # Only words that tell the members apart count (not those every member's name has).
    shared = frozenset.intersection(
        *(shapes[id(h)].qualifiers | frozenset(shapes[id(h)].core) for h in cands)
    )
    said = _said(text)
    evidence = {
        id(h): len(said(h, (shapes[id(h)].qualifiers - shared - _GENERIC_QUALIFIERS) & asked)) for h in cands
    }
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
        unmentioned = {
            id(h): len(shapes[id(h)].qualifiers - said(h, shapes[id(h)].qualifiers & asked)) for h in group
        }
        fewest = min(unmentioned.values())
        kept += [h for h in group if unmentioned[id(h)] == fewest]
    kept.sort(key=lambda h: -h.score)
    # One option per variant: the same variant at another level adds nothing to choose, and
    # a citizen who names no level goes to the nearest office that does it (the province's
    # passport office, not the central department that issues passports in special cases).
    kept.sort(key=lambda h: _LEVEL_RANK.get(shapes[id(h)].level, 1))
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


def asks_abroad(text: str) -> bool:
    """The message says the citizen applies abroad (an embassy, a consulate, living abroad)."""
    return Question.read(text).where == "abroad"


def names_variant(text: str) -> bool:
    """The message says who, what happened or what is done ("the foreign one", "cái bị mất",
    "el extranjero", "有外国因素的那个"): the words that tell one sibling from another."""
    q = Question.read(text)
    return bool(q.parties or q.wanted or q.situations or q.levels or q.where == "abroad")
