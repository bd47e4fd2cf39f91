"""What the assistant says about dossiers, and its safety replies, in the seven languages.

One function per message, ``lang`` first. A language tag is reduced to its primary subtag;
an unsupported one falls back to Vietnamese, like every other text (``bot.texts``). Plain text for chat, like
``bot.compose``: "•" bullets, short lines. Values from the one-stop system (procedure names,
offices, notes, its status wording) are Vietnamese; foreign-language replies quote them and
say so, never paraphrase them. Dates: dd/mm/yyyy in Vietnamese, the usual long form in the
other languages. Offers of staff end with ``i18n`` ``handoff_offer``, so the reply the
dialogue expects ("có", "yes", "oui"...) is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from bot import i18n, texts
from bot.compose import truncate
from bot.dossier import DossierStatus, status_for
from bot.safety import mask_pii

FALLBACK_LANGUAGE = texts.SOURCE_LANGUAGE
EXAMPLE_CODE = "000.00.24.H17-250703-0012"
_NAME_LIMIT = 160  # published procedure names run to 600 characters; a chat line should not

# The sentences live in locales/<lang>/LC_MESSAGES/dossier.po; status words are its "status." keys.
STATUS_WORDS: Mapping[str, Mapping[str, str]] = texts.Table("dossier", prefix="status.")
_M: Mapping[str, Mapping[str, str]] = texts.Table("dossier")

_PROBLEMS = ("overdue", "rejected", "returned", "additional_required")
_HINTS = ("additional_required", "waiting_payment", "done")


def _lang(lang: str | None) -> str:
    code = (lang or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in texts.languages() else FALLBACK_LANGUAGE


def _t(lang: str, key: str, **values: object) -> str:
    return texts.t(lang, key, "dossier", **values)


def _with_offer(lang: str, text: str) -> str:
    return f"{text}\n{i18n.MESSAGES[lang]['handoff_offer']}"


def _quote_vi(lang: str, text: str) -> str:
    """A Vietnamese value in a reply: as is in Vietnamese, quoted and marked elsewhere."""
    if lang == "vi":
        return text
    return _t(lang, "vietnamese", quoted=i18n.MESSAGES[lang]["quote"].format(text=text))


def _truncate(text: str, limit: int = _NAME_LIMIT) -> str:
    return truncate(text, limit, strip=" ,;:.(/")


def format_date(day: date, lang: str) -> str:
    """03/07/2025 (vi), 3 July 2025, 3 juillet 2025 (1er juillet), 3 de julio de 2025, 2025年7月3日…"""
    return texts.format_date(day, _lang(lang))


def format_datetime(moment: datetime, lang: str) -> str:
    lang = _lang(lang)
    return _t(lang, "datetime", date=format_date(moment.date(), lang), time=f"{moment:%H:%M}")


# --------------------------------------------------------------------------- messages


def dossier_found(lang: str, status: DossierStatus) -> str:
    """The status of a dossier in words, with its procedure, office and dates."""
    lang = _lang(lang)
    lines = [_t(lang, "found_header", code=status.code, status=STATUS_WORDS[lang][status.status])]
    source_text = status.status_text.strip()
    # In Vietnamese the system's wording adds something only when it says another thing
    # than our words (its own term, or "processing" while we say "overdue").
    if source_text and (lang != "vi" or status_for(source_text) != status.status):
        lines.append(_t(lang, "source_status", text=_quote_vi(lang, source_text)))
    if status.procedure_name:
        name = _quote_vi(lang, _truncate(status.procedure_name))
        if status.procedure_code:
            lines.append(_t(lang, "procedure", name=name, code=status.procedure_code))
        else:
            lines.append(_t(lang, "procedure_no_code", name=name))
    if status.office:
        lines.append(_t(lang, "office", office=_quote_vi(lang, status.office)))
    if status.received_at:
        lines.append(_t(lang, "received_at", date=format_date(status.received_at, lang)))
    if status.due_date:
        lines.append(_t(lang, "due_date", date=format_date(status.due_date, lang)))
    if status.note:
        lines.append(_t(lang, "note", note=_quote_vi(lang, mask_pii(_truncate(status.note, 300)))))
    if status.status in _HINTS:
        lines.append(_t(lang, f"hint_{status.status}"))
    if status.updated_at:
        lines.append(_t(lang, "updated_at", when=format_datetime(status.updated_at, lang)))
    return "\n".join(lines)


def dossier_not_found(lang: str, code: str) -> str:
    """No dossier with this code: check it against the receipt; staff can help."""
    lang = _lang(lang)
    return _with_offer(lang, _t(lang, "not_found", code=code, example=EXAMPLE_CODE))


def dossier_unavailable(lang: str) -> str:
    """The lookup service is down: staff can check."""
    lang = _lang(lang)
    return _with_offer(lang, _t(lang, "unavailable"))


def dossier_ask_code(lang: str) -> str:
    """Asks for the code printed on the receipt, showing its shape."""
    lang = _lang(lang)
    return _t(lang, "ask_code", example=EXAMPLE_CODE)


def dossier_problem_offer(lang: str, status: str | None = None) -> str:
    """The dossier is overdue, refused, returned or needs additions: offers staff."""
    lang = _lang(lang)
    lead = _t(lang, f"problem_{status}" if status in _PROBLEMS else "problem_other")
    return _with_offer(lang, f"{lead} {_t(lang, 'problem_offer')}")


def secret_warning(lang: str) -> str:
    """Officials never ask for passwords or OTP codes; never share them."""
    return _t(_lang(lang), "secret_warning")


def legal_advice_refusal(lang: str) -> str:
    """Only published procedures are explained; a lawyer or legal aid for the rest; staff."""
    lang = _lang(lang)
    return _with_offer(lang, _t(lang, "legal_refusal"))
