"""The holiday calendar as data (handoff/data/calendar/*.yml): format, validation, make-up days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from handoff_helpers import Clock
from pydantic import ValidationError

from channels.settings import load_settings
from handoff.calendar import DEFAULT_CALENDAR, CalendarError, load_calendar, main
from handoff.config import HandoffSettings
from handoff.hours import WorkingHours


def _at(local: str):
    return Clock().set_local(local)


def _write(tmp_path: Path, text: str, name: str = "calendar.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_calendar_covers_2025_to_2027_with_its_compensation_days():
    cal = load_calendar(DEFAULT_CALENDAR)
    assert cal.years == [2025, 2026, 2027]
    # nghỉ bù: Hùng Kings on Sunday 26/4/2026 is taken on Monday 27/4; 1/5/2027 (Saturday) on 3/5.
    assert date(2026, 4, 27) in cal.days_off and date(2027, 5, 3) in cal.days_off
    # làm bù: Saturday 26/4/2025 is worked for Friday 2/5/2025.
    assert cal.workdays == {date(2025, 4, 26): date(2025, 5, 2)}
    raw = yaml.safe_load(DEFAULT_CALENDAR.read_text(encoding="utf-8"))
    assert len(raw) == len(cal.days_off) + len(cal.workdays)  # no entry lost or merged


def test_a_make_up_saturday_is_worked_with_the_hours_of_the_day_it_pays_back():
    hours = WorkingHours(HandoffSettings())
    assert hours.is_open(_at("2025-04-26 09:00"))  # Saturday worked for Friday 2 May
    assert not hours.is_open(_at("2025-04-26 12:00"))  # the Friday's lunch break
    assert not hours.is_open(_at("2025-04-19 09:00"))  # an ordinary Saturday stays closed
    assert hours.next_open(_at("2025-04-25 18:00")).isoformat() == "2025-04-26T07:30:00+07:00"
    assert hours.next_open(_at("2025-05-01 09:00")).isoformat() == "2025-05-05T07:30:00+07:00"


def test_a_deployer_calendar_replaces_the_bundled_one(tmp_path: Path):
    path = _write(
        tmp_path,
        "- {date: 2028-01-01, kind: holiday, name: Tết Dương lịch}\n"
        "- {date: 2028-01-03, kind: day_off, name: Nghỉ bù, for: 2028-01-01}\n",
    )
    settings = HandoffSettings(calendar=path)
    assert settings.holidays == [date(2028, 1, 1), date(2028, 1, 3)]
    hours = WorkingHours(settings)
    assert not hours.is_open(_at("2028-01-03 09:00"))
    assert hours.is_open(_at("2026-02-17 09:00"))  # the bundled Tết is not read any more


def test_a_relative_calendar_in_config_yml_is_read_from_the_config_folder(tmp_path: Path):
    _write(tmp_path, "- {date: 2026-03-16, kind: holiday, name: Ngày lễ của tỉnh}\n", "tinh.yml")
    config = _write(tmp_path, "handoff:\n  calendar: tinh.yml\n", "config.yml")
    handoff = load_settings(config).handoff.resolve_paths(tmp_path)
    assert handoff.calendar == (tmp_path / "tinh.yml").resolve()
    assert handoff.holidays == [date(2026, 3, 16)]
    assert not WorkingHours(handoff).is_open(_at("2026-03-16 09:00"))


def test_an_explicit_holidays_list_still_replaces_the_calendar():
    settings = HandoffSettings(holidays=["2026-03-16"])
    assert settings.holidays == [date(2026, 3, 16)] and settings.workdays == {}
    assert HandoffSettings(holidays=[]).resolve_paths(Path("/")).holidays == []
    with pytest.raises(ValidationError, match="not both"):
        HandoffSettings(holidays=[], calendar=DEFAULT_CALENDAR)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- {date: 2026-02-30, kind: holiday, name: X}\n", "entry 1.*date must be a date"),
        ("- {date: 2026-02-16, kind: feast, name: Tết}\n", "entry 1.*kind must be one of"),
        ("- {date: 2026-02-16, kind: holiday}\n", "entry 1.*a name is required"),
        (
            "- {date: 2026-02-16, kind: holiday, name: Tết}\n- {date: 2026-02-16, kind: holiday, name: Tết}\n",
            "entry 2.*already listed",
        ),
        ("- {date: 2026-02-16, kind: holiday, name: Tết, when: soon}\n", "entry 1.*unknown keys when"),
        (
            "- {date: 2026-02-18, kind: workday, name: Làm bù, for: 2026-02-20}\n",
            "must be a Saturday or Sunday",
        ),
        ("- {date: 2026-02-21, kind: workday, name: Làm bù}\n", "entry 1.*for"),
        ("- {date: 2026-02-21, kind: workday, name: Làm bù, for: 2026-02-20}\n", "not a day_off"),
        ("- {date: 2026-04-28, kind: day_off, name: Nghỉ bù, for: 2026-04-27}\n", "not a weekend day"),
        ("date: 2026-02-16\n", "expected a YAML list"),
        ("- [unclosed\n", "cannot read"),
    ],
)
def test_a_bad_calendar_is_refused_naming_the_file_and_the_entry(tmp_path: Path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(CalendarError, match=message) as caught:
        load_calendar(path)
    assert str(path) in str(caught.value)
    with pytest.raises(ValidationError, match=message):
        HandoffSettings(calendar=path)


def test_a_bad_relative_calendar_stops_the_start(tmp_path: Path):
    _write(tmp_path, "- {date: 2026-13-01, kind: holiday, name: X}\n", "tinh.yml")
    config = _write(tmp_path, "handoff:\n  calendar: tinh.yml\n", "config.yml")
    # Read with the settings, before `hotline serve` starts any worker.
    with pytest.raises(ValidationError, match="tinh.yml entry 1: date must be a date"):
        load_settings(config)
    with pytest.raises(ValidationError, match="cannot read"):
        HandoffSettings(calendar=tmp_path / "missing.yml")


def test_the_check_command_reports_each_year_and_fails_on_a_bad_file(tmp_path: Path, capsys):
    assert main([str(DEFAULT_CALENDAR)]) == 0
    assert "2026: 12 days off, 0 make-up workdays" in capsys.readouterr().out
    bad = _write(tmp_path, "- {date: 2026-02-16, kind: holiday}\n")
    assert main([str(bad)]) == 1
    assert "a name is required" in capsys.readouterr().err


def test_a_calendar_without_this_year_is_reported_at_start(tmp_path: Path, caplog):
    path = _write(tmp_path, "- {date: 2001-01-01, kind: holiday, name: Tết Dương lịch}\n")
    with caplog.at_level("WARNING", logger="handoff.config"):
        HandoffSettings(calendar=path)
    assert f"has no day for {date.today().year}" in caplog.text
