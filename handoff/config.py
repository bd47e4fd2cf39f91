"""Settings of the human handoff: working hours, holidays, sessions, login limits, queue.

``HandoffSettings`` is the ``handoff:`` section of config.yml. Every field has a default,
so an empty section gives a working console (Monday to Friday office hours, Vietnamese
public holidays 2025-2027).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator, model_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
DEFAULT_CANNED = Path(__file__).resolve().parent / "canned.yml"

OFFICE_HOURS = ["07:30-11:30", "13:00-17:00"]

# Days off for civil servants (Labour Code 2019, art. 112, and the government's yearly
# notices): New Year, Tết (5 working days around the lunar new year), Hùng Kings'
# commemoration (10th day of the 3rd lunar month), 30 April, 1 May, National Day (2/9 and
# an adjacent day), with compensation days when a holiday falls on a weekend. Lunar dates
# computed for UTC+7. Deployers add the days of the government's notice for later years
# (and any swapped days) in config.yml.
VIETNAM_HOLIDAYS: tuple[str, ...] = (
    # 2025 — Tết Ất Tỵ on Wed 29 Jan (off Sat 25 Jan – Sun 2 Feb)
    "2025-01-01",
    "2025-01-27",
    "2025-01-28",
    "2025-01-29",
    "2025-01-30",
    "2025-01-31",
    "2025-04-07",  # Hùng Kings (10/3 Ất Tỵ)
    "2025-04-30",
    "2025-05-01",
    "2025-05-02",  # swapped with Saturday 26 April
    "2025-09-01",
    "2025-09-02",
    # 2026 — Tết Bính Ngọ on Tue 17 Feb (off Sat 14 – Sun 22 Feb)
    "2026-01-01",
    "2026-02-16",
    "2026-02-17",
    "2026-02-18",
    "2026-02-19",
    "2026-02-20",
    "2026-04-27",  # Hùng Kings falls on Sunday 26 April: compensated on Monday
    "2026-04-30",
    "2026-05-01",
    "2026-09-01",
    "2026-09-02",
    # 2027 — Tết Đinh Mùi on Sat 6 Feb
    "2027-01-01",
    "2027-02-04",
    "2027-02-05",
    "2027-02-08",
    "2027-02-09",
    "2027-02-10",
    "2027-04-16",  # Hùng Kings (10/3 Đinh Mùi)
    "2027-04-30",
    "2027-05-03",  # 1 May falls on Saturday: compensated on Monday
    "2027-09-02",
    "2027-09-03",
)

DEFAULT_OUTCOMES = [
    "answered",  # the citizen got the answer
    "dossier_updated",  # a dossier was checked or chased with the office
    "referred",  # sent to the competent office or another hotline
    "callback_done",  # called the citizen back
    "complaint_registered",
    "no_response",  # the citizen did not answer
    "duplicate",
    "out_of_scope",
]

DEFAULT_PRIORITIES = {
    "complaint": 2,
    "dossier": 1,
    "failures": 1,
    "low_confidence": 0,
    "talk_to_human": 0,
    "abuse": 0,
    "api": 0,
}


class HandoffSettings(BaseModel):
    timezone: str = "Asia/Ho_Chi_Minh"
    # weekday (mon..sun) → spans "HH:MM-HH:MM" local time; a missing day is closed
    hours: dict[str, list[str]] = Field(
        default_factory=lambda: {day: list(OFFICE_HOURS) for day in WEEKDAYS[:5]}
    )
    holidays: list[date] = Field(default_factory=lambda: [date.fromisoformat(d) for d in VIETNAM_HOLIDAYS])
    # A conversation whose last case was resolved this recently gets that case back.
    reopen_window_minutes: int = Field(default=1440, ge=0)
    session_hours: float = Field(default=12, gt=0, le=24 * 30)
    # None = automatic: Secure cookies unless the environment is development or test.
    cookie_secure: bool | None = None
    login_max_failures: int = Field(default=5, ge=1)  # per username within the window
    login_max_failures_per_ip: int = Field(default=20, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    # A locked account stays locked for the window, then twice as long at each consecutive lock,
    # at most this long (an admin can unlock: `hotline staff unlock`).
    login_lock_max_minutes: int = Field(default=1440, ge=1)
    canned_replies: Path = DEFAULT_CANNED
    # Teams a case can be routed or transferred to (province codes or fields, e.g. "48",
    # "tax"). Empty: any team name is accepted.
    teams: list[str] = Field(default_factory=list)
    outcomes: list[str] = Field(default_factory=lambda: list(DEFAULT_OUTCOMES))
    priorities: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_PRIORITIES))
    average_handle_minutes: float = Field(default=6.0, gt=0)
    # Staff seen in the console this recently count as working (ETA, reopen to the same agent).
    active_agent_minutes: int = Field(default=30, ge=1)
    events_poll_seconds: float = Field(default=1.0, gt=0, le=30)
    events_heartbeat_seconds: float = Field(default=15.0, gt=0)
    # The live stream ends after this long; EventSource reconnects with Last-Event-ID.
    events_stream_seconds: float = Field(default=300.0, gt=0)
    # While a person holds a case, a citizen's message is acknowledged ("passed to the officer")
    # at most once per this many minutes (0: every message).
    acknowledge_every_minutes: float = Field(default=5.0, ge=0)
    # The claim notice names the officer (their display name) as well as the role; false:
    # the role only.
    notice_officer_name: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for day, spans in value.items():
            key = day.strip().lower()[:3]
            if key not in WEEKDAYS:
                raise ValueError(f"hours: unknown weekday {day!r}; use {', '.join(WEEKDAYS)}")
            for span in spans or []:
                m = _SPAN.match(span.replace(" ", ""))
                if not m or (m.group(1), m.group(2)) >= (m.group(3), m.group(4)):
                    raise ValueError(f"hours.{day}: {span!r} is not HH:MM-HH:MM with start before end")
            out[key] = [s.replace(" ", "") for s in spans or []]
        return out

    @model_validator(mode="after")
    def _outcomes_present(self) -> HandoffSettings:
        if not self.outcomes:
            raise ValueError("outcomes: at least one outcome code is needed to resolve cases")
        return self

    def resolve_paths(self, base: Path) -> HandoffSettings:
        """A copy with a relative ``canned_replies`` made absolute against ``base``."""
        if self.canned_replies.is_absolute():
            return self
        return self.model_copy(update={"canned_replies": (base / self.canned_replies).resolve()})

    def secure_cookies(self, environment: str) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return environment not in ("development", "test")
