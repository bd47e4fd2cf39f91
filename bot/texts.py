"""The translator service: every sentence a citizen or officer sees, read from gettext catalogues.

Catalogues live in one tree, ``locales/<lang>/LC_MESSAGES/<domain>.po`` (domains: bot, glossary,
dossier, voice, channels, console, webchat), with templates ``locales/<domain>.pot``. A message id is a
stable key (``greeting``, ``fee_header``…); its text in each language is a ``str.format``
template. Vietnamese is the source language: ``locales/vi`` holds every key, and the templates
carry its text as the translator's reference.

The languages served are the ones listed, in order, in ``locales/LINGUAS`` (Vietnamese first):
adding a language is adding a line there and a folder of ``.po`` files, with no Python change.

One fallback policy: the conversation's language, then Vietnamese. A key missing from the
Vietnamese catalogue is a programming error and raises ``KeyError``; a language never silently
borrows another one's text (the catalogue tests fail on any untranslated key instead).

``.mo`` files are compiled from the ``.po`` when missing or older (at install, at index time by
``hotline messages compile``, or on first use here), so a fresh clone works without a build step.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "vi"
DOMAINS: tuple[str, ...] = ("bot", "glossary", "dossier", "voice", "channels", "console", "webchat")
# A deployer (or a test) points the service at another tree (the `locales_dir` setting,
# environment HOTLINE_LOCALES_DIR, applied by channels.settings through ``use``); the default
# is the repository's.
LOCALES_ENV = "HOTLINE_LOCALES_DIR"
_DEFAULT_DIR = Path(__file__).resolve().parents[1] / "locales"
_DEFAULT_ROOT = str(_DEFAULT_DIR)
CONTEXT_SEP = "\x04"
EMPTY = "{empty}"  # the msgstr of a text a language leaves out on purpose
_lock = threading.Lock()


def locales_dir() -> Path:
    return Path(_root())


_chosen: list[str] = []  # the tree in use (``use`` sets it; empty: the repository's)


def _root() -> str:
    # A string, not a Path: it keys the caches below on every lookup, and strings hash fast.
    return _chosen[0] if _chosen else _DEFAULT_ROOT


def use(root: Path | str | None) -> None:
    """Read the catalogues from ``root`` from now on (None: the repository's tree)."""
    chosen = str(Path(root).resolve()) if root else _DEFAULT_ROOT
    if chosen != _root():
        reload()
    _chosen[:] = [chosen]


def languages() -> tuple[str, ...]:
    """The languages served, in ``LINGUAS`` order, Vietnamese first."""
    return _languages(_root())


@lru_cache(maxsize=8)
def _languages(root: str) -> tuple[str, ...]:
    listed = Path(root) / "LINGUAS"
    codes: list[str] = []
    if listed.is_file():
        for line in listed.read_text(encoding="utf-8").splitlines():
            code = line.split("#", 1)[0].strip()
            if code and code not in codes:
                codes.append(code)
    if SOURCE_LANGUAGE not in codes:
        codes.insert(0, SOURCE_LANGUAGE)
    return tuple(codes)


# --------------------------------------------------------------------------- loading


def compile_catalogue(po: Path, mo: Path | None = None) -> Catalog:
    """Compile one ``.po`` into its ``.mo`` (next to it unless ``mo`` is given) and return it."""
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=None, domain=po.stem)
    target = mo or po.with_suffix(".mo")
    try:
        with target.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
    except OSError as exc:  # a read-only install still serves, from the .po just read
        log.warning("cannot write %s (%s); using the catalogue in memory", target, exc)
    return catalog


def compile_all(root: Path | None = None) -> int:
    """Compile every ``.po`` of the tree whose ``.mo`` is missing or older; returns how many."""
    root = root or locales_dir()
    done = 0
    for po in sorted(root.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            compile_catalogue(po, mo)
            done += 1
    return done


def _read(po: Path) -> dict[str, str]:
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as handle:
            catalog = read_mo(handle)
    else:
        catalog = compile_catalogue(po, mo)
    # Untranslated entries (empty msgstr) are absent: the fallback policy decides, not gettext.
    # A message with a context (a glossary's "field" or "agency") is keyed "context\x04id", as in .mo.
    # gettext reads an empty msgstr as "untranslated"; a sentence a language leaves out on
    # purpose (the phone does not read an address twice in English) is written EMPTY.
    return {
        (f"{m.context}{CONTEXT_SEP}{m.id}" if m.context else m.id): "" if m.string == EMPTY else str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and m.string
    }


@lru_cache(maxsize=128)
def _domain(root: str, lang: str, domain: str) -> Mapping[str, str]:
    po = Path(root) / lang / "LC_MESSAGES" / f"{domain}.po"
    if not po.is_file():
        return {}
    with _lock:
        return _read(po)


def check() -> tuple[str, ...]:
    """At start: the tree exists and every listed language has the assistant's catalogue
    (compiled now if needed), so a misplaced ``locales/`` fails the start, not a citizen's turn."""
    root = Path(_root())
    missing = [lang for lang in languages() if not (root / lang / "LC_MESSAGES" / "bot.po").is_file()]
    if missing:
        raise FileNotFoundError(
            f"message catalogues: no {', '.join(missing)} bot.po under {root} "
            f"(set locales_dir / {LOCALES_ENV} to the locales/ folder of the repository)"
        )
    compile_all(root)
    for lang in languages():
        _domain(str(root), lang, "bot")
    return languages()


def catalogue(lang: str, domain: str = "bot") -> Mapping[str, str]:
    """Every translated key of ``domain`` in ``lang`` (no fallback): for tests and tables."""
    return _domain(_root(), lang, domain)


@lru_cache(maxsize=128)
def _family(root: str, lang: str, domain: str, prefix: str) -> Mapping[str, str]:
    cut = len(prefix)
    return {k[cut:]: v for k, v in _domain(root, lang, domain).items() if k.startswith(prefix)}


def reload() -> None:
    """Forget loaded catalogues (after ``make messages`` or when a test switches the tree)."""
    from bot import i18n  # its glossary index is built from the catalogues

    i18n._glossary.cache_clear()
    _domain.cache_clear()
    _family.cache_clear()
    _languages.cache_clear()
    _plural_category.cache_clear()


# --------------------------------------------------------------------------- translating


def text(lang: str, key: str, domain: str = "bot") -> str:
    """The raw template of ``key``: the language's own, else the Vietnamese source."""
    root = _root()
    found = _domain(root, lang, domain).get(key)
    if found is not None:
        return found
    source = _domain(root, SOURCE_LANGUAGE, domain).get(key)
    if source is None:
        raise KeyError(f"{domain}: no message {key!r} in the Vietnamese source catalogue")
    if lang != SOURCE_LANGUAGE:
        log.warning("%s: %r has no %s translation; using the Vietnamese text", domain, key, lang)
    return source


def t(lang: str, key: str, domain: str = "bot", /, **values: object) -> str:
    """``key`` in ``lang`` (else Vietnamese), its ``{placeholders}`` filled from ``values``."""
    template = text(lang, key, domain)
    if not values:
        return template
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError) as error:
        # A translator's template names a placeholder this call does not give: say so in the
        # log and answer with the Vietnamese source text rather than fail the citizen's turn.
        log.error("%s: %r in %s has a placeholder the code does not fill (%r)", domain, key, lang, error)
        return text(SOURCE_LANGUAGE, key, domain).format_map(_Missing(values))


class _Missing(dict[str, object]):
    """``str.format_map`` values that leave an unknown ``{placeholder}`` as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@lru_cache(maxsize=256)
def _plural_category(lang: str, count: float) -> str:
    try:
        return Locale.parse(lang).plural_form(count)
    except (UnknownLocaleError, ValueError):
        return "other"


def plural(lang: str, key: str, count: float, domain: str = "bot", /, **values: object) -> str:
    """``key_<CLDR category>`` for ``count`` in ``lang`` (one, few, many…), else ``key_other``."""
    category = _plural_category(lang, count)
    name = f"{key}_{category}"
    if category != "other" and name not in _domain(_root(), lang, domain):
        name = f"{key}_other"
    return t(lang, name, domain, **values)


class Table(Mapping[str, Mapping[str, str]]):
    """``table[lang][key]``: a domain's templates per language, read on first use.

    The shape the text modules had as Python dicts, so their callers keep working; a
    ``prefix`` selects one family of keys (``status.``) and strips it.
    """

    def __init__(self, domain: str, prefix: str = "") -> None:
        self.domain = domain
        self.prefix = prefix

    def _for(self, lang: str) -> Mapping[str, str]:
        if not self.prefix:
            return catalogue(lang, self.domain)
        return _family(_root(), lang, self.domain, self.prefix)

    def __getitem__(self, lang: str) -> Mapping[str, str]:
        if lang not in languages():
            raise KeyError(lang)
        return self._for(lang)

    def __iter__(self) -> Iterator[str]:
        return iter(languages())

    def __len__(self) -> int:
        return len(languages())


# --------------------------------------------------------------------------- formats


def format_number(value: float, lang: str) -> str:
    """100000 → "100.000" (vi), "100,000" (en), "100 000" (fr); 1.5 → "1,5" (vi)."""
    group, decimal = number_symbols(lang)
    text_ = f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text_.replace(",", "\0").replace(".", decimal).replace("\0", group)


@lru_cache(maxsize=32)
def number_symbols(lang: str) -> tuple[str, str]:
    """(group, decimal) marks from CLDR. French's narrow no-break space becomes U+00A0, which
    every phone font has, so an amount still never splits across two lines of a bubble."""
    try:
        symbols = Locale.parse(lang).number_symbols["latn"]
    except (UnknownLocaleError, ValueError, KeyError):
        return (".", ",")
    return (symbols["group"].replace("\u202f", "\u00a0"), symbols["decimal"])


def format_date(day: date, lang: str, style: str = "date", first: bool = True) -> str:
    """A date in the locale's pattern from the catalogue (``format.<style>``, a CLDR pattern);
    the first of the month may have its own (French "1er juillet"), unless ``first`` is False
    (the phone reads "1 juillet")."""
    if isinstance(day, datetime):
        day = day.date()
    pattern = text(lang, f"format.{style}_first" if first and day.day == 1 else f"format.{style}", "bot")
    return _babel_format_date(day, pattern, locale=_babel_locale(lang))


def format_datetime(moment: datetime, lang: str, style: str = "datetime") -> str:
    """A moment in the locale's pattern from the catalogue (``format.<style>``)."""
    return _babel_format_datetime(moment, text(lang, f"format.{style}", "bot"), locale=_babel_locale(lang))


@lru_cache(maxsize=32)
def _babel_locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):  # a pseudo-locale: its own patterns, Vietnamese names
        return Locale.parse(SOURCE_LANGUAGE)
