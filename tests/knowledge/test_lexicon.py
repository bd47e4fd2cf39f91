"""The lexicon loader (knowledge.lexicon): the terminology's schema, errors that name the file
and the entry, and what a module declares it needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.lexicon import DECLARED, LexiconError, Spec, lexicon, load


def _module_with(tmp_path: Path, text: str, name: str = "words") -> Path:
    folder = tmp_path / "data" / "lexicons"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yml").write_text(text, encoding="utf-8")
    return tmp_path / "module.py"  # lexicon() resolves the file beside this one


def test_a_file_loads_in_language_order_and_is_declared(tmp_path: Path):
    module = _module_with(
        tmp_path,
        "- id: greet\n  note: for reviewers\n  ja: [こんにちは]\n  en: [hello, hi]\n  vi: xin chao\n"
        "- id: 2\n  vi: [thu hai]\n  en: [second]\n",
    )
    lex = lexicon(module, "words")
    assert list(lex) == ["greet", "2"]
    assert lex.words("greet") == ("xin chao", "hello", "hi", "こんにちは")
    assert lex.words("greet", ("en",)) == ("hello", "hi")
    assert lex.words("greet", ("en", "vi")) == ("hello", "hi", "xin chao")  # in the order asked
    assert lex["greet"].note == "for reviewers"
    assert lex.by_word() == {
        "xin chao": "greet",
        "hello": "greet",
        "hi": "greet",
        "こんにちは": "greet",
        "thu hai": "2",
        "second": "2",
    }
    assert DECLARED[(tmp_path / "data" / "lexicons" / "words.yml").resolve()][-1].required == ("vi", "en")


def test_tokens_split_phrases_into_words(tmp_path: Path):
    lex = lexicon(_module_with(tmp_path, "- id: 'yes'\n  vi: [dong y, co]\n  en: ['yes']\n"), "words")
    assert lex.tokens("yes") == {"dong", "y", "co", "yes"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- id: Bad Id\n  vi: [a]\n  en: [b]\n", r"entry 1: bad or missing id 'Bad Id'"),
        ("- vi: [a]\n  en: [b]\n", r"entry 1: bad or missing id None"),
        ("- just a word\n", r"entry 1: not a mapping"),
        ("- id: x\n  vi: [a]\n  en: [b]\n  de: [c]\n", r"entry 1 \(x\): unknown keys de"),
        ("- id: x\n  vi: [[a]]\n  en: [b]\n", r"entry 1 \(x\): vi must be a list of non-empty strings"),
        ("- id: x\n  vi: ['']\n  en: [b]\n", r"entry 1 \(x\): vi must be a list of non-empty strings"),
        (
            "- id: x\n  vi: [khong]\n  en: [no]\n",
            r"entry 1 \(x\): en must be .*put yes, no, on, off in quotes",
        ),
        ("- id: x\n  vi: [a, a]\n  en: [b]\n", r"entry 1 \(x\): vi repeats 'a'"),
        ("- id: x\n  vi: [a]\n", r"entry 1 \(x\): no en words \(required in this lexicon\)"),
        (
            "- id: x\n  vi: [a]\n  en: [b]\n- id: x\n  vi: [c]\n  en: [d]\n",
            r"duplicated id 'x' \(entries 1 and 2\)",
        ),
        ("id: x\n", r"expected a non-empty YAML list"),
        ("- id: x\n  vi: [unclosed\n", r"cannot read the lexicon"),
    ],
)
def test_bad_data_is_refused_naming_the_file_and_the_entry(tmp_path: Path, text, message):
    module = _module_with(tmp_path, text)
    with pytest.raises(LexiconError, match=message) as caught:
        lexicon(module, "words")
    assert "words.yml" in str(caught.value)


def test_an_exclusive_lexicon_refuses_a_word_in_two_entries(tmp_path: Path):
    module = _module_with(
        tmp_path, "- id: 'yes'\n  vi: [co]\n  en: [ok]\n- id: 'no'\n  vi: [khong]\n  en: [ok]\n"
    )
    with pytest.raises(LexiconError, match=r"entry 2 \(no\): 'ok' is already a word of 'yes'"):
        lexicon(module, "words", exclusive=True)
    assert len(lexicon(module, "words")) == 2  # the same words are fine where overlap is allowed


def test_the_ids_the_code_needs_must_be_there(tmp_path: Path):
    module = _module_with(
        tmp_path, "- id: 'yes'\n  vi: [co]\n  en: ['yes']\n- id: maybe\n  vi: [chac]\n  en: [maybe]\n"
    )
    with pytest.raises(LexiconError, match=r"needs the ids \['no'\]; unknown ids \['maybe'\]"):
        lexicon(module, "words", ids=("yes", "no"))


def test_required_languages_are_the_modules_choice(tmp_path: Path):
    module = _module_with(tmp_path, "- id: x\n  zh: [密码]\n")
    assert lexicon(module, "words", required=()).words("x") == ("密码",)
    with pytest.raises(LexiconError, match=r"no ko, ja words"):
        lexicon(module, "words", required=("zh", "ko", "ja"))


def test_a_missing_file_is_an_error(tmp_path: Path):
    with pytest.raises(LexiconError, match="cannot read the lexicon"):
        load(Spec(tmp_path / "nowhere.yml"))


def test_an_entry_must_have_the_languages_the_code_reads(tmp_path: Path):
    module = _module_with(tmp_path, "- id: months\n  en: [January]\n  fr: [janvier]\n")
    with pytest.raises(LexiconError, match=r"entry 1 \(months\): no es words \(the code reads them\)"):
        lexicon(module, "words", required=(), needs={"months": ("en", "fr", "es")})
    with pytest.raises(LexiconError, match=r"the code needs the id 'days'"):
        lexicon(module, "words", required=(), needs={"days": ("en",)})
    assert lexicon(module, "words", required=(), needs={"months": ("en", "fr")}).words("months") == (
        "January",
        "janvier",
    )
