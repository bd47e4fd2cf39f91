"""Personal data: the retention period and its job, a data subject's export and erasure."""

from handoff.privacy.config import PrivacySettings
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
