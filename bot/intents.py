"""Cue-based recognition of what the citizen wants, in every supported language.

This covers the intents single-turn answering needs (handoff, complaint, old→new place,
centre address, and which aspect of a procedure is asked). Cues are matched on the
accent-folded text for Latin scripts and as substrings for CJK.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.text import fold, is_cjk, normalize

_CUES: dict[str, list[str]] = {
    "talk_to_human": [
        # vi (folded)
        "noi chuyen voi can bo",
        "noi chuyen voi nhan vien",
        "noi chuyen voi nguoi",
        "gap can bo",
        "gap nhan vien",
        "gap nguoi that",
        "nguoi that",
        "tong dai vien",
        "chuyen may",
        "tu van vien",
        "nhan vien tu van",
        "can bo tiep dan",
        "goi can bo",
        "ket noi voi can bo",
        "ket noi can bo",
        "nguoi phu trach",
        "gap lanh dao",
        "khong giup duoc gi",
        "cho toi gap",
        "muon gap",
        "noi voi can bo",
        "noi voi nguoi",
        # en
        "operator",
        "human",
        "real person",
        "live agent",
        "speak to someone",
        "talk to someone",
        "put me through",
        "someone in charge",
        "a manager",
        "supervisor",
        "not helping",
        "isn t helping",
        "speak to staff",
        "talk to staff",
        "speak with staff",
        "customer service",
        "staff member",
        "talk to a",
        "speak to a",
        "speak with a",
        "talk with a",
        "connect me",
        # fr
        "conseiller",
        "operateur",
        "un humain",
        "parler a quelqu",
        "parler a un",
        "parler avec un",
        "agent humain",
        # es
        "operador",
        "una persona real",
        "un humano",
        "hablar con",
        "asesor",
        # zh / ko / ja
        "人工",
        "客服",
        "真人",
        "工作人员",
        "接线员",
        "상담원",
        "상담사",
        "사람과",
        "직원",
        "オペレーター",
        "担当者",
        "人と話",
        "係の人",
        "スタッフ",
        "负责人",
        "책임자",
        "責任者",
    ],
    "complaint": [
        "toi muon khieu nai",
        "muon khieu nai",
        "phan nan",
        "buc xuc",
        "khong hai long",
        "phan anh ve",
        "muon phan anh",
        "toi phan anh",
        "thai do",
        "nhung nhieu",
        "hach sach",
        "cham tre qua",
        "tre hen",
        "qua han ma",
        "khong ai tra loi",
        "doi mai",
        "complain*",
        "complaint",
        "not satisfied",
        "unacceptable",
        "rude",
        "nobody answers",
        "no one answers",
        "still waiting",
        "overdue",
        "plainte",
        "me plaindre",
        "reclamation",
        "pas satisfait",
        "personne ne repond",
        "en retard",
        "queja",
        "quejarme",
        "reclamo",
        "reclamacion",
        "nadie responde",
        "nadie contesta",
        "投诉",
        "不满",
        "불만",
        "민원을 제기",
        "苦情",
        "クレーム",
    ],
    "place_change": [
        "cũ",
        "cu nay",
        "cu gio",
        "cu gio la",
        "truoc day",
        "truoc sap nhap",
        "sau sap nhap",
        "sap nhap",
        "nay thuoc",
        "gio thuoc",
        "bay gio la",
        "gio la",
        "nay la",
        "doi ten",
        "moi la gi",
        "old",
        "former*",
        "formerly",
        "merge*",
        "belong to now",
        "now part",
        "rename*",
        "ancien*",
        "ancienne",
        "fusionn*",
        "antiguo*",
        "antigua",
        "fusion",
        "原",
        "旧",
        "合并",
        "이전",
        "옛",
        "통합",
        "合併",
    ],
    "where": [
        "dia chi",
        "trung tam hanh chinh cong",
        "trung tam phuc vu hanh chinh cong",
        "bo phan mot cua",
        "nop o dau",
        "o dau",
        "cho nao",
        "tru so",
        "so dien thoai",
        "address",
        "where",
        "office",
        "centre",
        "center",
        "phone number",
        "adresse",
        "ou deposer",
        "ou",
        "bureau",
        "direccion",
        "donde",
        "oficina",
        "地址",
        "在哪",
        "哪里",
        "주소",
        "어디",
        "住所",
        "どこ",
        "窓口",
    ],
    "documents": [
        "ho so",
        "giay to",
        "can nhung gi",
        "gom nhung gi",
        "can gi",
        "thanh phan",
        "document*",
        "paper*",
        "what do i need",
        "required",
        "requirement*",
        "piece*",
        "dossier",
        "justificatif*",
        "documento*",
        "requisito*",
        "papeles",
        "材料",
        "文件",
        "资料",
        "서류",
        "書類",
        "必要なもの",
    ],
    "fee": [
        "le phi",
        "phi",
        "bao nhieu tien",
        "mat tien",
        "ton tien",
        "chi phi",
        "mien phi",
        "fee",
        "cost",
        "how much",
        "price",
        "charge",
        "frais",
        "cout",
        "combien coute",
        "tarif",
        "tasa",
        "costo",
        "cuesta",
        "cuanto cuesta",
        "precio",
        "费用",
        "多少钱",
        "收费",
        "수수료",
        "비용",
        "手数料",
        "費用",
        "いくら",
    ],
    "duration": [
        "bao lau",
        "may ngay",
        "thoi gian giai quyet",
        "thoi han",
        "bao nhieu ngay",
        "how long",
        "how many days",
        "processing time",
        "combien de temps",
        "delai",
        "cuanto tiempo",
        "plazo",
        "cuantos dias",
        "多久",
        "几天",
        "多长时间",
        "얼마나 걸",
        "며칠",
        "何日",
        "どのくらい",
        "期間",
    ],
    "online": [
        "truc tuyen",
        "online",
        "qua mang",
        "dich vu cong",
        "nop mang",
        "vneid",
        "en ligne",
        "internet",
        "en linea",
        "在线",
        "网上",
        "온라인",
        "인터넷",
        "オンライン",
        "ネット",
    ],
    "greet": ["xin chao", "chao ban", "hello", "hi", "bonjour", "hola", "你好", "안녕", "こんにちは"],
    "thanks": ["cam on", "thank*", "merci", "gracias", "谢谢", "감사", "고맙", "ありがとう"],
    "goodbye": ["tam biet", "bye", "goodbye", "au revoir", "adios", "再见", "안녕히", "さようなら"],
}


def _words_pattern(cues: list[str]) -> re.Pattern[str]:
    parts = []
    for cue in sorted(cues, key=len, reverse=True):
        prefix = cue.endswith("*")
        body = re.escape(cue.rstrip("*").strip())
        parts.append(r"(?<!\w)" + body + ("" if prefix else r"(?!\w)"))
    return re.compile("|".join(parts) or r"(?!x)x")


def _compile(cues: list[str]) -> tuple[re.Pattern[str], re.Pattern[str], list[str]]:
    """ASCII cues match whole words of the folded text, cues with Vietnamese marks whole
    words of the accented text ("cũ" but not "cư"), CJK cues as substrings. A trailing
    ``*`` makes a cue a prefix ("fusionn*")."""
    folded = [c for c in cues if c.isascii()]
    cjk = [c for c in cues if any(is_cjk(ch) for ch in c)]
    accented = [c for c in cues if not c.isascii() and c not in cjk]
    return _words_pattern(folded), _words_pattern(accented), cjk


_COMPILED = {name: _compile(cues) for name, cues in _CUES.items()}


@dataclass(slots=True)
class Cues:
    found: set[str]

    def __contains__(self, name: str) -> bool:
        return name in self.found

    @property
    def focus(self) -> str:
        for name in ("documents", "fee", "duration", "online", "where"):
            if name in self.found:
                return name
        return "overview"


def cues(text: str) -> Cues:
    folded = fold(text)
    accented = normalize(text).lower()
    raw = text.replace(" ", "")
    found = set()
    for name, (pattern, marked, cjk) in _COMPILED.items():
        if pattern.search(folded) or marked.search(accented) or any(c in raw for c in cjk):
            found.add(name)
    return Cues(found)


def is_small_talk(text: str, found: Cues) -> str | None:
    """greet/thanks/goodbye only when the message is short and says nothing else."""
    if len(fold(text).split()) > 5:
        return None
    for name in ("thanks", "goodbye", "greet"):
        if name in found:
            return name
    return None
