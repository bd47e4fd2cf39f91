"""Siblings: variants of one procedure told apart by the names alone, and decided by the
question ("bị mất" → re-issue, "hết hạn" → exchange, "foreigner" → the foreign element)."""

from __future__ import annotations

import pytest

from bot.siblings import Question, are_siblings, pick, resolve, shape
from knowledge.models import Procedure
from knowledge.search import Hit

CARD = {
    "first14": "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên",
    "first_child": "Cấp thẻ căn cước cho người dưới 14 tuổi",
    "exchange": "Cấp đổi thẻ căn cước",
    "reissue": "Cấp lại thẻ căn cước",
}
MARRIAGE = {
    "domestic": "Thủ tục đăng ký kết hôn",
    "foreign": "Thủ tục đăng ký kết hôn có yếu tố nước ngoài",
    "border": "Thủ tục đăng ký kết hôn có yếu tố nước ngoài tại khu vực biên giới",
}
LICENCE = {
    "exchange": "Đổi giấy phép lái xe",
    "reissue": "Cấp lại giấy phép lái xe",
    "foreign": "Đổi giấy phép lái xe hoặc bằng lái xe của người nước ngoài",
}


def hits(names: dict[str, str], *order: str, step: float = 0.01) -> list[Hit]:
    """Hits in ``order`` with scores 0.6, 0.59, ...: all close enough to be weighed."""
    return [
        Hit(Procedure(code=key, name=names[key]), round(0.6 - i * step, 4), 0.0, 0.0)
        for i, key in enumerate(order)
    ]


def codes(found: list[Hit] | None) -> list[str] | None:
    return None if found is None else [h.procedure.code for h in found]


def test_shape_takes_a_name_apart() -> None:
    s = shape("Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)")
    assert s.actions == {"reissue"} and s.core == ("the", "can", "cuoc")
    assert s.level == "province" and not s.qualifiers and not s.foreign
    s = shape("Thủ tục đăng ký kết hôn có yếu tố nước ngoài tại khu vực biên giới")
    assert s.core == ("ket", "hon") and s.foreign and {"bien", "gioi"} <= s.qualifiers
    # A name that chains several actions offers each of them.
    s = shape("Cấp, gia hạn, cấp lại, cấp đổi chứng chỉ hành nghề đo đạc và bản đồ hạng I")
    assert s.actions == {"first", "extend", "reissue", "exchange"}


def test_marks_decide_where_a_qualifier_starts() -> None:
    # "cổ phần" is part of the object; "có yếu tố" starts a qualifier.
    assert shape("Đăng ký chào bán cổ phần riêng lẻ").core[:4] == ("chao", "ban", "co", "phan")
    assert shape("Đăng ký khai sinh có yếu tố nước ngoài").core == ("khai", "sinh")
    # "thực hiện tại cấp tỉnh" qualifies; the "thực" of "chứng thực" or "thực phẩm" is the object
    # (every "Chứng thực …" was one family, and the shortest name won a contract-for-sale question).
    assert shape("Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)").level == "province"
    assert shape("Chứng thực giao dịch liên quan đến tài sản là động sản").core[:3] == (
        "chung",
        "thuc",
        "giao",
    )
    assert not are_siblings(
        "Chứng thực giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất, nhà ở",
        "Chứng thực việc sửa đổi, bổ sung, hủy bỏ giao dịch",
    )
    assert shape("Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm").core[-2:] == ("thuc", "pham")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (CARD["first14"], CARD["reissue"], True),
        (LICENCE["exchange"], "Cấp giấy phép lái xe quốc tế", True),
        (MARRIAGE["domestic"], MARRIAGE["border"], True),
        ("Cấp giấy phép xây dựng mới", "Cấp giấy phép lái xe", False),
        ("Đăng ký thường trú", "Đăng ký tạm trú", False),
        # A bare generic object ("giấy phép") makes no family.
        ("Cấp giấy phép", "Cấp giấy phép lái xe", False),
    ],
)
def test_siblings_share_the_object(a: str, b: str, expected: bool) -> None:
    assert are_siblings(a, b) is expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("tôi bị mất căn cước", "vi", "reissue"),
        ("toi danh mat can cuoc roi", "vi-x", "reissue"),
        ("I lost my ID card", "en", "reissue"),
        ("j'ai perdu ma carte d'identité", "fr", "reissue"),
        ("身份证丢了怎么办", "zh", "reissue"),
        ("căn cước hết hạn rồi", "vi", "exchange"),
        ("my ID card has expired", "en", "exchange"),
        ("thẻ căn cước bị hỏng", "vi", "exchange"),
        ("con tôi dưới 14 tuổi làm căn cước", "vi", "first_child"),
    ],
)
def test_the_question_decides_the_card_variant(text: str, lang: str, expected: str) -> None:
    found = resolve(text, lang, hits(CARD, "first14", "exchange", "reissue", "first_child"), margin=0.08)
    assert codes(found) == [expected]


def test_an_undecided_question_leaves_the_variants_open_best_first() -> None:
    found = resolve("làm căn cước", "vi", hits(CARD, "exchange", "reissue", "first14"), margin=0.08)
    assert codes(found) == ["exchange", "reissue", "first14"]


def test_silence_on_the_foreign_element_keeps_both_open_without_the_border_case() -> None:
    found = resolve("đăng ký kết hôn", "vi", hits(MARRIAGE, "foreign", "domestic", "border"), margin=0.08)
    assert codes(found) == ["foreign", "domestic"]


def test_plain_variant_when_no_qualifier_is_mentioned() -> None:
    found = resolve("kết hôn với người nước ngoài", "vi", hits(MARRIAGE, "border", "foreign"), margin=0.08)
    assert codes(found) == ["foreign"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("đăng ký kết hôn với người nước ngoài", "vi"),
        ("I am a foreigner and want to marry my Vietnamese girlfriend", "en"),
        ("je suis étranger, comment me marier au Vietnam", "fr"),
    ],
)
def test_a_foreigner_gets_the_foreign_element_not_the_border_case(text: str, lang: str) -> None:
    found = resolve(text, lang, hits(MARRIAGE, "domestic", "border", "foreign"), margin=0.08)
    assert codes(found) == ["foreign"]


def test_two_vietnamese_citizens_in_english_get_the_domestic_case() -> None:
    text = "How do we register a marriage between two Vietnamese citizens?"
    found = resolve(text, "en", hits(MARRIAGE, "foreign", "domestic"), margin=0.08)
    assert codes(found) == ["domestic"]


def test_a_question_silent_on_the_foreign_element_keeps_it_open() -> None:
    found = resolve("How do I exchange my driving licence?", "en", hits(LICENCE, "exchange", "foreign"), 0.08)
    assert codes(found) == ["exchange", "foreign"]
    found = resolve("đổi giấy phép lái xe", "vi", hits(LICENCE, "exchange", "foreign"), 0.08)
    assert codes(found) == ["exchange", "foreign"]


def test_no_family_beyond_the_margin_or_without_siblings() -> None:
    far = hits(CARD, "first14", "reissue", step=0.2)
    assert resolve("làm căn cước", "vi", far, margin=0.08) is None
    unrelated = [
        Hit(Procedure(code="a", name="Đăng ký thường trú"), 0.6, 0.0, 0.0),
        Hit(Procedure(code="b", name="Đăng ký tạm trú"), 0.59, 0.0, 0.0),
    ]
    assert resolve("đăng ký cư trú", "vi", unrelated, margin=0.08) is None
    assert resolve("anything", "vi", [], margin=0.08) is None


def test_the_same_procedure_at_several_levels_is_not_asked() -> None:
    levels = [
        Hit(
            Procedure(code="p", name="Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)"),
            0.6,
            0,
            0,
        ),
        Hit(
            Procedure(code="c", name="Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp trung ương)"),
            0.55,
            0,
            0,
        ),
    ]
    assert codes(resolve("làm hộ chiếu", "vi", levels, margin=0.08)) == ["p"]
    # ... unless the question names the level.
    assert codes(resolve("làm hộ chiếu ở cấp trung ương", "vi", levels, margin=0.08)) == ["c"]


CERTIFICATE = {
    "revoked": "Cấp lại chứng chỉ hành nghề trong trường hợp bị thu hồi chứng chỉ hành nghề",
    "lost": "Cấp lại chứng chỉ hành nghề trong trường hợp bị mất, bị rách, bị cháy hoặc vì lý do khác",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chung chi hanh nghe bi ngap nuoc nat het, xin cap lai o dau", "lost"),  # damaged
        ("I lost my practising certificate, how do I get a new one", "lost"),
        ("chứng chỉ hành nghề bị thu hồi, muốn xin cấp lại", "revoked"),
    ],
)
def test_the_situation_named_in_a_qualifier_decides(text: str, expected: str) -> None:
    assert shape(CERTIFICATE["lost"]).cases == {"lost", "damaged"}
    found = resolve(text, "vi", hits(CERTIFICATE, "revoked", "lost"), margin=0.08)
    assert codes(found) == [expected]


def test_actions_joined_by_and_chain() -> None:
    s = shape("Thủ tục cấp lại và hiệu đính thông tin trên Giấy chứng nhận đăng ký đầu tư")
    assert s.actions == {"reissue", "amend"}
    # "thông tin trên" names the content of the paper: the paper is the object, so the
    # re-issue is a sibling of the exchange.
    assert s.core == ("giay", "chung", "nhan", "dang", "ky", "dau", "tu")
    assert are_siblings(INVESTMENT["reissue"], INVESTMENT["exchange"])


INVESTMENT = {
    "first": "Thủ tục cấp Giấy chứng nhận đăng ký đầu tư",
    "exchange": "Thủ tục đổi Giấy chứng nhận đăng ký đầu tư",
    "reissue": "Thủ tục cấp lại và hiệu đính thông tin trên Giấy chứng nhận đăng ký đầu tư",
}


@pytest.mark.parametrize(
    ("names", "order", "text", "expected"),
    [
        # A damaged paper is exchanged where the family has an exchange ...
        (CARD, ("exchange", "reissue"), "thẻ căn cước bị hỏng", "exchange"),
        (CARD, ("reissue", "exchange"), "my ID card is damaged, how do I get a replacement?", "exchange"),
        # ... unless the question names the re-issue in the law's own words.
        (
            INVESTMENT,
            ("first", "exchange", "reissue"),
            "投资登记证书原件被水泡坏了，怎么申请重新发放？",
            "reissue",
        ),
        (
            INVESTMENT,
            ("exchange", "reissue"),
            "giấy chứng nhận đăng ký đầu tư bị rách, xin cấp lại",
            "reissue",
        ),
    ],
)
def test_a_damaged_paper_follows_the_action_the_question_names(
    names: dict[str, str], order: tuple[str, ...], text: str, expected: str
) -> None:
    found = resolve(text, "vi", hits(names, *order), margin=0.08)
    assert found is not None and codes(found)[:1] == [expected], codes(found)


def test_words_pick_a_listed_variant_only_when_they_decide() -> None:
    listed = hits(LICENCE, "exchange", "reissue", "foreign")
    assert codes([pick("cái bị mất ạ", "vi", listed)]) == ["reissue"]  # type: ignore[list-item]
    assert codes([pick("for a foreigner", "en", listed)]) == ["foreign"]  # type: ignore[list-item]
    assert pick("lệ phí bao nhiêu?", "vi", listed) is None
    assert pick("bị mất", "vi", listed[:1]) is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Soy mexicano y quiero casarme con mi novia vietnamita", "es"),
        ("I'm French; how do I register my marriage here?", "en"),
        ("Je suis coréenne et je veux me marier au Vietnam", "fr"),
        ("我是韩国人，想在越南登记结婚", "zh"),
        ("저는 일본인입니다. 베트남에서 혼인 신고를 하고 싶어요", "ko"),
        ("私はアメリカ人です。ベトナムで結婚の登録をしたい", "ja"),
        ("chồng sắp cưới của tôi là người Hàn Quốc, đăng ký kết hôn thế nào", "vi"),
        ("chong sap cuoi cua toi la nguoi han quoc, dang ky ket hon the nao", "vi-x"),
    ],
)
def test_a_nationality_counts_as_the_foreign_party(text: str, lang: str) -> None:
    found = resolve(text, lang, hits(MARRIAGE, "domestic", "foreign"), margin=0.08)
    assert codes(found) == ["foreign"]


def test_a_nationality_picks_the_listed_foreign_variant() -> None:
    listed = hits(MARRIAGE, "domestic", "foreign")
    picked = pick("soy mexicano", "es", listed)
    assert picked is not None and picked.procedure.code == "foreign"


@pytest.mark.parametrize(
    "text",
    [
        "다낭에 사는 한국인인데 운전면허 시험에 합격했어요. 면허증은 어떻게 받나요?",
        "I'm French and I passed the driving test in Da Nang, how do I get the licence?",
        "Tôi là người Hàn, đã thi đỗ sát hạch lái xe, nhận bằng thế nào?",
    ],
)
def test_a_foreigner_who_passed_the_exam_gets_the_first_issue_not_the_foreign_exchange(text):
    """Nationality makes the citizen a foreigner, but having passed the Vietnamese exam asks for
    the first issue of the licence, not the exchange of a foreign one."""
    names = {
        "foreign": "Đổi giấy phép lái xe hoặc bằng lái xe của người nước ngoài",
        "first": "Cấp giấy phép lái xe",
        "reissue": "Cấp lại giấy phép lái xe",
    }
    found = resolve(text, "ko", hits(names, "foreign", "first", "reissue"), 0.2)
    assert codes(found) == ["first"]


PASSPORT = {
    "lost_commune": "Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp xã)",
    "central": "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp trung ương)",
    "lost_district": "Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp huyện)",
    "province": "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)",
}


def _passport_hits() -> list[Hit]:
    scores = {"lost_commune": 0.81, "central": 0.79, "lost_district": 0.77, "province": 0.61}
    return [Hit(Procedure(code=k, name=PASSPORT[k]), v, 0.0, 0.0) for k, v in scores.items()]


@pytest.mark.parametrize(
    "text", ["Je veux un passeport", "Quiero un pasaporte", "làm hộ chiếu", "我要办护照"]
)
def test_a_question_silent_on_a_loss_gets_the_paper_at_the_nearest_level(text: str) -> None:
    """Search ranked the lost-passport report first and the central department's passport
    above the province's (their descriptions differ, not the question's fit): the passport
    itself, at the province, which is where a citizen applies."""
    assert codes(resolve(text, "vi", _passport_hits(), margin=0.08)) == ["province"]


@pytest.mark.parametrize(
    "text", ["I lost my passport", "mất hộ chiếu thì làm sao", "j'ai perdu mon passeport"]
)
def test_a_loss_keeps_the_loss_procedure(text: str) -> None:
    found = resolve(text, "vi", _passport_hits(), margin=0.08)
    assert found is None or codes(found)[0].startswith("lost"), codes(found)


def test_the_same_procedure_at_another_level_counts_however_far_search_scored_it() -> None:
    far = [
        Hit(Procedure(code="central", name=PASSPORT["central"]), 0.77, 0.0, 0.0),
        Hit(
            Procedure(code="other", name="Cấp Giấy xác nhận nhân sự của công dân Việt Nam ở nước ngoài"),
            0.68,
            0,
            0,
        ),
        Hit(Procedure(code="province", name=PASSPORT["province"]), 0.51, 0.0, 0.0),
    ]
    assert codes(resolve("我太太是越南人，要第一次办护照，怎么申请？", "zh", far, margin=0.08)) == [
        "province"
    ]


REGISTRATION = {
    "again": "Thủ tục đăng ký lại kết hôn có yếu tố nước ngoài",
    "mobile": "Thủ tục đăng ký kết hôn lưu động",
    "first": "Thủ tục đăng ký kết hôn có yếu tố nước ngoài",
}


def test_a_question_naming_no_action_asks_for_the_registration_not_registering_again() -> None:
    ranked = [
        Hit(Procedure(code="again", name=REGISTRATION["again"]), 0.86, 0.0, 0.0),
        Hit(Procedure(code="mobile", name=REGISTRATION["mobile"]), 0.78, 0.0, 0.0),
        Hit(Procedure(code="first", name=REGISTRATION["first"]), 0.77, 0.0, 0.0),
    ]
    found = resolve("Quiero registrar el matrimonio con mi novia vietnamita", "es", ranked, margin=0.08)
    assert found is not None and "first" in codes(found), codes(found)
    # Registering again is kept when the question asks for it.
    again = resolve("Queremos volver a registrar nuestro matrimonio", "es", ranked, margin=0.08)
    assert again is None or codes(again)[0] == "again", codes(again)


def test_a_loss_is_named_by_the_lost_qualifiers_words_only() -> None:
    from bot.siblings import _names_a_loss

    assert _names_a_loss(PASSPORT["lost_commune"])
    assert _names_a_loss("Cấp lại chứng chỉ trong trường hợp bị thất lạc")
    assert not _names_a_loss("Giải quyết hưởng trợ cấp thất nghiệp")  # "thất" of unemployment
    assert not _names_a_loss("Cấp giấy phép thu đổi ngoại tệ bằng tiền mặt")  # "mặt", not "mất"


BOAT = {
    "new": "Đăng ký phương tiện lần đầu đối với phương tiện chưa khai thác trên đường thủy nội địa",
    "running": "Đăng ký phương tiện lần đầu đối với phương tiện đang khai thác trên đường thủy nội địa",
}


@pytest.mark.parametrize("order", [("new", "running"), ("running", "new")])
def test_a_folded_collision_says_no_qualifier(order: tuple[str, str]) -> None:
    """ "đăng ký" folds to "dang ky", as "đang khai thác" folds to "dang khai thac": the
    question's "đăng" must not pick the boat already running. Undecided, both are asked."""
    text = "Tôi vừa đóng xong chiếc đò máy chở khách, muốn đăng ký phương tiện để chạy."
    assert codes(resolve(text, "vi", hits(BOAT, *order), margin=0.08)) == list(order)
    # Said with its marks, the qualifier decides.
    said = "Chiếc đò của tôi đang khai thác trên sông, giờ muốn đăng ký phương tiện"
    assert codes(resolve(said, "vi", hits(BOAT, *order), margin=0.08))[0] == "running"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("giay phep khai thac mo cua cty do Bo cap, nay doi ten thi doi giay phep the nao", "central"),
        (
            "Giấy phép khai thác khoáng sản do UBND tỉnh cấp, công ty đổi tên thì đổi giấy phép ở đâu?",
            "province",
        ),
        (
            "Our mining licence was issued at central level; the company changed its name. How do we exchange it?",
            "central",
        ),
        ("giấy phép khai thác mỏ công ty tôi đổi tên, đổi giấy phép thế nào", "province"),
    ],
)
def test_a_level_the_question_names_picks_that_level(text: str, code: str) -> None:
    """The same procedure published per level: the level the citizen names ("do Bộ cấp",
    "UBND tỉnh", "central level") decides; without one, the province's (the nearest office)."""
    hits = [
        Hit(
            Procedure(code="central", name="Cấp đổi giấy phép khai thác khoáng sản (cấp Bộ)"), 0.66, 0.0, 0.0
        ),
        Hit(
            Procedure(code="province", name="Cấp đổi giấy phép khai thác khoáng sản (cấp Tỉnh)"),
            0.62,
            0.0,
            0.0,
        ),
    ]
    assert codes(resolve(text, "vi", hits, margin=0.08)) == [code]


@pytest.mark.parametrize(
    ("text", "lang"),
    [("what if my passport was stolen?", "en"), ("mất hộ chiếu thì trình báo thế nào", "vi")],
)
def test_the_commune_variant_comes_before_the_abolished_district_one(text: str, lang: str) -> None:
    """Districts were abolished in July 2025; the catalogue still lists their variant beside
    the commune's. A question that names no level gets the commune's, even scored lower."""
    hits = [
        Hit(
            Procedure(code="district", name="Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp huyện)"),
            0.8,
            0.0,
            0.0,
        ),
        Hit(
            Procedure(code="commune", name="Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp xã)"),
            0.72,
            0.0,
            0.0,
        ),
    ]
    assert shape(hits[0].procedure.name).level == "district"
    assert codes(resolve(text, lang, hits, margin=0.1)) == ["commune"]


SEA_AREA = {
    "allocate": "Giao khu vực biển (cấp tỉnh)",
    "return": "Trả lại khu vực biển (cấp tỉnh)",
    "amend": "Sửa đổi, bổ sung Quyết định giao khu vực biển (cấp tỉnh)",
}
BAILIFF_OFFICE = {
    "merge": "Hợp nhất, sáp nhập Văn phòng Thừa phát lại",
    "first": "Thành lập Văn phòng Thừa phát lại",
    "transform": "Chuyển đổi loại hình hoạt động Văn phòng Thừa phát lại",
    "terminate": "Chấm dứt hoạt động Văn phòng Thừa phát lại",
}
IDERA = {"first": "Thủ tục đăng ký văn bản IDERA", "cancel": "Thủ tục xóa đăng ký văn bản IDERA"}
REHAB = {
    "first": "Cấp giấy phép hoạt động đối với cơ sở cai nghiện ma túy tự nguyện",
    "reissue": "Cấp lại giấy phép hoạt động đối với cơ sở cai nghiện ma túy tự nguyện",
    "cancel": "Thu hồi giấy phép hoạt động đối với cơ sở cai nghiện ma túy tự nguyện",
}


def test_more_actions_lead_a_name() -> None:
    assert shape(SEA_AREA["return"]).actions == {"return"}
    assert shape(SEA_AREA["return"]).core == shape(SEA_AREA["allocate"]).core == ("khu", "vuc", "bien")
    assert shape(IDERA["cancel"]).actions == {"cancel"} and shape(IDERA["cancel"]).core == (
        "van",
        "ban",
        "idera",
    )
    assert shape(BAILIFF_OFFICE["merge"]).actions == {"merge"}
    assert shape(BAILIFF_OFFICE["first"]).actions == {"first"}
    assert shape(BAILIFF_OFFICE["transform"]).actions == {"transform"}
    assert shape(BAILIFF_OFFICE["terminate"]).actions == {"terminate"}
    assert shape("Giải thể doanh nghiệp").actions == {"terminate"}
    assert are_siblings(SEA_AREA["return"], SEA_AREA["allocate"])


@pytest.mark.parametrize(
    ("names", "order", "text", "lang", "expected"),
    [
        (
            SEA_AREA,
            ("allocate", "return"),
            "dự án dừng rồi, muốn trả lại diện tích biển cho nhà nước",
            "vi",
            "return",
        ),
        (
            SEA_AREA,
            ("allocate", "return"),
            "We want to hand back the sea area the province allocated",
            "en",
            "return",
        ),
        (SEA_AREA, ("allocate", "return"), "省里分配的海域我们不用了，想退还", "zh", "return"),
        (
            IDERA,
            ("first", "cancel"),
            "hợp đồng thuê tàu bay kết thúc, muốn hủy văn bản IDERA đã đăng ký",
            "vi",
            "cancel",
        ),
        (IDERA, ("first", "cancel"), "How do we deregister the IDERA after the lease ended?", "en", "cancel"),
        (IDERA, ("first", "cancel"), "리스가 끝나서 IDERA 등록을 말소하려고 합니다", "ko", "cancel"),
        (BAILIFF_OFFICE, ("merge", "first"), "tôi muốn mở văn phòng thừa phát lại riêng", "vi", "first"),
        (
            BAILIFF_OFFICE,
            ("first", "merge"),
            "Nous voulons fusionner deux bureaux d'huissiers",
            "fr",
            "merge",
        ),
        (
            BAILIFF_OFFICE,
            ("first", "terminate"),
            "Queremos cerrar nuestra oficina de alguaciles",
            "es",
            "terminate",
        ),
        (BAILIFF_OFFICE, ("first", "transform"), "執行官事務所の組織変更をしたい", "ja", "transform"),
        # A licence withdrawn at the holder's request ("Thu hồi") when the facility closes.
        (REHAB, ("reissue", "cancel", "first"), "我们的自愿戒毒所停办了，许可证要注销", "zh", "cancel"),
        # A licence that was withdrawn and is asked for again: the re-issue, not the withdrawal.
        (
            REHAB,
            ("cancel", "reissue", "first"),
            "giấy phép cơ sở cai nghiện bị thu hồi, giờ xin cấp lại",
            "vi",
            "reissue",
        ),
    ],
)
def test_the_action_the_question_asks_for_decides(names, order, text, lang, expected) -> None:  # type: ignore[no-untyped-def]
    assert codes(resolve(text, lang, hits(names, *order), margin=0.05)) == [expected]


def test_a_question_naming_no_such_action_leaves_the_variants_as_before() -> None:
    # "chỉ huy" (command) is not "hủy" (cancel); nothing here asks for an action.
    found = codes(
        resolve("Ban chỉ huy quân sự hỏi về văn bản IDERA", "vi", hits(IDERA, "first", "cancel"), 0.05)
    )
    assert found is not None and found[0] == "first"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "The old seal was registered with the central police department. How do we register it again?",
            "en",
        ),
        ("Notre sceau était enregistré au ministère. Comment le réenregistrer ?", "fr"),
        ("Nuestro sello estaba registrado en el ministerio, ¿cómo lo registramos de nuevo?", "es"),
    ],
)
def test_the_central_office_named_in_other_words_picks_the_central_level(text: str, lang: str) -> None:
    names = {
        "province": "Đăng ký lại mẫu con dấu (thực hiện tại cấp tỉnh)",
        "central": "Đăng ký lại mẫu con dấu (thực hiện tại cấp trung ương)",
    }
    assert codes(resolve(text, lang, hits(names, "province", "central"), margin=0.05)) == ["central"]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("My permitted stay ends in two days and the truck broke down. Can I get more time?", "en", "extend"),
        ("Notre permis expire bientôt, peut-on avoir plus de temps ?", "fr", "extend"),
        ("Vamos a dejar de operar el muelle, ¿qué hacemos con el permiso?", "es", "terminate"),
    ],
)
def test_everyday_words_for_an_action(text: str, lang: str, expected: str) -> None:
    names = {
        "first": "Cấp giấy phép hoạt động bến thủy nội địa",
        "extend": "Gia hạn giấy phép hoạt động bến thủy nội địa",
        "terminate": "Chấm dứt hoạt động giấy phép hoạt động bến thủy nội địa",
    }
    order = ("first", expected)
    assert codes(resolve(text, lang, hits(names, *order), margin=0.05)) == [expected]


NATIONALITY = {
    "home": "Cấp Giấy xác nhận có quốc tịch Việt Nam ở trong nước",
    "abroad": "Cấp Giấy xác nhận có quốc tịch Việt Nam ở nước ngoài",
}


def test_where_one_applies_is_read_from_the_name() -> None:
    assert shape(NATIONALITY["home"]).where == "home"
    assert shape(NATIONALITY["abroad"]).where == "abroad"
    assert shape(NATIONALITY["home"]).core == shape(NATIONALITY["abroad"]).core
    # "ở nước ngoài" naming who the paper is for is not where one applies.
    assert shape("Cấp giấy miễn thị thực cho người Việt Nam định cư ở nước ngoài").where is None
    assert (
        shape(
            "Cấp Phiếu Lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam, "
            "người Việt Nam đang cư trú ở nước ngoài"
        ).where
        is None
    )


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # Lived abroad, back in Vietnam now: applies here.
        (
            "I have lived abroad since childhood. Now that I'm back in Vietnam, how do I confirm my nationality?",
            "en",
            "home",
        ),
        ("Ahora vivo otra vez en Hanoi y quiero un certificado de nacionalidad vietnamita", "es", "home"),
        # Nothing said of where: a province's hotline is asked from Vietnam.
        ("giấy xác nhận có quốc tịch Việt Nam làm thế nào", "vi", "home"),
        # At an embassy, or living abroad: the member abroad.
        ("I live abroad; can the embassy confirm my Vietnamese nationality?", "en", "abroad"),
        ("我住在国外，可以在大使馆办越南国籍证明吗？", "zh", "abroad"),
    ],
)
def test_where_the_citizen_is_picks_the_in_country_or_the_abroad_member(
    text: str, lang: str, expected: str
) -> None:
    assert codes(resolve(text, lang, hits(NATIONALITY, "abroad", "home"), margin=0.05)) == [expected]
    assert codes(resolve(text, lang, hits(NATIONALITY, "home", "abroad"), margin=0.05)) == [expected]


def test_a_foreign_question_says_a_qualifier_through_the_terminology() -> None:
    names = {
        "owner": "Đăng ký phương tiện thủy nội địa trong trường hợp chuyển quyền sở hữu",
        "renamed": "Đăng ký phương tiện thủy nội địa trong trường hợp thay đổi tên",
    }
    text = "I bought this river boat from its owner. How do I register it now?"
    # Alone, its English words say nothing of the Vietnamese qualifiers: the shorter one is taken.
    assert codes(resolve(text, "en", hits(names, "renamed", "owner"), margin=0.05)) == ["renamed"]
    # The terminology's Vietnamese for "bought … from its owner" names the qualifier.
    decided = resolve(
        text, "en", hits(names, "renamed", "owner"), margin=0.05, vi_terms=["chuyển quyền sở hữu"]
    )
    assert codes(decided) == ["owner"]
    # Vietnamese questions are read in their own words only.
    assert codes(
        resolve(
            "đăng ký phương tiện",
            "vi",
            hits(names, "renamed", "owner"),
            0.05,
            vi_terms=["chuyển quyền sở hữu"],
        )
    ) != ["owner"]


def test_a_one_word_core_extends_to_no_sibling() -> None:
    # "Giao đất ở …" leaves the core "đất"; "Đặt hàng mua nhà ở …" folds to a core that starts
    # with the same "dat": no family ("xin giao đất làm nhà ở" got the housing order).
    allocate = "Giao đất ở có thu tiền sử dụng đất không thông qua đấu giá"
    order = "Đặt hàng mua nhà ở thương mại để làm nhà ở phục vụ tái định cư"
    assert shape(allocate).core == ("dat",)
    assert not are_siblings(allocate, order)
    assert are_siblings(allocate, "Trả lại đất ở cho Nhà nước")  # the same one-word core still is


@pytest.mark.parametrize(
    "text",
    [
        "toi can giay xac nhan xuat canh nhap canh, xin o cong an tinh duoc khong",
        "giấy phép khai thác do tỉnh cấp giờ muốn sửa",
        "我们公司已经拿到省里分配海域的决定，现在要修改",
        "성 인민위원회에서 받은 허가를 바꾸고 싶어요",
    ],
)
def test_the_province_is_named_as_citizens_name_it(text: str) -> None:
    """The province's office named in passing (công an tỉnh, tỉnh cấp, 省里) decides the level."""
    assert Question.read(text).levels == frozenset({"province"}), text


def test_living_in_a_province_names_no_level() -> None:
    assert not Question.read("tôi ở tỉnh Quảng Nam muốn làm hộ chiếu").levels
    assert not Question.read("I live in Quang Nam province and need a passport").levels
