"""Billing cycles, issue and due dates, and Asia/Damascus time.

Syria keeps UTC+3 all year since October 2022 (tz 2022e); the pinned `tzdata`
package carries that rule, so `zoneinfo` never falls back to a stale system
copy. A bill due on day D is paid on time when a channel accepted it by
23:59:59.999999 Damascus time on D.

Cycle ids:
    monthly    YYYY-MM   e.g. 2026-11  (November 2026)
    bimonthly  YYYY-Bn   e.g. 2026-B6  (November–December 2026), n = 1..6
A cycle is issued on the first day after its period ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from fawtara.kernel.billers import CalendarKind
from fawtara.kernel.errors import InvalidCycle


def _damascus() -> ZoneInfo:
    """Asia/Damascus from the pinned `tzdata` package, never a stale system copy.

    `ZoneInfo(key)` looks at the system's zone files first; an old system copy
    (before tz 2022e) puts Damascus at UTC+2 in winter, which is wrong.
    """
    with resources.files("tzdata.zoneinfo").joinpath("Asia/Damascus").open("rb") as data:
        return ZoneInfo.from_file(data, key="Asia/Damascus")


DAMASCUS = _damascus()

_MONTHLY = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
_BIMONTHLY = re.compile(r"([0-9]{4})-B([1-6])", re.ASCII)


@dataclass(frozen=True, slots=True)
class Cycle:
    id: str
    calendar: CalendarKind
    period_start: date
    period_end: date
    issued_on: date


def _month_end(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def parse_cycle(calendar: CalendarKind, cycle_id: str) -> Cycle:
    """The cycle named by `cycle_id` in `calendar`, or InvalidCycle."""
    pattern = _MONTHLY if calendar is CalendarKind.MONTHLY else _BIMONTHLY
    match = pattern.fullmatch(cycle_id.strip())
    example = "2026-11" if calendar is CalendarKind.MONTHLY else "2026-B6"
    if match is None:
        raise InvalidCycle(
            f"{cycle_id!r} is not a {calendar.value} cycle id (like {example})",
            f"{cycle_id} ليس معرّف دورة صالحاً (مثل {example})",
        )
    year, number = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2100 or not 1 <= number <= 12:
        raise InvalidCycle(f"cycle {cycle_id!r} is out of range")
    first_month = number if calendar is CalendarKind.MONTHLY else 2 * number - 1
    last_month = number if calendar is CalendarKind.MONTHLY else 2 * number
    period_end = _month_end(year, last_month)
    return Cycle(
        id=cycle_id.strip(),
        calendar=calendar,
        period_start=date(year, first_month, 1),
        period_end=period_end,
        issued_on=period_end + timedelta(days=1),
    )


def cycle_containing(calendar: CalendarKind, day: date) -> Cycle:
    if calendar is CalendarKind.MONTHLY:
        return parse_cycle(calendar, f"{day.year:04d}-{day.month:02d}")
    return parse_cycle(calendar, f"{day.year:04d}-B{(day.month + 1) // 2}")


def due_on(issued_on: date, due_days: int) -> date:
    """The last day of the payment window: issue date + due days."""
    assert due_days > 0
    return issued_on + timedelta(days=due_days)


def damascus_date(instant: datetime) -> date:
    """The calendar day in Damascus at an aware instant."""
    assert instant.tzinfo is not None, "instants are timezone-aware"
    return instant.astimezone(DAMASCUS).date()


def end_of_day_utc(day: date) -> datetime:
    """The last instant of a Damascus day, in UTC."""
    local = datetime.combine(day, time.max, tzinfo=DAMASCUS)
    return local.astimezone(UTC)


def paid_on_time(accepted_at: datetime, due: date) -> bool:
    """Whether a payment accepted at `accepted_at` is within the window of `due`."""
    return damascus_date(accepted_at) <= due
