"""The completion rule: when a score passes, and when a course is completed.

One rule for every place that shows or records completion: a learner's "My learning"
page (``my_learning.progress``, from the feedback nbgrader releases to them) and the HR
records (``grading.records``, from the gradebook).

* A score passes when ``points / max_points * 100`` reaches the course's pass mark
  (``pass_percent`` in ``course.toml``); a score out of 0 neither passes nor fails.
* A course is completed when every module of the course is graded and the course's total
  score passes. Its completion date is the Vietnam-time calendar date of the latest
  submission among its modules.
* A trainer may override a completion (``CompletionOverride``: completed yes or no, with a
  reason, logged in ``grading.completion_overrides`` and the audit log). The latest
  override of a learner's course wins over the grades: the course counts as completed or
  not as the override says, and a "yes" override's completion date is the override's
  Vietnam date. ``course_completion`` applies the whole rule; every reader (My learning,
  the HR records and export, the dashboards) goes through it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from common.clock import to_vietnam

_EPSILON = 1e-9


@dataclass(frozen=True)
class Score:
    points: float
    max_points: float

    @property
    def percent(self) -> float | None:
        if self.max_points <= 0:
            return None
        return 100.0 * self.points / self.max_points

    def __add__(self, other: Score) -> Score:
        return Score(self.points + other.points, self.max_points + other.max_points)

    def __str__(self) -> str:
        return f"{format_points(self.points)} / {format_points(self.max_points)}"


def meets_pass_mark(score: Score, pass_percent: float) -> bool | None:
    """True when ``score`` reaches ``pass_percent``; None when it is out of 0 points."""
    if score.max_points <= 0:
        return None
    return score.points * 100 >= pass_percent * score.max_points - _EPSILON


def course_completed(score: Score, all_modules_graded: bool, pass_percent: float) -> bool:
    """Every module graded and the course's total passes."""
    return all_modules_graded and bool(meets_pass_mark(score, pass_percent))


def completion_date(submitted_at: Iterable[datetime | None]) -> date | None:
    """The Vietnam-time date of the latest submission (naive times are UTC, as nbgrader's)."""
    stamps = [s for s in submitted_at if s is not None]
    if not stamps:
        return None
    if all(s.tzinfo is None for s in stamps):  # nbgrader's naive UTC: compare, convert once
        return to_vietnam(max(stamps)).date()
    return max(to_vietnam(s) for s in stamps).date()


def format_points(value: float) -> str:
    """7 -> '7', 7.5 -> '7.5', 7.333 -> '7.33'."""
    rounded = round(value, 2)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:g}"


class CompletionSource(StrEnum):
    """Where a completion status comes from."""

    GRADES = "grades"
    OVERRIDE = "override"


@dataclass(frozen=True)
class CompletionOverride:
    """A trainer's (or an admin's) decision that a learner did or did not complete a course."""

    username: str
    course_id: str
    completed: bool
    reason: str
    by: str
    #: when it was decided (timezone-aware)
    at: datetime


@dataclass(frozen=True)
class Completion:
    """A learner's completion of one course, after any override."""

    completed: bool
    completion_date: date | None
    source: CompletionSource = CompletionSource.GRADES
    override: CompletionOverride | None = None

    @property
    def overridden(self) -> bool:
        return self.source is CompletionSource.OVERRIDE


def course_completion(
    score: Score,
    all_modules_graded: bool,
    pass_percent: float,
    submitted_at: Iterable[datetime | None],
    override: CompletionOverride | None = None,
) -> Completion:
    """The one completion rule: grades (``course_completed``, ``completion_date``), unless
    a trainer overrode them."""
    if override is not None:
        return Completion(
            completed=override.completed,
            completion_date=to_vietnam(override.at).date() if override.completed else None,
            source=CompletionSource.OVERRIDE,
            override=override,
        )
    if course_completed(score, all_modules_graded, pass_percent):
        return Completion(True, completion_date(submitted_at))
    return Completion(False, None)
