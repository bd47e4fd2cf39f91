"""Personal data: the retention period and its job, a data subject's export and erasure."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from handoff.privacy.config import PrivacySettings

if TYPE_CHECKING:
    from handoff.privacy.retention import PurgeReport, RetentionJob, run_periodically
    from handoff.privacy.subject import Subject, SubjectNotFound, SubjectRequests

__all__ = [
    "PrivacySettings",
    "PurgeReport",
    "RetentionJob",
    "Subject",
    "SubjectNotFound",
    "SubjectRequests",
    "run_periodically",
]

# The settings import this package for PrivacySettings alone: the job and the subject
# requests (SQLAlchemy, the database models) load on first use, so a command that never
# touches the database (`hotline ask`) does not import them.
_LAZY = {
    "PurgeReport": "retention",
    "RetentionJob": "retention",
    "run_periodically": "retention",
    "Subject": "subject",
    "SubjectNotFound": "subject",
    "SubjectRequests": "subject",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
