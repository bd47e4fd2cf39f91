"""The phone's number reader: numbers, amounts, durations, codes and catalogue text in words,
as a speaker of each language says them, and the speaking-time estimate. Pure functions,
table-driven."""

from __future__ import annotations

import re

import pytest

from channels.numerals import (
    amount_words,
    duration_words,
    es_number,
    fr_number,
    ja_number,
    ko_native,
    ko_number,
    vi_number,
    zh_number,
)
from channels.speech import code_words, verbalize
from channels.spoken import estimate_seconds, speak_vietnamese, syllables


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "một"),
        (4, "bốn"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),  # "một" after "mười", "mốt" only after "mươi"
        (14, "mười bốn"),  # "tư" only after "mươi"
        (15, "mười lăm"),
        (20, "hai mươi"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (31, "ba mươi mốt"),
        (100, "một trăm"),
        (101, "một trăm linh một"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (115, "một trăm mười lăm"),
        (1000, "một nghìn"),
        (1005, "một nghìn không trăm linh năm"),
        (1050, "một nghìn không trăm năm mươi"),
        (2025, "hai nghìn không trăm hai mươi lăm"),
        (35_000, "ba mươi lăm nghìn"),
        (70_000, "bảy mươi nghìn"),
        (105_000, "một trăm linh năm nghìn"),
        (1_000_000, "một triệu"),
        (1_025_000, "một triệu không trăm hai mươi lăm nghìn"),
        (2_000_500, "hai triệu năm trăm"),
        (105_000_000, "một trăm linh năm triệu"),
        (1_000_000_000, "một tỷ"),
        (1_500_000_000, "một tỷ năm trăm triệu"),
        (2_000_000_005, "hai tỷ không trăm linh năm"),
    ],
)
def test_vietnamese_reading_rules(n: int, words: str) -> None:
    assert vi_number(n) == words


def test_southern_le_instead_of_linh() -> None:
    assert vi_number(105, odd="lẻ") == "một trăm lẻ năm"
    assert vi_number(2005, odd="lẻ") == "hai nghìn không trăm lẻ năm"


@pytest.mark.parametrize(
    ("reader", "n", "words"),
    [
        (fr_number, 21, "vingt et un"),
        (fr_number, 71, "soixante et onze"),
        (fr_number, 80, "quatre-vingts"),
        (fr_number, 95, "quatre-vingt-quinze"),
        (fr_number, 200, "deux cents"),
        (fr_number, 200_000, "deux cent mille"),
        (fr_number, 70_000, "soixante-dix mille"),
        (fr_number, 2_000_000, "deux millions"),
        (es_number, 21, "veintiuno"),
        (es_number, 100, "cien"),
        (es_number, 150, "ciento cincuenta"),
        (es_number, 70_000, "setenta mil"),
        (es_number, 21_000, "veintiún mil"),
        (es_number, 1_000_000, "un millón"),
        (es_number, 2_500_000, "dos millones quinientos mil"),
        (zh_number, 15, "十五"),
        (zh_number, 105, "一百零五"),
        (zh_number, 1005, "一千零五"),
        (zh_number, 20_000, "两万"),
        (zh_number, 35_000, "三万五千"),
        (zh_number, 100_000, "十万"),
        (zh_number, 1_025_000, "一百零二万五千"),
        (zh_number, 105_000_000, "一亿零五百万"),
        (ja_number, 70_000, "七万"),
        (ja_number, 1_000, "千"),
        (ja_number, 105, "百五"),
        (ja_number, 150_000_000, "一億五千万"),
        (ko_number, 10_000, "만"),
        (ko_number, 35_000, "삼만 오천"),
        (ko_number, 160_000, "십육만"),
        (ko_native, 8, "여덟"),
        (ko_native, 24, "스물네"),
    ],
)
def test_other_languages_numbers(reader, n: int, words: str) -> None:  # type: ignore[no-untyped-def]
    assert reader(n) == words


@pytest.mark.parametrize(
    ("lang", "amount", "words"),
    [
        ("vi", 70_000, "bảy mươi nghìn đồng"),
        ("en", 70_000, "seventy thousand dong"),
        ("fr", 70_000, "soixante-dix mille dongs"),
        ("es", 21_000, "veintiún mil dongs"),
        ("zh", 70_000, "七万越南盾"),
        ("ko", 70_000, "칠만 동"),
        ("ja", 70_000, "七万ドン"),
    ],
)
def test_amounts_in_every_phone_language(lang: str, amount: int, words: str) -> None:
    assert amount_words(amount, lang) == words


@pytest.mark.parametrize(
    ("lang", "value", "unit", "words"),
    [
        ("vi", 5, "working_day", "năm ngày làm việc"),
        ("vi", 1.5, "working_day", "một phẩy năm ngày làm việc"),
        ("en", 1, "working_day", "one working day"),
        ("en", 15, "day", "fifteen days"),
        ("fr", 1, "working_day", "un jour ouvrable"),
        ("fr", 5, "working_day", "cinq jours ouvrables"),
        ("es", 21, "day", "veintiún días"),
        ("es", 5, "working_day", "cinco días hábiles"),
        ("zh", 2, "day", "两天"),
        ("zh", 7, "working_day", "七个工作日"),
        ("ko", 8, "hour", "여덟 시간"),
        ("ko", 5, "working_day", "영업일 기준 오일"),
        ("ja", 7, "working_day", "七営業日"),
    ],
)
def test_durations_in_every_phone_language(lang: str, value: float, unit: str, words: str) -> None:
    assert duration_words(value, unit, lang) == words


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        # The defect: the portal's "70,000" was read "bảy mươi phẩy không không không".
        ("70,000 Việt Nam Đồng", "bảy mươi nghìn đồng"),
        ("70.000 đồng/thẻ căn cước", "bảy mươi nghìn đồng mỗi thẻ căn cước"),
        ("1,000,000 VNĐ", "một triệu đồng"),
        ("1.000.000 đồng/lần", "một triệu đồng mỗi lần"),
        ("50.000đ/tem", "năm mươi nghìn đồng mỗi tem"),
        ("từ 50.000 đến 100.000 đồng", "từ năm mươi nghìn đến một trăm nghìn đồng"),
        ("50.000 - 100.000 đồng", "năm mươi nghìn đến một trăm nghìn đồng"),
        ("01 (một) bộ hồ sơ", "một bộ hồ sơ"),
        ("05 ngày làm việc", "năm ngày làm việc"),
        ("giảm 50%", "giảm năm mươi phần trăm"),
        ("thu bằng 0,5%", "thu bằng không phẩy năm phần trăm"),
        ("nộp tại UBND xã", "nộp tại Ủy ban nhân dân xã"),
        ("mang CCCD", "mang căn cước công dân"),
        ("sổ BHXH", "sổ bảo hiểm xã hội"),
        ("Điều 24 Luật Căn cước", "Điều hai mươi tư Luật Căn cước"),
        ("ngày 01/7/2025", "ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm"),
        ("Mẫu DC02", "Mẫu dê xê không hai"),
        ("diện tích 1.500 m2", "diện tích một nghìn năm trăm mét vuông"),
        ("02 ảnh cỡ 3cm x 4cm", "hai ảnh cỡ ba xăng ti mét nhân bốn xăng ti mét"),
        ("ảnh 4 x 6", "ảnh bốn nhân sáu"),
    ],
)
def test_vietnamese_catalogue_text(written: str, spoken: str) -> None:
    assert verbalize(written, "vi") == spoken


def test_catalogue_notes_and_links_are_not_read() -> None:
    said = speak_vietnamese(
        "Nộp tại UBND xã (theo Điều 24 Luật Căn cước) hoặc tại https://dichvucong.gov.vn/p/abc"
    )
    assert said == "Nộp tại Ủy ban nhân dân xã hoặc tại trên Cổng dịch vụ công quốc gia"
    # A note left open by the catalogue is cut with the rest of the line.
    assert speak_vietnamese("70.000 đồng(- Cấp lại thẻ căn cước đối với") == "bảy mươi nghìn đồng"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("vi", "một chấm, không một bốn, không sáu bốn"),
        ("en", "one point, zero one four, zero six four"),
        ("fr", "un point, zéro un quatre, zéro six quatre"),
    ],
)
def test_procedure_codes_are_read_in_groups(lang: str, words: str) -> None:
    assert code_words("1.014064", lang) == words


def test_foreign_answers_lose_grouped_numbers_too() -> None:
    assert verbalize("Frais : 70.000 VND", "fr") == "Frais : soixante-dix mille dongs"
    assert verbalize("Fee: 70.000 VND", "en") == "Fee: seventy thousand dong"
    assert not re.search(r"\d", verbalize("费用：70,000越南盾", "zh"))


def test_speaking_time_follows_the_rate() -> None:
    text = "Lệ phí bảy mươi nghìn đồng."  # six syllables, one full stop
    assert syllables(text, "vi") == 6
    assert estimate_seconds(text, "vi") == pytest.approx(6 / 4.5 + 0.35, abs=0.01)
    assert estimate_seconds(text, "vi", {"vi": 3.0}) == pytest.approx(6 / 3.0 + 0.35, abs=0.01)
    assert syllables("七万越南盾", "zh") == 5 and syllables("칠만 동", "ko") == 3
