"""The ``privacy:`` section of config.yml: how long personal data is kept and how often the
retention job runs."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PrivacySettings(BaseModel):
    # One period drives both the retention job and the privacy line of the web chat, so the
    # notice cannot promise a period the job does not apply (``webchat.retention_days`` is
    # read as an alias of this key).
    retention_days: int = Field(180, ge=1, le=36500)
    # How often each server process offers to run the job; one process at a time wins the
    # lease. 0: never from ``hotline serve`` (run ``hotline privacy purge`` from cron).
    purge_every_minutes: float = Field(60.0, ge=0)
    # Conversations (or messages) deleted per transaction: small enough that live turns
    # never wait long on a lock, large enough to finish a province's backlog in minutes.
    batch_size: int = Field(500, ge=1, le=100_000)
