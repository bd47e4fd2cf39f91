"""The message catalogues (locales/): complete, consistent, extensible without Python, and the
only place user-facing sentences live."""

from __future__ import annotations

import re
import shutil
import string
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from bot import compose, texts

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
SEVEN = ("vi", "en", "fr", "es", "zh", "ko", "ja")
# Citizen-facing domains are in every language; the console is offered in the languages that
# have its catalogue (Vietnamese and English today).
CITIZEN_DOMAINS = ("bot", "glossary", "dossier", "voice", "channels", "webchat")
STAFF_DOMAINS = {"console": ("vi", "en")}


def _read(lang: str, domain: str):  # type: ignore[no-untyped-def]
    with (LOCALES / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        return read_po(handle, locale=lang, domain=domain)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _entries(lang: str, domain: str) -> dict[tuple[str | None, str], str]:
    return {(m.context, str(m.id)): str(m.string) for m in _read(lang, domain) if m.id}


def _varying(domain: str) -> set[tuple[str | None, str]]:
    # Flagged in the Vietnamese source: Vietnamese shows a catalogue value itself where the
    # other languages quote it, translate it or point to the portal.
    return {(m.context, str(m.id)) for m in _read("vi", domain) if m.id and "placeholders-vary" in m.flags}


def test_the_languages_come_from_the_locales_tree() -> None:
    assert texts.languages() == SEVEN
    assert (LOCALES / "LINGUAS").read_text(encoding="utf-8").split() == list(SEVEN)


@pytest.mark.parametrize(
    ("domain", "lang"),
    [(d, lang) for d in CITIZEN_DOMAINS for lang in SEVEN[1:]]
    + [(d, lang) for d, langs in STAFF_DOMAINS.items() for lang in langs[1:]],
)
def test_every_key_is_translated_with_the_same_placeholders(domain: str, lang: str) -> None:
    source = _entries("vi", domain)
    assert source, domain
    translated = _entries(lang, domain)
    missing = sorted(k for k in source if not translated.get(k))
    assert not missing, f"{lang}/{domain}.po lacks or leaves empty: {missing[:10]}"
    varying = _varying(domain)
    english = _entries("en", domain)
    for key, text in translated.items():
        if key not in source:  # an extra CLDR plural category (x_few, x_many) is welcome
            assert re.search(r"_(zero|one|two|few|many)$", key[1]), f"{lang}/{domain}: unknown key {key}"
            continue
        if text == texts.EMPTY:
            continue
        reference = english[key] if key in varying and english.get(key) != texts.EMPTY else source[key]
        assert _fields(text) == _fields(reference), (lang, domain, key)


def test_every_template_is_current() -> None:
    # `make messages` has run since the last change of a Vietnamese sentence.
    from tools import messages

    assert messages.run(LOCALES, check=True) == 0


def test_a_missing_translation_falls_back_to_vietnamese_and_never_to_another_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = tmp_path / "locales"
    shutil.copytree(LOCALES, tree, ignore=shutil.ignore_patterns("*.mo"))
    catalog = _read("fr", "bot")
    catalog.delete("greeting")
    with (tree / "fr" / "LC_MESSAGES" / "bot.po").open("wb") as handle:
        write_po(handle, catalog)
    texts.use(tree)
    try:
        assert texts.t("fr", "greeting") == texts.t("vi", "greeting")
        assert texts.t("fr", "thanks") != texts.t("vi", "thanks")
        with pytest.raises(KeyError):
            texts.t("fr", "no_such_key")
    finally:
        texts.use(None)


def test_mo_files_are_compiled_when_missing_or_older(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "locales"
    shutil.copytree(LOCALES, tree, ignore=shutil.ignore_patterns("*.mo"))
    texts.use(tree)
    try:
        assert texts.t("en", "thanks")  # a fresh clone: no .mo yet
        mo = tree / "en" / "LC_MESSAGES" / "bot.mo"
        assert mo.exists()
        po = mo.with_suffix(".po")
        po.write_text(po.read_text(encoding="utf-8").replace("You're welcome!", "My pleasure!"), "utf-8")
        texts.reload()
        assert texts.t("en", "thanks").startswith("My pleasure!")
    finally:
        texts.use(None)


def test_plurals_follow_cldr() -> None:
    assert texts.plural("en", "unit_day", 1, n=1) == "1 day"
    assert texts.plural("en", "unit_day", 2, n=2) == "2 days"
    assert texts.plural("fr", "unit_day", 1.5, n="1,5") == "1,5 jour"  # CLDR: French "one" below 2


def test_a_pseudo_locale_is_served_without_any_python_change(
    client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """An eighth language: a line in LINGUAS and a folder of .po files (here the Vietnamese
    texts in brackets), and the API answers in it."""
    tree = tmp_path / "locales"
    shutil.copytree(LOCALES, tree, ignore=shutil.ignore_patterns("*.mo"))
    (tree / "LINGUAS").write_text("\n".join([*SEVEN, "xx"]) + "\n", encoding="utf-8")
    for po in (LOCALES / "vi" / "LC_MESSAGES").glob("*.po"):
        catalog = _read("vi", po.stem)
        for message in catalog:
            if message.id and message.string and message.string != texts.EMPTY:
                message.string = f"⟦{message.string}⟧"
        target = tree / "xx" / "LC_MESSAGES" / po.name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            write_po(handle, catalog)
    texts.use(tree)
    try:
        assert "xx" in texts.languages() and compose.normalize_lang("xx") == "xx"
        response = client.post("/api/v1/ask", json={"text": "đăng ký kết hôn", "lang": "xx"})
        assert response.status_code == 200
        data = response.json()
        assert data["language"] == "xx" and data["procedures"]
        assert "⟦" in data["answer"], data["answer"]
        from channels.telegram import LANGUAGES

        assert LANGUAGES["xx"] == "⟦Tiếng Việt⟧"  # the language keyboard offers it
    finally:
        texts.use(None)


# A user-facing Vietnamese sentence: four or more words, one of them with a Vietnamese mark.
_VI_LETTER = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
_SENTENCE = re.compile(
    rf"[\"']([^\"'\n]*\b\w*[{_VI_LETTER}]\w*(?:[ ,.:;–-]+\w+){{3,}}[^\"'\n]*)[\"']", re.IGNORECASE
)
# What is left matches in docstrings, comments and the word lists that read Vietnamese
# (cue words, abbreviations spoken in full, published phrases to skip): it may shrink, never
# grow. Each entry is a path prefix with the number of matching lines it may hold at most.
BUDGET = {
    "bot/": 38,
    "channels/": 31,
    "handoff/": 1,
}


def test_no_user_facing_vietnamese_sentence_is_left_in_python() -> None:
    files = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    found: dict[str, list[str]] = {}
    for name in files:
        prefix = next((p for p in BUDGET if name.startswith(p)), None)
        if prefix is None:
            continue
        for lineno, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0] if not line.lstrip().startswith(("'", '"')) else line
            if _SENTENCE.search(code) and '"""' not in line:
                found.setdefault(prefix, []).append(f"{name}:{lineno}: {line.strip()[:90]}")
    over = {p: hits for p, hits in found.items() if len(hits) > BUDGET[p]}
    assert not over, "\n".join(h for hits in over.values() for h in hits)


def test_a_missing_locales_tree_fails_the_start_not_a_turn(
    sample_settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from channels.api import create_app

    try:
        with pytest.raises(FileNotFoundError, match=texts.LOCALES_ENV):
            create_app(sample_settings.model_copy(update={"locales_dir": tmp_path / "nowhere"}))
    finally:
        texts.use(None)


def test_the_locales_setting_and_its_environment_name_choose_the_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from channels.settings import load_settings

    tree = tmp_path / "locales"
    shutil.copytree(LOCALES, tree, ignore=shutil.ignore_patterns("*.mo"))
    config = tmp_path / "config.yml"
    config.write_text("locales_dir: locales\n", encoding="utf-8")
    try:
        settings = load_settings(config)
        assert settings.resolve(settings.locales_dir) == tree.resolve() == texts.locales_dir()
        texts.use(None)
        monkeypatch.setenv(texts.LOCALES_ENV, str(tree))
        load_settings(tmp_path / "config.yml")
        assert texts.locales_dir() == tree.resolve()
    finally:
        texts.use(None)


def test_every_handoff_reason_the_bot_gives_has_a_console_label() -> None:
    """The queue and the case view show a case's reason by its label (`reason_<code>` in the
    console catalogue); a reason without one was shown to staff as its bare code."""
    from handoff.pages import LABELS

    source = (ROOT / "bot" / "assistant.py").read_text(encoding="utf-8") + (
        ROOT / "bot" / "policy.py"
    ).read_text(encoding="utf-8")
    reasons = set(re.findall(r'reason="([a-z_]+)"', source)) | set(
        re.findall(r'_handoff\([^)]*?"([a-z_]+)"', source)
    )
    assert {"not_in_catalogue", "no_match", "failures"} <= reasons
    for lang in ("vi", "en"):
        missing = sorted(r for r in reasons if f"reason_{r}" not in LABELS[lang])
        assert not missing, (lang, missing)
