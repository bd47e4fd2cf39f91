"""Administrative units after the 1 July 2025 reform: lookup, old -> new, and place mentions.

Citizens still name the unit they lived in before the reform ("phường Thạch Thang, quận Hải
Châu"), type without diacritics, mix English in, and mention places inside a question about
something else. ``UnitRegistry`` keeps the 34 provinces and 3,321 communes in force, every
abolished commune-level unit with the new unit(s) it went to, and precomputed folded-name
indices so that ``resolve`` can find a place in a message in well under a millisecond.

Two sources feed it:

* ``from_shared_dir`` reads the published tables (``units-*.json``, ``merges-*.json``,
  ``splits-*.json``, ``ward-mappings-*.json``) and reconciles them, reporting what it had to
  repair or drop (see ``UnitRegistry.report``);
* ``from_file`` / ``load`` read the project's own format, which ``save`` writes. It is one
  JSON (or YAML) object::

      {"format": "hotline-units", "version": 1,
       "provinces": [{"code": "48", "name": "Đà Nẵng", "full_name": "Thành phố Đà Nẵng",
                      "name_en": "Da Nang", "aliases": ["Danang"],
                      "former": ["Thành phố Đà Nẵng", "Tỉnh Quảng Nam"]}],
       "communes":  [{"code": "20242", "name": "Hải Châu", "unit_type": "Phường",
                      "province_code": "48", "full_name": "Phường Hải Châu",
                      "name_en": "Hai Chau"}],
       "old_units": [{"code": "20233", "full_name": "Phường Thạch Thang",
                      "district": "Quận Hải Châu", "province": "Thành phố Đà Nẵng",
                      "new_codes": ["20242"], "merge_type": "full"}]}

  ``full_name`` of a commune defaults to ``unit_type + name``; ``aliases`` and ``former``
  (the pre-reform provinces merged into this one) are optional. ``new_codes`` of an old unit
  lists its main successor first; ``merge_type`` is ``full`` (the whole unit went to one new
  unit) or ``partial`` (it was split between several).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.models import Commune, OldUnit, Province
from knowledge.text import fold, has_vietnamese_marks, normalize

log = logging.getLogger(__name__)

FORMAT = "hotline-units"
VERSION = 1

STATUSES = ("none", "new", "old", "ambiguous", "province")

# fmt: off
# Unit-type words as they start a full name ("Phường Bến Thành", "Thị trấn Ba Sao").
_NAME_PREFIX_RE = re.compile(
    r"^(phường|xã|thị trấn|đặc khu|quận|huyện|thị xã|thành phố|tỉnh)\s+", re.IGNORECASE
)
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_SPLIT_NUMBER_RE = re.compile(r"^(p|q|f)([0-9]{1,2})$")

# Words that announce a unit, folded, with the accented spelling they must have when the
# citizen typed diacritics (so "phương án" is not "phường An", "quân sự" not "quận Sự").
# Value: (level, folded unit type or "").
_PREFIXES: dict[tuple[str, ...], tuple[str, str, tuple[str, ...]]] = {
    ("phuong",): ("commune", "phuong", ("phường",)),
    ("xa",): ("commune", "xa", ("xã",)),
    ("thi", "tran"): ("commune", "thi tran", ("thị", "trấn")),
    ("dac", "khu"): ("commune", "dac khu", ("đặc", "khu")),
    ("p",): ("commune", "phuong", ("p",)),
    ("f",): ("commune", "phuong", ("f",)),  # "F4": Saigon's shorthand for phường 4
    ("tt",): ("commune", "thi tran", ("tt",)),
    ("ward",): ("commune", "phuong", ("ward",)),
    ("commune",): ("commune", "xa", ("commune",)),
    ("quan",): ("district", "", ("quận",)),
    ("huyen",): ("district", "", ("huyện",)),
    ("thi", "xa"): ("district", "", ("thị", "xã")),
    ("q",): ("district", "", ("q",)),
    ("tx",): ("district", "", ("tx",)),
    ("district",): ("district", "", ("district",)),
    ("quartier",): ("commune", "phuong", ("quartier",)),
    ("village",): ("commune", "xa", ("village",)),
    ("barrio",): ("commune", "phuong", ("barrio",)),
    ("arrondissement",): ("district", "", ("arrondissement",)),
    ("distrito",): ("district", "", ("distrito",)),
    ("thanh", "pho"): ("city", "", ("thành", "phố")),
    ("tp",): ("city", "", ("tp",)),
    ("tinh",): ("province", "", ("tỉnh",)),
    ("province",): ("province", "", ("province",)),
}
# Foreign unit words that may come before the name with "of" between ("quartier de …").
_FOREIGN_UNIT_WORDS = frozenset(
    {"quartier", "barrio", "village", "commune", "ward", "district", "distrito", "arrondissement", "province"}
)
_OF = frozenset({"de", "del", "du", "of"})
# English puts the unit word after the name ("Cat Linh ward", "Dong Da district").
_SUFFIXES: dict[str, tuple[str, str]] = {
    "ward": ("commune", "phuong"),
    "commune": ("commune", "xa"),
    "town": ("commune", "thi tran"),
    "township": ("commune", "thi tran"),
    "district": ("district", ""),
    "province": ("province", ""),
    "city": ("city", ""),
}
# A unit word right after one of these is part of an ordinary phrase ("địa phương",
# "cấp xã", "cơ quan"), spelled as they must be when typed with diacritics.
_PREFIX_BLOCKERS: dict[str, dict[str, str]] = {
    "phuong": {"dia": "địa", "bon": "bốn", "da": "đa", "don": "đơn", "song": "song", "tu": "tứ"},
    "xa": {"cap": "cấp", "di": "đi", "rat": "rất", "qua": "quá", "phuong": "phường", "vung": "vùng",
           "cac": "các", "moi": "mỗi", "nhung": "những"},
    "quan": {"co": "cơ", "hai": "hải", "lien": "liên", "chu": "chủ", "khach": "khách",
             "tham": "tham", "bi": "bi", "lac": "lạc", "ngoai": "ngoại"},
}
# Without diacritics these "phuong X"/"xa X" pairs are everyday words (phương tiện, xã hội).
_TYPED_COLLOCATIONS = frozenset(
    {
        ("phuong", "tien"), ("phuong", "thuc"), ("phuong", "an"), ("phuong", "phap"),
        ("phuong", "huong"), ("phuong", "trinh"), ("phuong", "cham"), ("phuong", "dong"),
        ("phuong", "tay"), ("phuong", "nam"), ("phuong", "bac"), ("phuong", "vi"),
        ("xa", "hoi"), ("xa", "xa"), ("xa", "nha"), ("xa", "lo"), ("xa", "thai"),
        ("quan", "su"), ("quan", "ly"), ("quan", "doi"), ("quan", "he"), ("quan", "tam"),
        ("quan", "nhan"), ("quan", "ao"), ("huyen", "thoai"), ("tinh", "trang"),
        ("tinh", "hinh"), ("tinh", "thanh"),
    }
)
# Multi-syllable unit names that are also ordinary words or phrases of public-service talk
# (checked against the national procedure catalogue): they count only after a unit word.
_COMMON_PHRASES = frozenset(
    fold(p)
    for p in (
        "Hòa Bình", "Thống Nhất", "Đoàn Kết", "Độc Lập", "Tự Do", "Hạnh Phúc", "Thành Công",
        "Quyết Thắng", "Quyết Tiến", "Tiến Bộ", "Tiến Thành", "Hợp Tác", "Chiến Thắng",
        "Thắng Lợi", "Tân Tiến", "Hưng Thịnh", "Phát Triển", "Bình An", "An Bình", "Bình Minh",
        "Trung Tâm", "Trung Hòa", "Dân Chủ", "Công Bằng", "Văn Minh", "Cộng Hòa", "Hòa Hợp",
        "Hòa Thuận", "Thuận Lợi", "Kinh Doanh", "Đông Đô", "Tiền Phong", "Minh Đức",
        "Thanh Bình", "An Ninh", "Quốc Tế", "Tân Thành", "Đồng Tâm", "Hồng Phong", "Phú Lợi",
        "Nhân Chính", "Nhân Hòa", "Vinh Quang", "Trung Chính", "Thành Nhất", "An Toàn",
        "Quang Minh", "Phúc Lợi", "Bảo An", "Đại Đồng", "Hòa An", "Tân Phú", "Tân Hòa",
        "Thái Bình Dương", "Hải Quan", "Công An", "Tư Pháp", "Quốc Phòng", "Tài Chính",
        "Văn Hóa", "Nông Nghiệp", "Đất Đai", "Gia Đình", "Cư Trú", "Trung Ương", "Hành Chính",
        "Nhân Dân", "Công Dân", "Dân Tộc", "Tôn Giáo", "Giáo Dục", "Lao Động", "Xây Dựng",
        "Thương Mại", "Công Nghiệp", "Giao Thông", "Phú Quý", "Bình Thường", "Việt Nam",
        "Sơn Hà", "Đông Hưng", "Hà Nam Ninh", "Hòa Lạc", "Bảo Hiểm", "Thuế Vụ", "Y Tế",
        "Quang Trung", "Lê Lợi", "Trần Phú", "Hùng Vương", "Nguyễn Trãi", "Lý Thường Kiệt",
        "Trần Hưng Đạo", "Hai Bà Trưng", "Hoàng Văn Thụ", "Lê Hồng Phong", "Phan Bội Châu",
        "Nguyễn Du", "Ngô Quyền", "Phạm Ngũ Lão", "Minh Khai", "Nguyễn Văn Cừ", "Bà Triệu",
        "Đinh Tiên Hoàng", "Trưng Vương", "Điện Biên", "Bạch Đằng", "Chi Lăng", "Tây Sơn",
        "Thành Phố", "Kết Hôn", "Khai Sinh", "Hộ Tịch", "Hộ Khẩu", "Căn Cước",
        "Biên Giới", "Văn Bản", "Hợp Đồng", "Định Cư", "Động Cơ", "Hài Lòng", "Đánh Giá",
        "Tham Gia", "Liên Quan", "Hợp Nhất", "Thiết Kế", "Cổ Đông", "Đồng Ý", "Văn Phòng",
        "Chỉ Đạo", "Tự Nhiên", "Khuyến Nông", "Trung Bình", "Hữu Nghị", "Tiên Tiến",
        "Tây Nam", "Tây Bắc", "Đông Bắc", "Đông Nam", "Tây Nguyên", "Nam Bộ", "Bắc Bộ",
        "Trung Bộ", "Miền Nam", "Miền Bắc", "Miền Trung",
        # Typed without marks, "o tinh minh" is "ở tỉnh mình" (in our province), not Tịnh Minh.
        "Tỉnh Mình", "Tỉnh Nhà",
    )
)
# Of those, the names of people, battles and old realms that streets and units are named
# after: right after a unit word ("phuong le loi") they name the unit whatever the case,
# unlike the everyday words ("các xã biên giới", "phường văn minh").
_NAME_PHRASES = frozenset(
    fold(p)
    for p in (
        "Quang Trung", "Lê Lợi", "Trần Phú", "Hùng Vương", "Nguyễn Trãi", "Lý Thường Kiệt",
        "Trần Hưng Đạo", "Hai Bà Trưng", "Hoàng Văn Thụ", "Lê Hồng Phong", "Phan Bội Châu",
        "Nguyễn Du", "Ngô Quyền", "Phạm Ngũ Lão", "Minh Khai", "Nguyễn Văn Cừ", "Bà Triệu",
        "Đinh Tiên Hoàng", "Trưng Vương", "Điện Biên", "Bạch Đằng", "Chi Lăng", "Tây Sơn",
    )
)
assert _NAME_PHRASES <= _COMMON_PHRASES
# Words that say the citizen talks about a unit as it was before the reform, spelled as
# they must be when typed with diacritics ("này là" is not "nay là").
_OLD_MARKER_PHRASES = (
    "cũ", "trước đây", "trước kia", "ngày trước", "trước sáp nhập", "trước khi sáp nhập",
    "sau sáp nhập", "sáp nhập", "nay thuộc", "nay là", "giờ là", "giờ thuộc", "bây giờ",
    "sau khi nhập", "old", "former", "formerly", "previously", "merger", "merged",
    "used to be", "belong to now", "ancien", "ancienne", "antiguo", "antigua",
)
# The same in scripts without spaces between words, looked for in the raw text.
_OLD_MARKERS_CJK = ("旧", "舊", "以前", "原来", "옛", "이전")
# "cu" is "cũ" (old) only when it is not part of "cư trú", "cư dân", "củ"...
_CU_BLOCKERS = frozenset({"tru", "dan", "ngu", "xu", "the"})

# Well-known names of provinces that are not in the tables (keyed by national code).
_PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "01": ("Hanoi", "Ha Noi"),
    "31": ("Haiphong", "Hai Phong"),
    "46": ("Hue",),
    "48": ("Danang", "Da Nang"),
    "79": ("HCM", "TPHCM", "TP HCM", "HCMC", "Ho Chi Minh City", "Saigon", "Sài Gòn"),
    "92": ("Cantho", "Can Tho"),
}
# Districts merged before the tables were drawn up that citizens still name
# ("Thảo Điền, Quận 2"): (old name, province) -> the district the tables file them under.
_DISTRICT_ALIASES: dict[tuple[str, str], str] = {
    ("2", "Hồ Chí Minh"): "Thủ Đức",
    ("9", "Hồ Chí Minh"): "Thủ Đức",
}
_MAX_SPAN = 8
# Words before a bare name that say it is a place ("ở Hải Châu", "in Hoa Cuong").
_CUES: dict[str, str] = {
    "o": "ở", "tai": "tại", "thuoc": "thuộc", "in": "in", "at": "at", "from": "from",
    "old": "old", "former": "former", "near": "near", "a": "à", "en": "en", "dans": "dans",
}
# Typed without diacritics these are too often another word ("tai" = tái, tài, tải).
_CUES_ACCENTED_ONLY = frozenset({"tai"})
# Words after a bare name that say it is a (former) place ("Thạch Thang cũ").
_AFTER_CUES: dict[str, str] = {"cu": "cũ"}
# After a plain "cu" these make it "cũ" rather than the "cu" of "căn cứ", "cư trú"...
_AFTER_CU_FOLLOWERS = frozenset({"nay", "gio", "bay", "thuoc", "la", "truoc", "thi", "va"})
# A bare name after these is a street, hamlet or number, not a commune ("phố Lê Đại Hành").
_NOT_UNIT_BEFORE: dict[str, str] = {
    "duong": "đường", "pho": "phố", "so": "số", "ngo": "ngõ", "hem": "hẻm", "kiet": "kiệt",
    "ngach": "ngách", "thon": "thôn", "ap": "ấp", "xom": "xóm", "to": "tổ", "street": "street",
    "road": "road", "st": "st", "avenue": "avenue", "lane": "lane", "alley": "alley",
}
# Upper-case Roman numerals number some units ("Phường IV" of Vị Thanh, "Hải Châu I").
_ROMAN = {r: str(i) for i, r in enumerate(
    ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"), start=1)}
_ROMAN_AFTER = frozenset({"phuong", "xa", "p", "ward", "commune"})
# Words between a province's name and a town in brackets that explains it ("Ninh Thuận 省 (…)").
_PROVINCE_WORDS = frozenset({"省", "市", "성", "시", "tinh", "province", "provincia"})
# Numbered districts and wards as Chinese, Japanese and Korean write them ("第八郡第4坊",
# "7군", "3区") and as French orders them ("3e arrondissement"), rewritten to "quận 8",
# "phường 4" before tokenizing: those scripts have no spaces to find a unit word by.
_CJK_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九", start=0)}
_NUMBERED_RE = re.compile(
    r"第?\s*([0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*(郡|区|區|坊|군|구|동)"
    r"|([0-9]{1,2})\s*(?:e|er|ème|eme|th|st|nd|rd)\s+(arrondissement|district)\b",
    re.IGNORECASE,
)
_NUMBERED_UNIT = {"郡": "quận", "区": "quận", "區": "quận", "군": "quận", "구": "quận",
                  "坊": "phường", "동": "phường"}
# Provinces and big cities as written in Chinese, Japanese and Korean, pre-reform ones included.
_CJK_PLACES: dict[str, str] = {
    "胡志明市": "Hồ Chí Minh", "胡志明": "Hồ Chí Minh", "西贡": "Sài Gòn", "西貢": "Sài Gòn",
    "ホーチミン": "Hồ Chí Minh", "サイゴン": "Sài Gòn", "호치민": "Hồ Chí Minh", "호찌민": "Hồ Chí Minh",
    "사이공": "Sài Gòn",
    "河内": "Hà Nội", "河內": "Hà Nội", "ハノイ": "Hà Nội", "하노이": "Hà Nội",
    "岘港": "Đà Nẵng", "峴港": "Đà Nẵng", "ダナン": "Đà Nẵng", "다낭": "Đà Nẵng",
    "海防": "Hải Phòng", "ハイフォン": "Hải Phòng", "하이퐁": "Hải Phòng",
    "芹苴": "Cần Thơ", "カントー": "Cần Thơ", "껀터": "Cần Thơ", "칸토": "Cần Thơ",
    "顺化": "Huế", "順化": "Huế", "フエ": "Huế", "후에": "Huế",
    "会安": "Hội An", "會安": "Hội An", "ホイアン": "Hội An", "호이안": "Hội An",
    "芽庄": "Nha Trang", "ニャチャン": "Nha Trang", "나트랑": "Nha Trang", "냐짱": "Nha Trang",
    "头顿": "Vũng Tàu", "頭頓": "Vũng Tàu", "ブンタウ": "Vũng Tàu", "붕따우": "Vũng Tàu",
    "大叻": "Đà Lạt", "ダラット": "Đà Lạt", "달랏": "Đà Lạt",
    "广宁": "Quảng Ninh", "廣寧": "Quảng Ninh", "クアンニン": "Quảng Ninh", "꽝닌": "Quảng Ninh",
    "广南": "Quảng Nam", "廣南": "Quảng Nam", "クアンナム": "Quảng Nam", "꽝남": "Quảng Nam",
    "北宁": "Bắc Ninh", "北寧": "Bắc Ninh", "バクニン": "Bắc Ninh", "박닌": "Bắc Ninh",
    "北江": "Bắc Giang", "バクザン": "Bắc Giang", "박장": "Bắc Giang",
    "北件": "Bắc Kạn", "バクカン": "Bắc Kạn", "박깐": "Bắc Kạn",
    "太原": "Thái Nguyên", "タイグエン": "Thái Nguyên", "타이응우옌": "Thái Nguyên",
    "宁顺": "Ninh Thuận", "寧順": "Ninh Thuận", "ニントゥアン": "Ninh Thuận", "닌투언": "Ninh Thuận",
    "藩朗": "Phan Rang", "ファンラン": "Phan Rang", "판랑": "Phan Rang",
    "庆和": "Khánh Hòa", "慶和": "Khánh Hòa", "カインホア": "Khánh Hòa", "칸호아": "Khánh Hòa",
    "平阳": "Bình Dương", "平陽": "Bình Dương", "ビンズオン": "Bình Dương", "빈즈엉": "Bình Dương",
    "同奈": "Đồng Nai", "ドンナイ": "Đồng Nai", "동나이": "Đồng Nai",
    "平定": "Bình Định", "ビンディン": "Bình Định", "빈딘": "Bình Định",
    "林同": "Lâm Đồng", "ラムドン": "Lâm Đồng", "럼동": "Lâm Đồng",
    "海阳": "Hải Dương", "海陽": "Hải Dương", "ハイズオン": "Hải Dương", "하이즈엉": "Hải Dương",
    "兴安": "Hưng Yên", "興安": "Hưng Yên", "フンイエン": "Hưng Yên", "흥옌": "Hưng Yên",
    "太平": "Thái Bình", "タイビン": "Thái Bình", "타이빈": "Thái Bình",
    "南定": "Nam Định", "ナムディン": "Nam Định", "남딘": "Nam Định",
    "宁平": "Ninh Bình", "寧平": "Ninh Bình", "ニンビン": "Ninh Bình", "닌빈": "Ninh Bình",
    "清化": "Thanh Hóa", "タインホア": "Thanh Hóa", "타인호아": "Thanh Hóa",
    "乂安": "Nghệ An", "ゲアン": "Nghệ An", "응에안": "Nghệ An",
    "荣市": "Vinh", "榮市": "Vinh",
    "河静": "Hà Tĩnh", "河靜": "Hà Tĩnh", "ハティン": "Hà Tĩnh", "하띤": "Hà Tĩnh",
    "广平": "Quảng Bình", "廣平": "Quảng Bình", "クアンビン": "Quảng Bình", "꽝빈": "Quảng Bình",
    "广治": "Quảng Trị", "廣治": "Quảng Trị", "クアンチ": "Quảng Trị", "꽝찌": "Quảng Trị",
    "广义": "Quảng Ngãi", "廣義": "Quảng Ngãi", "クアンガイ": "Quảng Ngãi", "꽝응아이": "Quảng Ngãi",
    "嘉莱": "Gia Lai", "嘉萊": "Gia Lai", "ザライ": "Gia Lai", "자라이": "Gia Lai",
    "多乐": "Đắk Lắk", "多樂": "Đắk Lắk", "ダクラク": "Đắk Lắk", "닥락": "Đắk Lắk",
    "安江": "An Giang", "アンザン": "An Giang", "안장": "An Giang",
    "坚江": "Kiên Giang", "堅江": "Kiên Giang", "キエンザン": "Kiên Giang", "끼엔장": "Kiên Giang",
    "富国": "Phú Quốc", "富國": "Phú Quốc", "フーコック": "Phú Quốc", "푸꾸옥": "Phú Quốc",
    "金瓯": "Cà Mau", "金甌": "Cà Mau", "カマウ": "Cà Mau", "까마우": "Cà Mau",
    "后江": "Hậu Giang", "後江": "Hậu Giang", "ハウザン": "Hậu Giang", "하우장": "Hậu Giang",
    "朔庄": "Sóc Trăng", "朔莊": "Sóc Trăng", "ソクチャン": "Sóc Trăng", "속짱": "Sóc Trăng",
    "永隆": "Vĩnh Long", "ヴィンロン": "Vĩnh Long", "빈롱": "Vĩnh Long",
    "前江": "Tiền Giang", "ティエンザン": "Tiền Giang", "띠엔장": "Tiền Giang",
    "槟椥": "Bến Tre", "檳椥": "Bến Tre", "ベンチェ": "Bến Tre", "벤째": "Bến Tre",
    "西宁": "Tây Ninh", "西寧": "Tây Ninh", "タイニン": "Tây Ninh", "떠이닌": "Tây Ninh",
    "隆安": "Long An", "ロンアン": "Long An", "롱안": "Long An",
    "同塔": "Đồng Tháp", "ドンタップ": "Đồng Tháp", "동탑": "Đồng Tháp",
    "老街": "Lào Cai", "ラオカイ": "Lào Cai", "라오까이": "Lào Cai",
    "谅山": "Lạng Sơn", "諒山": "Lạng Sơn", "ランソン": "Lạng Sơn", "랑선": "Lạng Sơn",
    "高平": "Cao Bằng", "カオバン": "Cao Bằng", "까오방": "Cao Bằng",
    "河江": "Hà Giang", "ハザン": "Hà Giang", "하장": "Hà Giang",
    "宣光": "Tuyên Quang", "トゥエンクアン": "Tuyên Quang", "뚜옌꽝": "Tuyên Quang",
    "安沛": "Yên Bái", "イエンバイ": "Yên Bái", "옌바이": "Yên Bái",
    "富寿": "Phú Thọ", "富壽": "Phú Thọ", "フート": "Phú Thọ", "푸토": "Phú Thọ",
    "永福": "Vĩnh Phúc", "ヴィンフック": "Vĩnh Phúc", "빈푹": "Vĩnh Phúc",
    "和平": "Hòa Bình", "ホアビン": "Hòa Bình", "호아빈": "Hòa Bình",
    "山罗": "Sơn La", "山羅": "Sơn La", "ソンラ": "Sơn La", "선라": "Sơn La",
    "奠边": "Điện Biên", "奠邊": "Điện Biên", "ディエンビエン": "Điện Biên", "디엔비엔": "Điện Biên",
    "莱州": "Lai Châu", "萊州": "Lai Châu", "ライチャウ": "Lai Châu", "라이쩌우": "Lai Châu",
    "河南省": "Hà Nam", "ハナム": "Hà Nam", "하남성": "Hà Nam",
    "承天顺化": "Thừa Thiên Huế", "承天順化": "Thừa Thiên Huế",
    "巴地头顿": "Bà Rịa - Vũng Tàu", "巴地頭頓": "Bà Rịa - Vũng Tàu",
    "平福": "Bình Phước", "ビンフオック": "Bình Phước", "빈프억": "Bình Phước",
    "平顺": "Bình Thuận", "平順": "Bình Thuận", "ビントゥアン": "Bình Thuận", "빈투언": "Bình Thuận",
    "富安": "Phú Yên", "フーイエン": "Phú Yên", "푸옌": "Phú Yên",
    "昆嵩": "Kon Tum", "コントゥム": "Kon Tum", "꼰뚬": "Kon Tum",
    "得农": "Đắk Nông", "得農": "Đắk Nông", "ダクノン": "Đắk Nông", "닥농": "Đắk Nông",
    "薄辽": "Bạc Liêu", "薄遼": "Bạc Liêu", "バクリュー": "Bạc Liêu", "박리에우": "Bạc Liêu",
    "茶荣": "Trà Vinh", "茶榮": "Trà Vinh", "チャビン": "Trà Vinh", "짜빈": "Trà Vinh",
}
_CJK_PLACES_RE = re.compile("|".join(re.escape(k) for k in sorted(_CJK_PLACES, key=len, reverse=True)))


def vietnamese_place_names(text: str) -> str:
    """Well-known places spelt in Chinese, Japanese or Korean ("岘港", "다낭") by their Vietnamese
    names: searched as they are, a city's characters read as a subject ("港" is a port)."""
    if text.isascii():
        return text
    return _CJK_PLACES_RE.sub(lambda m: f" {_CJK_PLACES[m.group(0)]} ", text)


# Wards, communes and districts as Chinese (and Japanese kanji) write them: by the characters of
# their Sino-Vietnamese syllables ("海洲坊" is "phường Hải Châu", "奎中" "Khuê Trung"), then a unit
# character. The table (syllable -> characters) is data a translator can extend.
HAN_VIET_FILE = Path(__file__).resolve().parent / "data" / "han_viet.yml"
_HAN_UNITS = {"坊": "phường", "社": "xã", "乡": "xã", "鄉": "xã", "镇": "thị trấn", "鎮": "thị trấn",
              "郡": "quận", "区": "quận", "區": "quận", "县": "huyện", "縣": "huyện"}
_HAN_RUN_RE = re.compile(r"([\u3400-\u9fff]{2,12})([坊社乡鄉镇鎮郡区區县縣])")
_HAN_MAX_CHARS = 4  # the longest name read (syllables of one unit's name)
_HAN_MAX_READINGS = 256


@lru_cache(maxsize=1)
def han_viet_readings() -> dict[str, tuple[str, ...]]:
    """Character -> its Sino-Vietnamese syllables (lower case, with marks), from ``HAN_VIET_FILE``."""
    if not HAN_VIET_FILE.exists():
        return {}
    table = yaml.safe_load(HAN_VIET_FILE.read_text(encoding="utf-8")) or {}
    readings: dict[str, list[str]] = defaultdict(list)
    for syllable, chars in table.items():
        syllable = normalize(str(syllable)).lower()
        for ch in chars or []:
            if syllable not in readings[ch]:
                readings[ch].append(syllable)
    return {ch: tuple(v) for ch, v in readings.items()}


def han_viet_names(chars: str) -> list[tuple[str, ...]]:
    """Every reading of a run of characters, as syllables ("海洲" -> ("hải", "châu"), …), or
    none when a character has no reading or the run has too many."""
    table = han_viet_readings()
    options = [table.get(ch, ()) for ch in chars]
    if not all(options):
        return []
    count = 1
    for o in options:
        count *= len(o)
    if count > _HAN_MAX_READINGS:
        return []
    out: list[tuple[str, ...]] = [()]
    for o in options:
        out = [(*prefix, syllable) for prefix in out for syllable in o]
    return out


def _rewrite_foreign(text: str) -> str:
    """CJK spellings and numbered units in the Vietnamese words the indices know."""
    if text.isascii() and "arrondissement" not in text and "th district" not in text:
        return text

    def numbered(m: re.Match[str]) -> str:
        if m.group(3):
            return f" quận {m.group(3)} "
        raw = m.group(1)
        if raw[0] in _CJK_DIGITS or raw[0] == "十":
            tens, _, ones = raw.partition("十")
            value = (_CJK_DIGITS.get(tens, 1) * 10 + _CJK_DIGITS.get(ones, 0)) if "十" in raw else _CJK_DIGITS[raw]
        else:
            value = int(unicodedata.normalize("NFKC", raw))
        return f" {_NUMBERED_UNIT[m.group(2)]} {value} "

    out = _NUMBERED_RE.sub(numbered, text)
    out = _CJK_PLACES_RE.sub(lambda m: f" {_CJK_PLACES[m.group(0)]} ", out)
    # French spells the city "Hô Chi Minh(-Ville)": a circumflex without the tone, which
    # would otherwise disagree with "Hồ" and leave "Chi Minh" to read as Xã Chí Minh.
    out = _FRENCH_HCM.sub("Ho Chi Minh", out)
    return _FRENCH_SPELLINGS.sub(lambda m: _FRENCH_NAMES[m.group(0).lower()], out)


_FRENCH_HCM = re.compile(r"\bH[ôÔ] Chi Minh\b")
# French spellings with a diaeresis or an accent Vietnamese does not use there.
_FRENCH_NAMES = {"hanoï": "Hanoi", "hué": "Hue"}
_FRENCH_SPELLINGS = re.compile(r"\b(?:Hanoï|Hué)\b", re.IGNORECASE)


# fmt: on


@dataclass(slots=True)
class PlaceCandidate:
    """One possible reading of an ambiguous mention, enough to ask "which one?"."""

    old_unit: OldUnit | None  # None when the candidate is a unit in force
    district: str  # the old district ("Quận 3"); empty for units in force
    province: str  # the province as the citizen knew it ("Tỉnh Quảng Nam")
    new_units: list[Commune] = field(default_factory=list)
    new_province: Province | None = None

    @property
    def name(self) -> str:
        """The unit's full name: the old unit's, or the unit in force's when there is none."""
        if self.old_unit is not None:
            return self.old_unit.full_name
        return self.new_units[0].full_name if self.new_units else ""

    @property
    def label(self) -> str:
        """The option a clarifying question shows: "Phường 1, Quận 3, Thành phố Hồ Chí Minh"."""
        return ", ".join(p for p in (self.name, self.district, self.province) if p)


@dataclass(slots=True)
class PlaceResolution:
    """What ``UnitRegistry.resolve`` found in a message.

    ``status``: ``none`` (no place), ``new`` (a unit in force: ``commune``), ``old`` (an
    abolished unit: ``old_unit`` and its successors ``new_units``; ``commune`` is set when it
    went to exactly one unit), ``ambiguous`` (ask the citizen: ``candidates``), ``province``
    (only a province, or an old district, was named: ``province``).
    """

    status: str = "none"
    commune: Commune | None = None
    province: Province | None = None
    old_unit: OldUnit | None = None
    new_units: list[Commune] = field(default_factory=list)
    candidates: list[PlaceCandidate] = field(default_factory=list)
    mention: str = ""

    @property
    def found(self) -> bool:
        return self.status != "none"

    @property
    def partial(self) -> bool:
        """True when the old unit was split between several new units."""
        return self.old_unit is not None and self.old_unit.merge_type == "partial"


@dataclass(slots=True)
class _Entry:
    kind: str  # "province" | "oldprov" | "district" | "commune" | "old"
    ref: str  # province code, folded old-province name, district key, commune or old code
    accented: tuple[str, ...]
    unit_type: str  # folded unit type of communes / old units ("phuong"), else ""
    dashed: bool = False  # the name has a dash ("Văn Miếu - Quốc Tử Giám")


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    pstart: int  # first token of the unit word when there is one
    pend: int  # one past the English unit word after the name
    level: str  # "commune" | "district" | "city" | "province" | ""
    unit_type: str
    kinds: dict[str, list[_Entry]] = field(default_factory=dict)  # accepted readings
    pending: dict[str, list[_Entry]] = field(default_factory=dict)  # need a neighbour


@dataclass(slots=True)
class _Tokens:
    text: str
    folded: list[str] = field(default_factory=list)
    accented: list[str] = field(default_factory=list)
    marked: list[bool] = field(default_factory=list)  # typed with diacritics
    upper: list[bool] = field(default_factory=list)  # starts with a capital letter
    joined: list[bool] = field(default_factory=list)  # only spaces/hyphens since the last word
    tight: list[bool] = field(default_factory=list)  # only spaces/dots since the last word
    dash: list[bool] = field(default_factory=list)  # a dash since the last word
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    informative_case: bool = False  # capitals mark names (not all lower / all upper)
    accented_text: bool = False  # the writer types diacritics, so a plain word is plain


@lru_cache(maxsize=65536)
def _token_forms(raw: str) -> tuple[str, str, bool]:
    """(folded, accented lower-case, carries diacritics) of one word, cached: it runs per
    word of every message."""
    accented = normalize(raw).lower()
    # ``fold`` would normalise again; the word is already normalised and lower-case.
    folded = "".join(
        c for c in unicodedata.normalize("NFD", accented) if not unicodedata.combining(c)
    ).replace("đ", "d")
    return folded, accented, folded != accented


_NAME_GAP_RE = re.compile(r"[ \t\-–—'’]*")
_PREFIX_GAP_RE = re.compile(r"[ \t.]*")


def _tokenize(text: str) -> _Tokens:
    nfc = unicodedata.normalize("NFC", text)
    toks = _Tokens(nfc)
    prev_end = 0

    def push(folded: str, accented: str, marked: bool, upper: bool, start: int, end: int, gap: str) -> None:
        toks.folded.append(folded)
        toks.accented.append(accented)
        toks.marked.append(marked)
        toks.upper.append(upper)
        toks.joined.append(_NAME_GAP_RE.fullmatch(gap) is not None)
        toks.tight.append(_PREFIX_GAP_RE.fullmatch(gap) is not None)
        toks.dash.append(any(c in gap for c in "-–—"))
        toks.starts.append(start)
        toks.ends.append(end)

    for m in _WORD_RE.finditer(nfc):
        raw = m.group(0)
        gap = nfc[prev_end : m.start()]
        prev_end = m.end()
        folded, accented, marked = _token_forms(raw)
        upper = raw[0].isupper()
        split = _SPLIT_NUMBER_RE.match(folded)
        if split:  # "P1", "q10": a unit word glued to its number
            number = _number(split.group(2))
            push(split.group(1), split.group(1), False, upper, m.start(), m.end(), gap)
            push(number, number, False, False, m.start(), m.end(), "")
            continue
        if folded.isdigit():  # "phường 01" is "phường 1"
            folded = accented = _number(folded)
        elif (
            raw in _ROMAN
            and toks.folded
            and (len(raw) > 1 or toks.folded[-1] in _ROMAN_AFTER or (toks.marked[-1] and toks.upper[-1]))
        ):
            # "Cây Trường II" is "Cây Trường 2"; a lone "I"/"V" only after a unit word or a
            # Vietnamese name ("Hải Châu I"), where it is hardly the English pronoun.
            folded = accented = _ROMAN[raw]
            marked = False
        push(folded, accented, marked, upper, m.start(), m.end(), gap)
    # Capitals are evidence of a name only when the writer uses them inside sentences.
    n = len(toks.folded)
    toks.accented_text = n >= 3 and sum(toks.marked) >= 0.4 * n
    inner = toks.upper[1:]
    toks.informative_case = any(inner) and not all(
        u or f.isdigit() for u, f in zip(toks.upper, toks.folded, strict=True)
    )
    return toks


@lru_cache(maxsize=65536)
def _name_tokens(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Folded and accented tokens of a unit name, numbers without leading zeros."""
    folded: list[str] = []
    accented: list[str] = []
    for m in _WORD_RE.finditer(unicodedata.normalize("NFC", name)):
        f, a, _ = _token_forms(m.group(0))
        if f.isdigit():
            f = a = _number(f)
        elif m.group(0) in _ROMAN:  # "Phường IV", "Xã Cây Trường II"
            f = a = _ROMAN[m.group(0)]
        folded.append(f)
        accented.append(a)
    return tuple(folded), tuple(accented)


def split_unit_name(full_name: str) -> tuple[str, str]:
    """("Phường", "Bến Thành") from "Phường Bến Thành"; ("", name) when there is no prefix."""
    return _split_prefix(normalize(full_name))


@lru_cache(maxsize=65536)
def _split_prefix(text: str) -> tuple[str, str]:
    """``split_unit_name`` for text that is already normalised (the registry's own names)."""
    m = _NAME_PREFIX_RE.match(text)
    if not m:
        return "", text
    prefix = m.group(1)
    return prefix[0].upper() + prefix[1:].lower(), text[m.end() :]


@lru_cache(maxsize=65536)
def _folded_key(name: str) -> str:
    return " ".join(_name_tokens(name)[0])


@lru_cache(maxsize=256)
def _type_key(unit_type: str) -> str:
    return fold(unit_type)


class UnitRegistry:
    """Provinces, communes in force and abolished units, with the indices ``resolve`` needs.

    Build it once (``from_shared_dir``, ``from_file``, ``load``) and share it: lookups and
    ``resolve`` never mutate it, so it is safe to use from several threads. The constructor
    takes ownership of the dataclasses it is given (it normalises their names in place).
    """

    def __init__(
        self,
        provinces: Iterable[Province],
        communes: Iterable[Commune],
        old_units: Iterable[OldUnit] = (),
        *,
        aliases: Mapping[str, Iterable[str]] | None = None,
        former: Mapping[str, Iterable[str]] | None = None,
        report: Mapping[str, int] | None = None,
        normalized: bool = False,
    ) -> None:
        # ``normalized``: the names are already NFC with one tone-mark convention (our own
        # saved index), so the costly normalisation is skipped; that keeps loading fast.
        norm = _identity if normalized else _cached_normalize
        self._provinces: dict[str, Province] = {}
        for p in provinces:
            p.name, p.full_name = norm(p.name), norm(p.full_name)
            self._provinces[p.code] = p
        self._communes: dict[str, Commune] = {}
        for c in communes:
            c.name, c.full_name = norm(c.name), norm(c.full_name)
            c.unit_type = norm(c.unit_type)
            if not c.full_name:
                c.full_name = f"{c.unit_type} {c.name}".strip()
            if c.province_code not in self._provinces:
                raise ValueError(f"commune {c.code} refers to unknown province {c.province_code}")
            self._communes[c.code] = c
        self.report: dict[str, int] = dict(report or {})
        self._old: dict[str, OldUnit] = {}
        for o in old_units:
            o.full_name = norm(o.full_name)
            o.district, o.province = norm(o.district), norm(o.province)
            known = [code for code in o.new_codes if code in self._communes]
            if not known:
                # An old unit we cannot route would make resolve() answer with nothing.
                log.warning(
                    "old unit %s %s: no known successor %s; dropped", o.code, o.full_name, o.new_codes
                )
                self.report["old_units_dropped_no_successor"] = (
                    self.report.get("old_units_dropped_no_successor", 0) + 1
                )
                continue
            o.new_codes = known
            self._old[o.code] = o
        self._aliases: dict[str, list[str]] = {
            code: [norm(a) for a in names] for code, names in _PROVINCE_ALIASES.items()
        }
        for code, names in (aliases or {}).items():
            known = self._aliases.setdefault(code, [])
            known.extend(a for a in (norm(n) for n in names) if a not in known)
        self._former: dict[str, list[str]] = {
            code: [norm(n) for n in names] for code, names in (former or {}).items()
        }
        self._build_indices()

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_shared_dir(cls, path: str | Path) -> UnitRegistry:
        """Read and reconcile the published tables in ``path`` (see the module docstring).

        ``splits`` is the authority for which new units an old unit went to; ``merges`` says
        whether each part was full or partial; ``ward-mappings`` adds the old district (which
        the other two lack), the main successor of a split unit, and the names of units that
        were merged away shortly before the reform, which citizens still use.
        """
        started = time.perf_counter()
        root = Path(path)
        report: Counter[str] = Counter()
        units_raw = _load_json(_newest(root, "units-*.json"))
        provinces: list[Province] = []
        communes: list[Commune] = []
        for p in units_raw:
            provinces.append(
                Province(
                    code=str(p["Code"]),
                    name=p["Name"],
                    full_name=p.get("FullName") or p["Name"],
                    name_en=p.get("NameEn") or "",
                )
            )
            for w in p.get("Wards") or []:
                communes.append(
                    Commune(
                        code=str(w["Code"]),
                        name=w["Name"],
                        full_name=w.get("FullName") or "",
                        province_code=str(w.get("ProvinceCode") or p["Code"]),
                        unit_type=w.get("AdministrativeUnitShortName") or "",
                        name_en=w.get("NameEn") or "",
                    )
                )
        new_codes = {c.code for c in communes}
        # The tables were published at different dates and a few codes drifted (Xã Ba Chẽ is
        # 06970 in one, 06978 in another): a code we do not know is re-found by its name.
        by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
        province_key = {p.code: _folded_key(p.name) for p in provinces}
        # Compared by bare name: sources differ in apostrophes (M’Drắk / M'Drắk) and a few
        # units changed type after the reform (Xã Lộc Ninh became Phường Lộc Ninh).
        bare_key = {c.code: _folded_key(c.name) for c in communes}
        province_of_code = {c.code: c.province_code for c in communes}
        for c in communes:
            by_name[(bare_key[c.code], province_key[c.province_code])].append(c.code)
            by_name[(bare_key[c.code], "")].append(c.code)

        def recode(code: str, full_name: str, province: str) -> str | None:
            """The code of the new unit a row means, checked against the name it gives:
            some rows carry codes of another numbering that happen to exist."""
            code = code.zfill(5) if code.isdigit() else code
            name = _folded_key(split_unit_name(full_name)[1]) if full_name else ""
            pkey = _folded_key(split_unit_name(province)[1]) if province else ""
            if (
                code in new_codes
                and (not name or bare_key[code] == name)
                and (not pkey or province_key[province_of_code[code]] == pkey)
            ):
                return code
            found = by_name.get((name, pkey), [])
            if len(found) == 1:
                report["codes_repaired_by_name"] += 1
                return found[0]
            report["codes_unresolved"] += 1
            return None

        merges = _load_json(_newest(root, "merges-*.json"))["data"]
        part_type: dict[tuple[str, str], str] = {}
        former: dict[str, list[str]] = {}
        for p in merges:
            former[str(p["level1_id"])] = [m["name"] for m in p.get("merges") or []]
            for l2 in p.get("level2s") or []:
                for m in l2.get("merges") or []:
                    part_type[(str(m["old_id"]), str(l2["level2_id"]))] = m.get("type", "full")

        mappings = _ward_mappings(_load_json(_newest(root, "ward-mappings-*.json")))
        by_code: dict[str, list[dict[str, Any]]] = defaultdict(list)
        uncoded: list[dict[str, Any]] = []
        for row in mappings:
            if row.get("old_ward_code"):
                by_code[str(row["old_ward_code"])].append(row)
            elif row.get("old_ward_name"):
                uncoded.append(row)
            else:
                report["ward_mappings_without_old_unit"] += 1

        old_units: list[OldUnit] = []
        splits = _load_json(_newest(root, "splits-*.json"))["data"]
        for p in splits:
            old_province = normalize(p["name"])
            groups = [(l3["level3_id"], l3) for l3 in p.get("level3s") or []]
            groups += [(l2["level2_id"], l2) for l2 in p.get("level2s") or []]
            for code, item in groups:
                code = str(code)
                targets = []
                for target in item.get("splits") or []:
                    new = recode(str(target["new_id"]), target.get("name", ""), "")
                    if new is None:
                        report["split_targets_unknown"] += 1
                    elif new not in targets:
                        targets.append(new)
                if not targets:
                    report["old_units_without_successor"] += 1
                    continue
                rows = by_code.get(code, [])
                name = normalize(item["name"])
                district = ""
                if rows:
                    district = normalize(rows[0].get("old_district_name") or "")
                    clean = normalize(rows[0].get("old_ward_name") or "")
                    if clean and clean != name:
                        report["old_names_cleaned"] += 1
                        name = clean
                    main = recode(
                        str(rows[0].get("new_ward_code") or ""),
                        rows[0].get("new_ward_name") or "",
                        rows[0].get("new_province_name") or "",
                    )
                    if main in targets and targets[0] != main:
                        targets.remove(main)
                        targets.insert(0, main)  # the main successor first
                elif "level2_id" in item:
                    district = name  # an island district that had no communes
                else:
                    report["old_units_without_district"] += 1
                types = {part_type.get((code, t), "") for t in targets}
                partial = len(targets) > 1 or "partial" in types
                old_units.append(
                    OldUnit(
                        code=code,
                        full_name=_tidy_type_case(name),
                        district=district,
                        province=old_province,
                        new_codes=targets,
                        merge_type="partial" if partial else "full",
                    )
                )

        # Names merged away before the reform that the ward-mapping table still routes.
        seen = {(fold(o.province), fold(o.district), fold(o.full_name)) for o in old_units}
        historical: dict[tuple[str, str, str], OldUnit] = {}
        for row in uncoded:
            name = _tidy_type_case(normalize(row["old_ward_name"]))
            district = normalize(row.get("old_district_name") or "")
            province = normalize(row.get("old_province_name") or "")
            key = (fold(province), fold(district), fold(name))
            if key in seen:
                report["ward_mappings_duplicates"] += 1
                continue
            target = recode(
                str(row.get("new_ward_code") or ""),
                row.get("new_ward_name") or "",
                row.get("new_province_name") or "",
            )
            if target is None:
                report["ward_mappings_unknown_target"] += 1
                continue
            unit = historical.get(key)
            if unit is None:
                digest = hashlib.sha1("|".join(key).encode()).hexdigest()[:10]
                unit = OldUnit(code=f"H{digest}", full_name=name, district=district, province=province)
                historical[key] = unit
            if target not in unit.new_codes:
                unit.new_codes.append(target)
        for unit in historical.values():
            unit.merge_type = "partial" if len(unit.new_codes) > 1 else "full"
        report["historical_old_units"] = len(historical)
        old_units.extend(historical.values())

        registry = cls(provinces, communes, old_units, former=former, report=report)
        log.info(
            "loaded units from %s: %d provinces, %d communes, %d old units in %.0f ms; %s",
            root,
            len(registry._provinces),
            len(registry._communes),
            len(registry._old),
            (time.perf_counter() - started) * 1000,
            dict(report),
        )
        return registry

    @classmethod
    def from_file(cls, path: str | Path) -> UnitRegistry:
        """Read the project's own format (JSON, or YAML for hand-written files)."""
        started = time.perf_counter()
        p = Path(path)
        with p.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) if p.suffix in (".yml", ".yaml") else json.load(fh)
        if not isinstance(data, dict) or data.get("format", FORMAT) != FORMAT:
            raise ValueError(f"{p}: not a {FORMAT} file")
        if int(data.get("version", VERSION)) > VERSION:
            raise ValueError(f"{p}: version {data['version']} is newer than {VERSION}")
        provinces = [
            Province(
                code=str(r["code"]),
                name=r["name"],
                full_name=r.get("full_name") or r["name"],
                name_en=r.get("name_en") or "",
            )
            for r in data.get("provinces") or []
        ]
        aliases = {str(r["code"]): r.get("aliases") or [] for r in data.get("provinces") or []}
        former = {str(r["code"]): r["former"] for r in data.get("provinces") or [] if r.get("former")}
        communes = [
            Commune(
                code=str(r["code"]),
                name=r["name"],
                full_name=r.get("full_name") or "",
                province_code=str(r["province_code"]),
                unit_type=r.get("unit_type") or "",
                name_en=r.get("name_en") or "",
            )
            for r in data.get("communes") or []
        ]
        old_units = [
            OldUnit(
                code=str(r["code"]),
                full_name=r["full_name"],
                district=r.get("district") or "",
                province=r.get("province") or "",
                new_codes=[str(c) for c in r.get("new_codes") or []],
                merge_type=r.get("merge_type") or "full",
            )
            for r in data.get("old_units") or []
        ]
        registry = cls(
            provinces,
            communes,
            old_units,
            aliases=aliases,
            former=former,
            report=data.get("report") or {},
            normalized=bool(data.get("normalized")),
        )
        log.info(
            "loaded units from %s: %d provinces, %d communes, %d old units in %.0f ms",
            p,
            len(provinces),
            len(communes),
            len(old_units),
            (time.perf_counter() - started) * 1000,
        )
        return registry

    @classmethod
    def load(cls, path: str | Path) -> UnitRegistry:
        """Load an index written by ``save``."""
        return cls.from_file(path)

    @classmethod
    def empty(cls) -> UnitRegistry:
        """A registry that knows no place: every ``resolve`` gives ``none``."""
        return cls((), ())

    def save(self, path: str | Path) -> None:
        """Persist in the project's format, so serving never re-reads the raw tables."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": FORMAT, "version": VERSION, "normalized": True, **self._payload()}
        tmp = p.with_suffix(p.suffix + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        tmp.replace(p)

    def content_hash(self) -> str:
        """SHA-256 of the units and mappings (not of the load report): equal data, equal hash."""
        payload = self._payload()
        payload.pop("report")
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _payload(self) -> dict[str, Any]:
        return {
            "report": self.report,
            "provinces": [
                {
                    "code": pr.code,
                    "name": pr.name,
                    "full_name": pr.full_name,
                    "name_en": pr.name_en,
                    "aliases": self._aliases.get(pr.code, []),
                    "former": self._former.get(pr.code, []),
                }
                for pr in self._provinces.values()
            ],
            "communes": [
                {
                    "code": c.code,
                    "name": c.name,
                    "unit_type": c.unit_type,
                    "province_code": c.province_code,
                    "full_name": c.full_name,
                    "name_en": c.name_en,
                }
                for c in self._communes.values()
            ],
            "old_units": [
                {
                    "code": o.code,
                    "full_name": o.full_name,
                    "district": o.district,
                    "province": o.province,
                    "new_codes": o.new_codes,
                    "merge_type": o.merge_type,
                }
                for o in self._old.values()
            ],
        }

    # ----------------------------------------------------------------- lookups
    @property
    def provinces(self) -> list[Province]:
        return list(self._provinces.values())

    @property
    def communes(self) -> list[Commune]:
        return list(self._communes.values())

    @property
    def old_units(self) -> list[OldUnit]:
        return list(self._old.values())

    def province(self, code: str) -> Province | None:
        return self._provinces.get(code)

    def commune(self, code: str) -> Commune | None:
        return self._communes.get(code)

    def old_unit(self, code: str) -> OldUnit | None:
        return self._old.get(code)

    def province_of(self, commune: Commune | str) -> Province | None:
        c = self._communes.get(commune) if isinstance(commune, str) else commune
        return self._provinces.get(c.province_code) if c else None

    def new_units_of(self, old: OldUnit) -> list[Commune]:
        """The successors of an old unit, main successor first."""
        return [self._communes[c] for c in old.new_codes if c in self._communes]

    def old_units_of(self, commune: Commune | str) -> list[OldUnit]:
        """The abolished units (wholly or partly) merged into a commune in force."""
        code = commune if isinstance(commune, str) else commune.code
        return [self._old[c] for c in self._merged_into.get(code, [])]

    def find_province(self, name: str) -> Province | None:
        """A province by code, name, full name, English name, alias or pre-reform name."""
        if name in self._provinces:
            return self._provinces[name]
        _, bare = split_unit_name(name)
        codes = self._province_names.get(_folded_key(bare)) or self._province_names.get(_folded_key(name))
        if codes and len(codes) == 1:
            return self._provinces[next(iter(codes))]
        return None

    def search_communes(self, name: str, province: Province | str | None = None) -> list[Commune]:
        """Communes in force called ``name`` ("Hải Châu", "Phường Hải Châu", "hai chau").

        A unit-type prefix narrows by type; ``province`` (a Province, code or name) narrows
        by province. When the query carries diacritics, exact spellings win over folded ones.
        """
        unit_type, bare = split_unit_name(name)
        folded, accented = _name_tokens(bare)
        found = [self._communes[e.ref] for e in self._index.get(folded, []) if e.kind == "commune"]
        if unit_type:
            typed = [c for c in found if _type_key(c.unit_type) == _type_key(unit_type)]
            found = typed or found
        if province is not None:
            pr = province if isinstance(province, Province) else self.find_province(province)
            if pr is None:
                return []
            found = [c for c in found if c.province_code == pr.code]
        if any(f != a for f, a in zip(folded, accented, strict=True)):
            exact = [c for c in found if _name_tokens(c.name)[1] == accented]
            found = exact or found
        return found

    def search_old_units(
        self, name: str, district: str | None = None, province: str | None = None
    ) -> list[OldUnit]:
        """Abolished units called ``name``, optionally within an old district / province."""
        unit_type, bare = split_unit_name(name)
        folded, _ = _name_tokens(bare)
        found = [self._old[e.ref] for e in self._index.get(folded, []) if e.kind == "old"]
        if unit_type:
            typed = [o for o in found if _type_key(_split_prefix(o.full_name)[0]) == _type_key(unit_type)]
            found = typed or found
        if district:
            d = _folded_key(split_unit_name(district)[1])
            found = [o for o in found if self._old_district_key[o.code] == d]
        if province:
            pr = _folded_key(split_unit_name(province)[1])
            found = [o for o in found if self._old_province_key[o.code] == pr]
        return found

    # ----------------------------------------------------------------- indices
    def _build_indices(self) -> None:
        index: dict[tuple[str, ...], list[_Entry]] = defaultdict(list)

        def add(name: str, kind: str, ref: str, unit_type: str = "") -> None:
            folded, accented = _name_tokens(name)
            if not folded or len(folded) > _MAX_SPAN:
                return
            for e in index[folded]:
                if e.kind == kind and e.ref == ref:
                    return
            dashed = any(c in name for c in "-–—")
            index[folded].append(_Entry(kind, ref, accented, unit_type, dashed))

        self._province_names: dict[str, set[str]] = defaultdict(set)
        self._old_province_to_new: dict[str, set[str]] = defaultdict(set)
        for p in self._provinces.values():
            names = [p.name, _split_prefix(p.full_name)[1], p.name_en, *self._aliases.get(p.code, [])]
            for n in names:
                if n:
                    add(n, "province", p.code)
                    self._province_names[_folded_key(n)].add(p.code)
            for old_name in self._former.get(p.code, []):
                self._old_province_to_new[_folded_key(_split_prefix(old_name)[1])].add(p.code)
        explicit = frozenset(self._old_province_to_new)  # "former" lists are authoritative
        for c in self._communes.values():
            add(c.name, "commune", c.code, _type_key(c.unit_type))
            if c.name_en and fold(c.name_en) != fold(c.name):
                add(c.name_en, "commune", c.code, _type_key(c.unit_type))
        self._merged_into: dict[str, list[str]] = defaultdict(list)
        self._old_district_key: dict[str, str] = {}
        self._old_province_key: dict[str, str] = {}
        districts: dict[str, set[str]] = defaultdict(set)  # district key -> new province codes
        for o in self._old.values():
            unit_type, bare = _split_prefix(o.full_name)
            add(bare, "old", o.code, _type_key(unit_type))
            for code in o.new_codes:
                self._merged_into[code].append(o.code)
            d_name = _split_prefix(o.district)[1]
            self._old_district_key[o.code] = _folded_key(d_name)
            prov_key = _folded_key(_split_prefix(o.province)[1])
            self._old_province_key[o.code] = prov_key
            new_provinces = {self._communes[c].province_code for c in o.new_codes}
            if o.province and prov_key not in explicit:
                # the old province went where its communes went
                self._old_province_to_new[prov_key].update(new_provinces)
            if d_name:
                dkey = f"{_folded_key(d_name)}|{prov_key}"
                districts[dkey].update(new_provinces)
                add(d_name, "district", dkey)
        for (alias, prov), dname in _DISTRICT_ALIASES.items():
            dkey = f"{_folded_key(dname)}|{_folded_key(prov)}"
            if dkey in districts:
                add(alias, "district", dkey)
        self._district_provinces = {k: frozenset(v) for k, v in districts.items()}
        spellings: dict[str, tuple[tuple[str, ...], bool]] = {}
        for name in [n for names in self._former.values() for n in names] + [
            o.province for o in self._old.values()
        ]:
            bare = _split_prefix(name)[1]
            folded, accented = _name_tokens(bare)
            spellings.setdefault(" ".join(folded), (accented, "-" in bare))
        for prov_key, codes in self._old_province_to_new.items():
            # the pre-reform province names ("Quảng Nam") are places citizens still use
            if prov_key not in self._province_names:
                self._province_names[prov_key].update(codes)
            add_key = tuple(prov_key.split())
            if add_key and not any(e.kind == "oldprov" and e.ref == prov_key for e in index[add_key]):
                accented, dashed = spellings.get(prov_key, (add_key, False))
                index[add_key].append(_Entry("oldprov", prov_key, accented, "", dashed))
        self._index = dict(index)
        self._first_tokens = frozenset(k[0] for k in self._index)

    # ----------------------------------------------------------------- resolve
    def _read_han(self, text: str) -> str:
        """A unit written in Chinese characters ("海洲坊") in the Vietnamese words the index
        knows ("phường Hải Châu"): the characters before the unit character, read by their
        Sino-Vietnamese syllables, longest name first, must spell a unit's name exactly
        (marks included, which keeps homophones apart)."""
        if text.isascii() or not _HAN_RUN_RE.search(text):
            return text

        def read(m: re.Match[str]) -> str:
            run, unit = m.group(1), m.group(2)
            for size in range(min(_HAN_MAX_CHARS, len(run)), 1, -1):
                for syllables in han_viet_names(run[-size:]):
                    key = tuple(fold(s) for s in syllables)
                    if any(
                        e.accented == syllables and e.kind != "province" for e in self._index.get(key, ())
                    ):
                        name = " ".join(w.capitalize() for w in syllables)
                        return f"{run[:-size]} {_HAN_UNITS[unit]} {name} "
            return m.group(0)

        return _HAN_RUN_RE.sub(read, text)

    def resolve(self, text: str) -> PlaceResolution:
        """Find the place a citizen's message is about (see ``PlaceResolution``).

        Names match with or without diacritics; where the citizen typed diacritics they must
        agree, which keeps everyday words ("hòa bình", "phương án") from reading as places.
        A name after a unit word ("phường 1", "P1", "Cat Linh ward") is taken; a bare name
        needs evidence (see ``_find_mentions``) and must not be an everyday phrase. The
        other places in the message (old district, province) narrow the candidates; units
        in force win unless the message says the unit is old ("cũ", "trước sáp nhập",
        "old") or names the old district it was in.
        """
        toks = _tokenize(self._read_han(_rewrite_foreign(text)))
        if not toks.folded:
            return PlaceResolution()
        chosen = _select(self._find_mentions(toks))
        if not chosen:
            return PlaceResolution()
        primary = _pick_primary(toks, chosen)
        if primary is None:
            return self._province_only(toks, chosen)
        prov_codes: set[str] = set()
        old_provs: set[str] = set()
        district_keys: list[str] = []
        for m in chosen:
            if m is primary:
                continue
            prov_codes.update(e.ref for e in m.kinds.get("province", []))
            for e in m.kinds.get("oldprov", []):
                old_provs.add(e.ref)
                prov_codes.update(self._old_province_to_new.get(e.ref, set()))
            district_keys.extend(e.ref for e in m.kinds.get("district", []))
        old = _has_old_marker(toks) or any(m in text for m in _OLD_MARKERS_CJK)
        return self._resolve_unit(toks, primary, prov_codes, old_provs, district_keys, old)

    def _find_mentions(self, toks: _Tokens) -> list[_Mention]:
        """Every span that names a unit and that its surroundings allow reading as one.

        A span with a unit word ("phường X", "X ward") is accepted at once. A bare name
        needs evidence: a locative word before it ("ở", "tại", "in"), "cũ" after it, a
        capital letter in a text that uses capitals, or being the whole message; failing
        that, it is accepted only next to another accepted place ("Thạch Thang, Hải Châu").
        """
        folded, accented, marked = toks.folded, toks.accented, toks.marked
        n = len(folded)
        reserved = _reserved(toks, self._index)
        found: list[_Mention] = []
        for i in range(n):
            if folded[i] not in self._first_tokens:
                continue
            limit = 1
            while i + limit < n and limit < _MAX_SPAN and toks.joined[i + limit]:
                limit += 1  # a name never runs across punctuation
            for length in range(limit, 0, -1):
                entries = self._index.get(tuple(folded[i : i + length]))
                if not entries:
                    continue
                strict = toks.accented_text
                # "biên giới Việt - Trung" is two names; a dash only inside names that have one
                dashed = any(toks.dash[i + k] for k in range(1, length))
                kept = [
                    e
                    for e in entries
                    if (e.dashed or not dashed)
                    and all(
                        accented[i + k] == a or (not marked[i + k] and not strict)
                        for k, a in enumerate(e.accented)
                    )
                ]
                if kept:
                    m = self._classify(toks, i, i + length, kept, reserved)
                    if m is not None:
                        found.append(m)
        changed = True
        while changed:
            changed = False
            anchors = [m for m in found if m.kinds]
            for m in found:
                if m.pending and any(_adjacent(toks, a, m) for a in anchors if a is not m):
                    for kind, entries in m.pending.items():
                        m.kinds.setdefault(kind, []).extend(entries)
                    m.pending = {}
                    changed = True
        return [m for m in found if m.kinds]

    def _classify(
        self,
        toks: _Tokens,
        start: int,
        end: int,
        entries: list[_Entry],
        reserved: set[int],
    ) -> _Mention | None:
        """Sort the readings of a span into accepted, pending (needs a neighbour) or none."""
        folded, marked = toks.folded, toks.marked
        n = len(folded)
        level, unit_type, pstart, pend = "", "", start, end
        collocation = False
        for size in (2, 1):
            words = tuple(folded[start - size : start]) if start - size >= 0 else ()
            spec = _PREFIXES.get(words) if words else None
            if spec is None or not toks.tight[start]:
                continue
            if size == 2 and not toks.joined[start - 1]:
                continue
            if any(
                toks.accented[start - size + k] != a and (marked[start - size + k] or toks.accented_text)
                for k, a in enumerate(spec[2])
            ):
                continue
            blockers = _PREFIX_BLOCKERS.get(words[0])
            if size == 1 and blockers and start >= 2 and _is_word(toks, start - 2, blockers):
                continue
            level, unit_type, pstart = spec[0], spec[1], start - size
            collocation = not marked[start - 1] and (words[-1], folded[start]) in _TYPED_COLLOCATIONS
            break
        if (
            not level
            and start >= 2
            and folded[start - 1] in _OF
            and (folded[start - 2],) in _PREFIXES
            and folded[start - 2] in _FOREIGN_UNIT_WORDS
            and toks.tight[start]
            and toks.tight[start - 1]
        ):
            # "le quartier de Hai Chau", "el barrio de Hải Châu": the unit word, "of", the name.
            level, unit_type = _PREFIXES[(folded[start - 2],)][:2]
            pstart = start - 2
        if not level and end < n and folded[end] in _SUFFIXES and toks.tight[end]:
            level, unit_type = _SUFFIXES[folded[end]]
            pend = end + 1

        length = end - start
        span_key = " ".join(folded[start:end])
        capital = all(toks.upper[k] or folded[k].isdigit() for k in range(start, end))
        name_marked = any(marked[start:end])
        stop = span_key in _COMMON_PHRASES or any(k in reserved for k in range(start, end))
        # A capitalised name with Vietnamese marks inside a sentence in another language
        # ("Mon ancien village s'appelait Bình Minh") is a name, even an everyday phrase.
        quoted = (
            capital
            and not toks.accented_text
            and has_vietnamese_marks(toks.text[toks.starts[start] : toks.ends[end - 1]])
        )
        if quoted:
            stop = False
        cue = (
            pstart > 0
            and _is_word(toks, pstart - 1, _CUES)
            and not (folded[pstart - 1] in _CUES_ACCENTED_ONLY and not marked[pstart - 1])
        )
        old_after = _is_old_after(toks, pend)
        whole = n - (pend - pstart) <= 1
        if (
            not level
            and start > 0
            and (
                # "số 12 Lê Lợi" is a street; "phường 4 Vị Thanh" a ward and its town
                (folded[start - 1].isdigit() and not (start >= 2 and (folded[start - 2],) in _PREFIXES))
                or _is_word(toks, start - 1, _NOT_UNIT_BEFORE)
            )
        ):
            stop = True
        evidence = cue or old_after or whole or quoted or (capital and toks.informative_case)
        # "phuong an hai bac": a collocation ("phương án") cannot go on into a longer unit
        # name, nor into one that is said to be old or where someone lives ("o phuong an hai cu").
        long_name = length >= 3 or (length == 2 and (cue or old_after))
        contradicted = toks.informative_case and not capital

        kinds: dict[str, list[_Entry]] = {}
        pending: dict[str, list[_Entry]] = {}
        for e in entries:
            verdict = ""  # "yes" | "wait" | ""
            if e.kind in ("province", "oldprov"):
                if level in ("province", "city"):
                    verdict = "yes"
                elif not level and not stop and not span_key.isdigit():
                    # A lower-case text gives no capitals to go by: a two-syllable province
                    # ending the message ("ket hon ha noi") is still taken.
                    if evidence or (length >= 2 and not contradicted and pend == n):
                        verdict = "yes"
                    elif length >= 2 or e.kind == "province":
                        verdict = "wait"
            elif e.kind == "district":
                if level in ("district", "city"):
                    verdict = "yes"
                elif not level and not stop and not span_key.isdigit():
                    verdict = "yes" if evidence and (length >= 2 or capital) else "wait"
            else:  # a commune in force or an old unit
                if level == "commune":
                    if collocation and not (capital and toks.informative_case) and not long_name:
                        verdict = ""
                    elif span_key in _COMMON_PHRASES and not capital and span_key not in _NAME_PHRASES:
                        # "các xã biên giới": border communes, not Xã Biên Giới; but next to
                        # its district ("phuong tan thanh tam ky cu") it is the unit's name.
                        verdict = "wait"
                    elif length == 1 and not span_key.isdigit() and not name_marked:
                        verdict = "yes" if (folded[pstart], span_key) not in _TYPED_COLLOCATIONS else ""
                    else:
                        verdict = "yes"
                elif not level and length >= 2 and not stop and not folded[start].isdigit():
                    verdict = "yes" if evidence else "wait"
            if verdict == "yes":
                kinds.setdefault(e.kind, []).append(e)
            elif verdict == "wait":
                pending.setdefault(e.kind, []).append(e)
        if level and folded[pstart] == "f":
            # "F1" is also a contact case or a visa: "F4" is a ward only beside its district.
            for kind, found in kinds.items():
                pending.setdefault(kind, []).extend(found)
            kinds = {}
        if not kinds and not pending:
            return None
        return _Mention(start, end, pstart, pend, level, unit_type, kinds, pending)

    def _province_only(self, toks: _Tokens, chosen: list[_Mention]) -> PlaceResolution:
        """No commune was named: the first province, else the province of an old district."""
        mentioned: set[str] = set()
        for m in chosen:
            codes = {e.ref for e in m.kinds.get("province", [])}
            for e in m.kinds.get("oldprov", []):
                codes.update(self._old_province_to_new.get(e.ref, set()))
            if len(codes) == 1:
                return PlaceResolution(
                    status="province", province=self._provinces[codes.pop()], mention=_span(toks, m)
                )
            mentioned |= codes
        for m in chosen:
            codes = set()
            for e in m.kinds.get("district", []):
                codes.update(self._district_provinces.get(e.ref, frozenset()))
            if mentioned:
                codes &= mentioned
            if len(codes) == 1:
                return PlaceResolution(
                    status="province", province=self._provinces[codes.pop()], mention=_span(toks, m)
                )
        return PlaceResolution()

    def _resolve_unit(
        self,
        toks: _Tokens,
        primary: _Mention,
        prov_codes: set[str],
        old_provs: set[str],
        district_keys: list[str],
        old_marker: bool,
    ) -> PlaceResolution:
        """Choose between the readings of the primary mention using the rest of the message:
        unit word (phường/xã), old district, province, and whether the unit is said to be old.
        """
        mention = _span(toks, primary)
        new_all = [self._communes[e.ref] for e in primary.kinds.get("commune", [])]
        old_all = [self._old[e.ref] for e in primary.kinds.get("old", [])]
        if primary.unit_type:
            t = primary.unit_type
            new_typed = [
                c for e, c in zip(primary.kinds.get("commune", []), new_all, strict=True) if e.unit_type == t
            ]
            old_typed = [
                o for e, o in zip(primary.kinds.get("old", []), old_all, strict=True) if e.unit_type == t
            ]
            if new_typed or old_typed:
                new_all, old_all = new_typed, old_typed

        district_full = set(district_keys)
        new_f = [c for c in new_all if not prov_codes or c.province_code in prov_codes]
        old_f = old_all
        old_in_district = False
        if district_full:
            in_district = [
                o
                for o in old_f
                if f"{self._old_district_key[o.code]}|{self._old_province_key[o.code]}" in district_full
            ]
            if in_district:
                old_f, old_in_district = in_district, True
            else:
                # No such unit in that district (e.g. merged away years before): at least
                # stay in the district's province.
                near: set[str] = set()
                for key in district_keys:
                    near |= self._district_provinces.get(key, frozenset())
                in_province = [
                    o for o in old_f if any(self._communes[c].province_code in near for c in o.new_codes)
                ]
                old_f = in_province or old_f
        if prov_codes or old_provs:
            old_f = [
                o
                for o in old_f
                if self._old_province_key[o.code] in old_provs
                or any(self._communes[c].province_code in prov_codes for c in o.new_codes)
            ]

        prefer_old = old_marker or old_in_district or not new_f
        if not prefer_old:
            return self._new_result(new_f, mention)
        if old_f:
            return self._old_result(old_f, mention)
        if new_f:
            return self._new_result(new_f, mention)
        # The context contradicts every reading: show them all rather than guess.
        cands = [self._old_candidate(o) for o in old_all] + [self._new_candidate(c) for c in new_all]
        return PlaceResolution(status="ambiguous", candidates=_sorted(cands), mention=mention)

    def _new_result(self, communes: list[Commune], mention: str) -> PlaceResolution:
        if len(communes) == 1:
            c = communes[0]
            return PlaceResolution(
                status="new",
                commune=c,
                province=self.province_of(c),
                new_units=[c],
                mention=mention,
            )
        cands = _sorted([self._new_candidate(c) for c in communes])
        return PlaceResolution(status="ambiguous", candidates=cands, mention=mention)

    def _old_result(self, olds: list[OldUnit], mention: str) -> PlaceResolution:
        cands = _sorted([self._old_candidate(o) for o in olds])
        if len({tuple(o.new_codes) for o in olds}) == 1:
            # Several records, one answer (a unit and its pre-reform name variant).
            o = olds[0]
            new_units = self.new_units_of(o)
            return PlaceResolution(
                status="old",
                old_unit=o,
                new_units=new_units,
                commune=new_units[0] if len(new_units) == 1 else None,
                province=self.province_of(new_units[0]) if new_units else None,
                candidates=cands if len(olds) > 1 else [],
                mention=mention,
            )
        return PlaceResolution(status="ambiguous", candidates=cands, mention=mention)

    def _old_candidate(self, o: OldUnit) -> PlaceCandidate:
        new_units = self.new_units_of(o)
        return PlaceCandidate(
            old_unit=o,
            district=o.district,
            province=o.province,
            new_units=new_units,
            new_province=self.province_of(new_units[0]) if new_units else None,
        )

    def _new_candidate(self, c: Commune) -> PlaceCandidate:
        p = self.province_of(c)
        return PlaceCandidate(
            old_unit=None,
            district="",
            province=p.full_name if p else "",
            new_units=[c],
            new_province=p,
        )


# --------------------------------------------------------------------- helpers
def _select(mentions: list[_Mention]) -> list[_Mention]:
    """Non-overlapping mentions: announced by a unit word first, then longer, then earlier."""
    order = sorted(
        mentions,
        key=lambda m: (not m.level, -(m.end - m.start), m.start),
    )
    taken: list[_Mention] = []
    used: set[int] = set()
    for m in order:
        span = set(range(m.start, m.end))
        if span & used:
            continue
        taken.append(m)
        used |= span
    return sorted(taken, key=lambda m: m.start)


def _explains_province(toks: _Tokens, chosen: list[_Mention], m: _Mention) -> bool:
    if m.pstart == 0:
        return False
    before = toks.text[toks.ends[m.pstart - 1] : toks.starts[m.pstart]]
    if "(" not in before and "（" not in before:
        return False
    return any(
        (p.pend == m.pstart or (p.pend == m.pstart - 1 and toks.folded[p.pend] in _PROVINCE_WORDS))
        and ({"province", "oldprov"} & p.kinds.keys())
        for p in chosen
    )


def _pick_primary(toks: _Tokens, chosen: list[_Mention]) -> _Mention | None:
    """The commune-level mention the message is about.

    One announced by "phường"/"xã"/"ward" wins; otherwise a name that is only a commune name
    wins over one that is also a district or province name (those usually give context:
    "Thạch Thang, Hải Châu"); ties go to the earliest.
    """
    units = [m for m in chosen if "commune" in m.kinds or "old" in m.kinds]
    if not units:
        return None
    typed = [m for m in units if m.level == "commune"]
    if typed:
        return typed[0]
    # "ニントゥアン省（ファンラン）", "Ninh Thuận (Phan Rang)": the town in brackets only says
    # which province is meant.
    units = [m for m in units if m.level or not _explains_province(toks, chosen, m)]
    unprefixed = [m for m in units if not m.level]
    pure = [m for m in unprefixed if not ({"province", "oldprov", "district"} & m.kinds.keys())]
    if pure:
        return pure[0]
    # A bare name that is also a province ("Sài Gòn", "Vũng Tàu") means the province.
    mixed = [m for m in unprefixed if not ({"province", "oldprov"} & m.kinds.keys())]
    if not mixed:
        return None
    # "Hải Châu" alone: a unit in force of that name, or the old district's province.
    return mixed[0]


def _adjacent(toks: _Tokens, a: _Mention, b: _Mention) -> bool:
    """Whether two mentions follow each other, punctuation or a "cũ" between allowed."""
    first, second = (a, b) if a.pstart < b.pstart else (b, a)
    if first.pend == second.pstart:
        return True
    return first.pend + 1 == second.pstart and _is_old_after(toks, first.pend)


def _is_old_after(toks: _Tokens, k: int) -> bool:
    """Token ``k`` is the "cũ" of "Thạch Thang cũ" (a plain "cu" only at a clause end)."""
    if k >= len(toks.folded) or not _is_word(toks, k, _AFTER_CUES):
        return False
    if toks.marked[k] or k + 1 == len(toks.folded):
        return True
    return not toks.joined[k + 1] or toks.folded[k + 1] in _AFTER_CU_FOLLOWERS


def _is_word(toks: _Tokens, k: int, words: Mapping[str, str]) -> bool:
    """Token ``k`` is one of ``words`` (folded -> spelling it must have if accented)."""
    spelled = words.get(toks.folded[k])
    return spelled is not None and (not toks.marked[k] or toks.accented[k] == spelled)


def _reserved(toks: _Tokens, index: Mapping[tuple[str, ...], list[_Entry]]) -> set[int]:
    """Tokens inside an everyday phrase ("Việt Nam định cư": no "Nam Định" there), unless
    the phrase is only the seam of two longer names ("Sóc Sơn Hà Nội" is not "sơn hà")."""
    out: set[int] = set()
    folded, n = toks.folded, len(toks.folded)
    for i in range(n - 1):
        for size in (2, 3, 4):
            if i + size > n:
                break
            if not all(toks.joined[i + k] for k in range(1, size)):
                break
            if " ".join(folded[i : i + size]) in _COMMON_PHRASES and not _is_seam(toks, index, i, i + size):
                out.update(range(i, i + size))
    return out


def _is_seam(toks: _Tokens, index: Mapping[tuple[str, ...], list[_Entry]], start: int, end: int) -> bool:
    """Whether tokens ``start:end`` are the end of one name and the start of the next, both
    names reaching beyond them: "[Sóc Sơn][Hà Nội]" around "Sơn Hà"."""
    folded, joined, n = toks.folded, toks.joined, len(toks.folded)
    for cut in range(start + 1, end):
        left = False
        a = start - 1
        while a >= 0 and cut - a <= _MAX_SPAN and all(joined[k] for k in range(a + 1, cut)):
            if tuple(folded[a:cut]) in index:
                left = True
                break
            a -= 1
        if not left:
            continue
        b = end + 1
        while b <= n and b - cut <= _MAX_SPAN and all(joined[k] for k in range(cut + 1, b)):
            if tuple(folded[cut:b]) in index:
                return True
            b += 1
    return False


@lru_cache(maxsize=1)
def _old_markers() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    return tuple((tuple(fold(w) for w in p.split()), tuple(p.split())) for p in _OLD_MARKER_PHRASES)


def _has_old_marker(toks: _Tokens) -> bool:
    folded, n = toks.folded, len(toks.folded)
    for i, w in enumerate(folded):
        for marker, spelled in _old_markers():
            if marker[0] != w or tuple(folded[i : i + len(marker)]) != marker:
                continue
            if any(
                toks.accented[i + k] != a and (toks.marked[i + k] or toks.accented_text)
                for k, a in enumerate(spelled)
            ):
                continue
            if marker == ("cu",) and i + 1 < n and folded[i + 1] in _CU_BLOCKERS:
                continue
            return True
    return False


def _span(toks: _Tokens, m: _Mention) -> str:
    return toks.text[toks.starts[m.pstart] : toks.ends[m.pend - 1]]


def _sorted(cands: list[PlaceCandidate]) -> list[PlaceCandidate]:
    """By province, then district, numbers in numeric order (Quận 3 before Quận 10)."""
    return sorted(cands, key=lambda c: (_natural(c.province), _natural(c.district), _natural(c.label)))


@lru_cache(maxsize=16384)
def _natural(text: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(t), "") if t.isdecimal() and len(t) < 10 else (0, t) for t in fold(text).split())


def _number(digits: str) -> str:
    """Drop leading zeros ("01" is 1) without int(), which rejects some digits and long runs."""
    return digits.lstrip("0０") or "0"


def _identity(text: str) -> str:
    return text


@lru_cache(maxsize=65536)
def _cached_normalize(text: str) -> str:
    """Districts and provinces repeat thousands of times in the tables."""
    return normalize(text)


def _tidy_type_case(name: str) -> str:
    """One spelling of the unit word: "Thị Trấn Châu Ổ" -> "Thị trấn Châu Ổ"."""
    prefix, bare = _split_prefix(name)
    return f"{prefix} {bare}" if prefix else name


def _newest(root: Path, pattern: str) -> Path:
    found = sorted(root.glob(pattern))
    if not found:
        raise FileNotFoundError(f"no {pattern} in {root}")
    return found[-1]


def _load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _ward_mappings(data: Any) -> Sequence[dict[str, Any]]:
    """The rows of the ward-mapping table, whether bare or inside a phpMyAdmin export."""
    if isinstance(data, list) and data and isinstance(data[0], dict) and "type" in data[0]:
        for block in data:
            if block.get("type") == "table" and block.get("name") == "ward_mappings":
                rows: list[dict[str, Any]] = block.get("data") or []
                return rows
        raise ValueError("ward-mappings: no ward_mappings table")
    if isinstance(data, list):
        return data
    raise ValueError("ward-mappings: unexpected structure")
