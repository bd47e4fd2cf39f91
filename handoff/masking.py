"""Masking of personal numbers in lists, summaries and exports.

Vietnamese phone numbers (mobile 0xx xxx xxxx, landline 02xx xxx xxxx, written with +84 / 84
or 0, with spaces, dots or dashes) and identity numbers (9-digit CMND, 12-digit CCCD) keep
their last three digits: ``0912 345 678`` → ``*******678``. Public service numbers (1900,
1800 hotlines) are not personal and stay readable.
"""

from __future__ import annotations

import re

KEEP = 3
# 0 or (+)84, then 9 or 10 more digits, single separators allowed between digits.
_PHONE = re.compile(r"(?<![\w+])(?:\+\s?84|84|0)(?:[\s.\-]?\d){8,10}(?![\w])")
_ID = re.compile(r"(?<!\w)(?:\d{12}|\d{9})(?!\w)")
_DIGIT = re.compile(r"\d")


def mask_number(value: str | None) -> str | None:
    """Mask a whole value (a callback number): every digit but the last three."""
    if value is None:
        return None
    digits = _DIGIT.findall(value)
    if not digits:
        return "***"
    shown = "".join(digits[-KEEP:])
    return "*" * max(len(digits) - KEEP, 3) + shown


def _mask_match(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = _DIGIT.findall(text)
    if len(digits) < 9:
        return text
    return mask_number(text) or text


def mask_text(text: str | None) -> str:
    """Mask phone and identity numbers found anywhere in free text."""
    if not text:
        return ""
    text = _PHONE.sub(_mask_match, text)
    return _ID.sub(_mask_match, text)
