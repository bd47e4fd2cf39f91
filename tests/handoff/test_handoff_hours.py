"""Working hours, Vietnamese public holidays, next opening, masking of personal numbers."""

from __future__ import annotations

from datetime import date

import pytest
from handoff_helpers import Clock
from pydantic import ValidationError

from handoff.config import HandoffSettings
from handoff.hours import WorkingHours
from handoff.masking import mask_number, mask_text

HOURS = WorkingHours(HandoffSettings())


def _at(local: str):
    return Clock().set_local(local)


@pytest.mark.parametrize(
    ("local", "is_open", "next_open"),
    [
        ("2026-03-10 09:00", True, "2026-03-10T09:00:00+07:00"),  # Tuesday morning
        ("2026-03-10 12:15", False, "2026-03-10T13:00:00+07:00"),  # lunch break
        ("2026-03-10 17:00", False, "2026-03-11T07:30:00+07:00"),  # closes at 17:00
        ("2026-03-13 18:30", False, "2026-03-16T07:30:00+07:00"),  # Friday evening → Monday
        ("2025-10-04 10:00", False, "2025-10-06T07:30:00+07:00"),  # Saturday
        ("2025-10-05 23:59", False, "2025-10-06T07:30:00+07:00"),  # Sunday night
        ("2026-02-17 10:00", False, "2026-02-23T07:30:00+07:00"),  # Tết Bính Ngọ, 1st day
        ("2026-02-13 16:59", True, "2026-02-13T16:59:00+07:00"),  # the last afternoon before Tết
        ("2025-01-29 09:00", False, "2025-02-03T07:30:00+07:00"),  # Tết Ất Tỵ
        ("2025-09-02 09:00", False, "2025-09-03T07:30:00+07:00"),  # National Day 2/9
        ("2025-08-29 17:30", False, "2025-09-03T07:30:00+07:00"),  # the long weekend of 2/9
        ("2025-04-30 09:00", False, "2025-05-05T07:30:00+07:00"),  # 30/4 – 1/5 (+ swapped 2/5)
        ("2026-04-27 09:00", False, "2026-04-28T07:30:00+07:00"),  # Hùng Kings, compensated Monday
    ],
)
def test_open_and_next_open(local, is_open, next_open):
    at = _at(local)
    assert HOURS.is_open(at) is is_open
    assert HOURS.next_open(at).isoformat() == next_open


def test_custom_hours_and_holidays():
    hours = WorkingHours(
        HandoffSettings(hours={"Saturday": ["08:00-12:00"], "mon": ["00:00-24:00"]}, holidays=["2026-03-16"])
    )
    assert hours.is_open(_at("2026-03-14 08:00")) and not hours.is_open(_at("2026-03-14 12:00"))
    assert not hours.is_open(_at("2026-03-16 10:00"))  # Monday made a holiday
    assert hours.next_open(_at("2026-03-14 13:00")).isoformat() == "2026-03-21T08:00:00+07:00"
    assert hours.is_open(_at("2026-03-23 23:59"))  # "24:00" closes at midnight


def test_no_working_time_at_all():
    assert WorkingHours(HandoffSettings(hours={})).next_open(_at("2026-03-10 09:00")) is None


def test_bad_settings_are_refused():
    with pytest.raises(ValidationError):
        HandoffSettings(hours={"mon": ["17:00-08:00"]})
    with pytest.raises(ValidationError):
        HandoffSettings(hours={"funday": ["08:00-12:00"]})
    with pytest.raises(ValidationError):
        HandoffSettings(timezone="Asia/Saigon_Nowhere")
    with pytest.raises(ValidationError):
        HandoffSettings(outcomes=[])


def test_holidays_prefilled_2025_to_2027():
    days = set(HandoffSettings().holidays)
    for day in ("2025-01-29", "2026-02-17", "2027-02-08", "2025-04-07", "2027-04-16", "2027-09-02"):
        assert date.fromisoformat(day) in days, day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gọi 0912345678 nhé", "gọi *******678 nhé"),
        ("số tôi 0912 345 678", "số tôi *******678"),
        ("số tôi 0912.345.678.", "số tôi *******678."),
        ("call +84 912 345 678 please", "call ********678 please"),
        ("84912345678", "********678"),
        ("máy bàn 024 3825 1234", "máy bàn ********234"),
        ("CCCD 001099012345, CMND 123456789", "CCCD *********345, CMND ******789"),
        ("hotline 1900 1234 và mã H48.25-250101-0001", "hotline 1900 1234 và mã H48.25-250101-0001"),
        ("phí 1.000.000 đồng, ngày 2025-01-01", "phí 1.000.000 đồng, ngày 2025-01-01"),
    ],
)
def test_mask_text(text, expected):
    assert mask_text(text) == expected


def test_mask_number():
    assert mask_number("+84 912 345 678") == "********678"
    assert mask_number("0912345678") == "*******678"
    assert mask_number(None) is None
