"""Working-day arithmetic for Vietnamese administrative deadlines.

Legal and administrative deadlines in Vietnam (answering a citizen's request, replying to an
official letter, handling an administrative procedure...) are counted in *working days*
(ngày làm việc): a day is a working day unless it is

- a Saturday or a Sunday, or
- a public holiday (ngày nghỉ lễ, Tết) under the Labour Code, including the days off the
  Government moves around it: lunar New Year (Tết Nguyên đán, several days), Hùng Kings'
  Commemoration Day (10th day of the 3rd lunar month), 30 April, 1 May, National Day (2 September
  and a day next to it), and the compensatory days off when a holiday falls on a weekend.

The holiday calendar comes from the ``holidays`` package (``country_holidays("VN")``), which
also knows the Saturdays the Government turns into working days to make up for a bridged day
off (e.g. Saturday 22 August 2026, worked in exchange for Monday 31 August 2026); such a
Saturday counts as a working day here. Years the Government has not yet published a calendar
for follow the package's rules, which only know the fixed holidays.

Counting rule: the day a deadline starts from is not counted; ``add_working_days(start, n)`` is
the ``n``-th working day after ``start``.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

__all__ = ["add_working_days", "is_working_day", "working_days_between"]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    """The Vietnamese public holidays (days off) of ``year``."""
    return frozenset(holidays.country_holidays("VN", years=year).keys())


@lru_cache(maxsize=64)
def _weekend_workdays_of(year: int) -> frozenset[date]:
    """The Saturdays and Sundays of ``year`` declared working days (make-up days)."""
    calendar = holidays.country_holidays("VN", years=year)
    return frozenset(day for day in calendar.weekend_workdays if day.year == year)


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day: not a weekend day (unless made up) nor a holiday."""
    if day in _holidays_of(day.year):
        return False
    return day.weekday() < _SATURDAY or day in _weekend_workdays_of(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted).

    ``days == 0`` gives ``start`` if it is a working day, otherwise the next working day.
    """
    if days < 0:
        raise ValueError(f"days must be zero or more working days, not {days}")
    current = start
    if days == 0:
        while not is_working_day(current):
            current += _ONE_DAY
        return current
    remaining = days
    while remaining:
        current += _ONE_DAY
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after ``start`` up to and including ``end`` (0 if none)."""
    count = 0
    current = start + _ONE_DAY
    while current <= end:
        if is_working_day(current):
            count += 1
        current += _ONE_DAY
    return count
