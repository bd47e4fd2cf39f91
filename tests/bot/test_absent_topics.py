"""Subjects absent from the catalogue (knowledge/data/absent_topics.yml): recognised in
every language, with and without marks, and never over a procedure the catalogue holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.absent import LANGUAGES, AbsentTopics


@pytest.fixture(scope="module")
def topics() -> AbsentTopics:
    return AbsentTopics.load()


def test_every_topic_names_itself_and_its_authority_in_every_language(topics: AbsentTopics) -> None:
    assert {"labour", "health", "education"} <= {t.id for t in topics.topics}
    for topic in topics.topics:
        for lang in LANGUAGES:
            assert topic.topic_in(lang).strip() and topic.authority_in(lang).strip(), (topic.id, lang)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Xin giấy phép lao động cho người nước ngoài ở đâu?", "labour"),
        ("xin giay phep lao dong cho chuyen gia nhat", "labour"),
        ("How do I get a work permit in Vietnam?", "labour"),
        ("¿Dónde pido el permiso de trabajo?", "labour"),
        ("我想办工作许可", "labour"),
        ("노동허가는 어디서 받아요?", "labour"),
        ("労働許可を申請したい", "labour"),
        ("Xin giấy phép mở phòng khám nha khoa tư nhân thì làm ở đâu?", "health"),
        ("I want to open a pharmacy", "health"),
        ("Je veux ouvrir un cabinet médical", "health"),
        ("con tôi muốn xin nhập học trường tiểu học", "education"),
        ("How can I get my university diploma recognised?", "education"),
        ("我想办理孩子的转学", "education"),
        ("đăng ký nhãn hiệu cho sản phẩm", "intellectual_property"),
        ("Where do I get a document legalised (consular legalisation)?", "consular"),
        # The verb, as citizens write it, not only the noun.
        ("do I need to legalise my foreign birth certificate for use in Vietnam", "consular"),
        ("¿Tengo que legalizar mi certificado de nacimiento extranjero?", "consular"),
        ("Mon acte de naissance étranger doit-il être légalisé ?", "consular"),
        ("hợp pháp hóa giấy tờ nước ngoài để nộp hồ sơ kết hôn", "consular"),
        ("xin giấy xác nhận khuyết tật cho mẹ", "social_protection"),
        ("giấy phép kinh doanh xăng dầu", "trade"),
    ],
)
def test_absent_subjects_are_recognised(topics: AbsentTopics, text: str, topic: str) -> None:
    found = topics.match(text)
    assert found is not None and found.topic.id == topic, text


@pytest.mark.parametrize(
    "text",
    [
        "đăng ký khai sinh cho con",
        "mất thẻ bảo hiểm y tế ở bệnh viện thì làm sao",  # health insurance is in the catalogue
        "sinh con ở bệnh viện, đăng ký khai sinh thế nào",
        "đổi giấy phép lái xe",
        "I need a copy of my birth certificate for my son's school",
        "tôi làm theo hợp đồng lao động, muốn rút bảo hiểm xã hội một lần",
        "trường hợp bị mất căn cước",  # "trường hợp" is not a school
        # Catalogue subjects beside an absent one's keyword: an oil spill plan for a petrol
        # station, agricultural insurance for poor households, a business name that copies
        # a trademark.
        "cây xăng của tôi ở ven sông, phải lập kế hoạch ứng phó sự cố tràn dầu",
        "hộ nghèo nuôi heo được hỗ trợ phí bảo hiểm nông nghiệp không",
        "Another company registered a business name that copies our trademark",
        # "Légaliser / legalizar una firma" is the commune's certification of a signature.
        "je dois faire légaliser ma signature sur une procuration",
        "quiero legalizar mi firma en un poder",
        "hợp pháp hóa nhà đất xây không phép",  # the land, not a document
    ],
)
def test_catalogue_subjects_are_not_taken_for_absent_ones(topics: AbsentTopics, text: str) -> None:
    assert topics.match(text) is None, text


def test_a_malformed_file_fails_loudly(tmp_path: Path) -> None:
    bad = tmp_path / "absent.yml"
    bad.write_text(
        "topics:\n  - id: x\n    topic: {vi: a}\n    authority: {vi: b}\n    keywords: {vi: [c]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="lacks"):
        AbsentTopics.load(bad)
    bad.write_text("topics: nothing\n", encoding="utf-8")
    with pytest.raises(ValueError, match="topics"):
        AbsentTopics.load(bad)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Bệnh viện tư ở đây cần giấy phép gì?", "health"),
        ("How do I apply to a public school?", "education"),
    ],
)
def test_scene_setting_words_count_only_when_asked_for(topics: AbsentTopics, text: str, topic: str) -> None:
    # "bệnh viện", "school" also set the scene of catalogue questions ("mẹ tôi nằm bệnh
    # viện ..."): the assistant consults them only when the search found nothing close.
    assert topics.match(text) is None
    found = topics.match(text, context=True)
    assert found is not None and found.topic.id == topic
