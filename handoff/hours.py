"""Staff working hours and public holidays, in the configured local time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handoff.config import WEEKDAYS, HandoffSettings

_LOOKAHEAD_DAYS = 400


class WorkingHours:
    def __init__(self, settings: HandoffSettings) -> None:
        self.zone = ZoneInfo(settings.timezone)
        self.holidays = frozenset(settings.holidays)
        # A make-up working day (a Saturday worked for a Friday off) keeps the hours of the
        # weekday it pays back.
        self.workdays = {day: paid.weekday() for day, paid in settings.workdays.items()}
        self.spans: dict[int, list[tuple[time, time | None]]] = {}
        for day, spans in settings.hours.items():
            parsed = []
            for span in spans:
                start, end = span.split("-")
                # "24:00" closes at midnight: represented as None (end of day).
                parsed.append((_hhmm(start), None if end == "24:00" else _hhmm(end)))
            self.spans[WEEKDAYS.index(day)] = sorted(parsed, key=lambda s: s[0])

    def local(self, at: datetime) -> datetime:
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return at.astimezone(self.zone)

    def _weekday(self, day: date) -> int:
        return self.workdays.get(day, day.weekday())

    def is_working_day(self, day: date) -> bool:
        return day not in self.holidays and bool(self.spans.get(self._weekday(day)))

    def is_open(self, at: datetime) -> bool:
        now = self.local(at)
        if not self.is_working_day(now.date()):
            return False
        clock = now.time().replace(tzinfo=None)
        return any(
            start <= clock and (end is None or clock < end)
            for start, end in self.spans[self._weekday(now.date())]
        )

    def next_open(self, at: datetime) -> datetime | None:
        """The next local time staff start work after ``at`` (``at`` itself when open).

        None when no working time is configured within the coming year.
        """
        now = self.local(at)
        if self.is_open(now):
            return now
        clock = now.time().replace(tzinfo=None)
        for offset in range(_LOOKAHEAD_DAYS):
            day = now.date() + timedelta(days=offset)
            if not self.is_working_day(day):
                continue
            for start, _end in self.spans[self._weekday(day)]:
                if offset == 0 and start <= clock:
                    continue
                return datetime.combine(day, start, tzinfo=self.zone)
        return None


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))
