"""Subjects the loaded catalogue does not cover, and who usually handles them.

The catalogue holds some ministries' lists only: a question about a work permit, a
hospital or a school has no record to answer it, and the nearest record by words (a
vehicle permit, a health-insurance card) would be wrong. ``AbsentTopics`` recognises such
questions from the keywords of ``data/absent_topics.yml`` so that the assistant can say
so honestly and name the authority instead of offering an unrelated procedure.

Matching follows ``bot.intents``: Latin-script keywords match whole words of the
accent-folded question, so Vietnamese keywords match with and without marks; Chinese,
Korean and Japanese keywords match as substrings of the question without spaces.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.text import fold, is_cjk

log = logging.getLogger(__name__)

ABSENT_TOPICS_FILE = Path(__file__).resolve().parent / "data" / "absent_topics.yml"
LANGUAGES = ("vi", "en", "fr", "es", "zh", "ko", "ja")


class _Matcher:
    """Whole folded words for Latin-script phrases, substrings for CJK ones."""

    def __init__(self, phrases: list[str]) -> None:
        latin = sorted({fold(p).strip() for p in phrases if not _has_cjk(p)} - {""}, key=len, reverse=True)
        self.cjk = sorted({p.replace(" ", "") for p in phrases if _has_cjk(p)}, key=len, reverse=True)
        body = "|".join(re.escape(p) for p in latin)
        self.pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)") if latin else None

    def find(self, folded: str, compact: str) -> str | None:
        if self.pattern is not None:
            match = self.pattern.search(folded)
            if match:
                return match.group(0)
        return next((p for p in self.cjk if p in compact), None)


def _has_cjk(text: str) -> bool:
    return any(is_cjk(c) for c in text)


@dataclass(slots=True)
class AbsentTopic:
    id: str
    topic: dict[str, str]
    authority: dict[str, str]
    keywords: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    # Words that also set the scene of catalogue questions ("nằm bệnh viện"): they count
    # only when the search found nothing close (``match(..., context=True)``).
    context: list[str] = field(default_factory=list)

    def topic_in(self, lang: str) -> str:
        return self.topic.get(lang) or self.topic["vi"]

    def authority_in(self, lang: str) -> str:
        return self.authority.get(lang) or self.authority["vi"]


@dataclass(slots=True)
class AbsentMatch:
    topic: AbsentTopic
    keyword: str  # what matched, for the log and the tests


class AbsentTopics:
    def __init__(self, topics: list[AbsentTopic]) -> None:
        self.topics = topics
        self._matchers = [
            (t, _Matcher(t.keywords), _Matcher(t.context), _Matcher(t.exceptions)) for t in topics
        ]

    @classmethod
    def load(cls, path: Path = ABSENT_TOPICS_FILE) -> AbsentTopics:
        """The topics of ``path``; a malformed file fails loudly (it ships with the code)."""
        # libyaml when present: read at every start (a quarter second with the Python parser).
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        entries = data.get("topics") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ValueError(f"{path}: expected a `topics:` list")
        return cls([_topic(path, i, entry) for i, entry in enumerate(entries)])

    def match(self, text: str, *, context: bool = False) -> AbsentMatch | None:
        """The first topic one of whose keywords (and, with ``context``, context words) the
        question uses, unless it also uses one of that topic's exceptions (words of a
        procedure the catalogue does hold)."""
        folded = fold(text)
        compact = text.replace(" ", "")
        for topic, keywords, scene, exceptions in self._matchers:
            found = keywords.find(folded, compact) or (scene.find(folded, compact) if context else None)
            if found and exceptions.find(folded, compact) is None:
                return AbsentMatch(topic, found)
        return None


def _texts(path: Path, where: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not isinstance(value.get("vi"), str):
        raise ValueError(f"{path}: {where} needs a text per language, at least `vi`")
    missing = [lang for lang in LANGUAGES if not isinstance(value.get(lang), str)]
    if missing:
        raise ValueError(f"{path}: {where} lacks {', '.join(missing)}")
    return {lang: str(value[lang]).strip() for lang in LANGUAGES}


def _topic(path: Path, i: int, entry: Any) -> AbsentTopic:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise ValueError(f"{path}: topic #{i + 1} needs an `id`")
    tid = entry["id"]
    keywords = entry.get("keywords")
    if not isinstance(keywords, dict) or not keywords:
        raise ValueError(f"{path}: topic {tid} needs `keywords` per language")
    phrases: list[str] = []
    for lang, values in keywords.items():
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise ValueError(f"{path}: keywords.{lang} of topic {tid} must be a list of phrases")
        phrases.extend(values)
    exceptions = entry.get("except") or []
    if not isinstance(exceptions, list) or not all(isinstance(v, str) for v in exceptions):
        raise ValueError(f"{path}: `except` of topic {tid} must be a list of phrases")
    scene = entry.get("context") or {}
    if not isinstance(scene, dict) or not all(
        isinstance(v, list) and all(isinstance(w, str) for w in v) for v in scene.values()
    ):
        raise ValueError(f"{path}: `context` of topic {tid} must be phrases per language")
    return AbsentTopic(
        id=tid,
        topic=_texts(path, f"topic of {tid}", entry.get("topic")),
        authority=_texts(path, f"authority of {tid}", entry.get("authority")),
        keywords=phrases,
        exceptions=list(exceptions),
        context=[w for words in scene.values() for w in words],
    )
