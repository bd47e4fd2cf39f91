import unicodedata

from knowledge.text import fold, has_vietnamese_marks, normalize, strip_noise, words


def test_tone_mark_conventions_meet():
    assert normalize("Hoà Cường") == normalize("Hòa Cường") == "Hòa Cường"
    assert normalize("Thuỷ") == normalize("Thủy")
    assert normalize("khoẻ") == "khỏe"
    assert normalize("tuỳ") == "tùy"


def test_marks_stay_where_rules_require():
    # "qu" and "gi" onsets, marked vowels and closed syllables keep their mark.
    for word in ("quý", "giá", "gìn", "người", "Nguyễn", "hoài", "khuya", "thuyền", "hoàng"):
        assert normalize(word) == word


def test_combining_marks_become_nfc():
    decomposed = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    assert normalize(decomposed) == "Đăng ký khai sinh"
    assert unicodedata.is_normalized("NFC", normalize(decomposed))


def test_fold_and_words():
    assert fold("Làm CĂN CƯỚC ở đâu?") == "lam can cuoc o dau?"
    assert fold("Đà Nẵng") == "da nang"
    assert words("Cấp lại thẻ Căn cước, bị mất!") == ["cấp", "lại", "thẻ", "căn", "cước", "bị", "mất"]


def test_marks_detection_and_noise():
    assert has_vietnamese_marks("hộ kinh doanh")
    assert not has_vietnamese_marks("ho kinh doanh")
    assert strip_noise("a\x00b\x07c", 10) == "abc"
    assert len(strip_noise("x" * 50, 10)) == 10
