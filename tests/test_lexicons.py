"""Review of every lexicon file (``<package>/data/lexicons/*.yml``), the way the terminology is
reviewed: each file is what its code declares, in the schema, every required language present,
words in the script of their language, no word twice, and shipped with the package."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest
import yaml

import bot.assistant
import bot.intents
import bot.language
import bot.nlu.builtin
import bot.policy
import bot.safety
import bot.understand
import channels.speech
import channels.voice
from knowledge.lexicon import CJK, DECLARED, LANGS, LATIN, Spec, load

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "channels", "handoff", "knowledge")
FILES = sorted(p.resolve() for pkg in PACKAGES for p in (ROOT / pkg).glob("data/lexicons/*.yml"))
# The modules above declare their lexicons when imported; keep them imported.
USERS = (
    bot.assistant,
    bot.intents,
    bot.language,
    bot.policy,
    bot.safety,
    bot.understand,
    channels.speech,
    channels.voice,
)
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _specs(path: Path) -> list[Spec]:
    return DECLARED[path]


def _spec(path: Path) -> Spec:
    return DECLARED[path][0]


def _raw(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_every_file_is_used_by_the_code_and_every_declared_file_exists():
    assert USERS and FILES
    ours = {p for p in DECLARED if ROOT in p.parents}
    assert set(FILES) == ours, f"not declared by any module: {sorted(set(FILES) - ours)}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_file_loads_with_what_its_code_needs(path: Path):
    for spec in _specs(path):  # each module that uses the file, with its own needs
        lex = load(spec)
        assert len(lex) == len(_raw(path))
        if spec.ids is not None:
            assert set(lex) == set(spec.ids)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_word_is_in_the_script_of_its_language(path: Path):
    wrong = []
    for entry in load(_spec(path)).entries:
        for lang, words in entry.terms.items():
            for w in words:
                cjk = bool(_HANGUL.search(w) or _KANA.search(w) or _HAN.search(w))
                if lang in LATIN and cjk:
                    wrong.append(f"{entry.id}.{lang}: {w!r} is not in Latin script")
                elif lang in CJK and not cjk:
                    wrong.append(f"{entry.id}.{lang}: {w!r} has no Chinese, Korean or Japanese character")
                elif lang == "ko" and (_KANA.search(w) or not _HANGUL.search(w)):
                    wrong.append(f"{entry.id}.ko: {w!r} is not Korean")
                elif lang in ("zh", "ja") and _HANGUL.search(w):
                    wrong.append(f"{entry.id}.{lang}: {w!r} is Korean")
                elif lang == "zh" and _KANA.search(w):
                    wrong.append(f"{entry.id}.zh: {w!r} has kana (Japanese)")
                if w != w.strip() and not w.endswith(" "):
                    wrong.append(f"{entry.id}.{lang}: {w!r} starts with a space")
    assert not wrong, wrong


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_word_twice_in_one_entry_and_language(path: Path):
    for entry in _raw(path):
        for lang in LANGS:
            words = entry.get(lang) or []
            assert len(words) == len(set(words)), (entry["id"], lang)


def test_language_names_cover_every_language_in_every_language():
    path = ROOT / "bot" / "data" / "lexicons" / "language_names.yml"
    lex = load(_spec(path.resolve()))
    assert list(lex) == list(LANGS)
    for entry in lex.entries:
        assert set(entry.terms) == set(LANGS), entry.id


def test_intent_cues_have_every_language():
    lex = load(_spec((ROOT / "bot" / "data" / "lexicons" / "intents.yml").resolve()))
    assert _spec(lex.path).required == LANGS
    assert {"talk_to_human", "complaint", "fee", "documents", "where", "greet"} <= set(lex)


def test_yes_and_no_never_share_a_word_even_inside_a_phrase():
    lex = load(_spec((ROOT / "bot" / "data" / "lexicons" / "yes_no.yml").resolve()))
    assert not lex.tokens("yes") & lex.tokens("no")


def test_a_lead_in_is_listed_before_the_shorter_ones_it_begins_with():
    lex = load(_spec((ROOT / "bot" / "data" / "lexicons" / "understand.yml").resolve()))
    for langs in (LATIN, CJK):
        leads = lex.words("lead_in", langs)
        shadowed = [(a, b) for i, a in enumerate(leads) for b in leads[i + 1 :] if b.startswith(a + " ")]
        assert not shadowed, shadowed


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_latin_words_of_folded_lexicons_are_written_folded(path: Path):
    """Where the code matches the folded text, a word with marks would never match; only the
    lists matched with their marks (abuse_marked, secret_marked, the cues' "cũ") may have them."""
    if path.parent.parent.parent.name == "channels":
        return  # what a voice reads and a recogniser hears: written as said, with marks
    marked_ok = {"abuse_marked", "secret_marked", "place_change", "off_topic", "function_words", "greeting"}
    marked_ok |= {"short_message_words"}
    for entry in load(_spec(path)).entries:
        if entry.id in marked_ok:
            continue
        for lang in LATIN:
            for w in entry.terms.get(lang, ()):
                assert w.isascii(), f"{path.name} {entry.id}.{lang}: {w!r} has marks; write it folded"


def test_the_lexicons_and_the_calendar_are_package_data():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = data["tool"]["setuptools"]["package-data"]
    shipped = [*FILES, *(ROOT / "handoff" / "data" / "calendar").glob("*.yml")]
    for path in shipped:
        package, rel = path.relative_to(ROOT).parts[0], "/".join(path.relative_to(ROOT).parts[1:])
        assert any(fnmatch.fnmatch(rel, g) for g in globs.get(package, [])), f"{rel} is not package data"


def test_an_intent_cue_word_names_one_intent_except_for_act():
    """`act` only says that a message names an administrative act, so its words may also be an
    aspect's ("hồ sơ", "lệ phí"); any other word in two cues would raise both at once."""
    lex = load(_spec((ROOT / "bot" / "data" / "lexicons" / "intents.yml").resolve()))
    owners: dict[str, list[str]] = {}
    for entry in lex.entries:
        if entry.id == "act":
            continue
        for word in set(entry.words()):
            owners.setdefault(word, []).append(entry.id)
    shared = {w: o for w, o in owners.items() if len(o) > 1}
    assert not shared, shared
