"""Settings of the human handoff: working hours, holidays, sessions, login limits, queue.

``HandoffSettings`` is the ``handoff:`` section of config.yml. Every field has a default,
so an empty section gives a working console (Monday to Friday office hours, Vietnamese
public holidays and make-up working days from the bundled calendar, ``handoff/calendar.py``).
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, PrivateAttr, field_validator, model_validator

from handoff.calendar import DEFAULT_CALENDAR, Calendar, load_calendar

log = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
DEFAULT_CANNED = Path(__file__).resolve().parent / "canned.yml"

OFFICE_HOURS = ["07:30-11:30", "13:00-17:00"]

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
    # The YAML calendar of days off and make-up workdays (a relative path is read from the
    # config file's folder). An explicit `holidays` list replaces it (the older setting).
    calendar: Path = DEFAULT_CALENDAR
    holidays: list[date] = Field(default_factory=list)
    _workdays: dict[date, date] = PrivateAttr(default_factory=dict)
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

    @model_validator(mode="after")
    def _read_calendar(self) -> HandoffSettings:
        if "holidays" in self.model_fields_set:
            if "calendar" in self.model_fields_set:
                raise ValueError(
                    "give handoff.calendar (a calendar file) or handoff.holidays (a list), not both"
                )
            return self
        if self.calendar.is_absolute():  # a relative one waits for resolve_paths()
            self._use(load_calendar(self.calendar))
        return self

    def _use(self, calendar: Calendar) -> None:
        # Straight into __dict__: the days come from the calendar, not from the deployer's
        # `holidays`, so a later copy still reads the calendar.
        self.__dict__["holidays"] = sorted(calendar.days_off)
        self._workdays = dict(calendar.workdays)
        if date.today().year not in calendar.years:
            log.warning(
                "holiday calendar %s has no day for %s: add the government's notice for this year",
                calendar.source,
                date.today().year,
            )

    @property
    def workdays(self) -> dict[date, date]:
        """Make-up working days (a weekend day worked) → the day off each pays back."""
        return dict(self._workdays)

    def resolve_paths(self, base: Path) -> HandoffSettings:
        """A copy with a relative ``canned_replies`` and ``calendar`` made absolute against
        ``base``, the calendar read (:class:`handoff.calendar.CalendarError` when it is bad)."""
        update = {
            name: (base / path).resolve()
            for name, path in (("canned_replies", self.canned_replies), ("calendar", self.calendar))
            if not path.is_absolute()
        }
        if not update:
            return self
        copy = self.model_copy(update=update)
        if "calendar" in update and "holidays" not in self.model_fields_set:
            copy._use(load_calendar(copy.calendar))
        return copy

    def secure_cookies(self, environment: str) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return environment not in ("development", "test")
