"""Safety guards: masking of personal numbers, secrets, legal advice, insults."""

from __future__ import annotations

import pytest

from bot.safety import is_abusive, mask_pii, mentions_secret, wants_legal_advice

# --------------------------------------------------------------------------- mask_pii


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("CCCD của tôi là 001234567890", "CCCD của tôi là *********890"),
        ("CMND 201234567.", "CMND ******567."),
        ("sđt 0905123456", "sđt *******456"),
        ("gọi 0905 123 456 nhé", "gọi *******456 nhé"),
        ("gọi 0905.123.456", "gọi *******456"),
        ("gọi 0905-123-456", "gọi *******456"),
        ("máy bàn 0236 3771 456", "máy bàn ********456"),
        ("call +84 905 123 456 please", "call ********456 please"),
        ("call +84905123456", "call ********456"),
        ("(+84) 905-123-456", "********456"),
        ("電話は０９０５１２３４５６です", "電話は*******４５６です"),
        (
            "ID 001234567890, phone 0905123456",
            "ID *********890, phone *******456",
        ),
    ],
)
def test_mask_pii_masks_ids_and_phones(text, masked):
    assert mask_pii(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Mã hồ sơ 000.00.24.H17-250703-0012",
        "000.00.24.H17 - 250703 - 0012.",
        "G22.99-250101-0001",
        "Lệ phí 100.000.000 đồng",  # nine digits, but an amount
        "1 000 000 000 VND",
        "ngày 03/07/2025 lúc 08:15",
        "thủ tục 1.001193, mã bưu chính 550000",
        "tổng đài 1900 1234 hoặc 1800-1096",
        "12345678",  # too short for any ID
        "",
    ],
)
def test_mask_pii_leaves_codes_and_other_numbers(text):
    assert mask_pii(text) == text


def test_mask_pii_is_the_console_masking():
    # One rule everywhere: what the bot echoes is masked like the console's lists.
    from handoff.masking import mask_text

    assert mask_pii is mask_text


def test_mask_pii_next_to_a_dossier_code():
    text = "Hồ sơ 000.00.24.H17-250703-0012, liên hệ 0905123456, CCCD 001234567890."
    assert mask_pii(text) == "Hồ sơ 000.00.24.H17-250703-0012, liên hệ *******456, CCCD *********890."


# --------------------------------------------------------------------------- secrets


@pytest.mark.parametrize(
    "text",
    [
        "Cán bộ gọi điện xin mã OTP của tôi, có nên đưa không?",
        "cho em xin mat khau VNeID",
        "Tôi quên mật khẩu tài khoản dịch vụ công",
        "MẬT KHẨU là gì",
        "họ hỏi mã xác thực gửi về điện thoại",
        "mã kích hoạt VNeID",
        "Someone asked for my OTP",
        "what is my password",
        "They want the verification code I received",
        "my PIN is 1234",
        "On m'a demandé mon mot de passe",
        "le code de vérification reçu par SMS",
        "Me pidieron la contraseña",
        "¿Debo dar el código de verificación?",
        "有人向我要验证码",
        "我的密码是多少",
        "인증번호를 알려달라고 해요",
        "비밀번호를 잊었어요",
        "パスワードを教えてと言われました",
        "暗証番号を聞かれた",
        "ＯＴＰを教えて",  # full-width
    ],
)
def test_mentions_secret(text):
    assert mentions_secret(text)


@pytest.mark.parametrize(
    "text",
    [
        "Tôi bị mất mã hồ sơ",  # "mat ma" once folded
        "Thay pin điện thoại ở đâu",
        "Đăng ký khai sinh cần giấy tờ gì?",
        "How do I renew my passport?",
        "Where do I pin the form?",
        "Comment passer le permis ?",
        "¿Dónde pago la tasa?",
        "出生登记需要什么材料",
        "여권 발급 절차",
        "在留カードの更新",
        "",
    ],
)
def test_does_not_mention_secret(text):
    assert not mentions_secret(text)


# --------------------------------------------------------------------------- legal advice


@pytest.mark.parametrize(
    "text",
    [
        "Tôi có thắng kiện không?",
        "toi co thang kien khong",
        "Tôi kiện hàng xóm được không?",
        "Có nên khởi kiện công ty không?",
        "Việc hàng xóm xây lấn đất có vi phạm pháp luật không?",
        "lam vay co vi pham phap luat ko",
        "Tôi có bị đi tù không?",
        "Luật sư tư vấn giúp tôi trường hợp này",
        "Cần tư vấn pháp lý về tranh chấp đất",
        "Should I sue my landlord?",
        "Will I win if I go to court?",
        "I need legal advice about my divorce",
        "Is it legal to rent my flat without a contract?",
        "J'ai besoin d'un conseil juridique",
        "Est-ce que je peux gagner le procès ?",
        "Necesito asesoría jurídica",
        "¿Puedo ganar el juicio?",
        "我能打赢官司吗",
        "这样违法吗",
        "소송에서 이길 수 있을까요?",
        "이거 불법인가요?",
        "勝訴できますか",
        "これは違法ですか",
    ],
)
def test_wants_legal_advice(text):
    assert wants_legal_advice(text)


@pytest.mark.parametrize(
    "text",
    [
        "Thủ tục đăng ký khai sinh cần giấy tờ gì?",
        "Tôi muốn góp ý kiến được không?",  # "kiến", not "kiện"
        "Hồ sơ của tôi đủ điều kiện được không?",
        "Có nên kiến nghị lên phường không?",
        "Hợp pháp hóa lãnh sự có cần không?",
        "Thủ tục xử phạt vi phạm hành chính",
        "Đăng ký kết hôn ở đâu?",
        "How do I register a business?",
        "What are the legal requirements for a work permit?",
        "Quels documents pour le permis de conduire ?",
        "¿Qué documentos necesito para el pasaporte?",
        "办理护照需要什么",
        "임시 거주 등록 방법",
        "婚姻届の書類は何ですか",
        "",
    ],
)
def test_does_not_want_legal_advice(text):
    assert not wants_legal_advice(text)


# --------------------------------------------------------------------------- abuse


@pytest.mark.parametrize(
    "text",
    [
        "đồ ngu",
        "Bot ngu như bò",
        "mày là đồ óc chó",
        "đm cái hệ thống này",
        "khốn nạn thật",
        "may ngu vl",
        "oc cho",
        "dm bot",
        "You idiot",
        "fuck you",
        "this stupid bot",
    ],
)
def test_is_abusive(text):
    assert is_abusive(text)


@pytest.mark.parametrize(
    "text",
    [
        "Tôi đến trễ do ngủ quên",
        "toi den tre do ngu quen",  # "do ngu" could be "do ngủ"
        "Phường Ngũ Hành Sơn ở đâu?",
        "Anh ấy mặt dày quá",  # "mat day" folded, but marked text: not "mất dạy"
        "Con chó nhà tôi bị lạc",
        "đăng ký lớn",
        "This form is stupid and confusing",
        "I'm so frustrated, this took forever",
        "Thank you very much",
        "",
    ],
)
def test_is_not_abusive(text):
    assert not is_abusive(text)
