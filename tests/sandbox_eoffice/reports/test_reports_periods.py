"""Reporting periods: the data cut-off of Nghị định 09/2019 (15th to 14th), the due date in
working days (weekends, holidays and Tết skipped), and which report is current."""

from __future__ import annotations

from datetime import date

import pytest

from sandbox_eoffice.reports.periods import (
    REPORT_DUE_WORKING_DAYS,
    Period,
    ReportKind,
    current_period,
    period_containing,
    period_of,
)

MONTH, QUARTER = ReportKind.MONTH, ReportKind.QUARTER


def test_a_monthly_period_runs_from_the_15th_to_the_14th() -> None:
    november = Period(MONTH, 2026, 11)
    assert (november.start, november.end) == (date(2026, 10, 15), date(2026, 11, 14))
    january = Period(MONTH, 2027, 1)
    assert (january.start, january.end) == (date(2026, 12, 15), date(2027, 1, 14))
    assert november.label("vi") == "Tháng 11/2026"
    assert november.label("en") == "November 2026"


def test_a_quarterly_period_starts_in_the_month_before_the_quarter() -> None:
    q4 = Period(QUARTER, 2026, 4)
    assert (q4.start, q4.end) == (date(2026, 9, 15), date(2026, 12, 14))
    q1 = Period(QUARTER, 2027, 1)
    assert (q1.start, q1.end) == (date(2026, 12, 15), date(2027, 3, 14))
    assert q4.label("vi") == "Quý IV/2026" and q1.label("en") == "Q1 2027"
    assert q4.next() == q1 and q1.previous() == q4


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 11, 14), Period(MONTH, 2026, 11)),
    (date(2026, 11, 15), Period(MONTH, 2026, 12)),
    (date(2026, 12, 31), Period(MONTH, 2027, 1)),
])
def test_the_day_decides_the_month(day: date, expected: Period) -> None:
    assert period_containing(MONTH, day) == expected
    assert expected.start <= day <= expected.end
    assert period_of(MONTH, expected.start) == expected


def test_the_quarter_of_a_day() -> None:
    assert period_containing(QUARTER, date(2026, 12, 14)) == Period(QUARTER, 2026, 4)
    assert period_containing(QUARTER, date(2026, 12, 15)) == Period(QUARTER, 2027, 1)
    assert period_containing(QUARTER, date(2026, 6, 15)) == Period(QUARTER, 2026, 3)
    with pytest.raises(ValueError, match="no quarter period starts"):
        period_of(QUARTER, date(2026, 10, 15))


def test_due_date_on_an_ordinary_week() -> None:
    # cut-off Wednesday 14/10/2026: Thursday, Friday, Monday
    assert REPORT_DUE_WORKING_DAYS == 3
    assert Period(MONTH, 2026, 10).due_date == date(2026, 10, 19)


def test_due_date_skips_the_weekend_and_tet() -> None:
    # cut-off Saturday 14/02/2026; Tết Bính Ngọ keeps offices closed 16–20/02
    assert Period(MONTH, 2026, 2).due_date == date(2026, 2, 25)


def test_due_date_skips_hung_kings_day_and_30_april() -> None:
    # cut-off Tuesday 14/04/2026: 15, 16, 17 April (no holiday before 26/04)
    assert Period(MONTH, 2026, 4).due_date == date(2026, 4, 17)
    # a quarter cut off on Sunday 14/06/2026: Monday to Wednesday
    assert Period(QUARTER, 2026, 2).due_date == date(2026, 6, 17)


@pytest.mark.parametrize(("today", "expected"), [
    # after the cut-off, before the due date: the period just ended is current
    (date(2026, 11, 16), Period(MONTH, 2026, 11)),
    (date(2026, 11, 18), Period(MONTH, 2026, 11)),  # its due day itself
    # the due date passed: the period in progress is current
    (date(2026, 11, 19), Period(MONTH, 2026, 12)),
    (date(2026, 11, 24), Period(MONTH, 2026, 12)),
    (date(2026, 11, 5), Period(MONTH, 2026, 11)),
])
def test_the_current_report(today: date, expected: Period) -> None:
    assert current_period(MONTH, today) == expected
    assert expected.due_date >= today
    assert expected.previous().due_date < today
