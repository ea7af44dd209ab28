"""Reporting periods and their due dates (pure date arithmetic, no database).

The data cut-off follows the government's reporting regime (Nghị định 09/2019/NĐ-CP, Điều
12): a monthly report covers the 15th of the previous month to the 14th of the month it is
named after ("tháng 11/2026" = 15/10/2026 – 14/11/2026); a quarterly report covers the 15th of
the month before the quarter to the 14th of its last month ("quý IV/2026" = 15/09/2026 –
14/12/2026; "quý I/2027" starts on 15/12/2026).

Due date (the sandbox's rule, like a province's reporting calendar for its districts and
departments): the report is due on the REPORT_DUE_WORKING_DAYS-th working day after the
cut-off day (`common.working_days.add_working_days`: weekends, public holidays and Tết do not
count). A report submitted after the end of its due day, Vietnam time, is late: it is
accepted and flagged, never refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from common.working_days import add_working_days

REPORT_DUE_WORKING_DAYS = 3
CUT_OFF_DAY = 14  # the last day of a period is the 14th of a month


class ReportKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


ROMAN = ("I", "II", "III", "IV")


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: the month or quarter it is named after, and its dates."""

    kind: ReportKind
    year: int
    number: int  # the month (1–12) or the quarter (1–4)

    @property
    def last_month(self) -> int:
        return self.number if self.kind is ReportKind.MONTH else 3 * self.number

    @property
    def end(self) -> date:
        """The cut-off day: the 14th of the (last) month."""
        return date(self.year, self.last_month, CUT_OFF_DAY)

    @property
    def start(self) -> date:
        months = 1 if self.kind is ReportKind.MONTH else 3
        year, month = self.year, self.last_month
        for _ in range(months):
            year, month = _month_before(year, month)
        return date(year, month, CUT_OFF_DAY + 1)

    @property
    def due_date(self) -> date:
        return add_working_days(self.end, REPORT_DUE_WORKING_DAYS)

    def label(self, language: str) -> str:
        """"Tháng 11/2026", "Quý IV/2026"; "November 2026", "Q4 2026"."""
        if self.kind is ReportKind.MONTH:
            if language == "vi":
                return f"Tháng {self.number}/{self.year}"
            return date(self.year, self.number, 1).strftime("%B %Y")
        if language == "vi":
            return f"Quý {ROMAN[self.number - 1]}/{self.year}"
        return f"Q{self.number} {self.year}"

    def next(self) -> Period:
        last = 12 if self.kind is ReportKind.MONTH else 4
        if self.number == last:
            return Period(self.kind, self.year + 1, 1)
        return Period(self.kind, self.year, self.number + 1)

    def previous(self) -> Period:
        last = 12 if self.kind is ReportKind.MONTH else 4
        if self.number == 1:
            return Period(self.kind, self.year - 1, last)
        return Period(self.kind, self.year, self.number - 1)


def period_containing(kind: ReportKind, day: date) -> Period:
    """The period whose dates include `day`."""
    year, month = day.year, day.month
    if day.day > CUT_OFF_DAY:  # from the 15th on, the data belong to next month's report
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if kind is ReportKind.MONTH:
        return Period(kind, year, month)
    return Period(kind, year, (month - 1) // 3 + 1)


def period_of(kind: ReportKind, start: date) -> Period:
    """The period that starts on `start` (as stored with a report)."""
    period = period_containing(kind, start)
    if period.start != start:
        raise ValueError(f"no {kind} period starts on {start}")
    return period


def current_period(kind: ReportKind, today: date) -> Period:
    """The report to work on today: the earliest period that is not yet past its due date
    (the one just cut off while its due date is ahead, otherwise the one in progress)."""
    period = period_containing(kind, today).previous()
    while period.due_date < today:
        period = period.next()
    return period


def periods_between(first: Period, last: Period) -> Iterator[Period]:
    period = first
    while period <= last:
        yield period
        period = period.next()
