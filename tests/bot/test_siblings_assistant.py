"""Siblings decided by the question, through the real assistant on the bundled sample: the
variant the question names is answered, in every language group, without a question back."""

from __future__ import annotations

import pytest

from bot.assistant import Turn
from bot.dialogue import DialogueState


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tôi là người Canada, bạn gái tôi là người Việt, chúng tôi muốn đăng ký kết hôn", "2.000806"),
        ("toi la nguoi duc, muon dang ky ket hon voi ban gai o Da Nang", "2.000806"),
        ("I'm Irish and my fiancée is Vietnamese. How do we register our marriage?", "2.000806"),
        ("Je suis belge et ma compagne est vietnamienne ; comment se marier au Vietnam ?", "2.000806"),
        ("Soy argentino y quiero casarme con mi novia vietnamita", "2.000806"),
        ("我是美国人，想在越南和越南女友登记结婚", "2.000806"),
        ("저는 미국인인데 베트남 여자친구와 혼인신고를 하고 싶어요", "2.000806"),
        ("私はカナダ人です。ベトナム人の婚約者と結婚の手続きをしたい", "2.000806"),
    ],
)
def test_a_foreigner_marrying_is_answered_with_the_foreign_element(
    sample_runtime, text: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    reply = sample_runtime.assistant.handle(Turn(text), DialogueState())
    assert reply.procedures and reply.procedures[0].code == expected, (reply.intent, reply.answer[:200])
    assert not reply.needs_clarification


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Our son was born last week; how do we get his birth certificate?", "1.001193"),
        ("Mon bébé est né hier, comment obtenir son acte de naissance ?", "1.001193"),
        ("I need a copy of my birth certificate for a visa", "2.000635"),
        ("Necesito una copia de mi acta de nacimiento", "2.000635"),
    ],
)
def test_a_birth_certificate_is_registered_for_a_newborn_and_copied_otherwise(
    sample_runtime, text: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    reply = sample_runtime.assistant.handle(Turn(text), DialogueState())
    assert reply.procedures and reply.procedures[0].code == expected, (reply.intent, reply.answer[:200])


@pytest.mark.parametrize(
    "text",
    [
        "tôi bị mất căn cước",
        "toi danh roi the can cuoc roi",
        "My ID card was stolen",
        "On m'a volé ma carte d'identité",
        "Me robaron la tarjeta de identidad",
        "身份证丢了",
        "신분증을 잃어버렸어요",
        "身分証明書をなくしました",
    ],
)
def test_a_lost_identity_card_is_reissued(sample_runtime, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = sample_runtime.assistant.handle(Turn(text), DialogueState())
    assert reply.procedures and reply.procedures[0].code == "1.014064", (reply.intent, reply.answer[:200])
