"""Generate descriptions of procedures in citizens' words from the catalogue.

``python -m knowledge.describe --catalogue PATH [--catalogue PATH ...] [--out DIR]`` writes
``DIR/<ministry list>.yml`` (default ``knowledge/data/descriptions``). A description joins:

* everyday names of the object (``knowledge/data/situations/names.yml``: "sổ đỏ", "CCCD");
* the action of the name, said the way people say it, with the situations that need it
  (rules over "Cấp lại / Cấp đổi / Gia hạn / Đăng ký / Thay đổi / Xóa …": re-issue when lost,
  burnt or torn; exchange when expired; extension …), and the sibling it is not;
* variants the name decides (with a foreign element or domestic; mobile; for children);
* the field's situations (``knowledge/data/situations/fields.yml``, hand-written);
* who it is for (the applicants) and where it is done (the level).

English uses the same rules with the terminology's gloss of the object. Entries a person
marked ``reviewed: true`` are kept as they are; everything generated is ``reviewed: false``.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.descriptions import DEFAULT_DIR, read_entries
from knowledge.models import Procedure
from knowledge.terminology import Terminology
from knowledge.text import normalize

log = logging.getLogger(__name__)

SITUATIONS_DIR = Path(__file__).resolve().parent / "data" / "situations"
TERMINOLOGY_DIR = Path(__file__).resolve().parent / "data" / "terminology"
OBJECT_LIMIT = 110  # characters of the name's object kept in a description

# (lower-case phrases at the head of a name, vi wording, en wording). Order matters: longer first.
# The wordings never name a sibling ("not a re-issue"): a search would match the sibling's words.
_ACTIONS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("cấp lại",),
        "cấp lại, làm lại khi bị mất, thất lạc, bị hỏng, rách, cháy, mờ hoặc sai thông tin",
        "re-issue (replacement) when it was lost, stolen, damaged, torn, burnt or has wrong details",
    ),
    (
        ("cấp đổi", "đổi"),
        "cấp đổi, đổi sang cái mới khi hết hạn, cũ nát, hư hỏng, đổi mẫu hoặc thay đổi thông tin",
        "exchange for a new one when it expired, is worn out or damaged, or the details changed",
    ),
    (
        ("gia hạn",),
        "gia hạn, kéo dài thời hạn khi sắp hết hạn hoặc đã hết hạn",
        "extension (renewal) when it is about to expire or has expired",
    ),
    (
        ("đăng ký lại",),
        "đăng ký lại khi giấy tờ gốc đã mất và sổ gốc không còn",
        "re-registration when the original paper and record were lost",
    ),
    (
        ("cấp lần đầu", "cấp mới", "cấp"),
        "xin cấp, cấp mới lần đầu",
        "applying to get it issued: a new one, first issue",
    ),
    (
        ("đăng ký biến động", "đăng ký thay đổi"),
        "đăng ký thay đổi khi thông tin đã đăng ký có biến động",
        "registering a change to what was registered",
    ),
    (
        ("đăng ký", "ghi vào sổ", "ghi chú"),
        "đăng ký, khai báo, ghi vào sổ",
        "registration, declaring, recording",
    ),
    (
        ("cải chính", "sửa đổi", "bổ sung", "điều chỉnh", "thay đổi", "chỉnh sửa", "cập nhật"),
        "thay đổi, điều chỉnh, sửa thông tin khi có thay đổi hoặc bị sai",
        "change or correction when details changed or are wrong",
    ),
    (
        ("xóa", "hủy", "chấm dứt", "thu hồi", "giải thể", "thôi", "đóng cửa", "rút"),
        "xóa, hủy, chấm dứt, thôi, đóng lại",
        "cancellation, withdrawal, termination or closing",
    ),
    (("tạm ngừng", "đình chỉ", "tạm dừng"), "tạm ngừng, tạm nghỉ, đình chỉ", "suspension, pausing"),
    (("nối lại", "tiếp tục", "khôi phục"), "hoạt động lại sau khi tạm ngừng", "resuming after a suspension"),
    (("xác nhận",), "xin giấy xác nhận", "getting a confirmation"),
    (("thông báo", "báo cáo"), "báo cho cơ quan nhà nước biết", "notifying or reporting to the authorities"),
    (("chứng thực", "công chứng"), "chứng thực, công chứng", "certification, notarisation"),
    (("thành lập", "mở"), "mở mới, thành lập", "setting up, opening"),
    (
        ("phê duyệt", "chấp thuận", "cho phép", "thẩm định"),
        "xin chấp thuận, phê duyệt, cho phép",
        "approval, permission",
    ),
    (("công nhận",), "được công nhận", "recognition"),
    (
        ("giải quyết hưởng", "xét hưởng", "hưởng", "giải quyết chế độ", "trợ cấp", "chi trả", "hỗ trợ"),
        "hưởng chế độ, nhận trợ cấp, nhận tiền hỗ trợ",
        "claiming a benefit, allowance or support",
    ),
    (("hoàn", "hoàn thuế"), "được trả lại tiền (hoàn)", "getting a refund"),
    (("miễn", "giảm"), "được miễn, giảm", "exemption or reduction"),
    (
        ("nhập khẩu", "xuất khẩu", "tạm nhập", "tái xuất", "quá cảnh", "chuyển khẩu"),
        "nhập, xuất hàng qua biên giới",
        "importing or exporting across the border",
    ),
    (
        ("kiểm dịch", "kiểm tra", "kiểm định", "giám định", "đánh giá"),
        "kiểm tra, kiểm dịch, kiểm định",
        "inspection, quarantine, testing",
    ),
    (("khiếu nại", "tố cáo", "giải quyết khiếu nại"), "khiếu nại, tố cáo", "complaint, denunciation"),
    (
        ("chuyển nhượng", "mua bán", "tặng cho", "chuyển đổi"),
        "mua bán, sang tên, chuyển nhượng, chuyển đổi",
        "sale, transfer or conversion",
    ),
    (
        ("trích lục", "cung cấp thông tin", "cấp bản sao"),
        "xin bản sao, trích lục, thông tin",
        "getting a copy, extract or information",
    ),
    (("kê khai", "khai báo", "khai thuế", "nộp", "quyết toán"), "khai, nộp tờ khai", "filing a declaration"),
    (("thi", "sát hạch", "tuyển"), "thi, sát hạch, tuyển", "exam, test or selection"),
    (
        ("trả lại", "nộp lại"),
        "trả lại, nộp lại khi không dùng nữa",
        "handing back (surrendering) it when no longer used",
    ),
    (
        ("bổ nhiệm", "miễn nhiệm", "tạm đình chỉ hành nghề"),
        "bổ nhiệm, miễn nhiệm",
        "appointment or dismissal",
    ),
    (("công bố", "công khai"), "công bố, thông báo công khai", "public announcement"),
    (("khai quyết toán",), "khai quyết toán cuối năm, cuối kỳ", "year-end (final) declaration"),
    (
        ("giải quyết tranh chấp", "tranh chấp"),
        "giải quyết tranh chấp, bất đồng giữa các bên",
        "settling a dispute between parties",
    ),
    (("xác định lại", "xác định"), "xác định, tính lại", "determining or re-determining"),
    (("thu thập", "cập nhật"), "thu thập, cập nhật thông tin", "collecting or updating information"),
    (("hướng dẫn",), "hướng dẫn cách làm", "guidance"),
    (("thực hiện chế độ", "giải quyết chế độ", "xét duyệt"), "hưởng chế độ, xét duyệt", "claiming a benefit"),
    (("thỏa thuận", "lấy ý kiến", "cho ý kiến"), "xin ý kiến, thỏa thuận", "consultation or consent"),
    (("đóng", "đóng tạm thời"), "đóng, tạm đóng", "closing, temporary closure"),
    (("tiếp nhận",), "tiếp nhận", "receiving"),
    (("đào tạo", "huấn luyện", "bồi dưỡng"), "đào tạo, huấn luyện", "training"),
    (("tặng", "truy tặng", "khen thưởng"), "khen thưởng, tặng danh hiệu", "awards and honours"),
    (("cấp phép",), "xin cấp phép, cấp mới", "applying for a permit"),
    (("đưa",), "đưa, chuyển", "bringing or moving"),
)
_FILLERS = ("thủ tục", "đề nghị", "yêu cầu", "việc", "hồ sơ")
_ACTION_BY_PHRASE: dict[str, int] = {p: i for i, (ps, _, _) in enumerate(_ACTIONS) for p in ps}
_MAX_ACTION_WORDS = max(len(p.split()) for p in _ACTION_BY_PHRASE)
_JOINERS = frozenset({",", "và", "hoặc", "/", "-"})
_CUT_RE = re.compile(
    r"\s(?:đối với|trong trường hợp|trường hợp|theo quy định|thuộc thẩm quyền|do\s|tại\s|quy định tại)|\s?\(",
    re.IGNORECASE,
)

# Applicant kinds in citizens' words: (lower-case phrase, vi, en). First match per phrase.
_APPLICANTS: tuple[tuple[str, str, str], ...] = (
    ("người việt nam định cư ở nước ngoài", "Việt kiều", "overseas Vietnamese"),
    ("công dân việt nam", "người dân", "Vietnamese citizens"),
    ("người nước ngoài", "người nước ngoài", "foreigners"),
    ("doanh nghiệp có vốn đầu tư nước ngoài", "công ty vốn nước ngoài", "foreign-invested companies"),
    ("doanh nghiệp", "doanh nghiệp, công ty", "businesses"),
    ("hợp tác xã", "hợp tác xã", "cooperatives"),
    ("hộ kinh doanh", "hộ kinh doanh", "household businesses"),
    ("tổ chức nước ngoài", "tổ chức nước ngoài", "foreign organisations"),
    ("cán bộ", "cán bộ, công chức", "public servants"),
    ("nhà đầu tư", "nhà đầu tư", "investors"),
    ("tổ chức", "tổ chức", "organisations"),
)
_LEVELS = {
    "commune": ("UBND xã, phường, đặc khu (Trung tâm phục vụ hành chính công)", "the commune or ward office"),
    "province": ("cấp tỉnh: sở, ngành, cơ quan cấp tỉnh", "the province (a provincial department or agency)"),
    "ministry": ("cấp trung ương: bộ, cục", "a ministry or central department"),
}
# Variants the name itself decides: (lower-case phrase, vi, en).
_VARIANTS: tuple[tuple[str, str, str], ...] = (
    (
        "có yếu tố nước ngoài",
        "có yếu tố nước ngoài: một bên là người nước ngoài hoặc Việt kiều, hoặc việc xảy ra ở nước ngoài",
        "with a foreign element: a foreigner or an overseas Vietnamese is involved, or it happened abroad",
    ),
    (
        "lưu động",
        "lưu động: cán bộ đến tận nơi khi người dân ốm, già yếu không đi được",
        "mobile: officials come to people who cannot travel",
    ),
    ("trẻ em", "cho trẻ em", "for children"),
    ("dưới 14 tuổi", "cho trẻ dưới 14 tuổi", "for children under 14"),
    ("ở nước ngoài", "ở nước ngoài hoặc liên quan đến nước ngoài", "abroad or involving another country"),
    ("người nước ngoài", "liên quan đến người nước ngoài", "involving foreigners"),
    ("trực tuyến", "làm trực tuyến (online)", "done online"),
    (
        "liên thông",
        "liên thông: một lần nộp cho nhiều việc",
        "joint procedure: one application for several things",
    ),
    (
        "ra khỏi địa bàn cấp tỉnh",
        "chở, mang sang tỉnh khác trong nước (đi xe, tàu, máy bay nội địa)",
        "moving to another province within Vietnam (by road, rail or domestic flight)",
    ),
    ("mang theo người", "mang theo người khi đi lại, xách tay", "carried with you when travelling"),
    ("gửi qua đường bưu điện", "gửi qua bưu điện", "sent by post"),
    (
        "trên cạn",
        "động vật trên cạn: chó, mèo, gia súc, gia cầm",
        "land animals: dogs, cats, livestock, poultry",
    ),
    ("động vật thủy sản", "thủy sản: cá, tôm, cá cảnh", "aquatic animals: fish, shrimp, ornamental fish"),
    (
        "tạm nhập tái xuất",
        "tạm nhập tái xuất: mang vào rồi mang ra lại",
        "temporary import and re-export",
    ),
    ("quá cảnh", "quá cảnh: chỉ đi qua Việt Nam", "transit through Vietnam"),
    ("kho ngoại quan", "kho ngoại quan", "bonded warehouse"),
    (
        "nhập khẩu",
        "nhập khẩu: mang, đưa từ nước ngoài vào Việt Nam",
        "import: bringing into Vietnam from abroad",
    ),
    ("xuất khẩu", "xuất khẩu: mang, đưa từ Việt Nam ra nước ngoài", "export: taking out of Vietnam"),
    ("người chưa thành niên", "cho người chưa đủ 18 tuổi", "for minors under 18"),
    ("người khuyết tật", "cho người khuyết tật", "for people with disabilities"),
    ("người cao tuổi", "cho người cao tuổi", "for the elderly"),
    ("tự nguyện", "tự nguyện, do mình xin", "voluntary"),
    ("bắt buộc", "bắt buộc", "compulsory"),
    ("một lần", "một lần", "one-off (lump sum)"),
    ("hằng tháng", "hằng tháng", "monthly"),
)
_WORD_RE = re.compile(r"[^\W_]+|[,/]")
_DOMESTIC_FIELDS = frozenset({"hộ tịch", "chứng thực", "nuôi con nuôi"})


@dataclass(slots=True)
class FieldSituations:
    name_en: str
    vi: str
    en: str


@dataclass(slots=True)
class EverydayName:
    phrases: tuple[str, ...]  # lower-case words
    vi: str
    en: str


class Situations:
    """The hand-written data: situations per field and everyday names."""

    def __init__(self, fields: dict[str, FieldSituations], names: list[EverydayName]) -> None:
        self.fields = fields
        self.names = names

    @classmethod
    def load(cls, folder: Path = SITUATIONS_DIR) -> Situations:
        fields: dict[str, FieldSituations] = {}
        for item in _yaml_list(folder / "fields.yml"):
            group = FieldSituations(str(item["name_en"]), str(item["vi"]), str(item["en"]))
            for name in _strings(item, "fields", "fields.yml"):
                key = _key(str(name))
                if key in fields and fields[key] is not group:
                    raise ValueError(f"fields.yml: field {name!r} is in two groups")
                fields[key] = group
        names = [
            EverydayName(
                tuple(_key(p) for p in _strings(item, "in_name", "names.yml")),
                str(item["vi"]),
                str(item["en"]),
            )
            for item in _yaml_list(folder / "names.yml")
        ]
        return cls(fields, names)

    def field(self, name: str) -> FieldSituations | None:
        return self.fields.get(_key(name))

    def everyday(self, lowered_name: str) -> list[EverydayName]:
        """The everyday names whose phrases occur in the name, most specific (longest) first.

        A phrase inside a longer one already used is skipped: "thẻ tạm trú" (a foreigner's
        card) must not also bring the words of "tạm trú" (registering where one lives).
        """
        hits: list[tuple[list[str], int, EverydayName]] = []
        padded = f" {lowered_name} "
        for order, entry in enumerate(self.names):
            found = [p for p in entry.phrases if f" {p} " in padded]
            if found:
                hits.append((found, order, entry))
        hits.sort(key=lambda h: (-max(len(p) for p in h[0]), h[1]))
        chosen: list[tuple[list[str], EverydayName]] = []
        for found, _, entry in hits:
            used = [u for phrases, _ in chosen for u in phrases]
            if not any(f" {p} " in f" {u} " for p in found for u in used):
                chosen.append((found, entry))
        return [entry for _, entry in chosen[:2]]


def _yaml_list(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValueError(f"{path}: expected a list of mappings")
    for item in data:
        if not all(isinstance(item.get(k), str) for k in ("vi", "en")):
            raise ValueError(f"{path}: every entry needs `vi` and `en` texts ({item})")
    return data


def _strings(item: dict[str, Any], key: str, where: str) -> list[str]:
    value = item.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{where}: `{key}` must be a list of phrases ({item.get('vi', '')[:40]!r})")
    return value


def _key(text: str) -> str:
    return " ".join(_words(text))


def _words(text: str) -> list[str]:
    # Matching keeps the marks: lowered, "hoàn" (refund) and "hoãn" (postpone) would be one word.
    return _WORD_RE.findall(normalize(text).casefold())


def _actions(lowered_words: list[str]) -> tuple[list[int], int]:
    """The actions at the head of a name ("Cấp, điều chỉnh, cấp lại …") and where its object starts.

    After an action only a joiner ("," "và" "hoặc" "/") leads to another one: in "Bổ nhiệm
    công chứng viên" the words after "bổ nhiệm" are its object, not a second action.
    """
    found: list[int] = []
    i = 0
    n = len(lowered_words)
    after_action = False
    while i < n:
        if lowered_words[i] in _JOINERS:
            i += 1
            after_action = False
            continue
        if after_action:
            break
        matched = 0
        for size in range(min(_MAX_ACTION_WORDS, n - i), 0, -1):
            phrase = " ".join(lowered_words[i : i + size])
            if phrase in _FILLERS:
                matched = size
                break
            if phrase in _ACTION_BY_PHRASE:
                idx = _ACTION_BY_PHRASE[phrase]
                if idx not in found:
                    found.append(idx)
                matched = size
                after_action = True
                break
        if not matched:
            break
        i += matched
    return found, i


def _object(name: str, start_word: int) -> str:
    """The name's words from ``start_word`` on (its object), cut before long qualifiers."""
    tokens = list(re.finditer(r"[^\W_]+", name))
    words = tokens
    if start_word >= len(words):
        return ""
    text = name[words[start_word].start() :] if start_word < len(words) else ""
    cut = _CUT_RE.search(text)
    if cut and cut.start() > 15:
        text = text[: cut.start()]
    text = text.strip(" ,.;:-")
    if len(text) > OBJECT_LIMIT:
        text = text[:OBJECT_LIMIT].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return text


def _alnum_count(lowered_words: list[str], upto: int) -> int:
    return sum(1 for w in lowered_words[:upto] if w not in (",", "/"))


def describe(
    proc: Procedure, situations: Situations, terminology: Terminology | None = None
) -> dict[str, str]:
    """The generated vi/en description of one procedure."""
    name = normalize(proc.name).strip()
    lowered = _words(name)
    lowered_text = " ".join(lowered)
    actions, head = _actions(lowered)
    obj = _object(name, _alnum_count(lowered, head)) or name
    vi: list[str] = []
    en: list[str] = []

    everyday = situations.everyday(lowered_text)
    if everyday:
        vi.append("Thường gọi: " + "; ".join(e.vi for e in everyday))
        en.append("Also called: " + "; ".join(e.en for e in everyday))

    obj_en = terminology.gloss(obj) if terminology is not None else ""
    if actions:
        vi.append(" / ".join(_ACTIONS[a][1] for a in actions[:3]) + f": {obj}")
        en.append(" / ".join(_ACTIONS[a][2] for a in actions[:3]) + (f": {obj_en}" if obj_en else ""))
    else:
        vi.append(obj)
        if obj_en:
            en.append(obj_en)
    # Siblings differ by these words; saying them plainly helps a question decide between them.
    vi_variants = [v for p, v, _ in _VARIANTS if f" {p} " in f" {lowered_text} "]
    en_variants = [e for p, _, e in _VARIANTS if f" {p} " in f" {lowered_text} "]
    if "có yếu tố nước ngoài" not in lowered_text and _key(proc.field) in _DOMESTIC_FIELDS:
        vi_variants.insert(0, "trong nước: giữa công dân Việt Nam cư trú ở Việt Nam")
        en_variants.insert(0, "domestic: Vietnamese citizens living in Vietnam")
    if vi_variants:
        vi.append("; ".join(vi_variants[:4]))
        en.append("; ".join(en_variants[:4]))

    group = situations.field(proc.field) if proc.field else None
    if group is not None:
        vi.append(f"Lĩnh vực {proc.field.lower()}, khi: {group.vi}")
        en.append(f"Field: {group.name_en}; typical situations: {group.en}")

    who_vi, who_en = _applicants(proc.applicants)
    if who_vi:
        vi.append("Dành cho " + ", ".join(who_vi))
        en.append("For " + ", ".join(who_en))
    where = [_LEVELS[lv] for lv in proc.levels if lv in _LEVELS]
    if where:
        vi.append("Làm tại " + "; ".join(w[0] for w in where))
        en.append("Done at " + "; ".join(w[1] for w in where))
    return {"vi": _sentences(vi), "en": _sentences(en)}


def _sentences(parts: list[str]) -> str:
    out = []
    for part in parts:
        part = part.strip()
        if part:
            out.append(part[0].upper() + part[1:] + ("" if part.endswith(("…", ".")) else "."))
    return " ".join(out)


def _applicants(applicants: Sequence[str]) -> tuple[list[str], list[str]]:
    vi: list[str] = []
    en: list[str] = []
    for applicant in applicants:
        key = _key(applicant)
        for phrase, v, e in _APPLICANTS:
            if key.startswith(phrase) and v not in vi:
                vi.append(v)
                en.append(e)
                break
    if len(vi) > 4:
        # A list of every kind of applicant says "anyone"; saying so is shorter and clearer.
        return ["mọi người: người dân, doanh nghiệp, tổ chức"], [
            "anyone: citizens, businesses, organisations"
        ]
    return vi, en


def list_file(proc: Procedure) -> str:
    """The descriptions file of a procedure: its ministry list."""
    slug = re.sub(r"[^a-z0-9-]+", "-", (proc.ministry or "other").lower()).strip("-")
    return f"{slug or 'other'}.yml"


def generate(
    procedures: Iterable[Procedure],
    out: Path,
    situations: Situations,
    terminology: Terminology | None,
) -> dict[str, int]:
    """Write the description files; entries marked reviewed are kept. Returns counts for a report."""
    out.mkdir(parents=True, exist_ok=True)
    existing = read_entries(out)
    files: dict[str, list[dict[str, object]]] = defaultdict(list)
    counts: Counter[str] = Counter()
    missing_fields: Counter[str] = Counter()
    seen: set[str] = set()
    for proc in sorted(procedures, key=lambda p: (list_file(p), _key(p.field), p.code)):
        if proc.code in seen:
            continue
        seen.add(proc.code)
        old = existing.get(proc.code)
        if old is not None and old.reviewed:
            entry: dict[str, object] = {"code": proc.code, "field": proc.field, **old.texts, "reviewed": True}
            if old.note:
                entry["note"] = old.note
            counts["kept_reviewed"] += 1
        else:
            entry = {"code": proc.code, "field": proc.field, **describe(proc, situations, terminology)}
            entry["reviewed"] = False
            counts["generated"] += 1
        if proc.field and situations.field(proc.field) is None:
            missing_fields[proc.field] += 1
        files[list_file(proc)].append(entry)
    # Reviewed entries of procedures absent from these catalogues are a person's work: keep them.
    for code, old in existing.items():
        if code not in seen and old.reviewed:
            kept: dict[str, object] = {"code": code, "field": old.field, **old.texts, "reviewed": True}
            if old.note:
                kept["note"] = old.note
            files[old.source].append(kept)
            counts["kept_unknown"] += 1
    for stale in sorted(set(p.name for p in out.glob("*.yml")) - set(files)):
        (out / stale).unlink()
    for name, entries in sorted(files.items()):
        header = (
            "# Descriptions in citizens' words (format: knowledge/descriptions.py). Generated by\n"
            "# `python -m knowledge.describe`; edit a text and set `reviewed: true` to keep it.\n"
        )
        body = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100000)
        (out / name).write_text(header + body, encoding="utf-8")
    for field, n in missing_fields.most_common():
        log.warning("no situations for field %r (%d procedures): add it to situations/fields.yml", field, n)
    counts["files"] = len(files)
    counts["fields_without_situations"] = len(missing_fields)
    return dict(counts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge.describe", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--catalogue", action="append", required=True, help="catalogue file or folder (repeatable)"
    )
    parser.add_argument(
        "--out", default=str(DEFAULT_DIR), help="descriptions folder (default: the bundled one)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    from knowledge.catalogue import import_catalogues

    result = import_catalogues([Path(p) for p in args.catalogue])
    counts = generate(
        result.procedures.values(), Path(args.out), Situations.load(), Terminology.load(TERMINOLOGY_DIR)
    )
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
