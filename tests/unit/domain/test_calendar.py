"""Billing cycles, due dates, and the Damascus day (UTC+3 all year since October 2022)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest

from fawtara.kernel.billers import CalendarKind
from fawtara.kernel.calendar import (
    DAMASCUS,
    Cycle,
    cycle_containing,
    damascus_date,
    due_on,
    end_of_day_utc,
    paid_on_time,
    parse_cycle,
)
from fawtara.kernel.errors import InvalidCycle

MONTHLY = CalendarKind.MONTHLY
BIMONTHLY = CalendarKind.BIMONTHLY


# Cycle ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "cycle_id", "start", "end", "issued"),
    [
        (MONTHLY, "2026-11", date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 1)),
        # December's bill is issued in the next year
        (MONTHLY, "2026-12", date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 1)),
        (MONTHLY, "2026-01", date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 1)),
        (MONTHLY, "2027-02", date(2027, 2, 1), date(2027, 2, 28), date(2027, 3, 1)),
        (MONTHLY, "2028-02", date(2028, 2, 1), date(2028, 2, 29), date(2028, 3, 1)),  # leap
        (BIMONTHLY, "2026-B1", date(2026, 1, 1), date(2026, 2, 28), date(2026, 3, 1)),
        (BIMONTHLY, "2026-B3", date(2026, 5, 1), date(2026, 6, 30), date(2026, 7, 1)),
        (BIMONTHLY, "2026-B6", date(2026, 11, 1), date(2026, 12, 31), date(2027, 1, 1)),
        (BIMONTHLY, "2028-B1", date(2028, 1, 1), date(2028, 2, 29), date(2028, 3, 1)),  # leap
        (BIMONTHLY, "2025-B6", date(2025, 11, 1), date(2025, 12, 31), date(2026, 1, 1)),
    ],
)
def test_parse_cycle_gives_the_period_and_the_day_after_it_as_issue_date(
    calendar: CalendarKind, cycle_id: str, start: date, end: date, issued: date
) -> None:
    assert parse_cycle(calendar, cycle_id) == Cycle(cycle_id, calendar, start, end, issued)


def test_parse_cycle_ignores_surrounding_whitespace() -> None:
    assert parse_cycle(MONTHLY, " 2026-11\n").id == "2026-11"


@pytest.mark.parametrize(
    ("calendar", "cycle_id"),
    [
        (MONTHLY, "2026-00"),
        (MONTHLY, "2026-13"),
        (MONTHLY, "2026-1"),
        (MONTHLY, "26-11"),
        (MONTHLY, "2026/11"),
        (MONTHLY, "2026-11-01"),
        (MONTHLY, "1999-12"),
        (MONTHLY, "2101-01"),
        (MONTHLY, "2026-B6"),  # a bimonthly id in a monthly calendar
        (MONTHLY, ""),
        (BIMONTHLY, "2026-B0"),
        (BIMONTHLY, "2026-B7"),
        (BIMONTHLY, "2026-b1"),
        (BIMONTHLY, "2026-B12"),
        (BIMONTHLY, "2026-11"),  # a monthly id in a bimonthly calendar
        (BIMONTHLY, "1999-B1"),
        (BIMONTHLY, "B1-2026"),
    ],
)
def test_parse_cycle_refuses_an_id_not_of_its_calendar(
    calendar: CalendarKind, cycle_id: str
) -> None:
    with pytest.raises(InvalidCycle):
        parse_cycle(calendar, cycle_id)


@pytest.mark.parametrize(
    ("calendar", "cycle_id", "canonical"),
    [(MONTHLY, "٢٠٢٦-١١", "2026-11"), (BIMONTHLY, "٢٠٢٦-B1", "2026-B1")],
    ids=["monthly", "bimonthly"],
)
def test_a_cycle_id_in_arabic_indic_digits_never_becomes_a_second_id_of_the_cycle(
    calendar: CalendarKind, cycle_id: str, canonical: str
) -> None:
    try:
        cycle = parse_cycle(calendar, cycle_id)
    except InvalidCycle:
        return  # refusing it is one acceptable fix
    assert cycle.id == canonical  # normalising it is the other


@pytest.mark.parametrize(
    ("calendar", "day", "cycle_id"),
    [
        (MONTHLY, date(2026, 11, 30), "2026-11"),
        (MONTHLY, date(2026, 12, 1), "2026-12"),
        (BIMONTHLY, date(2026, 1, 1), "2026-B1"),
        (BIMONTHLY, date(2026, 2, 28), "2026-B1"),
        (BIMONTHLY, date(2026, 3, 1), "2026-B2"),
        (BIMONTHLY, date(2026, 10, 31), "2026-B5"),
        (BIMONTHLY, date(2026, 11, 1), "2026-B6"),
        (BIMONTHLY, date(2026, 12, 31), "2026-B6"),
        (BIMONTHLY, date(2028, 2, 29), "2028-B1"),
    ],
)
def test_cycle_containing_names_the_cycle_of_the_day(
    calendar: CalendarKind, day: date, cycle_id: str
) -> None:
    cycle = cycle_containing(calendar, day)
    assert cycle.id == cycle_id
    assert cycle.period_start <= day <= cycle.period_end


# Due dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "due_days", "due"),
    [
        # Leap February: Feb 1 + 28 = Feb 29, + 29 = Mar 1, + 30 = Mar 2.
        (date(2028, 2, 1), 30, date(2028, 3, 2)),
        # Common February: Feb 1 + 27 = Feb 28, + 28 = Mar 1, + 30 = Mar 3.
        (date(2027, 2, 1), 30, date(2027, 3, 3)),
        # Jan 31 + 28 = Feb 28 (2026), + 29 = Mar 1, + 30 = Mar 2.
        (date(2026, 1, 31), 30, date(2026, 3, 2)),
        # Aug 31 + 30 = Sep 30.
        (date(2026, 8, 31), 30, date(2026, 9, 30)),
        # Across the year end: Dec 2 + 29 = Dec 31, + 30 = Jan 1.
        (date(2026, 12, 2), 30, date(2027, 1, 1)),
        # The 2026-B6 bill, issued 2027-01-01, due 30 days later.
        (date(2027, 1, 1), 30, date(2027, 1, 31)),
        (date(2026, 3, 1), 1, date(2026, 3, 2)),
        # 120 days after 2026-03-01: 30 (Mar) + 30 (Apr) + 31 (May) + 29 = Jun 29.
        (date(2026, 3, 1), 120, date(2026, 6, 29)),
    ],
)
def test_due_on_counts_calendar_days_across_month_ends_and_leap_years(
    issued: date, due_days: int, due: date
) -> None:
    assert due_on(issued, due_days) == due


@pytest.mark.parametrize("due_days", [0, -1])
def test_due_days_must_be_positive(due_days: int) -> None:
    with pytest.raises(AssertionError):
        due_on(date(2026, 3, 1), due_days)


# Asia/Damascus -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        # Winter: 20:59:59 UTC is 23:59:59 in Damascus, 21:00 UTC is midnight.
        (datetime(2026, 1, 15, 20, 59, 59, tzinfo=UTC), date(2026, 1, 15)),
        (datetime(2026, 1, 15, 21, 0, 0, tzinfo=UTC), date(2026, 1, 16)),
        # Summer: the same offset, no daylight saving any more.
        (datetime(2026, 7, 15, 20, 59, 59, tzinfo=UTC), date(2026, 7, 15)),
        (datetime(2026, 7, 15, 21, 0, 0, tzinfo=UTC), date(2026, 7, 16)),
        # The night after the old October fall-back date keeps +3.
        (datetime(2026, 10, 30, 21, 0, 0, tzinfo=UTC), date(2026, 10, 31)),
    ],
)
def test_the_damascus_day_starts_at_21_utc_all_year(instant: datetime, day: date) -> None:
    assert damascus_date(instant) == day


@pytest.mark.parametrize(
    ("local", "hours"),
    [
        (datetime(2026, 1, 15, 12), 3),
        (datetime(2026, 7, 15, 12), 3),
        (datetime(2023, 1, 15, 12), 3),  # the first winter after the 2022 decision
        # Before the Cabinet decision of October 2022: EET in winter, EEST in summer.
        (datetime(2022, 1, 15, 12), 2),
        (datetime(2022, 7, 15, 12), 3),
    ],
)
def test_damascus_offset_follows_the_2022_decision(local: datetime, hours: int) -> None:
    assert local.replace(tzinfo=DAMASCUS).utcoffset() == timedelta(hours=hours)


def test_damascus_time_ignores_a_stale_system_copy_of_the_zone(tmp_path: Path) -> None:
    # A system copy that still has winter time: Beirut's rules (EET/EEST) stand in for it.
    stale = tmp_path / "Asia" / "Damascus"
    stale.parent.mkdir()
    stale.write_bytes(resources.files("tzdata").joinpath("zoneinfo/Asia/Beirut").read_bytes())
    program = (
        "from datetime import datetime\n"
        "from fawtara.kernel.calendar import DAMASCUS\n"
        "print(DAMASCUS.utcoffset(datetime(2026, 1, 15, 12)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        env=os.environ | {"PYTHONTZPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == "3:00:00"


def test_damascus_date_refuses_a_naive_datetime() -> None:
    with pytest.raises(AssertionError):
        damascus_date(datetime(2026, 1, 15, 12, 0))


@pytest.mark.parametrize(
    ("day", "last_instant"),
    [
        (date(2026, 1, 15), datetime(2026, 1, 15, 20, 59, 59, 999_999, tzinfo=UTC)),
        (date(2026, 7, 15), datetime(2026, 7, 15, 20, 59, 59, 999_999, tzinfo=UTC)),
        (date(2028, 2, 29), datetime(2028, 2, 29, 20, 59, 59, 999_999, tzinfo=UTC)),
    ],
)
def test_end_of_day_utc_is_a_microsecond_before_21_utc(day: date, last_instant: datetime) -> None:
    end = end_of_day_utc(day)
    assert end == last_instant
    assert end.utcoffset() == timedelta(0)


DUE = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("accepted_at", "on_time"),
    [
        # 23:59 in Damascus on the due date = 20:59 UTC
        (datetime(2026, 3, 2, 23, 59, tzinfo=DAMASCUS), True),
        (datetime(2026, 3, 2, 20, 59, tzinfo=UTC), True),
        # 00:00 in Damascus the next day = 21:00 UTC on the due date
        (datetime(2026, 3, 3, 0, 0, tzinfo=DAMASCUS), False),
        (datetime(2026, 3, 2, 21, 0, tzinfo=UTC), False),
        # long before, and the last microsecond
        (datetime(2026, 3, 1, 0, 0, tzinfo=DAMASCUS), True),
        (end_of_day_utc(DUE), True),
        (end_of_day_utc(DUE) + timedelta(microseconds=1), False),
    ],
)
def test_paid_on_time_until_the_end_of_the_due_date_in_damascus(
    accepted_at: datetime, on_time: bool
) -> None:
    assert paid_on_time(accepted_at, DUE) is on_time
