"""common.working_days: deadlines counted in Vietnamese working days."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from common.working_days import add_working_days, is_working_day, working_days_between


def _vn_holidays(year: int) -> set[date]:
    return set(holidays.country_holidays("VN", years=year))


def test_weekdays_are_working_days_and_weekends_are_not() -> None:
    assert is_working_day(date(2026, 3, 11))  # a plain Wednesday
    assert not is_working_day(date(2026, 3, 14))  # Saturday
    assert not is_working_day(date(2026, 3, 15))  # Sunday


def test_friday_plus_one_working_day_is_the_next_monday() -> None:
    friday = date(2026, 3, 13)
    assert friday.weekday() == 4
    assert add_working_days(friday, 1) == date(2026, 3, 16)
    assert add_working_days(friday, 5) == date(2026, 3, 20)


def test_the_package_knows_tet_and_hung_kings_day() -> None:
    tet_2027 = _vn_holidays(2027)
    # Lunar New Year 2027 falls on Saturday 6 February.
    assert date(2027, 2, 6) in tet_2027
    assert date(2027, 2, 8) in tet_2027 and date(2027, 2, 9) in tet_2027
    # Hùng Kings' Commemoration Day, 10th day of the 3rd lunar month: 16 April 2027.
    assert date(2027, 4, 16) in tet_2027
    assert not is_working_day(date(2027, 4, 16))  # a Friday


def test_a_deadline_across_tet_2027_skips_every_holiday() -> None:
    tet = _vn_holidays(2027)
    days_off = sorted(d for d in tet if d.month == 2)
    assert days_off, "the package should know Tết 2027"
    weekdays_off = [d for d in days_off if d.weekday() < 5]
    assert weekdays_off and all(not is_working_day(d) for d in weekdays_off)
    # From the last working day before Tết, the next working day is after the last day off.
    start = days_off[0] - timedelta(days=1)
    while not is_working_day(start):
        start -= timedelta(days=1)
    expected = days_off[-1] + timedelta(days=1)
    while expected.weekday() >= 5 or expected in tet:
        expected += timedelta(days=1)
    assert add_working_days(start, 1) == expected
    assert expected > date(2027, 2, 9)
    # Across the whole of Tết, only the weekdays that are not holidays are counted.
    end = date(2027, 2, 28)
    plain = sum(
        1
        for n in range(1, (end - start).days + 1)
        if (d := start + timedelta(days=n)).weekday() < 5 and d not in tet
    )
    assert working_days_between(start, end) == plain
    assert plain < 20  # February 2027 has 20 weekdays; Tết takes some of them


def test_national_day_2026_is_skipped() -> None:
    national_day = date(2026, 9, 2)
    assert national_day.weekday() == 2  # a Wednesday
    assert not is_working_day(national_day)
    assert not is_working_day(date(2026, 9, 1))  # the day off next to it
    # Thursday 27 August: Friday 28 is the 1st working day, then Monday 31 August is the
    # bridged day off, 1-2 September are National Day: the 2nd working day is 3 September.
    assert add_working_days(date(2026, 8, 27), 1) == date(2026, 8, 28)
    assert add_working_days(date(2026, 8, 27), 2) == date(2026, 9, 3)


def test_a_make_up_saturday_is_a_working_day() -> None:
    # Saturday 22 August 2026 is worked in exchange for Monday 31 August 2026.
    assert date(2026, 8, 22) in holidays.country_holidays("VN", years=2026).weekend_workdays
    assert is_working_day(date(2026, 8, 22))
    assert not is_working_day(date(2026, 8, 31))
    assert not is_working_day(date(2026, 8, 29))  # an ordinary Saturday


def test_zero_days_is_the_start_or_the_next_working_day() -> None:
    assert add_working_days(date(2026, 3, 11), 0) == date(2026, 3, 11)
    assert add_working_days(date(2026, 3, 14), 0) == date(2026, 3, 16)  # Saturday -> Monday
    assert add_working_days(date(2026, 1, 1), 0) == date(2026, 1, 2)  # New Year's Day


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="-1"):
        add_working_days(date(2026, 3, 11), -1)


def test_working_days_between_is_zero_when_end_is_not_after_start() -> None:
    assert working_days_between(date(2026, 3, 11), date(2026, 3, 11)) == 0
    assert working_days_between(date(2026, 3, 11), date(2026, 3, 1)) == 0
    assert working_days_between(date(2026, 3, 13), date(2026, 3, 15)) == 0  # Fri -> Sun
    assert working_days_between(date(2026, 3, 13), date(2026, 3, 16)) == 1


@pytest.mark.parametrize(
    "start",
    [
        date(2026, 1, 1),
        date(2026, 2, 13),
        date(2026, 4, 24),
        date(2026, 8, 21),
        date(2026, 12, 25),
        date(2027, 1, 29),
        date(2027, 4, 29),
    ],
)
def test_working_days_between_inverts_add_working_days(start: date) -> None:
    previous = start
    for days in range(1, 46):
        deadline = add_working_days(start, days)
        assert is_working_day(deadline)
        assert deadline > previous
        assert working_days_between(start, deadline) == days
        # the day before the deadline still leaves one working day to go
        assert working_days_between(start, deadline - timedelta(days=1)) == days - 1
        previous = deadline


# --- the one-stop desk's deadlines: 30/4–1/5, Tết 2026, 2/9 2027, year boundaries ----------


def test_a_deadline_across_30_april_and_1_may_2026() -> None:
    # Wednesday 29 April 2026; Thursday 30/4 and Friday 1/5 are holidays, then a weekend.
    assert not is_working_day(date(2026, 4, 30)) and not is_working_day(date(2026, 5, 1))
    assert add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)
    assert add_working_days(date(2026, 4, 29), 3) == date(2026, 5, 6)  # a 3-day procedure
    # Hùng Kings' day falls on Sunday 26 April 2026: Monday 27 April is off instead.
    assert not is_working_day(date(2026, 4, 27))
    assert add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)
    assert working_days_between(date(2026, 4, 24), date(2026, 5, 4)) == 3  # 28, 29 April, 4 May


def test_a_deadline_across_tet_2026() -> None:
    # Tết Bính Ngọ: Monday 16 to Friday 20 February 2026 are off, a whole working week.
    for day in range(16, 21):
        assert not is_working_day(date(2026, 2, day))
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    # a 10-working-day procedure received on Thursday 12 February
    assert add_working_days(date(2026, 2, 12), 10) == date(2026, 3, 5)


def test_national_day_2027_takes_a_thursday_and_a_friday() -> None:
    assert not is_working_day(date(2027, 9, 2)) and not is_working_day(date(2027, 9, 3))
    assert add_working_days(date(2027, 9, 1), 1) == date(2027, 9, 6)


def test_deadlines_across_the_new_year() -> None:
    # Thursday 31 December 2026: 1 January 2027 is a Friday holiday, then a weekend.
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    # Wednesday 31 December 2025: 1 January 2026 (Thursday) off, Friday 2 January worked.
    assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)
    assert add_working_days(date(2026, 12, 28), 5) == date(2027, 1, 5)
    assert working_days_between(date(2026, 12, 28), date(2027, 1, 5)) == 5
    # a 30-working-day land dossier received on 15 December 2026 ends in January 2027
    deadline = add_working_days(date(2026, 12, 15), 30)
    assert deadline.year == 2027
    assert working_days_between(date(2026, 12, 15), deadline) == 30
