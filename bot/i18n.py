"""The assistant's message tables, read from the gettext catalogues (``locales/``).

The sentences themselves live in ``locales/<lang>/LC_MESSAGES/bot.po`` (answers, dialogue,
handoff notices) and ``glossary.po`` (translations of the catalogue's fields and agencies,
with the context ``field`` or ``agency``); ``bot.texts`` reads them. This module keeps the
shapes older callers use: ``MESSAGES[lang][key]`` (a ``str.format`` template),
``FIELDS[vi_value][lang]`` and ``AGENCIES[vi_value][lang]`` (a value that is not listed is
shown in Vietnamese and marked as such, never paraphrased; lookups are normalised in
``bot.compose``), ``NUMBER_FORMAT[lang]`` (group and decimal marks from CLDR), and
``LANGUAGES`` (from ``locales/LINGUAS``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache

from bot import texts

DEFAULT_LANGUAGE = texts.SOURCE_LANGUAGE

MESSAGES: Mapping[str, Mapping[str, str]] = texts.Table("bot")


class _NumberFormat(Mapping[str, tuple[str, str]]):
    def __getitem__(self, lang: str) -> tuple[str, str]:
        if lang not in texts.languages():
            raise KeyError(lang)
        return texts.number_symbols(lang)

    def __iter__(self) -> Iterator[str]:
        return iter(texts.languages())

    def __len__(self) -> int:
        return len(texts.languages())


NUMBER_FORMAT: Mapping[str, tuple[str, str]] = _NumberFormat()


class _Glossary(Mapping[str, Mapping[str, str]]):
    """``{vietnamese value: {lang: translation}}`` for the other languages, built on first use."""

    def __init__(self, context: str) -> None:
        self.context = context

    def _table(self) -> Mapping[str, Mapping[str, str]]:
        return _glossary(texts.locales_dir(), self.context)

    def __getitem__(self, value: str) -> Mapping[str, str]:
        return self._table()[value]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


@lru_cache(maxsize=8)
def _glossary(root: object, context: str) -> Mapping[str, Mapping[str, str]]:
    del root  # part of the cache key only: another locales tree is another glossary
    prefix = context + texts.CONTEXT_SEP
    table: dict[str, dict[str, str]] = {}
    for msgid in texts.catalogue(texts.SOURCE_LANGUAGE, "glossary"):
        if msgid.startswith(prefix):
            table[msgid[len(prefix) :]] = {}
    for lang in texts.languages():
        if lang == texts.SOURCE_LANGUAGE:
            continue
        for msgid, translation in texts.catalogue(lang, "glossary").items():
            if msgid.startswith(prefix) and msgid[len(prefix) :] in table:
                table[msgid[len(prefix) :]][lang] = translation
    return table


FIELDS: Mapping[str, Mapping[str, str]] = _Glossary("field")
AGENCIES: Mapping[str, Mapping[str, str]] = _Glossary("agency")


def __getattr__(name: str) -> object:
    # Read when asked, so that a locales tree chosen after import (a deployment, a test) counts.
    if name == "LANGUAGES":
        return texts.languages()
    raise AttributeError(name)
