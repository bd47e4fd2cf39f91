"""The public-holiday calendar as data: days off and make-up working days, from a YAML file.

The format is described at the top of ``handoff/data/calendar/vietnam.yml`` (the bundled
calendar, 2025 onwards); a deployer extends it yearly or points ``handoff.calendar`` at their
own file. A bad file raises :class:`CalendarError` naming the file and the entry, so the
server refuses to start rather than telling citizens staff are at work on Tết.

``python -m handoff.calendar FILE…`` checks files and prints each year's days.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CALENDAR = Path(__file__).resolve().parent / "data" / "calendar" / "vietnam.yml"
KINDS = ("holiday", "day_off", "workday")
_KEYS = frozenset({"date", "kind", "name", "for"})


class _Loader(yaml.SafeLoader):  # type: ignore[misc]  # yaml has no stubs here
    """Safe YAML that leaves dates as text, so that "2026-02-30" is our clear error, not
    PyYAML's bare "day is out of range for month"."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class CalendarError(ValueError):
    """A calendar file cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Calendar:
    """``days_off``: date → name. ``workdays``: a weekend date worked → the day off it pays
    back (the workday keeps that day's weekday hours)."""

    days_off: dict[date, str]
    workdays: dict[date, date]
    source: str = ""

    @property
    def years(self) -> list[int]:
        return sorted({d.year for d in (*self.days_off, *self.workdays)})


def load_calendar(path: str | Path) -> Calendar:
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe
    except (OSError, yaml.YAMLError) as exc:
        raise CalendarError(f"holiday calendar {path}: cannot read it: {exc}") from exc
    if data is None:
        data = []
    if not isinstance(data, list):
        raise CalendarError(f"holiday calendar {path}: expected a YAML list of days")
    return parse_calendar(data, str(path))


def parse_calendar(records: list[Any], source: str) -> Calendar:
    days_off: dict[date, str] = {}
    workdays: dict[date, date] = {}
    kinds: dict[date, str] = {}
    where_of: dict[date, str] = {}
    for n, rec in enumerate(records, 1):
        where = f"holiday calendar {source} entry {n}"
        if not isinstance(rec, dict):
            raise CalendarError(f"{where}: expected a mapping with date, kind and name")
        day = _date(rec.get("date"), where, "date")
        where = f"{where} ({day.isoformat() if day else rec.get('date')!r})"
        unknown = set(rec) - _KEYS
        if unknown:
            raise CalendarError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
        kind = rec.get("kind")
        if kind not in KINDS:
            raise CalendarError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
        name = rec.get("name")
        if not isinstance(name, str) or not name.strip():
            raise CalendarError(f"{where}: a name is required (what the day is)")
        if day in kinds:
            raise CalendarError(f"{where}: {day} is already listed ({where_of[day]})")
        kinds[day], where_of[day] = kind, f"entry {n}"
        other = rec.get("for")
        if kind == "holiday" and other is not None:
            raise CalendarError(f"{where}: a holiday takes no 'for'")
        if kind == "workday":
            if day.weekday() < 5:
                raise CalendarError(f"{where}: a make-up workday must be a Saturday or Sunday")
            workdays[day] = _date(other, where, "for (the day off this workday pays back)")
        else:
            days_off[day] = name.strip()
            if kind == "day_off" and other is not None:
                held = _date(other, where, "for")
                if held.weekday() < 5:
                    raise CalendarError(f"{where}: 'for' {held} is not a weekend day to compensate")
    for day, paid in workdays.items():
        if kinds.get(paid) != "day_off":
            raise CalendarError(
                f"holiday calendar {source} ({day}): the workday pays back {paid}, "
                "which is not a day_off of this calendar"
            )
    return Calendar(days_off, workdays, source)


def _date(value: Any, where: str, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise CalendarError(f"{where}: {field} must be a date YYYY-MM-DD, not {value!r}") from None


def main(argv: list[str] | None = None) -> int:
    paths = (argv if argv is not None else sys.argv[1:]) or [str(DEFAULT_CALENDAR)]
    status = 0
    for path in paths:
        try:
            cal = load_calendar(path)
        except CalendarError as exc:
            print(exc, file=sys.stderr)
            status = 1
            continue
        off = Counter(d.year for d in cal.days_off)
        work = Counter(d.year for d in cal.workdays)
        print(f"{path}: ok")
        for year in cal.years:
            print(f"  {year}: {off[year]} days off, {work[year]} make-up workdays")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
