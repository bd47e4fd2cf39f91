"""What the phone says about a procedure, per language: the sentence templates of
``channels.spoken`` ({fee}, {time}, {n}… are filled with words, never digits). They live in
``locales/<lang>/LC_MESSAGES/voice.po`` (keys ``spoken.*``, ``currency.*``,
``aspect_question.*``) where a translator edits them; Python logic stays in ``channels.spoken``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot import texts

TEXTS: Mapping[str, Mapping[str, str]] = texts.Table("voice", prefix="spoken.")

# What a key of the menu after an answer asks, in the caller's words (stored in the
# conversation as the caller's question; the assistant keeps the procedure in context).
ASPECT_QUESTIONS: Mapping[str, Mapping[str, str]] = texts.Table("voice", prefix="aspect_question.")


class _Currencies(Mapping[str, Mapping[str, str]]):
    """``FOREIGN_CURRENCY[code][lang]``: the spoken name of a currency (``currency.<code>``)."""

    def _codes(self) -> list[str]:
        return [
            k.split(".", 1)[1]
            for k in texts.catalogue(texts.SOURCE_LANGUAGE, "voice")
            if k.startswith("currency.")
        ]

    def __getitem__(self, code: str) -> Mapping[str, str]:
        if code not in self._codes():
            raise KeyError(code)
        return {lang: texts.text(lang, f"currency.{code}", "voice") for lang in texts.languages()}

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes())

    def __len__(self) -> int:
        return len(self._codes())


FOREIGN_CURRENCY: Mapping[str, Mapping[str, str]] = _Currencies()
