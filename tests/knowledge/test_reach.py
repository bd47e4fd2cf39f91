"""Foreign questions reach the long tail: the catalogue's own vocabulary in every language,
and the everyday words of a situation (a paper soaked or unreadable, an ex-partner)."""

from __future__ import annotations

from knowledge.terminology import Terminology


def _terms() -> Terminology:
    return Terminology.load()


def test_catalogue_words_are_reached_from_every_foreign_language():
    t = _terms()
    cases = [
        ("Do we need a permit to explore for groundwater?", "en", "thăm dò"),
        ("Faut-il une autorisation pour un forage d'exploration ?", "fr", "thăm dò"),
        ("¿Qué permiso necesito para una pozo de prueba?", "es", "thăm dò"),
        ("我们想做这个品牌的代理商", "zh", "đại lý"),
        ("외화 지급 대리점을 하고 싶어요", "ko", "đại lý"),
        ("サーカスの巡業で馬を連れて行きます", "ja", "biểu diễn nghệ thuật"),
        ("Can we switch to filing quarterly?", "en", "kỳ tính thuế"),
        ("¿Puedo cambiar a la declaración trimestral?", "es", "kỳ tính thuế"),
        ("一个科研项目需要什么许可", "zh", "nghiên cứu"),
        ("I want to bring my motorbike for personal use", "en", "không vì mục đích thương mại"),
    ]
    for text, lang, vi in cases:
        assert vi in t.expand(text, lang).vi_terms, (text, lang)


def test_short_vietnamese_syllables_of_these_concepts_do_not_fire_alone():
    t = _terms()
    # "chi trả" is the payout concept; "chi" or "trả" alone (chị, trả lời, tra cứu) is not.
    for text in ("Chị ơi cho em tra cứu hồ sơ", "Trả lời giúp tôi", "chi phí bao nhiêu"):
        ids = t.expand(text, "vi").concept_ids
        assert "cat_payout" not in ids, text


def test_catalogue_words_do_not_make_a_question_specific(sample_runtime):
    searcher = sample_runtime.searcher
    # "tourism research" names kinds of activity, no field: the confidence of a
    # question made only of such words must not rise as for a field's term.
    exp = searcher.terminology.expand("tourism research safety quality", "en")
    assert exp.concept_ids and not searcher._specific(exp)


def test_a_soaked_or_unreadable_paper_is_damaged_in_every_language():
    t = _terms()
    cases = [
        ("投资登记证书原件被水泡坏了，字迹看不清", "zh"),
        ("My card got wet and is unreadable", "en"),
        ("Mi pasaporte se mojó y la foto está borrosa", "es"),
        ("Mon permis a été mouillé, le nom est effacé", "fr"),
        ("여권이 물에 젖어서 알아볼 수 없어요", "ko"),
        ("在留カードが水濡れで読めなくなりました", "ja"),
    ]
    for text, lang in cases:
        assert "damaged" in t.expand(text, lang).concept_ids, (text, lang)


def test_spanish_ex_partner_written_as_one_word_is_a_foreign_element():
    t = _terms()
    ids = t.expand("Tengo una hija con mi expareja vietnamita", "es").concept_ids
    assert "foreign_element" in ids


def test_saying_where_someone_was_born_is_not_asking_to_register_a_birth():
    t = _terms()
    # A story's "was born in …" states a fact (recognising a child, nationality, a death
    # abroad): the birth registration is asked for with its own words.
    for text, lang in [
        ("I was born in Saigon but grew up abroad", "en"),
        ("Ma fille est née à Đà Nẵng", "fr"),
        ("Mi hija nació en Đà Nẵng", "es"),
        ("娘はダナンで生まれました", "ja"),
        ("딸은 다낭에서 태어났어요", "ko"),
    ]:
        assert "civil_birth_registration" not in t.expand(text, lang).concept_ids, (text, lang)
    for text, lang in [
        ("Our baby was born last week, how do we register the birth?", "en"),
        ("Acabo de dar a luz, ¿cómo inscribo el nacimiento?", "es"),
        ("赤ちゃんが生まれました。出生届はどこに出しますか", "ja"),
    ]:
        assert "civil_birth_registration" in t.expand(text, lang).concept_ids, (text, lang)


def test_field_vocabulary_foreign_residents_use():
    t = _terms()
    cases = [
        ("sa pension du défunt n'a pas été versée", "fr", "socins_arrears_payment"),
        ("I'm a diplomat and want a VAT refund", "en", "tax_diplomatic_privileges"),
        ("¿Qué permiso ASEAN necesitan mis camiones?", "es", "constr_cross_border_transport"),
        ("二人以上の社員がいる有限会社にしたい", "ja", "fin_multi_member_llc"),
        ("Comment obtenir un carnet de remplacement ?", "fr", "tax_ata_carnet_replacement"),
        ("quiero recuperar mi nacionalidad", "es", "civil_nationality_restoration"),
        ("观赏鱼出口需要检疫吗", "zh", "agri_fisheries"),
        ("非食用の水産物を輸出します", "ja", "agri_not_for_food"),
    ]
    for text, lang, cid in cases:
        assert cid in t.expand(text, lang).concept_ids, (text, lang, cid)
