"""Doubts about an imported procedure, for the import report.

The checks run on the finished ``Procedure``, so every importer is judged the same way
and a warning names the model's field, whatever the source called it.
"""

from __future__ import annotations

from knowledge.models import Procedure

Issue = tuple[str, str]  # (field, message)


def procedure_issues(proc: Procedure) -> list[Issue]:
    """Each problem once per procedure, in field order."""
    issues: list[Issue] = []
    if not proc.levels:
        issues.append(("levels", "none parsed"))
    if not proc.applicants:
        issues.append(("applicants", "none parsed"))
    issues += _channel_issues(proc)
    issues += _document_issues(proc)
    if not proc.legal_bases:
        issues.append(("legal_bases", "none parsed"))
    elif any(not basis.number for basis in proc.legal_bases):
        issues.append(("legal_bases", "basis without a document number"))
    if not proc.steps:
        issues.append(("steps", "none parsed"))
    if not proc.result:
        issues.append(("result", "empty"))
    return issues


def _channel_issues(proc: Procedure) -> list[Issue]:
    if not proc.channels:
        return [("channels", "no channels parsed")]
    issues: list[Issue] = []
    if any(not ch.fee for ch in proc.channels):
        issues.append(("channels", "fee missing"))
    if any(ch.fee and ch.fee_vnd is None for ch in proc.channels):
        issues.append(("channels", "fee unparsed (not in đồng, several amounts or doubtful)"))
    if any(not ch.time_limit for ch in proc.channels):
        issues.append(("channels", "time limit missing"))
    if any(ch.time_limit and ch.time_days is None for ch in proc.channels):
        issues.append(("channels", "time limit not in days (no unit, months or text)"))
    return issues


def _document_issues(proc: Procedure) -> list[Issue]:
    if not proc.documents:
        return [("documents", "none parsed")]
    if any(doc.originals is None and doc.copies is None for doc in proc.documents):
        return [("documents", "document without quantity")]
    return []
